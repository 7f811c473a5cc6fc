"""`shelfmind eval knowledge`: verifier agreement with hand labels and the KB's retrieval effect."""

from __future__ import annotations

import json
import sys

import click

from shelfmind.cli.main import get_runtime


@click.command("knowledge")
@click.option("--sample", type=click.Path(dir_okay=False, exists=True),
              help="Labelled assertions (JSONL). Default: the packaged sample on the bundled grocery catalog.")
@click.option("--limit", type=int, default=None, help="Evaluate only the first N labelled assertions.")
@click.option("--rules-only", is_flag=True, help="Verifier without the LLM judge (no model calls).")
@click.option("--retrieval/--no-retrieval", default=True, show_default=True,
              help="Also measure search over product text with and without the KB addendum.")
@click.option("--kb-from-sample", is_flag=True,
              help="Retrieval: use a KB of only the sample's human-approved links instead of the built KB.")
@click.option("--plot", type=click.Path(dir_okay=False), default=None,
              help="PNG of verifier scores by label (default: $SHELFMIND_HOME/reports/knowledge_verifier.png).")
@click.option("--json", "as_json", is_flag=True)
def eval_knowledge(sample: str | None, limit: int | None, rules_only: bool, retrieval: bool, kb_from_sample: bool,
                   plot: str | None, as_json: bool) -> None:
    """Auto-approved share, verifier accuracy / Cohen's kappa vs labels, retrieval effect."""
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
