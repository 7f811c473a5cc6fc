from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from shelfmind.catalog.ingest import ingest_file
from shelfmind.catalog.store import CatalogStore


@pytest.fixture
def grocery(tmp_path: Path) -> CatalogStore:
    """The bundled grocery catalog (Open Food Facts sample) in a fresh store."""
    store = CatalogStore(tmp_path / "catalog.sqlite")
    config = Path(str(resources.files("shelfmind") / "data" / "grocery" / "catalog.toml"))
    ingest_file(config, store, progress=False)
    return store
