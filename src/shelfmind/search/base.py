"""The SearchIndex protocol and the typed values that cross it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel, Field

from shelfmind.schemas import Product


class FilterOp(StrEnum):
    EQ = "eq"
    NE = "ne"
    IN = "in"
    LT = "lt"
    LE = "le"
    GT = "gt"
    GE = "ge"
    CONTAINS = "contains"  # list field contains value


class Filter(BaseModel):
    field: str
    op: FilterOp = FilterOp.EQ
    value: Any


class RetrievalMode(StrEnum):
    BM25 = "bm25"
    VECTOR = "vector"
    HYBRID = "hybrid"


class SearchHit(BaseModel):
    id: str
    score: float
    name: str | None = None
    arm_scores: dict[str, float] = Field(default_factory=dict)  # per retrieval arm, for debugging


@runtime_checkable
class SearchIndex(Protocol):
    """An index over products: BM25 over text, vectors, structured filters, hybrid fusion."""

    def build(self, products: Sequence[Product], extra_text: Mapping[str, str] | None = None) -> None:
        """Replace the whole index. `extra_text` (product id -> text, e.g. intents/uses from the
        knowledge base) is appended to the indexed and embedded text and recorded in the manifest."""
        ...

    def upsert(self, products: Sequence[Product], extra_text: Mapping[str, str] | None = None) -> None: ...

    def delete(self, ids: Sequence[str]) -> None: ...

    def update_dynamic(self, pid: str, *, price: float | None = None, in_stock: bool | None = None) -> None: ...

    def search(
        self,
        query: str,
        *,
        k: int = 10,
        mode: RetrievalMode = RetrievalMode.HYBRID,
        filters: Sequence[Filter] = (),
        vector: Sequence[float] | None = None,
    ) -> list[SearchHit]: ...


@runtime_checkable
class ProductSearcher(Protocol):
    """The high-level engine other modules use (knowledge grounding, recommend, service): it may
    add query understanding, expansion and fusion on top of a SearchIndex."""

    def search(self, query: str, *, k: int = 10, filters: Sequence[Filter] = ()) -> list[SearchHit]: ...
