"""Few-shot demonstrations retrieved from labelled examples: a dataset's training split (WDC-PAVE)
and approved / edited review decisions. Retrieval is idf-weighted token overlap within the same
category (cheap, deterministic, no embedder needed); the items being scored are never retrieved."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel, Field

from shelfmind.review.queue import ReviewItem

_TOKEN = re.compile(r"[a-z0-9]+")


class Demo(BaseModel):
    id: str
    category: str
    text: str
    values: dict[str, Any] = Field(default_factory=dict)  # attribute -> value (None = not stated)
    source: str = "dataset"  # "dataset" or "review"


def _tokens(text: str) -> set[str]:
    return {t for t in _TOKEN.findall(text.lower()) if len(t) > 1}


class DemoPool:
    def __init__(self, demos: Iterable[Demo] = ()) -> None:
        self._demos: list[Demo] = []
        self._tokens: list[set[str]] = []
        self._df: Counter[str] = Counter()
        self.add(demos)

    def __len__(self) -> int:
        return len(self._demos)

    def add(self, demos: Iterable[Demo]) -> None:
        for d in demos:
            toks = _tokens(d.text)
            self._demos.append(d)
            self._tokens.append(toks)
            self._df.update(toks)

    @property
    def demos(self) -> list[Demo]:
        return list(self._demos)

    def retrieve(self, category: str, text: str, k: int = 2, *, exclude: Sequence[str] = (),
                 max_chars: int = 600) -> list[Demo]:
        if k <= 0 or not self._demos:
            return []
        query = _tokens(text)
        n = len(self._demos)
        skip = set(exclude)
        scored: list[tuple[float, int]] = []
        for i, (d, toks) in enumerate(zip(self._demos, self._tokens, strict=True)):
            if d.id in skip or d.category.lower() != category.lower() or len(d.text) > max_chars * 3:
                continue
            shared = query & toks
            score = sum(math.log(1 + n / self._df[t]) for t in shared) / math.sqrt(1 + len(toks))
            scored.append((score, i))
        scored.sort(key=lambda s: (-s[0], s[1]))
        return [self._demos[i] for _, i in scored[:k]]

    def fixed(self, category: str, k: int = 2, *, exclude: Sequence[str] = (), max_chars: int = 600,
              coverage: bool = False) -> list[Demo]:
        """The same k demonstrations for every product of a category (the most informative short
        ones; with `coverage`, chosen so that together they show every attribute), so the prompt
        prefix stays identical and the model server reuses its KV cache."""
        skip = set(exclude)
        cands = [d for d in self._demos if d.category.lower() == category.lower() and d.id not in skip
                 and len(d.text) <= max_chars]
        cands.sort(key=lambda d: (-sum(v is not None for v in d.values.values()), len(d.text), d.id))
        if not coverage:
            return cands[:k]
        # greedy: each next demonstration shows the attributes the chosen ones show least (every
        # attribute answered at least once before any is shown twice), richer and shorter first
        shown: Counter[str] = Counter()
        chosen: list[Demo] = []
        for _ in range(min(k, len(cands))):
            best = min((d for d in cands if d not in chosen), key=lambda d: (
                -sum(1 / (1 + shown[a]) for a, v in d.values.items() if v is not None), len(d.text), d.id))
            chosen.append(best)
            shown.update(a for a, v in best.values.items() if v is not None)
        return chosen

    def example_values(self, category: str, attribute: str, n: int = 4) -> list[str]:
        """The most frequent labelled values of an attribute (for schema descriptions)."""
        counts: Counter[str] = Counter()
        for d in self._demos:
            if d.category.lower() == category.lower():
                v = d.values.get(attribute)
                if isinstance(v, str) and v:
                    counts[v] += 1
        return [v for v, _ in counts.most_common(n)]


def demos_from_review(items: Iterable[ReviewItem]) -> list[Demo]:
    """Approved/edited ATTRIBUTE decisions grouped per product (the producer stores the product
    text and category in the item's provenance)."""
    grouped: dict[str, Demo] = {}
    values: dict[str, dict[str, Any]] = defaultdict(dict)
    for item in items:
        prov = item.provenance or {}
        pid = str(prov.get("product_id") or item.ref.split("/")[0])
        attr = prov.get("attribute") or item.ref.rsplit(":", 1)[-1]
        text = prov.get("text")
        if not text:
            continue
        grouped.setdefault(pid, Demo(id=pid, category=str(prov.get("category") or ""), text=str(text), source="review"))
        values[pid][str(attr)] = item.decided_value
    return [d.model_copy(update={"values": values[pid]}) for pid, d in grouped.items()]
