"""Explanations for (product, query or intent, persona): produced offline for head pairs and on
demand otherwise, always checked against the product's catalog facts by the verifier. A rejected
explanation is replaced by a plain one built from the facts, so a shopper never sees it."""

from __future__ import annotations

from shelfmind.knowledge.facts import normalise, product_facts
from shelfmind.knowledge.models import Explanation, ExplanationOut
from shelfmind.knowledge.planner import provenance
from shelfmind.knowledge.review import KnowledgeReview
from shelfmind.knowledge.store import KnowledgeStore
from shelfmind.knowledge.verifier import Verifier
from shelfmind.llm.base import LLM
from shelfmind.llm.prompts import load_prompt
from shelfmind.llm.structured import complete
from shelfmind.schemas import AssertionStatus, Product


def fallback_text(product: Product, context: str) -> str:
    return f"{product.name}: matches \u201c{context}\u201d."


class Explainer:
    def __init__(self, llm: LLM, verifier: Verifier, store: KnowledgeStore,
                 review: KnowledgeReview | None = None) -> None:
        self.llm = llm
        self.review = review
        self.verifier = verifier
        self.store = store
        self.prompt = load_prompt("kb_explain")

    def explain(self, product: Product, context: str, persona: str = "", *, refresh: bool = False) -> Explanation:
        if not refresh:
            cached = self.store.explanation(product.id, context, persona)
            if cached is not None:
                return self._safe(product, cached)
        stored = self._from_link(product, context, persona)
        if stored is None:
            out = complete(self.llm, self.prompt, ExplanationOut, facts=product_facts(product),
                           context=context[:200], persona=(persona or "any shopper")[:200], max_tokens=90)
            verdict = self.verifier.verify(product, context, out.value.explanation)
            stored = Explanation(product_id=product.id, context=normalise(context), persona=persona,
                                 text=out.value.explanation, verifier_score=verdict.score, status=verdict.status,
                                 provenance=provenance(out))
        self.store.put_explanation(stored)
        if self.review is not None and stored.status == AssertionStatus.NEEDS_REVIEW:
            self.review.enqueue_explanation(stored, product_facts(product))
        return self._safe(product, stored)

    def _from_link(self, product: Product, context: str, persona: str) -> Explanation | None:
        """Offline head pairs: a verified intent link already explains (product, intent)."""
        if persona:
            return None
        key = self.store.resolve_intent(context)
        if key != normalise(context):
            return None
        for link in self.store.links(intent=key, limit=200):
            if link.product_id == product.id and link.status != AssertionStatus.REJECTED:
                return Explanation(product_id=product.id, context=key, text=link.explanation,
                                   verifier_score=link.verifier_score, status=link.status, provenance=link.provenance)
        return None

    @staticmethod
    def _safe(product: Product, e: Explanation) -> Explanation:
        if e.status != AssertionStatus.REJECTED:
            return e
        return e.model_copy(update={"text": fallback_text(product, e.context), "status": AssertionStatus.AUTO_APPROVED,
                                    "provenance": None})
