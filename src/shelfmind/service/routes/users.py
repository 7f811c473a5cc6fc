"""Shopper profiles: anyone may read the demo users; only the shopper (or the API token) may change
their own statements."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response, status

from shelfmind.errors import NotFound
from shelfmind.service.components import Service
from shelfmind.service.deps import guard, service
from shelfmind.service.models import ErrorResponse, SessionIn, SessionOut, StatementIn, UserOut, UserSummary
from shelfmind.service.security import SESSION_COOKIE, Guard
from shelfmind.service.users import UserDirectory

router = APIRouter(prefix="/api", tags=["shoppers"], responses={
    404: {"model": ErrorResponse, "description": "unknown user or statement"},
    503: {"model": ErrorResponse, "description": "users are not built yet"},
})
Svc = Annotated[Service, Depends(service)]
Grd = Annotated[Guard, Depends(guard)]
UserId = Annotated[str, Path(min_length=1, max_length=100)]


def _dir(svc: Service) -> UserDirectory:
    return UserDirectory(svc.component("users"))


@router.get("/users", response_model=list[UserSummary], summary="Demo shoppers and their personas")
async def list_users(svc: Svc, grd: Grd, request: Request) -> list[UserSummary]:
    """The persona switcher's list (names and personas, never statements). Public only while demo
    logins are on; otherwise it needs the API token."""
    if not grd.demo_logins:
        grd.require_token(request)
    return await svc.read(lambda: _dir(svc).list())


@router.get("/users/{user_id}", response_model=UserOut, summary="A shopper's own profile",
            responses={401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}})
async def get_user(svc: Svc, grd: Grd, request: Request, user_id: UserId) -> UserOut:
    """Statements can be personal ("I'm pregnant"): only the shopper (or the API token) reads them."""
    grd.require_owner(request, user_id)
    return await svc.read(lambda: _dir(svc).get(user_id))


@router.post("/session", response_model=SessionOut, summary="Log in as a demo shopper",
             responses={403: {"model": ErrorResponse}})
async def session(svc: Svc, grd: Grd, body: SessionIn, response: Response) -> SessionOut:
    """Issues a shopper session (cookie + token) for an existing demo user. A real shop issues sessions
    from its own login; start the service with demo logins off to close this endpoint."""
    if not grd.demo_logins:
        from fastapi import HTTPException

        raise HTTPException(status.HTTP_403_FORBIDDEN, "demo logins are disabled on this server")
    await svc.read(lambda: _dir(svc).get(body.user_id))
    token = grd.session_token(body.user_id)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="strict", max_age=7 * 86400)
    return SessionOut(user_id=body.user_id, token=token)


@router.post("/users/{user_id}/statements", response_model=UserOut, status_code=status.HTTP_201_CREATED,
             summary="Tell us about yourself", responses={401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}})
async def add_statement(svc: Svc, grd: Grd, request: Request, user_id: UserId, body: StatementIn) -> UserOut:
    grd.require_owner(request, user_id)
    return await svc.write(lambda: _dir(svc).add_statement(user_id, body.text))


@router.delete("/users/{user_id}/statements/{statement_id}", response_model=UserOut,
               summary="Forget a statement", responses={401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}})
async def delete_statement(
    svc: Svc, grd: Grd, request: Request, user_id: UserId,
    statement_id: Annotated[str, Path(min_length=1, max_length=100)],
) -> UserOut:
    grd.require_owner(request, user_id)
    try:
        return await svc.write(lambda: _dir(svc).delete_statement(user_id, statement_id))
    except (KeyError, ValueError) as exc:
        raise NotFound(f"user {user_id!r} has no statement {statement_id!r}") from exc
