"""Metrics, judgments loading and the `shelfmind eval search` harness on a toy catalog."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from shelfmind.cli.main import cli
from shelfmind.errors import DataError
from shelfmind.llm.base import ChatRequest
from shelfmind.llm.providers.fake import FakeLLM
from shelfmind.runtime import Runtime
from shelfmind.search.evaluate import Judgments, evaluate, load_judgments, split_queries


def test_metrics_by_hand() -> None:
    j = Judgments(qrels={"q": {"a": 3.0, "b": 1.0, "c": 2.67}, "none": {"x": 1.0}}, min_relevance=1.0)
    m = evaluate({"q": ["b", "a", "z"], "none": ["x"]}, j, ["q", "none"], threshold=2.5)
    assert m.recall10 == 0.5 and m.recall100 == 0.5 and m.mrr == 0.5  # c is never retrieved
    dcg = 2 / 1.5849625007211563
    idcg = 2 + 1.67 / 1.5849625007211563
    assert abs(m.ndcg10 - (dcg / idcg + 0.0) / 2) < 1e-9


def test_load_judgments_and_split(tmp_path: Path) -> None:
    path = tmp_path / "j.csv"
    path.write_text("search_term,product_uid,relevance\nred wine,p4,3\nred  wine,p5,2\npasta,p1,2.67\n")
    j = load_judgments(path)
    assert j.qrels == {"red wine": {"p4": 3.0, "p5": 2.0}, "pasta": {"p1": 2.67}} and j.min_relevance == 2.0
    tune, report = split_queries(j.queries)
    assert sorted(tune + report) == j.queries
    path.write_text("a,b\n1,2\n")
    with pytest.raises(DataError, match="row 1"):
        load_judgments(path)


def _fake(request: ChatRequest) -> dict:
    if request.schema_name == "Expansion":
        return {"broad": True, "product_types": ["popcorn"]}
    return {"head": request.messages[-1].content.split("<query>")[1].split("</query>")[0].strip(), "filters": []}


def test_eval_search_command(catalog: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shelfmind.llm.factory.build_provider", lambda spec, settings: FakeLLM(responder=_fake))
    runner = CliRunner()
    assert runner.invoke(cli, ["index"]).exit_code == 0
    qrels = tmp_path / "j.csv"
    qrels.write_text("query,product_id,relevance\nred wine,p4,3\nred wine,p5,3\nred wine,p8,1\npasta,p1,3\n"
                     "gluten free pasta,p2,3\ngluten free pasta,p1,1\ntea,p10,3\nmovie snack,p9,3\n")
    res = runner.invoke(cli, ["eval", "search", "--judgments", str(qrels), "--llm-sample", "3",
                              "--out", str(tmp_path / "out"), "--json"])
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    systems = {r["system"] for r in report["rows"]}
    assert {"BM25 (stemmed)", "vectors (MiniLM)", "naive RRF (k=60)", "hybrid (default)", "+ QU (LLM)",
            "+ QU + expansion (LLM)"} <= systems
    assert all(0 <= r["metrics"]["ndcg10"] <= 1 for r in report["rows"])
    assert (tmp_path / "out" / "search_eval.png").stat().st_size > 1000


def test_fast_path_agreement_with_llm_parses(index, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from shelfmind.search.qu_eval import agreement, grocery_queries
    from shelfmind.search.understand import QueryUnderstander

    answers = {"gluten free pasta under $5": {"head": "pasta", "filters": [
        {"field": "gluten_free", "op": "eq", "value": True}, {"field": "price", "op": "le", "value": 5}]},
        "red wine": {"head": "red wine", "filters": []},
        "lindt chocolate over $3": {"head": "chocolate", "filters": [{"field": "price", "op": "gt", "value": 3}]}}
    llm = FakeLLM(responder=lambda req: answers[req.messages[-1].content.split("<query>")[1].split("</query>")[0].strip()])
    report = agreement(list(answers), QueryUnderstander(index.manifest, llm),
                       QueryUnderstander(index.manifest, None, use_llm_on_miss=False))
    assert report.queries == 3 and report.head_exact == 1.0 and report.filters_exact == 2 / 3
    assert report.filter_recall == 2 / 3 and report.filter_precision == 2 / 4  # ge vs gt, extra brand filter
    assert report.fast_p95_ms < 1000 and len(grocery_queries(12)) == 12
