"""One place that wires settings to concrete components, lazily. The CLI and the service use it;
domain code never does (it receives an LLM, an Embedder, a store through its constructor)."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from shelfmind.config import Settings, get_settings

if TYPE_CHECKING:
    from shelfmind.catalog.store import CatalogStore
    from shelfmind.embed.base import Embedder
    from shelfmind.llm.base import LLM


class Runtime:
    def __init__(self, settings: Settings | None = None, **overrides: Any) -> None:
        self.settings = settings or get_settings(**overrides)
        self.paths = self.settings.paths.ensure()

    @cached_property
    def llm(self) -> LLM:
        """The full stack: Router over tiers, each Metered(Cached(Retrying(provider)))."""
        from shelfmind.llm.factory import build_llm

        return build_llm(self.settings)

    @cached_property
    def embedder(self) -> Embedder:
        from shelfmind.embed.factory import build_embedder

        return build_embedder(self.settings)

    @cached_property
    def catalog(self) -> CatalogStore:
        from shelfmind.catalog.store import CatalogStore

        return CatalogStore(self.paths.catalog_db)
