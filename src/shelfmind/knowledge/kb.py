"""KnowledgeBase: the object `build_knowledge(rt)` returns. It serves the `KnowledgeLookup`
protocol from the store and offers the build, review, recipe, explanation and retrieval-text APIs.
Components that need the LLM or the searcher are made on first use, so lookups never load a model.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from functools import cached_property
from pathlib import Path

from shelfmind.knowledge.builder import KnowledgeBuilder
from shelfmind.knowledge.cooccurrence import IngredientStats
from shelfmind.knowledge.explain import Explainer
from shelfmind.knowledge.grounding import Grounder, ProductSource
from shelfmind.knowledge.models import Explanation, Recipe
from shelfmind.knowledge.planner import EngagementLog
from shelfmind.knowledge.recipes import RecipeMaker, recipe_key
from shelfmind.knowledge.review import KnowledgeReview
from shelfmind.knowledge.store import KnowledgeStore
from shelfmind.knowledge.verifier import Verifier
from shelfmind.llm.base import LLM
from shelfmind.review.queue import ReviewQueue
from shelfmind.schemas import IntentLink, Relation, RelationKind, Theme
from shelfmind.search.base import ProductSearcher


class KnowledgeBase:
    def __init__(
        self,
        store: KnowledgeStore,
        *,
        products: ProductSource,
        llm: LLM | Callable[[], LLM] | None = None,
        searcher: ProductSearcher | Callable[[], ProductSearcher] | None = None,
        review: ReviewQueue | None = None,
        stats: IngredientStats | None = None,
        engagement: EngagementLog | None = None,
    ) -> None:
        self.store = store
        self.products = products
        self._llm = llm
        self._searcher = searcher
        self.stats = stats
        self.engagement = engagement
        self.review = KnowledgeReview(store, review)
        self.review.register()

    # ---- lazily made parts -------------------------------------------------------------------
    @cached_property
    def llm(self) -> LLM:
        if self._llm is None:
            from shelfmind.errors import UserError

            raise UserError("this knowledge base has no LLM configured")
        return self._llm() if callable(self._llm) and not hasattr(self._llm, "chat") else self._llm  # type: ignore[return-value]

    @cached_property
    def searcher(self) -> ProductSearcher:
        if self._searcher is None:
            from shelfmind.errors import UserError

            raise UserError("this knowledge base has no product searcher configured")
        s = self._searcher
        return s() if callable(s) and not hasattr(s, "search") else s  # type: ignore[return-value]

    @cached_property
    def grounder(self) -> Grounder:
        return Grounder(self.searcher, self.products)

    @cached_property
    def verifier(self) -> Verifier:
        return Verifier(self.llm)

    def builder(self, *, products_per_kind: int = 2, relations_per_intent: int = 1,
                domain: str = "grocery", verifier: Verifier | None = None,
                max_theme_size: int = 6) -> KnowledgeBuilder:
        return KnowledgeBuilder(self.llm, self.grounder, self.store, verifier=verifier or self.verifier,
                                review=self.review,
                                engagement=self.engagement, products_per_kind=products_per_kind,
                                relations_per_intent=relations_per_intent, domain=domain,
                                max_theme_size=max_theme_size)

    # ---- KnowledgeLookup ---------------------------------------------------------------------
    def themes_for(self, query: str, *, limit: int = 6) -> list[Theme]:
        return self.store.themes_for(query, limit=limit)

    def intent_products(self, intent: str, *, limit: int = 50) -> list[IntentLink]:
        return self.store.intent_products(intent, limit=limit)

    def relations(self, product_id: str, kinds: Sequence[RelationKind] = (), *, limit: int = 20) -> list[Relation]:
        return self.store.relations(product_id, kinds, limit=limit)

    def intents_of_product(self, product_id: str, *, limit: int = 10) -> list[str]:
        return self.store.intents_of_product(product_id, limit=limit)

    # ---- knowledge back into retrieval -------------------------------------------------------
    def product_text_addendum(self, product_id: str) -> str:
        """What the KB knows about a product, as text the search index can append."""
        return self.extra_text().get(product_id, "")

    def extra_text(self, *, include_review: bool = False) -> dict[str, str]:
        """product id -> addendum for every product the KB serves (served links, themes, relations).
        `include_review` also uses links waiting for review (experiments built without the LLM judge)."""
        intents: dict[str, list[str]] = {}
        uses: dict[str, list[str]] = {}
        wanted = ("approved", "auto_approved", "needs_review") if include_review else ("approved", "auto_approved")
        for link in self.store.links(limit=10_000_000):
            if link.status.value in wanted:
                rec = self.store.intent(link.intent)
                intents.setdefault(link.product_id, []).append(rec.text if rec else link.intent)
                if link.product_type:
                    uses.setdefault(link.product_id, []).append(link.product_type)
        themes: dict[str, list[str]] = {}
        for rec in self.store.intents(state="done"):
            served = {x.product_id for x in self.store.links(intent=rec.key, limit=1000) if x.status.value in wanted}
            for theme in self.store.themes_for(rec.key, limit=20):
                for pid in theme.product_ids:
                    if pid in served:
                        themes.setdefault(pid, []).append(theme.name)
        out: dict[str, str] = {}
        for pid in set(intents) | set(themes):
            parts = []
            if intents.get(pid):
                parts.append("Good for: " + ", ".join(dict.fromkeys(intents[pid])))
            if themes.get(pid):
                parts.append("Themes: " + ", ".join(dict.fromkeys(themes[pid])))
            if uses.get(pid):
                parts.append("Used as: " + ", ".join(dict.fromkeys(uses[pid])))
            out[pid] = ". ".join(parts) + "."
        return out

    # ---- recipes and explanations ------------------------------------------------------------
    @cached_property
    def recipes(self) -> RecipeMaker:
        return RecipeMaker(self.llm, self.grounder, stats=self.stats)

    def recipe_from_cart(self, items: Sequence[str]) -> Recipe:
        recipe = self.recipes.from_cart(items)
        self.store.put_recipe(recipe_key("cart", recipe.basis), recipe)
        return recipe

    def recipe_from_interest(self, interest: str) -> Recipe:
        recipe = self.recipes.from_interest(interest)
        self.store.put_recipe(recipe_key("interest", [interest]), recipe)
        return recipe

    @cached_property
    def explainer(self) -> Explainer:
        return Explainer(self.llm, self.verifier, self.store, self.review)

    def explain(self, product_id: str, context: str, persona: str = "") -> Explanation:
        from shelfmind.errors import NotFound

        product = self.products.get_many([product_id]).get(product_id)
        if product is None:
            raise NotFound(f"no product with id {product_id!r}")
        return self.explainer.explain(product, context, persona)

    # ---- export / import ---------------------------------------------------------------------
    def export_jsonl(self, path: Path | str) -> int:
        return self.store.export_jsonl(path)

    def import_jsonl(self, path: Path | str) -> int:
        return self.store.import_jsonl(path)

    def summary(self) -> dict[str, object]:
        return {"counts": self.store.counts(), "statuses": self.store.status_counts(),
                "manifest": json.loads(json.dumps(self.store.manifest(), default=str))}
