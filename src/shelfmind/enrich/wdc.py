"""WDC-PAVE-format files: reading offers, the paper's attribute set, schemas and a leak-free split.

An offer is one JSON line: id, category, input_title, input_description and target_scores
({attribute: {value: {...}} or {"n/a": 1}}). The demonstration pool and the scored dev part never
share an offer, nor a product cluster (the same product sold on another site).
"""

from __future__ import annotations

import csv
import json
import random
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from shelfmind.enrich.demos import Demo
from shelfmind.enrich.schema import AttributeSpec, CategorySchema, SchemaSet
from shelfmind.errors import DataError, NotFound

# The 24 attributes over 5 categories that the WDC-PAVE paper evaluates (the `wdc_normalized` set);
# the `with_all_attributes` files annotate more, which `attributes="all"` keeps.
PAVE_CORE: dict[str, list[str]] = {
    "Computers And Accessories": ["Manufacturer", "Generation", "Part Number", "Capacity", "Product Type",
                                  "Interface", "Cache", "Ports", "Processor Core", "Processor Type",
                                  "Rotational Speed"],
    "Home And Garden": ["Product Type", "Width", "Length", "Depth", "Height", "Color", "Retail UPC",
                        "Manufacturer Stock Number"],
    "Office Products": ["Product Type", "Color(s)", "Retail UPC", "Manufacturer Stock Number", "Pack Quantity",
                        "Width", "Height", "Length", "Depth", "Paper Weight"],
    "Grocery And Gourmet Food": ["Brand", "Product Type", "Size/Weight", "Pack Quantity", "Retail UPC"],
    "Jewelry": ["Product Type", "Brand", "Model Number"],
}


class Offer(BaseModel):
    id: str
    cluster_id: str | None = None
    category: str
    title: str
    description: str = ""
    gold: dict[str, list[str]] = Field(default_factory=dict)  # attribute -> gold values ([] = n/a)

    @property
    def text(self) -> str:
        return f"{self.title}\n{self.description}".strip()


def read_offers(path: Path | str, *, attributes: str = "core") -> list[Offer]:
    path = Path(path)
    if not path.exists():
        raise NotFound(f"no WDC-PAVE file {path}")
    offers: list[Offer] = []
    with path.open(encoding="utf-8") as fh:
        for row_no, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                gold = {a: [v.strip() for v in vals if v != "n/a"] for a, vals in row["target_scores"].items()}
                category = row["category"]
                title = row.get("input_title") or ""
            except (json.JSONDecodeError, KeyError, AttributeError, TypeError) as exc:
                raise DataError(f"not a WDC-PAVE offer: {exc}", file=str(path), row=row_no) from exc
            if attributes == "core" and category in PAVE_CORE:
                gold = {a: gold.get(a, []) for a in PAVE_CORE[category]}
            cluster = row.get("cluster_id")
            offers.append(Offer(id=str(row.get("id", row_no)), cluster_id=None if cluster is None else str(cluster),
                                category=category, title=title, description=row.get("input_description") or "",
                                gold=gold))
    return offers


def split(offers: Sequence[Offer], n_dev: int, *, seed: int = 0) -> tuple[list[Offer], list[Offer]]:
    """(pool, dev): a seeded sample of n_dev offers, and every offer sharing no id or cluster with it."""
    order = list(offers)
    random.Random(seed).shuffle(order)
    dev = order[:n_dev]
    dev_ids = {o.id for o in dev}
    dev_clusters = {o.cluster_id for o in dev if o.cluster_id}
    pool = [o for o in order[n_dev:] if o.id not in dev_ids and o.cluster_id not in dev_clusters]
    return pool, dev


def demos_from_offers(offers: Sequence[Offer], *, longest: Sequence[str] = ()) -> list[Demo]:
    """One demonstration per offer; the label is the shortest gold value that is a span of the text
    (the longest one for the attributes in `longest`, e.g. a Product Type the model keeps too short)."""
    out = []
    for o in offers:
        values: dict[str, Any] = {}
        for a, vals in o.gold.items():
            # only values that are spans of the text: a demo must never teach writing what is not there
            spans = [v for v in vals if v and v in o.text]
            pick = max if a in longest else min
            values[a] = pick(spans, key=len) if spans else None
        out.append(Demo(id=o.id, category=o.category, text=o.text, values=values))
    return out


def read_descriptions(path: Path | str) -> dict[tuple[str, str], str]:
    """(category, attribute) -> the first sentence of the human description, from the paper's CSV."""
    path = Path(path)
    if not path.exists():
        return {}
    out: dict[tuple[str, str], str] = {}
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh, delimiter=";"):
            desc = (row.get("Human_Description") or "").strip()
            desc = re.split(r"(?<=\.)\s", desc, maxsplit=1)[0]
            desc = re.sub(r"^The '[^']+' attribute\s+(?:\w+\s+){0,2}?(?:refers to|describes|specifies|indicates|"
                          r"determines|stands for|can be seen as|is)\s+", "", desc)
            if len(desc) > 90:
                desc = desc[:90].rsplit(" ", 1)[0] + "…"
            out[(row.get("Category", ""), row.get("Attribute", ""))] = desc
    return out


_UNIT = r"""(?:"|''|in\.?|inch(?:es)?|ft\.?|feet|cm|mm|m|[kmgt]b|k|rpm|oz|lbs?\.?|g|kg|ml|l|qt|gal|w|v|[gm]hz)"""
# a number (decimal, fraction, mixed fraction) with a unit: 24", 21-1/4", 300GB, 7.2K, 12 oz
NUMBER_WITH_UNIT = r"(?i:\d+(?:[.,]\d+)?(?:[-\s]\d+/\d+|/\d+)?\s?-?" + _UNIT + ")"


# units that measure the same thing: a width labelled in inches accepts feet or cm, never volts or GB
UNIT_FAMILIES: tuple[tuple[str, ...], ...] = (
    ('"', "''", "in", "in.", "inch", "inches", "ft", "ft.", "feet", "cm", "mm", "m"),  # length
    ("kb", "mb", "gb", "tb"), ("k", "rpm"), ("oz", "lb", "lbs", "lb.", "lbs.", "g", "kg"), ("ml", "l", "qt", "gal"),
    ("w",), ("v",), ("ghz", "mhz"),
)
_NUMBER = r"\d+(?:[.,]\d+)?(?:[-\s]\d+/\d+|/\d+)?\s?-?"


def unit_pattern(values: Sequence[str]) -> str:
    """NUMBER_WITH_UNIT narrowed to the unit families the labelled values use (all units if none is
    recognised)."""
    used = set()
    for v in values:
        m = re.fullmatch(r"(?i)" + _NUMBER + "(" + _UNIT[3:-1] + ")", v.strip())
        if m:
            used.add(m.group(1).lower())
    units = sorted({u for fam in UNIT_FAMILIES if used & set(fam) for u in fam}, key=lambda u: (-len(u), u))
    if not units:
        return NUMBER_WITH_UNIT
    return r"(?i:" + _NUMBER + "(?:" + "|".join(re.escape(u) for u in units) + "))"


def _value_pattern(values: Sequence[str], slots: Sequence[Sequence[str]] = ()) -> str | None:
    """The form the labelled values share, learned from the pool: digits only or one token (nearly
    every value), or a number with a unit (nearly every labelled slot has such a value among its
    accepted forms: '24"' for a width, so a bare '4' or '34000.0081' is not a width)."""
    if len(values) < 5:
        return None
    if sum(bool(re.fullmatch(r"\d+", v)) for v in values) >= 0.95 * len(values):
        return r"\d+"
    if len(slots) >= 10 and sum(any(re.fullmatch(NUMBER_WITH_UNIT, v) for v in s) for s in slots) >= 0.85 * len(slots):
        return unit_pattern([v for slot in slots for v in slot])
    if sum(bool(re.fullmatch(r"\S+", v)) for v in values) >= 0.95 * len(values):
        return r"\S+"
    return None


def build_schemas(pool: Sequence[Offer], *, descriptions: dict[tuple[str, str], str] | None = None,
                  attributes_by_category: dict[str, list[str]] | None = None) -> SchemaSet:
    """String attributes per category, with descriptions, example values (from the pool only) and a
    `requires` pattern learned from the pool: a digit, or a long digit run (UPCs), when nearly every
    labelled value has one."""
    cats: dict[str, list[str]] = {}
    for o in pool:
        names = cats.setdefault(o.category, [])
        for a in o.gold:
            if a not in names:
                names.append(a)
    if attributes_by_category:
        cats.update(attributes_by_category)
    schemas = SchemaSet()
    for cat, names in cats.items():
        specs = []
        for name in names:
            vals = [v for o in pool if o.category == cat for v in o.gold.get(name, [])]
            slots = [vs for o in pool if o.category == cat and (vs := [v for v in o.gold.get(name, []) if v])]
            counts = Counter(vals)
            requires = None
            if vals and sum(bool(re.search(r"\d{8,}", v)) for v in vals) >= 0.95 * len(vals):
                requires = r"\d{8,}"
            elif vals and sum(bool(re.search(r"\d", v)) for v in vals) >= 0.95 * len(vals):
                requires = r"\d"
            numeric = [v for v in vals if re.match(r"\d", v)]
            with_unit = sum(bool(re.match(r"^\d+(?:[.,/]\d+)?\s?-?\D", v)) for v in numeric)
            specs.append(AttributeSpec(name=name, description=(descriptions or {}).get((cat, name), ""),
                                       examples=[v for v, _ in counts.most_common(4)], requires=requires,
                                       attach_unit=bool(numeric) and with_unit >= 0.5 * len(numeric),
                                       value_pattern=_value_pattern(vals, slots),
                                       max_length=min(80, max([40, *(len(v) + 10 for v in vals)]))))
        schemas.upsert(CategorySchema(name=cat, attributes=specs, source="dataset"))
    return schemas
