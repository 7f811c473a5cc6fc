"""The query-understanding fast path: rules + value dictionaries learned from the catalog itself.

No LLM: it runs in well under a millisecond. It knows
- price phrases ("under $5", "less than 5 dollars", "over $20", "$10-$20", "between 10 and 20 dollars",
  a bare "$30" meaning about 30),
- years (a 4-digit year when the catalog has a numeric field named like year/vintage),
- numbers with the unit of a numeric field ("12 oz" when a field's unit is oz),
- boolean fields by name ("organic", "gluten free", "is_healthy" -> "healthy"),
- categorical/list values that occur in the catalog ("california", a brand name), longest match first.
Matched phrases are removed from the head term unless that would leave it empty.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shelfmind.search.base import Filter, FilterOp
from shelfmind.search.manifest import ColumnKind, FilterColumn, IndexManifest
from shelfmind.search.query import ParseSource, QueryParse

_NUM = r"\$?\s*(\d+(?:\.\d+)?)\s*(?:dollars?|bucks|usd|\$)?"
_PRICE_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"\bbetween\s+{_NUM}\s+(?:and|to)\s+{_NUM}", re.I), "range"),
    (re.compile(r"\$\s*(\d+(?:\.\d+)?)\s*(?:-|to)\s*\$?\s*(\d+(?:\.\d+)?)", re.I), "range"),
    (re.compile(rf"(?:\b(?:under|below|less than|cheaper than|max(?:imum)?|up to|at most|no more than)|<=?)\s*{_NUM}",
                re.I), "le"),
    (re.compile(rf"(?:\b(?:over|above|more than|at least|min(?:imum)?)|>=?)\s*{_NUM}", re.I), "ge"),
    (re.compile(r"(?:\$\s*(\d+(?:\.\d+)?)|\b(\d+(?:\.\d+)?)\s*(?:dollars?|bucks|usd)\b)", re.I), "about"),
]
_VAGUE_PRICE = re.compile(r"\b(?:cheap|cheapest|affordable|inexpensive|budget)\b")
_YEAR = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")
_STOP = {"a", "an", "and", "the", "for", "with", "of", "in", "on", "to", "or", "by", "from", "at", "no",
         "free", "new", "best", "good", "set", "pack", "size", "one", "all", "other", "more", "less"}
_SPACE = re.compile(r"\s+")
TYPE_LIKE = 0.3
_PUNCT = re.compile(r"[^\w\s$.\-]")


@dataclass(frozen=True)
class _Phrase:
    column: FilterColumn
    value: str


class FastParser:
    """Built once per index manifest (value dictionaries come from the manifest's columns)."""

    def __init__(self, manifest: IndexManifest | None, *, max_ngram: int = 4) -> None:
        self.columns = manifest.columns if manifest else []
        self.max_ngram = max_ngram
        self.price = next((c for c in self.columns if c.name == "price" and c.max is not None), None)
        self.year = next((c for c in self.columns if c.kind == ColumnKind.NUMERIC
                          and re.search(r"year|vintage", c.name, re.I)), None)
        self.booleans: dict[str, FilterColumn] = {}
        for c in self.columns:
            if c.kind == ColumnKind.BOOLEAN:
                base = re.sub(r"^(is|has|contains)_", "", c.name.lower())
                for phrase in {base.replace("_", " "), base.replace("_", "-"), base.replace("_", "")}:
                    self.booleans[phrase] = c
        self.units: dict[str, FilterColumn] = {}
        for c in self.columns:
            if c.kind == ColumnKind.NUMERIC and c.unit and c.name != "price":
                unit = re.split(r"[/\s]", c.unit.strip().lower())[0]
                if unit and unit not in {"g", "%"}:
                    self.units.setdefault(unit, c)
        self.values: dict[str, _Phrase] = {}
        for c in self.columns:
            # type-like columns (values usually in the product name: category, tags) stay in the head
            if c.kind in (ColumnKind.CATEGORICAL, ColumnKind.LIST) and c.in_name < TYPE_LIKE:
                for v in c.values:
                    key = _SPACE.sub(" ", _PUNCT.sub(" ", v.lower())).strip()
                    if len(key) >= 3 and key not in _STOP and len(key.split()) <= max_ngram:
                        self.values.setdefault(key, _Phrase(c, v))

    def parse(self, query: str) -> QueryParse:
        text = _SPACE.sub(" ", query.strip())
        filters: list[Filter] = []
        spans: list[tuple[int, int]] = []
        if self.price is not None:
            for pattern, kind in _PRICE_RULES:
                m = pattern.search(text)
                if m and not _overlaps(spans, m.span()):
                    nums = [float(g) for g in m.groups() if g]
                    filters += _price_filters(kind, nums)
                    spans.append(m.span())
                    break
        if self.year is not None:
            for m in _YEAR.finditer(text):
                if not _overlaps(spans, m.span()):
                    filters.append(Filter(field=self.year.name, op=FilterOp.EQ, value=int(m.group(1))))
                    spans.append(m.span())
                    break
        for unit, col in self.units.items():
            m = re.search(rf"\b(\d+(?:\.\d+)?)\s*{re.escape(unit)}\b", text, re.I)
            if m and not _overlaps(spans, m.span()):
                filters.append(Filter(field=col.name, op=FilterOp.EQ, value=float(m.group(1))))
                spans.append(m.span())
        lowered = text.lower()
        for m in _VAGUE_PRICE.finditer(lowered):  # "cheap" says nothing a filter can hold: not the product
            if not _overlaps(spans, m.span()):
                spans.append(m.span())
        for phrase, col in sorted(self.booleans.items(), key=lambda kv: -len(kv[0])):
            for m in re.finditer(rf"\b{re.escape(phrase)}\b", lowered):
                if not _overlaps(spans, m.span()) and all(f.field != col.name for f in filters):
                    filters.append(Filter(field=col.name, op=FilterOp.EQ, value=True))
                    spans.append(m.span())
        value_spans: list[tuple[int, int]] = []
        value_filters = self._values(lowered, [*spans], value_spans)
        head = _remove(text, spans + value_spans)
        if head:
            filters += value_filters
        else:  # the catalog value is what is searched for ("pasta"): keep it as the head, not a filter
            head = _remove(text, spans) or text
        return QueryParse(query=query, head=head, filters=filters, source=ParseSource.FAST)

    def _values(self, lowered: str, spans: list[tuple[int, int]], found: list[tuple[int, int]]) -> list[Filter]:
        if not self.values:
            return []
        out: list[Filter] = []
        words = [(m.group(0), m.start(), m.end()) for m in re.finditer(r"[\w'&.-]+", lowered)]
        used_cols: set[str] = set()
        i = 0
        while i < len(words):
            for n in range(min(self.max_ngram, len(words) - i), 0, -1):
                start, end = words[i][1], words[i + n - 1][2]
                key = _SPACE.sub(" ", _PUNCT.sub(" ", lowered[start:end])).strip()
                phrase = self.values.get(key)
                if phrase and phrase.column.name not in used_cols and not _overlaps(spans, (start, end)):
                    op = FilterOp.CONTAINS if phrase.column.kind == ColumnKind.LIST else FilterOp.EQ
                    out.append(Filter(field=phrase.column.name, op=op, value=phrase.value))
                    used_cols.add(phrase.column.name)
                    spans.append((start, end))
                    found.append((start, end))
                    i += n - 1
                    break
            i += 1
        return out


def _price_filters(kind: str, nums: list[float]) -> list[Filter]:
    if kind == "range" and len(nums) >= 2:
        lo, hi = sorted(nums[:2])
        return [Filter(field="price", op=FilterOp.GE, value=lo), Filter(field="price", op=FilterOp.LE, value=hi)]
    if kind == "le":
        return [Filter(field="price", op=FilterOp.LE, value=nums[0])]
    if kind == "ge":
        return [Filter(field="price", op=FilterOp.GE, value=nums[0])]
    return about_price(nums[0])


def about_price(value: float, tolerance: float = 0.2) -> list[Filter]:
    """'$30' means about 30: a ±20% band."""
    return [Filter(field="price", op=FilterOp.GE, value=round(value * (1 - tolerance), 2)),
            Filter(field="price", op=FilterOp.LE, value=round(value * (1 + tolerance), 2))]


def _overlaps(spans: list[tuple[int, int]], span: tuple[int, int]) -> bool:
    return any(span[0] < e and s < span[1] for s, e in spans)


def _remove(text: str, spans: list[tuple[int, int]]) -> str:
    out, last = [], 0
    for s, e in sorted(spans):
        out.append(text[last:s])
        last = max(last, e)
    out.append(text[last:])
    head = _SPACE.sub(" ", " ".join(out)).strip(" ,.-")
    head = re.sub(r"^(?:and|with|for|in|of)\b\s*|\s*\b(?:and|with|for|in|of|under|over)$", "", head, flags=re.I)
    return head.strip()
