"""The demo's `enrich` stage: grounded attribute extraction on a few products of the bundled catalog
(the embedded model takes seconds per product on a laptop CPU: enrichment is a batch job)."""

from __future__ import annotations

import sys
from typing import Any

DEMO_PRODUCTS = 12
DEMO_PRODUCTS_FAST = 4


def run(rt: Any, options: Any) -> dict[str, Any]:
    from tqdm import tqdm

    service = rt.enrichment
    limit = DEMO_PRODUCTS_FAST if getattr(options, "fast", False) else DEMO_PRODUCTS
    with tqdm(total=limit, desc="enrich", unit="product", file=sys.stderr, leave=False) as bar:
        report = service.run(limit=limit, progress=bar.update)
    return {"products": report.selected, "enriched": report.done, "already_done": report.skipped,
            "failed": report.failed, "auto_approved_values": report.auto_approved, "to_review": report.to_review,
            "products_per_hour": round(report.products_per_hour), "model": report.model}
