"""`shelfmind eval personalization`: (a) next-basket ranking on real histories, (b) persona recovery
on simulated shoppers, (c) constraint violations over many (user, query) pairs; one table + a PNG."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from shelfmind.embed.base import Embedder
from shelfmind.llm.base import LLM
from shelfmind.personas.assign import EmbeddingAssessor, FactAssessor
from shelfmind.personas.catalog import PersonaCatalog
from shelfmind.personas.choose import ChoiceLLMAssessor
from shelfmind.personas.constraints import first_violation
from shelfmind.personas.evaluation.histories import load_completejourney, load_online_retail
from shelfmind.personas.evaluation.offline import evaluate
from shelfmind.personas.evaluation.simulate import cache_measurement, recovery, simulate_users
from shelfmind.personas.facts import FactBook
from shelfmind.personas.profile import UserProfile
from shelfmind.personas.recommend import Recommender
from shelfmind.personas.signature import SignatureBuilder, SignatureLLMAssessor
from shelfmind.personas.statements import EffectKind, parse_rules
from shelfmind.search.base import ProductSearcher
from shelfmind.store.atomic import atomic_write_text

QUERIES = ["pasta", "chocolate", "snacks", "breakfast", "wine", "beer", "cheese", "cookies", "party food", "soup",
           "sauce", "drinks", "dessert", "", "peanut butter", "fish", "ice cream", "bread", "honey", "coffee"]
STATEMENTS = ["I'm three months pregnant", "we're vegan", "we're pescatarian", "no peanuts for my son", "we are vegetarian",
              "I'm allergic to milk", "gluten free please, I'm celiac", "no shellfish or sesame",
              "I'm pregnant and we're vegan, and no tree nuts"]


def constraint_violations(rec: Recommender, book: FactBook, users: list[Any], *, n_users: int = 24) -> dict[str, float]:
    """Recommend for (simulated user x statement x query x context); count shown products that break a
    constraint (every product shown: ranked list, theme members, complements)."""
    pairs = violations = shown_total = removed = 0
    contexts = [None, "events=super_bowl,new_year", "events=christmas added=" + ",".join(users[0].history[:2])]
    for u, text in itertools.product(users[:n_users], STATEMENTS):
        live = [e.value for e in parse_rules(text).effects if e.kind == EffectKind.CONSTRAINT]
        profile = UserProfile(user_id=u.id, constraints=sorted(set(live)), history=u.history)
        cons = profile.constraint_objs
        for q, ctx in itertools.product(QUERIES, contexts[: 1 + (pairs % 3 == 0) * 2]):
            out = rec.recommend_for(q, profile, _ctx(ctx))
            shown = {p.id for p in out.products} | {pid for t in out.presentation.themes for pid in t.product_ids}
            violations += sum(first_violation(book.products[pid], cons) is not None for pid in shown)
            shown_total += len(shown)
            removed += out.removed_by_constraints
            pairs += 1
    return {"pairs": float(pairs), "products_shown": float(shown_total), "violations": float(violations),
            "removed_by_constraints": float(removed)}


def _ctx(raw: str | None) -> Any:
    from shelfmind.personas.context import Context

    return Context.parse(raw)


def run(*, data_dir: Path, book: FactBook, catalog: PersonaCatalog, searcher: ProductSearcher,
        embedder: Embedder | None, llm: LLM | None, llm_users: int, quick: bool,
        say: Callable[[str], None], llm_input: str = "list") -> dict[str, Any]:
    results: dict[str, Any] = {"quick": quick}
    t0 = time.time()
    # (a) real histories
    offline: dict[str, Any] = {}
    loaders = [("online-retail", lambda: load_online_retail(data_dir, max_users=300 if quick else None)),
               ("completejourney", lambda: load_completejourney(data_dir, max_users=300 if quick else 1000))]
    for name, load in loaders:
        try:
            data = load()
        except Exception as exc:  # a missing dataset is reported, not fatal
            offline[name] = {"error": str(exc)}
            continue
        offline[name] = evaluate(data, catalog, epochs=6 if quick else 10, progress=say)
        say(f"{name} done ({time.time() - t0:.0f} s)")
    results["offline"] = offline
    # (b) persona recovery on simulated users + the signature cache
    sims = simulate_users(book, catalog, 300 if quick else 1000, seed=1)
    rec_users = sims[:200]
    recov: dict[str, Any] = {"facts": recovery(FactAssessor(book, catalog), rec_users)}
    emb_assessor = EmbeddingAssessor(book, catalog, embedder) if embedder is not None else None
    if emb_assessor is not None:
        recov[f"embedding ({embedder.model_id})"] = recovery(emb_assessor, rec_users)  # type: ignore[union-attr]
    if llm is not None and llm_users > 0:
        say(f"LLM persona scoring for {llm_users} simulated users (one call each)")
        chooser = (SignatureLLMAssessor(book, catalog, llm) if llm_input == "signature"
                   else ChoiceLLMAssessor(book, catalog, llm, mode="list" if llm_input == "list" else "summary"))
        recov[f"llm ({llm.model_id}, {llm_input})"] = recovery(chooser, rec_users[:llm_users])
    results["recovery"] = recov
    say(f"recovery done ({time.time() - t0:.0f} s)")
    cache: dict[str, Any] = {"facts": cache_measurement(FactAssessor(book, catalog), book, catalog, sims)}
    if emb_assessor is not None:
        cache["embedding"] = cache_measurement(emb_assessor, book, catalog, sims)
    # the LLM reads the signature only, so its exact cache costs one call per distinct non-empty signature
    # and has no false hits by construction: counting signatures needs no model
    signer = SignatureBuilder(book, catalog)
    sigs = [signer(u.history) for u in sims]
    distinct = {s.key for s in sigs if s is not None and not s.empty}
    cache["llm on the signature (exact)"] = {
        "users": float(len(sims)), "calls_per_1000": 1000.0 * len(distinct) / max(1, len(sims)),
        "naive_calls_per_1000": 1000.0, "false_hit_rate_top1": 0.0, "false_hit_rate_set": 0.0,
        "no_trait_share": sum(1 for s in sigs if s is not None and s.empty) / max(1, len(sims))}
    results["cache"] = cache
    # (c) constraint violations
    rec = Recommender(_MemoSearcher(searcher), book, _NoUsers(), catalog)
    results["constraints"] = constraint_violations(rec, book, sims, n_users=4 if quick else 12)
    results["seconds"] = round(time.time() - t0, 1)
    return results


class _MemoSearcher:
    """The same queries repeat across simulated users: search each once."""

    def __init__(self, inner: ProductSearcher) -> None:
        self.inner = inner
        self._memo: dict[tuple[str, int], list[Any]] = {}

    def search(self, query: str, *, k: int = 10, filters: Any = ()) -> list[Any]:
        if filters:
            return self.inner.search(query, k=k, filters=filters)
        if (query, k) not in self._memo:
            self._memo[(query, k)] = self.inner.search(query, k=k)
        return self._memo[(query, k)]


class _NoUsers:
    def profile(self, user_id: str) -> UserProfile:
        raise AssertionError("profiles are passed directly")


def table(results: dict[str, Any]) -> str:
    lines = ["(a) next-basket ranking, last basket held out", f"{'dataset':<16} {'method':<22} {'NDCG@10':>8} "
             f"{'recall@10':>9} {'users':>6}"]
    for ds, res in results["offline"].items():
        if "error" in res:
            lines.append(f"{ds:<16} skipped: {res['error']}")
            continue
        for m, v in res.items():
            if not m.startswith("_"):
                lines.append(f"{ds:<16} {m:<22} {v['ndcg@10']:>8.4f} {v['recall@10']:>9.4f} {int(v['users']):>6}")
    lines.append("(b) persona recovery on simulated shoppers (bundled grocery catalog)")
    for name, v in results["recovery"].items():
        lines.append(f"  {name:<40} top-1 {v['top1_accuracy']:.3f}  recall {v['persona_recall']:.3f}  "
                     f"({int(v['users'])} users)")
    lines.append("    signature cache (individual assessment = reference)")
    for name, v in results["cache"].items():
        lines.append(f"  {name:<30} {v['calls_per_1000']:.0f} calls / 1,000 users (naive 1,000); false hits "
                     f"top-1 {v['false_hit_rate_top1']:.2%}, set {v['false_hit_rate_set']:.2%} ({int(v['users'])} users)")
    c = results["constraints"]
    lines.append(f"(c) constraint violations: {int(c['violations'])} in {int(c['products_shown'])} products shown "
                 f"over {int(c['pairs'])} (user, statement, query) requests; "
                 f"{int(c['removed_by_constraints'])} candidates removed")
    return "\n".join(lines)


def plot(results: dict[str, Any], path: Path) -> Path | None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    sets = [(ds, r) for ds, r in results["offline"].items() if "error" not in r]
    if not sets:
        return None
    fig, axes = plt.subplots(1, len(sets), figsize=(6 * len(sets), 4), squeeze=False)
    for ax, (ds, res) in zip(axes[0], sets, strict=True):
        methods = [m for m in res if not m.startswith("_")]
        x = range(len(methods))
        ax.bar([i - 0.2 for i in x], [res[m]["ndcg@10"] for m in methods], width=0.4, label="NDCG@10")
        ax.bar([i + 0.2 for i in x], [res[m]["recall@10"] for m in methods], width=0.4, label="recall@10")
        ax.set_xticks(list(x), methods, rotation=25, ha="right", fontsize=8)
        ax.set_title(f"{ds}: last basket held out")
        ax.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def save(results: dict[str, Any], out_dir: Path) -> tuple[Path, Path | None]:
    out_dir.mkdir(parents=True, exist_ok=True)
    js = atomic_write_text(out_dir / "personalization.json", json.dumps(results, indent=2))
    return js, plot(results, out_dir / "personalization.png")
