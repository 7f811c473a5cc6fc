"""`shelfmind eval attributes --input FILE [--json]`: P/R/F1 on a WDC-PAVE-format file."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from shelfmind.cli.main import get_runtime


@click.command("attributes")
@click.option("--input", "input_path", required=True, type=click.Path(exists=True, dir_okay=False),
              help="WDC-PAVE-format JSONL (id, category, input_title, input_description, target_scores).")
@click.option("--sample", type=int, default=50, show_default=True,
              help="Seeded dev sample scored; the rest of the file (minus shared clusters) is the demo pool. "
                   "0 = score the whole file (needs --pool for demonstrations).")
@click.option("--limit", type=int, default=None, help="Score at most N offers of the dev sample.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--pool", "pool_path", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Separate labelled file for demonstrations (offers/clusters in the dev part are removed).")
@click.option("--descriptions", "descriptions_path", type=click.Path(exists=True, dir_okay=False), default=None,
              help="attribute_descriptions.csv (default: found next to the input).")
@click.option("--attributes", type=click.Choice(["core", "all"]), default="core", show_default=True,
              help="core = the paper's 24 attributes; all = every annotated attribute.")
@click.option("--few-shot", type=int, default=2, show_default=True)
@click.option("--no-descriptions", is_flag=True)
@click.option("--no-normalize", is_flag=True)
@click.option("--no-grounding", is_flag=True, help="Accept ungrounded values (ablation).")
@click.option("--no-skip", is_flag=True, help="Ask for every attribute even if the text cannot contain it.")
@click.option("--fixed-demos", is_flag=True, help="Same demonstrations for a whole category (prefix reuse).")
@click.option("--demo-reuse", type=int, default=0, show_default=True,
              help="Keep the previous demonstrations while among the top few-shot+N retrieved (prefix reuse).")
@click.option("--compact-demos", is_flag=True,
              help="Demonstrations first, stated attributes only, compact JSON (prompt enrich_extract_prefix).")
@click.option("--text-budget", type=int, default=1200, show_default=True, help="Description characters kept.")
@click.option("--accepted-only", is_flag=True,
              help="Count only auto-approved values (confidence >= --review-threshold, grounded, clean input).")
@click.option("--review-threshold", type=float, default=None,
              help="Confidence below which a value goes to review (default: 0.8 with --accepted-only, else 0.55).")
@click.option("--ablation", is_flag=True, help="Run every technique cumulatively and print a table.")
@click.option("--model", default=None, help="Model spec, e.g. local:qwen2.5-coder-1.5b (default: the router).")
@click.option("--predictions", "predictions_path", type=click.Path(dir_okay=False), default=None,
              help="Write per-offer results (values, grounding, confidence) as JSONL.")
@click.option("--json", "as_json", is_flag=True)
def eval_attributes(input_path: str, sample: int, limit: int | None, seed: int, pool_path: str | None,
                    descriptions_path: str | None, attributes: str, few_shot: int, no_descriptions: bool,
                    no_normalize: bool, no_grounding: bool, no_skip: bool, fixed_demos: bool, demo_reuse: int,
                    compact_demos: bool, text_budget: int, accepted_only: bool, review_threshold: float | None,
                    ablation: bool, model: str | None,
                    predictions_path: str | None, as_json: bool) -> None:
    """Precision, recall and F1 (overall and per attribute), counted as in the WDC-PAVE paper."""
    from tqdm import tqdm

    from shelfmind.enrich.evaluate import (
        ABLATION,
        ACCEPT_THRESHOLD,
        ACCEPTED_ONLY,
        EvalReport,
        default_descriptions,
        load_split,
        run_variant,
    )
    from shelfmind.enrich.extract import ExtractConfig, ProductResult
    from shelfmind.llm.factory import build_llm
    from shelfmind.llm.prompts import load_prompt

    rt = get_runtime()
    llm = build_llm(rt.settings, spec=model) if model else rt.llm
    path = Path(input_path)
    desc = Path(descriptions_path) if descriptions_path else default_descriptions(path)
    pool, dev = load_split(path, sample=sample, seed=seed, attributes=attributes, limit=limit, pool_path=pool_path)
    if ablation:
        variants = ABLATION
    else:
        variants = [("configured", ExtractConfig(descriptions=not no_descriptions, few_shot=few_shot,
                                                 normalize=not no_normalize, grounding_filter=not no_grounding,
                                                 skip_impossible=not no_skip, fixed_demos=fixed_demos,
                                                 text_budget=text_budget, demo_reuse=demo_reuse,
                                                 compact_demos=compact_demos,
                                                 review_threshold=review_threshold if review_threshold is not None
                                                 else (ACCEPT_THRESHOLD if accepted_only else 0.55),
                                                 prompt_name="enrich_extract_prefix" if compact_demos
                                                 else "enrich_extract"))]
    results = []
    kept: list[ProductResult] = []
    for name, config in variants:
        with tqdm(total=len(dev), desc=name, unit="offer", file=sys.stderr) as bar:
            results.append(run_variant(name, llm, config, pool, dev, descriptions_path=desc, progress=bar.update,
                                       keep=kept if name == variants[-1][0] else None,
                                       accepted_only=name in ACCEPTED_ONLY or (accepted_only and not ablation)))
    report = EvalReport(input=str(path), model=llm.model_id, prompt=load_prompt(variants[-1][1].prompt_name).id, offers=len(dev),
                        pool=len(pool), seed=seed, attributes=attributes, variants=results)
    if predictions_path:
        from shelfmind.store.atomic import atomic_write_text

        atomic_write_text(predictions_path, "".join(r.model_dump_json() + "\n" for r in kept))
    main = report.main()
    if as_json:
        out = {"precision": main.precision, "recall": main.recall, "f1": main.f1,
               "per_attribute": main.per_attribute, "per_category": main.per_category, "counts": main.counts,
               "offers": report.offers, "pool": report.pool, "seed": seed, "model": report.model,
               "prompt": report.prompt, "attributes": attributes}
        if ablation:
            out["ablation"] = [{"variant": v.name, "precision": v.precision, "recall": v.recall, "f1": v.f1,
                                "llm_calls": v.llm_calls, "seconds": v.seconds} for v in results]
        click.echo(json.dumps(out))
        return
    click.echo(f"{report.offers} offers scored ({report.pool} in the demonstration pool), model {report.model}, "
               f"prompt {report.prompt}, attributes: {attributes}")
    click.echo(f"{'variant':<26} {'P':>6} {'R':>6} {'F1':>6} {'calls':>6} {'s':>7}")
    for v in results:
        click.echo(f"{v.name:<26} {v.precision:6.3f} {v.recall:6.3f} {v.f1:6.3f} {v.llm_calls:6d} {v.seconds:7.1f}")
    click.echo("per attribute (last variant):")
    for name, s in main.per_attribute.items():
        click.echo(f"  {name:<28} P {s['precision']:.3f}  R {s['recall']:.3f}  F1 {s['f1']:.3f}")
