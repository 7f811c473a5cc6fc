"""`shelfmind eval personalization`: next-basket ranking on real histories, persona recovery on
simulated shoppers, the signature cache, and constraint violations (must be zero)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from shelfmind.cli.main import get_runtime
from shelfmind.personas.facts import FactBook


@click.command("personalization")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder with online-retail/ and completejourney/ (default: the shared data folder).")
@click.option("--quick", is_flag=True, help="Fewer users and epochs (about a minute).")
@click.option("--llm-users", default=0, show_default=True,
              help="Also score personas with the LLM for this many simulated users (one call each).")
@click.option("--llm-input", type=click.Choice(["signature", "list", "summary"]), default="signature",
              show_default=True, help="What the LLM reads: the behaviour signature (the default assessor), the "
              "purchase list or a canonical behaviour summary.")
@click.option("--no-embedder", is_flag=True, help="Skip the embedding assessor.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Report folder (default: $SHELFMIND_HOME/reports).")
@click.option("--json", "as_json", is_flag=True)
def eval_personalization(data_dir: Path | None, quick: bool, llm_users: int, llm_input: str, no_embedder: bool,
                         out: Path | None, as_json: bool) -> None:
    """Evaluate personalization; writes personalization.json and personalization.png."""
    from shelfmind.catalog.config import default_data_dir
    from shelfmind.personas.catalog import load_persona_catalog
    from shelfmind.personas.evaluation.report import run, save, table
    from shelfmind.search.simple import KeywordSearcher

    rt = get_runtime()
    data_dir = data_dir or default_data_dir()
    book = _bundled_book()
    embedder = None
    if not no_embedder:
        try:
            embedder = rt.embedder
        except Exception as exc:
            click.echo(f"embedding assessor skipped: {exc}", err=True)
    results = run(
        data_dir=data_dir, book=book, catalog=load_persona_catalog(), searcher=KeywordSearcher(book.products.values()),
        embedder=embedder, llm=rt.llm if llm_users else None, llm_users=llm_users, llm_input=llm_input, quick=quick,
        say=lambda m: click.echo(m, err=True),
    )
    js, png = save(results, out or rt.paths.reports_dir)
    if as_json:
        click.echo(json.dumps(results, indent=2))
    else:
        click.echo(table(results))
    click.echo(f"report: {js}" + (f", plot: {png}" if png else ""), err=True)


def _bundled_book() -> FactBook:
    """Facts over the bundled grocery catalog (read directly, so any home works)."""
    from importlib import resources

    from shelfmind.catalog.config import load_config
    from shelfmind.catalog.ingest import flatten

    path = Path(str(resources.files("shelfmind") / "data" / "grocery" / "catalog.toml"))
    products, _, _ = flatten(load_config(path), progress=False)
    return FactBook.from_products(products)
