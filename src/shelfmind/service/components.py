"""The service's view of the runtime: lazy component access, the worker lanes, a small response
cache, and the conversions from domain objects to API models.

`runtime` is any object with the attributes `catalog`, `searcher`, `recommender`, `users`,
`knowledge`, `review` (and optionally `settings`): the real `shelfmind.runtime.Runtime` or a test
double (`shelfmind.service.testing`). Components are read lazily, per request, so a component that
is not built yet makes only its own endpoints answer 503.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from fastapi import HTTPException, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from shelfmind.errors import ShelfmindError
from shelfmind.schemas import Product, Recommendation, RelationKind
from shelfmind.service.metrics import ServiceMetrics
from shelfmind.service.models import ProductCard, RecommendResponse, RelatedProduct, ThemeOut

log = logging.getLogger(__name__)
T = TypeVar("T")

COMPONENTS = ("catalog", "searcher", "recommender", "users", "knowledge", "review")
_HINTS = {
    "catalog": "run `shelfmind ingest` (or `shelfmind demo`)",
    "searcher": "run `shelfmind index` (or `shelfmind demo`)",
    "recommender": "run `shelfmind demo` to build personas and the knowledge base",
    "users": "run `shelfmind demo` to create the demo users",
    "knowledge": "run `shelfmind kb build` (or `shelfmind demo`)",
    "review": "check SHELFMIND_HOME is writable",
}


class ResponseCache:
    """A tiny thread-safe LRU with TTL. Keys include a generation that every write bumps, so a new
    statement or review decision is visible at once."""

    def __init__(self, size: int = 2048, ttl_s: float = 60.0) -> None:
        self.size, self.ttl_s = size, ttl_s
        self._data: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.generation = 0

    def bump(self) -> None:
        with self._lock:
            self.generation += 1
            self._data.clear()

    def get(self, key: Hashable) -> Any | None:
        if self.size <= 0:
            return None
        with self._lock:
            hit = self._data.get(key)
            if hit is None or time.monotonic() - hit[0] > self.ttl_s:
                return None
            self._data.move_to_end(key)
            return hit[1]

    def put(self, key: Hashable, value: Any) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._data[key] = (time.monotonic(), value)
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)


class Service:
    def __init__(self, runtime: Any, metrics: ServiceMetrics, *, cache_size: int = 2048, cache_ttl_s: float = 60.0,
                 slow_wait_s: float = 20.0, read_workers: int = 1) -> None:
        self.rt = runtime
        self.metrics = metrics
        self.cache = ResponseCache(cache_size, cache_ttl_s)
        # Components share SQLite connections: reads run in their own lane (one at a time unless
        # read_workers > 1, for components that release the GIL), slow writes (a statement may call an
        # LLM) in another, so a write never blocks the shop.
        self._reads = ThreadPoolExecutor(read_workers, thread_name_prefix="shelfmind-read")
        self._writes = ThreadPoolExecutor(1, thread_name_prefix="shelfmind-write")
        self._slow = ThreadPoolExecutor(1, thread_name_prefix="shelfmind-slow")  # reads that may call an LLM
        self._pending: dict[Hashable, Future[bytes]] = {}
        self._pending_lock = threading.Lock()
        self.slow_wait_s = slow_wait_s

    def close(self) -> None:
        for pool in (self._reads, self._writes, self._slow):
            pool.shutdown(wait=False, cancel_futures=True)

    async def read(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._reads, lambda: fn(*args, **kwargs))

    async def write(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        try:
            return await asyncio.get_running_loop().run_in_executor(self._writes, lambda: fn(*args, **kwargs))
        finally:
            self.cache.bump()

    async def cached(self, key: Hashable, fn: Callable[[], BaseModel], endpoint: str) -> Response:
        """Serve a read through the response cache. The cache holds the serialized JSON, so a hit
        costs a dict lookup: no component call, no validation, no serialization. Concurrent misses
        on one key share a single computation (a burst of "pasta" is computed once, not 50 times)."""
        body = await self._lookup(key, fn, endpoint, self._reads, wait_s=None)
        assert body is not None
        return Response(body, media_type="application/json")

    async def cached_slow(self, key: Hashable, fn: Callable[[], BaseModel], endpoint: str) -> Response:
        """Like `cached`, for reads that may call an LLM (seconds to minutes on a small CPU). They run in
        their own lane; a request waits at most `slow_wait_s`, then gets 202 (ask again) while the work
        goes on and lands in the cache."""
        body = await self._lookup(key, fn, endpoint, self._slow, wait_s=self.slow_wait_s)
        if body is None:
            return JSONResponse({"status": "pending", "message": "still working on it; ask again shortly",
                                 "retry_after_s": 5}, status_code=status.HTTP_202_ACCEPTED,
                                headers={"Retry-After": "5"})
        return Response(body, media_type="application/json")

    async def _lookup(self, key: Hashable, fn: Callable[[], BaseModel], endpoint: str, pool: ThreadPoolExecutor,
                      *, wait_s: float | None) -> bytes | None:
        full = (key, self.cache.generation)
        hit = self.cache.get(full)
        if hit is not None:
            self.metrics.cache.labels(endpoint, "hit").inc()
            return hit  # type: ignore[no-any-return]
        with self._pending_lock:
            job = self._pending.get(full)
            shared = job is not None
            if job is None:
                job = pool.submit(lambda: fn().model_dump_json().encode())
                self._pending[full] = job
        if not shared:
            # outside the lock: a job that is already done runs the callback right here, and `_settle`
            # takes the (non-reentrant) lock itself
            job.add_done_callback(lambda f: self._settle(full, f))
        self.metrics.cache.labels(endpoint, "shared" if shared else "miss").inc()
        try:
            return await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(job)), timeout=wait_s)
        except TimeoutError:
            return None

    def _settle(self, key: Hashable, job: Future[bytes]) -> None:
        with self._pending_lock:
            self._pending.pop(key, None)
        if not job.cancelled() and job.exception() is None:
            self.cache.put(key, job.result())

    # ---- components -------------------------------------------------------------------------
    def component(self, name: str) -> Any:
        """The runtime's component, or a 503 that says how to build it."""
        try:
            value = getattr(self.rt, name)
        except (ShelfmindError, ImportError, AttributeError, OSError) as exc:
            self.metrics.component_errors.labels(name).inc()
            log.warning("component %s unavailable: %s", name, exc)
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, f"{name} is not available yet; {_HINTS[name]}") from exc
        if value is None:
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, f"{name} is not available yet; {_HINTS[name]}")
        return value

    def optional(self, name: str) -> Any | None:
        try:
            return self.component(name)
        except HTTPException:
            return None

    def health(self) -> dict[str, str]:
        out = {}
        for name in COMPONENTS:
            try:
                out[name] = "ok" if getattr(self.rt, name) is not None else "missing"
            except Exception as exc:  # health must never fail; it reports
                out[name] = f"unavailable: {type(exc).__name__}"
        return out

    # ---- conversions (run inside the read lane) ----------------------------------------------
    def products(self, ids: Sequence[str]) -> dict[str, Product]:
        return self.component("catalog").get_many(list(dict.fromkeys(ids)))  # type: ignore[no-any-return]

    def cards(self, ids: Iterable[str], explanations: dict[str, str] | None = None,
              scores: dict[str, float] | None = None) -> list[ProductCard]:
        ids = list(dict.fromkeys(ids))
        got = self.products(ids)
        explanations, scores = explanations or {}, scores or {}
        return [
            ProductCard(id=p.id, name=p.name, price=p.price, in_stock=p.in_stock,
                        explanation=explanations.get(p.id, ""), score=scores.get(p.id, 0.0))
            for pid in ids if (p := got.get(pid)) is not None
        ]

    def recommendation(self, rec: Recommendation, *, k: int = 24) -> RecommendResponse:
        """Themes keep the recommender's own explanations; `products` is the top k."""
        listed = {p.id: p for p in rec.products}
        shown = {p.id for p in rec.products[:k]} | {pid for b in rec.presentation.themes for pid in b.product_ids}
        catalog = self.products(list(shown))

        def card(pid: str, theme: str | None) -> ProductCard | None:
            p, c = listed.get(pid), catalog.get(pid)
            if p is None and c is None:
                return None
            return ProductCard(
                id=pid,
                name=p.name if p else c.name,  # type: ignore[union-attr]
                price=(p.price if p and p.price is not None else (c.price if c else None)),
                in_stock=c.in_stock if c else True,
                explanation=p.explanation if p else "",
                score=p.score if p else 0.0,
                theme=theme or (p.theme if p else None),
            )

        themes = []
        for block in rec.presentation.themes:
            cards = [c for pid in block.product_ids if (c := card(pid, block.name)) is not None]
            if cards:
                themes.append(ThemeOut(name=block.name, explanation=block.explanation, products=cards))
        products = [c for p in rec.products[:k] if (c := card(p.id, p.theme)) is not None]
        if not themes and products:
            themes = [ThemeOut(name=f"Results for “{rec.query}”", products=products)]
        return RecommendResponse(
            query=rec.query, user_id=rec.user_id, kind=rec.presentation.kind, themes=themes, products=products,
            personas=rec.personas, constraints=rec.constraints, removed_by_constraints=rec.removed_by_constraints,
        )

    def related(self, product_id: str) -> dict[RelationKind, list[RelatedProduct]]:
        knowledge = self.optional("knowledge")
        if knowledge is None:
            return {}
        relations = knowledge.relations(product_id, limit=40)
        got = self.products([r.dst_id for r in relations])
        out: dict[RelationKind, list[RelatedProduct]] = {}
        for r in relations:
            p = got.get(r.dst_id)
            if p is None or r.dst_id == product_id:
                continue
            out.setdefault(r.kind, []).append(RelatedProduct(
                id=p.id, name=p.name, price=p.price, in_stock=p.in_stock, explanation=r.explanation,
                score=r.score, kind=r.kind,
            ))
        return out
