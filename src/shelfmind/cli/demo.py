"""`shelfmind demo`: the whole pipeline on the bundled grocery catalog, stage by stage, then a summary.

Stages run in order. Each is a small function `(runtime, options) -> summary dict`. Stages of other
areas live in their own module as `run(runtime, options) -> dict` (e.g. `shelfmind.enrich.demo`):
when that module does not import yet, the stage is skipped with a message, so the demo grows as
areas land. To add a stage, append a `Stage` to STAGES (or call `register_stage`).
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import click

from shelfmind.cli.main import get_runtime
from shelfmind.errors import ShelfmindError


@dataclass(frozen=True)
class DemoOptions:
    limit: int | None = None  # products to ingest (None: the whole bundled catalog)
    fast: bool = False  # fewer LLM calls: stages should sample less
    serve: bool = True
    host: str = "127.0.0.1"
    port: int = 8000


StageFn = Callable[[Any, DemoOptions], dict[str, Any]]


class StageSkipped(Exception):
    """Raised by a stage that has nothing to do (the message says why)."""


@dataclass(frozen=True)
class Stage:
    name: str
    run: StageFn
    description: str = ""
    required: bool = False  # a failure stops the demo; otherwise it is recorded and the demo goes on
    after_summary: bool = False  # runs once the summary is printed (serving blocks until Ctrl-C)


@dataclass
class StageResult:
    name: str
    status: str  # ok | skipped | failed
    seconds: float
    summary: dict[str, Any] = field(default_factory=dict)
    message: str = ""


def bundled_catalog_config() -> Path:
    return Path(str(resources.files("shelfmind") / "data" / "grocery" / "catalog.toml"))


# ---- spine stages ---------------------------------------------------------------------------
def stage_ingest(rt: Any, options: DemoOptions) -> dict[str, Any]:
    from shelfmind.catalog.ingest import ingest_file

    report = ingest_file(bundled_catalog_config(), rt.catalog, limit=options.limit)
    return {"catalog": report.catalog, "products": report.products, "new": report.new,
            "updated": report.updated, "unchanged": report.unchanged, "fields": len(report.fields)}


def stage_text(rt: Any, options: DemoOptions) -> dict[str, Any]:
    from shelfmind.catalog.products_text import render_catalog

    report = render_catalog(rt.catalog, rt.llm, rt.paths.artifacts_dir, show=1)
    tpl = report.template
    out: dict[str, Any] = {"template": tpl.id, "source": tpl.source, "segments": len(tpl.segments),
                           "rendered": report.rendered}
    if tpl.model:
        out["model"] = f"{tpl.model} ({tpl.prompt})"
    if tpl.fallback_reason:
        out["fallback"] = tpl.fallback_reason[:120]
    if report.samples:
        out["sample"] = next(iter(report.samples.values()))[:100]
    return out


def area_stage(module: str, attr: str = "run") -> StageFn:
    """A stage implemented by another area as `module.run(runtime, options) -> dict`."""

    def run(rt: Any, options: DemoOptions) -> dict[str, Any]:
        try:
            mod = importlib.import_module(module)
        except ImportError as exc:
            raise StageSkipped(f"{module} is not available yet ({exc})") from None
        fn = getattr(mod, attr, None)
        if fn is None:
            raise StageSkipped(f"{module} has no {attr}()")
        return dict(fn(rt, options) or {})

    return run


def stage_serve(rt: Any, options: DemoOptions) -> dict[str, Any]:
    if not options.serve:
        raise StageSkipped("--no-serve")
    return area_stage("shelfmind.service.demo")(rt, options)


STAGES: list[Stage] = [
    Stage("ingest", stage_ingest, "bundled grocery catalog -> product store", required=True),
    Stage("text", stage_text, "LLM-written text template (one call) -> product texts", required=True),
    Stage("enrich", area_stage("shelfmind.enrich.demo"), "typed attributes, brands, categories"),
    Stage("index", area_stage("shelfmind.search.demo"), "hybrid search index (BM25 + vectors + filters)"),
    Stage("kb", area_stage("shelfmind.knowledge.demo"), "knowledge base: intents -> themes -> products, verified"),
    Stage("reindex", area_stage("shelfmind.search.demo"), "the KB's intents flow back into the index text"),
    Stage("personas", area_stage("shelfmind.personas.demo"), "personas and recommendations"),
    Stage("serve", stage_serve, "storefront on localhost (blocks until Ctrl-C)", after_summary=True),
]


def register_stage(stage: Stage, *, before: str | None = None) -> None:
    names = [s.name for s in STAGES]
    if stage.name in names:
        STAGES[names.index(stage.name)] = stage
    elif before in names:
        STAGES.insert(names.index(str(before)), stage)
    else:
        STAGES.append(stage)


def run_stages(rt: Any, options: DemoOptions, stages: list[Stage] | None = None,
               echo: Callable[[str], None] | None = None) -> list[StageResult]:
    results: list[StageResult] = []
    for stage in stages if stages is not None else STAGES:
        if echo:
            echo(f"== {stage.name}: {stage.description}")
        start = time.perf_counter()
        try:
            summary = stage.run(rt, options)
            results.append(StageResult(stage.name, "ok", time.perf_counter() - start, summary))
        except StageSkipped as exc:
            results.append(StageResult(stage.name, "skipped", time.perf_counter() - start, message=str(exc)))
        except ShelfmindError as exc:
            results.append(StageResult(stage.name, "failed", time.perf_counter() - start, message=str(exc)))
            if stage.required:
                break
        except Exception as exc:  # another area's stage has a bug: record it, keep the demo going
            if stage.required:
                raise
            message = f"{type(exc).__name__}: {exc}"
            results.append(StageResult(stage.name, "failed", time.perf_counter() - start, message=message))
        if echo and results[-1].message:
            echo(f"   {results[-1].status}: {results[-1].message}")
    return results


def _summary_table(results: list[StageResult]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="shelfmind demo")
    for col in ("stage", "status", "seconds", "summary"):
        table.add_column(col, justify="right" if col == "seconds" else "left", overflow="fold")
    for r in results:
        summary = "; ".join(f"{k}={v}" for k, v in r.summary.items()) or r.message
        table.add_row(r.name, r.status, f"{r.seconds:.1f}", summary)
    Console(file=sys.stdout, width=140).print(table)


@click.command("demo")
@click.option("--no-serve", is_flag=True, help="Build everything but do not start the storefront.")
@click.option("--limit", type=int, default=None, help="Ingest at most N products of the bundled catalog.")
@click.option("--fast", is_flag=True, help="Fewer LLM calls (smaller samples in every stage).")
@click.option("--port", default=8000, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the stage summaries as JSON.")
def demo(no_serve: bool, limit: int | None, fast: bool, port: int, as_json: bool) -> None:
    """Run the pipeline on the bundled grocery catalog and print a summary."""
    rt = get_runtime()
    options = DemoOptions(limit=limit, fast=fast, serve=not no_serve, port=port)
    click.echo(f"shelfmind demo: home {rt.paths.home}", err=True)
    echo = lambda m: click.echo(m, err=True)  # noqa: E731
    results = run_stages(rt, options, [s for s in STAGES if not s.after_summary], echo=echo)
    if as_json:
        click.echo(json.dumps([r.__dict__ for r in results], default=str))
    else:
        _summary_table(results)
    required = {s.name for s in STAGES if s.required}
    failed = [r for r in results if r.status == "failed" and r.name in required]
    if failed:
        raise click.ClickException(f"stage {failed[0].name} failed: {failed[0].message}")
    run_stages(rt, options, [s for s in STAGES if s.after_summary], echo=echo)
