"""Every shipped catalog config ingests its dataset from ../shared/data (first rows only)."""

from __future__ import annotations

from pathlib import Path

import pytest

from shelfmind.catalog.ingest import ingest_file
from shelfmind.catalog.store import CatalogStore

REPO = Path(__file__).resolve().parents[3]
CONFIGS = sorted((REPO / "configs" / "catalogs").glob("*.toml"))
BUNDLED = REPO / "src" / "shelfmind" / "data" / "grocery" / "catalog.toml"


def test_configs_are_shipped() -> None:
    names = {p.stem for p in CONFIGS}
    assert {"off-grocery", "instacart", "homedepot", "completejourney", "grocery-demo"} <= names


@pytest.mark.parametrize("config", CONFIGS, ids=[p.stem for p in CONFIGS])
def test_shipped_config_ingests(config: Path, shared_data: Path, tmp_path: Path,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHELFMIND_DATA", str(shared_data))
    store = CatalogStore(tmp_path / "catalog.sqlite")
    report = ingest_file(config, store, limit=300, progress=False)
    assert report.products == len(store) == 300
    products = list(store.iter_products())
    assert all(p.name.strip() and "None" not in p.name for p in products)
    declared = set(report.fields)
    filled = {k for p in products for k in p.fields}
    assert filled or not declared, "no declared field was filled in 300 rows"
    assert filled <= declared
    again = ingest_file(config, store, limit=300, progress=False)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 300)  # re-ingest upserts by id


def test_bundled_demo_catalog(tmp_path: Path) -> None:
    store = CatalogStore(tmp_path / "catalog.sqlite")
    report = ingest_file(BUNDLED, store, progress=False)
    assert report.products >= 1000
    p = next(store.iter_products())
    assert p.price is not None and p.fields.get("ingredients")
