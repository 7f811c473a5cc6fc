"""The `shelfmind eval search` harness: systems side by side on one judgments file, a table, a plot.

Rows: BM25 alone, vectors alone, naive RRF (k=60, equal weights), the tuned hybrid default, and, on
a fixed random subset (LLM calls take seconds each here), + query understanding and + expansion,
with the cheap rows recomputed on the same subset for a fair comparison.
Fusion settings are tuned on one half of the queries (`split_queries`) and reported on the other.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field
from tqdm import tqdm

from shelfmind.search.engine import EngineConfig, HybridSearcher
from shelfmind.search.evaluate import (
    Collected,
    Judgments,
    Metrics,
    evaluate,
    fuse_runs,
    single_arm,
    split_queries,
)
from shelfmind.search.fusion import FusionMethod
from shelfmind.search.text import clean_query

NAIVE_RRF = EngineConfig(fusion=FusionMethod.RRF, weights={"bm25": 1.0, "vector": 1.0}, rrf_k=60, depth=100,
                         coverage_weight=0.0)


PLAIN = "bm25_plain"  # BM25 on the query as typed (no spelling additions); empty when identical
ARMS = ("bm25", "vector")


def plain_bm25(arm_runs: Collected) -> Collected:
    """The same runs with the BM25 arm taken from the plain query (the baseline)."""
    runs = {q: {"bm25": r[PLAIN] if PLAIN in r else r["bm25"], "vector": r["vector"]}
            for q, r in arm_runs.runs.items()}
    return Collected(runs=runs, texts=arm_runs.texts)


class Row(BaseModel):
    system: str
    subset: str  # "report half", "tune half", "llm subset (n)"
    metrics: Metrics


class EvalReport(BaseModel):
    judgments: str
    catalog_size: int
    queries: int
    threshold: float
    default_config: EngineConfig
    tuned_config: EngineConfig | None = None
    rows: list[Row] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)


def collect(engine: HybridSearcher, queries: Sequence[str], depth: int = 200, progress: bool = True) -> Collected:
    """BM25 and vector arms for every query, as the engine forms them (vectors embedded in one batch)."""
    index = engine.index
    cleaned = [clean_query(q) for q in queries]
    texts = [engine.arm_texts(q) for q in cleaned]
    vecs = index.embedder.embed([v for _, v in texts], batch_size=128)
    out = Collected(runs={})
    speller = index.speller if engine.config.spell else None
    for q, c, (bm25_text, _), v in tqdm(list(zip(queries, cleaned, texts, vecs, strict=True)), desc="retrieving",
                                        unit=" queries", disable=not progress, leave=False):
        out.runs[q] = {"bm25": index.bm25(bm25_text, depth, texts=out.texts),
                       "vector": index.ann(v, depth, texts=out.texts)}
        if bm25_text != c:
            out.runs[q][PLAIN] = index.bm25(c, depth, texts=out.texts)
        if speller is not None:
            out.fixes[q] = list(speller.corrections(c).values())
    return out


def grid(base: EngineConfig) -> list[EngineConfig]:
    """Fusion settings tried on the tune half (coverage weight 0 = plain fusion)."""
    configs = []
    for w_vec, floor, cov, depth in itertools.product((0.3, 0.5, 0.8, 1.2), (0.2, 0.3, 0.4), (0.0, 1.5, 2.5, 4.0),
                                                      (100, 200)):
        configs.append(base.model_copy(update={
            "fusion": FusionMethod.WEIGHTED, "depth": depth, "vector_floor": floor, "coverage_weight": cov,
            "weights": {**base.weights, "bm25": 1.0, "vector": w_vec}}))
    for w_vec, rrf_k, cov in itertools.product((0.5, 1.0, 1.5), (30, 60), (0.0, 0.03, 2.5)):
        configs.append(base.model_copy(update={
            "fusion": FusionMethod.RRF, "rrf_k": rrf_k, "depth": 100, "coverage_weight": cov,
            "weights": {**base.weights, "bm25": 1.0, "vector": w_vec}}))
    return configs


def tune(arm_runs: Collected, judgments: Judgments, queries: Sequence[str], base: EngineConfig,
         threshold: float) -> tuple[EngineConfig, Metrics]:
    """The grid config with the best mean of NDCG@10 and recall@10 on `queries`."""
    best: tuple[float, EngineConfig, Metrics] | None = None
    for cfg in grid(base):
        m = evaluate(fuse_runs(arm_runs, cfg, queries=queries, arms=ARMS), judgments, queries, threshold)
        objective = (m.ndcg10 + m.recall10) / 2
        if best is None or objective > best[0]:
            best = (objective, cfg, m)
    assert best is not None
    return best[1], best[2]


def offline_rows(arm_runs: Collected, judgments: Judgments, queries: Sequence[str], subset: str,
                 hybrid: EngineConfig, threshold: float) -> list[Row]:
    plain = plain_bm25(arm_runs)
    runs = {
        "BM25 (stemmed)": {q: [pid for pid, _ in plain.runs[q]["bm25"][:100]] for q in queries},
        "BM25 + spelling": single_arm(arm_runs, "bm25"),
        "vectors (MiniLM)": single_arm(arm_runs, "vector"),
        "naive RRF (k=60)": fuse_runs(plain, NAIVE_RRF, queries=queries, arms=ARMS),
        "hybrid, no coverage": fuse_runs(arm_runs, hybrid.model_copy(update={"coverage_weight": 0.0}),
                                         queries=queries, arms=ARMS),
        "hybrid (default)": fuse_runs(arm_runs, hybrid, queries=queries, arms=ARMS),
    }
    return [Row(system=name, subset=subset, metrics=evaluate(run, judgments, queries, threshold))
            for name, run in runs.items()]


def engine_row(engine: HybridSearcher, name: str, judgments: Judgments, queries: Sequence[str], subset: str,
               threshold: float, progress: bool = True) -> Row:
    runs: dict[str, list[str]] = {}
    for q in tqdm(queries, desc=name, unit=" queries", disable=not progress, leave=False):
        runs[q] = [h.id for h in engine.explain(q, k=100, with_names=False).hits]
    return Row(system=name, subset=subset, metrics=evaluate(runs, judgments, queries, threshold))


def format_table(report: EvalReport) -> str:
    lines = [f"{'system':<26} {'queries':<22} {'NDCG@10':>8} {'R@10':>7} {'R@100':>7} {'MRR':>7}"]
    for r in report.rows:
        m = r.metrics
        lines.append(f"{r.system:<26} {r.subset:<22} {m.ndcg10:8.4f} {m.recall10:7.4f} {m.recall100:7.4f} "
                     f"{m.mrr:7.4f}")
    return "\n".join(lines)


def plot(report: EvalReport, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    subsets = list(dict.fromkeys(r.subset for r in report.rows))
    fig, axes = plt.subplots(1, len(subsets), figsize=(6.5 * len(subsets), 4.2), squeeze=False)
    metrics = ("ndcg10", "recall10", "recall100", "mrr")
    for ax, subset in zip(axes[0], subsets, strict=True):
        rows = [r for r in report.rows if r.subset == subset]
        x = np.arange(len(metrics))
        width = 0.8 / max(1, len(rows))
        for i, r in enumerate(rows):
            ax.bar(x + i * width, [getattr(r.metrics, m) for m in metrics], width, label=r.system)
        ax.set_xticks(x + 0.4 - width / 2, ["NDCG@10", "R@10 (≥2.5)", "R@100 (≥2.5)", "MRR"])
        ax.set_ylim(0, 1)
        ax.set_title(subset)
        ax.legend(fontsize=7, loc="upper left")
    fig.suptitle(f"search quality: {Path(report.judgments).name} ({report.catalog_size} products)")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


__all__ = ["EvalReport", "Row", "collect", "engine_row", "format_table", "offline_rows", "plot", "split_queries",
           "tune"]
