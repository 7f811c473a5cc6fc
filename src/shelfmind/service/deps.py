"""FastAPI dependencies shared by the routers."""

from __future__ import annotations

from fastapi import Request

from shelfmind.service.components import Service
from shelfmind.service.security import Guard


def service(request: Request) -> Service:
    return request.app.state.service  # type: ignore[no-any-return]


def guard(request: Request) -> Guard:
    return request.app.state.guard  # type: ignore[no-any-return]


def require_token(request: Request) -> None:
    guard(request).require_token(request)
