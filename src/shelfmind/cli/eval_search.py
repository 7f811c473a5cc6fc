"""`shelfmind eval search --judgments FILE`: search quality on relevance judgments, table + plot."""

from __future__ import annotations

import json
from pathlib import Path

import click
from tqdm import tqdm

from shelfmind.cli.main import get_runtime
from shelfmind.errors import UserError


@click.command("search")
@click.option("--judgments", type=click.Path(exists=True, dir_okay=False),
              help="CSV(.gz) with query/search_term, product id and relevance columns.")
@click.option("--qu", "qu_n", type=int, default=0,
              help="Instead: fast-path vs LLM query-understanding agreement on N generated grocery queries.")
@click.option("--qu-file", type=click.Path(exists=True, dir_okay=False),
              help="Queries (one per line) for the --qu agreement instead of generated ones.")
@click.option("--threshold", default=2.5, show_default=True, help="Relevance counted as highly relevant.")
@click.option("--llm-sample", default=200, show_default=True,
              help="Queries (seeded random, from the report half) for the LLM rows; 0 skips them.")
@click.option("--rerank-sample", type=int, default=0, show_default=True,
              help="Offline experiment: LLM yes/no rerank of the hybrid top-10 on N seeded report-half queries.")
@click.option("--seed", default=13, show_default=True)
@click.option("--no-tune", is_flag=True, help="Skip the fusion grid search on the tune half.")
@click.option("--limit", type=int, default=None, help="Use at most N queries (quick runs).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Where the table (JSON) and plot (PNG) go (default: $SHELFMIND_HOME/reports).")
@click.option("--json", "as_json", is_flag=True)
def eval_search(judgments: str | None, qu_n: int, qu_file: str | None, threshold: float, llm_sample: int,
                rerank_sample: int, seed: int, no_tune: bool, limit: int | None,
                out_dir: str | None, as_json: bool) -> None:
    """BM25, vectors, naive RRF, the hybrid default, + query understanding and + expansion."""
    from shelfmind.search.engine import EngineConfig, HybridSearcher
    from shelfmind.search.eval_report import (
        EvalReport,
        Row,
        collect,
        engine_row,
        format_table,
        offline_rows,
        plot,
        tune,
    )
    from shelfmind.search.evaluate import evaluate, load_judgments, sample_queries, split_queries
    from shelfmind.search.expand import QueryExpander
    from shelfmind.search.factory import open_index, parse_cache_path
    from shelfmind.search.understand import QueryUnderstander

    rt = get_runtime()
    index = open_index(rt)
    if qu_n or qu_file:
        _qu_agreement(rt, index, qu_n, qu_file, out_dir, as_json)
        return
    if not judgments:
        raise UserError("give --judgments FILE (or --qu N)")
    judged = load_judgments(judgments)
    queries = judged.queries[:limit] if limit else judged.queries
    tune_q, report_q = split_queries(queries)
    default = EngineConfig()
    report = EvalReport(judgments=str(judgments), catalog_size=len(index), queries=len(queries),
                        threshold=threshold, default_config=default)
    click.echo(f"{len(queries)} queries ({len(tune_q)} tune / {len(report_q)} report), {len(index)} products",
               err=True)
    arm_runs = collect(HybridSearcher(index, config=default), queries, depth=max(200, default.depth))
    if not no_tune:
        tuned, tuned_m = tune(arm_runs, judged, tune_q, default, threshold)
        report.tuned_config = tuned
        report.rows.append(Row(system="hybrid (tuned on this half)", subset="tune half", metrics=tuned_m))
        from shelfmind.search.evaluate import fuse_runs

        report.rows.append(Row(system="hybrid (tuned config)", subset="report half",
                               metrics=evaluate(fuse_runs(arm_runs, tuned, queries=report_q, arms=("bm25", "vector")),
                                                judged, report_q, threshold)))
    report.rows += offline_rows(arm_runs, judged, report_q, "report half", default, threshold)
    if llm_sample > 0:
        subset = sample_queries(report_q, llm_sample, seed)
        name = f"llm subset (n={len(subset)})"
        report.rows += offline_rows(arm_runs, judged, subset, name, default, threshold)
        cache = parse_cache_path(rt)
        qu = QueryUnderstander(index.manifest, rt.llm, cache_path=cache, use_llm_on_miss=True)
        fast = QueryUnderstander(index.manifest, None, cache_path=None, use_llm_on_miss=False)
        report.rows.append(engine_row(HybridSearcher(index, understander=fast, config=default),
                                      "+ QU (fast path)", judged, subset, name, threshold))
        report.rows.append(engine_row(HybridSearcher(index, understander=qu, config=default),
                                      "+ QU (LLM)", judged, subset, name, threshold))
        expander = QueryExpander(rt.llm, index.manifest, cache_path=cache)
        report.rows.append(engine_row(HybridSearcher(index, understander=qu, expander=expander, config=default),
                                      "+ QU + expansion (LLM)", judged, subset, name, threshold))
        report.notes.append(f"LLM rows run on a seeded random subset (seed {seed}) of the report half; the "
                            "other rows are recomputed on the same subset.")
    if rerank_sample > 0:
        report.rows += _rerank_rows(rt, index, arm_runs, judged, sample_queries(report_q, rerank_sample, seed),
                                    default, threshold)
        report.notes.append(f"rerank rows: the LLM ({rt.settings.tier_for('search_rerank')} tier) reorders the "
                            f"hybrid top-10 of a seeded subset (seed {seed}) of the report half")
    out = Path(out_dir) if out_dir else rt.paths.reports_dir
    out.mkdir(parents=True, exist_ok=True)
    (out / "search_eval.json").write_text(report.model_dump_json(indent=2), encoding="utf-8")
    png = plot(report, out / "search_eval.png")
    if as_json:
        click.echo(report.model_dump_json())
        return
    click.echo(format_table(report))
    if report.tuned_config is not None:
        t = report.tuned_config
        click.echo(f"tuned on the tune half: fusion={t.fusion.value} weights={json.dumps(t.weights)} "
                   f"rrf_k={t.rrf_k} depth={t.depth} vector_floor={t.vector_floor} coverage_weight={t.coverage_weight}")
    for note in report.notes:
        click.echo(f"note: {note}")
    click.echo(f"plot: {png}")


def _rerank_rows(rt, index, arm_runs, judged, subset, config, threshold: float) -> list:  # type: ignore[no-untyped-def]
    """The hybrid default before / after the LLM rerank of its top-10, on the same queries."""
    from shelfmind.search.eval_report import ARMS, Row
    from shelfmind.search.evaluate import evaluate, fuse_runs
    from shelfmind.search.rerank import LLMReranker

    before = fuse_runs(arm_runs, config, queries=subset, arms=ARMS)
    reranker = LLMReranker(rt.llm, top_k=10)
    after = {}
    for q in tqdm(subset, desc="llm rerank", unit=" queries", leave=False):
        after[q] = reranker.rerank(q, before[q], index.names(before[q][:10]))
    name = f"rerank subset (n={len(subset)})"
    return [Row(system="hybrid (default)", subset=name, metrics=evaluate(before, judged, subset, threshold)),
            Row(system="+ LLM rerank top-10", subset=name, metrics=evaluate(after, judged, subset, threshold))]


def _qu_agreement(rt, index, n: int, path: str | None, out_dir: str | None, as_json: bool) -> None:  # type: ignore[no-untyped-def]
    from shelfmind.search.factory import parse_cache_path
    from shelfmind.search.qu_eval import agreement, grocery_gold
    from shelfmind.search.understand import QueryUnderstander

    gold = None
    if path:
        queries = [q.strip() for q in Path(path).read_text(encoding="utf-8").splitlines() if q.strip()]
        queries = queries[:n] if n else queries
    else:
        pairs = grocery_gold(n)
        queries, gold = [q for q, _ in pairs], [g for _, g in pairs]
    llm = QueryUnderstander(index.manifest, rt.llm, cache_path=parse_cache_path(rt), use_llm_on_miss=True)
    fast = QueryUnderstander(index.manifest, None, use_llm_on_miss=False)
    report = agreement(queries, llm, fast, gold)
    out = Path(out_dir) if out_dir else rt.paths.reports_dir
    out.mkdir(parents=True, exist_ok=True)
    (out / "search_qu_agreement.json").write_text(report.model_dump_json(indent=2), encoding="utf-8")
    if as_json:
        click.echo(report.model_dump_json())
        return
    click.echo(f"{report.queries} queries; fast path vs LLM parses: head exact {report.head_exact:.2f}, "
               f"head F1 {report.head_f1:.2f}, filter sets exact {report.filters_exact:.2f}, "
               f"filter precision {report.filter_precision:.2f}, recall {report.filter_recall:.2f}")
    click.echo(f"fast path latency p50 {report.fast_p50_ms:.3f} ms, p95 {report.fast_p95_ms:.3f} ms; "
               f"LLM mean {report.llm_mean_s:.2f} s/query (cached calls count as ~0)")
    for who, sc in report.vs_gold.items():
        click.echo(f"{who} vs the templates' correct parses: head exact {sc['head_exact']:.2f}, filter sets exact "
                   f"{sc['filters_exact']:.2f}, precision {sc['precision']:.2f}, recall {sc['recall']:.2f}")
    for r in report.rows:
        if r.llm_filters != r.fast_filters or r.llm_head.lower() != r.fast_head.lower():
            click.echo(f"  {r.query!r}: llm={r.llm_head!r} {r.llm_filters} | fast={r.fast_head!r} {r.fast_filters}")
