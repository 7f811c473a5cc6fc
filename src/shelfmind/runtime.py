"""One place that wires settings to concrete components, lazily. The CLI and the service use it;
domain code never does (it receives an LLM, an Embedder, a store through its constructor).

Each area owns the factory a property imports, so areas can grow independently.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from shelfmind.config import Settings, get_settings

if TYPE_CHECKING:
    from shelfmind.catalog.store import CatalogStore
    from shelfmind.embed.base import Embedder
    from shelfmind.llm.base import LLM
    from shelfmind.review.queue import ReviewQueue
    from shelfmind.search.base import ProductSearcher


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

    @cached_property
    def review(self) -> ReviewQueue:
        from shelfmind.review.queue import ReviewQueue

        return ReviewQueue(self.paths.review_db)

    @cached_property
    def searcher(self) -> ProductSearcher:
        """The hybrid engine over the built index (query understanding, expansion, fusion)."""
        from shelfmind.search.factory import build_searcher

        return build_searcher(self)

    @cached_property
    def knowledge(self) -> Any:
        from shelfmind.knowledge.factory import build_knowledge

        return build_knowledge(self)

    @cached_property
    def users(self) -> Any:
        from shelfmind.personas.factory import build_users

        return build_users(self)

    @cached_property
    def recommender(self) -> Any:
        """The core mapping (query, user, context) -> Recommendation."""
        from shelfmind.personas.factory import build_recommender

        return build_recommender(self)

    @cached_property
    def enrichment(self) -> Any:
        from shelfmind.enrich.factory import build_enrichment

        return build_enrichment(self)
