"""Quality reports for the knowledge base.

`evaluate_verifier`: the verifier against a small hand-labelled sample of assertions on the
bundled grocery catalog (knowledge/data/verifier_sample.jsonl: intent, product, explanation, label
good/bad and the labeller's reason): auto-approved share, precision of what is auto-approved,
accuracy and Cohen's kappa of the verifier's good/bad call against the labels.

`evaluate_retrieval`: recall / nDCG of a searcher over product text with and without the KB's
addendum, on hand-made judgments (queries -> rules on product names written by a person, not by
the KB), so the measurement is not circular.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from shelfmind.knowledge.grounding import ProductSource
from shelfmind.knowledge.verifier import Verifier
from shelfmind.schemas import AssertionStatus, Product
from shelfmind.search.base import ProductSearcher


def data_path(name: str) -> Path:
    return Path(str(resources.files("shelfmind.knowledge") / "data" / name))


def load_jsonl(path: Path | str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def cohen_kappa(a: Sequence[bool], b: Sequence[bool]) -> float:
    n = len(a)
    if n == 0:
        return 0.0
    po = sum(x == y for x, y in zip(a, b, strict=True)) / n
    pa, pb = sum(a) / n, sum(b) / n
    pe = pa * pb + (1 - pa) * (1 - pb)
    return 1.0 if pe == 1 else (po - pe) / (1 - pe)


class VerifierEval(BaseModel):
    n: int
    labelled_good: int
    auto_approved_share: float
    auto_approved_precision: float | None
    rejected_share: float
    rejected_precision: float | None  # share of rejected that humans labelled bad
    needs_review_share: float
    accuracy: float
    kappa: float
    cv_accuracy: float  # 2-fold cross-validation of the decision threshold (chosen on one half, scored on the other)
    cv_kappa: float
    judge: str
    rows: list[dict[str, Any]] = Field(default_factory=list)


def evaluate_verifier(verifier: Verifier, products: ProductSource, sample: Sequence[dict[str, Any]],
                      *, progress: Callable[[int], None] | None = None) -> VerifierEval:
    found = products.get_many([r["product_id"] for r in sample])
    rows, preds, labels = [], [], []
    for i, r in enumerate(sample):
        v = verifier.verify(found.get(r["product_id"]), r["intent"], r["explanation"], r.get("product_type", ""))
        good = v.status == AssertionStatus.AUTO_APPROVED or (
            v.status == AssertionStatus.NEEDS_REVIEW and v.score >= verifier.thresholds.decision)
        preds.append(good)
        labels.append(r["label"] == "good")
        rows.append({"id": r.get("id"), "intent": r["intent"], "product_id": r["product_id"], "label": r["label"],
                     "status": v.status.value, "score": v.score, "faithfulness": v.faithfulness,
                     "plausibility": v.plausibility, "predicted": "good" if good else "bad", "reasons": v.reasons})
        if progress:
            progress(i + 1)
    n = len(rows)

    def share(status: AssertionStatus) -> list[dict[str, Any]]:
        return [x for x in rows if x["status"] == status.value]

    auto, rej, rev = share(AssertionStatus.AUTO_APPROVED), share(AssertionStatus.REJECTED), share(AssertionStatus.NEEDS_REVIEW)
    return VerifierEval(
        n=n, labelled_good=sum(labels),
        auto_approved_share=round(len(auto) / n, 4) if n else 0.0,
        auto_approved_precision=round(sum(x["label"] == "good" for x in auto) / len(auto), 4) if auto else None,
        rejected_share=round(len(rej) / n, 4) if n else 0.0,
        rejected_precision=round(sum(x["label"] == "bad" for x in rej) / len(rej), 4) if rej else None,
        needs_review_share=round(len(rev) / n, 4) if n else 0.0,
        accuracy=round(sum(p == g for p, g in zip(preds, labels, strict=True)) / n, 4) if n else 0.0,
        kappa=round(cohen_kappa(preds, labels), 4),
        **_cross_validated(rows),
        judge=verifier.llm.model_id if verifier.llm is not None else "rules only",
        rows=rows,
    )


def _cross_validated(rows: Sequence[dict[str, Any]]) -> dict[str, float]:
    """Pick the score threshold that maximises accuracy on odd rows, score it on even rows, and back."""
    folds = [list(rows[0::2]), list(rows[1::2])]
    if not folds[0] or not folds[1]:
        return {"cv_accuracy": 0.0, "cv_kappa": 0.0}
    candidates = sorted({float(r["score"]) for r in rows})

    def calls(part: Sequence[dict[str, Any]], t: float) -> tuple[list[bool], list[bool]]:
        return [r["score"] >= t for r in part], [r["label"] == "good" for r in part]

    def acc(part: Sequence[dict[str, Any]], t: float) -> float:
        p, g = calls(part, t)
        return sum(a == b for a, b in zip(p, g, strict=True)) / len(part)

    accs, kappas = [], []
    for train, test in (folds, folds[::-1]):
        t = max(candidates, key=lambda c: (acc(train, c), -abs(c - 0.35)))
        accs.append(acc(test, t))
        kappas.append(cohen_kappa(*calls(test, t)))
    return {"cv_accuracy": round(sum(accs) / 2, 4), "cv_kappa": round(sum(kappas) / 2, 4)}


# ---- retrieval effect ----------------------------------------------------------------------------


class RetrievalEval(BaseModel):
    queries: int
    k: int
    baseline: dict[str, float]
    with_kb: dict[str, float]
    per_query: list[dict[str, Any]] = Field(default_factory=list)


def judged_relevant(products: Sequence[Product], rule: dict[str, Any]) -> set[str]:
    """Hand-written relevance rule: any `name` regex matches the product name, no `not` regex does."""
    pats = [re.compile(p, re.I) for p in rule["name"]]
    nots = [re.compile(p, re.I) for p in rule.get("not", [])]
    return {p.id for p in products if any(r.search(p.name) for r in pats) and not any(r.search(p.name) for r in nots)}


def _metrics(ranked: Sequence[str], relevant: set[str], k: int) -> tuple[float, float]:
    top = list(ranked)[:k]
    gains = [1.0 if pid in relevant else 0.0 for pid in top]
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
    ideal = sum(1 / math.log2(i + 2) for i in range(min(k, len(relevant))))
    return (sum(gains) / k), (dcg / ideal if ideal else 0.0)


def evaluate_retrieval(
    products: Sequence[Product],
    make_searcher: Callable[[Sequence[Product]], ProductSearcher],
    extra_text: dict[str, str],
    judgments: Sequence[dict[str, Any]],
    *,
    k: int = 10,
) -> RetrievalEval:
    """Same searcher built twice: over product text, and over product text + KB addendum."""
    plain = make_searcher(products)
    enriched = make_searcher([
        p.model_copy(update={"text": f"{p.text or p.name} {extra_text[p.id]}"}) if p.id in extra_text else p
        for p in products
    ])
    per_query = []
    sums = {"base_p": 0.0, "base_ndcg": 0.0, "kb_p": 0.0, "kb_ndcg": 0.0}
    for j in judgments:
        rel = judged_relevant(products, j)
        bp, bn = _metrics([h.id for h in plain.search(j["query"], k=k)], rel, k)
        kp, kn = _metrics([h.id for h in enriched.search(j["query"], k=k)], rel, k)
        sums["base_p"] += bp
        sums["base_ndcg"] += bn
        sums["kb_p"] += kp
        sums["kb_ndcg"] += kn
        per_query.append({"query": j["query"], "relevant": len(rel), "base_p@k": round(bp, 3), "kb_p@k": round(kp, 3),
                          "base_ndcg@k": round(bn, 3), "kb_ndcg@k": round(kn, 3)})
    n = max(1, len(judgments))
    return RetrievalEval(
        queries=len(judgments), k=k,
        baseline={f"p@{k}": round(sums["base_p"] / n, 4), f"ndcg@{k}": round(sums["base_ndcg"] / n, 4)},
        with_kb={f"p@{k}": round(sums["kb_p"] / n, 4), f"ndcg@{k}": round(sums["kb_ndcg"] / n, 4)},
        per_query=per_query,
    )


def sample_extra_text(sample: Sequence[dict[str, Any]], products: ProductSource, workdir: Path) -> dict[str, str]:
    """The retrieval addendum of a KB holding only the human-approved ('good') labelled links:
    what retrieval gains from approved knowledge, independent of any model build."""
    from shelfmind.knowledge.facts import normalise
    from shelfmind.knowledge.intents import records
    from shelfmind.knowledge.kb import KnowledgeBase
    from shelfmind.knowledge.models import IntentSource
    from shelfmind.knowledge.store import KnowledgeStore
    from shelfmind.schemas import IntentLink

    store = KnowledgeStore(workdir / "sample-kb.sqlite")
    good = [r for r in sample if r["label"] == "good"]
    store.add_intents(records([r["intent"] for r in good], IntentSource.SEED))
    by_intent: dict[str, list[IntentLink]] = {}
    for r in good:
        by_intent.setdefault(normalise(r["intent"]), []).append(IntentLink(
            intent=r["intent"], product_id=r["product_id"], product_type=r["product_type"],
            explanation=r["explanation"], score=1.0, status=AssertionStatus.APPROVED))
    for key, links in by_intent.items():
        store.save_intent_result(key, links, [], "broad")
    try:
        return KnowledgeBase(store, products=products).extra_text()
    finally:
        store.close()


def plot_verifier(result: VerifierEval, path: Path | str) -> Path:
    """Histogram of verifier scores, split by the human label, with the status thresholds."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from shelfmind.knowledge.verifier import Thresholds

    t = Thresholds()
    fig, ax = plt.subplots(figsize=(6, 3.2))
    for label, color in (("good", "tab:green"), ("bad", "tab:red")):
        ax.hist([r["score"] for r in result.rows if r["label"] == label], bins=20, range=(0, 1), alpha=0.6,
                color=color, label=f"labelled {label}")
    for x, name in ((t.reject, "reject <"), (t.auto_approve, "auto-approve >=")):
        ax.axvline(x, color="black", ls="--", lw=0.8)
        ax.text(x, ax.get_ylim()[1] * 0.9, f" {name}{x}", fontsize=7)
    ax.set_xlabel(f"verifier score ({result.judge})")
    ax.set_ylabel("assertions")
    ax.set_title(f"accuracy {result.accuracy:.2f}, kappa {result.kappa:.2f}, auto-approved {result.auto_approved_share:.0%}",
                 fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
