"""The index manifest: what an index was built from, so a mismatched reader fails clearly."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from shelfmind.errors import NotFound, UserError
from shelfmind.store.atomic import atomic_write_text

MANIFEST_NAME = "manifest.json"
FORMAT_VERSION = 1


class ColumnKind(StrEnum):
    NUMERIC = "numeric"
    CATEGORICAL = "categorical"
    BOOLEAN = "boolean"
    LIST = "list"


class FilterColumn(BaseModel):
    """A filterable key (catalog field or enriched attribute) and its column in the index."""

    name: str  # the key users and the query parser use ("brand", "gluten_free", "price")
    column: str  # the sanitised column name in the table
    kind: ColumnKind
    unit: str | None = None
    source: str = "field"  # field | attribute | dynamic
    values: list[str] = Field(default_factory=list)  # categorical/list value dictionary (capped)
    min: float | None = None
    max: float | None = None
    in_name: float = 0.0  # share of products whose name contains their own value (type-like columns)
    coverage: float = 1.0  # share of products with a value (enriched attributes may cover few)


class IndexManifest(BaseModel):
    format_version: int = FORMAT_VERSION
    backend: str = "lancedb"
    embedder: str
    dim: int
    text_template: str
    settings: dict[str, Any] = Field(default_factory=dict)
    catalog_size: int = 0
    catalog_name: str | None = None
    columns: list[FilterColumn] = Field(default_factory=list)
    extra_text: dict[str, Any] = Field(default_factory=dict)  # {"count": n, "hash": "..."}
    built_at: str = Field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    updated_at: str | None = None

    def column(self, name: str) -> FilterColumn | None:
        key = name.strip().lower()
        return next((c for c in self.columns if c.name.lower() == key), None)

    def vocab_hash(self) -> str:
        raw = json.dumps([c.model_dump(mode="json") for c in self.columns], sort_keys=True)
        return hashlib.sha256(raw.encode()).hexdigest()[:12]


def extra_text_summary(extra_text: Mapping[str, str] | None) -> dict[str, Any]:
    if not extra_text:
        return {"count": 0}
    h = hashlib.sha256()
    for key in sorted(extra_text):
        h.update(f"{key}\t{extra_text[key]}\n".encode())
    return {"count": len(extra_text), "hash": h.hexdigest()[:16]}


def write_manifest(index_dir: Path, manifest: IndexManifest) -> None:
    atomic_write_text(index_dir / MANIFEST_NAME, manifest.model_dump_json(indent=2))


def read_manifest(index_dir: Path) -> IndexManifest:
    path = index_dir / MANIFEST_NAME
    if not path.exists():
        raise NotFound(f"no search index in {index_dir}", hint="run `shelfmind index` first")
    try:
        return IndexManifest.model_validate_json(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise NotFound(f"the search index manifest {path} is unreadable: {str(exc)[:200]}",
                       hint="rebuild it with `shelfmind index`") from exc


def check_embedder(manifest: IndexManifest, model_id: str, dim: int) -> None:
    if manifest.embedder != model_id or manifest.dim != dim:
        raise UserError(
            f"the search index was built with embedder {manifest.embedder!r} (dim {manifest.dim}), "
            f"but the configured embedder is {model_id!r} (dim {dim})",
            hint="rebuild it with `shelfmind index`, or set SHELFMIND_EMBEDDER back",
        )
