"""The core mapping: (query, user, context) -> Recommendation (products, explanations, presentation).

score = relevance (search, normalised to 0..1)
      + PERSONAL_WEIGHT * (persona boosts + stated preferences + context boosts + session)
after a HARD filter on the user's constraints (zero violations, checked on every product shown,
complements and theme members included).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from typing import Any, Protocol

from shelfmind.errors import ShelfmindError
from shelfmind.knowledge.base import KnowledgeLookup
from shelfmind.personas.catalog import PersonaCatalog
from shelfmind.personas.constraints import Constraint, first_violation
from shelfmind.personas.context import Context
from shelfmind.personas.explain import ScoreParts, explain
from shelfmind.personas.facts import FactBook
from shelfmind.personas.profile import UserProfile
from shelfmind.schemas import (
    Presentation,
    PresentationKind,
    Recommendation,
    RecommendedProduct,
    RelationKind,
    ThemeBlock,
)
from shelfmind.search.base import ProductSearcher

log = logging.getLogger(__name__)

PERSONAL_WEIGHT = 0.35
CANDIDATES = 100
# category -> categories that usually go with it (fallback complements when the KB has none)
COMPLEMENT_CATEGORIES: dict[str, tuple[str, ...]] = {
    "pasta_grains": ("sauces_condiments", "dairy"),
    "breakfast": ("spreads", "dairy", "coffee_tea"),
    "snacks": ("beverages",),
    "baking": ("dairy", "spreads"),
    "meat": ("sauces_condiments", "bakery"),
    "seafood": ("sauces_condiments", "pasta_grains"),
    "coffee_tea": ("dairy", "baking"),
    "bakery": ("spreads", "dairy"),
    "dairy": ("bakery", "breakfast"),
    "plant_protein": ("sauces_condiments", "pasta_grains"),
    "frozen": ("beverages",),
    "soups_meals": ("bakery",),
    "beverages": ("snacks",),
    "alcohol": ("snacks",),
}

CATEGORY_QUERY = {"sauces_condiments": "sauce", "dairy": "milk", "spreads": "jam", "beverages": "juice",
                  "coffee_tea": "coffee", "bakery": "bread", "breakfast": "cereal", "pasta_grains": "pasta",
                  "snacks": "chips", "baking": "flour"}


class ProfileSource(Protocol):
    def profile(self, user_id: str) -> UserProfile: ...


class Recommender:
    def __init__(self, searcher: ProductSearcher, book: FactBook, users: ProfileSource, personas: PersonaCatalog,
                 knowledge: KnowledgeLookup | None = None) -> None:
        self.searcher = searcher
        self.book = book
        self.users = users
        self.personas = personas
        self.knowledge = knowledge

    # ---- public -----------------------------------------------------------------------------
    def recommend(self, query: str, user_id: str | None = None, context: Context | str | dict[str, Any] | None = None,
                  *, k: int = 10) -> Recommendation:
        profile = self.users.profile(user_id) if user_id else UserProfile(user_id="", cold_start=True)
        ctx = context if isinstance(context, Context) else Context.parse(context)
        return self.recommend_for(query, profile, ctx, k=k)

    def recommend_for(self, query: str, profile: UserProfile, context: Context, *, k: int = 10) -> Recommendation:
        ctx = context.resolved()
        constraints = profile.constraint_objs
        themes = self._kb_themes(query)
        relevance = self._candidates(query, themes)
        scored: dict[str, tuple[float, ScoreParts]] = {}
        removed = 0
        for pid, rel in relevance.items():
            p = self.book.products.get(pid)
            if p is None or not p.in_stock or pid in ctx.added:
                continue
            if first_violation(p, constraints):
                removed += 1
                continue
            scored[pid] = self._score(pid, rel, profile, ctx)
        ranked = sorted(scored, key=lambda pid: (-scored[pid][0], pid))
        presentation = self._present(query, ranked, scored, themes, constraints, profile, ctx)
        order = self._final_order(ranked, presentation)[:k]
        theme_of = {pid: t.name for t in presentation.themes for pid in t.product_ids}
        products = []
        for pid in order:
            p = self.book.products[pid]
            score, parts = scored.get(pid) or self._score(pid, 0.0, profile, ctx)
            products.append(RecommendedProduct(
                id=pid, name=p.name, price=p.price, score=round(score, 4), theme=theme_of.get(pid),
                explanation=explain(p, self.book.facts(pid), parts, query=query, personas=self.personas,
                                    constraints=constraints, context=ctx),
            ))
        return Recommendation(
            query=query, user_id=profile.user_id or None, products=products, presentation=presentation,
            personas=profile.persona_weights(), constraints=[c.label for c in constraints],
            context=ctx.model_dump(mode="json"), removed_by_constraints=removed,
        )

    # ---- candidates and scoring -------------------------------------------------------------
    def _kb_themes(self, query: str) -> list[Any]:
        if self.knowledge is None or not query.strip():
            return []
        try:
            return list(self.knowledge.themes_for(query, limit=6))
        except ShelfmindError as exc:  # an empty or missing KB degrades to category grouping
            log.debug("no themes from the knowledge base: %s", exc)
            return []

    def _candidates(self, query: str, themes: Sequence[Any]) -> dict[str, float]:
        out: dict[str, float] = {}
        if query.strip():
            hits = self.searcher.search(query, k=CANDIDATES)
            missing = [h.id for h in hits if h.id not in self.book]
            if missing:
                log.debug("%d hits are not in the fact book", len(missing))
            top = max((h.score for h in hits), default=0.0) or 1.0
            out = {h.id: max(0.0, h.score / top) for h in hits}
        else:  # no query: the whole (in-memory) catalog, ranked by profile only
            out = dict.fromkeys(list(self.book.products)[:5000], 0.0)
        for t in themes:
            for pid in t.product_ids:
                out.setdefault(pid, 0.3)
        return out

    def _score(self, pid: str, rel: float, profile: UserProfile, ctx: Context) -> tuple[float, ScoreParts]:
        facts = set(self.book.facts(pid))
        parts = ScoreParts(relevance=rel)
        if pid in profile.history:
            facts.add("previously_bought")
            parts.previously_bought = True
        for pw in profile.personas:
            persona = self.personas.get(pw.id)
            contrib = [(f, w * pw.weight) for f, w in persona.boosts.items() if f in facts]
            if contrib:
                best = max(contrib, key=lambda x: x[1])
                parts.persona[pw.id] = (best[0], sum(c for _, c in contrib))
        for slot, value in profile.preferences.items():
            if slot == "price":
                table = {"budget": 0.6, "premium_price": -0.5} if value == "budget" else \
                    {"premium_price": 0.6, "premium_words": 0.3, "budget": -0.5}
                parts.preference += [(f, w) for f, w in table.items() if f in facts]
            elif slot.startswith("pref:") and slot[5:] in facts:
                parts.preference.append((slot[5:], 0.5 if value == "+" else -0.5))
        parts.context = [(f, w) for f, w in ctx.boosts().items() if f in facts]
        session = 0.0
        related = self._session_related(ctx)
        if pid in related:
            parts.session = related[pid]
            session = 0.5
        return rel + PERSONAL_WEIGHT * (parts.personalised() + session), parts

    def _session_related(self, ctx: Context) -> dict[str, str]:
        out: dict[str, str] = {}
        for source, verb in ((ctx.added, "just added"), (ctx.viewed, "just viewed")):
            for src in source[:5]:
                if src not in self.book:
                    continue
                for dst in self._complements(src, limit=10):
                    out.setdefault(dst, f"goes with {self.book.products[src].name} you {verb}")
        return out

    def _complements(self, pid: str, *, limit: int) -> list[str]:
        if self.knowledge is not None:
            try:
                rels = self.knowledge.relations(pid, [RelationKind.COMPLEMENT, RelationKind.PAIRING], limit=limit)
                if rels:
                    return [r.dst_id for r in rels if r.dst_id in self.book]
            except ShelfmindError as exc:
                log.debug("no relations from the knowledge base: %s", exc)
        cats = COMPLEMENT_CATEGORIES.get(self.book.category.get(pid, ""), ())
        if not cats:
            return []
        out: list[str] = []
        for cat in cats:
            hits = self.searcher.search(CATEGORY_QUERY.get(cat, cat.split("_")[0]), k=30)
            out += [h.id for h in hits if self.book.category.get(h.id) == cat and h.id != pid][:3]
        return out[:limit]

    # ---- presentation -----------------------------------------------------------------------
    def _is_specific(self, query: str, ranked: list[str], themes: Sequence[Any]) -> bool:
        if not query.strip() or themes:
            return False
        top = ranked[:10]
        if not top:
            return True
        cats: dict[str, int] = defaultdict(int)
        for pid in top:
            cats[self.book.category.get(pid, "other")] += 1
        return max(cats.values()) >= 0.6 * len(top)

    def _present(self, query: str, ranked: list[str], scored: dict[str, tuple[float, ScoreParts]],
                 themes: Sequence[Any], constraints: list[Constraint], profile: UserProfile,
                 ctx: Context) -> Presentation:
        if self._is_specific(query, ranked, themes):
            comps: list[str] = []
            if ranked:
                comps = [c for c in self._complements(ranked[0], limit=20)
                         if c != ranked[0] and self._allowed(c, constraints)][:4]
            best = [pid for pid in ranked if pid not in comps][:6]
            blocks = [ThemeBlock(name="Best matches", explanation=f"Products matching \"{query}\".", product_ids=best)]
            if comps:
                top = self.book.products[ranked[0]]
                blocks.append(ThemeBlock(name=f"Goes well with {top.name}",
                                         explanation="Products often used together with the best match.",
                                         product_ids=comps))
            return Presentation(kind=PresentationKind.SPECIFIC, themes=blocks)
        ranked_blocks: list[tuple[float, ThemeBlock]] = []
        for t in themes:  # knowledge-base themes, constrained and re-ranked for this user
            ids = [pid for pid in t.product_ids if pid in scored]
            ids.sort(key=lambda pid: -scored[pid][0])
            if len(ids) >= 2:
                ranked_blocks.append((sum(scored[p][0] for p in ids[:4]) / len(ids[:4]),
                               ThemeBlock(name=t.name, explanation=t.explanation, product_ids=ids[:6])))
        if not ranked_blocks:  # no KB themes: diverse groups by product category
            groups: dict[str, list[str]] = defaultdict(list)
            for pid in ranked[:60]:
                groups[self.book.category.get(pid, "other")].append(pid)
            multi = sum(1 for ids in groups.values() if len(ids) >= 2)
            for cat, ids in groups.items():
                if len(ids) >= 2 or multi < 2:
                    label = cat.replace("_", " ").title()
                    ranked_blocks.append((scored[ids[0]][0], ThemeBlock(
                        name=label, explanation=f"{label} products for \"{query or 'you'}\".", product_ids=ids[:5])))
        ranked_blocks.sort(key=lambda b: -b[0])
        return Presentation(kind=PresentationKind.BROAD, themes=[b for _, b in ranked_blocks[:5]])

    def _allowed(self, pid: str, constraints: list[Constraint]) -> bool:
        p = self.book.products.get(pid)
        return p is not None and p.in_stock and first_violation(p, constraints) is None

    @staticmethod
    def _final_order(ranked: list[str], presentation: Presentation) -> list[str]:
        if presentation.kind == PresentationKind.SPECIFIC:
            extra = [pid for t in presentation.themes[1:] for pid in t.product_ids]
            head = [pid for pid in ranked if pid not in extra]
            return head[:7] + extra + head[7:]
        # broad: round-robin over themes for diversity, then the rest
        order: list[str] = []
        lists = [list(t.product_ids) for t in presentation.themes]
        while any(lists):
            for lst in lists:
                if lst:
                    pid = lst.pop(0)
                    if pid not in order:
                        order.append(pid)
        return order + [pid for pid in ranked if pid not in order]
