"""Filter columns: which product keys become typed, filterable columns, and filters -> SQL."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from shelfmind.errors import UserError
from shelfmind.schemas import CatalogSchema, FieldKind, Product
from shelfmind.search.base import Filter, FilterOp
from shelfmind.search.manifest import ColumnKind, FilterColumn

MAX_VALUES = 2000  # categorical value dictionary kept in the manifest
_KIND_OF = {FieldKind.NUMERIC: ColumnKind.NUMERIC, FieldKind.CATEGORICAL: ColumnKind.CATEGORICAL,
            FieldKind.BOOLEAN: ColumnKind.BOOLEAN, FieldKind.LIST: ColumnKind.LIST}
_RESERVED = {"id", "name", "text", "vector", "price", "in_stock"}


def column_name(key: str, taken: set[str]) -> str:
    base = "f_" + (re.sub(r"[^a-z0-9_]", "_", key.lower()).strip("_") or "x")
    name, i = base, 2
    while name in taken:
        name, i = f"{base}_{i}", i + 1
    taken.add(name)
    return name


def _infer(values: list[Any]) -> ColumnKind | None:
    vals = [v for v in values if v is not None and v != ""]
    if not vals:
        return None
    if all(isinstance(v, bool) for v in vals):
        return ColumnKind.BOOLEAN
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in vals):
        return ColumnKind.NUMERIC
    if all(isinstance(v, list | tuple) for v in vals):
        return ColumnKind.LIST
    if all(isinstance(v, str) for v in vals) and sum(len(v) for v in vals) / len(vals) <= 60:
        return ColumnKind.CATEGORICAL
    return None


def plan_columns(products: Sequence[Product], schema: CatalogSchema | None) -> list[FilterColumn]:
    """Typed filter columns from the catalog schema's filterable fields and the enriched attributes."""
    taken = set(_RESERVED)
    cols: list[FilterColumn] = [FilterColumn(name="price", column="price", kind=ColumnKind.NUMERIC, source="dynamic")]
    kinds: dict[str, tuple[ColumnKind, str, str | None]] = {}
    if schema is not None:
        for f in schema.filterable:
            if f.name not in _RESERVED:
                kinds[f.name] = (_KIND_OF[f.kind], "field", f.unit)
    field_keys = sorted({k for p in products for k in p.fields} - set(kinds) - _RESERVED)
    if schema is None:
        for key in field_keys:
            kind = _infer([p.fields.get(key) for p in products])
            if kind is not None:
                kinds[key] = (kind, "field", None)
    attr_keys = sorted({k for p in products for k in p.attributes} - _RESERVED)
    for key in attr_keys:
        kind = _infer([p.attributes.get(key) for p in products])
        if kind is not None:
            kinds[key] = (kind, "attribute", kinds.get(key, (None, None, None))[2])
    for key, (kind, source, unit) in sorted(kinds.items()):
        col = FilterColumn(name=key, column=column_name(key, taken), kind=kind, unit=unit, source=source)
        vals = [p.get(key) for p in products]
        if products:
            col.coverage = round(sum(v not in (None, "", []) for v in vals) / len(products), 4)
        if kind in (ColumnKind.CATEGORICAL, ColumnKind.LIST):
            per_product = [[str(x).strip().lower() for x in (v if isinstance(v, list | tuple) else [v])]
                           for v in vals if v not in (None, "")]
            counts = Counter(x for xs in per_product for x in xs if x)
            col.values = [v for v, _ in counts.most_common(MAX_VALUES)]
            named = [p.name.lower() for p in products if p.get(key) not in (None, "")]
            hits = sum(any(x and x in name for x in xs) for xs, name in zip(per_product, named, strict=False))
            col.in_name = round(hits / len(per_product), 3) if per_product else 0.0
        elif kind == ColumnKind.NUMERIC:
            nums = [float(v) for v in vals if isinstance(v, int | float) and not isinstance(v, bool)]
            col.min, col.max = (min(nums), max(nums)) if nums else (None, None)
        cols.append(col)
    prices = [p.price for p in products if p.price is not None]
    cols[0].min, cols[0].max = (min(prices), max(prices)) if prices else (None, None)
    return cols


def cell(col: FilterColumn, value: Any) -> Any:
    """A product value coerced to the column's type (None when it does not fit)."""
    if value is None or value == "":
        return None
    try:
        match col.kind:
            case ColumnKind.NUMERIC:
                return float(value) if not isinstance(value, bool) else None
            case ColumnKind.BOOLEAN:
                if isinstance(value, str):
                    return value.strip().lower() in {"true", "yes", "1", "y"}
                return bool(value)
            case ColumnKind.LIST:
                items = value if isinstance(value, list | tuple) else [value]
                return [str(v).strip().lower() for v in items]
            case ColumnKind.CATEGORICAL:
                return str(value).strip().lower()
    except (TypeError, ValueError):
        return None
    return None


def _lit(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(float(value))
    return "'" + str(value).strip().lower().replace("'", "''") + "'"


_SQL_OP = {FilterOp.EQ: "=", FilterOp.NE: "!=", FilterOp.LT: "<", FilterOp.LE: "<=",
           FilterOp.GT: ">", FilterOp.GE: ">="}


IN_STOCK = "in_stock = true"  # every search's base predicate (search.lance skips it when it can)


def to_sql(filters: Sequence[Filter], columns: Sequence[FilterColumn]) -> str:
    """A SQL predicate for the filters (always excluding out-of-stock products)."""
    by_name = {c.name.lower(): c for c in columns}
    parts = [IN_STOCK]
    for f in filters:
        col = by_name.get(f.field.strip().lower())
        if col is None:
            known = ", ".join(sorted(by_name)) or "(none)"
            raise UserError(f"unknown filter field {f.field!r}", hint=f"filterable fields: {known}")
        c = f"`{col.column}`"
        try:
            if col.kind == ColumnKind.NUMERIC and f.op not in (FilterOp.IN, FilterOp.CONTAINS):
                float(f.value)
        except (TypeError, ValueError) as exc:
            raise UserError(f"filter {f.field} {f.op.value} {f.value!r}: expected a number") from exc
        if f.op == FilterOp.IN:
            values = f.value if isinstance(f.value, list | tuple | set) else [f.value]
            if col.kind == ColumnKind.LIST:
                parts.append("(" + " OR ".join(f"array_has({c}, {_lit(v)})" for v in values) + ")")
            else:
                parts.append(f"{c} IN ({', '.join(_lit(v) for v in values)})")
        elif f.op == FilterOp.CONTAINS or col.kind == ColumnKind.LIST:
            parts.append(f"array_has({c}, {_lit(f.value)})")
        elif col.kind == ColumnKind.BOOLEAN:
            truth = cell(col, f.value)
            parts.append(f"{c} = {_lit(bool(truth))}" if f.op != FilterOp.NE else f"{c} != {_lit(bool(truth))}")
        else:
            parts.append(f"{c} {_SQL_OP[f.op]} {_lit(f.value)}")
    return " AND ".join(parts)
