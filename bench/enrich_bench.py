"""Enrichment throughput: a naive one-call-per-product baseline vs the optimised job, same run, interleaved.

    python bench/enrich_bench.py [--quick] [--n N] [--preset P] [--batch-size K] [--fake]

Inputs: a seeded sample of WDC-PAVE train offers (never the demonstration pool), plus exact
duplicates of a quarter of them (catalogs list the same item under several ids). F1 is scored on
the paper's attributes for both arms, counted as in the WDC-PAVE paper, with a paired bootstrap
95% interval of the difference (resampling offers), so "equal F1" is a statement about noise.

naive      one call per product (preset `naive`): attribute descriptions and 3 retrieved demonstrations
           of 800 characters, the description up to 4,000 characters, every key answered (null when
           not stated), no dedup
optimised  the job as `shelfmind enrich --preset P` runs it (default `stated-fixed4-near1`: 4 fixed
           demonstrations that together show every attribute, then the nearest one): identical inputs
           sent once (input-hash dedup), one category's similar products in a row so the instructions and
           the attribute block are a cached prompt prefix, answers that name only the stated
           attributes (demonstrations show only theirs), no key for an attribute whose value form
           occurs nowhere in the text, texts and demonstrations cut to 1,200 / 400 characters.
           Presets with fixed demonstrations make everything before the product text one cached
           prefix; `--batch-size K` sends K products per call (the 1.5B loses recall in batches)

The two arms are INTERLEAVED: for each of the optimised job's batches, the naive arm enriches the
same products (and their duplicates) one by one, then the optimised arm enriches the batch; each arm's
time is the sum of its own turns. Other load on the machine therefore hits both arms alike, and the
ratio stays meaningful on a busy 2-core box. Each arm has its own model server (its own prompt
cache), so neither reuses a prefix the other has just evaluated. Both call the model without the response cache: every
call is real. Note that llama.cpp's host-memory prompt cache (cache_ram_mib, 8 GiB by default) also
serves the naive arm: a duplicate's prompt costs it almost nothing even when it comes much later, so
the naive arm pays a duplicate's decode only. Prints a table (products/hour, calls, tokens, F1) and the ratio; writes a PNG under
$SHELFMIND_HOME/reports.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from shelfmind.config import get_settings
from shelfmind.enrich.batch import extract_batch, group_for_batches
from shelfmind.enrich.demos import DemoPool
from shelfmind.enrich.evaluate import default_descriptions
from shelfmind.enrich.extract import Extractor, ProductResult
from shelfmind.enrich.jobs import JobStore, ProductInput, run_job
from shelfmind.enrich.metrics import score
from shelfmind.enrich.presets import PRESETS, preset
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
    """Counts real calls and tokens of the wrapped model (prompt tokens evaluated = not reused from the
    server's prompt cache, when the provider reports timings)."""

    def __init__(self, inner: LLM) -> None:
        self.inner = inner
        self.calls = self.prompt_tokens = self.completion_tokens = self.evaluated = 0

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    def chat(self, request: ChatRequest) -> ChatResponse:
        r = self.inner.chat(request)
        self.calls += 1
        self.prompt_tokens += r.usage.prompt_tokens
        self.completion_tokens += r.usage.completion_tokens
        self.evaluated += int((r.timings or {}).get("prompt_n", r.usage.prompt_tokens))
        return r


def paired_bootstrap(items_a: list[tuple[str, Any, Any]], items_b: list[tuple[str, Any, Any]], *,
                     rounds: int = 1000, seed: int = 0) -> tuple[float, float]:
    """95% interval of F1(b) - F1(a), resampling offers (the same resample for both arms)."""
    rng = random.Random(seed)
    n = len(items_a)
    diffs = []
    for _ in range(rounds):
        idx = [rng.randrange(n) for _ in range(n)]
        diffs.append(score([items_b[i] for i in idx]).overall.f1 - score([items_a[i] for i in idx]).overall.f1)
    diffs.sort()
    return diffs[int(0.025 * rounds)], diffs[int(0.975 * rounds) - 1]


def run(naive: Extractor, optimised: Extractor, inputs: list[ProductInput], batch_size: int,
        ) -> tuple[dict[str, ProductResult], dict[str, ProductResult], dict[str, float]]:
    """Both arms, interleaved batch by batch; returns (naive results, optimised results, seconds per arm)."""
    seconds = {"naive": 0.0, "optimised": 0.0}
    by_hash: dict[str, list[ProductInput]] = {}
    for p in inputs:
        by_hash.setdefault(p.input_hash("bench"), []).append(p)
    naive_out: dict[str, ProductResult] = {}
    opt_out: dict[str, ProductResult] = {}

    def naive_turn(products: list[ProductInput]) -> None:
        t = time.perf_counter()
        for p in products:
            naive_out[p.id] = naive.extract(p.id, p.category or "", p.title, p.description)
        seconds["naive"] += time.perf_counter() - t

    def execute(todo: list[ProductInput]) -> Any:
        batches = group_for_batches(optimised, todo, batch_size)
        for i, batch in enumerate(batches, 1):
            # the naive arm: the same products, one call each (their duplicates come later, in catalog order)
            naive_turn([twins[0] for p in batch if (twins := by_hash[p.input_hash("bench")])])
            t = time.perf_counter()
            results = extract_batch(optimised, batch) if batch_size > 1 else [
                optimised.extract(p.id, p.category or "", p.title, p.description) for p in batch]
            seconds["optimised"] += time.perf_counter() - t
            print(f"  batch {i}/{len(batches)}: naive {seconds['naive']:.0f}s, optimised {seconds['optimised']:.0f}s",
                  file=sys.stderr, flush=True)
            yield from results

    with tempfile.TemporaryDirectory() as tmp:  # the optimised arm runs as the real job does (dedup, checkpoints)
        store = JobStore(Path(tmp) / "enrich.sqlite")
        t = time.perf_counter()
        run_job(inputs, execute, store, context="bench", apply=lambda r: opt_out.__setitem__(r.product_id, r))
        before = seconds["naive"]
        overhead = time.perf_counter() - t - seconds["naive"] - seconds["optimised"]
        # the duplicates, where a catalog has them (not straight after their twin, whose prompt the model
        # server would still have cached)
        naive_turn([p for p in inputs if p.id not in naive_out])
        print(f"  duplicates: naive {seconds['naive'] - before:.0f}s", file=sys.stderr, flush=True)
        seconds["optimised"] += max(0.0, overhead)  # planning, dedup and checkpoint writes count
        store.close()
    return naive_out, opt_out, seconds


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="4 distinct products (+1 duplicate)")
    ap.add_argument("--n", type=int, default=24, help="distinct products (a quarter more are duplicates)")
    ap.add_argument("--input", type=Path, default=DATA)
    ap.add_argument("--seed", type=int, default=2)
    ap.add_argument("--categories", type=int, default=2, help="sample products from the N largest categories (0: all)")
    ap.add_argument("--preset", default="stated-fixed4-near1", choices=sorted(PRESETS),
                    help="optimised arm's extraction configuration (shelfmind.enrich.presets)")
    ap.add_argument("--batch-size", type=int, default=None, help="optimised arm: products per call (default: the preset's)")
    ap.add_argument("--fake", action="store_true", help="plumbing check with the deterministic fake model")
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
    dups = max(1, n // 4)
    inputs += [inp.model_copy(update={"id": f"{inp.id}-dup"}) for inp in inputs[:dups]]
    gold: dict[str, Offer] = {o.id: o for o in dev} | {f"{o.id}-dup": o for o in dev[:dups]}

    if args.fake:
        from shelfmind.enrich.fake import SpanFakeLLM

        llm: LLM = SpanFakeLLM()
    else:
        from shelfmind.llm.registry import build_provider

        llm = build_provider(settings.llm_strong, settings)  # no response cache: every call is real
    # each arm gets its own model server (its own KV / prompt cache): interleaved, one arm must not reuse
    # the prompt prefix the other has just evaluated
    other = llm if args.fake else build_provider(
        settings.llm_strong, settings.model_copy(update={"llm_context": settings.llm_context + 512}))
    naive_llm, opt_llm = Counting(other), Counting(llm)
    naive_schemas = build_schemas([full[o.id] for o in pool if o.id in full], descriptions=descriptions)
    naive = Extractor(naive_llm, naive_schemas, demos=demos, config=preset("naive"))
    chosen = PRESETS[args.preset]
    opt_schemas = naive_schemas if chosen.whole_list else build_schemas(pool)
    opt_config = preset(args.preset, **({"batch_size": args.batch_size} if args.batch_size else {}))
    batch_size = opt_config.batch_size
    optimised = Extractor(opt_llm, opt_schemas, demos=demos, config=opt_config)

    naive_out, opt_out, seconds = run(naive, optimised, inputs, batch_size)
    ids = [p.id for p in inputs]
    rows = []
    items: dict[str, list[tuple[str, Any, Any]]] = {}
    for name, out, counter in (("naive", naive_out, naive_llm), ("optimised", opt_out, opt_llm)):
        items[name] = [(gold[i].category, gold[i].gold, out[i].predictions()) for i in ids]
        s = score(items[name]).overall
        rows.append({"arm": name, "seconds": seconds[name], "products_per_hour": 3600 * len(ids) / seconds[name],
                     "calls": counter.calls, "prompt_tokens": counter.prompt_tokens, "evaluated": counter.evaluated,
                     "completion_tokens": counter.completion_tokens, "f1": s.f1, "precision": s.precision,
                     "recall": s.recall})
    lo, hi = paired_bootstrap(items["naive"], items["optimised"])
    print(f"enrichment throughput, {len(ids)} products ({n} distinct + {dups} duplicates), model {llm.model_id}, "
          f"optimised: preset {args.preset}, batch size {batch_size}, arms interleaved")
    print(f"{'arm':<10} {'products/h':>11} {'s':>8} {'calls':>6} {'prompt tok':>11} {'evaluated':>10} "
          f"{'compl tok':>10} {'P':>6} {'R':>6} {'F1':>6}")
    for r in rows:
        print(f"{r['arm']:<10} {r['products_per_hour']:11.1f} {r['seconds']:8.1f} {r['calls']:6d} "
              f"{r['prompt_tokens']:11d} {r['evaluated']:10d} {r['completion_tokens']:10d} {r['precision']:6.3f} "
              f"{r['recall']:6.3f} {r['f1']:6.3f}")
    ratio = rows[1]["products_per_hour"] / rows[0]["products_per_hour"]
    print(f"speed-up: {ratio:.2f}x products/hour (target >= 5x); F1 {rows[0]['f1']:.3f} -> {rows[1]['f1']:.3f} "
          f"(difference {rows[1]['f1'] - rows[0]['f1']:+.3f}, paired bootstrap 95% interval [{lo:+.3f}, {hi:+.3f}])")
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
