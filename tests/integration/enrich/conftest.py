from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from shelfmind.catalog.store import CatalogStore
from shelfmind.enrich.jobs import JobStore
from shelfmind.enrich.service import EnrichmentService
from shelfmind.llm.base import LLM
from shelfmind.review.queue import ReviewQueue
from shelfmind.schemas import Product


@pytest.fixture
def make_service(tmp_path: Path) -> Callable[..., EnrichmentService]:
    def make(llm: LLM, products: list[Product] | None = None) -> EnrichmentService:
        catalog = CatalogStore(tmp_path / "catalog.sqlite")
        if products:
            catalog.upsert(products)
        return EnrichmentService(llm, catalog, ReviewQueue(tmp_path / "review.sqlite"),
                                 JobStore(tmp_path / "enrich.sqlite"), schemas_path=tmp_path / "schemas.toml")

    return make
