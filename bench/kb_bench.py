"""Knowledge-base lookup latency at 100k assertions: indexed store vs a naive un-indexed store.

    python bench/kb_bench.py [--quick] [--assertions N] [--plot PATH]

Lookups measured (what the recommender / service do per request):
  intent -> themes -> products   (themes_for + intent_products)
  product -> relations           (relations)
  product -> intents             (intents_of_product, the retrieval addendum)
Baseline: the same rows in a store without secondary indexes (full scans), measured in the same run.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from shelfmind.knowledge.models import IntentRecord, IntentSource
from shelfmind.knowledge.store import KnowledgeStore
from shelfmind.schemas import AssertionStatus, IntentLink, Relation, RelationKind, Theme

STATUSES = [AssertionStatus.AUTO_APPROVED] * 6 + [AssertionStatus.APPROVED, AssertionStatus.NEEDS_REVIEW,
                                                   AssertionStatus.REJECTED]


def fill(store: KnowledgeStore, n_assertions: int, n_products: int, seed: int = 0) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    n_links = int(n_assertions * 0.7)
    n_rel = n_assertions - n_links
    per_intent = 40
    n_intents = max(1, n_links // per_intent)
    intents = [f"intent {i} {rng.choice(['party', 'dinner', 'gift', 'diet', 'snack'])}" for i in range(n_intents)]
    products = [f"{i:013d}" for i in range(n_products)]
    store.add_intents(IntentRecord(key=" ".join(t.split()), text=t, source=IntentSource.SEED) for t in intents)
    for text in intents:
        pids = rng.sample(products, per_intent)
        links = [IntentLink(intent=text, product_id=p, product_type="kind", explanation="why it helps",
                            evidence="name: x", score=rng.random(), verifier_score=rng.random(),
                            status=rng.choice(STATUSES)) for p in pids]
        themes = [Theme(name=f"theme {j}", product_ids=pids[j * 8:(j + 1) * 8], score=rng.random()) for j in range(4)]
        store.save_intent_result(" ".join(text.split()), links, themes, "broad")
    rels = []
    for _ in range(n_rel):
        rels.append(Relation(kind=rng.choice(list(RelationKind)), src_id=rng.choice(products),
                             dst_id=rng.choice(products), explanation="goes with", score=rng.random(),
                             status=rng.choice(STATUSES)))
    store.add_relations(rels)
    return intents, products


def timeit(fn: Callable[[], object], n: int) -> tuple[float, float]:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="20k assertions, fewer repetitions")
    ap.add_argument("--assertions", type=int, default=100_000)
    ap.add_argument("--plot", type=Path, default=None, help="write a PNG bar chart of p95 latencies")
    args = ap.parse_args()
    n = 20_000 if args.quick else args.assertions
    reps = 100 if args.quick else 300
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as tmp:
        stores = {"indexed": KnowledgeStore(Path(tmp) / "kb.sqlite"),
                  "naive (no indexes)": KnowledgeStore(Path(tmp) / "naive.sqlite", indexed=False)}
        t0 = time.perf_counter()
        for store in stores.values():
            intents, products = fill(store, n, n_products=max(1000, n // 5))
        print(f"filled 2 stores with {n:,} assertions each in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
        counts = stores["indexed"].counts()
        lookups: dict[str, Callable[[KnowledgeStore], Callable[[], object]]] = {
            "intent -> themes -> products": lambda s: lambda: (
                s.themes_for(q := rng.choice(intents)), s.intent_products(q, limit=50)),
            "product -> relations": lambda s: lambda: s.relations(rng.choice(products)),
            "product -> intents": lambda s: lambda: s.intents_of_product(rng.choice(products)),
        }
        results: dict[tuple[str, str], tuple[float, float]] = {}
        for name, make in lookups.items():
            for label, store in stores.items():
                make(store)()  # warm up
                results[(name, label)] = timeit(make(store), reps)
    print(f"\nKB lookups at {counts['links'] + counts['relations']:,} assertions "
          f"({counts['links']:,} links, {counts['relations']:,} relations, {counts['themes']:,} themes); ms")
    print(f"{'lookup':32} {'indexed p50':>12} {'p95':>8} {'naive p50':>10} {'p95':>8} {'p95 speed-up':>13}")
    for name in lookups:
        ip50, ip95 = results[(name, "indexed")]
        np50, np95 = results[(name, "naive (no indexes)")]
        print(f"{name:32} {ip50:12.3f} {ip95:8.3f} {np50:10.3f} {np95:8.3f} {np95 / max(ip95, 1e-9):12.1f}x")
    worst = max(results[(name, "indexed")][1] for name in lookups)
    print(f"\nworst indexed p95: {worst:.3f} ms (target < 5 ms): {'OK' if worst < 5 else 'MISSED'}")
    if args.plot:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(7, 3.5))
        names = list(lookups)
        xs = range(len(names))
        ax.bar([x - 0.2 for x in xs], [results[(m, "indexed")][1] for m in names], 0.4, label="indexed")
        ax.bar([x + 0.2 for x in xs], [results[(m, "naive (no indexes)")][1] for m in names], 0.4, label="naive")
        ax.set_xticks(list(xs), names, fontsize=8)
        ax.set_yscale("log")
        ax.set_ylabel("p95 ms (log)")
        ax.axhline(5, color="red", lw=0.8, ls="--", label="5 ms target")
        ax.legend()
        fig.tight_layout()
        args.plot.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(args.plot, dpi=120)
        print(f"plot: {args.plot}", file=sys.stderr)


if __name__ == "__main__":
    main()
