"""Theme quality on a fixed set of intents: how many themes, how big, how distinct, how grounded.

`shelfmind eval knowledge --themes` runs the intent pipeline (plan -> ground -> verify -> themes) on
broad intents (which should get >= 3 diverse themes) and specific product queries (which should get
the product itself first, then complements) without writing to the knowledge base; the LLM cache
makes reruns free.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from pydantic import BaseModel, Field

from shelfmind.knowledge.facts import type_overlap
from shelfmind.knowledge.planner import IntentPipeline
from shelfmind.knowledge.themes import overlap_share
from shelfmind.schemas import AssertionStatus, PresentationKind

BROAD_INTENTS = ("movie night", "Super Bowl party", "mother's day gift", "insomnia", "healthy breakfast", "BBQ",
                 "Thanksgiving dinner", "three months pregnant")
SPECIFIC_INTENTS = ("shredded mozzarella cheese", "spaghetti", "tortilla chips")


class ThemeRow(BaseModel):
    intent: str
    expected: PresentationKind
    kind: PresentationKind
    themes: int
    sizes: list[int] = Field(default_factory=list)
    names: list[str] = Field(default_factory=list)
    overlap: float = 0.0  # share of theme slots repeating a product of another theme
    planned: int = 0  # distinct themes proposed (plan + any extra call)
    merged: int = 0
    split: int = 0  # multi-kind themes split into one theme per kind
    llm_calls: int = 1
    proposals: int = 0
    grounded: float = 0.0  # share of proposed kinds grounded in >= 1 catalog product
    served: float = 0.0  # share of theme products whose link is auto-approved / approved
    product_first: bool | None = None  # specific queries: the first theme leads with the searched product
    seconds: float = 0.0
    error: str = ""


class ThemeSummary(BaseModel):
    rows: list[ThemeRow]
    broad_with_3_themes: float
    mean_themes_broad: float
    mean_theme_size: float
    min_theme_size: int
    mean_overlap: float
    grounded: float
    specific_product_first: float
    specific_kind_correct: float


def evaluate_themes(pipeline: IntentPipeline, broad: Sequence[str] = BROAD_INTENTS,
                    specific: Sequence[str] = SPECIFIC_INTENTS,
                    progress: Callable[[str], None] | None = None) -> ThemeSummary:
    from shelfmind.errors import ShelfmindError

    rows: list[ThemeRow] = []
    cases = [(i, PresentationKind.BROAD) for i in broad] + [(i, PresentationKind.SPECIFIC) for i in specific]
    for intent, expected in cases:
        t0 = time.perf_counter()
        try:
            res = pipeline.run(intent)
        except ShelfmindError as exc:
            rows.append(ThemeRow(intent=intent, expected=expected, kind=expected, themes=0, error=str(exc)[:200],
                                 seconds=round(time.perf_counter() - t0, 1)))
            continue
        themes = [t for t in res.themes if t.source != "co_engagement"]
        status = {x.product_id: x.status for x in res.links}
        members = [pid for t in themes for pid in t.product_ids]
        served = sum(1 for pid in members if status.get(pid) in (AssertionStatus.AUTO_APPROVED,
                                                                  AssertionStatus.APPROVED))
        first = None
        if expected == PresentationKind.SPECIFIC:
            lead = pipeline.grounder.products.get_many(themes[0].product_ids[:1]) if themes else {}
            first = any(type_overlap(intent, p) >= 0.66 for p in lead.values())
        rows.append(ThemeRow(
            intent=intent, expected=expected, kind=res.kind, themes=len(themes),
            sizes=[len(t.product_ids) for t in themes], names=[t.name for t in themes],
            overlap=overlap_share([t.product_ids for t in themes]), planned=res.planned_themes,
            merged=res.merged, split=res.split, llm_calls=res.llm_calls, proposals=res.proposals,
            grounded=round(1 - len(res.ungrounded) / res.proposals, 3) if res.proposals else 0.0,
            served=round(served / len(members), 3) if members else 0.0, product_first=first,
            seconds=round(time.perf_counter() - t0, 1),
        ))
        if progress:
            progress(intent)
    return summarise(rows)


def summarise(rows: Sequence[ThemeRow]) -> ThemeSummary:
    def mean(xs: Sequence[float]) -> float:
        return round(sum(xs) / len(xs), 3) if xs else 0.0

    broad = [r for r in rows if r.expected == PresentationKind.BROAD]
    spec = [r for r in rows if r.expected == PresentationKind.SPECIFIC]
    sizes = [s for r in rows for s in r.sizes]
    return ThemeSummary(
        rows=list(rows),
        broad_with_3_themes=mean([1.0 if r.themes >= 3 else 0.0 for r in broad]),
        mean_themes_broad=mean([r.themes for r in broad]),
        mean_theme_size=mean(sizes), min_theme_size=min(sizes) if sizes else 0,
        mean_overlap=mean([r.overlap for r in rows if r.themes]),
        grounded=mean([r.grounded for r in rows if r.proposals]),
        specific_product_first=mean([1.0 if r.product_first else 0.0 for r in spec]),
        specific_kind_correct=mean([1.0 if r.kind == r.expected else 0.0 for r in spec]),
    )


def format_themes(summary: ThemeSummary) -> str:
    head = f"{'intent':<28} {'exp/kind':<17} {'themes':>6} {'sizes':<16} {'overlap':>7} {'planned':>7} " \
           f"{'merged':>6} {'split':>5} {'calls':>5} {'grounded':>8} {'served':>6} {'sec':>6}  theme names"
    lines = [head, "-" * len(head)]
    for r in summary.rows:
        kind = f"{r.expected.value[:5]}/{r.kind.value[:5]}" + ("" if r.product_first is None
                                                               else " +p" if r.product_first else " -p")
        lines.append(f"{r.intent[:28]:<28} {kind:<17} {r.themes:>6} {','.join(map(str, r.sizes))[:16]:<16} "
                     f"{r.overlap:>7.2f} {r.planned:>7} {r.merged:>6} {r.split:>5} {r.llm_calls:>5} {r.grounded:>8.2f} "
                     f"{r.served:>6.2f} {r.seconds:>6.1f}  {' | '.join(r.names)[:90]}{'  ERROR ' + r.error if r.error else ''}")
    s = summary
    lines.append(f"broad intents with >= 3 themes: {s.broad_with_3_themes:.2f}; mean themes (broad) "
                 f"{s.mean_themes_broad:.2f}; products per theme mean {s.mean_theme_size:.2f}, min "
                 f"{s.min_theme_size}; cross-theme overlap {s.mean_overlap:.2f}; proposals grounded {s.grounded:.2f}")
    lines.append(f"specific queries: kind 'specific' {s.specific_kind_correct:.2f}; searched product leads the "
                 f"first theme {s.specific_product_first:.2f}  (+p/-p per row)")
    return "\n".join(lines)
