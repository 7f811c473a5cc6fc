"""Product text from the flattened schema through ONE LLM-written template (the seed's Fig. 23).

For a schema, the LLM sees the column names, kinds and a few sample rows and writes a template: a
list of short segments with `{column}` placeholders. A segment renders only if all its columns have
values, so missing data never shows as "None". The template is validated (placeholders must be
existing columns, {name} first, little fixed text, renders every sample row) and saved as an
artifact with model, prompt version and schema hash; when validation or the LLM fails, a safe
default template built from the schema is used and the reason recorded. Rendering is plain string
substitution of values: no expressions, attribute access or code, so catalog text cannot inject.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from shelfmind.errors import ProviderError, ShelfmindError
from shelfmind.llm.base import LLM
from shelfmind.llm.prompts import load_prompt
from shelfmind.llm.structured import complete
from shelfmind.schemas import CatalogSchema, FieldKind, Product
from shelfmind.store.atomic import atomic_write_text

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
MAX_LITERAL = 24  # fixed characters per segment, plus MAX_LITERAL_PER_COLUMN per placeholder
MAX_LITERAL_PER_COLUMN = 20  # labels and units, not copied content
MAX_SEGMENTS = 14
MAX_COLUMNS_PER_SEGMENT = 2  # a segment drops out when any of its columns is empty
PROMPT_SAMPLES = 3  # sample rows the LLM sees (short prompt: CPU prompt processing is the cost)
VALIDATION_SAMPLES = 8  # sample rows the template must render


class TemplateOut(BaseModel):
    """What the LLM must return."""

    segments: list[str] = Field(min_length=1, max_length=MAX_SEGMENTS)


class TextTemplate(BaseModel):
    segments: list[str]
    separator: str = ". "
    source: str  # "llm" or "default"
    model: str | None = None
    prompt: str | None = None
    prompt_version: str | None = None
    schema_hash: str
    created_at: str
    fallback_reason: str | None = None

    @property
    def id(self) -> str:
        raw = json.dumps([self.segments, self.separator], ensure_ascii=False)
        return f"{self.source}-{hashlib.sha256(raw.encode()).hexdigest()[:10]}"

    def render(self, product: Product) -> str:
        return render_segments(self.segments, self.separator, row_values(product))


def schema_hash(schema: CatalogSchema) -> str:
    return hashlib.sha256(schema.model_dump_json().encode()).hexdigest()[:16]


def columns_of(schema: CatalogSchema) -> list[str]:
    cols = ["name"] + [f.name for f in schema.fields]
    if "price" not in cols:
        cols.append("price")
    return cols


def row_values(product: Product) -> dict[str, Any]:
    values: dict[str, Any] = {"name": product.name, "price": product.price}
    values.update(product.fields)
    values.update(product.attributes)
    return values


def _fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".") if value % 1 else str(int(value))
    if isinstance(value, list):
        return ", ".join(_fmt(v) for v in value if v is not None)
    return re.sub(r"\s+", " ", str(value)).strip()


def _lookup(values: dict[str, str], m: re.Match[str]) -> str:
    return values[m.group(1)]


def render_segments(segments: Sequence[str], separator: str, values: dict[str, Any]) -> str:
    parts = []
    for seg in segments:
        names = PLACEHOLDER.findall(seg)
        rendered_values = {n: _fmt(values.get(n)) for n in names}
        if any(not v for v in rendered_values.values()):
            continue
        text = PLACEHOLDER.sub(partial(_lookup, rendered_values), seg).strip().rstrip(".")
        if text:
            parts.append(text)
    return separator.join(parts) + ("." if parts and separator.strip() == "." else "")


def validate_segments(segments: Sequence[str], columns: Iterable[str], samples: Sequence[Product]) -> str | None:
    """Return None if valid, else the reason it is not."""
    cols = set(columns)
    if not segments:
        return "empty template"
    if "{name}" not in segments[0]:
        return "the first segment must contain {name}"
    for seg in segments:
        if re.search(r"\{[^}]*[^A-Za-z0-9_}][^}]*\}", seg):
            return f"segment {seg!r} has a placeholder that is not a plain column name"
        if len(PLACEHOLDER.findall(seg)) > MAX_COLUMNS_PER_SEGMENT:
            return f"segment {seg!r} has more than {MAX_COLUMNS_PER_SEGMENT} columns"
        unknown = [n for n in PLACEHOLDER.findall(seg) if n not in cols]
        if unknown:
            return f"segment {seg!r} references unknown columns {unknown}"
        literal = PLACEHOLDER.sub("", seg)
        allowed = MAX_LITERAL + MAX_LITERAL_PER_COLUMN * len(PLACEHOLDER.findall(seg))
        if len(literal) > allowed:
            return f"segment {seg!r} has too much fixed text ({len(literal)} > {allowed} characters)"
        if "{" in literal or "}" in literal:
            return f"segment {seg!r} has unbalanced braces"
    if len({n for seg in segments for n in PLACEHOLDER.findall(seg)}) < 1:
        return "template references no columns"
    for p in samples:
        text = render_segments(segments, ". ", row_values(p))
        if p.name not in text:
            return f"template does not render the name of sample {p.id}"
    return None


def repair_segments(segments: Sequence[str]) -> list[str]:
    """Split a segment that lists too many columns ("Nutrition: {fat} g fat, {sugar} g sugar, ...")
    at its commas or semicolons, so each piece drops out on its own when its column is empty.
    Deterministic; anything it cannot fix is left for validation to reject."""
    out: list[str] = []
    for seg in segments:
        if len(PLACEHOLDER.findall(seg)) <= MAX_COLUMNS_PER_SEGMENT:
            out.append(seg)
            continue
        pieces = [p.strip() for p in re.split(r"[,;]", seg) if p.strip()]
        if all(len(PLACEHOLDER.findall(p)) <= MAX_COLUMNS_PER_SEGMENT for p in pieces):
            out.extend(p for p in pieces if PLACEHOLDER.search(p))
        else:
            out.append(seg)
    return out[:MAX_SEGMENTS]


def default_segments(schema: CatalogSchema) -> list[str]:
    segs = ["{name}"]
    for f in schema.fields:
        if f.kind == FieldKind.TEXT:
            segs.append(f"{f.name.replace('_', ' ').capitalize()}: {{{f.name}}}")
    for f in schema.fields:
        if f.kind in (FieldKind.CATEGORICAL, FieldKind.LIST, FieldKind.BOOLEAN):
            segs.append(f"{f.name.replace('_', ' ')}: {{{f.name}}}")
    for f in schema.fields:
        if f.kind == FieldKind.NUMERIC and f.name != "price":
            unit = f" {f.unit}" if f.unit else ""
            segs.append(f"{f.name.replace('_', ' ')} {{{f.name}}}{unit}")
    return segs[:MAX_SEGMENTS]


class TemplateBuilder:
    """Writes (once per schema) and stores the text template."""

    def __init__(self, llm: LLM | None, artifacts_dir: Path) -> None:
        self.llm = llm
        self.path = Path(artifacts_dir) / "text_template.json"

    def load(self, schema: CatalogSchema) -> TextTemplate | None:
        if not self.path.exists():
            return None
        tpl = TextTemplate.model_validate_json(self.path.read_text(encoding="utf-8"))
        return tpl if tpl.schema_hash == schema_hash(schema) else None

    def build(self, schema: CatalogSchema, samples: Sequence[Product], *, regenerate: bool = False) -> TextTemplate:
        if not regenerate:
            existing = self.load(schema)
            if existing is not None:
                return existing
        now = datetime.now(UTC).isoformat(timespec="seconds")
        shash = schema_hash(schema)
        columns = columns_of(schema)
        reason: str | None = None
        if self.llm is not None:
            prompt = load_prompt("product_text_template")
            try:
                result = complete(
                    self.llm, prompt, TemplateOut,
                    max_tokens=400,
                    columns=_describe_columns(schema),
                    rows=_sample_rows(samples[:PROMPT_SAMPLES]),
                )
                segments = repair_segments([s.strip() for s in result.value.segments if s.strip()])
                reason = validate_segments(segments, columns, samples)
                if reason is None:
                    tpl = TextTemplate(segments=segments, source="llm", model=result.trace.model,
                                       prompt=result.trace.prompt, prompt_version=result.trace.prompt_version,
                                       schema_hash=shash, created_at=now)
                    self._save(tpl)
                    return tpl
                reason = f"LLM template rejected: {reason}"
            except (ProviderError, ShelfmindError) as exc:
                reason = f"LLM failed: {exc}"
        else:
            reason = "no LLM configured"
        tpl = TextTemplate(segments=default_segments(schema), source="default", schema_hash=shash, created_at=now,
                           fallback_reason=reason)
        self._save(tpl)
        return tpl

    def _save(self, tpl: TextTemplate) -> None:
        atomic_write_text(self.path, tpl.model_dump_json(indent=2))


def _describe_columns(schema: CatalogSchema) -> str:
    lines = ["- name: text (the product name)"]
    for f in schema.fields:
        lines.append(f"- {f.name}: {f.kind.value}" + (f", {f.unit}" if f.unit else ""))
    if not schema.get("price"):
        lines.append("- price: numeric, USD")
    return "\n".join(lines)


def _sample_rows(samples: Sequence[Product], max_chars: int = 160) -> str:
    out = []
    for p in samples:
        row = {k: (v[:max_chars] if isinstance(v, str) else v) for k, v in row_values(p).items() if v is not None}
        out.append(json.dumps(row, ensure_ascii=False))
    return "\n".join(out)


def pick_samples(products: Sequence[Product], n: int = VALIDATION_SAMPLES) -> list[Product]:
    """The n products with the most filled fields (a deterministic, informative sample)."""
    return sorted(products, key=lambda p: (-len([v for v in p.fields.values() if v not in (None, "")]), p.id))[:n]
