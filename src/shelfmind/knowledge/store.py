"""The knowledge base in SQLite (WAL): intents, intent -> product links, themes, relations,
explanations and recipes, each with status and provenance; a manifest; JSONL export / import.

Reads go through indexed queries (intent, status, score) and (src_id, status), so serving lookups
stay well under a millisecond at 100k assertions (see bench/kb_bench.py).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from shelfmind.errors import DataError
from shelfmind.knowledge.facts import normalise, tokens
from shelfmind.knowledge.models import Explanation, IntentRecord, Recipe
from shelfmind.schemas import AssertionStatus, IntentLink, Provenance, Relation, RelationKind, Theme
from shelfmind.store.atomic import atomic_write_text
from shelfmind.store.sqlite import connect

SERVED = (AssertionStatus.APPROVED.value, AssertionStatus.AUTO_APPROVED.value)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS manifest (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS intents (
    key TEXT PRIMARY KEY, text TEXT NOT NULL, source TEXT NOT NULL, kind TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending', error TEXT NOT NULL DEFAULT '', built_at TEXT);
CREATE TABLE IF NOT EXISTS links (
    id INTEGER PRIMARY KEY AUTOINCREMENT, intent TEXT NOT NULL, product_id TEXT NOT NULL,
    product_type TEXT NOT NULL, explanation TEXT NOT NULL, evidence TEXT NOT NULL, score REAL NOT NULL,
    verifier_score REAL, status TEXT NOT NULL, provenance TEXT, UNIQUE(intent, product_id));
CREATE TABLE IF NOT EXISTS themes (
    id INTEGER PRIMARY KEY AUTOINCREMENT, intent TEXT NOT NULL, rank INTEGER NOT NULL, name TEXT NOT NULL,
    explanation TEXT NOT NULL, product_ids TEXT NOT NULL, source TEXT NOT NULL, score REAL NOT NULL);
CREATE TABLE IF NOT EXISTS relations (
    id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, src_id TEXT NOT NULL, dst_id TEXT NOT NULL,
    explanation TEXT NOT NULL, score REAL NOT NULL, status TEXT NOT NULL, provenance TEXT,
    UNIQUE(kind, src_id, dst_id));
CREATE TABLE IF NOT EXISTS explanations (
    product_id TEXT NOT NULL, context TEXT NOT NULL, persona TEXT NOT NULL, text TEXT NOT NULL,
    verifier_score REAL, status TEXT NOT NULL, provenance TEXT, PRIMARY KEY(product_id, context, persona));
CREATE TABLE IF NOT EXISTS recipes (key TEXT PRIMARY KEY, body TEXT NOT NULL);
"""
_INDEXES = """
CREATE INDEX IF NOT EXISTS links_intent ON links(intent, status, score DESC);
CREATE INDEX IF NOT EXISTS links_product ON links(product_id, status, score DESC);
CREATE INDEX IF NOT EXISTS themes_intent ON themes(intent, rank);
CREATE INDEX IF NOT EXISTS relations_src ON relations(src_id, status, score DESC);
"""
TABLES = ("intents", "links", "themes", "relations", "explanations", "recipes")


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _prov(raw: str | None) -> Provenance | None:
    return Provenance.model_validate_json(raw) if raw else None


def _dump_prov(p: Provenance | None) -> str | None:
    return p.model_dump_json() if p is not None else None


class KnowledgeStore:
    """Implements `KnowledgeLookup` (themes_for, intent_products, relations, intents_of_product)."""

    def __init__(self, path: Path | str, *, indexed: bool = True) -> None:
        self.path = Path(path)
        self._conn = connect(self.path)
        self._conn.executescript(_SCHEMA)
        if indexed:
            self._conn.executescript(_INDEXES)
        self._lock = threading.RLock()
        self._intent_keys: dict[str, set[str]] | None = None

    # ---- manifest ----------------------------------------------------------------------------
    def manifest(self) -> dict[str, Any]:
        return {r["key"]: json.loads(r["value"]) for r in self._conn.execute("SELECT key, value FROM manifest")}

    def update_manifest(self, **values: Any) -> None:
        with self._lock, self._conn:
            for key, value in values.items():
                self._conn.execute(
                    "INSERT INTO manifest(key, value) VALUES(?,?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                    (key, json.dumps(value, default=str)),
                )

    # ---- intents -----------------------------------------------------------------------------
    def add_intents(self, intents: Iterable[IntentRecord]) -> int:
        n = 0
        with self._lock, self._conn:
            for rec in intents:
                cur = self._conn.execute(
                    "INSERT OR IGNORE INTO intents(key, text, source, kind, state) VALUES(?,?,?,?,?)",
                    (rec.key, rec.text, rec.source.value, rec.kind.value, rec.state),
                )
                n += cur.rowcount
        self._intent_keys = None
        return n

    def intents(self, *, state: str | None = None) -> list[IntentRecord]:
        q, args = "SELECT * FROM intents", []
        if state:
            q, args = q + " WHERE state=?", [state]
        return [IntentRecord(**dict(r)) for r in self._conn.execute(q + " ORDER BY rowid", args)]

    def intent(self, text: str) -> IntentRecord | None:
        row = self._conn.execute("SELECT * FROM intents WHERE key=?", (normalise(text),)).fetchone()
        return IntentRecord(**dict(row)) if row else None

    def mark_intent(self, key: str, state: str, *, kind: str | None = None, error: str = "") -> None:
        with self._lock, self._conn:
            self._conn.execute(
                "UPDATE intents SET state=?, error=?, built_at=?, kind=COALESCE(?, kind) WHERE key=?",
                (state, error[:300], now(), kind, key),
            )

    def resolve_intent(self, query: str) -> str | None:
        """The stored intent key for a query: exact normalised match, else best token overlap."""
        key = normalise(query)
        if self._intent_keys is None:
            self._intent_keys = {
                r[0]: set(tokens(r[0])) for r in self._conn.execute("SELECT key FROM intents WHERE state='done'")
            }
        if key in self._intent_keys:
            return key
        q = set(tokens(query))
        best, best_score = None, 0.0
        for k, toks in self._intent_keys.items():
            inter = len(q & toks)
            if inter:
                score = inter / len(q | toks)
                if score > best_score:
                    best, best_score = k, score
        return best if best_score >= 0.34 else None

    # ---- writes (one transaction per intent, so a crash never leaves half an intent) ---------
    def save_intent_result(self, key: str, links: Sequence[IntentLink], themes: Sequence[Theme], kind: str) -> None:
        with self._lock, self._conn:
            self._conn.execute("DELETE FROM themes WHERE intent=?", (key,))
            self._write_links(links)
            self._write_themes(key, themes)
            self._conn.execute(
                "UPDATE intents SET state='done', error='', built_at=?, kind=? WHERE key=?", (now(), kind, key)
            )
        self._intent_keys = None

    def _write_links(self, links: Sequence[IntentLink]) -> None:
        self._conn.executemany(
            """INSERT INTO links(intent, product_id, product_type, explanation, evidence, score, verifier_score,
                                 status, provenance) VALUES (?,?,?,?,?,?,?,?,?)
               ON CONFLICT(intent, product_id) DO UPDATE SET product_type=excluded.product_type,
                 explanation=excluded.explanation, evidence=excluded.evidence, score=excluded.score,
                 verifier_score=excluded.verifier_score, provenance=excluded.provenance,
                 status=CASE WHEN links.status IN ('approved','rejected') THEN links.status ELSE excluded.status END""",
            [(normalise(x.intent), x.product_id, x.product_type, x.explanation, x.evidence, x.score,
              x.verifier_score, x.status.value, _dump_prov(x.provenance)) for x in links],
        )

    def _write_themes(self, key: str, themes: Sequence[Theme]) -> None:
        self._conn.executemany(
            "INSERT INTO themes(intent, rank, name, explanation, product_ids, source, score) VALUES (?,?,?,?,?,?,?)",
            [(key, i, t.name, t.explanation, json.dumps(t.product_ids), t.source, t.score) for i, t in enumerate(themes)],
        )

    def add_links(self, links: Sequence[IntentLink]) -> None:
        with self._lock, self._conn:
            self._write_links(links)

    def add_relations(self, relations: Sequence[Relation]) -> None:
        with self._lock, self._conn:
            self._conn.executemany(
                """INSERT INTO relations(kind, src_id, dst_id, explanation, score, status, provenance)
                   VALUES (?,?,?,?,?,?,?) ON CONFLICT(kind, src_id, dst_id) DO UPDATE SET
                   explanation=excluded.explanation, score=excluded.score, provenance=excluded.provenance,
                   status=CASE WHEN relations.status IN ('approved','rejected') THEN relations.status
                               ELSE excluded.status END""",
                [(r.kind.value, r.src_id, r.dst_id, r.explanation, r.score, r.status.value, _dump_prov(r.provenance))
                 for r in relations],
            )

    def put_explanation(self, e: Explanation) -> None:
        with self._lock, self._conn:
            self._conn.execute(
                "INSERT OR REPLACE INTO explanations VALUES (?,?,?,?,?,?,?)",
                (e.product_id, normalise(e.context), e.persona, e.text, e.verifier_score, e.status.value,
                 _dump_prov(e.provenance)),
            )

    def put_recipe(self, key: str, recipe: Recipe) -> None:
        with self._lock, self._conn:
            self._conn.execute("INSERT OR REPLACE INTO recipes VALUES (?,?)", (key, recipe.model_dump_json()))

    def set_status(self, table: str, row_id: int, status: AssertionStatus, *, explanation: str | None = None) -> bool:
        if table not in ("links", "relations"):
            raise ValueError(table)
        with self._lock, self._conn:
            cur = self._conn.execute(
                f"UPDATE {table} SET status=?, explanation=COALESCE(?, explanation) WHERE id=?",
                (status.value, explanation, row_id),
            )
        return cur.rowcount > 0

    def set_explanation_status(self, product_id: str, context: str, persona: str, status: AssertionStatus,
                               *, text: str | None = None) -> bool:
        with self._lock, self._conn:
            cur = self._conn.execute(
                "UPDATE explanations SET status=?, text=COALESCE(?, text) WHERE product_id=? AND context=? AND persona=?",
                (status.value, text, product_id, normalise(context), persona),
            )
        return cur.rowcount > 0

    # ---- reads: KnowledgeLookup --------------------------------------------------------------
    def themes_for(self, query: str, *, limit: int = 6) -> list[Theme]:
        key = self.resolve_intent(query)
        if key is None:
            return []
        rows = self._conn.execute(
            "SELECT name, explanation, product_ids, source, score FROM themes WHERE intent=? ORDER BY rank LIMIT ?",
            (key, limit),
        )
        return [Theme(name=r[0], explanation=r[1], product_ids=json.loads(r[2]), source=r[3], score=r[4]) for r in rows]

    def intent_products(self, intent: str, *, limit: int = 50) -> list[IntentLink]:
        key = self.resolve_intent(intent) or normalise(intent)
        return self._links("intent=? AND status IN (?,?)", (key, *SERVED), limit)

    def relations(self, product_id: str, kinds: Sequence[RelationKind] = (), *, limit: int = 20) -> list[Relation]:
        q = "SELECT * FROM relations WHERE src_id=? AND status IN (?,?)"
        args: list[Any] = [product_id, *SERVED]
        if kinds:
            q += f" AND kind IN ({','.join('?' * len(kinds))})"
            args += [RelationKind(k).value for k in kinds]
        q += " ORDER BY score DESC LIMIT ?"
        return [_relation(r) for r in self._conn.execute(q, [*args, limit])]

    def intents_of_product(self, product_id: str, *, limit: int = 10) -> list[str]:
        rows = self._conn.execute(
            """SELECT i.text FROM links l JOIN intents i ON i.key = l.intent
               WHERE l.product_id=? AND l.status IN (?,?) ORDER BY l.score DESC LIMIT ?""",
            (product_id, *SERVED, limit),
        )
        return [r[0] for r in rows]

    # ---- reads: everything else --------------------------------------------------------------
    def links(self, *, intent: str | None = None, status: AssertionStatus | None = None, limit: int = 1000) -> list[IntentLink]:
        where, args = ["1=1"], []
        if intent is not None:
            where.append("intent=?")
            args.append(normalise(intent))
        if status is not None:
            where.append("status=?")
            args.append(status.value)
        return self._links(" AND ".join(where), tuple(args), limit)

    def _links(self, where: str, args: tuple[Any, ...], limit: int) -> list[IntentLink]:
        rows = self._conn.execute(f"SELECT * FROM links WHERE {where} ORDER BY score DESC LIMIT ?", (*args, limit))
        return [_link(r) for r in rows]

    def link_id(self, intent: str, product_id: str) -> int | None:
        row = self._conn.execute(
            "SELECT id FROM links WHERE intent=? AND product_id=?", (normalise(intent), product_id)
        ).fetchone()
        return int(row[0]) if row else None

    def relation_id(self, kind: RelationKind, src: str, dst: str) -> int | None:
        row = self._conn.execute(
            "SELECT id FROM relations WHERE kind=? AND src_id=? AND dst_id=?", (kind.value, src, dst)
        ).fetchone()
        return int(row[0]) if row else None

    def all_relations(self, *, status: AssertionStatus | None = None) -> list[Relation]:
        q, args = "SELECT * FROM relations", []
        if status is not None:
            q, args = q + " WHERE status=?", [status.value]
        return [_relation(r) for r in self._conn.execute(q, args)]

    def explanation(self, product_id: str, context: str, persona: str = "") -> Explanation | None:
        row = self._conn.execute(
            "SELECT * FROM explanations WHERE product_id=? AND context=? AND persona=?",
            (product_id, normalise(context), persona),
        ).fetchone()
        if row is None:
            return None
        return Explanation(product_id=row["product_id"], context=row["context"], persona=row["persona"],
                           text=row["text"], verifier_score=row["verifier_score"],
                           status=AssertionStatus(row["status"]), provenance=_prov(row["provenance"]))

    def recipe(self, key: str) -> Recipe | None:
        row = self._conn.execute("SELECT body FROM recipes WHERE key=?", (key,)).fetchone()
        return Recipe.model_validate_json(row[0]) if row else None

    def status_counts(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for table in ("links", "relations", "explanations"):
            rows = self._conn.execute(f"SELECT status, COUNT(*) FROM {table} GROUP BY status")
            out[table] = {r[0]: r[1] for r in rows}
        return out

    def counts(self) -> dict[str, int]:
        return {t: int(self._conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]) for t in TABLES}

    # ---- JSONL export / import ---------------------------------------------------------------
    def iter_rows(self) -> Iterator[dict[str, Any]]:
        yield {"table": "manifest", "row": self.manifest()}
        for table in TABLES:
            for r in self._conn.execute(f"SELECT * FROM {table} ORDER BY rowid"):
                row = dict(r)
                row.pop("id", None)
                yield {"table": table, "row": row}

    def export_jsonl(self, path: Path | str) -> int:
        lines = [json.dumps(r, ensure_ascii=False, default=str) for r in self.iter_rows()]
        atomic_write_text(path, "\n".join(lines) + "\n")
        return len(lines)

    def import_jsonl(self, path: Path | str) -> int:
        """Load an export (all or nothing). Rows replace rows with the same natural key."""
        path = Path(path)
        n = 0
        with self._lock, self._conn, path.open(encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                    table, row = rec["table"], rec["row"]
                except (json.JSONDecodeError, KeyError, TypeError) as exc:
                    raise DataError(f"bad export line: {exc}", file=str(path), row=lineno) from exc
                if table == "manifest":
                    for k, v in row.items():
                        self._conn.execute("INSERT OR REPLACE INTO manifest VALUES (?,?)", (k, json.dumps(v)))
                    continue
                if table not in TABLES:
                    raise DataError(f"unknown table {table!r}", file=str(path), row=lineno, field="table")
                if table == "themes":
                    self._conn.execute("DELETE FROM themes WHERE intent=? AND rank=?", (row["intent"], row["rank"]))
                cols = ",".join(row)
                try:
                    self._conn.execute(
                        f"INSERT OR REPLACE INTO {table}({cols}) VALUES ({','.join('?' * len(row))})", list(row.values())
                    )
                except sqlite3.Error as exc:
                    raise DataError(f"cannot import row: {exc}", file=str(path), row=lineno) from exc
                n += 1
        self._intent_keys = None
        return n

    def close(self) -> None:
        self._conn.close()


def _link(r: sqlite3.Row) -> IntentLink:
    return IntentLink(intent=r["intent"], product_id=r["product_id"], product_type=r["product_type"],
                      explanation=r["explanation"], evidence=r["evidence"], score=r["score"],
                      verifier_score=r["verifier_score"], status=AssertionStatus(r["status"]),
                      provenance=_prov(r["provenance"]))


def _relation(r: sqlite3.Row) -> Relation:
    return Relation(kind=RelationKind(r["kind"]), src_id=r["src_id"], dst_id=r["dst_id"], explanation=r["explanation"],
                    score=r["score"], status=AssertionStatus(r["status"]), provenance=_prov(r["provenance"]))
