"""Ingestion from small hand-made tables: joins, upserts, and every kind of bad input."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from shelfmind.catalog.config import load_config
from shelfmind.catalog.ingest import ingest, ingest_file
from shelfmind.catalog.store import CatalogStore
from shelfmind.errors import ConfigError, DataError

PRODUCTS = "product_id,product_name,aisle_id,price\n1,Rolled Oats,10,2.50\n2,Whole Milk,20,1.99\n3,Dark Chocolate,10,3.10\n"
AISLES = "aisle_id,aisle\n10,breakfast\n20,dairy\n"

CONFIG = """
name = "mini"
id = "product_id"
name_field = "product_name"
price = "price"
[[tables]]
name = "products"
path = "products.csv"
{extra_table}
[[tables]]
name = "aisles"
path = "aisles.csv"
key = "aisle_id"
[[joins]]
from = "products.aisle_id"
to = "aisles.aisle_id"
[[fields]]
column = "aisles.aisle"
name = "aisle"
kind = "categorical"
{extra_fields}
"""


def write(tmp: Path, products: str | bytes = PRODUCTS, *, extra_table: str = "", extra_fields: str = "",
          aisles: str = AISLES) -> Path:
    (tmp / "products.csv").write_bytes(products.encode() if isinstance(products, str) else products)
    (tmp / "aisles.csv").write_text(aisles)
    cfg = tmp / "catalog.toml"
    cfg.write_text(CONFIG.format(extra_table=extra_table, extra_fields=extra_fields))
    return cfg


@pytest.fixture
def store(tmp_path: Path) -> CatalogStore:
    return CatalogStore(tmp_path / "home" / "catalog.sqlite")


def snapshot(store: CatalogStore) -> list[tuple[str, str, dict, float | None]]:
    return [(p.id, p.name, p.fields, p.price) for p in store.iter_products()]


def test_join_flatten_and_upsert_by_id(tmp_path: Path, store: CatalogStore) -> None:
    cfg = write(tmp_path)
    report = ingest_file(cfg, store, progress=False)
    assert (report.products, report.new, report.updated, report.unchanged) == (3, 3, 0, 0)
    assert store.get("2").fields == {"aisle": "dairy"} and store.get("2").price == pytest.approx(1.99)
    # re-ingest: one changed row, one new row, the rest unchanged; nothing duplicated
    write(tmp_path, PRODUCTS.replace("Whole Milk", "Whole Milk 1L") + "4,Green Tea,10,4.00\n")
    report = ingest_file(cfg, store, progress=False)
    assert (report.products, report.new, report.updated, report.unchanged) == (4, 1, 1, 2)
    assert len(store) == 4 and store.get("2").name == "Whole Milk 1L"


def test_gzip_and_jsonl_nested_fields(tmp_path: Path, store: CatalogStore) -> None:
    rows = [{"code": "a1", "title": "Oats", "nutrition": {"fat": 7.0}}, {"code": "a2", "title": "Tea", "nutrition": {}}]
    with gzip.open(tmp_path / "p.jsonl.gz", "wt") as fh:
        fh.write("\n".join(json.dumps(r) for r in rows))
    cfg = tmp_path / "c.toml"
    cfg.write_text('name="j"\nid="code"\nname_field="title"\n[[tables]]\nname="p"\npath="p.jsonl.gz"\n'
                   '[[fields]]\ncolumn="nutrition.fat"\nkind="numeric"\nunit="g/100g"\n')
    ingest_file(cfg, store, progress=False)
    assert store.get("a1").fields == {"nutrition_fat": 7.0} and store.get("a2").fields == {}


def fails(cfg: Path, store: CatalogStore, *, match: str) -> DataError:
    before = snapshot(store)
    with pytest.raises(DataError, match=match) as err:
        ingest_file(cfg, store, progress=False)
    assert snapshot(store) == before  # nothing half-written
    return err.value


def test_missing_file_names_it(tmp_path: Path, store: CatalogStore) -> None:
    cfg = write(tmp_path)
    (tmp_path / "aisles.csv").unlink()
    err = fails(cfg, store, match="file not found")
    assert err.file and err.file.endswith("aisles.csv")
    with pytest.raises(DataError, match="config not found"):
        load_config(tmp_path / "nope.toml")


def test_unknown_column_in_config(tmp_path: Path, store: CatalogStore) -> None:
    cfg = write(tmp_path, extra_fields='[[fields]]\ncolumn = "brand"\nkind = "categorical"\n')
    err = fails(cfg, store, match="unknown column 'brand'")
    assert err.field == "brand" and err.file and err.file.endswith("products.csv")


def test_wrong_delimiter_gets_a_hint(tmp_path: Path, store: CatalogStore) -> None:
    cfg = write(tmp_path, PRODUCTS.replace(",", ";"))
    err = fails(cfg, store, match="unknown column 'product_id'")
    assert err.hint and "delimiter" in err.hint


def test_ragged_row_names_row(tmp_path: Path, store: CatalogStore) -> None:
    cfg = write(tmp_path, PRODUCTS + "5,Tea,10\n")
    err = fails(cfg, store, match="expected 4 columns, found 3")
    assert err.row == 5


def test_wrong_encoding_names_row(tmp_path: Path, store: CatalogStore) -> None:
    cfg = write(tmp_path, (PRODUCTS + "4,Crème brûlée,20,5\n").encode("latin-1"))
    err = fails(cfg, store, match="cannot decode")
    assert err.row == 5 and err.hint and "encoding" in err.hint


def test_duplicate_id(tmp_path: Path, store: CatalogStore) -> None:
    ingest_file(write(tmp_path), store, progress=False)  # a catalog that must survive the failure
    cfg = write(tmp_path, PRODUCTS.replace("Whole Milk", "Changed") + "1,Oats again,10,1\n")
    err = fails(cfg, store, match="duplicate id '1'")
    assert (err.row, err.field) == (5, "product_id")
    assert store.get("2").name == "Whole Milk"


def test_empty_id(tmp_path: Path, store: CatalogStore) -> None:
    err = fails(write(tmp_path, PRODUCTS + " ,Nameless id,10,1\n"), store, match="empty id")
    assert (err.row, err.field) == (5, "product_id")


def test_missing_name_and_required_field(tmp_path: Path, store: CatalogStore) -> None:
    err = fails(write(tmp_path, PRODUCTS + "9,,10,1\n"), store, match="empty product name")
    assert (err.row, err.field) == (5, "product_name")
    cfg = write(tmp_path, PRODUCTS + "9,Mystery,99,1\n",
                extra_fields="")
    text = cfg.read_text().replace('kind = "categorical"', 'kind = "categorical"\nrequired = true')
    cfg.write_text(text)
    err = fails(cfg, store, match="required field is missing")
    assert (err.row, err.field) == (5, "aisles.aisle")


def test_bad_number_names_field(tmp_path: Path, store: CatalogStore) -> None:
    err = fails(write(tmp_path, PRODUCTS + "9,Tea,10,cheap\n"), store, match="cannot read 'cheap' as numeric")
    assert (err.row, err.field) == (5, "price")


def test_bad_config_is_a_config_error(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('name="x"\nid="id"\n[[tables]]\nname="p"\npath="p.csv"\n')
    with pytest.raises(ConfigError, match="name_field or name_template"):
        load_config(cfg)
    cfg.write_text("name = [")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(cfg)


def test_limit(tmp_path: Path, store: CatalogStore) -> None:
    report = ingest(load_config(write(tmp_path)), store, limit=2, progress=False)
    assert report.products == 2 and len(store) == 2


def test_parquet_and_tsv_tables(tmp_path: Path, store: CatalogStore) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"sku": [1, 2], "title": ["Oats", "Tea"], "cat": [10, 20]}), tmp_path / "p.parquet")
    (tmp_path / "c.tsv").write_text("cat\tcategory\n10\tbreakfast\n20\tdrinks\n")
    cfg = tmp_path / "c.toml"
    cfg.write_text('name="pq"\nid="sku"\nname_field="title"\n'
                   '[[tables]]\nname="p"\npath="p.parquet"\n[[tables]]\nname="c"\npath="c.tsv"\nkey="cat"\n'
                   '[[joins]]\nfrom="p.cat"\nto="c.cat"\n[[fields]]\ncolumn="c.category"\nname="category"\nkind="categorical"\n')
    report = ingest_file(cfg, store, progress=False)
    assert report.tables == {"c": 2, "p": 2}
    assert store.get("1").fields == {"category": "breakfast"} and store.get("2").fields == {"category": "drinks"}
