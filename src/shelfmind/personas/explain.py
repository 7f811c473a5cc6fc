"""Per-product explanations built only from catalog facts and the user's profile (template-based, so
every sentence is grounded: each clause quotes the fact evidence computed from catalog fields)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from shelfmind.personas.catalog import PersonaCatalog
from shelfmind.personas.constraints import Constraint
from shelfmind.personas.context import Context
from shelfmind.schemas import Product


class ScoreParts(BaseModel):
    relevance: float = 0.0
    persona: dict[str, tuple[str, float]] = Field(default_factory=dict)  # persona id -> (fact, contribution)
    preference: list[tuple[str, float]] = Field(default_factory=list)  # (fact, contribution)
    context: list[tuple[str, float]] = Field(default_factory=list)  # (fact, contribution)
    session: str | None = None  # "goes with X you just added"
    previously_bought: bool = False

    def personalised(self) -> float:
        return (sum(c for _, c in self.persona.values()) + sum(c for _, c in self.preference)
                + sum(c for _, c in self.context))


def explain(p: Product, facts: dict[str, str], parts: ScoreParts, *, query: str, personas: PersonaCatalog,
            constraints: list[Constraint], context: Context | None, max_clauses: int = 3) -> str:
    clauses: list[str] = []
    used: set[str] = set()
    if query.strip() and parts.relevance >= 0.5:
        clauses.append(f"matches \"{query.strip()[:60]}\"")
    if parts.session:
        clauses.append(parts.session)
    best_persona = sorted(((c, pid, f) for pid, (f, c) in parts.persona.items() if c > 0), reverse=True)
    for _, pid, fact in best_persona[:1]:
        name = personas.get(pid).name
        if fact == "previously_bought":
            clauses.append(f"you have bought it before (fits your {name} profile)")
        elif fact in facts:
            clauses.append(f"{facts[fact]} (fits your {name} profile)")
        used.add(fact)
    for fact, c in sorted(parts.preference, key=lambda x: -x[1]):
        if c > 0 and fact in facts and fact not in used:
            clauses.append(f"{facts[fact]}, as you asked")
            used.add(fact)
            break
    if context is not None and context.describe():
        for fact, c in sorted(parts.context, key=lambda x: -x[1]):
            if c > 0 and fact in facts and fact not in used:
                clauses.append(f"{facts[fact]}, for {context.describe().split(',')[0]}")
                used.add(fact)
                break
    clauses = clauses[:max_clauses]
    if p.price is not None and not any(f"${p.price:.2f}" in c for c in clauses):
        clauses.append(f"${p.price:.2f}")
    if constraints:
        clauses.append("checked: " + ", ".join(c.label.split(" (")[0] for c in constraints))
    text = "; ".join(clauses) if clauses else "a match in the catalog"
    return text[0].upper() + text[1:] + "."
