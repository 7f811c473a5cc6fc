"""The parsed form of a query: head term + structured filters, and where the parse came from."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field

from shelfmind.search.base import Filter


class ParseSource(StrEnum):
    LLM = "llm"  # a fresh LLM parse
    CACHE = "cache"  # an LLM parse from the parse cache
    FAST = "fast"  # the rule/dictionary fast path (no LLM)
    NONE = "none"  # understanding disabled


class QueryParse(BaseModel):
    query: str
    head: str
    filters: list[Filter] = Field(default_factory=list)
    dropped: list[str] = Field(default_factory=list)  # parsed filters that failed validation, and why
    source: ParseSource = ParseSource.NONE
    ms: float = 0.0
    trace: dict[str, str] = Field(default_factory=dict)  # model, prompt@version, inputs hash
