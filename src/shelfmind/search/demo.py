"""The demo's `index` stage: build the hybrid index over the catalog and try a few queries."""

from __future__ import annotations

from typing import Any

DEMO_QUERIES = ("gluten free pasta under $5", "dark chocolate", "organic apple juice")


def run(rt: Any, options: Any) -> dict[str, Any]:
    from shelfmind.search.factory import UnderstandMode, build_searcher, index_catalog, knowledge_extra_text

    extra = knowledge_extra_text(rt)
    manifest = index_catalog(rt, extra_text=extra, progress=False)
    engine = build_searcher(rt, understand=UnderstandMode.FAST)
    samples = {}
    for q in DEMO_QUERIES:
        hits = engine.search(q, k=3)
        samples[q] = [h.name for h in hits]
    return {"products": manifest.catalog_size, "embedder": manifest.embedder,
            "filterable": [c.name for c in manifest.columns], "extra_text": manifest.extra_text.get("count", 0),
            "samples": samples}
