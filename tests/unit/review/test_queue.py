from __future__ import annotations

from pathlib import Path

from shelfmind.review import Decision, ReviewKind, ReviewQueue
from shelfmind.review.queue import ReviewStatus


def test_add_decide_and_handler(tmp_path: Path) -> None:
    q = ReviewQueue(tmp_path / "r.sqlite")
    applied = []
    q.on_decision(ReviewKind.ATTRIBUTE, applied.append)
    a = q.add(kind=ReviewKind.ATTRIBUTE, ref="p1/scent", subject="Swiffer", value="lavender",
              evidence="...lavender scent...", confidence=0.4, reason="low confidence")
    b = q.add(kind=ReviewKind.ATTRIBUTE, ref="p2/scent", subject="Mop", value="citrus",
              evidence="", confidence=0.2, reason="ungrounded")
    assert [i.id for i in q.list()] == [b, a]  # least confident first
    q.decide(a, Decision.EDIT, value="Lavender")
    assert applied[0].decided_value == "Lavender"
    assert q.get(a).status == ReviewStatus.EDITED
    # re-adding a decided item does not reopen it
    q.add(kind=ReviewKind.ATTRIBUTE, ref="p1/scent", subject="Swiffer", value="x", evidence="",
          confidence=0.1, reason="again")
    assert q.get(a).status == ReviewStatus.EDITED
    assert [i.id for i in q.decided(ReviewKind.ATTRIBUTE)] == [a]
    assert q.counts()["attribute"] == {"pending": 1, "edited": 1}
