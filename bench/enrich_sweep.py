"""Extraction configurations on the same WDC-PAVE sample: tokens per product and F1, one row per run.

    python bench/enrich_sweep.py PRESET [--n 30] [--tier strong|fast] [--json]

Where `bench/enrich_bench.py` times two arms against each other (interleaved), this runs ONE named
configuration over a seeded sample of the two largest categories (seed 1, never the demonstration
pool) and prints what it costs in model work - calls, prompt tokens the server evaluated (not
reused from its prompt cache), output tokens, per product - and its precision / recall / F1
(WDC-PAVE counting). Token counts do not depend on other load on the machine; seconds do.
Per-offer predictions and confidences are written under $SHELFMIND_HOME/reports/sweep_PRESET.json.

Presets: `shelfmind.enrich.presets.PRESETS` (naive = the throughput baseline's prompt; rich = its
content with shorter texts and demonstrations, similar products in a row; stated = answers that name
only stated attributes; *-fixed* = one fixed set of demonstrations per category, a cached prefix;
lean* = fewer tokens in the prompt; *-b4* = 4 products per call).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

from shelfmind.config import get_settings
from shelfmind.enrich.batch import extract_batch, group_for_batches
from shelfmind.enrich.demos import DemoPool
from shelfmind.enrich.evaluate import default_descriptions
from shelfmind.enrich.extract import Extractor, ProductResult
from shelfmind.enrich.jobs import ProductInput
from shelfmind.enrich.metrics import score
from shelfmind.enrich.presets import PRESETS, preset
from shelfmind.enrich.wdc import build_schemas, demos_from_offers, read_descriptions, read_offers, split
from shelfmind.llm.base import LLM, ChatRequest, ChatResponse

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "wdc-pave" / "wdc" / "train_1.0.jsonl"
class Metered:
    """Counts calls and the server's token work (prompt tokens evaluated, output tokens)."""

    def __init__(self, inner: LLM) -> None:
        self.inner = inner
        self.calls = self.evaluated = self.output = 0

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    def chat(self, request: ChatRequest) -> ChatResponse:
        r = self.inner.chat(request)
        t = r.timings or {}
        self.calls += 1
        self.evaluated += int(t.get("prompt_n", r.usage.prompt_tokens))
        self.output += int(t.get("predicted_n", r.usage.completion_tokens))
        return r


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("preset", choices=sorted(PRESETS))
    ap.add_argument("--n", type=int, default=30)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--tier", choices=["strong", "fast"], default="strong")
    ap.add_argument("--input", type=Path, default=DATA)
    ap.add_argument("--longest", action="append", default=[], metavar="ATTRIBUTE",
                    help="demonstrations label ATTRIBUTE with its longest gold span (default: the shortest)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    chosen = PRESETS[args.preset]
    whole_list, per_call, in_a_row = chosen.whole_list, chosen.per_call, chosen.in_a_row
    settings = get_settings()

    core = read_offers(args.input, attributes="core")
    counts = Counter(o.category for o in core)
    keep = {c for c, _ in counts.most_common(2)}
    pool, dev = split([o for o in core if o.category in keep], args.n, seed=args.seed)
    pool += [o for o in core if o.category not in keep]
    if whole_list:
        full = {o.id: o for o in read_offers(args.input, attributes="all")}
        descriptions = read_descriptions(default_descriptions(args.input) or Path("-"))
        schemas = build_schemas([full[o.id] for o in pool if o.id in full], descriptions=descriptions)
    else:
        schemas = build_schemas(pool)
    from shelfmind.llm.registry import build_provider

    llm = Metered(build_provider(settings.llm_strong if args.tier == "strong" else settings.llm_fast, settings))
    ex = Extractor(llm, schemas, demos=DemoPool(demos_from_offers(pool, longest=args.longest)), config=preset(args.preset))
    inputs = [ProductInput(id=o.id, category=o.category, title=o.title, description=o.description) for o in dev]
    batches = group_for_batches(ex, inputs, per_call) if in_a_row else [[p] for p in inputs]
    results: dict[str, ProductResult] = {}
    start = time.perf_counter()
    for i, batch in enumerate(batches, 1):
        for r in extract_batch(ex, batch):
            results[r.product_id] = r
        print(f"  {i}/{len(batches)} {time.perf_counter() - start:.0f}s", file=sys.stderr, flush=True)
    seconds = time.perf_counter() - start
    gold = {o.id: o for o in dev}
    s = score([(gold[i].category, gold[i].gold, r.predictions()) for i, r in results.items()]).overall
    n = len(results)
    row = {"preset": args.preset, "model": llm.model_id, "products": n, "calls": llm.calls,
           "evaluated_per_product": round(llm.evaluated / n), "output_per_product": round(llm.output / n),
           "seconds_per_product": round(seconds / n, 1), "precision": round(s.precision, 3),
           "recall": round(s.recall, 3), "f1": round(s.f1, 3)}
    if args.longest:
        row["preset"] += "+longest"
    out = settings.paths.reports_dir / f"sweep_{row['preset']}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"row": row, "offers": {i: {"predictions": r.predictions(),
                                                          "confidence": {k: v.confidence for k, v in r.values.items()}}
                                                      for i, r in results.items()}}), encoding="utf-8")
    if args.json:
        print(json.dumps(row))
    else:
        print(f"{'preset':<18} {'calls':>5} {'eval tok/p':>10} {'out tok/p':>9} {'s/p':>6} {'P':>6} {'R':>6} {'F1':>6}")
        print(f"{row['preset']:<18} {row['calls']:>5} {row['evaluated_per_product']:>10} {row['output_per_product']:>9} "
              f"{row['seconds_per_product']:>6} {row['precision']:>6.3f} {row['recall']:>6.3f} {row['f1']:>6.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
