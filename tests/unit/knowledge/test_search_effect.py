"""The KB -> search-evaluation harness on a tiny index: both arms rebuilt from the same vectors, the
touched subset found, and KB text that names the query helps it."""

from __future__ import annotations

from pathlib import Path

from shelfmind.embed.base import HashingEmbedder
from shelfmind.knowledge.search_effect import (
    SearchEffect,
    compare,
    format_effect,
    kb_intents,
    rebuild,
    touched,
)
from shelfmind.schemas import Product
from shelfmind.search.evaluate import Judgments, split_queries
from shelfmind.search.lance import LanceIndex


def test_kb_text_arms_and_touched_subset(tmp_path: Path, products: list[Product]) -> None:
    base = LanceIndex(tmp_path / "index", HashingEmbedder(64), catalog_name="test")
    base.build(products)
    candidates = ["bedtime drink", "sleepy time", "night cap", "wind down", "calm evening", "before bed",
                  "good night", "lullaby", "rest well", "soothing cup"]
    report = split_queries(candidates)[1]
    assert report, "no candidate query fell in the report half"
    qrels = {q: {"p1": 3.0, "p2": 3.0, "p4": 1.0} for q in candidates}
    qrels["pasta"] = {"p11": 3.0}
    judged = Judgments(qrels=qrels, min_relevance=1.0)
    assert set(kb_intents(judged, 50)) == set(split_queries(judged.queries)[0])  # tune half only
    extra = {pid: "Good for: " + ", ".join(report) + "." for pid in ("p1", "p2")}
    assert set(touched(judged, judged.queries, extra)) == set(candidates)
    without = rebuild(base, tmp_path / "a", products, None)
    with_kb = rebuild(base, tmp_path / "b", products, extra)
    assert (with_kb.manifest and with_kb.manifest.extra_text["count"] == 2
            and without.manifest and without.manifest.extra_text.get("count", 0) == 0)
    rows, n_report, n_touched = compare(without, with_kb, judged, extra)
    assert n_report == len(split_queries(judged.queries)[1]) and n_touched == len(report)
    by = {(r.system, r.subset): r.metrics for r in rows}
    sub = f"touched (n={n_touched})"
    assert by[("hybrid (default) / with KB text", sub)].ndcg10 > by[("hybrid (default) / without KB text", sub)].ndcg10
    text = format_effect(SearchEffect(judgments="x", intents_built=1, intents_failed=0, products_with_kb_text=2,
                                      report_queries=n_report, touched_queries=n_touched, rows=rows))
    assert "hybrid (default) / with KB text" in text and "NDCG@10" in text


def test_rerun_reuses_the_arm_copy_vectors(tmp_path: Path, products: list[Product]) -> None:
    base = LanceIndex(tmp_path / "index", HashingEmbedder(64), catalog_name="test")
    base.build(products)
    first = rebuild(base, tmp_path / "with", products, {"p1": "Good for: bedtime."})
    assert first.reused_vectors == len(products) - 1  # only p1's text changed against the base
    again = rebuild(base, tmp_path / "with", products, {"p1": "Good for: bedtime.", "p2": "Good for: naps."})
    assert again.reused_vectors == len(products) - 1  # p1 from the arm's own copy, p2 embedded
    assert again.manifest and again.manifest.extra_text["count"] == 2
