"""Simulated shoppers with known personas over a real catalog (the bundled grocery catalog).

A user has one or two personas; each purchase is drawn from the products a persona favours
(weight exp(2 * boost) over the product's facts) or, with probability `noise`, from the whole
catalog. Brand Loyalists re-buy a few favourites. Used for persona recovery accuracy, the signature
cache's calls/false hits, and constraint-violation checks.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from shelfmind.personas.assign import Assessor, FactAssessor, SignatureCache
from shelfmind.personas.catalog import PersonaCatalog
from shelfmind.personas.facts import FactBook

# plausible two-persona combinations (others are single personas)
PAIRS = [
    ("busy_parent", "young_kids_parent"), ("health_enthusiast", "plant_based"), ("party_host", "snack_lover"),
    ("breakfast_lover", "coffee_tea_lover"), ("bargain_hunter", "home_cook"), ("luxury_lover", "coffee_tea_lover"),
    ("baker", "breakfast_lover"), ("impulse_buyer", "snack_lover"), ("health_enthusiast", "breakfast_lover"),
    ("brand_loyalist", "snack_lover"), ("tech_savvy", "health_enthusiast"), ("home_cook", "luxury_lover"),
]


@dataclass
class SimUser:
    id: str
    personas: tuple[str, ...]
    history: list[str]


def _weights(book: FactBook, catalog: PersonaCatalog, persona: str, pids: list[str]) -> list[float]:
    p = catalog.get(persona)
    return [math.exp(2.0 * max(-1.0, p.boost(book.facts(pid)))) - 1.0 + 1e-3 for pid in pids]


def simulate_users(book: FactBook, catalog: PersonaCatalog, n: int, *, seed: int = 0, noise: float = 0.25,
                   min_len: int = 12, max_len: int = 48, pair_share: float = 0.4) -> list[SimUser]:
    rng = random.Random(seed)
    pids = sorted(book.products)
    tables = {p.id: _weights(book, catalog, p.id, pids) for p in catalog.personas}
    users = []
    for i in range(n):
        personas: tuple[str, ...] = rng.choice(PAIRS) if rng.random() < pair_share else (rng.choice(catalog.ids),)
        length = rng.randint(min_len, max_len)
        favourites = rng.choices(pids, k=4)
        history = []
        for _ in range(length):
            persona = rng.choice(personas)
            if rng.random() < noise:
                history.append(rng.choice(pids))
            elif persona == "brand_loyalist":
                history.append(rng.choice(favourites))
            else:
                history.append(rng.choices(pids, weights=tables[persona], k=1)[0])
        users.append(SimUser(f"sim{i:05d}", personas, history))
    return users


def clustered_users(book: FactBook, catalog: PersonaCatalog, n: int, *, archetypes: int = 100, seed: int = 0,
                    resample: float = 0.15) -> list[SimUser]:
    """Households that resemble each other: each user is one of `archetypes` base users with a share
    `resample` of purchases redrawn (same personas) and the history length jittered by +-20%."""
    rng = random.Random(seed)
    bases = simulate_users(book, catalog, archetypes, seed=seed + 1)
    more = simulate_users(book, catalog, archetypes * 4, seed=seed + 2)  # same generator: persona-consistent draws
    pool: dict[tuple[str, ...], list[str]] = {}
    for u in more:
        pool.setdefault(u.personas, []).extend(u.history)
    users = []
    for i in range(n):
        base = rng.choice(bases)
        hist = [p for p in base.history if rng.random() > resample]
        extra = pool.get(base.personas) or base.history
        target = max(3, int(len(base.history) * rng.uniform(0.8, 1.2)))
        while len(hist) < target:
            hist.append(rng.choice(extra))
        rng.shuffle(hist)
        users.append(SimUser(f"cl{i:05d}", base.personas, hist))
    return users


def recovery(assessor: Assessor, users: Sequence[SimUser]) -> dict[str, float]:
    """top-1 accuracy (the strongest assigned persona is a true one) and recall of true personas."""
    top1 = recall = 0.0
    for u in users:
        w = assessor.assess(u.history)
        best = max(w, key=w.__getitem__) if w else None
        top1 += best in u.personas
        recall += len(set(w) & set(u.personas)) / len(u.personas)
    n = max(1, len(users))
    return {"top1_accuracy": top1 / n, "persona_recall": recall / n, "users": float(len(users))}


def cache_measurement(assessor: Assessor, book: FactBook, catalog: PersonaCatalog, users: Sequence[SimUser],
                      *, radius: float = 0.15, slope: float = 1.0, gate: FactAssessor | None = None,
                      min_margin: float = 0.0, share_margin: float = 0.0) -> dict[str, float]:
    """Assessments per 1,000 users through the signature cache vs one per user, and false hits:
    users whose cached personas differ from their individual assessment by `assessor` (top-1 persona, and
    the set of personas `select` keeps). With a `gate`, users with the same gate decision share one result
    (only a result whose own margin reached `share_margin`)."""
    cache = SignatureCache(assessor, book, catalog, radius=radius, slope=slope, gate=gate, min_margin=min_margin,
                           share_margin=share_margin)
    false_top1 = false_set = hits = 0
    for u in users:
        got, _, hit = cache.assess(u.history)
        if not hit:
            continue
        hits += 1
        own = assessor.assess(u.history)
        top = (max(got, key=got.__getitem__) if got else None, max(own, key=own.__getitem__) if own else None)
        false_top1 += top[0] != top[1]
        false_set += set(got) != set(own)
    n = max(1, len(users))
    return {
        "users": float(len(users)),
        "calls_per_1000": 1000.0 * cache.assessments / n,
        "naive_calls_per_1000": 1000.0,
        "cache_hits": float(hits),
        "false_hit_rate_top1": false_top1 / n,
        "false_hit_rate_set": false_set / n,
        "radius": radius,
        "slope": slope,
    }
