"""Search evaluation on relevance judgments: NDCG@10, recall@10/@100 of highly relevant products, MRR.

Judgments: a CSV (optionally .gz) with a query column (query or search_term), a product id column
(product_id, product_uid or id) and a graded relevance column. Gains for NDCG are `relevance - min`
(for Home Depot's 1..3 scale an irrelevant product gains 0); "highly relevant" is relevance >=
`threshold` (2.5 for Home Depot). Unjudged products count as not relevant.

Arms are collected once per query (`collect_arms`), so fusion settings can be compared without
re-running retrieval (`fuse_runs`).
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import math
import random
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field
from tqdm import tqdm

from shelfmind.errors import DataError
from shelfmind.search.engine import EngineConfig
from shelfmind.search.fusion import fuse
from shelfmind.search.rank import Coverage
from shelfmind.search.rank import apply as apply_coverage
from shelfmind.search.text import clean_query

_QUERY_COLS = ("query", "search_term", "q")
_ID_COLS = ("product_id", "product_uid", "id", "pid")
_REL_COLS = ("relevance", "grade", "label", "score")


class Judgments(BaseModel):
    qrels: dict[str, dict[str, float]]  # query -> product id -> relevance
    min_relevance: float = 0.0

    @property
    def queries(self) -> list[str]:
        return sorted(self.qrels)


def load_judgments(path: Path | str) -> Judgments:
    path = Path(path)
    if not path.exists():
        raise DataError("judgments file not found", file=str(path))
    raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    reader = csv.DictReader(io.StringIO(raw.decode("utf-8", errors="replace")))
    cols = reader.fieldnames or []
    qcol = next((c for c in _QUERY_COLS if c in cols), None)
    icol = next((c for c in _ID_COLS if c in cols), None)
    rcol = next((c for c in _REL_COLS if c in cols), None)
    if not (qcol and icol and rcol):
        raise DataError(f"need query, product id and relevance columns, found {cols}", file=str(path), row=1)
    qrels: dict[str, dict[str, float]] = {}
    lo = math.inf
    for n, row in enumerate(reader, start=2):
        try:
            rel = float(row[rcol])
        except (TypeError, ValueError) as exc:
            raise DataError(f"relevance {row.get(rcol)!r} is not a number", file=str(path), row=n,
                            field=rcol) from exc
        q = " ".join((row[qcol] or "").split())
        if q:
            qrels.setdefault(q, {})[str(row[icol]).strip()] = rel
            lo = min(lo, rel)
    return Judgments(qrels=qrels, min_relevance=0.0 if lo is math.inf else lo)


def split_queries(queries: Sequence[str]) -> tuple[list[str], list[str]]:
    """A fixed split by hash: (tune half, report half)."""
    tune: list[str] = []
    test: list[str] = []
    for q in queries:
        (tune if hashlib.sha1(q.encode()).digest()[0] % 2 == 0 else test).append(q)
    return tune, test


def sample_queries(queries: Sequence[str], n: int, seed: int = 13) -> list[str]:
    """The first n of a seeded shuffle: a smaller sample is a prefix of a larger one."""
    pool = sorted(queries)
    random.Random(seed).shuffle(pool)
    return pool[:n]


class Metrics(BaseModel):
    ndcg10: float
    recall10: float
    recall100: float
    mrr: float
    queries: int


def evaluate(runs: Mapping[str, Sequence[str]], judgments: Judgments, queries: Sequence[str],
             threshold: float = 2.5) -> Metrics:
    """Mean metrics over `queries` (recall and MRR over queries that have a highly relevant product)."""
    ndcgs, r10, r100, rr = [], [], [], []
    for q in queries:
        rels = judgments.qrels.get(q, {})
        ranked = list(runs.get(q, []))
        gains = {pid: max(0.0, r - judgments.min_relevance) for pid, r in rels.items()}
        dcg = sum(gains.get(pid, 0.0) / math.log2(i + 2) for i, pid in enumerate(ranked[:10]))
        ideal = sorted(gains.values(), reverse=True)[:10]
        idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
        ndcgs.append(dcg / idcg if idcg > 0 else 0.0)
        high = {pid for pid, r in rels.items() if r >= threshold}
        if not high:
            continue
        r10.append(len(high & set(ranked[:10])) / len(high))
        r100.append(len(high & set(ranked[:100])) / len(high))
        first = next((i for i, pid in enumerate(ranked[:100]) if pid in high), None)
        rr.append(0.0 if first is None else 1.0 / (first + 1))
    mean = lambda xs: float(np.mean(xs)) if xs else 0.0  # noqa: E731
    return Metrics(ndcg10=mean(ndcgs), recall10=mean(r10), recall100=mean(r100), mrr=mean(rr),
                   queries=len(queries))


_COVERAGE = Coverage()
ArmRuns = dict[str, dict[str, list[tuple[str, float]]]]  # query -> arm -> ranked (id, score)


def collect_arms(queries: Sequence[str], arms: Mapping[str, Callable[[str], list[tuple[str, float]]]],
                 *, progress: bool = True) -> ArmRuns:
    out: ArmRuns = {}
    for q in tqdm(queries, desc="retrieving", unit=" queries", disable=not progress, leave=False):
        out[q] = {name: fn(q) for name, fn in arms.items()}
    return out


class Collected(BaseModel):
    """Arms per query plus what the coverage feature needs (index texts, spelling corrections)."""

    runs: dict[str, dict[str, list[tuple[str, float]]]]
    texts: dict[str, str] = Field(default_factory=dict)
    fixes: dict[str, list[str]] = Field(default_factory=dict)
    coverage: dict[str, dict[str, float]] = Field(default_factory=dict)  # computed once per query

    def coverage_for(self, query: str) -> dict[str, float]:
        if query not in self.coverage:
            ids = {pid for ranked in self.runs[query].values() for pid, _ in ranked}
            self.coverage[query] = _COVERAGE.scores(sorted(ids), self.texts, clean_query(query),
                                                    self.fixes.get(query, []))
        return self.coverage[query]


def fuse_runs(arm_runs: ArmRuns | Collected, config: EngineConfig, arms: Sequence[str] | None = None,
              depth: int | None = None, queries: Sequence[str] | None = None) -> dict[str, list[str]]:
    """Fused rankings from pre-collected arms, as the engine would fuse (and rerank) them."""
    collected = arm_runs if isinstance(arm_runs, Collected) else Collected(runs=arm_runs)
    depth = depth or config.depth
    use_coverage = config.coverage_weight > 0 and bool(collected.texts)
    out: dict[str, list[str]] = {}
    for q in queries if queries is not None else collected.runs:
        by_arm = collected.runs[q]
        chosen = {a: r[:depth] for a, r in by_arm.items() if arms is None or a in arms}
        floors = {a: config.vector_floor for a in chosen if a.endswith("vector")}
        weights = {a: config.weights.get(a.split("/")[-1], 1.0) for a in chosen}
        ranked = fuse(chosen, config.fusion, weights, rrf_k=config.rrf_k, floors=floors)
        if use_coverage:
            ranked = apply_coverage(ranked, collected.coverage_for(q), config.coverage_weight)
        out[q] = [pid for pid, _ in ranked[:100]]
    return out


def single_arm(arm_runs: ArmRuns | Collected, arm: str) -> dict[str, list[str]]:
    runs = arm_runs.runs if isinstance(arm_runs, Collected) else arm_runs
    return {q: [pid for pid, _ in by_arm.get(arm, [])[:100]] for q, by_arm in runs.items()}
