"""`shelfmind ingest` and `shelfmind text`."""

from __future__ import annotations

import json

import click

from shelfmind.cli.main import get_runtime


@click.command("ingest")
@click.option("--config", "config_path", required=True, type=click.Path(dir_okay=False), help="Catalog config (TOML).")
@click.option("--limit", type=int, default=None, help="Read at most N products.")
@click.option("--json", "as_json", is_flag=True)
def ingest(config_path: str, limit: int | None, as_json: bool) -> None:
    """Read the tables a catalog config describes, join and flatten them, upsert products by id."""
    from shelfmind.catalog.ingest import ingest_file

    rt = get_runtime()
    report = ingest_file(config_path, rt.catalog, limit=limit)
    if as_json:
        click.echo(report.model_dump_json())
        return
    tables = ", ".join(f"{k}: {v}" for k, v in report.tables.items())
    click.echo(f"catalog {report.catalog}: {report.products} products ({report.new} new, {report.updated} updated, "
               f"{report.unchanged} unchanged); tables read: {tables}")
    click.echo(f"fields: {', '.join(report.fields) or '(name only)'}")


@click.command("text")
@click.option("--regenerate", is_flag=True, help="Ask the LLM for a new template even if one exists.")
@click.option("--no-llm", is_flag=True, help="Use the default template built from the schema.")
@click.option("--show", default=3, show_default=True, help="Print N rendered samples.")
@click.option("--json", "as_json", is_flag=True)
def text(regenerate: bool, no_llm: bool, show: int, as_json: bool) -> None:
    """Write the product text template (one LLM call per schema) and render every product's text."""
    from shelfmind.catalog.products_text import render_catalog

    rt = get_runtime()
    report = render_catalog(rt.catalog, None if no_llm else rt.llm, rt.paths.artifacts_dir,
                            regenerate=regenerate, show=show)
    if as_json:
        click.echo(json.dumps(report.model_dump(mode="json")))
        return
    tpl = report.template
    origin = f"{tpl.source}" + (f" ({tpl.model}, {tpl.prompt})" if tpl.model else "")
    click.echo(f"template {tpl.id} from {origin}:")
    for seg in tpl.segments:
        click.echo(f"  - {seg}")
    if tpl.fallback_reason:
        click.echo(f"  (default template used: {tpl.fallback_reason})")
    click.echo(f"rendered {report.rendered} product texts")
    for pid, t in report.samples.items():
        click.echo(f"  [{pid}] {t[:300]}")
