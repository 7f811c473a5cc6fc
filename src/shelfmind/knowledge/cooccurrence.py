"""Ingredient co-occurrence knowledge, built at build time from a recipe collection such as
What's Cooking (JSON list of {"cuisine", "ingredients"}; development data, never shipped).

Only derived statistics are kept (top neighbours by lift), saved as a JSON artifact under
SHELFMIND_HOME. Everything that uses them works without them.
"""

from __future__ import annotations

import gzip
import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import combinations
from pathlib import Path

from shelfmind.errors import DataError
from shelfmind.knowledge.facts import tokens
from shelfmind.store.atomic import atomic_write_text


def _norm(ingredient: str) -> str:
    return " ".join(tokens(ingredient))


class IngredientStats:
    def __init__(self, neighbours: dict[str, list[tuple[str, float]]], counts: dict[str, int], recipes: int) -> None:
        self.neighbours = neighbours
        self.counts = counts
        self.recipes = recipes

    @classmethod
    def from_recipes(cls, recipes: Iterable[Sequence[str]], *, min_count: int = 8, top: int = 25) -> IngredientStats:
        single: Counter[str] = Counter()
        pairs: Counter[tuple[str, str]] = Counter()
        n = 0
        for ingredients in recipes:
            items = sorted({_norm(i) for i in ingredients if i})
            n += 1
            single.update(items)
            pairs.update(combinations(items, 2))
        neigh: dict[str, list[tuple[str, float]]] = {}
        for (a, b), c in pairs.items():
            if c < min_count:
                continue
            lift = math.log(c * n / (single[a] * single[b]))
            if lift <= 0:
                continue
            weight = round(lift * math.log1p(c), 3)
            neigh.setdefault(a, []).append((b, weight))
            neigh.setdefault(b, []).append((a, weight))
        for k in neigh:
            neigh[k] = sorted(neigh[k], key=lambda x: -x[1])[:top]
        counts = {k: v for k, v in single.items() if v >= min_count}
        return cls(neigh, counts, n)

    @classmethod
    def from_whats_cooking(cls, path: Path | str) -> IngredientStats:
        path = Path(path)
        opener = gzip.open if path.suffix == ".gz" else open
        try:
            with opener(path, "rt", encoding="utf-8") as fh:
                data = json.load(fh)
        except (OSError, json.JSONDecodeError) as exc:
            raise DataError(f"cannot read recipes: {exc}", file=str(path)) from exc
        if not isinstance(data, list):
            raise DataError("expected a JSON list of recipes", file=str(path))
        return cls.from_recipes(r.get("ingredients", []) for r in data if isinstance(r, dict))

    def save(self, path: Path | str) -> Path:
        body = {"recipes": self.recipes, "counts": self.counts, "neighbours": self.neighbours}
        return atomic_write_text(path, json.dumps(body))

    @classmethod
    def load(cls, path: Path | str) -> IngredientStats | None:
        path = Path(path)
        if not path.exists():
            return None
        body = json.loads(path.read_text(encoding="utf-8"))
        neigh = {k: [(a, float(w)) for a, w in v] for k, v in body["neighbours"].items()}
        return cls(neigh, body["counts"], body["recipes"])

    def _key(self, ingredient: str) -> str | None:
        key = _norm(ingredient)
        if key in self.counts:
            return key
        words = key.split()
        for size in range(len(words) - 1, 0, -1):  # "fresh salmon fillets" -> "salmon fillet" -> "salmon"
            for i in range(len(words) - size + 1):
                cand = " ".join(words[i : i + size])
                if cand in self.counts:
                    return cand
        return None

    def suggest(self, ingredients: Sequence[str], *, k: int = 3) -> list[str]:
        """Ingredients that often go with these ones but are missing from the list."""
        keys = [key for key in (self._key(i) for i in ingredients) if key]
        have = set(keys) | {_norm(i) for i in ingredients}
        scores: dict[str, tuple[int, float]] = {}  # candidate -> (list items it goes with, weight)
        for key in keys:
            for other, w in self.neighbours.get(key, []):
                if other not in have and not other.endswith(tuple(have)):
                    hits, total = scores.get(other, (0, 0.0))
                    scores[other] = (hits + 1, total + w)
        ranked = sorted(scores.items(), key=lambda x: (-x[1][0], -x[1][1], x[0]))
        return [name for name, _ in ranked[:k]]

    def support(self, ingredients: Sequence[str]) -> float:
        """Share of known ingredient pairs in the list that recipes use together (0..1)."""
        keys = sorted({key for key in (self._key(i) for i in ingredients) if key})
        pairs = list(combinations(keys, 2))
        if not pairs:
            return 0.0
        hits = sum(1 for a, b in pairs if any(o == b for o, _ in self.neighbours.get(a, [])))
        return hits / len(pairs)
