"""Grounding: turn a proposed *kind* of product ("herbal tea") into real catalog products.

The proposal's search query goes through the ProductSearcher; a hit is kept only if the product
exists in the catalog and its name or ingredients share the proposal's content words (so a search
engine's loose match on "tea" for "tea biscuits" cannot ground "herbal tea" on its own).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from shelfmind.knowledge.facts import content_tokens, head_noun, product_facts, tokens, type_overlap
from shelfmind.schemas import Product
from shelfmind.search.base import ProductSearcher


class ProductSource(Protocol):
    """Where product facts come from (CatalogStore satisfies it)."""

    def get_many(self, ids: Sequence[str]) -> dict[str, Product]: ...


class DictProducts:
    """A ProductSource over an in-memory mapping (tests, small catalogs)."""

    def __init__(self, products: Sequence[Product]) -> None:
        self.products = {p.id: p for p in products}

    def get_many(self, ids: Sequence[str]) -> dict[str, Product]:
        return {i: self.products[i] for i in ids if i in self.products}


@dataclass(frozen=True)
class Grounded:
    product: Product
    score: float  # 0..1: search rank and word overlap
    overlap: float
    evidence: str


class Grounder:
    def __init__(self, searcher: ProductSearcher, products: ProductSource, *, min_overlap: float = 0.5) -> None:
        self.searcher = searcher
        self.products = products
        self.min_overlap = min_overlap

    def ground(self, product_type: str, query: str = "", *, k: int = 3, exclude: Sequence[str] = ()) -> list[Grounded]:
        """Up to k catalog products for a proposed product type (empty if nothing matches)."""
        queries = [q for q in dict.fromkeys([query.strip(), product_type.strip()]) if q]
        seen: set[str] = set(exclude)
        hits: list[tuple[str, int]] = []
        for q in queries:
            for rank, h in enumerate(self.searcher.search(q, k=max(30, 5 * k))):
                if h.id not in seen:
                    seen.add(h.id)
                    hits.append((h.id, rank))
        if not hits:
            return []
        found = self.products.get_many([pid for pid, _ in hits])  # ids the searcher invented are dropped here
        wanted = product_type if content_tokens(product_type) else query
        out = []
        for pid, rank in hits:
            p = found.get(pid)
            if p is None or not p.in_stock:
                continue
            overlap = max(type_overlap(wanted, p), type_overlap(query, p) * 0.9 if query else 0.0)
            if overlap < self.min_overlap:
                continue
            name_bonus = 0.15 if set(content_tokens(wanted)) <= set(tokens(p.name)) else 0.0
            head_bonus = 0.25 if head_noun(p.name) in set(content_tokens(f"{wanted} {query}")) else 0.0
            score = min(1.0, 0.45 * overlap + 0.15 / (1 + rank) + name_bonus + head_bonus)
            out.append(Grounded(product=p, score=round(score, 4), overlap=overlap, evidence=product_facts(p)))
        out.sort(key=lambda g: (-g.score, g.product.id))
        return out[:k]

    def resolve(self, item: str) -> Product | None:
        """A product id, or the best-matching product for a name (used for carts)."""
        got = self.products.get_many([item])
        if item in got:
            return got[item]
        best = self.ground(item, item, k=1)
        return best[0].product if best else None
