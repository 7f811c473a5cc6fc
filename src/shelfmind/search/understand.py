"""LLM query understanding (head term + filters over the catalog's own fields), cached, with the
rule fast path for uncached queries.

The output schema is generated from the index manifest: `field` is an enum of the filterable
fields, `op` a closed set. Every parsed filter is validated against the catalog (known field,
numeric value for numeric fields, categorical values matched to the catalog's value dictionary);
what fails is dropped and recorded in `QueryParse.dropped`, never applied.
"""

from __future__ import annotations

import hashlib
import threading
import time
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field
from rapidfuzz import process

from shelfmind.errors import ProviderError
from shelfmind.llm.base import LLM
from shelfmind.llm.prompts import load_prompt
from shelfmind.llm.structured import complete
from shelfmind.search.base import Filter, FilterOp
from shelfmind.search.fastpath import FastParser, about_price
from shelfmind.search.manifest import ColumnKind, FilterColumn, IndexManifest
from shelfmind.search.query import ParseSource, QueryParse
from shelfmind.store.sqlite import connect

PROMPT = "search_query_understanding"
TASK = "query_understanding"


class LLMFilter(BaseModel):
    field: str
    op: Literal["eq", "lt", "le", "gt", "ge"] = "eq"
    value: str | float | bool


class LLMParse(BaseModel):
    head: str = Field(default="", max_length=200)
    filters: list[LLMFilter] = Field(default_factory=list, max_length=6)


def parse_schema(columns: list[FilterColumn]) -> dict[str, Any]:
    """The JSON schema for the LLM: field names are an enum of the catalog's filterable fields."""
    names = [c.name for c in columns] or ["price"]
    return {
        "type": "object",
        "properties": {
            "head": {"type": "string", "maxLength": 120},
            "filters": {
                "type": "array",
                "maxItems": 6,
                "items": {
                    "type": "object",
                    "properties": {
                        "field": {"type": "string", "enum": names},
                        "op": {"type": "string", "enum": ["eq", "lt", "le", "gt", "ge"]},
                        "value": {"anyOf": [{"type": "string", "maxLength": 60}, {"type": "number"},
                                            {"type": "boolean"}]},
                    },
                    "required": ["field", "op", "value"],
                },
            },
        },
        "required": ["head", "filters"],
    }


def describe_fields(columns: list[FilterColumn], max_values: int = 8) -> str:
    lines = []
    for c in columns:
        if c.name == "price" and c.max is None:
            continue
        desc = f"{c.name}: {c.kind.value}"
        if c.unit:
            desc += f" ({c.unit})"
        if c.values:
            desc += "; e.g. " + ", ".join(c.values[:max_values])
        elif c.min is not None:
            desc += f"; range {c.min:g}..{c.max:g}"
        lines.append(desc)
    return "\n".join(lines) or "(no filterable fields)"


class ParseCache:
    """Persistent (SQLite) cache of parses and expansions, keyed by kind + normalised query + context."""

    def __init__(self, path: Path | str | None) -> None:
        self._mem: dict[str, str] = {}
        self._lock = threading.Lock()
        self._conn = connect(path) if path is not None else None
        if self._conn is not None:
            self._conn.execute("CREATE TABLE IF NOT EXISTS parses (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            self._conn.commit()

    @staticmethod
    def key(kind: str, query: str, context: str) -> str:
        raw = f"{kind}\x1f{' '.join(query.lower().split())}\x1f{context}"
        return hashlib.sha256(raw.encode()).hexdigest()[:32]

    def get(self, key: str) -> str | None:
        if key in self._mem:
            return self._mem[key]
        if self._conn is None:
            return None
        with self._lock:
            row = self._conn.execute("SELECT value FROM parses WHERE key=?", (key,)).fetchone()
        if row:
            self._mem[key] = row[0]
            return str(row[0])
        return None

    def put(self, key: str, value: str) -> None:
        self._mem[key] = value
        if self._conn is not None:
            with self._lock, self._conn:
                self._conn.execute("INSERT OR REPLACE INTO parses(key, value) VALUES(?, ?)", (key, value))


class QueryUnderstander:
    """parse(query): cached LLM parse -> else LLM (when `use_llm_on_miss`) -> else the fast path."""

    def __init__(self, manifest: IndexManifest | None, llm: LLM | None, *, cache_path: Path | str | None = None,
                 use_llm_on_miss: bool = True) -> None:
        self.manifest = manifest
        self.columns = [c for c in (manifest.columns if manifest else []) if not (c.name == "price" and c.max is None)]
        self.llm = llm
        self.use_llm_on_miss = use_llm_on_miss and llm is not None
        self.fast = FastParser(manifest)
        self.cache = ParseCache(cache_path)
        self.prompt = load_prompt(PROMPT)
        self._context = f"{self.prompt.id}|{manifest.vocab_hash() if manifest else '-'}"

    def parse(self, query: str) -> QueryParse:
        t0 = time.perf_counter()
        key = ParseCache.key("qu", query, self._context)
        cached = self.cache.get(key)
        if cached is not None:
            parse = QueryParse.model_validate_json(cached)
            parse.source = ParseSource.CACHE
        elif self.use_llm_on_miss:
            parse = self.parse_llm(query)
            if parse.source == ParseSource.LLM:
                self.cache.put(key, parse.model_dump_json())
        else:
            parse = self.fast.parse(query)
        parse.ms = (time.perf_counter() - t0) * 1e3
        return parse

    def parse_llm(self, query: str) -> QueryParse:
        """One LLM call (the LLM stack's own cache applies); falls back to the fast path on failure."""
        assert self.llm is not None
        try:
            result = complete(self.llm, self.prompt, LLMParse, task=TASK, max_tokens=160,
                              json_schema=parse_schema(self.columns),
                              fields=describe_fields(self.columns), query=query)
        except ProviderError as exc:
            fast = self.fast.parse(query)
            fast.dropped.append(f"llm failed: {str(exc)[:120]}")
            return fast
        filters, dropped = self.ground(result.value.filters)
        head = " ".join(result.value.head.split())[:120] or query
        return QueryParse(query=query, head=head, filters=filters, dropped=dropped, source=ParseSource.LLM,
                          trace={"model": result.trace.model, "prompt": result.trace.prompt,
                                 "inputs_hash": result.trace.inputs_hash})

    def ground(self, raw: list[LLMFilter]) -> tuple[list[Filter], list[str]]:
        """Keep only filters over known fields with values that exist in (or fit) the catalog."""
        by_name = {c.name.lower(): c for c in self.columns}
        out: list[Filter] = []
        dropped: list[str] = []
        for f in raw:
            col = by_name.get(f.field.strip().lower())
            if col is None:
                dropped.append(f"{f.field}: unknown field")
                continue
            op = FilterOp(f.op)
            if col.kind == ColumnKind.NUMERIC:
                try:
                    value = float(str(f.value).strip().lstrip("$"))
                except ValueError:
                    dropped.append(f"{f.field}: {f.value!r} is not a number")
                    continue
                if col.name == "price" and op == FilterOp.EQ:
                    out += about_price(value)
                else:
                    out.append(Filter(field=col.name, op=op, value=value))
            elif col.kind == ColumnKind.BOOLEAN:
                text = str(f.value).strip().lower()
                if text not in {"true", "false", "yes", "no", "1", "0"}:
                    dropped.append(f"{f.field}: {f.value!r} is not a boolean")
                    continue
                out.append(Filter(field=col.name, op=FilterOp.EQ, value=text in {"true", "yes", "1"}))
            else:
                matched = _match_value(str(f.value), col.values)
                if matched is None:
                    dropped.append(f"{f.field}: {f.value!r} is not a catalog value")
                    continue
                op = FilterOp.CONTAINS if col.kind == ColumnKind.LIST else FilterOp.EQ
                out.append(Filter(field=col.name, op=op, value=matched))
        return out, dropped


def _match_value(value: str, values: list[str]) -> str | None:
    v = " ".join(value.strip().lower().split())
    if not v or not values:
        return None
    if v in values:
        return v
    best = process.extractOne(v, values, score_cutoff=90)
    return str(best[0]) if best else None
