"""Request and response models of the HTTP API (the wire format; domain types stay in schemas.py)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field

from shelfmind.schemas import PresentationKind, RelationKind

MAX_QUERY_CHARS = 200
MAX_STATEMENT_CHARS = 500


def _clean(text: str) -> str:
    text = " ".join(text.split())
    if not text:
        raise ValueError("must not be empty or blank")
    return text


QueryText = Annotated[str, Field(min_length=1, max_length=MAX_QUERY_CHARS), AfterValidator(_clean)]
StatementText = Annotated[str, Field(min_length=1, max_length=MAX_STATEMENT_CHARS), AfterValidator(_clean)]
Identifier = Annotated[str, Field(min_length=1, max_length=100)]


class ErrorBody(BaseModel):
    code: str
    message: str
    hint: str | None = None


class ErrorResponse(BaseModel):
    error: ErrorBody


class ProductCard(BaseModel):
    """What a product tile shows: name, price and why it is here."""

    id: str
    name: str
    price: float | None = None
    in_stock: bool = True
    explanation: str = ""
    score: float = 0.0
    theme: str | None = None


class ThemeOut(BaseModel):
    name: str
    explanation: str = ""
    products: list[ProductCard] = Field(default_factory=list)


class SearchResponse(BaseModel):
    query: str
    products: list[ProductCard]
    themes: list[ThemeOut] = Field(default_factory=list)


class RecommendRequest(BaseModel):
    query: QueryText
    user_id: Identifier | None = None
    context: dict[str, str | int | float | bool] = Field(default_factory=dict, max_length=20)
    k: int = Field(default=24, ge=1, le=100)


class RecommendResponse(BaseModel):
    query: str
    user_id: str | None = None
    kind: PresentationKind = PresentationKind.SPECIFIC
    themes: list[ThemeOut] = Field(default_factory=list)
    products: list[ProductCard] = Field(default_factory=list)
    personas: dict[str, float] = Field(default_factory=dict)
    constraints: list[str] = Field(default_factory=list)
    removed_by_constraints: int = 0


class RelatedProduct(ProductCard):
    kind: RelationKind


class ProductDetail(BaseModel):
    id: str
    name: str
    price: float | None = None
    in_stock: bool = True
    text: str | None = None
    fields: dict[str, Any] = Field(default_factory=dict)
    attributes: dict[str, Any] = Field(default_factory=dict)
    intents: list[str] = Field(default_factory=list)
    relations: dict[RelationKind, list[RelatedProduct]] = Field(default_factory=dict)


class RecipeRequest(BaseModel):
    product_ids: list[Identifier] = Field(min_length=1, max_length=50)
    user_id: Identifier | None = None


class RecipeIngredient(BaseModel):
    name: str
    product_id: str | None = None
    in_cart: bool = False
    price: float | None = None


class RecipeOut(BaseModel):
    name: str
    explanation: str = ""
    ingredients: list[RecipeIngredient] = Field(default_factory=list)
    steps: list[str] = Field(default_factory=list)
    missing: list[ProductCard] = Field(default_factory=list)  # products to add to the cart


class IntentLinkOut(BaseModel):
    intent: str
    product: ProductCard
    evidence: str = ""


class KnowledgeResponse(BaseModel):
    query: str
    themes: list[ThemeOut] = Field(default_factory=list)
    links: list[IntentLinkOut] = Field(default_factory=list)


class StatementIn(BaseModel):
    text: StatementText


class StatementOut(BaseModel):
    id: str
    text: str
    constraints: list[str] = Field(default_factory=list)
    preferences: list[str] = Field(default_factory=list)


class UserOut(BaseModel):
    id: str
    name: str
    description: str = ""
    personas: dict[str, float] = Field(default_factory=dict)
    statements: list[StatementOut] = Field(default_factory=list)


class UserSummary(BaseModel):
    id: str
    name: str
    description: str = ""
    personas: dict[str, float] = Field(default_factory=dict)


class SessionIn(BaseModel):
    user_id: Identifier


class SessionOut(BaseModel):
    user_id: str
    token: str


class BulkDecision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


class EditIn(BaseModel):
    value: Any = Field(description="the corrected value (any JSON)")
    reviewer: str | None = Field(default=None, max_length=100)


class DecideIn(BaseModel):
    reviewer: str | None = Field(default=None, max_length=100)


class BulkIn(BaseModel):
    ids: list[int] = Field(min_length=1, max_length=500)
    decision: BulkDecision
    reviewer: str | None = Field(default=None, max_length=100)


class HealthOut(BaseModel):
    status: str
    components: dict[str, str]
