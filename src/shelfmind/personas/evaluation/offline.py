"""Next-basket evaluation on real histories: hold out each user's last basket; NDCG@10 and
recall@10 for popularity, the user's own purchase frequency, two-tower, persona-aware ranking and the
combination of two-tower and persona-aware ranking."""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Callable

import numpy as np

from shelfmind.personas.assign import FactAssessor
from shelfmind.personas.catalog import PersonaCatalog
from shelfmind.personas.evaluation.histories import Histories
from shelfmind.personas.facts import FactBook

log = logging.getLogger(__name__)
K = 10
PERSONA_WEIGHT = 0.5


def ndcg_recall(ranked: list[int], relevant: set[int], k: int = K) -> tuple[float, float]:
    hits = [1.0 if i in relevant else 0.0 for i in ranked[:k]]
    dcg = sum(h / math.log2(r + 2) for r, h in enumerate(hits))
    ideal = sum(1.0 / math.log2(r + 2) for r in range(min(k, len(relevant))))
    return (dcg / ideal if ideal else 0.0), (sum(hits) / len(relevant) if relevant else 0.0)


def _z(x: np.ndarray) -> np.ndarray:
    sd = float(x.std())
    return (x - float(x.mean())) / sd if sd > 0 else x - float(x.mean())


class PersonaRanker:
    """Persona-aware ranking: popularity prior + the assigned personas' boosts over product facts."""

    def __init__(self, products: list[str], book: FactBook, catalog: PersonaCatalog) -> None:
        self.items = products
        self.index = {p: i for i, p in enumerate(products)}
        self.book = book
        self.catalog = catalog
        self.assessor = FactAssessor(book, catalog)
        facts = sorted({f for p in catalog.personas for f in p.boosts})
        fidx = {f: j for j, f in enumerate(facts)}
        mat = np.zeros((len(products), len(facts)))
        for i, pid in enumerate(products):
            for f in book.facts(pid):
                if f in fidx:
                    mat[i, fidx[f]] = 1.0
        boosts = np.zeros((len(catalog.personas), len(facts)))
        for j, p in enumerate(catalog.personas):
            for f, w in p.boosts.items():
                boosts[j, fidx[f]] = w
        self.persona_item = mat @ boosts.T  # items x personas
        self.prev_col = fidx.get("previously_bought")
        self.prev_weight = {p.id: p.boosts.get("previously_bought", 0.0) for p in catalog.personas}
        self.pid_col = {p.id: j for j, p in enumerate(catalog.personas)}

    def personal(self, history: list[str]) -> tuple[np.ndarray, dict[str, float]]:
        weights = self.assessor.assess(history)
        score = np.zeros(len(self.items))
        bought = [self.index[p] for p in set(history) if p in self.index]
        for pid, w in weights.items():
            score += w * self.persona_item[:, self.pid_col[pid]]
            if self.prev_weight.get(pid):
                score[bought] += w * self.prev_weight[pid]
        return score, weights


def evaluate(data: Histories, catalog: PersonaCatalog, *, epochs: int = 15, progress: Callable[[str], None] | None = None,
             seed: int = 0) -> dict[str, dict[str, float]]:
    train, test = data.split()
    items = sorted(data.products)
    index = {p: i for i, p in enumerate(items)}
    book = FactBook.from_products(data.products.values())
    pop = np.zeros(len(items))
    for h in train.values():
        for p, n in Counter(h).items():
            pop[index[p]] += n
    log_pop = np.log1p(pop)
    pop_norm = log_pop / max(1e-9, float(log_pop.max()))
    if progress:
        progress(f"{data.name}: {len(train)} users, {len(items)} items; training the two-tower model")
    tower = None
    try:
        from shelfmind.personas.two_tower import TwoTower

        tower = TwoTower(items, seed=seed)
        tower.fit(train, epochs=epochs)
    except Exception as exc:  # torch missing: the table says so
        log.warning("two-tower skipped: %s", exc)
        tower = None
    ranker = PersonaRanker(items, book, catalog)
    methods = ["popularity", "own history", "two-tower", "persona-aware", "two-tower + persona"]
    sums: dict[str, list[float]] = {m: [0.0, 0.0] for m in methods}
    assigned: Counter[str] = Counter()
    n = 0
    for user, basket in test.items():
        relevant = {index[p] for p in basket if p in index}
        if not relevant:
            continue
        n += 1
        hist = train[user]
        own = np.zeros(len(items))
        for p, c in Counter(hist).items():
            own[index[p]] += c
        personal, weights = ranker.personal(hist)
        assigned.update(weights)
        scores = {
            "popularity": log_pop,
            "own history": own + 1e-3 * pop_norm,
            "persona-aware": pop_norm + PERSONA_WEIGHT * personal,
        }
        if tower is not None:
            tt = tower.scores(hist)
            scores["two-tower"] = tt
            scores["two-tower + persona"] = _z(tt) + _z(pop_norm + PERSONA_WEIGHT * personal)
        for m, s in scores.items():
            top = np.argpartition(-s, K)[:K] if len(s) > K else np.arange(len(s))
            ranked = sorted(top.tolist(), key=lambda i: -s[i])
            nd, rc = ndcg_recall(ranked, relevant)
            sums[m][0] += nd
            sums[m][1] += rc
    out = {m: {"ndcg@10": v[0] / max(1, n), "recall@10": v[1] / max(1, n), "users": float(n)}
           for m, v in sums.items() if not (m.startswith("two-tower") and tower is None)}
    out["_meta"] = {"users": float(n), "items": float(len(items)),
                    **{f"persona:{k}": v / max(1, n) for k, v in assigned.most_common(5)}}
    return out
