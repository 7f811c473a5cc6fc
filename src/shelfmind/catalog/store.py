"""The flattened product table, in SQLite (one file under SHELFMIND_HOME).

Upserts are by id and transactional: a failed ingest leaves the previous catalog untouched.
Dynamic fields (price, in_stock) can be updated without touching text or attributes.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from shelfmind.errors import NotFound
from shelfmind.schemas import CatalogSchema, Product
from shelfmind.store.sqlite import connect

_SCHEMA = """
CREATE TABLE IF NOT EXISTS products (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    fields TEXT NOT NULL,          -- JSON object of flattened columns
    text TEXT,                     -- rendered product text
    attributes TEXT NOT NULL DEFAULT '{}',  -- JSON: approved enriched attributes
    price REAL,
    in_stock INTEGER NOT NULL DEFAULT 1,
    content_hash TEXT NOT NULL,    -- hash of name+fields: changes trigger re-embedding
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def content_hash(name: str, fields: dict[str, Any]) -> str:
    raw = json.dumps([name, fields], sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:20]


class CatalogStore:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._conn = connect(self.path)
        self._conn.executescript(_SCHEMA)
        self._lock = threading.RLock()

    # ---- meta -------------------------------------------------------------------------------
    def get_meta(self, key: str, default: Any = None) -> Any:
        row = self._conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return json.loads(row["value"]) if row else default

    def set_meta(self, key: str, value: Any, *, conn: sqlite3.Connection | None = None) -> None:
        (conn or self._conn).execute(
            "INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
            (key, json.dumps(value, ensure_ascii=False, default=str)),
        )
        if conn is None:
            self._conn.commit()

    @property
    def schema(self) -> CatalogSchema:
        data = self.get_meta("schema")
        if data is None:
            raise NotFound("no catalog has been ingested in this home", hint="run `shelfmind ingest --config FILE`")
        return CatalogSchema.model_validate(data)

    def set_schema(self, schema: CatalogSchema) -> None:
        self.set_meta("schema", schema.model_dump(mode="json"))

    # ---- writes -----------------------------------------------------------------------------
    def upsert(self, products: Iterable[Product], *, schema: CatalogSchema | None = None) -> int:
        """Insert or update products by id, all or nothing. Keeps existing attributes and text
        unless the new product carries them. Returns the number of rows written."""
        n = 0
        now = _now()
        with self._lock, self._conn:  # one transaction
            if schema is not None:
                self.set_meta("schema", schema.model_dump(mode="json"), conn=self._conn)
            for p in products:
                h = content_hash(p.name, p.fields)
                self._conn.execute(
                    """INSERT INTO products(id, name, fields, text, attributes, price, in_stock, content_hash, updated_at)
                       VALUES(?,?,?,?,?,?,?,?,?)
                       ON CONFLICT(id) DO UPDATE SET
                         name=excluded.name, fields=excluded.fields,
                         text=CASE WHEN excluded.text IS NOT NULL THEN excluded.text
                                   WHEN products.content_hash = excluded.content_hash THEN products.text
                                   ELSE NULL END,
                         attributes=CASE WHEN excluded.attributes != '{}' THEN excluded.attributes ELSE products.attributes END,
                         price=excluded.price, in_stock=excluded.in_stock,
                         content_hash=excluded.content_hash, updated_at=excluded.updated_at""",
                    (
                        p.id,
                        p.name,
                        json.dumps(p.fields, ensure_ascii=False, default=str),
                        p.text,
                        json.dumps(p.attributes, ensure_ascii=False, default=str),
                        p.price,
                        int(p.in_stock),
                        h,
                        now,
                    ),
                )
                n += 1
        return n

    def set_texts(self, texts: Iterable[tuple[str, str]]) -> None:
        with self._lock, self._conn:
            self._conn.executemany("UPDATE products SET text=? WHERE id=?", [(t, i) for i, t in texts])

    def set_attributes(self, pid: str, attributes: dict[str, Any]) -> None:
        with self._lock, self._conn:
            self._conn.execute(
                "UPDATE products SET attributes=?, updated_at=? WHERE id=?",
                (json.dumps(attributes, ensure_ascii=False, default=str), _now(), pid),
            )

    def update_dynamic(self, pid: str, *, price: float | None = None, in_stock: bool | None = None) -> None:
        with self._lock, self._conn:
            if price is not None:
                self._conn.execute("UPDATE products SET price=? WHERE id=?", (price, pid))
            if in_stock is not None:
                self._conn.execute("UPDATE products SET in_stock=? WHERE id=?", (int(in_stock), pid))

    def delete(self, ids: Sequence[str]) -> int:
        with self._lock, self._conn:
            cur = self._conn.executemany("DELETE FROM products WHERE id=?", [(i,) for i in ids])
            return cur.rowcount

    # ---- reads ------------------------------------------------------------------------------
    def __len__(self) -> int:
        return int(self._conn.execute("SELECT COUNT(*) FROM products").fetchone()[0])

    def get(self, pid: str) -> Product:
        row = self._conn.execute("SELECT * FROM products WHERE id=?", (pid,)).fetchone()
        if row is None:
            raise NotFound(f"no product with id {pid!r}")
        return _row_to_product(row)

    def get_many(self, ids: Sequence[str]) -> dict[str, Product]:
        out: dict[str, Product] = {}
        ids = list(ids)
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            q = f"SELECT * FROM products WHERE id IN ({','.join('?' * len(chunk))})"
            for row in self._conn.execute(q, chunk):
                out[row["id"]] = _row_to_product(row)
        return out

    def iter_products(self, *, batch_size: int = 1000, ids: Sequence[str] | None = None) -> Iterator[Product]:
        if ids is not None:
            got = self.get_many(ids)
            yield from (got[i] for i in ids if i in got)
            return
        last = ""
        while True:
            rows = self._conn.execute(
                "SELECT * FROM products WHERE id > ? ORDER BY id LIMIT ?", (last, batch_size)
            ).fetchall()
            if not rows:
                return
            for row in rows:
                yield _row_to_product(row)
            last = rows[-1]["id"]

    def ids(self) -> list[str]:
        return [r[0] for r in self._conn.execute("SELECT id FROM products ORDER BY id")]

    def content_hashes(self) -> dict[str, str]:
        return {r[0]: r[1] for r in self._conn.execute("SELECT id, content_hash FROM products")}

    def close(self) -> None:
        self._conn.close()


def _row_to_product(row: sqlite3.Row) -> Product:
    return Product(
        id=row["id"],
        name=row["name"],
        fields=json.loads(row["fields"]),
        text=row["text"],
        attributes=json.loads(row["attributes"]),
        price=row["price"],
        in_stock=bool(row["in_stock"]),
    )
