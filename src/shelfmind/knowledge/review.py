"""The bridge between knowledge assertions and the shared human review queue.

Refs: "kb/link/<id>", "kb/relation/<id>" (kind ASSERTION) and "kb/explanation/<pid>|<context>|<persona>"
(kind EXPLANATION). Decisions flow back into the knowledge store through `apply`, registered with
`ReviewQueue.on_decision` by the factory.
"""

from __future__ import annotations

from typing import Any

from shelfmind.knowledge.models import Explanation
from shelfmind.knowledge.store import KnowledgeStore
from shelfmind.review.queue import ReviewItem, ReviewKind, ReviewQueue, ReviewStatus
from shelfmind.schemas import AssertionStatus, IntentLink, Relation

_STATUS = {
    ReviewStatus.APPROVED: AssertionStatus.APPROVED,
    ReviewStatus.EDITED: AssertionStatus.APPROVED,
    ReviewStatus.REJECTED: AssertionStatus.REJECTED,
}


class KnowledgeReview:
    def __init__(self, store: KnowledgeStore, queue: ReviewQueue | None) -> None:
        self.store = store
        self.queue = queue

    def register(self) -> None:
        if self.queue is not None:
            self.queue.on_decision(ReviewKind.ASSERTION, self.apply)
            self.queue.on_decision(ReviewKind.EXPLANATION, self.apply)

    def enqueue_link(self, link: IntentLink, reasons: list[str] | None = None) -> int | None:
        row_id = self.store.link_id(link.intent, link.product_id)
        if self.queue is None or row_id is None:
            return None
        return self.queue.add(
            kind=ReviewKind.ASSERTION, ref=f"kb/link/{row_id}", subject=f"intent: {link.intent}",
            value={"product_id": link.product_id, "product_type": link.product_type, "explanation": link.explanation},
            evidence=link.evidence, confidence=float(link.verifier_score or 0.0),
            reason="; ".join(reasons or []) or f"verifier score {link.verifier_score or 0:.2f}",
            provenance=_prov(link.provenance),
        )

    def enqueue_relation(self, rel: Relation, evidence: str) -> int | None:
        row_id = self.store.relation_id(rel.kind, rel.src_id, rel.dst_id)
        if self.queue is None or row_id is None:
            return None
        return self.queue.add(
            kind=ReviewKind.ASSERTION, ref=f"kb/relation/{row_id}", subject=f"{rel.kind.value}: {rel.src_id}",
            value={"kind": rel.kind.value, "src_id": rel.src_id, "dst_id": rel.dst_id, "explanation": rel.explanation},
            evidence=evidence, confidence=rel.score, reason=f"verifier score {rel.score:.2f}",
            provenance=_prov(rel.provenance),
        )

    def enqueue_explanation(self, e: Explanation, evidence: str) -> int | None:
        if self.queue is None:
            return None
        return self.queue.add(
            kind=ReviewKind.EXPLANATION, ref=f"kb/explanation/{e.product_id}|{e.context}|{e.persona}",
            subject=f"why {e.product_id} for {e.context}", value={"explanation": e.text}, evidence=evidence,
            confidence=float(e.verifier_score or 0.0), reason=f"verifier score {e.verifier_score or 0:.2f}",
            provenance=_prov(e.provenance),
        )

    def apply(self, item: ReviewItem) -> None:
        """A reviewer's decision -> the assertion's status (an edit may correct the explanation)."""
        if not item.ref.startswith("kb/") or item.status not in _STATUS:
            return
        status = _STATUS[item.status]
        text = _edited_text(item)
        _, what, rest = item.ref.split("/", 2)
        if what in ("link", "relation"):
            self.store.set_status("links" if what == "link" else "relations", int(rest), status, explanation=text)
        elif what == "explanation":
            pid, context, persona = [*rest.split("|", 2), "", ""][:3]
            self.store.set_explanation_status(pid, context, persona, status, text=text)

    def pending(self, limit: int = 50) -> list[ReviewItem]:
        if self.queue is None:
            return []
        items = self.queue.list(kind=ReviewKind.ASSERTION, limit=limit)
        items += self.queue.list(kind=ReviewKind.EXPLANATION, limit=limit)
        return [i for i in items if i.ref.startswith("kb/")][:limit]


def _edited_text(item: ReviewItem) -> str | None:
    if item.status != ReviewStatus.EDITED:
        return None
    v: Any = item.decided_value
    if isinstance(v, dict):
        v = v.get("explanation")
    return str(v) if v else None


def _prov(p: Any) -> dict[str, Any]:
    return p.model_dump() if p is not None else {}
