"""`shelfmind review ...`: the human review queue (attributes, knowledge assertions, explanations)."""

from __future__ import annotations

import json
from typing import Any

import click

from shelfmind.cli.main import get_runtime

KINDS = ["attribute", "assertion", "explanation"]
STATUSES = ["pending", "approved", "rejected", "edited", "all"]


def _queue(kinds: set[str]) -> Any:
    """The shared queue with the decision handlers of the producers of `kinds` registered."""
    rt = get_runtime()
    producers = {"attribute": "enrichment", "assertion": "knowledge", "explanation": "knowledge"}
    for attr in sorted({producers[k] for k in kinds if k in producers}):
        try:
            getattr(rt, attr)  # building a producer registers its handler on rt.review
        except Exception as exc:  # unavailable here (missing extra, no catalog yet): decision is still stored
            click.echo(f"warning: {attr} is unavailable ({exc}); decisions are stored but not applied", err=True)
    return rt.review


def _print_item(item: Any, *, full: bool = False) -> None:
    value = json.dumps(item.value, ensure_ascii=False)
    line = f"#{item.id} [{item.kind}] {item.status} conf {item.confidence:.2f}  {item.subject}: {value}  ({item.reason})"
    click.echo(line)
    if full:
        click.echo(f"  ref: {item.ref}")
        click.echo(f"  evidence: {item.evidence}")
        if item.decided_value is not None:
            click.echo(f"  decided: {json.dumps(item.decided_value, ensure_ascii=False)} by {item.reviewer}")
        click.echo(f"  provenance: {json.dumps(item.provenance, ensure_ascii=False)[:600]}")


@click.group("review")
def review() -> None:
    """List and decide review items: approve, reject, edit (one by one or in bulk)."""


@review.command("list")
@click.option("--kind", type=click.Choice(KINDS), default=None)
@click.option("--status", type=click.Choice(STATUSES), default="pending", show_default=True)
@click.option("--limit", type=int, default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True)
def list_items(kind: str | None, status: str, limit: int, as_json: bool) -> None:
    """Items, least confident first."""
    from shelfmind.review.queue import ReviewKind, ReviewStatus

    q = get_runtime().review
    items = q.list(kind=ReviewKind(kind) if kind else None,
                   status=None if status == "all" else ReviewStatus(status), limit=limit)
    if as_json:
        click.echo(json.dumps({"items": [i.model_dump(mode="json") for i in items], "counts": q.counts()}))
        return
    for item in items:
        _print_item(item)
    click.echo(f"{len(items)} shown; counts: {q.counts()}", err=True)


@review.command("show")
@click.argument("item_id", type=int)
@click.option("--json", "as_json", is_flag=True)
def show(item_id: int, as_json: bool) -> None:
    item = get_runtime().review.get(item_id)
    if as_json:
        click.echo(item.model_dump_json())
    else:
        _print_item(item, full=True)


def _decide(ids: tuple[int, ...], decision: str, reviewer: str, as_json: bool, value: Any = None) -> None:
    from shelfmind.review.queue import Decision

    rt = get_runtime()
    q = _queue({rt.review.get(i).kind.value for i in ids})
    done = [q.decide(i, Decision(decision), value=value, reviewer=reviewer) for i in ids]
    if as_json:
        click.echo(json.dumps({"decided": [i.model_dump(mode="json") for i in done]}))
    else:
        for item in done:
            _print_item(item)


@review.command("approve")
@click.argument("ids", type=int, nargs=-1, required=True)
@click.option("--reviewer", default="cli", show_default=True)
@click.option("--json", "as_json", is_flag=True)
def approve(ids: tuple[int, ...], reviewer: str, as_json: bool) -> None:
    _decide(ids, "approve", reviewer, as_json)


@review.command("reject")
@click.argument("ids", type=int, nargs=-1, required=True)
@click.option("--reviewer", default="cli", show_default=True)
@click.option("--json", "as_json", is_flag=True)
def reject(ids: tuple[int, ...], reviewer: str, as_json: bool) -> None:
    _decide(ids, "reject", reviewer, as_json)


@review.command("edit")
@click.argument("item_id", type=int)
@click.argument("value")
@click.option("--reviewer", default="cli", show_default=True)
@click.option("--json", "as_json", is_flag=True)
def edit(item_id: int, value: str, reviewer: str, as_json: bool) -> None:
    """Replace the proposed value (JSON if it parses: true, 12.5, ["a","b"]; otherwise the text)."""
    try:
        parsed: Any = json.loads(value)
    except json.JSONDecodeError:
        parsed = value
    _decide((item_id,), "edit", reviewer, as_json, value=parsed)


@review.command("bulk")
@click.argument("decision", type=click.Choice(["approve", "reject"]))
@click.option("--kind", type=click.Choice(KINDS), default=None)
@click.option("--min-confidence", type=float, default=None, help="Only items at or above this confidence.")
@click.option("--max-confidence", type=float, default=None, help="Only items below this confidence.")
@click.option("--reason", "reason_contains", default=None, help="Only items whose reason contains this text.")
@click.option("--limit", type=int, default=1000, show_default=True)
@click.option("--dry-run", is_flag=True, help="List what would be decided.")
@click.option("--reviewer", default="cli-bulk", show_default=True)
@click.option("--json", "as_json", is_flag=True)
def bulk(decision: str, kind: str | None, min_confidence: float | None, max_confidence: float | None,
         reason_contains: str | None, limit: int, dry_run: bool, reviewer: str, as_json: bool) -> None:
    """Decide every pending item matching the filters."""
    from shelfmind.review.queue import ReviewKind

    q = get_runtime().review
    items = [i for i in q.list(kind=ReviewKind(kind) if kind else None, limit=limit)
             if (min_confidence is None or i.confidence >= min_confidence)
             and (max_confidence is None or i.confidence < max_confidence)
             and (reason_contains is None or reason_contains.lower() in i.reason.lower())]
    if dry_run:
        if as_json:
            click.echo(json.dumps({"would_decide": [i.id for i in items]}))
        else:
            for item in items:
                _print_item(item)
            click.echo(f"{len(items)} items would be {decision}d", err=True)
        return
    _decide(tuple(i.id for i in items), decision, reviewer, as_json)
    if not as_json:
        click.echo(f"{len(items)} items {decision}d", err=True)
