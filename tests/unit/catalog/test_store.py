from __future__ import annotations

from pathlib import Path

import pytest

from shelfmind.catalog.store import CatalogStore
from shelfmind.errors import NotFound
from shelfmind.schemas import CatalogSchema, FieldKind, FieldSpec, Product


def test_upsert_keeps_text_when_content_unchanged(tmp_path: Path) -> None:
    store = CatalogStore(tmp_path / "c.sqlite")
    schema = CatalogSchema(fields=[FieldSpec(name="brand", kind=FieldKind.CATEGORICAL)])
    store.upsert([Product(id="1", name="Oats", fields={"brand": "A"})], schema=schema)
    store.set_texts([("1", "Oats by A")])
    store.upsert([Product(id="1", name="Oats", fields={"brand": "A"}, price=2.0)])
    assert store.get("1").text == "Oats by A"
    assert store.get("1").price == 2.0
    store.upsert([Product(id="1", name="Oats", fields={"brand": "B"})])
    assert store.get("1").text is None  # content changed: text must be re-rendered
    assert len(store) == 1
    assert store.schema.get("brand") is not None


def test_failed_upsert_writes_nothing(tmp_path: Path) -> None:
    store = CatalogStore(tmp_path / "c.sqlite")

    def rows():
        yield Product(id="1", name="a")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        store.upsert(rows())
    assert len(store) == 0


def test_missing_product_and_schema(tmp_path: Path) -> None:
    store = CatalogStore(tmp_path / "c.sqlite")
    with pytest.raises(NotFound):
        store.get("nope")
    with pytest.raises(NotFound):
        _ = store.schema
