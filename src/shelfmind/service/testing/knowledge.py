"""An in-memory double of the knowledge base (KnowledgeLookup + recipes), and review-queue seeding
whose decisions flow back into the catalog and the double."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shelfmind.catalog.store import CatalogStore
from shelfmind.review.queue import ReviewItem, ReviewKind, ReviewQueue, ReviewStatus
from shelfmind.schemas import AssertionStatus, IntentLink, Product, Relation, RelationKind, Theme
from shelfmind.search.base import ProductSearcher
from shelfmind.service.testing.rules import category

# category -> (relation kind, search query, explanation)
_RELATED: dict[str, list[tuple[RelationKind, str, str]]] = {
    "Pasta & grains": [(RelationKind.COMPLEMENT, "pasta sauce", "A sauce to go with it"),
                       (RelationKind.COMPLEMENT, "parmesan", "Grated on top"),
                       (RelationKind.PAIRING, "red wine", "A classic with Italian food")],
    "Sauces & seasonings": [(RelationKind.COMPLEMENT, "spaghetti", "Something to pour it over")],
    "Snacks & sweets": [(RelationKind.COMPLEMENT, "salsa", "For dipping"),
                        (RelationKind.PAIRING, "soda", "A drink for snack time")],
    "Cheese & dairy": [(RelationKind.COMPLEMENT, "crackers", "Serve on crackers"),
                       (RelationKind.PAIRING, "wine", "Cheese and wine")],
    "Meat & fish": [(RelationKind.COMPLEMENT, "seasoning", "Season before cooking"),
                    (RelationKind.COMPLEMENT, "rice", "A side dish")],
    "Drinks": [(RelationKind.PAIRING, "chips", "Something to nibble with it")],
    "Bakery & breakfast": [(RelationKind.COMPLEMENT, "jam", "Spread on top"),
                           (RelationKind.COMPLEMENT, "milk", "Pour over")],
}
_RECIPES = [
    # (name, trigger category, [(ingredient, search query)], steps)
    ("Spaghetti al pomodoro", "Pasta & grains",
     [("pasta", ""), ("tomato sauce", "tomato sauce"), ("parmesan", "parmesan"), ("olive oil", "olive oil")],
     ["Boil the pasta in salted water.", "Warm the sauce with a little olive oil.",
      "Toss the pasta in the sauce and finish with parmesan."]),
    ("Nachos night", "Snacks & sweets",
     [("tortilla chips", ""), ("salsa", "salsa"), ("cheddar", "cheddar cheese")],
     ["Spread the chips on a tray.", "Top with cheddar and bake for 5 minutes.", "Serve with salsa."]),
    ("Breakfast bowl", "Bakery & breakfast",
     [("granola", ""), ("yogurt", "yogurt"), ("honey", "honey")],
     ["Spoon yogurt into a bowl.", "Add granola.", "Drizzle with honey."]),
]


class InMemoryKnowledge:
    """Relations and recipes from category rules over the keyword searcher."""

    def __init__(self, searcher: ProductSearcher, catalog: CatalogStore) -> None:
        self.searcher, self.catalog = searcher, catalog
        self.approved: list[IntentLink] = []

    def _first(self, query: str, exclude: set[str], n: int = 2) -> list[str]:
        return [h.id for h in self.searcher.search(query, k=n + len(exclude)) if h.id not in exclude][:n]

    def themes_for(self, query: str, *, limit: int = 6) -> list[Theme]:
        links = self.intent_products(query)
        if not links:
            return []
        return [Theme(name=f"Picked for “{query}”", explanation="Reviewed by our merchandisers",
                      product_ids=[link.product_id for link in links], source="review")][:limit]

    def intent_products(self, intent: str, *, limit: int = 50) -> list[IntentLink]:
        key = intent.strip().lower()
        return [link for link in self.approved if link.intent.lower() == key][:limit]

    def relations(self, product_id: str, kinds: Sequence[RelationKind] = (), *, limit: int = 20) -> list[Relation]:
        p = self.catalog.get(product_id)
        out: list[Relation] = []
        seen = {product_id}
        for kind, query, why in _RELATED.get(category(p)[0], []):
            for dst in self._first(query, seen):
                seen.add(dst)
                out.append(Relation(kind=kind, src_id=product_id, dst_id=dst, explanation=why, score=0.8,
                                    status=AssertionStatus.AUTO_APPROVED))
        head = " ".join(p.name.split()[-2:])
        for dst in self._first(head, seen, n=3):
            out.append(Relation(kind=RelationKind.SUBSTITUTE, src_id=product_id, dst_id=dst,
                                explanation="A similar product if this one is out of stock", score=0.6,
                                status=AssertionStatus.AUTO_APPROVED))
        return [r for r in out if not kinds or r.kind in kinds][:limit]

    def intents_of_product(self, product_id: str, *, limit: int = 10) -> list[str]:
        name = category(self.catalog.get(product_id))[0]
        return [f"{name.lower()} shopping"][:limit]

    def recipe_for_cart(self, products: Sequence[Product]) -> dict[str, Any] | None:
        cats = {category(p)[0]: p for p in products}
        for name, trigger, ingredients, steps in _RECIPES:
            if trigger not in cats:
                continue
            main = cats[trigger]
            cart = {p.id for p in products}
            out: list[dict[str, str | None]] = [{"name": ingredients[0][0], "product_id": main.id}]
            for ing, query in ingredients[1:]:
                hits = self._first(query, set(), n=1)
                in_cart = next((p.id for p in products if query.split()[0] in p.name.lower()), None)
                out.append({"name": ing, "product_id": in_cart or (hits[0] if hits else None)})
            return {"name": name, "explanation": f"Uses the {main.name} in your cart",
                    "ingredients": out, "steps": steps, "cart": sorted(cart)}
        return None

    def apply(self, item: ReviewItem) -> None:
        """Decision handler for knowledge assertions: an approved link becomes part of the base."""
        if item.status in (ReviewStatus.APPROVED, ReviewStatus.EDITED):
            value = item.decided_value or {}
            self.approved.append(IntentLink(intent=value["intent"], product_id=value["product_id"],
                                            explanation=value.get("explanation", ""), evidence=item.evidence,
                                            status=AssertionStatus.APPROVED))


def seed_review(queue: ReviewQueue, catalog: CatalogStore, knowledge: InMemoryKnowledge, searcher: ProductSearcher) -> None:
    """A few pending items of each kind, with handlers that write decisions back."""

    def apply_attribute(item: ReviewItem) -> None:
        if item.status in (ReviewStatus.APPROVED, ReviewStatus.EDITED):
            pid, attr = item.ref.removeprefix("product:").split("/attr:")
            product = catalog.get(pid)
            catalog.set_attributes(pid, {**product.attributes, attr: item.decided_value})

    queue.on_decision(ReviewKind.ATTRIBUTE, apply_attribute)
    queue.on_decision(ReviewKind.ASSERTION, knowledge.apply)
    for i, (query, attr, value) in enumerate([("mango smoothie", "flavor", "mango"), ("spaghetti", "pasta_shape", "long"),
                                              ("peanut butter", "allergens", ["peanuts"]), ("salsa", "spice_level", "medium")]):
        hits = searcher.search(query, k=1)
        if not hits:
            continue
        p = catalog.get(hits[0].id)
        queue.add(kind=ReviewKind.ATTRIBUTE, ref=f"product:{p.id}/attr:{attr}", subject=p.name, value=value,
                  evidence=str(p.fields.get("ingredients") or p.name)[:300], confidence=0.35 + 0.1 * i,
                  reason=f"low confidence {0.35 + 0.1 * i:.2f}",
                  provenance={"model": "fake", "prompt": "enrich_attributes@1", "inputs_hash": f"seed{i}"})
    for i, (intent, query, why) in enumerate([("movie night", "popcorn", "Popcorn is the classic movie snack"),
                                              ("pasta night", "spaghetti", "The base of a pasta dinner"),
                                              ("movie night", "soda", "Something to drink during the film")]):
        hits = searcher.search(query, k=1)
        if not hits:
            continue
        p = catalog.get(hits[0].id)
        queue.add(kind=ReviewKind.ASSERTION, ref=f"intent:{intent}/product:{p.id}", subject=f"{intent} → {p.name}",
                  value={"intent": intent, "product_id": p.id, "explanation": why},
                  evidence=f"{p.name}: {str(p.fields.get('ingredients') or '')[:200]}", confidence=0.4 + 0.05 * i,
                  reason="verifier unsure", provenance={"model": "fake", "prompt": "knowledge_intents@1",
                                                        "inputs_hash": f"kb{i}"})
