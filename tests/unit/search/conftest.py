"""A small in-memory grocery catalog for search unit tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from shelfmind.embed.base import HashingEmbedder
from shelfmind.runtime import Runtime
from shelfmind.schemas import CatalogSchema, FieldKind, FieldSpec, Product
from shelfmind.search.lance import LanceIndex

SCHEMA = CatalogSchema(fields=[
    FieldSpec(name="brand", kind=FieldKind.CATEGORICAL),
    FieldSpec(name="region", kind=FieldKind.CATEGORICAL),
    FieldSpec(name="vintage", kind=FieldKind.NUMERIC),
    FieldSpec(name="organic", kind=FieldKind.BOOLEAN),
    FieldSpec(name="tags", kind=FieldKind.LIST),
    FieldSpec(name="description", kind=FieldKind.TEXT),
])

ROWS = [
    ("p1", "Whole wheat spaghetti pasta", "Barilla", None, None, True, ["pasta"], 3.5, {"gluten_free": False}),
    ("p2", "Gluten free penne pasta", "Barilla", None, None, False, ["pasta"], 4.5, {"gluten_free": True}),
    ("p3", "Gluten free fusilli pasta", "Schar", None, None, True, ["pasta"], 6.0, {"gluten_free": True}),
    ("p4", "Cabernet sauvignon red wine", "Napa Cellars", "california", 2018, False, ["wine"], 29.0, {}),
    ("p5", "Merlot red wine", "Bordeaux House", "france", 2018, False, ["wine"], 31.0, {}),
    ("p6", "Pinot noir red wine", "Napa Cellars", "california", 2016, False, ["wine"], 45.0, {}),
    ("p7", "Organic apple juice", "Mott's", None, None, True, ["juice", "organic"], 2.0, {}),
    ("p8", "Dark chocolate bar 70%", "Lindt", None, None, False, ["sweets"], 3.0, {}),
    ("p9", "Microwave popcorn butter", "Orville", None, None, False, ["snacks"], 4.0, {}),
    ("p10", "Chamomile herbal tea", "Twinings", None, None, True, ["tea"], 5.0, {}),
]


def make_products() -> list[Product]:
    out = []
    for pid, name, brand, region, vintage, organic, tags, price, attrs in ROWS:
        fields = {"brand": brand, "organic": organic, "tags": tags, "description": f"{name} from {brand}"}
        if region:
            fields["region"] = region
        if vintage:
            fields["vintage"] = vintage
        out.append(Product(id=pid, name=name, fields=fields, price=price, attributes=attrs))
    return out


@pytest.fixture
def products() -> list[Product]:
    return make_products()


@pytest.fixture
def catalog(monkeypatch: pytest.MonkeyPatch) -> Runtime:
    """A Runtime whose catalog holds the test products (hashing embedder)."""
    monkeypatch.setenv("SHELFMIND_EMBEDDER", "hashing")
    rt = Runtime()
    rt.catalog.upsert(make_products(), schema=SCHEMA)
    return rt


@pytest.fixture
def index(tmp_path: Path, products: list[Product]) -> LanceIndex:
    idx = LanceIndex(tmp_path / "index", HashingEmbedder(64), schema=SCHEMA, catalog_name="test")
    idx.build(products, extra_text={"p9": "movie night snack"})
    return idx
