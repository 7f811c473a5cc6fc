"""A runtime of small in-memory doubles for the service (tests, load benchmarks, UI work before the
real components are built). Ships in the library like pydantic-ai's TestModel.

    rt = test_runtime(tmp_path, api_token="secret")
    app = create_app(rt)

The catalog is the bundled grocery demo catalog (3,000 products), ingested into `home`.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

from shelfmind.catalog.ingest import ingest_file
from shelfmind.catalog.products_text import render_catalog
from shelfmind.catalog.store import CatalogStore
from shelfmind.review.queue import ReviewQueue
from shelfmind.service.testing.knowledge import InMemoryKnowledge, seed_review
from shelfmind.service.testing.searcher import IndexedKeywordSearcher
from shelfmind.service.testing.shoppers import DEMO_USERS, InMemoryUsers, PersonaRecommender

__all__ = ["DEMO_USERS", "TestRuntime", "create_test_app", "test_runtime"]


@dataclass
class _Settings:
    api_token: str | None


@dataclass
class TestRuntime:
    __test__ = False  # not a pytest test class

    settings: _Settings
    catalog: CatalogStore
    searcher: IndexedKeywordSearcher
    knowledge: InMemoryKnowledge
    users: InMemoryUsers
    recommender: PersonaRecommender
    review: ReviewQueue


def test_runtime(home: Path | str, *, api_token: str | None = None, limit: int | None = None,
                 template: TestRuntime | None = None) -> TestRuntime:
    """Doubles with state under `home`. `template`: copy its catalog and share its (read-only) searcher
    instead of ingesting again (fast fixtures)."""
    home = Path(home)
    home.mkdir(parents=True, exist_ok=True)
    catalog = CatalogStore(home / "catalog.sqlite")
    if template is not None and len(catalog) == 0:
        template.catalog._conn.backup(catalog._conn)
    if len(catalog) == 0:
        config = files("shelfmind") / "data" / "grocery" / "catalog.toml"
        ingest_file(str(config), catalog, limit=limit, progress=False)
        render_catalog(catalog, None, home / "artifacts", show=0, progress=False)
    searcher = template.searcher if template is not None else IndexedKeywordSearcher(catalog.iter_products())
    knowledge = InMemoryKnowledge(searcher, catalog)
    users = InMemoryUsers()
    review = ReviewQueue(home / "review.sqlite")
    seed_review(review, catalog, knowledge, searcher)
    return TestRuntime(
        settings=_Settings(api_token), catalog=catalog, searcher=searcher, knowledge=knowledge, users=users,
        recommender=PersonaRecommender(searcher, catalog, users), review=review,
    )


test_runtime.__test__ = False  # type: ignore[attr-defined]


def create_test_app() -> Any:
    """uvicorn factory (`--factory shelfmind.service.testing:create_test_app`) for benchmarks and UI
    work: state in SHELFMIND_HOME (or a temp dir), token from SHELFMIND_API_TOKEN."""
    from shelfmind.service.app import create_app

    home = os.environ.get("SHELFMIND_HOME") or tempfile.mkdtemp(prefix="shelfmind-test-")
    rt = test_runtime(Path(home) / "service-doubles", api_token=os.environ.get("SHELFMIND_API_TOKEN"))
    return create_app(rt, cache_size=int(os.environ.get("SHELFMIND_SERVICE_CACHE", "2048")),
                      read_workers=int(os.environ.get("SHELFMIND_SERVICE_READ_WORKERS", "1")))
