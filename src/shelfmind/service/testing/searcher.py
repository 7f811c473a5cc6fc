"""An inverted-index keyword searcher: the same scoring idea as `search.simple.KeywordSearcher`, but it
only scores products that share a term with the query, so the service's load benchmark over the
doubles measures the service rather than a full scan."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from shelfmind.schemas import Product
from shelfmind.search.base import Filter, SearchHit
from shelfmind.search.simple import matches

_TOKEN = re.compile(r"[a-z0-9]+")


def tokens(text: str) -> list[str]:
    return [t[:-1] if len(t) > 3 and t.endswith("s") else t for t in _TOKEN.findall(text.lower())]


class IndexedKeywordSearcher:
    def __init__(self, products: Iterable[Product]) -> None:
        self.products = {p.id: p for p in products}
        self._postings: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for pid, p in self.products.items():
            name = Counter(tokens(p.name))
            for term, n in Counter(tokens(f"{p.name} {p.text or ''}")).items():
                # a term in the name counts double: "spaghetti" should rank spaghetti above its sauces
                self._postings[term].append((pid, (1 + math.log(n)) * (2.0 if term in name else 1.0)))
        n_docs = max(1, len(self.products))
        self._idf = {t: math.log(1 + n_docs / len(ps)) for t, ps in self._postings.items()}

    def search(self, query: str, *, k: int = 10, filters: Sequence[Filter] = ()) -> list[SearchHit]:
        scores: dict[str, float] = defaultdict(float)
        for term in set(tokens(query)):
            idf = self._idf.get(term, 0.0)
            for pid, tf in self._postings.get(term, ()):
                scores[pid] += idf * tf
        hits = []
        for pid, score in scores.items():
            p = self.products[pid]
            if p.in_stock and all(matches(p, f) for f in filters):
                hits.append(SearchHit(id=pid, score=score, name=p.name))
        hits.sort(key=lambda h: (-h.score, h.id))
        return hits[:k]
