"""`shelfmind enrich`: grounded attribute extraction over the catalog, resumable, local or on Ray."""

from __future__ import annotations

import json
import sys

import click

from shelfmind.cli.main import get_runtime


@click.command("enrich")
@click.option("--ids", default=None, help="Comma-separated product ids (default: the whole catalog).")
@click.option("--limit", type=int, default=None, help="Enrich at most N products.")
@click.option("--backend", type=click.Choice(["local", "ray"]), default="local", show_default=True)
@click.option("--propose-schema", "propose", default=None, metavar="CATEGORY",
              help="Ask the LLM for CATEGORY's attribute schema from a sample of products, save it, and stop.")
@click.option("--sample", type=int, default=8, show_default=True, help="Products shown when proposing a schema.")
@click.option("--show-schema", is_flag=True, help="Print the schema file's path and content, and stop.")
@click.option("--batch-size", type=click.IntRange(1, 8), default=None,
              help="Products of one category per LLM call (local backend; default: the configured one).")
@click.option("--preset", default=None, metavar="NAME",
              help="A named extraction configuration (shelfmind.enrich.presets), e.g. stated: answers name only the "
                   "stated attributes, about a third of the output tokens.")
@click.option("--json", "as_json", is_flag=True)
def enrich(ids: str | None, limit: int | None, backend: str, propose: str | None, sample: int, show_schema: bool,
           batch_size: int | None, preset: str | None, as_json: bool) -> None:
    """Extract typed attributes per product: checked against the text, scored, low-confidence ones to review."""
    from tqdm import tqdm

    rt = get_runtime()
    service = rt.enrichment
    if preset is not None:
        from shelfmind.enrich.presets import preset as named_preset

        service.config = named_preset(preset)
    if batch_size is not None:
        if backend == "ray" and batch_size > 1:
            raise click.UsageError("--batch-size applies to the local backend (the Ray backend sends one product per call)")
        service.config = service.config.model_copy(update={"batch_size": batch_size})
    if show_schema:
        service.schemas()
        click.echo(f"# {service.schemas_path}", err=True)
        click.echo(service.schemas_path.read_text(encoding="utf-8"))
        return
    if propose:
        products = list(service.catalog.iter_products(ids=ids.split(",") if ids else None))
        matching = [p for p in products if (service.to_input(p).category or "").lower() == propose.lower()]
        schema = service.propose_schema(propose, (matching or products)[:sample])
        if as_json:
            click.echo(schema.model_dump_json())
        else:
            click.echo(f"schema for {propose!r} saved to {service.schemas_path} (edit it freely):")
            for a in schema.attributes:
                click.echo(f"  - {a.name} ({a.type}{', ' + a.unit if a.unit else ''}): {a.description}")
        return
    id_list = [i.strip() for i in ids.split(",") if i.strip()] if ids else None
    total = len(id_list) if id_list else len(service.catalog)
    total = min(total, limit) if limit else total
    with tqdm(total=total, desc="enrich", unit="product", file=sys.stderr) as bar:
        report = service.run(ids=id_list, limit=limit, backend=backend, progress=bar.update)
    if as_json:
        click.echo(json.dumps({**report.model_dump(), "products_per_hour": round(report.products_per_hour, 1)}))
        return
    click.echo(f"{report.selected} selected: {report.done} enriched, {report.skipped} already done, "
               f"{report.reused} reused (identical input), {report.failed} failed "
               f"in {report.seconds:.1f}s ({report.products_per_hour:.0f} products/hour, backend {report.backend})")
    click.echo(f"values: {report.auto_approved} auto-approved, {report.to_review} sent to review"
               + (f"; flagged products: {report.flagged}" if report.flagged else ""))
    if report.model:
        click.echo(f"model {report.model}, prompt {report.prompt}")
