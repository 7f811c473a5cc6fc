"""Ingest tables described by a CatalogConfig into the flattened product store.

Everything is read and validated first; only then are products upserted, in one transaction.
A bad file, row or field raises a DataError naming it and leaves the store exactly as it was.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from tqdm import tqdm

from shelfmind.catalog.config import CatalogConfig, FieldConfig
from shelfmind.catalog.readers import Row, read_table
from shelfmind.catalog.store import CatalogStore
from shelfmind.errors import DataError
from shelfmind.schemas import CatalogSchema, FieldKind, FieldSpec, Product

_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0"}
_PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_.]+)\}")


class IngestReport(BaseModel):
    catalog: str
    tables: dict[str, int]
    products: int
    new: int
    updated: int
    unchanged: int
    fields: list[str]


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or (isinstance(value, str) and not value.strip())


def _lookup(row: Row, column: str) -> Any:
    """A column, or a nested path inside a JSON value (nutrition.fat)."""
    if column in row:
        return row[column]
    head, _, rest = column.partition(".")
    value = row.get(head)
    while rest and isinstance(value, dict):
        head, _, rest = rest.partition(".")
        value = value.get(head)
    return value if not rest else None


def _convert(value: Any, spec: FieldConfig, *, file: str, row: int) -> Any:
    if _missing(value):
        return None
    kind = spec.kind
    try:
        if kind == FieldKind.NUMERIC:
            if isinstance(value, bool):
                return float(value)
            text = str(value).strip().replace(",", "") if isinstance(value, str) else value
            number = float(text)
            if math.isnan(number):
                return None
            return number
        if kind == FieldKind.BOOLEAN:
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in _TRUE:
                return True
            if text in _FALSE:
                return False
            raise ValueError(value)
        if kind == FieldKind.LIST:
            if isinstance(value, list):
                return [str(v).strip() for v in value if not _missing(v)]
            return [p.strip() for p in re.split(r"[;,|]", str(value)) if p.strip()]
        if isinstance(value, dict | list):
            return value
        return str(value).strip()
    except (TypeError, ValueError):
        raise DataError(f"cannot read {value!r} as {kind.value}", file=file, row=row, field=spec.column) from None


def _check_columns(config: CatalogConfig, columns: dict[str, list[str]], sample: dict[str, Row]) -> None:
    """Every column the config references must exist in its table (nested JSON paths: the head)."""
    tables = {t.name for t in config.tables}

    def check(ref: str, context: str) -> None:
        table, col = _split_ref(config, ref)
        cols = columns[table]
        head = col.split(".", 1)[0]
        if col not in cols and head not in cols:
            spec = config.table(table)
            raise DataError(
                f"unknown column {col!r} ({context}); the table has: {', '.join(cols[:15])}"
                + (" …" if len(cols) > 15 else ""),
                file=str(config.resolve_path(spec)),
                field=col,
                hint=_delim_hint(cols),
            )

    check(config.id, "id")
    if config.name_field:
        check(config.name_field, "name_field")
    for ref in _PLACEHOLDER.findall(config.name_template or ""):
        check(ref, "name_template")
    for j in config.joins:
        check(j.from_, "join from")
        check(j.to, "join to")
    for f in config.fields:
        check(f.column, f"field {f.out_name}")
    for ref in (config.price, config.in_stock):
        if ref:
            check(ref, "price/in_stock")
    _ = tables, sample


def _delim_hint(cols: list[str]) -> str | None:
    if len(cols) == 1:
        for cand, name in ((";", "';'"), ("\t", "tab"), ("|", "'|'")):
            if cand in cols[0]:
                return f"only one column was found and it contains {name}: set delimiter for this table"
    return None


def _tidy(text: str) -> str:
    """Clean a rendered name template whose placeholders were empty: '(, X)' -> '(X)', '()' -> ''."""
    text = re.sub(r"\s+", " ", text)
    for _ in range(3):
        text = re.sub(r"\(\s*,\s*", "(", text)
        text = re.sub(r"\s*,\s*\)", ")", text)
        text = re.sub(r",\s*,", ",", text)
        text = re.sub(r"\(\s*\)", "", text)
    return text.strip(" ,")


def _split_ref(config: CatalogConfig, ref: str) -> tuple[str, str]:
    head, _, rest = ref.partition(".")
    if rest and head in {t.name for t in config.tables}:
        return head, rest
    return str(config.primary), ref


def _estimate_rows(path: Path, *, header: bool = True, max_bytes: int = 2 << 30) -> int | None:
    """Lines in the file, minus the header line of a CSV (the progress bar's total; multi-line records
    make it an upper bound). Gzip files are counted when they are small
    (they are read again anyway); None for other compressed or very large files: the bar has no total."""
    import gzip

    try:
        size = path.stat().st_size
        if path.suffix == ".gz" and size <= max_bytes // 16:
            opener: Any = gzip.open
        elif path.suffix in {".gz", ".bz2", ".xz", ".zip", ".parquet"} or size > max_bytes:
            return None
        else:
            opener = open
        n = 0
        with opener(path, "rb") as fh:
            while chunk := fh.read(1 << 22):
                n += chunk.count(b"\n")
        return max(0, n - int(header)) or None
    except (OSError, EOFError):
        return None


def flatten(config: CatalogConfig, *, limit: int | None = None, progress: bool = True) -> tuple[list[Product], CatalogSchema, dict[str, int]]:
    """Read, join and validate everything; return products without writing anything."""
    limit = limit if limit is not None else config.limit
    columns: dict[str, list[str]] = {}
    iters: dict[str, Iterator[tuple[int, Row]]] = {}
    for spec in config.tables:
        cols, rows = read_table(config.resolve_path(spec), spec)
        columns[spec.name], iters[spec.name] = cols, rows
    _check_columns(config, columns, {})

    counts: dict[str, int] = {}
    lookups: dict[str, dict[str, Row]] = {}
    join_keys = {j.to.split(".", 1)[0]: j.to.split(".", 1)[1] for j in config.joins}
    for spec in config.tables:
        if spec.name == config.primary:
            continue
        key = spec.key or join_keys.get(spec.name)
        if key is None:
            raise DataError(f"table {spec.name!r} is not joined and has no key", file=str(config.resolve_path(spec)))
        index: dict[str, Row] = {}
        for _, row in iters[spec.name]:
            index.setdefault(str(row.get(key, "")).strip(), row)
        lookups[spec.name] = index
        counts[spec.name] = len(index)

    primary = config.table(str(config.primary))
    file = str(config.resolve_path(primary))
    products: list[Product] = []
    seen: dict[str, int] = {}
    total = _estimate_rows(config.resolve_path(primary), header=primary.resolved_format() in ("csv", "tsv")) \
        if progress else None
    total = min(total, limit) if total is not None and limit is not None else (total or limit)
    bar = tqdm(desc=f"ingest {config.name}", unit=" rows", total=total, disable=not progress, leave=False)
    for row_no, row in iters[primary.name]:
        if limit is not None and len(products) >= limit:
            break
        bar.update(1)
        joined: dict[str, Row] = {primary.name: row}
        for j in config.joins:
            src_table, src_col = _split_ref(config, j.from_)
            dst_table, _ = j.to.split(".", 1)
            src = joined.get(src_table)
            key = "" if src is None else str(_lookup(src, src_col) or "").strip()
            if key.endswith(".0") and key[:-2].isdigit():
                key = key[:-2]
            joined[dst_table] = lookups[dst_table].get(key)  # type: ignore[assignment]

        def value(ref: str, joined: dict[str, Row] = joined) -> Any:
            table, col = _split_ref(config, ref)
            src = joined.get(table)
            return None if src is None else _lookup(src, col)

        pid = value(config.id)
        if _missing(pid):
            raise DataError("empty id", file=file, row=row_no, field=config.id)
        pid = str(pid).strip()
        if pid.endswith(".0") and pid[:-2].isdigit():
            pid = pid[:-2]
        if pid in seen:
            raise DataError(f"duplicate id {pid!r} (first seen at row {seen[pid]})", file=file, row=row_no, field=config.id)
        seen[pid] = row_no
        if config.name_template:
            name = _PLACEHOLDER.sub(lambda m: str(value(m.group(1)) or "").strip(), config.name_template)
            name = _tidy(name)
        else:
            name = value(str(config.name_field))
        if _missing(name):
            raise DataError("empty product name", file=file, row=row_no, field=config.name_field or "name_template")
        fields: dict[str, Any] = {}
        for f in config.fields:
            converted = _convert(value(f.column), f, file=file, row=row_no)
            if converted is None and f.required:
                raise DataError("required field is missing", file=file, row=row_no, field=f.column)
            if converted is not None:
                fields[f.out_name] = converted
        price = None
        if config.price:
            price = _convert(value(config.price), FieldConfig(column=config.price, kind=FieldKind.NUMERIC), file=file, row=row_no)
        in_stock = True
        if config.in_stock:
            flag = _convert(value(config.in_stock), FieldConfig(column=config.in_stock, kind=FieldKind.BOOLEAN), file=file, row=row_no)
            in_stock = True if flag is None else bool(flag)
        products.append(Product(id=pid, name=str(name).strip(), fields=fields, price=price, in_stock=in_stock))
    bar.close()
    counts[primary.name] = len(products)
    if not products:
        raise DataError("no products were read", file=file)
    schema = CatalogSchema(
        id_field="id",
        name_field="name",
        fields=[FieldSpec(name=f.out_name, kind=f.kind, unit=f.unit, description=f.description) for f in config.fields]
        + ([FieldSpec(name="price", kind=FieldKind.NUMERIC, unit="USD")] if config.price else []),
    )
    return products, schema, counts


def ingest(config: CatalogConfig, store: CatalogStore, *, limit: int | None = None, progress: bool = True) -> IngestReport:
    products, schema, counts = flatten(config, limit=limit, progress=progress)
    before = store.content_hashes()
    from shelfmind.catalog.store import content_hash

    new = sum(1 for p in products if p.id not in before)
    unchanged = sum(1 for p in products if before.get(p.id) == content_hash(p.name, p.fields))
    store.upsert(products, schema=schema)
    store.set_meta("catalog", {"name": config.name, "config": config.source})
    return IngestReport(
        catalog=config.name,
        tables=counts,
        products=len(products),
        new=new,
        updated=len(products) - new - unchanged,
        unchanged=unchanged,
        fields=[f.name for f in schema.fields],
    )


def ingest_file(path: Path | str, store: CatalogStore, **kwargs: Any) -> IngestReport:
    from shelfmind.catalog.config import load_config

    return ingest(load_config(path), store, **kwargs)
