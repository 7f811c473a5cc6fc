"""The hybrid engine with FakeLLM query understanding and expansion; bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from shelfmind.errors import ProviderError, UserError
from shelfmind.llm.providers.fake import FakeLLM
from shelfmind.search.base import Filter, FilterOp, ProductSearcher
from shelfmind.search.engine import EngineConfig, HybridSearcher
from shelfmind.search.expand import QueryExpander
from shelfmind.search.fusion import FusionMethod
from shelfmind.search.lance import LanceIndex
from shelfmind.search.query import ParseSource
from shelfmind.search.understand import QueryUnderstander

WINE = {"head": "red wine", "filters": [
    {"field": "vintage", "op": "eq", "value": 2018}, {"field": "price", "op": "eq", "value": 30},
    {"field": "region", "op": "eq", "value": "California"}, {"field": "region", "op": "eq", "value": "mars"},
    {"field": "colour", "op": "eq", "value": "red"}]}


def test_llm_parse_is_grounded_cached_and_applied(index: LanceIndex, tmp_path: Path) -> None:
    llm = FakeLLM([WINE])
    qu = QueryUnderstander(index.manifest, llm, cache_path=tmp_path / "parses.sqlite")
    engine = HybridSearcher(index, understander=qu)
    assert isinstance(engine, ProductSearcher)
    out = engine.explain("2018 red wine $30 california", k=5)
    assert out.parse is not None and out.parse.source == ParseSource.LLM and out.parse.head == "red wine"
    assert {(f.field, f.op) for f in out.parse.filters} == {
        ("vintage", FilterOp.EQ), ("price", FilterOp.GE), ("price", FilterOp.LE), ("region", FilterOp.EQ)}
    assert len(out.parse.dropped) == 2 and out.parse.trace["prompt"].startswith("search_query_understanding@")
    assert [h.id for h in out.hits] == ["p4"]
    # the fields offered to the LLM are an enum of the catalog's own filterable fields
    schema = llm.requests[0].json_schema
    assert "vintage" in schema["properties"]["filters"]["items"]["properties"]["field"]["enum"]
    # cached: a second engine (new process) does not call the LLM
    qu2 = QueryUnderstander(index.manifest, FakeLLM(), cache_path=tmp_path / "parses.sqlite")
    again = qu2.parse("2018  Red wine $30 california")
    assert again.source == ParseSource.CACHE and again.head == "red wine"


def test_uncached_queries_use_the_fast_path_without_llm(index: LanceIndex, tmp_path: Path) -> None:
    qu = QueryUnderstander(index.manifest, FakeLLM(), cache_path=tmp_path / "p.sqlite", use_llm_on_miss=False)
    hits = HybridSearcher(index, understander=qu).search("gluten free pasta under $5", k=5)
    assert [h.id for h in hits] == ["p2"]


def test_llm_failure_falls_back_to_fast_path(index: LanceIndex) -> None:
    qu = QueryUnderstander(index.manifest, FakeLLM([ProviderError("down"), ProviderError("down")]))
    parse = qu.parse("gluten free pasta under $5")
    assert parse.source == ParseSource.FAST and parse.head == "pasta" and "llm failed" in parse.dropped[0]


def test_parsed_filters_that_match_nothing_are_relaxed(index: LanceIndex) -> None:
    llm = FakeLLM([{"head": "pasta", "filters": [{"field": "price", "op": "le", "value": 1}]}])
    out = HybridSearcher(index, understander=QueryUnderstander(index.manifest, llm)).explain("cheap pasta")
    assert out.relaxed and {h.id for h in out.hits} >= {"p1", "p2", "p3"}


def test_expansion_adds_arms_for_broad_intents(index: LanceIndex, tmp_path: Path) -> None:
    llm = FakeLLM([{"broad": True, "product_types": ["popcorn", "chocolate", "movie night"]}])
    expander = QueryExpander(llm, index.manifest, cache_path=tmp_path / "p.sqlite")
    engine = HybridSearcher(index, expander=expander, config=EngineConfig(vector=False))
    out = engine.explain("movie night", k=3)
    assert out.expansions == ["popcorn", "chocolate"]
    assert {a.name for a in out.arms} == {"bm25", "expansion:popcorn/bm25", "expansion:chocolate/bm25"}
    assert {h.id for h in out.hits} == {"p9", "p8"}
    assert expander.expand("movie night") == ["popcorn", "chocolate"] and len(llm.requests) == 1
    specific = QueryExpander(FakeLLM([{"broad": False, "product_types": ["x"]}]), index.manifest)
    assert specific.expand("penne") == []


@pytest.mark.parametrize("method", list(FusionMethod))
def test_hybrid_fusion_methods_rank_the_obvious_match_first(index: LanceIndex, method: FusionMethod) -> None:
    engine = HybridSearcher(index, config=EngineConfig(fusion=method))
    assert engine.search("chamomile tea", k=3)[0].id == "p10"


def test_bad_input_gives_clear_user_errors(index: LanceIndex) -> None:
    engine = HybridSearcher(index)
    for q in ("", "   \n\t "):
        with pytest.raises(UserError, match="empty"):
            engine.search(q)
    assert engine.search("pasta " * 2000, k=3)  # a 10 KB query is truncated, not a crash
    with pytest.raises(UserError, match="unknown value 'ACME'"):
        engine.search("pasta", filters=[Filter(field="brand", value="ACME")])
    with pytest.raises(UserError, match="unknown filter field"):
        engine.search("pasta", filters=[Filter(field="colour", value="red")])
    with pytest.raises(UserError, match="script"):
        engine.search("意大利面")
    with pytest.raises(UserError, match="k must be"):
        engine.search("pasta", k=0)
    assert engine.search("Pâtes pasta", k=1)  # accents are fine
