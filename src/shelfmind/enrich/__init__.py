"""Catalog enrichment: attribute schemas, grounded extraction, confidence, review, batch jobs."""

from shelfmind.enrich.extract import AttrValue, ExtractConfig, Extractor, ProductResult
from shelfmind.enrich.schema import AttributeSpec, AttrType, CategorySchema, SchemaSet

__all__ = ["AttrType", "AttrValue", "AttributeSpec", "CategorySchema", "ExtractConfig", "Extractor",
           "ProductResult", "SchemaSet"]
