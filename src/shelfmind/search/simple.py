"""A tiny in-memory keyword searcher over products: a test double for ProductSearcher, and a
fallback when no index has been built. Not for production traffic."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence

from shelfmind.schemas import Product
from shelfmind.search.base import Filter, FilterOp, SearchHit

_TOKEN = re.compile(r"[a-z0-9]+")


def _tokens(text: str) -> list[str]:
    return [t[:-1] if len(t) > 3 and t.endswith("s") else t for t in _TOKEN.findall(text.lower())]


def matches(product: Product, flt: Filter) -> bool:
    value = product.get(flt.field)
    if value is None:
        return flt.op == FilterOp.NE
    try:
        match flt.op:
            case FilterOp.EQ:
                return str(value).lower() == str(flt.value).lower()
            case FilterOp.NE:
                return str(value).lower() != str(flt.value).lower()
            case FilterOp.IN:
                return str(value).lower() in {str(v).lower() for v in flt.value}
            case FilterOp.LT:
                return float(value) < float(flt.value)
            case FilterOp.LE:
                return float(value) <= float(flt.value)
            case FilterOp.GT:
                return float(value) > float(flt.value)
            case FilterOp.GE:
                return float(value) >= float(flt.value)
            case FilterOp.CONTAINS:
                return str(flt.value).lower() in {str(v).lower() for v in value}
    except (TypeError, ValueError):
        return False
    return False


class KeywordSearcher:
    def __init__(self, products: Iterable[Product]) -> None:
        self.products = {p.id: p for p in products}
        self._docs = {pid: Counter(_tokens(f"{p.name} {p.text or ''}")) for pid, p in self.products.items()}
        df: Counter[str] = Counter()
        for counts in self._docs.values():
            df.update(counts.keys())
        n = max(1, len(self._docs))
        self._idf = {t: math.log(1 + n / c) for t, c in df.items()}

    def search(self, query: str, *, k: int = 10, filters: Sequence[Filter] = ()) -> list[SearchHit]:
        q = _tokens(query)
        hits = []
        for pid, counts in self._docs.items():
            p = self.products[pid]
            if not p.in_stock or not all(matches(p, f) for f in filters):
                continue
            score = sum(self._idf.get(t, 0.0) * (1 + math.log(counts[t])) for t in q if counts.get(t))
            if score > 0:
                hits.append(SearchHit(id=pid, score=score, name=p.name))
        hits.sort(key=lambda h: (-h.score, h.id))
        return hits[:k]
