"""Intent -> themed, grounded, verified product links.

One LLM call plans the intent (kind + up to 3 themes of product kinds, each with a reason); every
kind is grounded in real catalog products; every (intent, product, reason) link is verified;
themes keep only non-rejected products and need at least `min_theme_size` of them. Co-engagement
(shoppers' clicks after the query) adds a theme of its own and boosts LLM themes it agrees with.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from shelfmind.errors import DataError
from shelfmind.knowledge.facts import normalise
from shelfmind.knowledge.grounding import Grounder
from shelfmind.knowledge.models import IntentPlan
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
    ) -> None:
        self.llm = llm
        self.grounder = grounder
        self.verifier = verifier
        self.engagement = engagement or EngagementLog()
        self.products_per_kind = products_per_kind
        self.min_theme_size = min_theme_size
        self.prompt = load_prompt("kb_intent_plan")

    def plan(self, intent: str) -> Structured[IntentPlan]:
        return complete(self.llm, self.prompt, IntentPlan, intent=intent[:200], max_tokens=360)

    def run(self, intent: str) -> IntentResult:
        out = self.plan(intent)
        prov = provenance(out)
        plan = out.value
        key = normalise(intent)
        result = IntentResult(key=key, kind=plan.kind)
        by_product: dict[str, IntentLink] = {}
        theme_members: list[tuple[str, list[str]]] = []
        for theme in plan.themes:
            members: list[str] = []
            for item in theme.items:
                result.proposals += 1
                grounded = self.grounder.ground(item.product_type, item.search_query, k=self.products_per_kind,
                                                exclude=list(by_product))
                if not grounded:
                    result.ungrounded.append(item.product_type)
                    continue
                for g in grounded:
                    verdict = self.verifier.verify(g.product, intent, item.reason, item.product_type)
                    link = IntentLink(
                        intent=key, product_id=g.product.id, product_type=item.product_type,
                        explanation=item.reason, evidence=g.evidence, score=g.score,
                        verifier_score=verdict.score, status=verdict.status, provenance=prov,
                    )
                    by_product[g.product.id] = link
                    if verdict.status != AssertionStatus.REJECTED:
                        members.append(g.product.id)
            theme_members.append((theme.name, members))
        result.links = list(by_product.values())
        result.themes = self._themes(intent, theme_members, by_product)
        return result

    def _themes(self, intent: str, members: Sequence[tuple[str, list[str]]], links: dict[str, IntentLink]) -> list[Theme]:
        engaged = self.engagement.engaged(intent)
        known = self.grounder.products.get_many(list(engaged)) if engaged else {}
        themes: list[Theme] = []
        used: set[str] = set()
        for name, ids in members:
            ids = [i for i in ids if i not in used]
            if len(ids) < self.min_theme_size:  # top up from the theme name itself
                extra = self.grounder.ground(name, name, k=self.min_theme_size, exclude=[*used, *ids])
                ids += [g.product.id for g in extra][: self.min_theme_size - len(ids)]
            if len(ids) < self.min_theme_size:
                continue
            agree = sum(1 for i in ids if i in engaged)
            mean = sum((links[i].verifier_score or 0.0) if i in links else 0.3 for i in ids) / len(ids)
            themes.append(Theme(
                name=name, product_ids=ids, score=round(mean + 0.2 * agree / len(ids), 4),
                source="llm+co_engagement" if agree else "llm",
                explanation="; ".join(dict.fromkeys(links[i].explanation for i in ids if i in links))[:300],
            ))
            used.update(ids)
        popular = [pid for pid, _ in engaged.most_common(8) if pid in known and known[pid].in_stock]
        if len(popular) >= self.min_theme_size:
            themes.append(Theme(name=f"Popular for {intent}", product_ids=popular, source="co_engagement",
                                explanation="what shoppers engaged with after this search", score=0.5))
        return themes
