"""Persona assignment with the behaviour-signature cache vs one assessment per user.

    python bench/personas_bench.py [--quick] [--embedding]
    python bench/personas_bench.py --llm 60 [--llm-input list|summary] [--llm-answer word|letter] [--llm-yesno] [--noise]
    python bench/personas_bench.py --llm 20 --signature [--sig-users 1000] [--verify 30]

For 1,000 simulated shoppers over the bundled grocery catalog (two populations: independent
"diverse" shoppers, and "clustered" households that resemble one of 100 archetypes) and for the real
Complete Journey households, it prints assessments per 1,000 users through the cache (baseline: the
naive one call per user, measured in the same run) and the false-hit rate: users whose cached
personas differ from their own individual assessment (top-1 persona, and the whole set).
The individual reference ("expensive" column) stands in for the LLM: running the LLM assessor for
1,000 users is too slow on 2 cores. It is the deterministic fact assessor, and with --embedding also
the MiniLM embedding assessor.

With --llm N the expensive assessor is the LLM itself (`ChoiceLLMAssessor`: one call per user scores all
personas) for N users of each simulated population: every user is assessed individually once (memoised;
the LLM response cache under SHELFMIND_HOME makes reruns free), that is the reference, and the caches are
replayed against it (--signature: the signature-input LLM and its exact cache against the list-input LLM
and its best cache, in one table). It also prints persona recovery (top-1 / recall of the simulated users' true personas)
for facts, embeddings (with --embedding) and the LLM on the same users.

Two caches: "vector" reuses a result within a margin-scaled L-inf radius of the quantised fact profile;
"decision" keys users by the cheap fact assessor's decision (top persona + kept set, margin >= m) and
shares one expensive assessment per key. With the fact assessor as the expensive reference the
decision cache's false hits are zero BY CONSTRUCTION (the gate is the reference); the embedding rows
(gate = facts, expensive = embeddings) are the honest cross-model check of sharing a result between
users the cheap gate cannot tell apart.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from shelfmind.catalog.config import default_data_dir
from shelfmind.cli.eval_personalization import _bundled_book
from shelfmind.personas.assign import EmbeddingAssessor, FactAssessor
from shelfmind.personas.catalog import load_persona_catalog
from shelfmind.personas.evaluation.histories import load_completejourney, load_online_retail
from shelfmind.personas.evaluation.simulate import (
    SimUser,
    cache_measurement,
    clustered_users,
    recovery,
    simulate_users,
)
from shelfmind.personas.facts import FactBook

SETTINGS = [(0.15, 1.0), (0.2, 2.0)]  # vector cache (radius, slope); the default is (0.15, 1.0)
GATE_MARGINS = [0.0, 0.02, 0.05]  # decision cache: the fact gate's minimum margin
# LLM rows: (label, vector radius, slope, gate margin or None, share margin); LLM margins are on calibrated P
LLM_ROWS = [("vector r=0.15 s=1", 0.15, 1.0, None, 0.0), ("vector r=0.10 s=0.5", 0.10, 0.5, None, 0.0),
            ("decision m>=0.00", 0.15, 1.0, 0.0, 0.0), ("decision m>=0.05", 0.15, 1.0, 0.05, 0.0),
            ("decision m>=0.02 llm>=0.10", 0.15, 1.0, 0.02, 0.10),
            ("decision m>=0.02 llm>=0.20", 0.15, 1.0, 0.02, 0.20)]


class Memo:
    """Memoised assessor, so the individual reference is computed once per history."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.id = inner.id
        self.calls = 0
        self._m: dict[tuple[str, ...], tuple[dict[str, float], float]] = {}

    def assess(self, history: Sequence[str]) -> dict[str, float]:
        return self.assess_margin(history)[0]

    def assess_margin(self, history: Sequence[str]) -> tuple[dict[str, float], float]:
        key = tuple(history)
        if key not in self._m:
            self.calls += 1
            self._m[key] = self.inner.assess_margin(history)
        return self._m[key]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="300 users per population, no real data")
    ap.add_argument("--embedding", action="store_true", help="also use the MiniLM embedding assessor")
    ap.add_argument("--llm", type=int, default=0, metavar="N",
                    help="the LLM as the expensive assessor for N users per simulated population")
    ap.add_argument("--llm-input", choices=["list", "summary"], default="list")
    ap.add_argument("--llm-answer", choices=["word", "letter"], default="word")
    ap.add_argument("--llm-yesno", action="store_true", help="the old assessor: one yes/no call per persona")
    ap.add_argument("--populations", default="diverse,clustered", help="with --llm: which populations")
    ap.add_argument("--noise", action="store_true",
                    help="with --llm: re-assess each user with the last purchase dropped (the LLM's own instability)")
    ap.add_argument("--signature", action="store_true",
                    help="with --llm N: compare the list-input LLM (N users) with the signature-input LLM "
                         "(--sig-users users) in one table")
    ap.add_argument("--sig-users", type=int, default=1000)
    ap.add_argument("--verify", type=int, default=30, help="with --signature: cache hits re-assessed individually")
    args = ap.parse_args()
    if args.llm and args.signature:
        signature_bench(args)
        return
    if args.llm:
        llm_bench(args)
        return
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


def llm_bench(args: argparse.Namespace) -> None:
    from tqdm import tqdm

    from shelfmind.config import get_settings
    from shelfmind.llm.factory import build_llm
    from shelfmind.personas.assign import LLMAssessor
    from shelfmind.personas.choose import ChoiceLLMAssessor

    t0 = time.time()
    catalog, book, llm = load_persona_catalog(), _bundled_book(), build_llm(get_settings())
    inner: Any = (LLMAssessor(book, catalog, llm) if args.llm_yesno else
                  ChoiceLLMAssessor(book, catalog, llm, mode=args.llm_input, answer=args.llm_answer))
    expensive = Memo(inner)
    makers = {"diverse": lambda: simulate_users(book, catalog, args.llm, seed=1),
              "clustered": lambda: clustered_users(book, catalog, args.llm, seed=3)}
    populations = [(name, makers[name]()) for name in args.populations.split(",")]
    llm_s = 0.0
    for name, users in populations:
        start = time.time()
        for u in tqdm(users, desc=f"LLM {name}", unit=" users", file=sys.stderr):
            expensive.assess(u.history)
        llm_s += time.time() - start
    print(f"expensive assessor: {inner.id}")
    print(f"LLM assessments: {expensive.calls} distinct users ({llm_s:.0f} s; "
          f"{llm_s / max(1, expensive.calls):.1f} s each, cached answers count as 0)")
    assessors: list[tuple[str, Any]] = [("facts", FactAssessor(book, catalog))]
    if args.embedding:
        from shelfmind.embed.factory import build_embedder

        assessors.append(("embedding", EmbeddingAssessor(book, catalog, build_embedder(get_settings()))))
    assessors.append(("llm", expensive))
    print(f"{'population':<11} {'assessor':<10} {'top-1':>6} {'recall':>7} {'users':>6}  (persona recovery)")
    for name, users in populations:
        for aname, a in assessors:
            r = recovery(a, users)
            print(f"{name:<11} {aname:<10} {r['top1_accuracy']:>6.3f} {r['persona_recall']:>7.3f} {len(users):>6}")
    if args.noise:  # the LLM's own instability: a floor under any cache's false-hit rate
        print(f"{'population':<11} {'one purchase dropped: top-1 changed':>36} {'set changed':>12} {'users':>6}")
        for name, users in populations:
            top_changed = set_changed = 0
            for u in tqdm(users, desc=f"noise {name}", unit=" users", file=sys.stderr):
                a = expensive.assess(u.history)
                b = expensive.assess(u.history[:-1])
                top_changed += next(iter(a), None) != next(iter(b), None)
                set_changed += set(a) != set(b)
            print(f"{name:<11} {top_changed / len(users):>36.2%} {set_changed / len(users):>12.2%} {len(users):>6}")
    print(f"{'population':<11} {'cache (reference: the LLM per user)':<36} {'calls/1k':>8} {'naive/1k':>8} "
          f"{'false top-1':>11} {'false set':>9}")
    for name, users in populations:
        gate = FactAssessor(book, catalog)
        for label, radius, slope, gm, sm in LLM_ROWS:
            m = cache_measurement(expensive, book, catalog, users, radius=radius, slope=slope,
                                  gate=gate if gm is not None else None, min_margin=gm or 0.0, share_margin=sm)
            print(f"{name:<11} {label:<36} {m['calls_per_1000']:>8.0f} {1000:>8} "
                  f"{m['false_hit_rate_top1']:>11.2%} {m['false_hit_rate_set']:>9.2%}")
    print(f"({time.time() - t0:.0f} s)")


def _top(w: dict[str, float]) -> str | None:
    return next(iter(w), None)  # `select` orders the personas strongest first


def signature_bench(args: argparse.Namespace) -> None:
    """One table: the list-input LLM (naive, and its best old cache) vs the signature-input LLM with the exact
    signature cache, on the same simulated diverse users; then distinct signatures per 1,000 real households."""
    from tqdm import tqdm

    from shelfmind.config import get_settings
    from shelfmind.llm.factory import build_llm
    from shelfmind.personas.choose import ChoiceLLMAssessor
    from shelfmind.personas.signature import ExactSignatureCache, SignatureBuilder, SignatureLLMAssessor

    t0 = time.time()
    settings = get_settings()
    catalog, book, llm = load_persona_catalog(), _bundled_book(), build_llm(settings)
    users = simulate_users(book, catalog, max(args.sig_users, args.llm), seed=1)
    small = users[: args.llm]  # the list-input LLM's users (its first N: the same histories)
    listed = Memo(ChoiceLLMAssessor(book, catalog, llm, mode="list"))
    for u in tqdm(small, desc="list LLM", unit=" users", file=sys.stderr):
        listed.assess(u.history), listed.assess(u.history[:-1])
    sig_llm = SignatureLLMAssessor(book, catalog, llm)
    cache = ExactSignatureCache(sig_llm)
    got: dict[str, tuple[dict[str, float], bool]] = {}
    for u in tqdm(users, desc="signature LLM", unit=" users", file=sys.stderr):
        weights, _, hit = cache.assess(u.history)
        got[u.id] = (weights, hit)
    calls_big = sig_llm.calls
    dropped = [(sig_llm.signer(u.history), sig_llm.signer(u.history[:-1]), u) for u in users]
    # verify "no false hits by construction": cache hits re-assessed individually, a fresh assessor on an
    # LLM stack without the response cache (every call goes to the model)
    fresh = SignatureLLMAssessor(book, catalog, build_llm(settings.model_copy(update={"llm_cache": False})))
    hits = [u for u in users if got[u.id][1]][: args.verify]
    mismatches = sum(set(fresh.assess(u.history)) != set(got[u.id][0]) or _top(fresh.assess(u.history))
                     != _top(got[u.id][0]) for u in tqdm(hits, desc="verify", unit=" users", file=sys.stderr))
    sig_changed = sum(a != b for a, b, _ in dropped) / len(dropped)
    res_changed = sum(_top(sig_llm.assess(u.history)) != _top(sig_llm.assess(u.history[:-1]))
                      for _, _, u in dropped) / len(dropped)
    list_changed = sum(_top(listed.assess(u.history)) != _top(listed.assess(u.history[:-1])) for u in small)
    print(f"list-input LLM: {listed.id}\nsignature LLM: {sig_llm.id}")
    hdr = (f"{'assessor + cache':<38} {'users':>5} {'calls/1k':>8} {'naive':>5} {'false top1':>10} {'false set':>9} "
           f"{'vs list top1':>12} {'vs list set':>11} {'rec top1':>8} {'recall':>6} {'drop: input':>11} "
           f"{'drop: top1':>10}")
    print(hdr)

    def row(label: str, n: int, calls: float, ft: str, fs: str, vt: str, vs: str, rec: dict[str, float],
            din: str, dtop: float) -> None:
        print(f"{label:<38} {n:>5} {calls:>8.0f} {1000:>5} {ft:>10} {fs:>9} {vt:>12} {vs:>11} "
              f"{rec['top1_accuracy']:>8.3f} {rec['persona_recall']:>6.3f} {din:>11} {dtop:>10.1%}")

    n = len(small)
    rec_list = recovery(listed, small)
    row("list LLM, naive (1 call/user)", n, 1000, "0 (def)", "0 (def)", "0 (def)", "0 (def)", rec_list,
        "-", list_changed / n)
    m = cache_measurement(listed, book, catalog, small, gate=FactAssessor(book, catalog), min_margin=0.02,
                          share_margin=0.10)
    row("list LLM + decision m>=.02 llm>=.10", n, m["calls_per_1000"], f"{m['false_hit_rate_top1']:.1%}",
        f"{m['false_hit_rate_set']:.1%}", "(=false)", "(=false)", rec_list, "-", list_changed / n)
    for label, group in ((f"signature LLM, exact cache (first {n})", small), ("signature LLM, exact cache", users)):
        ids = {u.id for u in group}
        distinct = {a.key for a, _, u in dropped if u.id in ids and a is not None and not a.empty}
        vs = [(_top(got[u.id][0]) != _top(listed.assess(u.history)), set(got[u.id][0]) != set(listed.assess(u.history)))
              for u in small] if group is small else []
        moved = sum(a != b for a, b, u in dropped if u.id in ids) / len(group)
        row(label, len(group), 1000 * len(distinct) / len(group), "0 (constr)", "0 (constr)",
            f"{sum(v[0] for v in vs) / n:.1%}" if vs else "-", f"{sum(v[1] for v in vs) / n:.1%}" if vs else "-",
            recovery(sig_llm, group), f"{moved:.1%}",
            sum(_top(sig_llm.assess(u.history)) != _top(sig_llm.assess(u.history[:-1])) for u in group) / len(group))
    facts = FactAssessor(book, catalog)
    row("facts (no LLM)", len(users), 0, "-", "-", "-", "-", recovery(facts, users), "-",
        sum(_top(facts.assess(u.history)) != _top(facts.assess(u.history[:-1])) for u in users) / len(users))
    print(f"signature LLM: {calls_big} LLM calls for {len(users)} users ({cache.assessments} signatures assessed, "
          f"{cache.hits} cache hits); verified: {mismatches} of {len(hits)} cache hits differ from an individual "
          f"assessment with the response cache off; one purchase dropped: signature changed {sig_changed:.1%}, "
          f"top-1 changed {res_changed:.1%}")
    print(f"{'population (no LLM)':<22} {'users':>6} {'distinct signatures/1k':>22} {'empty (no call)':>15}")
    pops: list[tuple[str, FactBook, list[list[str]]]] = [
        ("diverse (sim)", book, [u.history for u in users]),
        ("clustered (sim)", book, [u.history for u in clustered_users(book, catalog, 1000, seed=3)])]
    for name, loader in (("completejourney", load_completejourney), ("online-retail", load_online_retail)):
        try:
            data = loader(Path(default_data_dir()), max_users=1000)
        except Exception as exc:  # a missing dataset is reported, not fatal
            print(f"{name}: skipped ({exc})")
            continue
        pops.append((name, FactBook.from_products(data.products.values()),
                     [[p for b in bs for p in b] for bs in data.baskets.values()]))
    for name, pbook, hists in pops:
        signer = SignatureBuilder(pbook, catalog)
        sigs = [signer(h) for h in hists]
        nonempty = {s.key for s in sigs if s is not None and not s.empty}
        empty = sum(s is None or s.empty for s in sigs)
        print(f"{name:<22} {len(hists):>6} {1000 * len(nonempty) / len(hists):>22.0f} {empty / len(hists):>15.1%}")
    print(f"({time.time() - t0:.0f} s)")


if __name__ == "__main__":
    main()
