"""Runtime wiring for search: build the index from the catalog store, open it, assemble the engine."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from shelfmind.errors import NotFound, ShelfmindError
from shelfmind.search.engine import EngineConfig, HybridSearcher
from shelfmind.search.lance import IndexSettings, LanceIndex
from shelfmind.search.manifest import IndexManifest

if TYPE_CHECKING:
    from shelfmind.runtime import Runtime


class UnderstandMode(StrEnum):
    OFF = "off"
    FAST = "fast"  # the fast path only (no LLM in the request path)
    AUTO = "auto"  # cached LLM parse if there is one, else the fast path
    LLM = "llm"  # always the LLM (cached)


def knowledge_extra_text(rt: Runtime) -> dict[str, str] | None:
    """Intents/uses per product from the knowledge base (None when there is none yet)."""
    if not rt.paths.knowledge_db.exists():
        return None
    try:
        fn = getattr(rt.knowledge, "extra_text", None)
        return dict(fn()) if callable(fn) else None
    except (ShelfmindError, ImportError):
        return None


def index_catalog(rt: Runtime, *, extra_text: Mapping[str, str] | None = None, progress: bool = True,
                  settings: IndexSettings | None = None) -> IndexManifest:
    """(Re)build the search index under rt.paths.index_dir from every product in the catalog."""
    store = rt.catalog
    if len(store) == 0:
        raise NotFound("the catalog is empty", hint="run `shelfmind ingest --config FILE` first")
    schema = store.schema
    catalog = store.get_meta("catalog") or {}
    index = LanceIndex(rt.paths.index_dir, rt.embedder, schema=schema, settings=settings,
                       catalog_name=catalog.get("name"))
    index.build(list(store.iter_products()), extra_text, progress=progress)
    assert index.manifest is not None
    return index.manifest


def open_index(rt: Runtime) -> LanceIndex:
    """The built index; NotFound if never built, UserError if built with another embedder."""
    index = LanceIndex.open(rt.paths.index_dir, rt.embedder)
    try:
        index.schema = rt.catalog.schema
    except NotFound:
        index.schema = None
    return index


def parse_cache_path(rt: Runtime) -> Path:
    """Query parses and expansions survive index rebuilds (their keys include the field vocabulary)."""
    return rt.paths.home / "search_parses.sqlite"


def build_searcher(rt: Runtime, *, understand: UnderstandMode = UnderstandMode.AUTO, expand: bool = False,
                   config: EngineConfig | None = None) -> HybridSearcher:
    """The ProductSearcher engine over the built index."""
    from shelfmind.search.expand import QueryExpander
    from shelfmind.search.understand import QueryUnderstander

    index = open_index(rt)
    cache_path = parse_cache_path(rt)
    understander = None
    if understand != UnderstandMode.OFF:
        llm = rt.llm if understand == UnderstandMode.LLM else None
        understander = QueryUnderstander(index.manifest, llm, cache_path=cache_path,
                                         use_llm_on_miss=understand == UnderstandMode.LLM)
    expander = QueryExpander(rt.llm, index.manifest, cache_path=cache_path) if expand else None
    return HybridSearcher(index, understander=understander, expander=expander, config=config)
