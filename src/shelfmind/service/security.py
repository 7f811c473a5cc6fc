"""Who may do what.

- Review and other write endpoints need the API token (`Settings.api_token`, env SHELFMIND_API_TOKEN),
  sent as `Authorization: Bearer <token>` or `X-API-Token: <token>`. Without a configured token
  they are closed (503), never open.
- A shopper may read and change only their own profile, and get personalised results only for
  themselves: those endpoints accept the API token or a shopper session for that user id (a signed cookie or `X-Session` header). Sessions are issued by
  `POST /api/session`; in the demo that is the persona switcher ("log in as a demo user"). A real shop
  would issue them from its own login instead (`demo_logins=False` turns the endpoint off).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import HTTPException, Request, status

SESSION_COOKIE = "sm_session"


def new_token() -> str:
    return secrets.token_urlsafe(24)


def _presented_token(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip() or None
    return request.headers.get("x-api-token") or None


class Guard:
    def __init__(self, api_token: str | None, *, demo_logins: bool = True) -> None:
        self.api_token = api_token
        self.demo_logins = demo_logins
        self._secret = secrets.token_bytes(32)  # sessions live as long as the process

    # ---- API token --------------------------------------------------------------------------
    def has_token(self, request: Request) -> bool:
        presented = _presented_token(request)
        return bool(self.api_token and presented and hmac.compare_digest(presented, self.api_token))

    def require_token(self, request: Request) -> None:
        if not self.api_token:
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "no API token is configured on the server "
                                "(set SHELFMIND_API_TOKEN); write endpoints are closed")
        if _presented_token(request) is None:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "this endpoint needs the API token "
                                "(Authorization: Bearer <token>)", headers={"WWW-Authenticate": "Bearer"})
        if not self.has_token(request):
            raise HTTPException(status.HTTP_403_FORBIDDEN, "the API token is not valid")

    # ---- shopper sessions -------------------------------------------------------------------
    def session_token(self, user_id: str) -> str:
        mac = hmac.new(self._secret, f"user:{user_id}".encode(), hashlib.sha256).hexdigest()[:32]
        return f"{user_id}.{mac}"

    def session_user(self, request: Request) -> str | None:
        raw = request.headers.get("x-session") or request.cookies.get(SESSION_COOKIE)
        if not raw or "." not in raw:
            return None
        user_id = raw.rsplit(".", 1)[0]
        return user_id if hmac.compare_digest(raw, self.session_token(user_id)) else None

    def require_owner(self, request: Request, user_id: str) -> None:
        """The API token, or a session of this very user (reads of a profile, personalised results
        and statement changes all reveal or change what a shopper told us)."""
        if self.has_token(request):
            return
        who = self.session_user(request)
        if who is None:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "log in as this shopper (POST /api/session) "
                                "or send the API token", headers={"WWW-Authenticate": "Bearer"})
        if who != user_id:
            raise HTTPException(status.HTTP_403_FORBIDDEN, "a shopper may only see and change their own profile")
