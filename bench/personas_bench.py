"""Persona assignment with the behaviour-signature cache vs one assessment per user.

    python bench/personas_bench.py [--quick] [--embedding]

For 1,000 simulated shoppers over the bundled grocery catalog (two populations: independent
"diverse" shoppers, and "clustered" households that resemble one of 100 archetypes) and for the real
Complete Journey households, it prints assessments per 1,000 users through the cache (baseline: the
naive one call per user, measured in the same run) and the false-hit rate: users whose cached
personas differ from their own individual assessment (top-1 persona, and the whole set).
The individual reference ("expensive" column) stands in for the LLM: running the LLM assessor for
1,000 users is too slow on 2 cores. It is the deterministic fact assessor, and with --embedding also
the MiniLM embedding assessor.

Two caches: "vector" reuses a result within a margin-scaled L-inf radius of the quantised fact profile;
"decision" keys users by the cheap fact assessor's decision (top persona + kept set, margin >= m) and
shares one expensive assessment per key. With the fact assessor as the expensive reference the
decision cache's false hits are zero BY CONSTRUCTION (the gate is the reference); the embedding rows
(gate = facts, expensive = embeddings) are the honest cross-model check of sharing a result between
users the cheap gate cannot tell apart.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from shelfmind.catalog.config import default_data_dir
from shelfmind.cli.eval_personalization import _bundled_book
from shelfmind.personas.assign import EmbeddingAssessor, FactAssessor
from shelfmind.personas.catalog import load_persona_catalog
from shelfmind.personas.evaluation.histories import load_completejourney
from shelfmind.personas.evaluation.simulate import SimUser, cache_measurement, clustered_users, simulate_users
from shelfmind.personas.facts import FactBook

SETTINGS = [(0.15, 1.0), (0.2, 2.0)]  # vector cache (radius, slope); the default is (0.15, 1.0)
GATE_MARGINS = [0.0, 0.02, 0.05]  # decision cache: the fact gate's minimum margin


class Memo:
    """Memoised assessor, so the individual reference is computed once per history."""

    def __init__(self, inner: FactAssessor | EmbeddingAssessor) -> None:
        self.inner = inner
        self.id = inner.id
        self.calls = 0
        self._m: dict[tuple[str, ...], tuple[dict[str, float], float]] = {}

    def assess(self, history: list[str]) -> dict[str, float]:
        return self.assess_margin(history)[0]

    def assess_margin(self, history: list[str]) -> tuple[dict[str, float], float]:
        key = tuple(history)
        if key not in self._m:
            self.calls += 1
            self._m[key] = self.inner.assess_margin(history)
        return self._m[key]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="300 users per population, no real data")
    ap.add_argument("--embedding", action="store_true", help="also use the MiniLM embedding assessor")
    args = ap.parse_args()
    n = 300 if args.quick else 1000
    t0 = time.time()
    catalog = load_persona_catalog()
    book = _bundled_book()
    populations: list[tuple[str, FactBook, list[SimUser]]] = [
        ("diverse", book, simulate_users(book, catalog, n, seed=1)),
        ("clustered", book, clustered_users(book, catalog, n, seed=3)),
    ]
    if not args.quick:
        data = load_completejourney(Path(default_data_dir()), max_users=n)
        cj_book = FactBook.from_products(data.products.values())
        populations.append(("completejourney", cj_book,
                            [SimUser(u, (), [p for b in bs for p in b]) for u, bs in data.baskets.items()]))
    print(f"{'population':<16} {'expensive':<10} {'cache':<22} {'calls/1k':>8} {'naive/1k':>8} {'ratio':>6} "
          f"{'false top-1':>11} {'false set':>9}")
    for name, pbook, users in populations:
        gate = FactAssessor(pbook, catalog)  # cheap, deterministic: no LLM call
        assessors = [("facts", Memo(FactAssessor(pbook, catalog)))]
        if args.embedding:
            from shelfmind.config import get_settings
            from shelfmind.embed.factory import build_embedder

            assessors.append(("embedding", Memo(EmbeddingAssessor(pbook, catalog, build_embedder(get_settings())))))
        for aname, assessor in assessors:
            rows: list[tuple[str, dict[str, float]]] = []
            for radius, slope in SETTINGS:
                s = slope * (10 if aname == "embedding" else 1)
                rows.append((f"vector r={radius:.2f} s={s:.0f}",
                             cache_measurement(assessor, pbook, catalog, users, radius=radius, slope=s)))
            for mm in GATE_MARGINS:
                rows.append((f"decision m>={mm:.2f}",
                             cache_measurement(assessor, pbook, catalog, users, gate=gate, min_margin=mm)))
            naive = 1000.0  # one assessment per user
            for label, m in rows:
                print(f"{name:<16} {aname:<10} {label:<22} {m['calls_per_1000']:>8.0f} {naive:>8.0f} "
                      f"{m['calls_per_1000'] / naive:>6.2f} {m['false_hit_rate_top1']:>11.2%} "
                      f"{m['false_hit_rate_set']:>9.2%}")
    print(f"({time.time() - t0:.0f} s)")


if __name__ == "__main__":
    main()
