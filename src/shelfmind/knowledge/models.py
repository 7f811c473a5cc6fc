"""Pydantic models: what the LLM may answer (small, bounded) and what the knowledge base stores
besides the cross-module types in `shelfmind.schemas`."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field

from shelfmind.schemas import AssertionStatus, PresentationKind, Provenance

# ---- LLM outputs ---------------------------------------------------------------------------------


class ProposedProduct(BaseModel):
    product_type: str = Field(max_length=48, description="a kind of grocery product, 1-4 words")
    search_query: str = Field(max_length=60, description="words to find it in a grocery catalog")
    reason: str = Field(max_length=140, description="one short sentence: why it helps")


class ProposedTheme(BaseModel):
    name: str = Field(max_length=48)
    items: list[ProposedProduct] = Field(min_length=1, max_length=3)


class IntentPlan(BaseModel):
    """kb_intent_plan: how a need / occasion / query maps to themed product kinds."""

    kind: PresentationKind
    themes: list[ProposedTheme] = Field(min_length=1, max_length=3)


class RelationPlan(BaseModel):
    """kb_relations: related product kinds for one product."""

    complements: list[ProposedProduct] = Field(default_factory=list, max_length=3)
    substitutes: list[ProposedProduct] = Field(default_factory=list, max_length=2)
    pairings: list[ProposedProduct] = Field(default_factory=list, max_length=2)


class SuggestedIntents(BaseModel):
    intents: list[str] = Field(min_length=1, max_length=8)


class RecipeIngredientOut(BaseModel):
    name: str = Field(max_length=40, description="the ingredient, as sold in a grocery store")
    quantity: str = Field(max_length=24)


class RecipeOut(BaseModel):
    title: str = Field(max_length=70)
    servings: int = Field(ge=1, le=12)
    ingredients: list[RecipeIngredientOut] = Field(min_length=2, max_length=12)
    steps: list[str] = Field(min_length=1, max_length=7)


class ExplanationOut(BaseModel):
    explanation: str = Field(max_length=200)


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
