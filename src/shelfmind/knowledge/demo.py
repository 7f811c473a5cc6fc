"""The demo's `kb` stage: distil a few intents into the knowledge base with the embedded model
(plan -> ground in the catalog through search -> verify -> store or send to review)."""

from __future__ import annotations

import sys
from typing import Any

DEMO_INTENTS = ("movie night", "breakfast", "salmon dinner", "three months pregnant")


def run(rt: Any, options: Any) -> dict[str, Any]:
    from shelfmind.knowledge.models import IntentSource

    fast = getattr(options, "fast", False)
    intents = DEMO_INTENTS[:2] if fast else DEMO_INTENTS
    kbase = rt.knowledge
    builder = kbase.builder(products_per_kind=2, relations_per_intent=0 if fast else 1, max_theme_size=4)
    builder.add_intents(intents, IntentSource.SEED)
    report = builder.build(limit=len(intents), progress=sys.stderr.isatty())
    themes = kbase.themes_for(intents[0])
    return {"intents_built": report.intents_done, "failed": report.intents_failed, "links": report.links,
            "themes": report.themes, "relations": report.relations,
            "statuses": dict(sorted(report.statuses.items())),
            f"themes[{intents[0]}]": [t.name for t in themes][:4]}
