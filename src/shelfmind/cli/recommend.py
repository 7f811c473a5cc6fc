"""`shelfmind recommend`: the core mapping (query, user, context) -> products, explanations, themes."""

from __future__ import annotations

import click

from shelfmind.cli.main import get_runtime


@click.command("recommend")
@click.option("--query", "-q", default="", help="What the shopper typed (empty: a personal selection).")
@click.option("--user", "user_id", default=None, help="User id (omit for an anonymous shopper).")
@click.option("--context", "context", default=None,
              help='JSON or key=value pairs: date=2027-02-10 events=super_bowl viewed=ID,ID added=ID')
@click.option("-k", "k", default=10, show_default=True, help="Number of products.")
@click.option("--json", "as_json", is_flag=True)
def recommend(query: str, user_id: str | None, context: str | None, k: int, as_json: bool) -> None:
    """Products ranked for the user and context, with an explanation each and a presentation."""
    from shelfmind.personas.context import Context

    rec = get_runtime().recommender.recommend(query, user_id, Context.parse(context), k=k)
    if as_json:
        click.echo(rec.model_dump_json(indent=2))
        return
    personas = ", ".join(f"{p} {w:.2f}" for p, w in rec.personas.items()) or "none (defaults)"
    click.echo(f"query {query!r}  user {user_id or '-'}  personas: {personas}")
    if rec.constraints:
        click.echo(f"constraints: {', '.join(rec.constraints)} ({rec.removed_by_constraints} candidates removed)")
    click.echo(f"presentation: {rec.presentation.kind.value}; themes: "
               + " | ".join(t.name for t in rec.presentation.themes))
    for i, p in enumerate(rec.products, 1):
        click.echo(f"{i:>2}. {p.name}  [{p.id}]  ({p.theme or '-'})\n    {p.explanation}")
