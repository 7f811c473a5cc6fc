"""Fusion arithmetic and the rule fast path of query understanding."""

from __future__ import annotations

from shelfmind.search.base import FilterOp
from shelfmind.search.fastpath import FastParser
from shelfmind.search.fusion import FusionMethod, fuse, rrf, weighted
from shelfmind.search.lance import LanceIndex


def test_rrf_rewards_agreement() -> None:
    scores = rrf({"a": [("x", 9.0), ("y", 1.0)], "b": [("y", 0.9), ("z", 0.8)]}, k=60)
    assert scores["y"] > scores["x"] > scores["z"]
    assert abs(scores["y"] - (1 / 62 + 1 / 61)) < 1e-12


def test_weighted_normalises_per_arm_and_applies_floors() -> None:
    scores = weighted({"bm25": [("x", 10.0), ("y", 5.0)], "vector": [("y", 0.6), ("x", 0.2)]},
                      {"bm25": 1.0, "vector": 2.0}, floors={"vector": 0.2})
    assert scores == {"x": 1.0, "y": 0.5 + 2.0}
    ranked = fuse({"a": [("x", 1.0)], "b": [("y", 1.0)]}, FusionMethod.WEIGHTED, {"a": 1.0, "b": 0.5})
    assert [pid for pid, _ in ranked] == ["x", "y"]


def fields(parse):  # type: ignore[no-untyped-def]
    return {(f.field, f.op, f.value if not isinstance(f.value, float) else round(f.value, 2)) for f in parse.filters}


def test_fast_path_parses_price_boolean_year_and_catalog_values(index: LanceIndex) -> None:
    fast = FastParser(index.manifest)
    p = fast.parse("gluten free pasta under $5")
    assert p.head == "pasta"
    assert fields(p) == {("gluten_free", FilterOp.EQ, True), ("price", FilterOp.LE, 5.0)}
    p = fast.parse("2018 red wine $30 california")
    assert p.head == "red wine"
    assert fields(p) == {("vintage", FilterOp.EQ, 2018), ("price", FilterOp.GE, 24.0),
                         ("price", FilterOp.LE, 36.0), ("region", FilterOp.EQ, "california")}
    p = fast.parse("Lindt dark chocolate between 2 and 4 dollars")
    assert p.head == "dark chocolate"
    assert fields(p) == {("brand", FilterOp.EQ, "lindt"), ("price", FilterOp.GE, 2.0), ("price", FilterOp.LE, 4.0)}
    p = fast.parse("organic")
    assert p.head == "organic" and fields(p) == {("organic", FilterOp.EQ, True)}
    assert fast.parse("popcorn").filters == []


def test_spelling_correction_uses_the_catalog_vocabulary(index: LanceIndex) -> None:
    speller = index.speller
    assert speller is not None
    assert speller.corrections("glutten wnie pastaa tea") == {"glutten": "gluten", "pastaa": "pasta"}
    assert speller.expand("cabernet") == "cabernet"


def test_coverage_rerank_prefers_products_with_every_query_word() -> None:
    from shelfmind.search.rank import Coverage

    texts = {"a": "cordless drill battery", "b": "cordless drills 20v kit", "c": "hammer"}
    ranked = [("a", 0.9), ("c", 0.8), ("b", 0.5)]
    out = Coverage().rerank(ranked, texts, "cordless drill kit", weight=2.0)
    assert [pid for pid, _ in out] == ["b", "a", "c"]  # stemmed: drills ~ drill
    fixed = Coverage().rerank([("c", 0.1), ("a", 0.2)], texts, "hamer", corrections=["hammer"], weight=1.0)
    assert fixed[0][0] == "c"
    alt = Coverage().rerank([("a", 0.5), ("c", 0.1)], texts, "diy gift", weight=1.0, alternatives=[("hammer", 0.8)])
    assert alt[0][0] == "c"
