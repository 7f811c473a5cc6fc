"""`shelfmind kb build | show | review | export | import | suggest | cooccurrence` and `shelfmind recipe`."""

from __future__ import annotations

import json
import sys

import click

from shelfmind.cli.main import get_runtime


def _echo_json(data: object) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, default=str))


@click.group("kb")
def kb() -> None:
    """The knowledge base: intents -> themes -> products, relations, recipes, explanations."""


@kb.command("build")
@click.option("--intents", "intents_file", type=click.Path(dir_okay=False, exists=True),
              help="Intents: TOML (intents = [...]), a query log (.jsonl/.csv with a query column) or one per line. "
                   "Default: the packaged seed list.")
@click.option("--query-log", type=click.Path(dir_okay=False, exists=True), help="Also add the top queries of a log.")
@click.option("--suggest", "suggest_n", type=int, default=0, show_default=True,
              help="Also add N intents the LLM suggests for the catalog's categories.")
@click.option("--engagement", type=click.Path(dir_okay=False, exists=True),
              help="Co-engagement log (JSONL: query, product_ids) used for themes.")
@click.option("--limit", type=int, default=None, help="Build at most N pending intents (resume later).")
@click.option("--per-kind", type=int, default=2, show_default=True, help="Products grounded per proposed kind.")
@click.option("--relations", "relations_per_intent", type=int, default=1, show_default=True,
              help="Products per intent whose complements/substitutes/pairings are mined.")
@click.option("--domain", type=click.Choice(["grocery", "home_improvement"]), default="grocery", show_default=True,
              help="Store domain the planning prompts describe.")
@click.option("--json", "as_json", is_flag=True)
def build(intents_file: str | None, query_log: str | None, suggest_n: int, engagement: str | None,
          limit: int | None, per_kind: int, relations_per_intent: int, domain: str, as_json: bool) -> None:
    """Distil the LLM's knowledge into the KB (checkpoint per intent; rerun to resume)."""
    from shelfmind.knowledge.intents import catalog_categories, load_intents, read_query_log, suggest_intents
    from shelfmind.knowledge.models import IntentSource
    from shelfmind.knowledge.planner import EngagementLog

    rt = get_runtime()
    kbase = rt.knowledge
    if engagement:
        kbase.engagement = EngagementLog.load(engagement)
    builder = kbase.builder(products_per_kind=per_kind, relations_per_intent=relations_per_intent, domain=domain)
    added = builder.add_intents(load_intents(intents_file), IntentSource.SEED)
    if query_log:
        added += builder.add_intents(read_query_log(query_log, limit=200), IntentSource.QUERY_LOG)
    if suggest_n:
        cats = catalog_categories(rt.catalog.iter_products())
        added += builder.add_intents(suggest_intents(kbase.llm, cats, max_intents=suggest_n), IntentSource.LLM)
    report = builder.build(limit=limit, progress=sys.stderr.isatty() or not as_json)
    if as_json:
        _echo_json({"added_intents": added, **report.model_dump()})
        return
    click.echo(f"intents: {report.intents_done} built, {report.intents_failed} failed, "
               f"{report.intents_skipped} already built/skipped ({added} new)")
    click.echo(f"proposals: {report.proposals} ({report.ungrounded} ungrounded); links: {report.links}; "
               f"themes: {report.themes}; relations: {report.relations}")
    click.echo("statuses: " + ", ".join(f"{k} {v}" for k, v in sorted(report.statuses.items())))
    for what, err in report.failures.items():
        click.echo(f"  failed {what}: {err}", err=True)


@kb.command("show")
@click.argument("intent")
@click.option("--limit", type=int, default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True)
def show(intent: str, limit: int, as_json: bool) -> None:
    """Themes and served products for an intent or query."""
    rt = get_runtime()
    kbase = rt.knowledge
    themes = kbase.themes_for(intent)
    links = kbase.intent_products(intent, limit=limit)
    names = {pid: p.name for pid, p in rt.catalog.get_many(
        [x.product_id for x in links] + [i for t in themes for i in t.product_ids]).items()}
    if as_json:
        _echo_json({"intent": intent, "resolved": kbase.store.resolve_intent(intent),
                    "themes": [t.model_dump(mode="json") for t in themes],
                    "links": [x.model_dump(mode="json") | {"product_name": names.get(x.product_id)} for x in links]})
        return
    if not themes and not links:
        click.echo(f"nothing in the knowledge base for {intent!r} (run `shelfmind kb build`)")
        return
    click.echo(f"{intent} -> {kbase.store.resolve_intent(intent)}")
    for t in themes:
        click.echo(f"  theme {t.name!r} [{t.source}]: " + "; ".join(names.get(i, i) for i in t.product_ids))
    for x in links:
        click.echo(f"  {x.status.value:13} {x.verifier_score or 0:.2f} {names.get(x.product_id, x.product_id)}"
                   f" ({x.product_type}): {x.explanation}")


@kb.command("review")
@click.option("--approve", multiple=True, type=int, help="Approve review item ID (repeatable).")
@click.option("--reject", multiple=True, type=int, help="Reject review item ID (repeatable).")
@click.option("--limit", type=int, default=30, show_default=True)
@click.option("--json", "as_json", is_flag=True)
def review(approve: tuple[int, ...], reject: tuple[int, ...], limit: int, as_json: bool) -> None:
    """List knowledge assertions waiting for a human, or decide some; decisions update the KB."""
    from shelfmind.review.queue import Decision

    rt = get_runtime()
    kbase = rt.knowledge  # registers the decision handlers
    decided = [rt.review.decide(i, Decision.APPROVE) for i in approve]
    decided += [rt.review.decide(i, Decision.REJECT) for i in reject]
    pending = kbase.review.pending(limit=limit)
    if as_json:
        _echo_json({"decided": [d.model_dump(mode="json") for d in decided],
                    "pending": [p.model_dump(mode="json") for p in pending]})
        return
    for d in decided:
        click.echo(f"{d.status.value}: #{d.id} {d.ref}")
    click.echo(f"{len(pending)} pending knowledge assertions (lowest confidence first)")
    for p in pending:
        click.echo(f"  #{p.id} {p.confidence:.2f} {p.subject} -> {json.dumps(p.value, ensure_ascii=False)[:160]}")
        click.echo(f"      why: {p.reason}; evidence: {p.evidence[:140]}")


@kb.command("export")
@click.argument("path", type=click.Path(dir_okay=False))
def export(path: str) -> None:
    """Write the whole KB (manifest included) as JSONL."""
    n = get_runtime().knowledge.export_jsonl(path)
    click.echo(f"wrote {n} rows to {path}", err=True)


@kb.command("import")
@click.argument("path", type=click.Path(dir_okay=False, exists=True))
def import_(path: str) -> None:
    """Load a JSONL export (all or nothing)."""
    n = get_runtime().knowledge.import_jsonl(path)
    click.echo(f"imported {n} rows from {path}", err=True)


@kb.command("stats")
@click.option("--json", "as_json", is_flag=True)
def stats(as_json: bool) -> None:
    """Counts, statuses and the build manifest."""
    summary = get_runtime().knowledge.summary()
    if as_json:
        _echo_json(summary)
        return
    for key, value in summary.items():
        click.echo(f"{key}: {json.dumps(value, default=str)}")


@kb.command("cooccurrence")
@click.argument("recipes_file", type=click.Path(dir_okay=False, exists=True))
def cooccurrence(recipes_file: str) -> None:
    """Derive ingredient co-occurrence stats from a recipe collection (e.g. What's Cooking train.json.gz)."""
    from shelfmind.knowledge.cooccurrence import IngredientStats
    from shelfmind.knowledge.factory import STATS_FILE

    rt = get_runtime()
    stats_ = IngredientStats.from_whats_cooking(recipes_file)
    path = stats_.save(rt.paths.artifacts_dir / STATS_FILE)
    click.echo(f"{stats_.recipes} recipes, {len(stats_.neighbours)} ingredients with neighbours -> {path}", err=True)


@click.command("recipe")
@click.option("--cart", multiple=True, help="A cart item: product id or name (repeatable).")
@click.option("--interest", help="An interest, e.g. 'salmon'.")
@click.option("--json", "as_json", is_flag=True)
def recipe(cart: tuple[str, ...], interest: str | None, as_json: bool) -> None:
    """A recipe from a cart or an interest; every ingredient links to a product or is flagged unavailable."""
    from shelfmind.errors import UserError

    if bool(cart) == bool(interest):
        raise UserError("give either --cart ITEM ... or --interest TEXT")
    kbase = get_runtime().knowledge
    r = kbase.recipe_from_cart(list(cart)) if cart else kbase.recipe_from_interest(interest or "")
    if as_json:
        _echo_json(r.model_dump(mode="json"))
        return
    click.echo(f"{r.title} (serves {r.servings}; {r.coverage:.0%} of ingredients in stock)")
    for line in r.lines:
        where = (f"-> {line.product_name} [{line.product_id}]" + (" (in your cart)" if line.from_cart else "")
                 if line.available else "-> unavailable")
        click.echo(f"  {line.quantity:>10}  {line.ingredient} {where}")
    for i, step in enumerate(r.steps, 1):
        click.echo(f"  {i}. {step}")
    if r.suggestions:
        click.echo("often used with: " + ", ".join(r.suggestions))
