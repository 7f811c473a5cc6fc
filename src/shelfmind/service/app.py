"""The FastAPI app factory: JSON API under /api/, the storefront at /, the review console at /review,
/health, /metrics (Prometheus) and OpenAPI at /docs.

    app = create_app(Runtime())          # real components, built lazily per request
    app = create_app(test_runtime())     # shelfmind.service.testing: in-memory doubles

Errors are JSON `{"error": {"code", "message", "hint"}}`; unexpected exceptions are logged and
answered with a generic 500: no stack trace ever leaves the process.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import ValidationError

from shelfmind.errors import DataError, NotFound, ProviderError, ShelfmindError, UserError
from shelfmind.service.components import Service
from shelfmind.service.metrics import MetricsMiddleware, ServiceMetrics
from shelfmind.service.models import HealthOut
from shelfmind.service.routes import review, shop, users
from shelfmind.service.security import Guard

log = logging.getLogger(__name__)
STATIC = files("shelfmind.service") / "static"

_STATUS_CODES = {400: "SM100", 401: "SM110", 403: "SM111", 404: "SM400", 405: "SM102", 422: "SM103", 503: "SM300"}


def _error(status: int, code: str, message: str, hint: str | None = None,
           headers: dict[str, str] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if hint:
        body["hint"] = hint
    return JSONResponse({"error": body}, status_code=status, headers=headers)


def _status_for(exc: ShelfmindError) -> int:
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, UserError):
        return 400
    if isinstance(exc, DataError):
        return 422
    if isinstance(exc, ProviderError):
        return 503
    return 500


def _install_handlers(app: FastAPI) -> None:
    @app.exception_handler(ShelfmindError)
    async def shelfmind_error(request: Request, exc: ShelfmindError) -> JSONResponse:
        status = _status_for(exc)
        if status >= 500:
            log.error("%s %s failed: %s", request.method, request.url.path, exc)
        return _error(status, exc.code, exc.message, exc.hint)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        return _error(exc.status_code, _STATUS_CODES.get(exc.status_code, "SM000"), str(exc.detail),
                      headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for err in exc.errors()[:5]:
            where = ".".join(str(x) for x in err.get("loc", ()) if x != "body")
            problems.append(f"{where}: {err.get('msg', 'invalid')}" if where else str(err.get("msg", "invalid")))
        return _error(422, "SM103", "invalid request: " + "; ".join(problems))

    @app.exception_handler(ValidationError)
    async def model_error(request: Request, exc: ValidationError) -> JSONResponse:
        errors = exc.errors()
        where = ".".join(str(x) for x in errors[0]["loc"]) if errors else ""
        return _error(422, "SM103", f"invalid request: {where}: {errors[0]['msg'] if errors else 'invalid'}")

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return _error(500, "SM000", "internal error; the details are in the server log")


def create_app(
    runtime: Any,
    *,
    api_token: str | None = None,
    demo_logins: bool = True,
    cache_size: int = 2048,
    cache_ttl_s: float = 60.0,
    slow_wait_s: float = 20.0,
    read_workers: int = 1,
) -> FastAPI:
    """Build the app over `runtime`. `api_token` defaults to `runtime.settings.api_token`.
    `slow_wait_s`: how long a request waits for an LLM-backed answer (a recipe) before a 202."""
    settings = getattr(runtime, "settings", None)
    token = api_token if api_token is not None else getattr(settings, "api_token", None)
    metrics = ServiceMetrics()
    svc = Service(runtime, metrics, cache_size=cache_size, cache_ttl_s=cache_ttl_s, slow_wait_s=slow_wait_s,
                  read_workers=read_workers)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Build the components before the first shopper arrives, then move everything loaded so far
        # out of the garbage collector's sight: long-lived indexes make full collections pause requests.
        await svc.read(svc.health)
        gc.collect()
        gc.freeze()
        yield
        svc.close()

    app = FastAPI(
        title="shelfmind",
        summary="Personalised, explained product search over a store's own catalog, and the review console.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # our /docs falls back to a plain list when Swagger UI's CDN is unreachable
        redoc_url=None,
    )
    app.state.service = svc
    app.state.guard = Guard(token, demo_logins=demo_logins)
    _install_handlers(app)
    app.include_router(shop.router)
    app.include_router(users.router)
    app.include_router(review.router)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")

    @app.get("/health", response_model=HealthOut, tags=["ops"])
    async def health() -> HealthOut:
        components = await svc.read(svc.health)
        core = ("catalog", "searcher", "recommender")
        return HealthOut(status="ok" if all(components[c] == "ok" for c in core) else "degraded",
                         components=components)

    @app.get("/metrics", tags=["ops"], response_class=Response)
    async def prometheus() -> Response:
        return Response(metrics.render(), media_type=metrics.content_type)

    @app.get("/", include_in_schema=False)
    async def storefront() -> FileResponse:
        return FileResponse(str(STATIC / "index.html"))

    @app.get("/docs", include_in_schema=False)
    async def api_docs() -> FileResponse:
        return FileResponse(str(STATIC / "docs.html"))

    @app.get("/review", include_in_schema=False)
    async def review_console() -> FileResponse:
        return FileResponse(str(STATIC / "review.html"))

    app.add_middleware(MetricsMiddleware, metrics=metrics)
    return app


def create_runtime_app() -> FastAPI:
    """uvicorn factory over the real runtime (`--factory shelfmind.service.app:create_runtime_app`).
    SHELFMIND_SERVICE_CACHE=0 turns the response cache off (benchmarks of the components);
    SHELFMIND_SERVICE_READ_WORKERS sets the read lane's threads."""
    import os

    from shelfmind.runtime import Runtime

    return create_app(Runtime(), cache_size=int(os.environ.get("SHELFMIND_SERVICE_CACHE", "2048")),
                      read_workers=int(os.environ.get("SHELFMIND_SERVICE_READ_WORKERS", "1")))
