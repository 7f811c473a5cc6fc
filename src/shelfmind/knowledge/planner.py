"""Intent -> themed, grounded, verified product links.

One LLM call plans the intent: its kind and 3-5 themes (name, reason, 2-4 product kinds each). Themes
are made distinct (names, items), every kind is grounded in real catalog products, drafts whose
products overlap heavily merge, and each product goes to one theme only (see `themes`). Assigned
products are verified (the theme's reason is the claim); themes keep non-rejected products, are topped
up from their kinds and name when small, and need `min_theme_size` products. A broad intent left with
fewer than `min_themes` themes (a specific query: fewer than 2, the product and its complements) first
has its multi-kind themes split into one theme per kind (no LLM call), then, if still short, one more
LLM call (kb_more_themes) for themes unlike the ones it has. A specific query's first theme is anchored on the searched product itself. Co-engagement
(shoppers' clicks after the query) adds a theme of its own and boosts LLM themes it agrees with.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from shelfmind.errors import DataError, ValidationFailed
from shelfmind.knowledge.domains import Domain, DomainName, get_domain
from shelfmind.knowledge.facts import head_noun, normalise, tokens
from shelfmind.knowledge.grounding import Grounded, Grounder
from shelfmind.knowledge.models import IntentPlan, MoreThemes, Verdict
from shelfmind.knowledge.themes import (
    Candidate,
    Draft,
    assign_exclusive,
    drafts_from,
    ground_drafts,
    merge_overlapping,
)
from shelfmind.knowledge.verifier import Verifier
from shelfmind.llm.base import LLM
from shelfmind.llm.prompts import load_prompt
from shelfmind.llm.structured import Structured, complete
from shelfmind.schemas import AssertionStatus, IntentLink, PresentationKind, Provenance, Theme


class EngagementLog:
    """query -> products engaged with after it (JSONL: {"query": ..., "product_ids": [...]})."""

    def __init__(self, rows: dict[str, Counter[str]] | None = None) -> None:
        self.rows: dict[str, Counter[str]] = rows or {}

    @classmethod
    def load(cls, path: Path | str) -> EngagementLog:
        rows: dict[str, Counter[str]] = {}
        path = Path(path)
        with path.open(encoding="utf-8") as fh:
            for i, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                    ids = [str(x) for x in rec["product_ids"]]
                    rows.setdefault(normalise(str(rec["query"])), Counter()).update(ids)
                except (json.JSONDecodeError, KeyError, TypeError) as exc:
                    raise DataError(f"bad engagement row: {exc}", file=str(path), row=i) from exc
        return cls(rows)

    def engaged(self, query: str) -> Counter[str]:
        return self.rows.get(normalise(query), Counter())


@dataclass
class IntentResult:
    key: str
    kind: PresentationKind
    links: list[IntentLink] = field(default_factory=list)
    themes: list[Theme] = field(default_factory=list)
    proposals: int = 0
    ungrounded: list[str] = field(default_factory=list)
    planned_themes: int = 0  # distinct themes the LLM proposed (all calls)
    merged: int = 0  # drafts merged into another for overlapping products
    llm_calls: int = 1  # planning calls (1, or 2 with kb_more_themes)
    split: int = 0  # multi-kind themes split into one theme per kind (broad intents with too few themes)


def provenance(out: Structured[IntentPlan] | Structured, created_at: str | None = None) -> Provenance:
    t = out.trace
    return Provenance(model=t.model, prompt=t.prompt, prompt_version=t.prompt_version,
                      inputs_hash=t.inputs_hash, created_at=created_at)


class IntentPipeline:
    def __init__(
        self,
        llm: LLM,
        grounder: Grounder,
        verifier: Verifier,
        *,
        engagement: EngagementLog | None = None,
        products_per_kind: int = 2,
        min_theme_size: int = 3,
        max_theme_size: int = 6,
        min_themes: int = 3,
        max_themes: int = 6,
        domain: Domain | DomainName | str = DomainName.GROCERY,
    ) -> None:
        self.llm = llm
        self.grounder = grounder
        self.verifier = verifier
        self.engagement = engagement or EngagementLog()
        self.products_per_kind = products_per_kind
        self.min_theme_size = min_theme_size
        self.max_theme_size = max(max_theme_size, min_theme_size)
        self.min_themes = min_themes
        self.max_themes = max_themes
        self.domain = domain if isinstance(domain, Domain) else get_domain(domain)
        self.prompt = load_prompt("kb_intent_plan")
        self.more_prompt = load_prompt("kb_more_themes")

    def plan(self, intent: str) -> Structured[IntentPlan]:
        return complete(self.llm, self.prompt, IntentPlan, intent=intent[:200], max_tokens=480,
                        **self.domain.variables())

    def more_themes(self, intent: str, existing: list[Draft]) -> Structured[MoreThemes]:
        listing = "\n".join(f"- {d.name}: {', '.join(d.items)}" for d in existing) or "- (none)"
        v = {k: x for k, x in self.domain.variables().items() if k in ("store", "item_rule", "item_examples")}
        return complete(self.llm, self.more_prompt, MoreThemes, intent=intent[:200], existing=listing[:800],
                        max_tokens=320, **v)

    def run(self, intent: str) -> IntentResult:
        out = self.plan(intent)
        prov = provenance(out)
        plan = out.value
        named = self._named_products(intent)
        result = IntentResult(key=normalise(intent), kind=self._kind(intent, plan.kind, named))
        drafts = drafts_from(plan.themes)
        if result.kind == PresentationKind.SPECIFIC:
            self._anchor(intent, drafts, named)
        verdicts: dict[str, tuple[Candidate, Verdict, Provenance]] = {}
        themes = self._materialise(intent, drafts, result, verdicts, prov)
        wanted = self.min_themes if result.kind == PresentationKind.BROAD else 2  # specific: product + complements
        if len(themes) < wanted:
            themes = self._split(intent, themes, result, verdicts, prov, wanted)
        more: Structured[MoreThemes] | None = None
        if len(themes) < wanted:
            result.llm_calls += 1
            try:
                more = self.more_themes(intent, drafts)
            except ValidationFailed:  # keep the themes we have; the intent itself is fine
                more = None
        if more is not None:
            extra = drafts_from(more.value.themes, seen_names=[d.name for d in drafts],
                                seen_items=[i for d in drafts for i in d.items])
            used = [pid for t in themes for pid in t[1]]
            themes += self._materialise(intent, extra, result, verdicts, provenance(more), used=used)
        result.links = [self._link(result.key, c, v, p) for c, v, p in verdicts.values()]
        result.themes = self._themes(intent, themes[: self.max_themes], verdicts)
        return result

    def _named_products(self, intent: str) -> list[Grounded]:
        """Catalog products whose name holds every content word of the intent ("spaghetti")."""
        return [g for g in self.grounder.ground(intent, intent, k=self.max_theme_size) if g.overlap >= 1.0]

    @staticmethod
    def _kind(intent: str, proposed: PresentationKind, named: list[Grounded]) -> PresentationKind:
        """Specific only when the catalog has products named by the query, and either the LLM says so or
        such a product's head noun is in the query ("tortilla chips"); the small model calls occasions
        such as "movie night" specific, and nothing in the catalog is named "movie night"."""
        if not named:
            return PresentationKind.BROAD
        if proposed == PresentationKind.SPECIFIC:
            return proposed
        words = set(tokens(intent))
        heads = {head_noun(g.product.name) for g in named}
        return PresentationKind.SPECIFIC if words & {h for h in heads if h} else PresentationKind.BROAD

    def _anchor(self, intent: str, drafts: list[Draft], named: list[Grounded]) -> None:
        """A specific query: a first theme of the searched product itself (the LLM's themes are its
        complements; one named like the query merges into it)."""
        if not named:
            return
        q = " ".join(intent.split())
        anchors = [Candidate(grounded=g, product_type=q[:48], anchor=True) for g in named]
        title = " ".join(w if w.isupper() else w.capitalize() for w in q.split())
        drafts.insert(0, Draft(name=title[:48], reason=f"The {q[:60]} you searched for.", items=[],
                               candidates=anchors))

    def _materialise(self, intent: str, drafts: list[Draft], result: IntentResult,
                     verdicts: dict[str, tuple[Candidate, Verdict, Provenance]], prov: Provenance,
                     *, used: list[str] | None = None) -> list[tuple[Draft, list[str]]]:
        """Ground, merge, assign, verify and top up drafts -> (draft, member ids) with >= min size."""
        result.planned_themes += len(drafts)
        ground_drafts(drafts, self.grounder, per_item=self.products_per_kind)
        result.proposals += sum(len(d.items) for d in drafts)
        result.ungrounded += [u for d in drafts for u in d.ungrounded]
        merged = merge_overlapping(drafts)
        result.merged += len(drafts) - len(merged)
        taken = set(used or [])
        groups = assign_exclusive(merged, max_size=self.max_theme_size, used=taken)
        out: list[tuple[Draft, list[str]]] = []
        for draft, cands in zip(merged, groups, strict=True):
            members = [c.id for c in cands if self._verify(intent, draft, c, verdicts, prov)]
            taken.update(c.id for c in cands)
            if len(members) < self.min_theme_size:
                members += self._top_up(intent, draft, members, taken, verdicts, prov)
            # the searched product's own theme shows whatever the catalog has of it (even 1 or 2 products)
            if len(members) >= self.min_theme_size or (members and any(c.anchor for c in cands)):
                out.append((draft, members))
        return out

    def _split(self, intent: str, themes: list[tuple[Draft, list[str]]], result: IntentResult,
               verdicts: dict[str, tuple[Candidate, Verdict, Provenance]],
               prov: Provenance, wanted: int) -> list[tuple[Draft, list[str]]]:
        """Too few themes (broad: < min_themes, specific: < 2): split the multi-kind themes into one theme per kind
        ("Movie Night Snacks" -> "Popcorn", "Chips", "Cookies") where each kind grounds >= min size
        products on its own. No LLM call; the cheaper first step before kb_more_themes."""
        out = list(themes)
        for draft, _ in sorted(themes, key=lambda t: -len(t[0].items)):
            if len(out) >= wanted or len(draft.items) < 2 or any(c.anchor for c in draft.candidates):
                continue
            parts = [Draft(name=item.strip().title()[:48], reason=draft.reason, items=[item]) for item in draft.items]
            ground_drafts(parts, self.grounder, per_item=self.max_theme_size)
            others = [pid for d, ids in out if d is not draft for pid in ids]
            groups = assign_exclusive(parts, max_size=self.max_theme_size, used=others)
            split: list[tuple[Draft, list[str]]] = []
            for part, cands in zip(parts, groups, strict=True):
                ids = [c.id for c in cands if c.grounded.overlap >= 1.0 and self._verify(intent, part, c, verdicts, prov)]
                if len(ids) >= self.min_theme_size:
                    split.append((part, ids))
            if len(split) >= 2:
                i = next(j for j, (d, _) in enumerate(out) if d is draft)
                out[i:i + 1] = split
                result.split += 1
        return out

    def _top_up(self, intent: str, draft: Draft, members: list[str], taken: set[str],
                verdicts: dict[str, tuple[Candidate, Verdict, Provenance]], prov: Provenance) -> list[str]:
        """More products for a small theme: its kinds and its name searched deeper, keeping only
        products whose name holds every content word of the query (stricter than first grounding)."""
        added: list[str] = []
        need = self.min_theme_size - len(members)
        for query in dict.fromkeys([*draft.items, draft.name]):
            for g in self.grounder.ground(query, query, k=need + 2, exclude=list(taken)):
                if g.overlap < 1.0:
                    continue
                taken.add(g.product.id)
                if self._verify(intent, draft, Candidate(grounded=g, product_type=query), verdicts, prov):
                    added.append(g.product.id)
                if len(added) >= need:
                    return added
        return added

    def _verify(self, intent: str, draft: Draft, c: Candidate,
                verdicts: dict[str, tuple[Candidate, Verdict, Provenance]], prov: Provenance) -> bool:
        if c.id not in verdicts:
            c.reason = draft.reason
            verdict = self.verifier.verify(c.grounded.product, intent, draft.reason, c.product_type)
            verdicts[c.id] = (c, verdict, prov)
        return verdicts[c.id][1].status != AssertionStatus.REJECTED

    @staticmethod
    def _link(key: str, c: Candidate, v: Verdict, prov: Provenance) -> IntentLink:
        return IntentLink(intent=key, product_id=c.id, product_type=c.product_type, explanation=c.reason,
                          evidence=c.grounded.evidence, score=c.grounded.score, verifier_score=v.score,
                          status=v.status, provenance=prov)

    def _themes(self, intent: str, members: list[tuple[Draft, list[str]]],
                verdicts: dict[str, tuple[Candidate, Verdict, Provenance]]) -> list[Theme]:
        engaged = self.engagement.engaged(intent)
        known = self.grounder.products.get_many(list(engaged)) if engaged else {}
        themes: list[Theme] = []
        for draft, ids in members:
            agree = sum(1 for i in ids if i in engaged)
            mean = sum(verdicts[i][1].score if i in verdicts else 0.3 for i in ids) / len(ids)
            themes.append(Theme(
                name=draft.name, product_ids=ids, score=round(mean + 0.2 * agree / len(ids), 4),
                source="llm+co_engagement" if agree else "llm", explanation=draft.reason[:300],
            ))
        popular = [pid for pid, _ in engaged.most_common(8) if pid in known and known[pid].in_stock]
        if len(popular) >= self.min_theme_size:
            themes.append(Theme(name=f"Popular for {intent}", product_ids=popular, source="co_engagement",
                                explanation="what shoppers engaged with after this search", score=0.5))
        return themes
