"""`shelfmind index` and `shelfmind search`."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import click

from shelfmind.cli.main import get_runtime
from shelfmind.errors import DataError, UserError
from shelfmind.search.base import Filter, FilterOp

_FILTER = re.compile(r"^\s*([\w.\-]+)\s*(<=|>=|!=|=|<|>|~)\s*(.+?)\s*$")
_OPS = {"=": FilterOp.EQ, "!=": FilterOp.NE, "<": FilterOp.LT, "<=": FilterOp.LE, ">": FilterOp.GT,
        ">=": FilterOp.GE, "~": FilterOp.CONTAINS}


def parse_filter(text: str) -> Filter:
    """`price<=5`, `brand=barilla`, `gluten_free=true`, `tags~organic`, `brand=a|b` (one of)."""
    m = _FILTER.match(text)
    if not m:
        raise UserError(f"bad filter {text!r}", hint="use FIELD=VALUE, FIELD<=N, FIELD>=N, FIELD~VALUE")
    field, op, raw = m.groups()
    value: Any = raw
    if op == "=" and "|" in raw:
        return Filter(field=field, op=FilterOp.IN, value=[v.strip() for v in raw.split("|") if v.strip()])
    if raw.lower() in {"true", "false"}:
        value = raw.lower() == "true"
    else:
        try:
            value = float(raw)
        except ValueError:
            value = raw
    return Filter(field=field, op=_OPS[op], value=value)


def load_extra_text(path: str) -> dict[str, str]:
    """JSON lines {"id": ..., "text": ...} or a JSON object {id: text}."""
    p = Path(path)
    raw = p.read_text(encoding="utf-8")
    first = next((line for line in raw.splitlines() if line.strip()), "")
    try:
        head = json.loads(first) if first else {}
    except json.JSONDecodeError:
        head = None
    if not (isinstance(head, dict) and {"id", "text"} <= set(head)):
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise DataError(f"not JSON lines with id and text, nor a JSON object: {exc.msg}", file=str(p)) from exc
        if not isinstance(data, dict):
            raise DataError("expected a JSON object {id: text}", file=str(p))
        return {str(k): str(v) for k, v in data.items()}
    out: dict[str, str] = {}
    for n, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            out[str(row["id"])] = str(row["text"])
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise DataError("expected a JSON object with id and text", file=str(p), row=n) from exc
    return out


@click.command("index")
@click.option("--extra-text", type=click.Path(exists=True, dir_okay=False),
              help='Extra index text per product (JSON lines {"id","text"}, e.g. intents/uses).')
@click.option("--knowledge/--no-knowledge", default=True, show_default=True,
              help="Append the knowledge base's intents/uses per product, when there is a knowledge base.")
@click.option("--json", "as_json", is_flag=True)
def index(extra_text: str | None, knowledge: bool, as_json: bool) -> None:
    """Build the search index (BM25 + vectors + filter columns) from the ingested catalog."""
    from shelfmind.search.factory import index_catalog, knowledge_extra_text

    rt = get_runtime()
    extra = (knowledge_extra_text(rt) if knowledge else None) or {}
    if extra_text:
        extra.update(load_extra_text(extra_text))
    manifest = index_catalog(rt, extra_text=extra or None)
    if as_json:
        click.echo(manifest.model_dump_json())
        return
    cols = ", ".join(f"{c.name} ({c.kind.value})" for c in manifest.columns)
    click.echo(f"indexed {manifest.catalog_size} products with {manifest.embedder} into {rt.paths.index_dir}")
    click.echo(f"filterable: {cols}")


@click.command("search")
@click.argument("query", required=False)
@click.option("--k", default=10, show_default=True, help="Number of results.")
@click.option("--json", "as_json", is_flag=True, help="JSON on stdout.")
@click.option("--batch", type=click.Path(exists=True, dir_okay=False),
              help="One query per line; writes JSON lines {query, results:[{id, score}]}.")
@click.option("--filter", "filters", multiple=True, help="FIELD=VALUE, FIELD<=N, FIELD~VALUE (repeatable).")
@click.option("--understand", type=click.Choice(["off", "fast", "auto", "llm"]), default="auto", show_default=True,
              help="Query understanding: off, fast path only, cached LLM parse else fast path, or LLM.")
@click.option("--expand", is_flag=True, help="LLM expansion of broad intents into product types (cached).")
@click.option("--explain", is_flag=True, help="Show the parse, arms and timings.")
def search(query: str | None, k: int, as_json: bool, batch: str | None, filters: tuple[str, ...],
           understand: str, expand: bool, explain: bool) -> None:
    """Hybrid search over the built index."""
    from shelfmind.search.factory import UnderstandMode, build_searcher

    if (query is None) == (batch is None):
        raise UserError("give a QUERY or --batch FILE (not both)")
    flts = [parse_filter(f) for f in filters]
    rt = get_runtime()
    engine = build_searcher(rt, understand=UnderstandMode(understand), expand=expand)
    if batch is not None:
        lines = Path(batch).read_text(encoding="utf-8", errors="replace").splitlines()
        for line in lines:
            q = line.strip()
            if not q:
                continue
            record: dict[str, Any] = {"query": q}
            try:
                hits = engine.search(q, k=k, filters=flts)
                record["results"] = [{"id": h.id, "score": h.score} for h in hits]
            except UserError as exc:  # one bad query never stops the batch
                record["results"] = []
                record["error"] = str(exc)
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        return
    assert query is not None
    out = engine.explain(query, k=k, filters=flts)
    if as_json:
        click.echo(out.model_dump_json() if explain else json.dumps(
            {"query": out.query, "results": [h.model_dump(exclude={"arm_scores"}) for h in out.hits]},
            ensure_ascii=False))
        return
    if explain and out.parse is not None:
        p = out.parse
        fl = "; ".join(f"{f.field} {f.op.value} {f.value}" for f in p.filters) or "none"
        click.echo(f"parse ({p.source.value}, {p.ms:.1f} ms): head={p.head!r} filters: {fl}", err=True)
        if p.dropped:
            click.echo(f"  dropped: {'; '.join(p.dropped)}", err=True)
    if explain:
        if out.expansions:
            click.echo(f"expansions: {', '.join(out.expansions)}", err=True)
        if out.relaxed:
            click.echo("parsed filters matched nothing and were dropped", err=True)
        arms = ", ".join(f"{a.name}={a.hits} ({a.ms:.1f} ms)" for a in out.arms)
        click.echo(f"arms: {arms}; total {out.timings_ms.get('total', 0):.1f} ms", err=True)
    if not out.hits:
        click.echo("no results")
    for rank, h in enumerate(out.hits, start=1):
        click.echo(f"{rank:3d}. {h.score:8.4f}  [{h.id}] {h.name}")
