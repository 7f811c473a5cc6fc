"""The REAL embedded 1.5B writes the product text template for 5 bundled products (one call)."""

from __future__ import annotations

from pathlib import Path

import pytest

from shelfmind.catalog.ingest import ingest_file
from shelfmind.catalog.products_text import render_catalog
from shelfmind.catalog.store import CatalogStore
from shelfmind.catalog.text import columns_of, validate_segments
from shelfmind.config import get_settings
from shelfmind.llm.accounting import Ledger
from shelfmind.llm.factory import build_llm

BUNDLED = Path(__file__).resolve().parents[3] / "src" / "shelfmind" / "data" / "grocery" / "catalog.toml"


@pytest.mark.real_llm
def test_real_template_on_five_products() -> None:
    settings = get_settings()
    store = CatalogStore(settings.paths.ensure().catalog_db)
    ingest_file(BUNDLED, store, limit=5, progress=False)
    report = render_catalog(store, build_llm(settings), settings.paths.artifacts_dir, progress=False)
    tpl = report.template
    products = list(store.iter_products())
    if tpl.source == "llm":
        assert validate_segments(tpl.segments, columns_of(store.schema), products) is None
        assert tpl.model == "local:qwen2.5-coder-1.5b"
        assert tpl.prompt and tpl.prompt.startswith("product_text_template@") and tpl.prompt_version
    else:
        assert tpl.fallback_reason  # the default was used and the reason recorded
    assert report.rendered == 5
    for p in products:
        assert p.text and p.name in p.text and "None" not in p.text
    stats = {s.task: s for s in Ledger(settings.paths.llm_db).stats()}
    assert stats["product_text_template"].model_calls >= 1
