"""The demo's `personas` stage: the LLM assesses the demo users' personas from their behaviour
signatures (offline, cached per signature), then what the core mapping returns for each of them on
the same query, to show that the user changes the answer."""

from __future__ import annotations

from typing import Any

DEMO_QUERY = "snacks"


def run(rt: Any, options: Any) -> dict[str, Any]:
    users = rt.users  # seeds the demo users
    out: dict[str, Any] = {}
    if not getattr(options, "fast", False):
        out["LLM assessment"] = _llm_assessment(rt)
    recommender = rt.recommender
    for row in users.list_users():
        uid = str(row["id"])
        profile = users.profile(uid)
        rec = recommender.recommend(DEMO_QUERY, uid)
        top = ", ".join(f"{p.name} {round(p.weight * 100)}%" for p in profile.personas[:2]) or "cold start"
        picks = " | ".join(p.name[:28] for p in rec.products[:2])
        out[uid] = f"{top}; {DEMO_QUERY!r} -> {picks}"
    return out


def _llm_assessment(rt: Any) -> str:
    """The offline LLM persona assessment (`shelfmind user assign --all --assessor llm`): one call per
    distinct behaviour signature; the storefront keeps it until a user's signature changes."""
    from shelfmind.personas.factory import build_users

    llm_users = build_users(rt, assessor="llm", seed_demo=False)
    rows = llm_users.assess([str(u["id"]) for u in llm_users.list_users()])
    a = llm_users.assigner
    return (f"{len(rows)} users, {a.assessments} LLM calls (one per distinct behaviour signature), "
            f"{a.hits} shared from the cache")
