"""Reads the shopper directory (`runtime.users`) into API models.

The directory is duck-typed so the service does not depend on the personas store class: it needs a
way to list users, read one profile, add a statement and delete one. The method names tried below
cover the personas module's store and the test double.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

from shelfmind.errors import NotFound
from shelfmind.service.models import StatementOut, UserOut, UserSummary


def _method(obj: Any, *names: str) -> Any:
    for name in names:
        fn = getattr(obj, name, None)
        if callable(fn):
            return fn
    raise NotImplementedError(f"the user directory has none of {', '.join(names)}")


def attr_of(obj: Any, *names: str, default: Any = None) -> Any:
    """The first of `names` that a model/object attribute or a mapping key provides."""
    for name in names:
        if isinstance(obj, Mapping) and name in obj:
            return obj[name]
        if not isinstance(obj, Mapping) and hasattr(obj, name):
            return getattr(obj, name)
    return default


def _personas(raw: Any) -> dict[str, float]:
    if not raw:
        return {}
    if isinstance(raw, Mapping):
        return {str(k): float(v) for k, v in raw.items()}
    out: dict[str, float] = {}
    for item in raw:
        if isinstance(item, tuple | list) and len(item) == 2:
            out[str(item[0])] = float(item[1])
        else:
            name = attr_of(item, "name", "persona", "label")
            if name is not None:
                out[str(name)] = float(attr_of(item, "weight", "score", default=1.0))
    return out


def _strings(raw: Any) -> list[str]:
    if not raw:
        return []
    if isinstance(raw, str):
        return [raw]
    if isinstance(raw, Mapping):
        return [f"{k}: {v}" for k, v in raw.items()]
    return [str(attr_of(x, "label", "text", "name", default=x)) for x in raw]


def _effects(raw: Any) -> tuple[list[str], list[str]]:
    """(constraints, preferences) from a personas-module statement's effects."""
    constraints, preferences = [], []
    for e in attr_of(raw, "effects", default=[]) or []:
        kind, slot, value = str(attr_of(e, "kind", default="")), str(attr_of(e, "slot", default="")), attr_of(e, "value")
        if kind == "constraint":
            constraints.append(str(value).replace("_", " "))
        elif kind == "preference":
            label = slot.removeprefix("pref:").replace("_", " ")
            preferences.append(f"{'more' if value == '+' else 'less'} {label}" if value in ("+", "-") else f"{label}: {value}")
        elif kind == "persona":
            preferences.append(f"persona: {str(value).replace('_', ' ')}")
    return constraints, preferences


def statement_out(raw: Any) -> StatementOut:
    constraints, preferences = _effects(raw)
    return StatementOut(
        id=str(attr_of(raw, "id", "statement_id")),
        text=str(attr_of(raw, "text", "statement", default="")),
        constraints=_strings(attr_of(raw, "constraints", "hard_constraints")) or constraints,
        preferences=_strings(attr_of(raw, "preferences", "soft_preferences")) or preferences,
    )


def user_out(raw: Any) -> UserOut:
    uid = str(attr_of(raw, "id", "user_id"))
    statements = attr_of(raw, "statements", default=[])  # a listing may carry a count instead
    return UserOut(
        id=uid,
        name=str(attr_of(raw, "name", "display_name", default=uid) or uid),
        description=str(attr_of(raw, "description", "bio", default="") or ""),
        personas=_personas(attr_of(raw, "personas", "persona_weights")),
        statements=[statement_out(s) for s in statements] if isinstance(statements, list | tuple) else [],
    )


class UserDirectory:
    def __init__(self, users: Any) -> None:
        self.users = users

    def list(self, *, limit: int = 50) -> list[UserSummary]:
        raw = list(_method(self.users, "list_users", "demo_users", "list")())[:limit]
        out = []
        for u in raw:
            user = user_out(u)
            if not user.personas:  # a bare listing: read the profile for the personas
                user = self.get(user.id)
            out.append(UserSummary(**user.model_dump(exclude={"statements"})))
        return out

    def get(self, user_id: str) -> UserOut:
        try:
            raw = _method(self.users, "get_profile", "profile", "get")(user_id)
        except KeyError as exc:
            raise NotFound(f"no user {user_id!r}") from exc
        if raw is None:
            raise NotFound(f"no user {user_id!r}")
        return user_out(raw)

    def add_statement(self, user_id: str, text: str) -> UserOut:
        self.get(user_id)
        _method(self.users, "add_statement")(user_id, text)
        return self.get(user_id)

    def delete_statement(self, user_id: str, statement_id: str) -> UserOut:
        profile = self.get(user_id)
        if statement_id not in {s.id for s in profile.statements}:
            raise NotFound(f"user {user_id!r} has no statement {statement_id!r}")
        fn = _method(self.users, "delete_statement", "remove_statement")
        sid: str | int = int(statement_id) if statement_id.isdigit() else statement_id
        if len(inspect.signature(fn).parameters) == 1:  # keyed by statement id alone (ownership checked above)
            fn(sid)
        else:
            fn(user_id, statement_id)
        return self.get(user_id)
