"""`shelfmind llm ...`: complete, stats, models, cache audit."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from shelfmind.cli.main import get_runtime
from shelfmind.errors import UserError


@click.group("llm")
def llm() -> None:
    """The LLM layer: one-off completions, accounting, models, cache."""


@llm.command("complete")
@click.argument("prompt")
@click.option("--schema", "schema_file", type=click.Path(exists=True, dir_okay=False), help="JSON schema file.")
@click.option("--json-schema", "schema_text", help="JSON schema inline.")
@click.option("--model", "spec", help="Model spec, e.g. local:qwen2.5-coder-0.5b (default: route by --task).")
@click.option("--task", default="default", show_default=True, help="Task name used for routing and accounting.")
@click.option("--max-tokens", default=256, show_default=True)
def complete_cmd(prompt: str, schema_file: str | None, schema_text: str | None, spec: str | None, task: str,
                 max_tokens: int) -> None:
    """Complete PROMPT and print the validated JSON answer on stdout."""
    from pydantic import create_model

    from shelfmind.llm.factory import build_llm
    from shelfmind.llm.prompts import load_prompt
    from shelfmind.llm.structured import complete

    schema: dict[str, Any] = {"type": "object", "properties": {"answer": {"type": "string"}}, "required": ["answer"]}
    try:
        if schema_file:
            schema = json.loads(Path(schema_file).read_text(encoding="utf-8"))
        elif schema_text:
            schema = json.loads(schema_text)
    except json.JSONDecodeError as exc:
        raise UserError(f"the JSON schema is not valid JSON: {exc}") from exc
    rt = get_runtime()
    model = build_llm(rt.settings, spec=spec) if spec else rt.llm
    out_model = _model_from_schema(schema, create_model)
    result = complete(model, load_prompt("complete"), out_model, task=task, json_schema=schema,
                      max_tokens=max_tokens, prompt=prompt)
    click.echo(json.dumps(result.value.model_dump(mode="json"), ensure_ascii=False))
    click.echo(f"model={result.trace.model} prompt={result.trace.prompt} cached={result.trace.cached} "
               f"tokens={result.prompt_tokens}+{result.completion_tokens} latency={result.latency_s:.2f}s", err=True)


def _model_from_schema(schema: dict[str, Any], create_model: Any) -> Any:
    """A permissive pydantic model that validates the schema's required top-level keys and types
    (the provider enforces the full schema through constrained decoding)."""
    import jsonschema
    from pydantic import BaseModel, ConfigDict, model_validator

    class _Out(BaseModel):
        model_config = ConfigDict(extra="allow")

        @model_validator(mode="before")
        @classmethod
        def _check(cls, data: Any) -> Any:
            try:
                jsonschema.validate(data, schema)
            except jsonschema.ValidationError as exc:  # not a ValueError: pydantic would not catch it
                raise ValueError(f"{'.'.join(map(str, exc.absolute_path)) or '<root>'}: {exc.message}") from None
            return data

    return _Out


@llm.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def stats(as_json: bool) -> None:
    """Per task: calls, cache hits, tokens in/out, latency, estimated cost."""
    import shutil

    from rich import box
    from rich.console import Console
    from rich.table import Table

    from shelfmind.llm.accounting import Ledger
    from shelfmind.llm.cache import ResponseCache

    rt = get_runtime()
    rows = Ledger(rt.paths.llm_db, prices=rt.settings.llm_prices).stats()
    cache = ResponseCache(rt.paths.llm_db).stats()
    if as_json:
        click.echo(json.dumps({"tasks": [r.model_dump() for r in rows], "cache": cache}))
        return
    table = Table(title=f"LLM usage ({rt.paths.llm_db})", box=box.SIMPLE)
    for col in ("task", "model", "calls", "model calls", "hits (near-dup)", "hit rate", "tokens in/out",
                "p50/p95 s", "cost $", "errors", "failed items"):
        table.add_column(col, justify="left" if col in ("task", "model") else "right", no_wrap=True)
    for r in rows:
        table.add_row(r.task, r.model, str(r.calls), str(r.model_calls), f"{r.cache_hits} ({r.near_duplicate_hits})",
                      f"{r.hit_rate:.0%}", f"{r.prompt_tokens}/{r.completion_tokens}",
                      f"{r.latency_p50_s:.2f}/{r.latency_p95_s:.2f}", f"{r.cost_usd:.4f}", str(r.errors),
                      str(r.failed_items))
    Console(file=sys.stdout, width=max(200, shutil.get_terminal_size().columns)).print(table)
    click.echo(f"cache: {cache['entries']} entries, {cache['hits']} hits, {cache['near_duplicate_hits']} near-duplicate hits")


@llm.command("failures")
@click.option("--task", default=None, help="Only this task.")
@click.option("--limit", default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True)
def failures(task: str | None, limit: int, as_json: bool) -> None:
    """Items that batch jobs recorded as failed (invalid answer after the re-ask, or provider error)."""
    from shelfmind.llm.accounting import Ledger

    rows = Ledger(get_runtime().paths.llm_db).failures(task, limit=limit)
    if as_json:
        click.echo(json.dumps(rows))
        return
    for r in rows:
        click.echo(f"{r['at']} {r['task']} {r['prompt']} item={r['item_id']} {r['kind']}: {r['error'][:160]}")
    if not rows:
        click.echo("no recorded failures")


@llm.command("models")
@click.option("--json", "as_json", is_flag=True)
def models(as_json: bool) -> None:
    """Embedded models, their tier and whether they are assembled; configured tiers."""
    from shelfmind.llm.models import LOCAL_MODELS, is_assembled, model_path

    rt = get_runtime()
    rows = [
        {"spec": f"local:{m.name}", "tier": m.tier, "description": m.description,
         "assembled": is_assembled(rt.settings.cache_dir, m), "path": str(model_path(rt.settings.cache_dir, m))}
        for m in LOCAL_MODELS.values()
    ]
    tiers = {"strong": rt.settings.llm_strong, "fast": rt.settings.llm_fast, "task_tiers": rt.settings.task_tiers}
    if as_json:
        click.echo(json.dumps({"models": rows, "tiers": tiers}))
        return
    for r in rows:
        click.echo(f"{r['spec']:28} {r['tier']:7} {'assembled' if r['assembled'] else 'not assembled':14} {r['description']}")
    click.echo(f"tiers: strong={tiers['strong']} fast={tiers['fast']}")


@llm.group("cache")
def cache_group() -> None:
    """The response cache."""


@cache_group.command("audit")
@click.option("--task", default=None, help="Only near-duplicate hits of this task.")
@click.option("--sample", default=20, show_default=True, help="How many near-duplicate hits to re-ask.")
@click.option("--json", "as_json", is_flag=True)
def audit(task: str | None, sample: int, as_json: bool) -> None:
    """Re-ask a sample of near-duplicate cache hits without the cache; report the false-hit rate."""
    from shelfmind.llm.cache import ResponseCache, audit_near_duplicates

    rt = get_runtime()
    result = audit_near_duplicates(ResponseCache(rt.paths.llm_db), rt.llm, task=task, sample=sample)
    click.echo(result.model_dump_json() if as_json else
               f"near-duplicate hits audited: {result.sampled}; answers differing: {result.different} "
               f"({result.false_hit_rate:.1%} false hits)")
