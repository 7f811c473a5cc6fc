"""The review console's API: every endpoint needs the API token.

Decisions go through `ReviewQueue.decide`, which calls the handler the producer (enrichment,
knowledge) registered for that kind, so an approval flows back into the store it came from.
"""

from __future__ import annotations

import contextlib
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query

from shelfmind.review.queue import Decision, ReviewItem, ReviewKind, ReviewStatus
from shelfmind.service.components import Service
from shelfmind.service.deps import require_token, service
from shelfmind.service.models import BulkIn, DecideIn, EditIn, ErrorResponse

router = APIRouter(
    prefix="/api/review", tags=["review"], dependencies=[Depends(require_token)],
    responses={
        401: {"model": ErrorResponse, "description": "no API token"},
        403: {"model": ErrorResponse, "description": "wrong API token"},
        404: {"model": ErrorResponse, "description": "unknown item"},
    },
)
Svc = Annotated[Service, Depends(service)]
ItemId = Annotated[int, Path(ge=1)]


def _queue(svc: Service) -> Any:
    # Building the producers registers their decision handlers on the shared queue.
    for producer in ("knowledge", "enrichment"):
        with contextlib.suppress(Exception):  # a producer that is not built has nothing to apply yet
            getattr(svc.rt, producer, None)
    return svc.component("review")


@router.get("/counts", summary="Items per kind and status")
async def counts(svc: Svc) -> dict[str, dict[str, int]]:
    return await svc.read(lambda: svc.component("review").counts())  # type: ignore[no-any-return]


@router.get("/items", response_model=list[ReviewItem], summary="A review queue, least confident first")
async def list_items(
    svc: Svc,
    kind: ReviewKind | None = None,
    status: ReviewStatus | Literal["all"] = ReviewStatus.PENDING,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[ReviewItem]:
    st = None if status == "all" else ReviewStatus(status)
    return await svc.read(lambda: svc.component("review").list(kind=kind, status=st, limit=limit, offset=offset))  # type: ignore[no-any-return]


@router.get("/items/{item_id}", response_model=ReviewItem, summary="One item with its evidence")
async def get_item(svc: Svc, item_id: ItemId) -> ReviewItem:
    return await svc.read(lambda: svc.component("review").get(item_id))  # type: ignore[no-any-return]


async def _decide(svc: Service, item_id: int, decision: Decision, value: Any, reviewer: str | None) -> ReviewItem:
    def run() -> ReviewItem:
        return _queue(svc).decide(item_id, decision, value=value, reviewer=reviewer or "console")  # type: ignore[no-any-return]

    return await svc.write(run)


@router.post("/items/{item_id}/approve", response_model=ReviewItem, summary="Approve the proposed value")
async def approve(svc: Svc, item_id: ItemId, body: DecideIn | None = None) -> ReviewItem:
    return await _decide(svc, item_id, Decision.APPROVE, None, body.reviewer if body else None)


@router.post("/items/{item_id}/reject", response_model=ReviewItem, summary="Reject the proposed value")
async def reject(svc: Svc, item_id: ItemId, body: DecideIn | None = None) -> ReviewItem:
    return await _decide(svc, item_id, Decision.REJECT, None, body.reviewer if body else None)


@router.post("/items/{item_id}/edit", response_model=ReviewItem, summary="Replace the value and approve it")
async def edit(svc: Svc, item_id: ItemId, body: EditIn) -> ReviewItem:
    if body.value is None or (isinstance(body.value, str) and not body.value.strip()):
        from fastapi import HTTPException

        raise HTTPException(422, "an edit needs the corrected value")
    return await _decide(svc, item_id, Decision.EDIT, body.value, body.reviewer)


@router.post("/bulk", response_model=list[ReviewItem], summary="Approve or reject many items")
async def bulk(svc: Svc, body: BulkIn) -> list[ReviewItem]:
    ids = list(dict.fromkeys(body.ids))

    def run() -> list[ReviewItem]:
        queue = _queue(svc)
        for i in ids:  # all or nothing on unknown ids: check before deciding any
            queue.get(i)
        return queue.decide_many(ids, Decision(body.decision.value), reviewer=body.reviewer or "console")  # type: ignore[no-any-return]

    return await svc.write(run)
