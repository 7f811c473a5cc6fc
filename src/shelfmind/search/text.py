"""What gets indexed, and the normalisation shared by documents and queries.

Retail titles and queries spell measurements many ways ("1-gal.", "1 gallon", "2x4", "2 x 4",
"12 in.", '12"'); both sides go through the same `normalize` so BM25 sees the same tokens.
The index text template is versioned: its id goes into the index manifest.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from shelfmind.schemas import CatalogSchema, FieldKind, Product

TEXT_TEMPLATE_ID = "name+text+attributes+extra@2"
MAX_QUERY_CHARS = 512  # queries are cut here (a 10 KB query is truncated, not rejected)

_UNITS: list[tuple[str, str]] = [
    (r"inch(?:es)?|in\b\.?|\"|''|”", " in "),
    (r"f(?:ee|oo)t|ft\b\.?|'|’", " ft "),
    (r"gallons?|gal\b\.?", " gal "),
    (r"pounds?|lbs?\b\.?", " lb "),
    (r"ounces?|oz\b\.?", " oz "),
    (r"cubic|cu\b\.?", " cu "),
    (r"square|sq\b\.?", " sq "),
    (r"volts?|v\b", " volt "),
    (r"watts?|w\b", " watt "),
    (r"amps?|amperes?|a\b", " amp "),
    (r"millimeters?|mm\b", " mm "),
    (r"centimeters?|cm\b", " cm "),
    (r"liters?|litres?|l\b", " l "),
    (r"milliliters?|ml\b", " ml "),
    (r"kilograms?|kg\b", " kg "),
    (r"grams?|g\b", " g "),
]
# a unit right after a number: "12in", "12 in.", "3/4 in"
_UNIT_AFTER_NUMBER = re.compile(
    r"(?<=\d)[\s\-]*(" + "|".join(f"(?:{p})" for p, _ in _UNITS) + r")", re.IGNORECASE
)
_UNIT_NAMES = [(re.compile(rf"^(?:{p})$", re.IGNORECASE), r.strip()) for p, r in _UNITS]
# word-form units that are unambiguous anywhere
_WORD_UNITS = re.compile(r"\b(inches|inch|feet|foot|gallons?|pounds?|ounces?|cubic|square)\b", re.IGNORECASE)
_WORD_UNIT_MAP = {"inches": "in", "inch": "in", "feet": "ft", "foot": "ft", "gallon": "gal", "gallons": "gal",
                  "pound": "lb", "pounds": "lb", "ounce": "oz", "ounces": "oz", "cubic": "cu", "square": "sq"}
_DIMENSION = re.compile(r"(?<=\d)\s*[x×*]\s*(?=\d)", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
_JUNK = re.compile(r"[^\w\s./\-$%&']", re.UNICODE)


def _unit_sub(m: re.Match[str]) -> str:
    unit = m.group(1)
    for pattern, name in _UNIT_NAMES:
        if pattern.match(unit):
            return f" {name} "
    return m.group(0)


def normalize(text: str) -> str:
    """Lower-case, NFKC, unify measurement units and dimensions ("2x4" -> "2 x 4")."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = _DIMENSION.sub(" x ", text)
    text = _UNIT_AFTER_NUMBER.sub(_unit_sub, text)
    text = _WORD_UNITS.sub(lambda m: _WORD_UNIT_MAP[m.group(1).lower()], text)
    text = _JUNK.sub(" ", text)
    return _SPACE.sub(" ", text).strip()


def clean_query(query: str) -> str:
    """Whitespace-collapsed, length-capped query (no normalisation: that happens per arm)."""
    text = _SPACE.sub(" ", unicodedata.normalize("NFKC", query)).strip()
    return text[:MAX_QUERY_CHARS]


def _value_text(value: Any) -> str:
    if isinstance(value, bool):
        return ""
    if isinstance(value, list | tuple | set):
        return " ".join(str(v) for v in value)
    return str(value)


def index_text(product: Product, schema: CatalogSchema | None = None, extra: str | None = None) -> str:
    """Name, rendered text (or text fields), categorical field values, enriched attributes, extra."""
    parts = [product.name]
    if product.text and product.text.strip() != product.name.strip():
        parts.append(product.text)
    elif schema is not None:
        parts += [_value_text(product.fields.get(f.name, "")) for f in schema.by_kind(FieldKind.TEXT)]
    if schema is not None:
        parts += [_value_text(product.fields.get(f.name, ""))
                  for f in schema.by_kind(FieldKind.CATEGORICAL, FieldKind.LIST)]
    for key, value in product.attributes.items():
        if isinstance(value, bool):
            if value:
                parts.append(key.replace("_", " "))
        elif not isinstance(value, int | float):
            parts.append(_value_text(value))
    if extra:
        parts.append(extra)
    return " ".join(p for p in parts if p).strip()


def embed_text(product: Product, extra: str | None = None, max_chars: int = 600) -> str:
    """What the embedder sees: name first, then the rendered text, then the optional extra text."""
    parts = [product.name]
    if product.text and product.text.strip() != product.name.strip():
        parts.append(product.text)
    if extra:
        parts.append(extra)
    return " ".join(parts)[:max_chars]


def extra_for(extra_text: Mapping[str, str] | None, pid: str) -> str | None:
    return extra_text.get(pid) if extra_text else None
