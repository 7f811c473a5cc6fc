"""Query expansion for broad intents: the LLM proposes concrete product types ("movie night" ->
popcorn, candy, soda), each of which becomes an extra retrieval arm. Cached per query."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from pydantic import BaseModel, Field

from shelfmind.errors import ProviderError
from shelfmind.llm.base import LLM
from shelfmind.llm.prompts import load_prompt
from shelfmind.llm.structured import complete
from shelfmind.search.manifest import IndexManifest
from shelfmind.search.understand import ParseCache

PROMPT = "search_query_expansion"
TASK = "query_expansion"
_CATEGORY_COLS = re.compile(r"categor|aisle|department|type|family|class", re.I)


class Expansion(BaseModel):
    broad: bool = False
    product_types: list[str] = Field(default_factory=list, max_length=5)


EXPANSION_SCHEMA = {
    "type": "object",
    "properties": {
        "broad": {"type": "boolean"},
        "product_types": {"type": "array", "maxItems": 5, "items": {"type": "string", "maxLength": 40}},
    },
    "required": ["broad", "product_types"],
}


def category_hints(manifest: IndexManifest | None, limit: int = 60) -> str:
    if manifest is None:
        return ""
    values: list[str] = []
    for c in manifest.columns:
        if c.values and _CATEGORY_COLS.search(c.name):
            values += c.values[:limit]
    return ", ".join(values[:limit])


class QueryExpander:
    def __init__(self, llm: LLM, manifest: IndexManifest | None = None, *, cache_path: Path | str | None = None,
                 max_types: int = 5) -> None:
        self.llm = llm
        self.prompt = load_prompt(PROMPT)
        self.categories = category_hints(manifest)
        self.cache = ParseCache(cache_path)
        self.max_types = max_types
        self._context = f"{self.prompt.id}|{hashlib.sha256(self.categories.encode()).hexdigest()[:12]}"

    def expand(self, query: str) -> list[str]:
        """Product types for a broad query ([] for a specific one, or when the LLM fails)."""
        key = ParseCache.key("expand", query, self._context)
        cached = self.cache.get(key)
        if cached is not None:
            return list(json.loads(cached))
        try:
            result = complete(self.llm, self.prompt, Expansion, task=TASK, max_tokens=120,
                              json_schema=EXPANSION_SCHEMA, categories=self.categories, query=query)
        except ProviderError:
            return []
        types: list[str] = []
        if result.value.broad:
            seen = {query.strip().lower()}
            for t in result.value.product_types:
                t = " ".join(t.split())[:40]
                if t and t.lower() not in seen:
                    seen.add(t.lower())
                    types.append(t)
        types = types[: self.max_types]
        self.cache.put(key, json.dumps(types))
        return types
