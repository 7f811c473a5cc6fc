"""Where intents come from: a seed list (TOML or text), a query log, and LLM suggestions for the
catalog's categories."""

from __future__ import annotations

import csv
import json
import re
import tomllib
from collections import Counter
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path

from shelfmind.errors import DataError
from shelfmind.knowledge.facts import STOPWORDS, normalise, tokens
from shelfmind.knowledge.models import IntentRecord, IntentSource, SuggestedIntents
from shelfmind.llm.base import LLM
from shelfmind.llm.prompts import load_prompt
from shelfmind.llm.structured import complete
from shelfmind.schemas import Product


def default_seed_path() -> Path:
    return Path(str(resources.files("shelfmind.knowledge") / "data" / "seed_intents.toml"))


def load_intents(path: Path | str | None = None) -> list[str]:
    """Intents from a TOML file (`intents = [...]`), a JSONL/CSV query log, or plain lines."""
    path = Path(path) if path else default_seed_path()
    if not path.exists():
        raise DataError("intent file not found", file=str(path))
    if path.suffix == ".toml":
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise DataError(f"bad TOML: {exc}", file=str(path)) from exc
        items = data.get("intents")
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise DataError("expected a list of strings", file=str(path), field="intents")
        return _dedup(items)
    if path.suffix in (".jsonl", ".csv", ".tsv"):
        return read_query_log(path)
    return _dedup(line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


def read_query_log(path: Path | str, *, min_count: int = 1, limit: int | None = None) -> list[str]:
    """Queries of a log, most frequent first. JSONL ({"query": ...}), CSV/TSV (a `query` column)
    or one query per line."""
    path = Path(path)
    counts: Counter[str] = Counter()
    display: dict[str, str] = {}

    def add(q: object, row: int) -> None:
        if not isinstance(q, str):
            raise DataError("query must be a string", file=str(path), row=row, field="query")
        q = " ".join(q.split())
        if q:
            counts[normalise(q)] += 1
            display.setdefault(normalise(q), q)

    with path.open(encoding="utf-8", newline="") as fh:
        if path.suffix == ".jsonl":
            for i, line in enumerate(fh, 1):
                if line.strip():
                    try:
                        add(json.loads(line).get("query"), i)
                    except (json.JSONDecodeError, AttributeError) as exc:
                        raise DataError(f"bad JSON line: {exc}", file=str(path), row=i) from exc
        elif path.suffix in (".csv", ".tsv"):
            reader = csv.DictReader(fh, delimiter="\t" if path.suffix == ".tsv" else ",")
            if "query" not in (reader.fieldnames or []):
                raise DataError("no 'query' column", file=str(path), row=1, field="query")
            for i, r in enumerate(reader, 2):
                add(r["query"], i)
        else:
            for i, line in enumerate(fh, 1):
                add(line, i)
    ranked = [display[k] for k, c in counts.most_common() if c >= min_count]
    return ranked[:limit] if limit else ranked


def catalog_categories(products: Iterable[Product], *, top: int = 12) -> list[str]:
    """The catalog's categories: a categorical category/aisle/department field when there is one,
    otherwise the most common head nouns of product names ("cheese", "cookie", "chip")."""
    fields: Counter[str] = Counter()
    heads: Counter[str] = Counter()
    for p in products:
        for key in ("category", "aisle", "department", "product_type"):
            value = p.get(key)
            if isinstance(value, str) and value:
                fields[value] += 1
                break
        words = [w for w in re.findall(r"[a-z]{3,}", p.name.split(",")[0].lower()) if w not in STOPWORDS]
        if words:
            heads[words[-1]] += 1
    source = fields if len(fields) >= 3 else heads
    return [c for c, _ in source.most_common(top)]


def suggest_intents(llm: LLM, categories: Sequence[str], *, max_intents: int = 8) -> list[str]:
    """Shopper needs / occasions the LLM suggests for these categories (deduplicated, bounded)."""
    prompt = load_prompt("kb_suggest_intents")
    out = complete(llm, prompt, SuggestedIntents, categories="\n".join(f"- {c}" for c in categories[:20]),
                   max_tokens=200)
    return _dedup(i for i in out.value.intents if 1 <= len(tokens(i)) <= 5)[:max_intents]


def records(texts: Iterable[str], source: IntentSource) -> list[IntentRecord]:
    return [IntentRecord(key=normalise(t), text=t.strip(), source=source) for t in _dedup(texts) if normalise(t)]


def _dedup(items: Iterable[str]) -> list[str]:
    seen: dict[str, str] = {}
    for item in items:
        key = normalise(item)
        if key and key not in seen:
            seen[key] = item.strip()
    return list(seen.values())
