"""Theme drafts: from planned themes to distinct, non-overlapping groups of grounded products.

A plan's themes are first made distinct (a name or an item seen before is dropped), each item is
grounded in the catalog, drafts whose candidate products overlap heavily (or whose names are the same
words) merge, and every product is then assigned to exactly one theme: the one it grounded best for.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from shelfmind.knowledge.facts import content_tokens, normalise
from shelfmind.knowledge.grounding import Grounded, Grounder
from shelfmind.knowledge.models import PlannedTheme


@dataclass
class Candidate:
    grounded: Grounded
    product_type: str
    anchor: bool = False  # the searched product itself (specific queries): always kept first
    reason: str = ""  # the explanation, set from the theme it is verified for

    @property
    def id(self) -> str:
        return self.grounded.product.id


@dataclass
class Draft:
    name: str
    reason: str
    items: list[str]
    candidates: list[Candidate] = field(default_factory=list)
    ungrounded: list[str] = field(default_factory=list)

    def ids(self) -> set[str]:
        return {c.id for c in self.candidates}

    def strong_ids(self) -> set[str]:
        """Candidates whose name holds every word of the kind they grounded for (loose matches such as
        "tortilla chips" for "potato chips" do not make two themes the same)."""
        return {c.id for c in self.candidates if c.anchor or c.grounded.overlap >= 1.0}


def drafts_from(themes: Iterable[PlannedTheme], *, seen_names: Iterable[str] = (),
                seen_items: Iterable[str] = ()) -> list[Draft]:
    """Distinct drafts: a theme whose name repeats an earlier one is dropped, an item already proposed
    (in any theme) is dropped, and a theme left without items is dropped."""
    names = {normalise(n) for n in seen_names}
    items_seen = {normalise(i) for i in seen_items}
    out: list[Draft] = []
    for theme in themes:
        key = normalise(theme.name)
        if not key or key in names:
            continue
        items = []
        for item in theme.items:
            k = normalise(item)
            if k and k not in items_seen:
                items_seen.add(k)
                items.append(item.strip())
        if items:
            names.add(key)
            out.append(Draft(name=theme.name.strip(), reason=theme.reason.strip(), items=items))
    return out


def ground_drafts(drafts: Sequence[Draft], grounder: Grounder, *, per_item: int) -> None:
    """Candidates for every item of every draft (no exclusion yet: overlap is measured on these)."""
    for d in drafts:
        have = {c.id for c in d.candidates}
        for item in d.items:
            found = grounder.ground(item, item, k=per_item, exclude=list(have))
            if not found:
                d.ungrounded.append(item)
            for g in found:
                have.add(g.product.id)
                d.candidates.append(Candidate(grounded=g, product_type=item))


def _same_name(a: str, b: str) -> bool:
    """The same content words ("Salty Snacks" / "snacks, salty"); "Spaghetti" and "Spaghetti Sauce" differ."""
    ta, tb = set(content_tokens(a)), set(content_tokens(b))
    return bool(ta) and ta == tb


def merge_overlapping(drafts: Sequence[Draft], *, threshold: float = 0.6, min_shared: int = 2) -> list[Draft]:
    """Merge a draft into an earlier one when their names have the same content words or their strong
    candidates overlap heavily: at least `min_shared` products
    and an overlap coefficient (shared / smaller set) >= threshold."""
    kept: list[Draft] = []
    for d in drafts:
        target = None
        for k in kept:
            a, b = k.strong_ids(), d.strong_ids()
            shared = len(a & b)
            heavy = shared >= min_shared and shared / min(len(a), len(b)) >= threshold
            if _same_name(k.name, d.name) or heavy:
                target = k
                break
        if target is None:
            kept.append(d)
            continue
        have = target.ids()
        target.items += [i for i in d.items if i not in target.items]
        target.candidates += [c for c in d.candidates if c.id not in have]
        target.ungrounded += d.ungrounded
    return kept


def assign_exclusive(drafts: Sequence[Draft], *, max_size: int, used: Iterable[str] = ()) -> list[list[Candidate]]:
    """Each product in one theme only: the draft where it grounded with the highest score (the earlier
    draft on ties); anchors stay where they are. Products in `used` (earlier themes) are skipped."""
    taken = set(used)
    best: dict[str, tuple[float, int]] = {}
    for i, d in enumerate(drafts):
        for c in d.candidates:
            rank = (2.0 if c.anchor else c.grounded.score, -i)
            if c.id not in taken and (c.id not in best or rank > best[c.id]):
                best[c.id] = rank
    out: list[list[Candidate]] = []
    for i, d in enumerate(drafts):
        members = [c for c in d.candidates if c.id in best and best[c.id][1] == -i]
        members.sort(key=lambda c: (not c.anchor, -c.grounded.score, c.id))
        seen: set[str] = set()
        chosen = []
        for c in members:
            if c.id not in seen:
                seen.add(c.id)
                chosen.append(c)
        out.append(chosen[:max_size])
    return out


def overlap_share(groups: Sequence[Sequence[str]]) -> float:
    """Share of product slots that repeat a product of another group (0 = fully distinct)."""
    total = sum(len(g) for g in groups)
    distinct = len({pid for g in groups for pid in g})
    return 0.0 if total == 0 else round(1 - distinct / total, 4)
