"""The user store (SQLite, WAL): users, behaviour events, statements, assessed personas and the
behaviour-signature cache that lets near-identical histories share one assessment."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from shelfmind.errors import NotFound
from shelfmind.personas.profile import Statement
from shelfmind.personas.statements import Effect
from shelfmind.store.sqlite import connect

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY,
    display_name TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    signature TEXT,              -- behaviour signature at the last assessment
    personas TEXT,               -- JSON list of PersonaWeight at the last assessment
    assessed_by TEXT,
    assessed_at TEXT
);
CREATE TABLE IF NOT EXISTS events (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    product_id TEXT NOT NULL,
    kind TEXT NOT NULL,          -- purchase | view | add_to_cart
    basket TEXT,
    ts TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_user ON events(user_id);
CREATE TABLE IF NOT EXISTS statements (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT 'user',
    effects TEXT NOT NULL,       -- JSON list of Effect
    notes TEXT NOT NULL DEFAULT '[]',
    trace TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS statements_user ON statements(user_id);
CREATE TABLE IF NOT EXISTS persona_cache (
    key TEXT PRIMARY KEY,        -- assessor id + persona catalog fingerprint + signature
    personas TEXT NOT NULL,      -- JSON: persona id -> weight
    created_at TEXT NOT NULL,
    hits INTEGER NOT NULL DEFAULT 0
);
"""


class EventKind(StrEnum):
    PURCHASE = "purchase"
    VIEW = "view"
    ADD_TO_CART = "add_to_cart"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class UserStore:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._conn = connect(self.path)
        self._conn.executescript(_SCHEMA)
        self._lock = threading.RLock()

    # ---- users ------------------------------------------------------------------------------
    def ensure_user(self, user_id: str, display_name: str = "") -> None:
        with self._lock, self._conn:
            self._conn.execute(
                "INSERT INTO users(id, display_name, created_at) VALUES(?,?,?) ON CONFLICT(id) DO UPDATE SET "
                "display_name=CASE WHEN excluded.display_name != '' THEN excluded.display_name ELSE display_name END",
                (user_id, display_name, _now()),
            )

    def exists(self, user_id: str) -> bool:
        return self._conn.execute("SELECT 1 FROM users WHERE id=?", (user_id,)).fetchone() is not None

    def user_row(self, user_id: str) -> dict[str, Any]:
        row = self._conn.execute("SELECT * FROM users WHERE id=?", (user_id,)).fetchone()
        if row is None:
            raise NotFound(f"no user {user_id!r}", hint="add one with `shelfmind user statement --user ID TEXT` "
                           "or list them with `shelfmind user list`")
        return dict(row)

    def list_users(self) -> list[dict[str, Any]]:
        rows = self._conn.execute(
            "SELECT u.id, u.display_name, (SELECT COUNT(*) FROM events e WHERE e.user_id=u.id) AS events, "
            "(SELECT COUNT(*) FROM statements s WHERE s.user_id=u.id) AS statements FROM users u ORDER BY u.id"
        ).fetchall()
        return [dict(r) for r in rows]

    def delete_user(self, user_id: str) -> None:
        self.user_row(user_id)
        with self._lock, self._conn:
            self._conn.execute("DELETE FROM users WHERE id=?", (user_id,))

    def set_assessment(self, user_id: str, signature: str, personas: list[dict[str, Any]], assessed_by: str) -> None:
        with self._lock, self._conn:
            self._conn.execute(
                "UPDATE users SET signature=?, personas=?, assessed_by=?, assessed_at=? WHERE id=?",
                (signature, json.dumps(personas), assessed_by, _now(), user_id),
            )

    # ---- events -----------------------------------------------------------------------------
    def add_events(self, user_id: str, product_ids: Iterable[str], *, kind: EventKind = EventKind.PURCHASE,
                   basket: str | None = None, ts: str | None = None) -> int:
        rows = [(user_id, pid, kind.value, basket, ts or _now()) for pid in product_ids]
        with self._lock, self._conn:
            self._conn.executemany("INSERT INTO events(user_id, product_id, kind, basket, ts) VALUES(?,?,?,?,?)", rows)
        return len(rows)

    def history(self, user_id: str, *, kinds: Iterable[EventKind] = (EventKind.PURCHASE,)) -> list[str]:
        ks = [k.value for k in kinds]
        q = f"SELECT product_id FROM events WHERE user_id=? AND kind IN ({','.join('?' * len(ks))}) ORDER BY rowid"
        return [r[0] for r in self._conn.execute(q, (user_id, *ks))]

    # ---- statements -------------------------------------------------------------------------
    def add_statement(self, user_id: str, text: str, effects: list[Effect], *, notes: list[str],
                      trace: dict[str, Any] | None, source: str = "user") -> int:
        with self._lock, self._conn:
            cur = self._conn.execute(
                "INSERT INTO statements(user_id, text, source, effects, notes, trace, created_at) VALUES(?,?,?,?,?,?,?)",
                (user_id, text, source, json.dumps([e.model_dump() for e in effects]), json.dumps(notes),
                 json.dumps(trace) if trace else None, _now()),
            )
            return int(cur.lastrowid or 0)

    def update_statement(self, sid: int, text: str, effects: list[Effect], *, notes: list[str],
                         trace: dict[str, Any] | None) -> None:
        with self._lock, self._conn:
            cur = self._conn.execute(
                "UPDATE statements SET text=?, effects=?, notes=?, trace=? WHERE id=?",
                (text, json.dumps([e.model_dump() for e in effects]), json.dumps(notes),
                 json.dumps(trace) if trace else None, sid),
            )
            if cur.rowcount == 0:
                raise NotFound(f"no statement {sid}")

    def delete_statement(self, sid: int) -> str:
        row = self._conn.execute("SELECT user_id FROM statements WHERE id=?", (sid,)).fetchone()
        if row is None:
            raise NotFound(f"no statement {sid}", hint="list them with `shelfmind user statements USER`")
        with self._lock, self._conn:
            self._conn.execute("DELETE FROM statements WHERE id=?", (sid,))
        return str(row[0])

    def statement_owner(self, sid: int) -> str:
        row = self._conn.execute("SELECT user_id FROM statements WHERE id=?", (sid,)).fetchone()
        if row is None:
            raise NotFound(f"no statement {sid}", hint="list them with `shelfmind user statements USER`")
        return str(row[0])

    def statements(self, user_id: str) -> list[Statement]:
        rows = self._conn.execute("SELECT * FROM statements WHERE user_id=? ORDER BY id", (user_id,)).fetchall()
        return [
            Statement(
                id=r["id"], user_id=r["user_id"], text=r["text"], created_at=r["created_at"], source=r["source"],
                effects=[Effect.model_validate(e) for e in json.loads(r["effects"])],
                notes=json.loads(r["notes"]), trace=json.loads(r["trace"]) if r["trace"] else None,
            )
            for r in rows
        ]

    # ---- signature cache --------------------------------------------------------------------
    def cache_get(self, key: str) -> dict[str, float] | None:
        row = self._conn.execute("SELECT personas FROM persona_cache WHERE key=?", (key,)).fetchone()
        if row is None:
            return None
        with self._lock, self._conn:
            self._conn.execute("UPDATE persona_cache SET hits=hits+1 WHERE key=?", (key,))
        return dict(json.loads(row[0]))

    def cache_items(self, prefix: str) -> list[tuple[str, dict[str, float]]]:
        rows = self._conn.execute("SELECT key, personas FROM persona_cache WHERE key LIKE ? ESCAPE '\\'",
                                  (prefix.replace("%", "\\%").replace("_", "\\_") + "%",)).fetchall()
        return [(r[0], dict(json.loads(r[1]))) for r in rows]

    def cache_put(self, key: str, personas: dict[str, float]) -> None:
        with self._lock, self._conn:
            self._conn.execute(
                "INSERT INTO persona_cache(key, personas, created_at) VALUES(?,?,?) "
                "ON CONFLICT(key) DO UPDATE SET personas=excluded.personas",
                (key, json.dumps(personas), _now()),
            )

    def close(self) -> None:
        self._conn.close()
