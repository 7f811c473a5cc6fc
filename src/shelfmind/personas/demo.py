"""The demo's `personas` stage: the demo users' personas (from their purchase histories) and what the
core mapping returns for each of them on the same query, to show that the user changes the answer."""

from __future__ import annotations

from typing import Any

DEMO_QUERY = "snacks"


def run(rt: Any, options: Any) -> dict[str, Any]:
    users = rt.users
    recommender = rt.recommender
    out: dict[str, Any] = {}
    for row in users.list_users():
        uid = str(row["id"])
        profile = users.profile(uid)
        rec = recommender.recommend(DEMO_QUERY, uid)
        top = ", ".join(f"{p.name} {round(p.weight * 100)}%" for p in profile.personas[:2]) or "cold start"
        picks = " | ".join(p.name[:28] for p in rec.products[:2])
        out[uid] = f"{top}; {DEMO_QUERY!r} -> {picks}"
    return out
