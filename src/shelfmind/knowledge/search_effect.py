"""The knowledge base's effect on the search evaluation (`shelfmind eval knowledge --search-judgments`).

Protocol (no report-half query is ever seen by the KB build):
1. the judged queries are split into the tune half and the report half exactly as `eval search` does;
2. a seeded sample of TUNE-half queries is the query log: each becomes an intent that the real planner
   turns into grounded, verified links and themes (resumable, LLM-cached);
3. the KB's text per product (intents served, themes, uses) is added to those products' index text in a
   copy of the search index (vectors of unchanged products are reused, changed ones re-embedded);
4. the default hybrid engine runs the REPORT-half queries on both indexes: NDCG@10 / R@10 for all of
   them and for the subset whose judged products received KB text.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path

from pydantic import BaseModel, Field

from shelfmind.schemas import Product
from shelfmind.search.eval_report import Row, collect, offline_rows
from shelfmind.search.evaluate import Judgments, split_queries
from shelfmind.search.lance import LanceIndex

SYSTEMS = ("BM25 + spelling", "vectors (MiniLM)", "hybrid (default)")


class SearchEffect(BaseModel):
    judgments: str
    intents_built: int
    intents_failed: int
    products_with_kb_text: int
    report_queries: int
    touched_queries: int  # report-half queries with a judged product that received KB text
    rows: list[Row] = Field(default_factory=list)  # system, subset ("all"/"touched") x arm in the name
    notes: list[str] = Field(default_factory=list)


def kb_intents(judged: Judgments, n: int, seed: int = 13) -> list[str]:
    """The query log for the KB: a seeded sample of tune-half queries (never report-half ones)."""
    from shelfmind.search.evaluate import sample_queries

    tune, _ = split_queries(judged.queries)
    return sample_queries(tune, n, seed)


def touched(judged: Judgments, queries: Sequence[str], extra: Mapping[str, str]) -> list[str]:
    return [q for q in queries if any(pid in extra for pid in judged.qrels.get(q, {}))]


def rebuild(base: LanceIndex, path: Path, products: Sequence[Product], extra: Mapping[str, str] | None) -> LanceIndex:
    """A copy of `base` at `path` rebuilt over `products` with `extra` text. Vectors of unchanged rows are
    reused (only products with KB text are embedded again) and vector search is exact, so the two arms
    differ by the KB text alone (no approximate-index training noise). The copy is kept between runs and
    is its own vector source on a rerun, so an index built before text hashes were stored is embedded once."""
    from shelfmind.search.manifest import MANIFEST_NAME

    if not (path / MANIFEST_NAME).exists():
        shutil.rmtree(path, ignore_errors=True)
        shutil.copytree(base.path, path)
    settings = base.settings.model_copy(update={"ann_min_rows": 10**9})
    index = LanceIndex(path, base.embedder, schema=base.schema, settings=settings, catalog_name=base.catalog_name)
    index.build(list(products), extra, progress=True)
    return index


def compare(base: LanceIndex, with_kb: LanceIndex, judged: Judgments, extra: Mapping[str, str], *,
            threshold: float = 2.5) -> tuple[list[Row], int, int]:
    from shelfmind.search.engine import EngineConfig, HybridSearcher

    _, report = split_queries(judged.queries)
    hit = touched(judged, report, extra)
    default = EngineConfig()
    rows: list[Row] = []
    for label, index in (("without KB text", base), ("with KB text", with_kb)):
        runs = collect(HybridSearcher(index, config=default), report, depth=max(200, default.depth))
        for subset, queries in (("report half", report), (f"touched (n={len(hit)})", hit)):
            if not queries:
                continue
            for row in offline_rows(runs, judged, queries, subset, default, threshold):
                if row.system in SYSTEMS:
                    rows.append(row.model_copy(update={"system": f"{row.system} / {label}"}))
    return rows, len(report), len(hit)


def format_effect(effect: SearchEffect) -> str:
    lines = [f"KB from {effect.intents_built} tune-half queries ({effect.intents_failed} failed); "
             f"{effect.products_with_kb_text} products received KB text; report half {effect.report_queries} "
             f"queries, {effect.touched_queries} touched (a judged product has KB text)",
             f"{'system / index':<36} {'subset':<18} {'NDCG@10':>8} {'R@10':>7} {'R@100':>7} {'MRR':>7}"]
    for r in effect.rows:
        m = r.metrics
        lines.append(f"{r.system:<36} {r.subset:<18} {m.ndcg10:>8.4f} {m.recall10:>7.4f} {m.recall100:>7.4f} "
                     f"{m.mrr:>7.4f}")
    lines += [f"note: {n}" for n in effect.notes]
    return "\n".join(lines)
