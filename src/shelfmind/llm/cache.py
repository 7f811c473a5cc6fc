"""Cached: a persistent SQLite response cache in front of any LLM.

Exact key: sha256 of model id + prompt version + messages + schema + sampling params
(ChatRequest.cache_key). Opt-in near-duplicate reuse: when a request carries meta.dedup_key (a
per-task normalisation, e.g. a lower-cased, de-pluralised, sorted query, or a behaviour signature),
an answer stored under the same (model, task, prompt version, dedup_key) is reused even if the
messages differ. Each hit records its kind, so `shelfmind llm cache audit` can re-ask a sample of
near-duplicate hits without the cache and measure the false-hit rate.
"""

from __future__ import annotations

import json
import re
import threading
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel

from shelfmind.llm.base import LLM, ChatRequest, ChatResponse
from shelfmind.store.sqlite import connect

_SCHEMA = """
CREATE TABLE IF NOT EXISTS llm_cache (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    task TEXT NOT NULL,
    prompt_version TEXT,
    dedup_key TEXT,
    request TEXT NOT NULL,
    response TEXT NOT NULL,
    created_at TEXT NOT NULL,
    hits INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS llm_cache_dedup ON llm_cache(model, task, prompt_version, dedup_key);
CREATE TABLE IF NOT EXISTS llm_near_hits (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source_key TEXT NOT NULL,
    task TEXT NOT NULL,
    request TEXT NOT NULL,
    created_at TEXT NOT NULL
);
"""


class ResponseCache:
    def __init__(self, path: Path | str) -> None:
        self._conn = connect(path)
        self._conn.executescript(_SCHEMA)
        self._lock = threading.Lock()

    def get_exact(self, key: str) -> ChatResponse | None:
        row = self._conn.execute("SELECT response FROM llm_cache WHERE key=?", (key,)).fetchone()
        if row is None:
            return None
        with self._lock, self._conn:
            self._conn.execute("UPDATE llm_cache SET hits=hits+1 WHERE key=?", (key,))
        return ChatResponse.model_validate_json(row["response"])

    def get_near(self, model: str, request: ChatRequest) -> tuple[str, ChatResponse] | None:
        meta = request.meta
        row = self._conn.execute(
            "SELECT key, response FROM llm_cache WHERE model=? AND task=? AND prompt_version IS ? AND dedup_key=? "
            "ORDER BY created_at LIMIT 1",
            (model, meta.task, meta.prompt_version, meta.dedup_key),
        ).fetchone()
        if row is None:
            return None
        with self._lock, self._conn:
            self._conn.execute("UPDATE llm_cache SET hits=hits+1 WHERE key=?", (row["key"],))
            self._conn.execute(
                "INSERT INTO llm_near_hits(source_key, task, request, created_at) VALUES (?,?,?,?)",
                (row["key"], meta.task, request.model_dump_json(), _now()),
            )
        return row["key"], ChatResponse.model_validate_json(row["response"])

    def put(self, key: str, model: str, request: ChatRequest, response: ChatResponse) -> None:
        with self._lock, self._conn:
            self._conn.execute(
                """INSERT OR REPLACE INTO llm_cache(key, model, task, prompt_version, dedup_key, request, response, created_at)
                   VALUES (?,?,?,?,?,?,?,?)""",
                (
                    key,
                    model,
                    request.meta.task,
                    request.meta.prompt_version,
                    request.meta.dedup_key,
                    request.model_dump_json(),
                    response.model_copy(update={"cached": False, "cache_kind": None}).model_dump_json(),
                    _now(),
                ),
            )

    def near_hits(self, task: str | None = None, limit: int = 50) -> list[tuple[str, ChatRequest]]:
        q = "SELECT source_key, request FROM llm_near_hits"
        args: list[object] = []
        if task:
            q += " WHERE task=?"
            args.append(task)
        q += " ORDER BY RANDOM() LIMIT ?"
        args.append(limit)
        return [(r["source_key"], ChatRequest.model_validate_json(r["request"])) for r in self._conn.execute(q, args)]

    def response_for(self, key: str) -> ChatResponse | None:
        row = self._conn.execute("SELECT response FROM llm_cache WHERE key=?", (key,)).fetchone()
        return ChatResponse.model_validate_json(row["response"]) if row else None

    def stats(self) -> dict[str, int]:
        row = self._conn.execute("SELECT COUNT(*) n, COALESCE(SUM(hits),0) h FROM llm_cache").fetchone()
        near = self._conn.execute("SELECT COUNT(*) FROM llm_near_hits").fetchone()[0]
        return {"entries": row["n"], "hits": row["h"], "near_duplicate_hits": near}


class Cached:
    def __init__(self, inner: LLM, cache: ResponseCache) -> None:
        self.inner = inner
        self.cache = cache

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    def chat(self, request: ChatRequest) -> ChatResponse:
        key = request.cache_key(self.model_id)
        if not request.meta.no_cache_read:
            hit = self.cache.get_exact(key)
            if hit is not None:
                return hit.model_copy(update={"cached": True, "cache_kind": "exact", "latency_s": 0.0})
            if request.meta.dedup_key:
                near = self.cache.get_near(self.model_id, request)
                if near is not None:
                    return near[1].model_copy(update={"cached": True, "cache_kind": "near_duplicate", "latency_s": 0.0})
        response = self.inner.chat(request)
        self.cache.put(key, self.model_id, request, response)
        return response


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def same_answer(a: ChatResponse, b: ChatResponse) -> bool:
    """Compare two answers as JSON when they parse, else as stripped text."""
    try:
        return bool(json.loads(a.text) == json.loads(b.text))
    except ValueError:
        return a.text.strip() == b.text.strip()


_WORD = re.compile(r"[a-z0-9$%.]+")
_STOP = frozenset({"a", "an", "the", "for", "of", "and", "with", "some", "please", "i", "want", "need"})


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("es") and word[-3] in "sxz":
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def normalized_key(text: str) -> str:
    """A per-task dedup key for short texts such as queries: lower-cased, punctuation and a few
    filler words dropped, naive singular, words sorted. "Red Wines" and "the red wine" share a key;
    "red wine under $30" does not share one with "red wine". Pass it as `dedup_key=`."""
    words = {_singular(w.strip(".")) for w in _WORD.findall(text.lower())} - _STOP - {""}
    return " ".join(sorted(words))


class NearDupAudit(BaseModel):
    task: str | None
    sampled: int
    different: int
    false_hit_rate: float


def audit_near_duplicates(cache: ResponseCache, llm: LLM, *, task: str | None = None, sample: int = 20) -> NearDupAudit:
    """Re-ask a random sample of near-duplicate hits without reading the cache and count the answers
    that differ from the reused one: the near-duplicate false-hit rate of that task."""
    hits = cache.near_hits(task, limit=sample)
    differ = 0
    for source_key, request in hits:
        meta = request.meta.model_copy(update={"no_cache_read": True, "dedup_key": None})
        fresh = llm.chat(request.model_copy(update={"meta": meta}))
        reused = cache.response_for(source_key)
        if reused is None or not same_answer(reused, fresh):
            differ += 1
    return NearDupAudit(task=task, sampled=len(hits), different=differ,
                        false_hit_rate=differ / len(hits) if hits else 0.0)
