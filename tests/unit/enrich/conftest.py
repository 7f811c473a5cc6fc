from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from shelfmind.catalog.store import CatalogStore
from shelfmind.enrich.jobs import JobStore
from shelfmind.enrich.service import EnrichmentService
from shelfmind.llm.base import LLM
from shelfmind.review.queue import ReviewQueue
from shelfmind.schemas import Product

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "enrich"


def load_corpus() -> list[Product]:
    """The bad-input corpus; the 'long' product gets a > 50 KB description."""
    out = []
    for line in (FIXTURES / "bad_inputs.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        text = row["ingredients"]
        if row.get("repeat_filler"):
            filler = "This cracker is baked in small batches by people who love crackers. " * row["repeat_filler"]
            text = text + filler + " Package size: 200 g."
        out.append(Product(id=row["id"], name=row["name"], fields={"ingredients": text}))
    return out


@pytest.fixture
def kinds() -> dict[str, str]:
    return corpus_kinds()


def corpus_kinds() -> dict[str, str]:
    rows = [json.loads(line) for line in (FIXTURES / "bad_inputs.jsonl").read_text(encoding="utf-8").splitlines()]
    return {r["id"]: r["kind"] for r in rows}


@pytest.fixture
def corpus() -> list[Product]:
    return load_corpus()


@pytest.fixture
def make_service(tmp_path: Path) -> Callable[..., EnrichmentService]:
    def make(llm: LLM, products: list[Product] | None = None, **kwargs: object) -> EnrichmentService:
        catalog = CatalogStore(tmp_path / "catalog.sqlite")
        if products:
            catalog.upsert(products)
        return EnrichmentService(llm, catalog, ReviewQueue(tmp_path / "review.sqlite"),
                                 JobStore(tmp_path / "enrich.sqlite"), schemas_path=tmp_path / "schemas.toml",
                                 **kwargs)  # type: ignore[arg-type]

    return make
