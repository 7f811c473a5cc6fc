"""Shared domain types. Closed sets are enums; everything is a pydantic model."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field


class FieldKind(StrEnum):
    TEXT = "text"  # free text: goes into product text, BM25 and embeddings
    NUMERIC = "numeric"  # filterable range (price, size, year, nutrition)
    CATEGORICAL = "categorical"  # filterable equality / membership (brand, category)
    BOOLEAN = "boolean"  # filterable flag (organic, gluten_free, in_stock)
    LIST = "list"  # list of categorical values (tags, allergens)


class FieldSpec(BaseModel):
    name: str
    kind: FieldKind
    description: str | None = None
    unit: str | None = None


class CatalogSchema(BaseModel):
    """The flattened product table's columns. Saved with the catalog; read by text, search, enrich."""

    id_field: str = "id"
    name_field: str = "name"
    fields: list[FieldSpec] = Field(default_factory=list)

    def by_kind(self, *kinds: FieldKind) -> list[FieldSpec]:
        return [f for f in self.fields if f.kind in kinds]

    def get(self, name: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.name == name), None)

    @property
    def filterable(self) -> list[FieldSpec]:
        return self.by_kind(FieldKind.NUMERIC, FieldKind.CATEGORICAL, FieldKind.BOOLEAN, FieldKind.LIST)


class Product(BaseModel):
    """One row of the flattened product table.

    `fields` holds the flattened columns (joined brand/category/... included), `text` the rendered
    product text (from the text template), `attributes` the enriched, approved attributes.
    """

    id: str
    name: str
    fields: dict[str, Any] = Field(default_factory=dict)
    text: str | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)
    price: float | None = None
    in_stock: bool = True

    def get(self, key: str, default: Any = None) -> Any:
        if key in self.attributes:
            return self.attributes[key]
        if key in self.fields:
            return self.fields[key]
        return getattr(self, key, default) if key in {"price", "in_stock", "name", "id"} else default


class AssertionStatus(StrEnum):
    """Lifecycle of every LLM-produced assertion (attribute value, knowledge link, explanation)."""

    PROPOSED = "proposed"
    AUTO_APPROVED = "auto_approved"
    NEEDS_REVIEW = "needs_review"
    APPROVED = "approved"
    REJECTED = "rejected"


class Provenance(BaseModel):
    """Where an LLM output came from: model id, prompt name@version and a hash of its inputs."""

    model: str
    prompt: str
    prompt_version: str
    inputs_hash: str
    created_at: str | None = None


# ---- knowledge, personalization and presentation: the types that cross module boundaries ---------
# knowledge/ produces them, personas/ and service/ consume them. Keep them small and stable.


class RelationKind(StrEnum):
    COMPLEMENT = "complement"  # goes with (pasta -> pasta sauce)
    SUBSTITUTE = "substitute"  # instead of, e.g. when out of stock
    PAIRING = "pairing"  # drink/food pairing
    OCCASION = "occasion"  # belongs to the same occasion bundle


class Relation(BaseModel):
    """product -> product, with an explanation and its quality-control status."""

    kind: RelationKind
    src_id: str
    dst_id: str
    explanation: str
    score: float = 0.0
    status: AssertionStatus = AssertionStatus.PROPOSED
    provenance: Provenance | None = None


class Theme(BaseModel):
    """A named group of real products for presentation ("Pizza Making Supplies")."""

    name: str
    explanation: str = ""
    product_ids: list[str] = Field(default_factory=list)
    source: str = "llm"  # "llm", "co_engagement", "llm+co_engagement", "category", ...
    score: float = 0.0


class IntentLink(BaseModel):
    """intent -> product with the reason it helps, evidence and scores."""

    intent: str
    product_id: str
    product_type: str = ""  # the kind of product the LLM proposed ("herbal tea")
    explanation: str
    evidence: str = ""  # catalog facts the link is grounded in
    score: float = 0.0  # retrieval/grounding score
    verifier_score: float | None = None
    status: AssertionStatus = AssertionStatus.PROPOSED
    provenance: Provenance | None = None


class PresentationKind(StrEnum):
    SPECIFIC = "specific"  # a product query: the product(s) plus complements
    BROAD = "broad"  # an intent/occasion: diverse themes


class ThemeBlock(BaseModel):
    name: str
    explanation: str = ""
    product_ids: list[str] = Field(default_factory=list)


class Presentation(BaseModel):
    kind: PresentationKind = PresentationKind.SPECIFIC
    themes: list[ThemeBlock] = Field(default_factory=list)


class RecommendedProduct(BaseModel):
    id: str
    name: str
    explanation: str = ""
    score: float = 0.0
    price: float | None = None
    theme: str | None = None


class Recommendation(BaseModel):
    """The answer of the core mapping (query, user, context) -> (products, explanations, presentation)."""

    query: str
    user_id: str | None = None
    products: list[RecommendedProduct] = Field(default_factory=list)
    presentation: Presentation = Field(default_factory=Presentation)
    personas: dict[str, float] = Field(default_factory=dict)  # persona name -> weight used
    constraints: list[str] = Field(default_factory=list)  # hard constraints applied
    context: dict[str, Any] = Field(default_factory=dict)
    removed_by_constraints: int = 0
