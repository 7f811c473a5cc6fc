"""`shelfmind user ...`: what shelfmind knows about a shopper (personas, statements), editable."""

from __future__ import annotations

import json
import sys
from typing import Any

import click
from tqdm import tqdm

from shelfmind.cli.main import get_runtime


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def _statement_line(s: Any) -> str:
    effects = "; ".join(e.describe() for e in s.effects) or "no effect"
    status = s.status.value
    if s.replaced:
        status += " by " + ", ".join(f"#{sid} ({slot})" for slot, sid in s.replaced.items())
    notes = f"  [{'; '.join(s.notes)}]" if s.notes else ""
    return f"#{s.id} {s.created_at}  \"{s.text}\"\n    -> {effects}  ({status}){notes}"


@click.group("user")
def user() -> None:
    """Users: personas from behaviour, statements (preferences and hard constraints)."""


@user.command("statement")
@click.option("--user", "user_id", required=True, help="User id (created if new).")
@click.argument("text")
@click.option("--json", "as_json", is_flag=True)
def statement(user_id: str, text: str, as_json: bool) -> None:
    """Tell shelfmind something about yourself ("we're vegan", "no peanuts for my son")."""
    s = get_runtime().users.add_statement(user_id, text)
    if as_json:
        _echo_json(s.model_dump(mode="json"))
    else:
        click.echo(_statement_line(s))


@user.command("statements")
@click.argument("user_id")
@click.option("--json", "as_json", is_flag=True)
def statements(user_id: str, as_json: bool) -> None:
    """List a user's statements (replaced ones are shown as replaced)."""
    items = get_runtime().users.statements(user_id)
    if as_json:
        _echo_json([s.model_dump(mode="json") for s in items])
        return
    if not items:
        click.echo(f"{user_id} has no statements")
    for s in items:
        click.echo(_statement_line(s))


@user.command("show")
@click.argument("user_id")
@click.option("--json", "as_json", is_flag=True)
def show(user_id: str, as_json: bool) -> None:
    """Everything stored about a user: personas with evidence, constraints, preferences, statements."""
    p = get_runtime().users.profile(user_id)
    if as_json:
        _echo_json(p.model_dump(mode="json", exclude={"history"}))
        return
    click.echo(f"user {p.user_id} {p.display_name}  ({p.history_size} purchases, signature {p.signature}, "
               f"assessed by {p.assessed_by})")
    if p.cold_start:
        click.echo("personas: none yet (cold start: results use relevance, context and your statements)")
    for pw in p.personas:
        click.echo(f"  {pw.name:<22} {pw.weight:.2f}  [{pw.source}]  evidence: {', '.join(pw.evidence) or '-'}")
    click.echo(f"constraints: {', '.join(p.constraints) or 'none'}")
    click.echo(f"preferences: {', '.join(f'{k}={v}' for k, v in p.preferences.items()) or 'none'}")
    for s in p.statements:
        click.echo(_statement_line(s))


@user.command("list")
@click.option("--json", "as_json", is_flag=True)
def list_users(as_json: bool) -> None:
    """All users with their number of events and statements."""
    rows = get_runtime().users.list_users()
    if as_json:
        _echo_json(rows)
        return
    for r in rows:
        click.echo(f"{r['id']:<12} {r['display_name']:<32} {r['events']:>5} events {r['statements']:>3} statements")


@user.command("edit")
@click.argument("statement_id", type=int)
@click.argument("text")
@click.option("--json", "as_json", is_flag=True)
def edit(statement_id: int, text: str, as_json: bool) -> None:
    """Replace the text of a statement (re-parsed; takes effect on the next request)."""
    s = get_runtime().users.edit_statement(statement_id, text)
    if as_json:
        _echo_json(s.model_dump(mode="json"))
    else:
        click.echo(_statement_line(s))


@user.command("delete")
@click.argument("target")
@click.option("--user", "whole_user", is_flag=True, help="TARGET is a user id: delete the user and all their data.")
def delete(target: str, whole_user: bool) -> None:
    """Delete a statement by id (or a whole user with --user)."""
    users = get_runtime().users
    if whole_user:
        users.delete_user(target)
        click.echo(f"deleted user {target} and everything stored about them")
        return
    if not target.isdigit():
        raise click.UsageError("TARGET must be a statement id (or use --user to delete a user)")
    owner = users.delete_statement(int(target))
    click.echo(f"deleted statement #{target} of {owner}")


@user.command("assign")
@click.argument("user_ids", nargs=-1)
@click.option("--all", "all_users", is_flag=True, help="Every user in the store.")
@click.option("--assessor", type=click.Choice(["facts", "embedding", "llm", "llm-signature", "llm-yesno"]), default="llm", show_default=True)
@click.option("--json", "as_json", is_flag=True)
def assign(user_ids: tuple[str, ...], all_users: bool, assessor: str, as_json: bool) -> None:
    """(Re-)assess personas from behaviour, in batch, through the behaviour-signature cache."""
    from shelfmind.personas.factory import build_users

    rt = get_runtime()
    users = build_users(rt, assessor=assessor, seed_demo=False)
    ids = [u["id"] for u in users.list_users()] if all_users else list(user_ids)
    if not ids:
        raise click.UsageError("give user ids or --all")
    bar = tqdm(total=len(ids), desc="assign personas", unit="user", file=sys.stderr, disable=len(ids) < 2)
    out = users.assess(ids, progress=lambda: bar.update(1))
    bar.close()
    summary = {"users": len(ids), "assessments": users.assigner.assessments, "cache_hits": users.assigner.hits}
    if as_json:
        _echo_json({"summary": summary, "users": out})
        return
    for row in out:
        names = ", ".join(f"{p['name']} {p['weight']:.2f}" for p in row["personas"]) or "none (cold start)"
        click.echo(f"{row['user']:<12} {names}{'  (cached)' if row['cached'] else ''}")
    click.echo(f"{summary['assessments']} assessments, {summary['cache_hits']} cache hits", err=True)


@user.command("question")
@click.option("--user", "user_id", required=True)
@click.option("--query", default="", help="The current query (the question is chosen for it).")
@click.option("--answer", type=click.Choice(["yes", "no"]), default=None, help="Answer it now: stored as a statement.")
@click.option("--json", "as_json", is_flag=True)
def question(user_id: str, query: str, answer: str | None, as_json: bool) -> None:
    """The one question whose answer would most change this user's results."""
    from shelfmind.personas.proactive import propose_question

    rt = get_runtime()
    q = propose_question(rt.recommender, rt.users.profile(user_id), query)
    stored = None
    if q is not None and answer is not None:
        stored = rt.users.add_answer(user_id, q.question, q.yes_statement, answer == "yes")
    if as_json:
        _echo_json({"question": q.model_dump() if q else None,
                    "stored": stored.model_dump(mode="json") if stored else None})
        return
    if q is None:
        click.echo("no question would change the results much")
        return
    click.echo(f"{q.question}  (a yes changes {q.expected_change:.0%} of the top results; {q.why})")
    if stored is not None:
        click.echo("stored: " + _statement_line(stored))
