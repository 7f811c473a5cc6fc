"""The user profile: personas (from behaviour) + statements (what the user told us), resolved.

Statements are replayed in order; for every slot the latest statement wins, and the earlier
effects on that slot are shown as replaced (by which statement). Deleting or editing a statement
simply changes the replay, so the profile is always consistent with what is stored.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from shelfmind.personas.constraints import Constraint
from shelfmind.personas.statements import Effect, EffectKind


class StatementStatus(StrEnum):
    ACTIVE = "active"
    PARTLY_REPLACED = "partly_replaced"
    REPLACED = "replaced"


class Statement(BaseModel):
    id: int
    user_id: str
    text: str
    created_at: str
    source: str = "user"  # "user" or "question" (an answer to a proactive question)
    effects: list[Effect] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    trace: dict[str, Any] | None = None
    # filled by resolve():
    status: StatementStatus = StatementStatus.ACTIVE
    replaced: dict[str, int] = Field(default_factory=dict)  # slot -> id of the statement that replaced it


class PersonaWeight(BaseModel):
    id: str
    name: str
    weight: float
    evidence: list[str] = Field(default_factory=list)  # product names from the history
    source: str = "behaviour"  # "behaviour", "statement" or "default"


class UserProfile(BaseModel):
    user_id: str
    display_name: str = ""
    personas: list[PersonaWeight] = Field(default_factory=list)
    constraints: list[str] = Field(default_factory=list)  # Constraint keys
    preferences: dict[str, str] = Field(default_factory=dict)  # slot -> value ("price": "budget", ...)
    statements: list[Statement] = Field(default_factory=list)
    history_size: int = 0
    history: list[str] = Field(default_factory=list)  # product ids, most frequent first (capped)
    signature: str | None = None
    assessed_by: str | None = None  # assessor id, or "cache" when a cached result was reused
    cold_start: bool = False

    @property
    def constraint_objs(self) -> list[Constraint]:
        return [Constraint.parse(k) for k in self.constraints]

    def persona_weights(self) -> dict[str, float]:
        return {p.id: p.weight for p in self.personas}


def resolve(statements: list[Statement]) -> tuple[list[Statement], dict[str, Effect]]:
    """Replay statements (oldest first): returns them with status filled, and slot -> live effect."""
    owner: dict[str, tuple[int, Effect]] = {}
    ordered = sorted(statements, key=lambda s: s.id)
    by_id = {s.id: s for s in ordered}
    for s in ordered:
        s.replaced = {}
        s.status = StatementStatus.ACTIVE
    for s in ordered:
        for e in s.effects:
            prev = owner.get(e.slot)
            if prev is not None and prev[0] != s.id:
                prev_stmt = by_id[prev[0]]
                same = prev[1].kind == e.kind and prev[1].value == e.value
                if not same:
                    prev_stmt.replaced[e.slot] = s.id
            owner[e.slot] = (s.id, e)
    for s in ordered:
        live_slots = {e.slot for e in s.effects} - set(s.replaced)
        if s.replaced:
            s.status = StatementStatus.REPLACED if not live_slots else StatementStatus.PARTLY_REPLACED
    live = {slot: e for slot, (_, e) in owner.items() if e.kind != EffectKind.CLEAR}
    return ordered, live
