"""Catalog: declarative ingestion of tables, the flattened product store, product text templates."""
