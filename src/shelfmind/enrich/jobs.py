"""The enrichment job store (SQLite, WAL) and the resumable batch loop.

Each product's result is checkpointed the moment it is done, keyed by product id and a hash of
everything that determines it (title, description, category, schema version, prompt version,
model, settings). A rerun skips products whose stored hash matches (nothing done twice), redoes
the rest (nothing lost: a kill -9 loses at most the product in flight, whose LLM answer the cache
already holds if it had arrived), and never sends identical inputs twice: a product whose hash
equals an already enriched one reuses that result. Failed products are retried on the next run.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from shelfmind.enrich.extract import ProductResult
from shelfmind.enrich.inputs import InputFlag
from shelfmind.store.sqlite import connect

_SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    product_id TEXT PRIMARY KEY,
    input_hash TEXT NOT NULL,
    status TEXT NOT NULL,
    result TEXT NOT NULL,
    model TEXT NOT NULL,
    prompt TEXT NOT NULL,
    prompt_version TEXT NOT NULL,
    flags TEXT NOT NULL,
    reused_from TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS results_hash ON results(input_hash, status);
CREATE TABLE IF NOT EXISTS decisions (
    product_id TEXT NOT NULL,
    attribute TEXT NOT NULL,
    status TEXT NOT NULL,
    value TEXT,
    decided_at TEXT NOT NULL,
    PRIMARY KEY (product_id, attribute)
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    backend TEXT NOT NULL,
    report TEXT
);
"""


class ResultStatus(StrEnum):
    DONE = "done"
    FAILED = "failed"


class ProductInput(BaseModel):
    id: str
    category: str | None = None
    title: str
    description: str | None = None

    def input_hash(self, context: str) -> str:
        raw = json.dumps([self.category, self.title, self.description, context], ensure_ascii=False)
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:24]


class JobReport(BaseModel):
    selected: int = 0
    done: int = 0  # enriched in this run (model answers, cached or not)
    skipped: int = 0  # already done with identical inputs in an earlier run
    reused: int = 0  # identical inputs to another product: its result reused, no LLM call
    failed: int = 0
    flagged: dict[str, int] = Field(default_factory=dict)
    to_review: int = 0
    auto_approved: int = 0
    seconds: float = 0.0
    backend: str = "local"
    model: str = ""
    prompt: str = ""

    @property
    def products_per_hour(self) -> float:
        return 3600 * (self.done + self.reused) / self.seconds if self.seconds else 0.0


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class JobStore:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._conn = connect(self.path)
        self._conn.executescript(_SCHEMA)

    def status(self, product_id: str) -> tuple[str, str] | None:
        row = self._conn.execute("SELECT input_hash, status FROM results WHERE product_id=?", (product_id,)).fetchone()
        return (row["input_hash"], row["status"]) if row else None

    def by_hash(self, input_hash: str) -> ProductResult | None:
        row = self._conn.execute("SELECT product_id, result FROM results WHERE input_hash=? AND status='done' LIMIT 1",
                                 (input_hash,)).fetchone()
        return ProductResult.model_validate_json(row["result"]) if row else None

    def save(self, input_hash: str, result: ProductResult, *, reused_from: str | None = None) -> None:
        status = ResultStatus.FAILED if InputFlag.FAILED in result.flags else ResultStatus.DONE
        with self._conn:
            self._conn.execute(
                """INSERT INTO results(product_id, input_hash, status, result, model, prompt, prompt_version, flags,
                                       reused_from, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)
                   ON CONFLICT(product_id) DO UPDATE SET input_hash=excluded.input_hash, status=excluded.status,
                     result=excluded.result, model=excluded.model, prompt=excluded.prompt,
                     prompt_version=excluded.prompt_version, flags=excluded.flags,
                     reused_from=excluded.reused_from, created_at=excluded.created_at""",
                (result.product_id, input_hash, status.value, result.model_dump_json(), result.model, result.prompt,
                 result.prompt_version, json.dumps([f.value for f in result.flags]), reused_from, _now()),
            )

    def get(self, product_id: str) -> ProductResult | None:
        row = self._conn.execute("SELECT result FROM results WHERE product_id=?", (product_id,)).fetchone()
        return ProductResult.model_validate_json(row["result"]) if row else None

    def results(self, *, status: ResultStatus | None = None) -> Iterator[ProductResult]:
        q = "SELECT result FROM results" + (" WHERE status=?" if status else "") + " ORDER BY product_id"
        for row in self._conn.execute(q, (status.value,) if status else ()):
            yield ProductResult.model_validate_json(row["result"])

    def count(self) -> dict[str, int]:
        return {r["status"]: r["n"] for r in self._conn.execute("SELECT status, COUNT(*) n FROM results GROUP BY status")}

    def record_decision(self, product_id: str, attribute: str, status: str, value: Any) -> None:
        with self._conn:
            self._conn.execute(
                """INSERT INTO decisions(product_id, attribute, status, value, decided_at) VALUES (?,?,?,?,?)
                   ON CONFLICT(product_id, attribute) DO UPDATE SET status=excluded.status, value=excluded.value,
                     decided_at=excluded.decided_at""",
                (product_id, attribute, status, json.dumps(value, ensure_ascii=False, default=str), _now()),
            )

    def decisions(self, product_id: str) -> dict[str, tuple[str, Any]]:
        rows = self._conn.execute("SELECT attribute, status, value FROM decisions WHERE product_id=?", (product_id,))
        return {r["attribute"]: (r["status"], json.loads(r["value"]) if r["value"] else None) for r in rows}

    def start_run(self, backend: str) -> int:
        with self._conn:
            cur = self._conn.execute("INSERT INTO runs(started_at, backend) VALUES (?,?)", (_now(), backend))
        return int(cur.lastrowid or 0)

    def finish_run(self, run_id: int, report: JobReport) -> None:
        with self._conn:
            self._conn.execute("UPDATE runs SET finished_at=?, report=? WHERE id=?",
                               (_now(), report.model_dump_json(), run_id))

    def close(self) -> None:
        self._conn.close()


Executor = Callable[[Sequence[ProductInput]], Iterable[ProductResult]]


def run_job(inputs: Iterable[ProductInput], execute: Executor, store: JobStore, *, context: str,
            apply: Callable[[ProductResult], None], backend: str = "local",
            progress: Callable[[int], Any] | None = None) -> JobReport:
    """Plan (skip done, dedup identical inputs), execute the rest, checkpoint each result as it arrives."""
    start = time.perf_counter()
    report = JobReport(backend=backend)
    run_id = store.start_run(backend)
    todo: list[ProductInput] = []
    twins: dict[str, list[ProductInput]] = {}  # hash -> later products with the same input
    hashes: dict[str, str] = {}
    for p in inputs:
        report.selected += 1
        h = p.input_hash(context)
        hashes[p.id] = h
        prev = store.status(p.id)
        if prev is not None and prev == (h, ResultStatus.DONE.value):
            report.skipped += 1
            if progress:
                progress(1)
            continue
        if h in twins:
            twins[h].append(p)
            continue
        done_twin = store.by_hash(h)
        if done_twin is not None:
            _finish(done_twin.model_copy(update={"product_id": p.id}), h, store, apply, report,
                    reused_from=done_twin.product_id)
            if progress:
                progress(1)
            continue
        twins[h] = []
        todo.append(p)
    for result in execute(todo):
        h = hashes[result.product_id]
        _finish(result, h, store, apply, report)
        for twin in twins.get(h, []):
            _finish(result.model_copy(update={"product_id": twin.id}), h, store, apply, report,
                    reused_from=result.product_id)
        if progress:
            progress(1 + len(twins.get(h, [])))
        if not report.model:
            report.model, report.prompt = result.model, result.prompt
    report.seconds = round(time.perf_counter() - start, 2)
    store.finish_run(run_id, report)
    return report


def _finish(result: ProductResult, h: str, store: JobStore, apply: Callable[[ProductResult], None],
            report: JobReport, *, reused_from: str | None = None) -> None:
    # apply first (idempotent), then checkpoint: a crash in between redoes only the apply
    apply(result)
    store.save(h, result, reused_from=reused_from)
    if InputFlag.FAILED in result.flags:
        report.failed += 1
    elif reused_from is not None:
        report.reused += 1
    else:
        report.done += 1
    for f in result.flags:
        report.flagged[f.value] = report.flagged.get(f.value, 0) + 1
    report.to_review += len(result.to_review())
    report.auto_approved += len(result.accepted())
