"""The real embedded 1.5B on ONE intent over the bundled grocery catalog (small: 1 product per kind,
no relation mining). Checks grounding, statuses and theme structure, never exact strings."""

from __future__ import annotations

from pathlib import Path

import pytest

from shelfmind.catalog.store import CatalogStore
from shelfmind.config import get_settings
from shelfmind.knowledge.kb import KnowledgeBase
from shelfmind.knowledge.store import KnowledgeStore
from shelfmind.llm.factory import build_llm
from shelfmind.review.queue import ReviewQueue
from shelfmind.schemas import AssertionStatus
from shelfmind.search.simple import KeywordSearcher

pytestmark = pytest.mark.real_llm


def test_one_intent_end_to_end(grocery: CatalogStore, tmp_path: Path) -> None:
    kb = KnowledgeBase(KnowledgeStore(tmp_path / "kb.sqlite"), products=grocery, llm=build_llm(get_settings()),
                       searcher=KeywordSearcher(grocery.iter_products()), review=ReviewQueue(tmp_path / "r.sqlite"))
    builder = kb.builder(products_per_kind=1, relations_per_intent=0, max_theme_size=3)  # ~2 judge calls/product
    builder.add_intents(["movie night"])
    report = builder.build(progress=False)
    assert report.intents_done == 1, report.failures
    links = kb.store.links(intent="movie night")
    assert links, "no proposal could be grounded in the catalog"
    found = grocery.get_many([x.product_id for x in links])
    assert len(found) == len(links)  # only real products
    assert all(x.provenance and x.provenance.model.startswith("local:") for x in links)
    names = " ".join(found[x.product_id].name.lower() for x in links)
    assert any(w in names for w in ("popcorn", "chips", "candy", "chocolate", "soda", "pretzel", "nachos"))
    assert all(x.status != AssertionStatus.PROPOSED and x.verifier_score is not None for x in links)
    themes = kb.themes_for("movie night")
    assert len(themes) >= 2 and all(len(t.product_ids) >= 3 for t in themes), [t.name for t in themes]
    ids = [pid for t in themes for pid in t.product_ids]
    assert len(ids) == len(set(ids))  # a product in one theme only
