"""Pydantic models: what the LLM may answer (small, bounded) and what the knowledge base stores
besides the cross-module types in `shelfmind.schemas`."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, Field

from shelfmind.schemas import AssertionStatus, PresentationKind, Provenance

# ---- LLM outputs ---------------------------------------------------------------------------------
# Lengths are enforced by truncation, not by JSON-schema maxLength: long strings are cut instead of
# failing validation (a re-ask costs a whole generation on a small CPU model), and the grammar the
# local runtime compiles from the schema stays small.


def _cut(n: int) -> BeforeValidator:
    def cut(v: Any) -> Any:
        return " ".join(v.split())[:n] if isinstance(v, str) else v

    return BeforeValidator(cut)


Short = Annotated[str, _cut(48)]
Query = Annotated[str, _cut(60)]
Sentence = Annotated[str, _cut(140)]


class ProposedProduct(BaseModel):
    product_type: Short
    reason: Sentence
    search_query: Query = ""  # optional: the product type is searched too


class PlannedTheme(BaseModel):
    """One theme of a plan: a name, why it helps (the explanation of its products), 2-4 product kinds."""

    name: Short
    reason: Sentence
    items: list[Short] = Field(min_length=2, max_length=4)


class IntentPlan(BaseModel):
    """kb_intent_plan: how a need / occasion / query maps to themes of product kinds. minItems makes
    the local runtime's grammar produce at least 3 themes (distinct names are checked afterwards)."""

    kind: PresentationKind
    themes: list[PlannedTheme] = Field(min_length=3, max_length=5)


class MoreThemes(BaseModel):
    """kb_more_themes: extra themes when the plan grounded too few distinct ones."""

    themes: list[PlannedTheme] = Field(min_length=2, max_length=3)


class RelationPlan(BaseModel):
    """kb_relations: related product kinds for one product."""

    complements: list[ProposedProduct] = Field(default_factory=list, max_length=2)
    substitutes: list[ProposedProduct] = Field(default_factory=list, max_length=2)
    pairings: list[ProposedProduct] = Field(default_factory=list, max_length=2)


class SuggestedIntents(BaseModel):
    intents: list[Short] = Field(min_length=1, max_length=8)


class RecipeIngredientOut(BaseModel):
    name: Annotated[str, _cut(40)]
    quantity: Annotated[str, _cut(24)]


class RecipeOut(BaseModel):
    title: Annotated[str, _cut(70)]
    servings: int = Field(ge=1, le=12)
    ingredients: list[RecipeIngredientOut] = Field(min_length=2, max_length=12)
    steps: list[Annotated[str, _cut(160)]] = Field(min_length=1, max_length=7)


class ExplanationOut(BaseModel):
    explanation: Annotated[str, _cut(200)]


# ---- stored records ------------------------------------------------------------------------------


class IntentSource(StrEnum):
    SEED = "seed"
    QUERY_LOG = "query_log"
    LLM = "llm"
    ADHOC = "adhoc"


class IntentRecord(BaseModel):
    key: str  # normalised
    text: str
    source: IntentSource = IntentSource.SEED
    kind: PresentationKind = PresentationKind.BROAD
    state: Literal["pending", "done", "failed"] = "pending"
    error: str = ""
    built_at: str | None = None


class Verdict(BaseModel):
    """The verifier's judgement of one assertion."""

    faithfulness: float
    plausibility: float
    score: float
    status: AssertionStatus
    reasons: list[str] = Field(default_factory=list)


class RecipeLine(BaseModel):
    ingredient: str
    quantity: str = ""
    product_id: str | None = None
    product_name: str | None = None
    available: bool = False
    from_cart: bool = False


class Recipe(BaseModel):
    title: str
    servings: int = 2
    source: Literal["interest", "cart"] = "interest"
    basis: list[str] = Field(default_factory=list)  # the interest or the cart product names
    lines: list[RecipeLine] = Field(default_factory=list)
    steps: list[str] = Field(default_factory=list)
    suggestions: list[str] = Field(default_factory=list)  # often-used-with ingredients (co-occurrence)
    coverage: float = 0.0  # share of lines linked to a real product
    provenance: Provenance | None = None


class Explanation(BaseModel):
    product_id: str
    context: str
    persona: str = ""
    text: str
    verifier_score: float | None = None
    status: AssertionStatus = AssertionStatus.PROPOSED
    provenance: Provenance | None = None


class BuildReport(BaseModel):
    intents_done: int = 0
    intents_skipped: int = 0
    intents_failed: int = 0
    proposals: int = 0
    ungrounded: int = 0
    links: int = 0
    themes: int = 0
    relations: int = 0
    statuses: dict[str, int] = Field(default_factory=dict)
    failures: dict[str, str] = Field(default_factory=dict)
