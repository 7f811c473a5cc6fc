"""Query spelling correction against the index's own vocabulary (no dictionary, no model).

A query word that never occurs in the catalog ("toliet", "sheetrockk") is matched to the most
frequent catalog word within a small edit distance (1 for short words, 2 for longer ones) that
starts with the same letter. Corrections are *added* to the query (OR semantics in BM25), so a
wrong guess costs little. Built at index time and saved next to the index (`vocab.json`).
"""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from rapidfuzz.distance import Levenshtein

from shelfmind.store.atomic import atomic_write_text

VOCAB_NAME = "vocab.json"
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
MIN_DF = 2


class SpellCorrector:
    def __init__(self, df: dict[str, int]) -> None:
        self.df = df
        self._by_key: dict[tuple[str, int], list[str]] = {}
        for word in sorted(df, key=lambda w: -df[w]):
            if df[word] >= MIN_DF and len(word) >= 3:
                self._by_key.setdefault((word[0], len(word)), []).append(word)
        self._memo: dict[str, str | None] = {}

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> SpellCorrector:
        df: Counter[str] = Counter()
        for text in texts:
            df.update(set(_WORD.findall(text.lower())))
        return cls(dict(df))

    @classmethod
    def load(cls, index_dir: Path) -> SpellCorrector | None:
        path = index_dir / VOCAB_NAME
        if not path.exists():
            return None
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def save(self, index_dir: Path) -> None:
        atomic_write_text(index_dir / VOCAB_NAME, json.dumps(self.df, ensure_ascii=False, separators=(",", ":")))

    def correct_word(self, word: str) -> str | None:
        """The catalog word meant by an out-of-vocabulary word, or None."""
        if word in self._memo:
            return self._memo[word]
        best: str | None = None
        if len(word) >= 4 and word not in self.df:
            max_d = 1 if len(word) <= 5 else 2
            best_key: tuple[int, int] | None = None
            for length in range(len(word) - max_d, len(word) + max_d + 1):
                for cand in self._by_key.get((word[0], length), ()):
                    d = Levenshtein.distance(word, cand, score_cutoff=max_d)
                    if d <= max_d:
                        key = (d, -self.df[cand])
                        if best_key is None or key < best_key:
                            best, best_key = cand, key
        if len(self._memo) < 100_000:
            self._memo[word] = best
        return best

    def split_word(self, word: str) -> str | None:
        """An unknown compound as two catalog words ("deckover" -> "deck over")."""
        if len(word) < 6 or word in self.df:
            return None
        best, best_df = None, 0
        for i in range(3, len(word) - 2):
            a, b = word[:i], word[i:]
            df = min(self.df.get(a, 0), self.df.get(b, 0))
            if df >= MIN_DF and df > best_df:
                best, best_df = f"{a} {b}", df
        return best

    def corrections(self, query: str) -> dict[str, str]:
        """Unknown word -> catalog word(s); adjacent words whose concatenation is a catalog word
        ("sheet rock" -> "sheetrock") are added too."""
        out = {}
        words = _WORD.findall(query.lower())
        for word in words:
            fixed = self.correct_word(word) or self.split_word(word)
            if fixed:
                out[word] = fixed
        for a, b in itertools.pairwise(words):
            joined = a + b
            if len(a) >= 2 and len(b) >= 2 and self.df.get(joined, 0) >= MIN_DF:
                out[f"{a} {b}"] = joined
        return out

    def expand(self, query: str) -> str:
        """The query with each correction appended (the original words stay)."""
        fixes = self.corrections(query)
        return f"{query} {' '.join(fixes.values())}" if fixes else query
