"""Per-attribute normalisation: null words, spans, casing, synonyms, enum snapping, numbers + units.

`normalize(spec, raw, text)` turns what the model wrote into a typed value (or None). For string
attributes kept in the source's casing, a value that fuzzily matches a span of the text is
replaced by that exact span ("span snapping"), so "canon" becomes "Canon" as written.
"""

from __future__ import annotations

import re
from typing import Any

from rapidfuzz import fuzz, process

from shelfmind.enrich.schema import AttributeSpec, AttrType, Casing

NULL_WORDS = frozenset({"", "none", "null", "n/a", "na", "not specified", "unknown", "not available", "not stated",
                        "not mentioned", "no", "-", "not applicable"})
_NUM_UNIT = re.compile(r"(\d+(?:[.,]\d+)?)\s*(\"|''|[a-zA-Z%µ]+(?:/[a-zA-Z0-9]+)?)?")

UNIT_ALIASES: dict[str, str] = {
    "g": "g", "gr": "g", "gram": "g", "grams": "g", "kg": "kg", "kilogram": "kg", "kilograms": "kg",
    "oz": "oz", "ounce": "oz", "ounces": "oz", "lb": "lb", "lbs": "lb", "pound": "lb", "pounds": "lb",
    "ml": "ml", "milliliter": "ml", "millilitre": "ml", "l": "l", "liter": "l", "litre": "l", "liters": "l",
    "in": "in", "inch": "in", "inches": "in", '"': "in", "''": "in", "cm": "cm", "mm": "mm", "m": "m",
    "ft": "ft", "feet": "ft", "gb": "GB", "tb": "TB", "mb": "MB", "rpm": "rpm", "w": "W", "v": "V",
    "ghz": "GHz", "mhz": "MHz", "%": "%",
}
# factor to convert a unit into the canonical unit of its dimension
_CONVERT: dict[tuple[str, str], float] = {
    ("kg", "g"): 1000.0, ("oz", "g"): 28.3495, ("lb", "g"): 453.592, ("g", "kg"): 0.001,
    ("l", "ml"): 1000.0, ("ml", "l"): 0.001, ("cm", "mm"): 10.0, ("in", "cm"): 2.54, ("mm", "cm"): 0.1,
    ("in", "mm"): 25.4, ("ft", "in"): 12.0, ("TB", "GB"): 1000.0, ("GB", "TB"): 0.001,
}


def is_null(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip().strip(".\"'").lower() in NULL_WORDS
    if isinstance(value, list):
        return all(is_null(v) for v in value)
    return False


def clean_text(value: Any) -> str | None:
    if is_null(value):
        return None
    text = re.sub(r"\s+", " ", str(value)).strip().strip("\"'").strip()
    text = text.rstrip(",;:.").strip()
    return text or None


def apply_case(value: str, case: Casing) -> str:
    if case == Casing.LOWER:
        return value.lower()
    if case == Casing.UPPER:
        return value.upper()
    if case == Casing.TITLE:
        return value.title()
    return value


_UNIT_AFTER = re.compile(r"""^(?:"|''|-?\s?(?:inch(?:es)?|in|cm|mm|ft|tb|gb|mb|rpm|ghz|mhz|w|v|oz|lbs?|g|kg|ml|l)\b\.?)""", re.I)
_NUMBER = r"\d+(?:[-\s]\d+/\d+|[.,/]\d+)?"  # 12, 1.5, 3/4, 21-1/4 (a mixed fraction)
_LEADING_NUMBER = re.compile("^" + _NUMBER)


def _boundary_find(value: str, text: str) -> tuple[int, int] | None:
    m = re.search(r"(?<![A-Za-z0-9])" + re.escape(value.lower()) + r"(?![A-Za-z0-9])", text.lower())
    return (m.start(), m.end()) if m else None


def _with_unit(text: str, start: int, end: int, attach_unit: bool) -> str:
    if attach_unit:
        m = _UNIT_AFTER.match(text[end:])
        if m:
            end += m.end()
    return text[start:end]


def snap_to_span(value: str, text: str, *, threshold: float = 90.0, attach_unit: bool = False) -> str | None:
    """The exact span of `text` that `value` denotes (case-insensitive, spacing variants, fuzzy, or
    its leading number), or None. With `attach_unit`, a bare number keeps the unit written after it."""
    if not value or not text:
        return None
    bare_number = bool(re.fullmatch(_NUMBER, value.strip()))
    for variant in dict.fromkeys([value, value.replace(" ", ""), value.replace(" ", "-"), value.replace("-", " ")]):
        hit = _boundary_find(variant, text)
        if hit:
            return _with_unit(text, *hit, attach_unit and bare_number)
    low = text.lower()
    i = low.find(value.lower())
    if i >= 0:  # inside glued words ("DrivePart"): keep exactly what was meant, in the text's casing
        return text[i : i + len(value)]
    if len(value) < 4:
        return None
    al = fuzz.partial_ratio_alignment(value.lower(), low, score_cutoff=threshold)
    if al is None:
        number = _LEADING_NUMBER.match(value.strip())
        hit = _boundary_find(number.group(0), text) if number and number.group(0) != value.strip() else None
        return _with_unit(text, *hit, attach_unit) if hit else None
    start, end = al.dest_start, al.dest_end
    # a fuzzy span is widened to word boundaries so it never cuts a word
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum():
        end += 1
    span = text[start:end].strip()
    if not span or len(span) > 2 * len(value) + 4:
        return None
    return span


def canonical_unit(unit: str | None) -> str | None:
    if not unit:
        return None
    return UNIT_ALIASES.get(unit.strip().lower(), unit.strip())


def parse_number(value: Any) -> tuple[float, str | None] | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value), None
    if isinstance(value, dict) and "value" in value:
        got = parse_number(value["value"])
        return (got[0], canonical_unit(value.get("unit")) or got[1]) if got else None
    m = _NUM_UNIT.search(str(value))
    if not m:
        return None
    return float(m.group(1).replace(",", ".")), canonical_unit(m.group(2))


def convert(amount: float, unit: str | None, target: str | None) -> float | None:
    if unit is None or target is None or unit == target:
        return amount
    factor = _CONVERT.get((unit, target))
    return amount * factor if factor is not None else None


def _synonym(spec: AttributeSpec, value: str) -> str:
    low = {k.lower(): v for k, v in spec.synonyms.items()}
    return low.get(value.lower(), value)


def _enum(spec: AttributeSpec, value: str) -> str | None:
    value = _synonym(spec, value)
    by_low = {v.lower(): v for v in spec.values}
    if value.lower() in by_low:
        return by_low[value.lower()]
    best = process.extractOne(value.lower(), list(by_low), scorer=fuzz.WRatio, score_cutoff=86)
    return by_low[best[0]] if best else None


def _string(spec: AttributeSpec, value: Any, text: str, snap: bool) -> str | None:
    cleaned = clean_text(value)
    if cleaned is None:
        return None
    cleaned = _synonym(spec, cleaned)[: spec.max_length]
    if spec.case == Casing.KEEP and snap:
        cleaned = snap_to_span(cleaned, text, attach_unit=spec.attach_unit) or cleaned
    return apply_case(cleaned, spec.case)


def normalize(spec: AttributeSpec, raw: Any, text: str = "", *, snap: bool = True) -> Any:
    """A typed value for `spec`, or None when the model said nothing usable."""
    if is_null(raw) and not (spec.type == AttrType.BOOL and raw is False):
        return None
    if spec.type == AttrType.BOOL:
        if isinstance(raw, bool):
            return raw
        word = str(raw).strip().lower()
        return True if word in {"true", "yes", "y", "1"} else False if word in {"false", "no", "n", "0"} else None
    if spec.type == AttrType.NUMBER:
        got = parse_number(raw)
        if got is None:
            return None
        amount, unit = got
        unit = unit or spec.unit
        target = canonical_unit(spec.unit)
        converted = convert(amount, unit, target)
        if converted is not None and target is not None:
            return {"value": round(converted, 3), "unit": target}
        return {"value": amount, "unit": unit}
    if spec.type == AttrType.ENUM:
        cleaned = clean_text(raw)
        return _enum(spec, cleaned) if cleaned else None
    if spec.type == AttrType.LIST:
        items = raw if isinstance(raw, list) else re.split(r"[,;]", str(raw))
        out: list[str] = []
        for item in items:
            v = (_enum(spec, c) if spec.values else _string(spec, c, text, snap)) if (c := clean_text(item)) else None
            if v is not None and v not in out:
                out.append(v)
        return out[: spec.max_items] or None
    return _string(spec, raw, text, snap)
