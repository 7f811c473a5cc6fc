"""`shelfmind eval knowledge`: verifier agreement with hand labels and the KB's retrieval effect."""

from __future__ import annotations

import json
import sys
from typing import Any

import click
from pydantic import BaseModel

from shelfmind.cli.main import get_runtime


@click.command("knowledge")
@click.option("--sample", type=click.Path(dir_okay=False, exists=True),
              help="Labelled assertions (JSONL). Default: the packaged sample on the bundled grocery catalog.")
@click.option("--limit", type=int, default=None, help="Evaluate only the first N labelled assertions.")
@click.option("--rules-only", is_flag=True, help="Verifier without the LLM judge (no judge calls; with --themes too).")
@click.option("--retrieval/--no-retrieval", default=True, show_default=True,
              help="Also measure search over product text with and without the KB addendum.")
@click.option("--kb-from-sample", is_flag=True,
              help="Retrieval: use a KB of only the sample's human-approved links instead of the built KB.")
@click.option("--plot", type=click.Path(dir_okay=False), default=None,
              help="PNG of verifier scores by label (default: $SHELFMIND_HOME/reports/knowledge_verifier.png).")
@click.option("--themes", is_flag=True,
              help="Instead: theme count / size / overlap / grounding for 8 broad intents and 3 specific "
                   "queries with the real planner (nothing is stored; the LLM cache makes reruns free).")
@click.option("--search-judgments", type=click.Path(dir_okay=False, exists=True), default=None,
              help="Instead: the KB's effect on `eval search` with these judgments (intents = a sample of the "
                   "tune-half queries; metrics on the report half, with and without KB text in the index).")
@click.option("--intents", "n_intents", type=int, default=40, show_default=True,
              help="--search-judgments: tune-half queries built into the KB.")
@click.option("--per-kind", type=int, default=1, show_default=True,
              help="--search-judgments: products grounded per proposed kind.")
@click.option("--judge/--no-judge", default=False, show_default=True,
              help="--search-judgments: verify links with the LLM judge (KB text from served links) or with the "
                   "rules alone (KB text from every non-rejected link; far fewer model calls).")
@click.option("--domain", type=click.Choice(["grocery", "home_improvement"]), default=None,
              help="Store domain of the planning prompts (default: grocery; home_improvement for "
                   "--search-judgments).")
@click.option("--json", "as_json", is_flag=True)
def eval_knowledge(sample: str | None, limit: int | None, rules_only: bool, retrieval: bool, kb_from_sample: bool,
                   plot: str | None, themes: bool, search_judgments: str | None, n_intents: int, per_kind: int,
                   judge: bool, domain: str | None, as_json: bool) -> None:
    """Auto-approved share, verifier accuracy / Cohen's kappa vs labels, retrieval effect."""
    if themes:
        _themes(domain or "grocery", rules_only, as_json)
        return
    if search_judgments:
        _search_effect(search_judgments, n_intents, per_kind, judge, domain or "home_improvement", as_json)
        return
    from tqdm import tqdm

    from shelfmind.knowledge.evaluation import (
        data_path,
        evaluate_retrieval,
        evaluate_verifier,
        load_jsonl,
        plot_verifier,
        sample_extra_text,
    )
    from shelfmind.knowledge.verifier import Verifier
    from shelfmind.search.simple import KeywordSearcher

    rt = get_runtime()
    rows = load_jsonl(sample or data_path("verifier_sample.jsonl"))[:limit]
    verifier = Verifier(None if rules_only else rt.llm)
    bar = tqdm(total=len(rows), desc="verify", unit="assertion", file=sys.stderr)
    result = evaluate_verifier(verifier, rt.catalog, rows, progress=lambda i: bar.update(1))
    bar.close()
    out: dict[str, object] = {"verifier": result.model_dump(exclude={"rows"})}
    png = plot_verifier(result, plot or rt.paths.reports_dir / "knowledge_verifier.png")
    click.echo(f"plot: {png}", err=True)
    if retrieval:
        products = list(rt.catalog.iter_products())
        if kb_from_sample:
            import tempfile
            from pathlib import Path

            with tempfile.TemporaryDirectory() as tmp:
                extra = sample_extra_text(rows, rt.catalog, Path(tmp))
        else:
            extra = rt.knowledge.extra_text()
        judgments = load_jsonl(data_path("retrieval_judgments.jsonl"))
        ret = evaluate_retrieval(products, KeywordSearcher, extra, judgments)
        out["retrieval"] = ret.model_dump() | {"products_with_kb_text": len(extra), "searcher": "KeywordSearcher",
                                               "kb": "labelled sample (approved links)" if kb_from_sample else "built KB"}
    if as_json:
        out["rows"] = result.rows
        click.echo(json.dumps(out, default=str))
        return
    r = result
    click.echo(f"verifier ({r.judge}) on {r.n} labelled assertions ({r.labelled_good} labelled good):")
    click.echo(f"  auto-approved {r.auto_approved_share:.0%} (precision {r.auto_approved_precision}), "
               f"rejected {r.rejected_share:.0%} (precision {r.rejected_precision}), "
               f"needs review {r.needs_review_share:.0%}")
    click.echo(f"  agreement with labels: accuracy {r.accuracy:.3f}, Cohen's kappa {r.kappa:.3f} "
               f"(2-fold cross-validated threshold: accuracy {r.cv_accuracy:.3f}, kappa {r.cv_kappa:.3f})")
    for row in result.rows:
        if row["predicted"] != row["label"]:
            click.echo(f"  disagree #{row['id']} {row['intent']} / {row['product_id']}: label {row['label']}, "
                       f"{row['status']} {row['score']:.2f} {'; '.join(row['reasons'])}")
    if retrieval:
        ret_d = out["retrieval"]
        assert isinstance(ret_d, dict)
        click.echo(f"retrieval ({ret_d['searcher']}, {ret_d['kb']}, {ret_d['queries']} hand-judged intent queries, "
                   f"{ret_d['products_with_kb_text']} products with KB text): "
                   f"baseline {ret_d['baseline']} -> with KB {ret_d['with_kb']}")


def _themes(domain: str, rules_only: bool, as_json: bool) -> None:
    from tqdm import tqdm

    from shelfmind.knowledge.planner import IntentPipeline
    from shelfmind.knowledge.theme_eval import BROAD_INTENTS, SPECIFIC_INTENTS, evaluate_themes, format_themes

    rt = get_runtime()
    kbase = rt.knowledge
    from shelfmind.knowledge.verifier import Verifier

    verifier = Verifier(None) if rules_only else kbase.verifier
    pipeline = IntentPipeline(kbase.llm, kbase.grounder, verifier, domain=domain)
    bar = tqdm(total=len(BROAD_INTENTS) + len(SPECIFIC_INTENTS), desc="themes", unit="intent", file=sys.stderr)
    summary = evaluate_themes(pipeline, progress=lambda _: bar.update(1))
    bar.close()
    header = (f"model {kbase.llm.model_id}; searcher {type(kbase.searcher).__name__}; domain {domain}; "
              f"verifier {'rules only (no judge: nothing is auto-approved)' if rules_only else 'rules + LLM judge'}\n")
    _report(rt, "knowledge_themes.json", summary, header + format_themes(summary), as_json)


def _search_effect(path: str, n_intents: int, per_kind: int, judge: bool, domain: str, as_json: bool) -> None:
    from shelfmind.knowledge.facts import normalise
    from shelfmind.knowledge.models import IntentSource
    from shelfmind.knowledge.search_effect import (
        SearchEffect,
        compare,
        format_effect,
        kb_intents,
        rebuild,
    )
    from shelfmind.search.evaluate import load_judgments
    from shelfmind.search.factory import open_index

    rt = get_runtime()
    judged = load_judgments(path)
    kbase = rt.knowledge
    from shelfmind.knowledge.verifier import Verifier

    verifier = kbase.verifier if judge else Verifier(None)
    builder = kbase.builder(products_per_kind=per_kind, relations_per_intent=0, domain=domain, verifier=verifier)
    chosen = kb_intents(judged, n_intents)
    builder.add_intents(chosen, IntentSource.QUERY_LOG)
    state = {r.key: r.state for r in kbase.store.intents()}
    todo = sum(1 for q in chosen if state.get(normalise(q)) != "done")  # a rerun with fewer intents builds none
    report = builder.build(limit=todo, progress=True)
    done = [r for r in kbase.store.intents() if r.state == "done"]
    extra = kbase.extra_text(include_review=not judge)
    products = list(rt.catalog.iter_products())
    base = open_index(rt)
    without = rebuild(base, rt.paths.home / "kb-effect" / "without", products, None)
    with_kb = rebuild(without, rt.paths.home / "kb-effect" / "with", products, extra)  # reuses its vectors
    rows, n_report, n_touched = compare(without, with_kb, judged, extra)
    effect = SearchEffect(
        judgments=str(path), intents_built=len(done), intents_failed=report.intents_failed,
        products_with_kb_text=len(extra), report_queries=n_report, touched_queries=n_touched, rows=rows,
        notes=[f"planner/verifier model: {kbase.llm.model_id} (tiers: knowledge="
               f"{rt.settings.tier_for('knowledge')}, verify={rt.settings.tier_for('verify')}); domain {domain}",
               "KB text ('Good for: <intents>. Themes: ... Used as: ...') from "
               + ("served links (LLM judge)" if judge else "every non-rejected link (rules-only verifier, no judge)"),
               "both arms rebuilt from the same stored vectors with exact vector search; default engine "
               "config on both (the fusion is not re-tuned)"],
    )
    _report(rt, "knowledge_search_effect.json", effect, format_effect(effect), as_json)


def _report(rt: Any, filename: str, result: BaseModel, text: str, as_json: bool) -> None:
    """Write `result` as JSON under the reports dir (atomically), then print it or `text`."""
    from shelfmind.store.atomic import atomic_write_text

    out = rt.paths.reports_dir / filename
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out, result.model_dump_json(indent=2))
    if as_json:
        click.echo(result.model_dump_json())
        return
    click.echo(text)
    click.echo(f"json: {out}", err=True)
