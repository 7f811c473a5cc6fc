"""A SQLite-backed review queue.

Producers (attribute enrichment, knowledge assertions) `add()` items that need a human: each has a
kind, a reference to what it is about (e.g. "product:123/attr:scent" or "assertion:42"), the
proposed value, the evidence shown to the reviewer, a confidence and the provenance of the LLM
output. Reviewers `decide()`: approve, reject or edit. Decisions are stored forever (they become
few-shot demonstrations) and are applied by the handler the producer registered for that kind.
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from shelfmind.errors import NotFound, UserError
from shelfmind.store.sqlite import connect


class ReviewKind(StrEnum):
    ATTRIBUTE = "attribute"
    ASSERTION = "assertion"
    EXPLANATION = "explanation"


class Decision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    EDIT = "edit"


class ReviewStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    EDITED = "edited"


class ReviewItem(BaseModel):
    id: int
    kind: ReviewKind
    ref: str
    subject: str  # human-readable: product name, intent...
    value: Any
    evidence: str
    confidence: float
    reason: str  # why it needs review ("ungrounded", "low confidence 0.41", ...)
    provenance: dict[str, Any]
    status: ReviewStatus
    decided_value: Any = None
    reviewer: str | None = None
    created_at: str
    decided_at: str | None = None


_SCHEMA = """
CREATE TABLE IF NOT EXISTS review_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    ref TEXT NOT NULL,
    subject TEXT NOT NULL,
    value TEXT NOT NULL,
    evidence TEXT NOT NULL,
    confidence REAL NOT NULL,
    reason TEXT NOT NULL,
    provenance TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    decided_value TEXT,
    reviewer TEXT,
    created_at TEXT NOT NULL,
    decided_at TEXT,
    UNIQUE(kind, ref)
);
CREATE INDEX IF NOT EXISTS review_status ON review_items(status, kind);
"""

Handler = Callable[[ReviewItem], None]


class ReviewQueue:
    def __init__(self, path: Path | str) -> None:
        self._conn = connect(path)
        self._conn.executescript(_SCHEMA)
        self._handlers: dict[ReviewKind, Handler] = {}

    def on_decision(self, kind: ReviewKind, handler: Handler) -> None:
        """Register how a decision on `kind` flows back into its store."""
        self._handlers[kind] = handler

    def add(
        self,
        *,
        kind: ReviewKind,
        ref: str,
        subject: str,
        value: Any,
        evidence: str,
        confidence: float,
        reason: str,
        provenance: dict[str, Any] | None = None,
    ) -> int:
        """Add (or refresh, if still pending) an item. A decided item is never reopened."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self._conn:
            row = self._conn.execute(
                "SELECT id, status FROM review_items WHERE kind=? AND ref=?", (kind.value, ref)
            ).fetchone()
            if row is not None:
                if row["status"] == ReviewStatus.PENDING:
                    self._conn.execute(
                        "UPDATE review_items SET subject=?, value=?, evidence=?, confidence=?, reason=?, provenance=? WHERE id=?",
                        (subject, _j(value), evidence, confidence, reason, _j(provenance or {}), row["id"]),
                    )
                return int(row["id"])
            cur = self._conn.execute(
                """INSERT INTO review_items(kind, ref, subject, value, evidence, confidence, reason, provenance, created_at)
                   VALUES (?,?,?,?,?,?,?,?,?)""",
                (kind.value, ref, subject, _j(value), evidence, confidence, reason, _j(provenance or {}), now),
            )
            return int(cur.lastrowid or 0)

    def get(self, item_id: int) -> ReviewItem:
        row = self._conn.execute("SELECT * FROM review_items WHERE id=?", (item_id,)).fetchone()
        if row is None:
            raise NotFound(f"no review item {item_id}")
        return _item(row)

    def list(
        self,
        *,
        kind: ReviewKind | None = None,
        status: ReviewStatus | None = ReviewStatus.PENDING,
        limit: int = 100,
        offset: int = 0,
    ) -> list[ReviewItem]:
        q = "SELECT * FROM review_items WHERE 1=1"
        args: builtins.list[object] = []
        if kind is not None:
            q += " AND kind=?"
            args.append(kind.value)
        if status is not None:
            q += " AND status=?"
            args.append(status.value)
        q += " ORDER BY confidence ASC, id ASC LIMIT ? OFFSET ?"
        args += [limit, offset]
        return [_item(r) for r in self._conn.execute(q, args)]

    def counts(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for r in self._conn.execute("SELECT kind, status, COUNT(*) n FROM review_items GROUP BY kind, status"):
            out.setdefault(r["kind"], {})[r["status"]] = r["n"]
        return out

    def decide(
        self, item_id: int, decision: Decision, *, value: Any = None, reviewer: str = "cli"
    ) -> ReviewItem:
        item = self.get(item_id)
        if decision == Decision.EDIT and value is None:
            raise UserError("an edit needs the corrected value")
        status = {
            Decision.APPROVE: ReviewStatus.APPROVED,
            Decision.REJECT: ReviewStatus.REJECTED,
            Decision.EDIT: ReviewStatus.EDITED,
        }[decision]
        decided_value = value if decision == Decision.EDIT else (item.value if decision == Decision.APPROVE else None)
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self._conn:
            self._conn.execute(
                "UPDATE review_items SET status=?, decided_value=?, reviewer=?, decided_at=? WHERE id=?",
                (status.value, _j(decided_value), reviewer, now, item_id),
            )
        decided = self.get(item_id)
        handler = self._handlers.get(decided.kind)
        if handler is not None:
            handler(decided)
        return decided

    def decide_many(self, ids: Sequence[int], decision: Decision, *, reviewer: str = "cli") -> builtins.list[ReviewItem]:
        return [self.decide(i, decision, reviewer=reviewer) for i in ids]

    def decided(self, kind: ReviewKind, *, limit: int = 1000) -> builtins.list[ReviewItem]:
        """Approved or edited items: reused as few-shot demonstrations."""
        rows = self._conn.execute(
            "SELECT * FROM review_items WHERE kind=? AND status IN ('approved','edited') ORDER BY decided_at DESC LIMIT ?",
            (kind.value, limit),
        )
        return [_item(r) for r in rows]


def _j(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _item(row: Any) -> ReviewItem:
    return ReviewItem(
        id=row["id"],
        kind=ReviewKind(row["kind"]),
        ref=row["ref"],
        subject=row["subject"],
        value=json.loads(row["value"]),
        evidence=row["evidence"],
        confidence=row["confidence"],
        reason=row["reason"],
        provenance=json.loads(row["provenance"]),
        status=ReviewStatus(row["status"]),
        decided_value=json.loads(row["decided_value"]) if row["decided_value"] else None,
        reviewer=row["reviewer"],
        created_at=row["created_at"],
        decided_at=row["decided_at"],
    )
