"""Metered: per-task accounting of every call (calls, cache hits, tokens, latency, estimated cost),
persisted in the same SQLite file as the cache, so `shelfmind llm stats` sees all processes' calls."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel

from shelfmind.llm.base import LLM, ChatRequest, ChatResponse
from shelfmind.store.sqlite import connect

# USD per 1M tokens (input, output). Local models cost nothing per token. Override in Settings.llm_prices.
DEFAULT_PRICES: dict[str, tuple[float, float]] = {
    "openai:gpt-4o-mini": (0.15, 0.60),
    "openai:gpt-4o": (2.50, 10.00),
    "openai:gpt-4.1-mini": (0.40, 1.60),
    "anthropic:claude-3-5-haiku-latest": (0.80, 4.00),
    "gemini:gemini-2.0-flash": (0.10, 0.40),
}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS llm_calls (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    task TEXT NOT NULL,
    model TEXT NOT NULL,
    prompt TEXT,
    cached TEXT,                -- NULL (model call), 'exact' or 'near_duplicate'
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    latency_s REAL NOT NULL,
    cost_usd REAL NOT NULL,
    error TEXT
);
CREATE INDEX IF NOT EXISTS llm_calls_task ON llm_calls(task);
CREATE TABLE IF NOT EXISTS llm_failures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    task TEXT NOT NULL,
    prompt TEXT,
    item_id TEXT NOT NULL,
    kind TEXT NOT NULL,         -- 'validation' (invalid after the re-ask) or 'provider'
    error TEXT NOT NULL
);
"""


class TaskStats(BaseModel):
    task: str
    model: str
    calls: int
    model_calls: int
    cache_hits: int
    near_duplicate_hits: int
    hit_rate: float
    prompt_tokens: int
    completion_tokens: int
    latency_p50_s: float
    latency_p95_s: float
    cost_usd: float
    errors: int
    failed_items: int = 0  # items recorded as failures by batch jobs (llm.batch), per task


class Ledger:
    def __init__(self, path: Path | str, prices: dict[str, tuple[float, float]] | None = None) -> None:
        self._conn = connect(path)
        self._conn.executescript(_SCHEMA)
        self._lock = threading.Lock()
        self.prices = {**DEFAULT_PRICES, **(prices or {})}

    def cost(self, model: str, prompt_tokens: int, completion_tokens: int) -> float:
        pin, pout = self.prices.get(model, (0.0, 0.0))
        return (prompt_tokens * pin + completion_tokens * pout) / 1e6

    def record(
        self, request: ChatRequest, model: str, response: ChatResponse | None, latency_s: float, error: str | None = None
    ) -> None:
        cached = response.cache_kind if response is not None and response.cached else None
        pt = response.usage.prompt_tokens if response else 0
        ct = response.usage.completion_tokens if response else 0
        cost = 0.0 if cached else self.cost(model, pt, ct)
        prompt = f"{request.meta.prompt_name}@{request.meta.prompt_version}" if request.meta.prompt_name else None
        with self._lock, self._conn:
            self._conn.execute(
                "INSERT INTO llm_calls(at, task, model, prompt, cached, prompt_tokens, completion_tokens, latency_s, cost_usd, error)"
                " VALUES (?,?,?,?,?,?,?,?,?,?)",
                (datetime.now(UTC).isoformat(timespec="seconds"), request.meta.task, model, prompt, cached,
                 pt, ct, latency_s, cost, error),
            )

    def record_failure(self, task: str, prompt: str | None, item_id: str, kind: str, error: str) -> None:
        with self._lock, self._conn:
            self._conn.execute(
                "INSERT INTO llm_failures(at, task, prompt, item_id, kind, error) VALUES (?,?,?,?,?,?)",
                (datetime.now(UTC).isoformat(timespec="seconds"), task, prompt, item_id, kind, error),
            )

    def failures(self, task: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        q = "SELECT at, task, prompt, item_id, kind, error FROM llm_failures"
        args: list[Any] = []
        if task:
            q += " WHERE task=?"
            args.append(task)
        q += " ORDER BY id DESC LIMIT ?"
        args.append(limit)
        return [dict(r) for r in self._conn.execute(q, args)]

    def stats(self) -> list[TaskStats]:
        rows = self._conn.execute(
            "SELECT task, model, cached, prompt_tokens, completion_tokens, latency_s, cost_usd, error FROM llm_calls"
        ).fetchall()
        groups: dict[tuple[str, str], list[Any]] = {}
        for r in rows:
            groups.setdefault((r["task"], r["model"]), []).append(r)
        failed = {r[0]: r[1] for r in self._conn.execute("SELECT task, COUNT(*) FROM llm_failures GROUP BY task")}
        out = []
        for (task, model), rs in sorted(groups.items()):
            uncached = [r for r in rs if r["cached"] is None and r["error"] is None]
            lat = np.array([r["latency_s"] for r in uncached]) if uncached else np.zeros(1)
            hits = sum(1 for r in rs if r["cached"])
            out.append(
                TaskStats(
                    task=task,
                    model=model,
                    calls=len(rs),
                    model_calls=len(uncached),
                    cache_hits=hits,
                    near_duplicate_hits=sum(1 for r in rs if r["cached"] == "near_duplicate"),
                    hit_rate=hits / len(rs) if rs else 0.0,
                    prompt_tokens=sum(r["prompt_tokens"] for r in uncached),
                    completion_tokens=sum(r["completion_tokens"] for r in uncached),
                    latency_p50_s=float(np.percentile(lat, 50)),
                    latency_p95_s=float(np.percentile(lat, 95)),
                    cost_usd=sum(r["cost_usd"] for r in rs),
                    errors=sum(1 for r in rs if r["error"]),
                    failed_items=failed.pop(task, 0),
                )
            )
        return out


class Metered:
    def __init__(self, inner: LLM, ledger: Ledger) -> None:
        self.inner = inner
        self.ledger = ledger

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    def chat(self, request: ChatRequest) -> ChatResponse:
        import time

        start = time.perf_counter()
        try:
            response = self.inner.chat(request)
        except Exception as exc:
            self.ledger.record(request, self.model_id, None, time.perf_counter() - start, error=type(exc).__name__)
            raise
        self.ledger.record(request, self.model_id, response, response.latency_s if not response.cached else 0.0)
        return response
