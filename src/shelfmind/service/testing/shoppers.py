"""In-memory doubles of the personas module: demo users with persona weights and statements, and a
recommender whose results depend on the query, the user's personas and their statements."""

from __future__ import annotations

import itertools
import threading
from typing import Any

from shelfmind.errors import NotFound
from shelfmind.schemas import (
    Presentation,
    PresentationKind,
    Recommendation,
    RecommendedProduct,
    ThemeBlock,
)
from shelfmind.search.base import ProductSearcher
from shelfmind.service.models import StatementOut, UserOut
from shelfmind.service.testing.rules import (
    PERSONA_BOOSTS,
    REASONS,
    boost,
    category,
    parse_statement,
    violates,
)

# the double returns the API's own shapes
Statement = StatementOut
Profile = UserOut


DEMO_USERS = [
    Profile(id="maya", name="Maya", description="Cooks from scratch, watches her sugar",
            personas={"Health-conscious": 0.7, "Organic lover": 0.3}),
    Profile(id="ben", name="Ben", description="Student, feeds himself on a tight budget",
            personas={"Budget shopper": 0.9, "Sweet tooth": 0.1}),
    Profile(id="lucia", name="Lucia", description="Bakes for the family every weekend",
            personas={"Sweet tooth": 0.8, "Organic lover": 0.2}),
]


class InMemoryUsers:
    def __init__(self, users: list[Profile] | None = None) -> None:
        self._users = {u.id: u.model_copy(deep=True) for u in (users or DEMO_USERS)}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def list_users(self) -> list[Profile]:
        return list(self._users.values())

    def get_profile(self, user_id: str) -> Profile:
        if user_id not in self._users:
            raise NotFound(f"no user {user_id!r}")
        return self._users[user_id]

    def add_statement(self, user_id: str, text: str) -> Statement:
        parsed = parse_statement(text)
        with self._lock:
            st = Statement(id=str(next(self._ids)), text=text, constraints=parsed.constraints,
                           preferences=parsed.preferences)
            self.get_profile(user_id).statements.append(st)
        return st

    def delete_statement(self, user_id: str, statement_id: str) -> None:
        with self._lock:
            profile = self.get_profile(user_id)
            before = len(profile.statements)
            profile.statements = [s for s in profile.statements if s.id != statement_id]
            if len(profile.statements) == before:
                raise NotFound(f"user {user_id!r} has no statement {statement_id!r}")


class PersonaRecommender:
    """search -> hard constraints from statements -> persona/preference boosts -> themes by category."""

    def __init__(self, searcher: ProductSearcher, catalog: Any, users: InMemoryUsers, *, pool: int = 80) -> None:
        self.searcher, self.catalog, self.users, self.pool = searcher, catalog, users, pool

    def recommend(self, query: str, user_id: str | None, context: dict[str, Any] | None = None) -> Recommendation:
        profile = self.users.get_profile(user_id) if user_id else None
        personas = dict(profile.personas) if profile else {}
        excluded: set[str] = set()
        constraints: list[str] = []
        prefs: dict[str, float] = {}
        for name, weight in personas.items():
            if name in PERSONA_BOOSTS:
                prefs[PERSONA_BOOSTS[name]] = prefs.get(PERSONA_BOOSTS[name], 0.0) + weight
        for st in profile.statements if profile else []:
            parsed = parse_statement(st.text)
            excluded |= parsed.excluded
            constraints += [c for c in parsed.constraints if c not in constraints]
            for p in parsed.preferences:
                prefs[p] = prefs.get(p, 0.0) + 1.5  # what a shopper says outweighs the persona guess
        hits = self.searcher.search(query, k=self.pool * (4 if excluded else 1))  # dig deeper past exclusions
        products = self.catalog.get_many([h.id for h in hits])
        top = max((h.score for h in hits), default=1.0) or 1.0
        scored: list[tuple[float, RecommendedProduct]] = []
        removed = 0
        for h in hits:
            p = products.get(h.id)
            if p is None:
                continue
            if excluded and violates(p, excluded):
                removed += 1
                continue
            fits = {k: boost(p, k) * w for k, w in prefs.items()}
            score = h.score / top + sum(fits.values())
            reasons = [REASONS[k] for k, v in sorted(fits.items(), key=lambda kv: -kv[1]) if v > 0.2][:2]
            why = f"Matches “{query}”" + (f"; {' and '.join(reasons)}" if reasons else "")
            if constraints:
                why += f"; fits: {', '.join(constraints)}"
            scored.append((score, RecommendedProduct(id=p.id, name=p.name, explanation=why, score=round(score, 4),
                                                     price=p.price, theme=category(p)[0])))
        scored.sort(key=lambda sp: (-sp[0], sp[1].id))
        ranked = [rp for _, rp in scored]
        blocks: dict[str, ThemeBlock] = {}
        for rp in ranked:
            name = rp.theme or "More to explore"
            if name not in blocks:
                blocks[name] = ThemeBlock(name=name, explanation=category(products[rp.id])[1])
            if len(blocks[name].product_ids) < 8:
                blocks[name].product_ids.append(rp.id)
        kind = PresentationKind.BROAD if len(blocks) > 2 else PresentationKind.SPECIFIC
        return Recommendation(
            query=query, user_id=user_id, products=ranked, personas=personas, constraints=constraints,
            context=dict(context or {}), removed_by_constraints=removed,
            presentation=Presentation(kind=kind, themes=list(blocks.values())[:5]),
        )
