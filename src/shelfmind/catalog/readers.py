"""Row readers for CSV/TSV/JSONL/Parquet, gzip or not. Rows come with their 1-based row number in
the file (CSV: the header is row 1), so every error can name file, row and field."""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, cast

from shelfmind.catalog.config import TableSpec
from shelfmind.errors import DataError

Row = dict[str, Any]

csv.field_size_limit(16 * 1024 * 1024)


def _open_binary(path: Path) -> IO[bytes]:
    if not path.exists():
        raise DataError("file not found", file=str(path))
    with open(path, "rb") as fh:
        magic = fh.read(2)
    if magic == b"\x1f\x8b":
        return cast(IO[bytes], gzip.open(path, "rb"))
    return open(path, "rb")


def _decoded_lines(path: Path, encoding: str) -> Iterator[tuple[int, str]]:
    with _open_binary(path) as fh:
        for lineno, raw in enumerate(fh, start=1):
            try:
                yield lineno, raw.decode(encoding)
            except UnicodeDecodeError as exc:
                raise DataError(
                    f"cannot decode bytes as {encoding}: {exc.reason} at byte {exc.start}",
                    file=str(path),
                    row=lineno,
                    hint="set encoding = \"latin-1\" (or the file's real encoding) for this table",
                ) from exc


def read_table(path: Path, spec: TableSpec) -> tuple[list[str], Iterator[tuple[int, Row]]]:
    """Return (columns, iterator of (row number, row dict))."""
    fmt = spec.resolved_format()
    if fmt in ("csv", "tsv"):
        return _read_csv(path, spec, "\t" if fmt == "tsv" else ",")
    if fmt == "jsonl":
        return _read_jsonl(path, spec)
    return _read_parquet(path)


def _read_csv(path: Path, spec: TableSpec, default_delim: str) -> tuple[list[str], Iterator[tuple[int, Row]]]:
    delim = spec.delimiter or default_delim
    lines = _decoded_lines(path, spec.encoding)
    first = next(lines, None)
    if first is None:
        raise DataError("file is empty", file=str(path))
    header_line = first[1].lstrip("\ufeff")
    header = next(csv.reader([header_line], delimiter=delim))
    header = [h.strip() for h in header]

    def rows() -> Iterator[tuple[int, Row]]:
        # feed csv.reader decoded lines while tracking the line where each record starts
        state = {"line": 1}

        def feed() -> Iterator[str]:
            for lineno, text in lines:
                state["line"] = lineno
                yield text

        reader = csv.reader(feed(), delimiter=delim)
        for record in reader:
            if not record or (len(record) == 1 and not record[0].strip()):
                continue
            row_no = state["line"]
            if len(record) != len(header):
                raise DataError(
                    f"expected {len(header)} columns, found {len(record)}",
                    file=str(path),
                    row=row_no,
                    hint=_delimiter_hint(header_line, delim),
                )
            yield row_no, dict(zip(header, record, strict=True))

    return header, rows()


def _delimiter_hint(header_line: str, delim: str) -> str | None:
    for cand, name in ((";", "';'"), ("\t", "tab"), ("|", "'|'"), (",", "','")):
        if cand != delim and header_line.count(cand) >= 1 and header_line.count(delim) == 0:
            return f"the header looks {name}-delimited: set delimiter for this table"
    return None


def _read_jsonl(path: Path, spec: TableSpec) -> tuple[list[str], Iterator[tuple[int, Row]]]:
    lines = _decoded_lines(path, spec.encoding)
    buffered: list[tuple[int, Row]] = []
    columns: list[str] = []

    def parse(lineno: int, text: str) -> Row | None:
        if not text.strip():
            return None
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise DataError(f"invalid JSON: {exc.msg}", file=str(path), row=lineno) from exc
        if not isinstance(value, dict):
            raise DataError("each line must be a JSON object", file=str(path), row=lineno)
        return value

    for lineno, text in lines:  # peek the first object for its columns
        row = parse(lineno, text)
        if row is not None:
            buffered.append((lineno, row))
            columns = list(row)
            break
    if not buffered:
        raise DataError("file has no JSON objects", file=str(path))

    def rows() -> Iterator[tuple[int, Row]]:
        yield from buffered
        for lineno, text in lines:
            row = parse(lineno, text)
            if row is not None:
                yield lineno, row

    return columns, rows()


def _read_parquet(path: Path) -> tuple[list[str], Iterator[tuple[int, Row]]]:
    import pyarrow.parquet as pq

    if not path.exists():
        raise DataError("file not found", file=str(path))
    try:
        table = pq.read_table(path)
    except Exception as exc:
        raise DataError(f"cannot read Parquet: {exc}", file=str(path)) from exc
    columns = table.column_names

    def rows() -> Iterator[tuple[int, Row]]:
        n = 0
        for batch in table.to_batches():
            for row in batch.to_pylist():
                n += 1
                yield n, row

    return columns, rows()


def sniff(path: Path) -> str:
    """First line of a file (for messages)."""
    with _open_binary(path) as fh:
        return io.TextIOWrapper(fh, encoding="utf-8", errors="replace").readline()[:200]
