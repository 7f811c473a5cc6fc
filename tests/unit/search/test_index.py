"""LanceIndex: filters, out-of-stock, dynamic updates, upserts, deletes, manifest."""

from __future__ import annotations

from pathlib import Path

import pytest

from shelfmind.embed.base import HashingEmbedder
from shelfmind.errors import NotFound, UserError
from shelfmind.schemas import Product
from shelfmind.search.base import Filter, FilterOp, RetrievalMode, SearchIndex
from shelfmind.search.lance import LanceIndex
from shelfmind.search.manifest import ColumnKind, read_manifest


def ids(hits) -> set[str]:  # type: ignore[no-untyped-def]
    return {h.id for h in hits}


def test_is_a_search_index(index: LanceIndex) -> None:
    assert isinstance(index, SearchIndex)


def test_bm25_finds_stemmed_terms(index: LanceIndex) -> None:
    hits = index.search("wines", k=5, mode=RetrievalMode.BM25)
    assert ids(hits) == {"p4", "p5", "p6"}


def test_filters_numeric_categorical_boolean_list_attribute(index: LanceIndex) -> None:
    def q(*filters: Filter, text: str = "pasta wine juice tea") -> set[str]:
        return ids(index.search(text, k=10, mode=RetrievalMode.BM25, filters=filters))

    assert q(Filter(field="price", op=FilterOp.LE, value=4)) == {"p1", "p7"}
    assert q(Filter(field="brand", value="napa cellars")) == {"p4", "p6"}
    assert q(Filter(field="Region", value="California"), Filter(field="vintage", value=2018)) == {"p4"}
    assert q(Filter(field="organic", value=True)) == {"p1", "p3", "p7", "p10"}
    assert q(Filter(field="tags", op=FilterOp.CONTAINS, value="organic")) == {"p7"}
    assert q(Filter(field="gluten_free", value=True)) == {"p2", "p3"}
    assert q(Filter(field="brand", op=FilterOp.IN, value=["Schar", "Lindt"])) == {"p3"}


def test_unknown_filter_field_is_a_user_error(index: LanceIndex) -> None:
    with pytest.raises(UserError, match="unknown filter field"):
        index.search("pasta", filters=[Filter(field="colour", value="red")])
    with pytest.raises(UserError, match="expected a number"):
        index.search("pasta", filters=[Filter(field="price", op=FilterOp.LE, value="cheap")])


def test_manifest_records_embedder_template_columns_and_extra_text(index: LanceIndex) -> None:
    m = read_manifest(index.path)
    assert m.embedder == "hashing-64" and m.dim == 64 and m.catalog_size == 10
    assert m.text_template and m.settings["fts_stem"] is True
    kinds = {c.name: c.kind for c in m.columns}
    assert kinds["brand"] == ColumnKind.CATEGORICAL and kinds["vintage"] == ColumnKind.NUMERIC
    assert kinds["organic"] == ColumnKind.BOOLEAN and kinds["tags"] == ColumnKind.LIST
    assert kinds["gluten_free"] == ColumnKind.BOOLEAN and "description" not in kinds
    assert m.extra_text["count"] == 1 and m.extra_text["hash"]


def test_extra_text_is_searchable(index: LanceIndex) -> None:
    assert [h.id for h in index.search("movie night", k=1, mode=RetrievalMode.BM25)] == ["p9"]


def test_out_of_stock_is_filtered_and_dynamic_update_keeps_vector(index: LanceIndex) -> None:
    before = index.table.search().where("id = 'p7'").to_arrow()["vector"].to_pylist()[0]
    index.update_dynamic("p7", in_stock=False, price=1.0)
    assert "p7" not in ids(index.search("apple juice", k=10))
    index.update_dynamic("p7", in_stock=True)
    row = index.rows(["p7"])[0]
    assert row["price"] == 1.0 and row["in_stock"] is True
    after = index.table.search().where("id = 'p7'").to_arrow()["vector"].to_pylist()[0]
    assert before == after
    assert "p7" in ids(index.search("apple juice", k=3, filters=[Filter(field="price", op=FilterOp.LT, value=1.5)]))


def test_upsert_and_delete(index: LanceIndex) -> None:
    index.upsert([Product(id="p11", name="Basmati rice", price=3.0, fields={"brand": "Tilda"}),
                  Product(id="p8", name="Milk chocolate bar", price=2.5, fields={"brand": "Lindt"})],
                 extra_text={"p11": "curry night"})
    assert len(index) == 11
    assert [h.id for h in index.search("basmati", k=1, mode=RetrievalMode.BM25)] == ["p11"]
    assert [h.id for h in index.search("curry", k=1, mode=RetrievalMode.BM25)] == ["p11"]
    assert index.names(["p8"]) == {"p8": "Milk chocolate bar"}
    index.delete(["p11", "p1"])
    assert len(index) == 9 and read_manifest(index.path).catalog_size == 9
    assert not ids(index.search("basmati spaghetti", k=5, mode=RetrievalMode.BM25)) & {"p11", "p1"}


def test_open_checks_embedder_and_existence(index: LanceIndex, tmp_path: Path) -> None:
    assert len(LanceIndex.open(index.path, HashingEmbedder(64))) == 10
    with pytest.raises(UserError, match="built with embedder"):
        LanceIndex.open(index.path, HashingEmbedder(32))
    with pytest.raises(NotFound, match="no search index"):
        LanceIndex.open(tmp_path / "nothing", HashingEmbedder(64))


def test_rebuild_replaces_the_previous_index(index: LanceIndex, products: list[Product]) -> None:
    index.build(products[:3])
    assert len(index) == 3 and read_manifest(index.path).catalog_size == 3


def test_rebuild_reuses_vectors_of_unchanged_products(index: LanceIndex, products: list[Product]) -> None:
    products[0] = products[0].model_copy(update={"name": "Fresh egg tagliatelle"})
    index.build(products, extra_text={"p9": "movie night snack"})
    assert index.reused_vectors == 9
    assert [h.id for h in index.search("tagliatelle", k=1, mode=RetrievalMode.BM25)] == ["p1"]


def test_a_reader_survives_a_rebuild_by_another_writer(index: LanceIndex, products: list[Product]) -> None:
    """A long-running reader (the service) keeps answering after `shelfmind index` rebuilt the index
    underneath it: the old files are gone, so it must notice and reopen."""
    reader = LanceIndex.open(index.path, HashingEmbedder(64))
    assert ids(reader.search("pasta", k=3, mode=RetrievalMode.BM25))
    assert not ids(reader.search("tagliatelle", k=3, mode=RetrievalMode.BM25))
    writer = LanceIndex(index.path, HashingEmbedder(64), schema=index.schema, catalog_name="test")
    renamed = products[0].model_copy(update={"name": "Fresh egg tagliatelle"})
    writer.build([renamed, *products[1:]], extra_text={"p9": "movie night snack"})
    assert [h.id for h in reader.search("tagliatelle", k=1, mode=RetrievalMode.BM25)] == ["p1"]
    assert len(reader) == len(products)
