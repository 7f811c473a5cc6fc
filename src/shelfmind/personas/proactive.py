"""Proactive questions: when the profile is uncertain, ask the one question whose answer would most
change the results, and store the answer as a statement.

Candidates are closed: each persona's yes/no question (from the catalog) and a few constraint
questions. Each is scored by simulating a "yes": how much of the current top-k would change,
times how uncertain the profile is about it (two personas close, cold start, or a constraint that
would remove many results).
"""

from __future__ import annotations

from pydantic import BaseModel

from shelfmind.personas.context import Context
from shelfmind.personas.profile import PersonaWeight, UserProfile
from shelfmind.personas.recommend import Recommender
from shelfmind.personas.statements import EffectKind, parse_rules

CONSTRAINT_QUESTIONS: list[tuple[str, str]] = [
    ("Does anyone in your household eat vegan?", "We're vegan"),
    ("Should we leave out products with peanuts or nuts?", "No peanuts or nuts please"),
    ("Should we leave out alcohol?", "No alcohol please"),
    ("Should we leave out products with gluten?", "No gluten please"),
]


class Question(BaseModel):
    question: str
    yes_statement: str
    expected_change: float  # share of the top-k that a "yes" would change (0..1)
    uncertainty: float
    why: str


def _apply(profile: UserProfile, statement: str) -> UserProfile:
    parsed = parse_rules(statement)
    new = profile.model_copy(deep=True)
    for e in parsed.effects:
        if e.kind == EffectKind.CONSTRAINT and e.value not in new.constraints:
            new.constraints.append(e.value)
        elif e.kind == EffectKind.PREFERENCE:
            new.preferences[e.slot] = e.value
        elif e.kind == EffectKind.PERSONA and e.value not in {p.id for p in new.personas}:
            new.personas.append(PersonaWeight(id=e.value, name=e.value, weight=0.5, source="statement"))
    return new


def propose_question(rec: Recommender, profile: UserProfile, query: str, context: Context | None = None,
                     *, k: int = 10, min_change: float = 0.2) -> Question | None:
    ctx = context or Context()
    base = [p.id for p in rec.recommend_for(query, profile, ctx, k=k).products]
    if not base:
        return None
    weights = sorted(profile.personas, key=lambda p: -p.weight)
    asked = {s.text.lower() for s in profile.statements}
    close = len(weights) >= 2 and weights[0].weight - weights[1].weight <= 0.15
    candidates: list[tuple[str, str, float, str]] = []
    for p in rec.personas.personas:
        if not p.question or p.yes_statement.lower() in asked or any(p.question.lower() in a for a in asked):
            continue
        if profile.cold_start:
            unc, why = 1.0, "we know little about you yet"
        elif close and p.id in {weights[0].id, weights[1].id}:
            unc, why = 1.0, f"you look like both {weights[0].name} and {weights[1].name}"
        elif p.id in {w.id for w in weights}:
            continue
        else:
            unc, why = 0.3, "this would change what we show"
        candidates.append((p.question, p.yes_statement, unc, why))
    for q, stmt in CONSTRAINT_QUESTIONS:
        if stmt.lower() not in asked and not any(q.lower() in a for a in asked):
            candidates.append((q, stmt, 0.5, "a yes would remove products from your results"))
    best: Question | None = None
    for q, stmt, unc, why in candidates:
        after = [p.id for p in rec.recommend_for(query, _apply(profile, stmt), ctx, k=k).products]
        change = 1.0 - len(set(after) & set(base)) / len(base)
        if change >= min_change and (best is None or change * unc > best.expected_change * best.uncertainty):
            best = Question(question=q, yes_statement=stmt, expected_change=round(change, 3), uncertainty=unc,
                            why=why)
    return best
