"""Enrichment throughput: a naive one-call-per-product baseline vs the optimised job, same run.

    python bench/enrich_bench.py [--quick] [--n N] [--fake]

Inputs: a seeded sample of WDC-PAVE train offers (never the demonstration pool), plus exact
duplicates of a quarter of them (catalogs list the same item under several ids). F1 is scored on
the paper's attributes for both arms, counted as in the WDC-PAVE paper.

naive      one call per product, long prompt (attribute descriptions + 3 long demonstrations), the
           full schema of every annotated attribute, products in input order, no dedup
optimised  the attributes needed only, skipping those the text cannot contain, two short demonstrations,
           identical inputs sent once (input-hash dedup). Demonstrations are retrieved per product but
           kept while they stay among the top few_shot+--demo-reuse retrieved, products are ordered
           by category and nearest demonstration, and the prompt puts the demonstrations (rendered
           compactly: stated attributes only) before the per-product attribute list, so consecutive
           calls share a long prefix. --fixed-demos: one fixed pair per category instead.

Products come from the --categories largest categories (default 2): a batch job enriches many
products per category, which is what prefix reuse exploits.

Both arms call the model without the response cache, so every call is real. Prints a table with
products/hour, LLM calls, tokens and F1, and the ratio; writes a PNG under $SHELFMIND_HOME/reports.
The naive arm's per-product timings and answers are saved there; --reuse-naive reuses them (row
marked naive*: measured in an earlier run, not this one).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from shelfmind.config import get_settings
from shelfmind.enrich.batch import batch_executor
from shelfmind.enrich.demos import DemoPool
from shelfmind.enrich.evaluate import default_descriptions
from shelfmind.enrich.extract import ExtractConfig, Extractor, ProductResult
from shelfmind.enrich.jobs import JobStore, ProductInput, run_job
from shelfmind.enrich.metrics import score
from shelfmind.enrich.ray_backend import local_executor
from shelfmind.enrich.wdc import (
    Offer,
    build_schemas,
    demos_from_offers,
    read_descriptions,
    read_offers,
    split,
)
from shelfmind.llm.base import LLM, ChatRequest, ChatResponse

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "wdc-pave" / "wdc" / "train_1.0.jsonl"


class Counting:
    """Counts real calls and tokens of the wrapped model."""

    def __init__(self, inner: LLM) -> None:
        self.inner, self.calls, self.prompt_tokens, self.completion_tokens = inner, 0, 0, 0

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    def chat(self, request: ChatRequest) -> ChatResponse:
        r = self.inner.chat(request)
        self.calls += 1
        self.prompt_tokens += r.usage.prompt_tokens
        self.completion_tokens += r.usage.completion_tokens
        return r


def _cached_arm(path: Path, key: str, inputs: list[ProductInput], gold: dict[str, Offer]) -> dict[str, Any] | None:
    """The naive arm as measured by an earlier run with the same sample and model (`--reuse-naive`)."""
    if not path.exists():
        return None
    saved = json.loads(path.read_text(encoding="utf-8"))
    if saved.get("key") != key or set(saved["per_product"]) != {p.id for p in inputs}:
        return None
    per = saved["per_product"]
    items = [(gold[i].category, gold[i].gold, per[i]["predictions"]) for i in (p.id for p in inputs)]
    s = score(items).overall
    seconds = sum(v["seconds"] for v in per.values())
    return {**saved["row"], "seconds": seconds, "products_per_hour": 3600 * len(inputs) / seconds, "f1": s.f1,
            "precision": s.precision, "recall": s.recall, "arm": "naive*"}


def _arm(name: str, llm: LLM, extractor: Extractor, inputs: list[ProductInput], gold: dict[str, Offer],
         *, dedup: bool, record: dict[str, Any] | None = None, batch_size: int = 1) -> dict[str, Any]:
    counting = Counting(llm)
    extractor.llm = counting
    results: dict[str, ProductResult] = {}

    def fn(inp: ProductInput) -> ProductResult:
        t = time.perf_counter()
        r = extractor.extract(inp.id, inp.category or "", inp.title, inp.description)
        took = time.perf_counter() - t
        print(f"  {name} {inp.id}: {took:.1f}s", file=sys.stderr, flush=True)
        if record is not None:
            record[inp.id] = {"seconds": took, "predictions": r.predictions()}
        return r

    start = time.perf_counter()
    if dedup:
        with tempfile.TemporaryDirectory() as tmp:
            store = JobStore(Path(tmp) / "enrich.sqlite")
            executor = batch_executor(extractor, batch_size) if batch_size > 1 else local_executor(fn)
            run_job(inputs, executor, store, context=name, apply=lambda r: results.__setitem__(r.product_id, r))
            store.close()
    else:
        for inp in inputs:
            results[inp.id] = fn(inp)
    seconds = time.perf_counter() - start
    items = [(gold[i].category, gold[i].gold, results[i].predictions()) for i in (p.id for p in inputs)]
    s = score(items).overall
    return {"arm": name, "products": len(inputs), "seconds": seconds, "products_per_hour": 3600 * len(inputs) / seconds,
            "calls": counting.calls, "prompt_tokens": counting.prompt_tokens,
            "completion_tokens": counting.completion_tokens, "f1": s.f1, "precision": s.precision, "recall": s.recall}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="4 distinct products (+1 duplicate)")
    ap.add_argument("--n", type=int, default=8, help="distinct products (a quarter more are duplicates)")
    ap.add_argument("--input", type=Path, default=DATA)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--categories", type=int, default=2, help="sample products from the N largest categories (0: all)")
    ap.add_argument("--fake", action="store_true", help="plumbing check with the deterministic fake model")
    ap.add_argument("--fixed-demos", action="store_true",
                    help="optimised arm: one fixed pair of demonstrations per category (fastest, lower F1)")
    ap.add_argument("--demo-reuse", type=int, default=2,
                    help="optimised arm: keep the previous demonstrations while among the top few_shot+N retrieved")
    ap.add_argument("--reuse-naive", action="store_true",
                    help="reuse the naive arm measured by an earlier run on the same sample (marked naive*)")
    ap.add_argument("--plot", type=Path, default=None)
    args = ap.parse_args(argv)
    n = 4 if args.quick else args.n
    settings = get_settings()

    core = read_offers(args.input, attributes="core")
    full = {o.id: o for o in read_offers(args.input, attributes="all")}
    if args.categories:  # a batch job enriches many products per category: sample from a few
        counts = Counter(o.category for o in core)
        keep = {c for c, _ in counts.most_common(args.categories)}
        pool, dev = split([o for o in core if o.category in keep], n, seed=args.seed)
        pool += [o for o in core if o.category not in keep]
    else:
        pool, dev = split(core, n, seed=args.seed)
    descriptions = read_descriptions(default_descriptions(args.input) or Path("-"))
    demos = DemoPool(demos_from_offers(pool))
    inputs = [ProductInput(id=o.id, category=o.category, title=o.title, description=o.description) for o in dev]
    inputs += [inp.model_copy(update={"id": f"{inp.id}-dup"}) for inp in inputs[: max(1, n // 4)]]
    gold = {o.id: o for o in dev} | {f"{o.id}-dup": o for o in dev[: max(1, n // 4)]}

    if args.fake:
        from shelfmind.enrich.fake import SpanFakeLLM

        llm: LLM = SpanFakeLLM()
    else:
        from shelfmind.llm.registry import build_provider

        llm = build_provider(settings.llm_strong, settings)  # no response cache: every call is real

    naive_schemas = build_schemas([full[o.id] for o in pool if o.id in full], descriptions=descriptions)
    naive = Extractor(llm, naive_schemas, demos=demos, config=ExtractConfig(
        descriptions=True, few_shot=3, demo_budget=800, skip_impossible=False, text_budget=4000))
    optimised = Extractor(llm, build_schemas(pool), demos=demos, config=ExtractConfig(
        descriptions=False, few_shot=2, demo_budget=200, skip_impossible=True, text_budget=1200,
        fixed_demos=args.fixed_demos, demo_reuse=args.demo_reuse, compact_demos=True,
        prompt_name="enrich_extract_prefix"))
    cache = settings.paths.reports_dir / "enrich_bench_naive.json"
    key = f"{llm.model_id}|{args.input.name}|n={n}|seed={args.seed}|categories={args.categories}"
    naive_row = _cached_arm(cache, key, inputs, gold) if args.reuse_naive else None
    if naive_row is None:
        record: dict[str, Any] = {}
        naive_row = _arm("naive", llm, naive, inputs, gold, dedup=False, record=record)
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps({"key": key, "row": naive_row, "per_product": record}), encoding="utf-8")
    rows = [naive_row]

    def cluster(p: ProductInput) -> tuple[str, str]:  # neighbours share demonstrations: prefix reuse
        first = demos.retrieve(p.category or "", f"{p.title}\n{p.description or ''}", 1, exclude=[p.id])
        return (p.category or "", first[0].id if first else "")

    rows.append(_arm("optimised", llm, optimised, sorted(inputs, key=lambda p: (*cluster(p), p.id)), gold,
                     dedup=True))
    print(f"enrichment throughput, {len(inputs)} products ({n} distinct), model {llm.model_id}")
    print(f"{'arm':<10} {'products/h':>11} {'s':>8} {'calls':>6} {'prompt tok':>11} {'compl tok':>10} {'F1':>6}")
    for r in rows:
        print(f"{r['arm']:<10} {r['products_per_hour']:11.1f} {r['seconds']:8.1f} {r['calls']:6d} "
              f"{r['prompt_tokens']:11d} {r['completion_tokens']:10d} {r['f1']:6.3f}")
    ratio = rows[1]["products_per_hour"] / rows[0]["products_per_hour"]
    print(f"speed-up: {ratio:.2f}x products/hour (target >= 5x); F1 {rows[0]['f1']:.3f} -> {rows[1]['f1']:.3f}")
    _plot(rows, ratio, args.plot or settings.paths.reports_dir / "enrich_bench.png")
    return 0


def _plot(rows: list[dict[str, Any]], ratio: float, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path.parent.mkdir(parents=True, exist_ok=True)
    fig, (a, b) = plt.subplots(1, 2, figsize=(8, 3.2))
    names = [r["arm"] for r in rows]
    a.bar(names, [r["products_per_hour"] for r in rows], color=["#999", "#2a7"])
    a.set_title(f"products / hour ({ratio:.1f}x)")
    b.bar(names, [r["f1"] for r in rows], color=["#999", "#2a7"])
    b.set_ylim(0, 1)
    b.set_title("F1 (WDC-PAVE counting)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    print(f"plot: {path}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
