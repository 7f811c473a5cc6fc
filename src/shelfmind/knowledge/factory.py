"""build_knowledge(rt): the KnowledgeBase wired to the runtime's catalog, LLM, searcher and review
queue. The searcher is `rt.searcher` when a search index is available, else a keyword searcher over
the catalog (fine for grounding on small catalogs)."""

from __future__ import annotations

import logging
from typing import Any

from shelfmind.knowledge.cooccurrence import IngredientStats
from shelfmind.knowledge.kb import KnowledgeBase
from shelfmind.knowledge.store import KnowledgeStore
from shelfmind.search.base import ProductSearcher

log = logging.getLogger(__name__)

STATS_FILE = "ingredient_cooccurrence.json"


def searcher_for(rt: Any) -> ProductSearcher:
    try:
        searcher: ProductSearcher = rt.searcher
        return searcher
    except Exception as exc:  # no index yet, or the search area is not installed
        log.warning("knowledge: no search index (%s); grounding with a keyword searcher over the catalog", exc)
        from shelfmind.search.simple import KeywordSearcher

        return KeywordSearcher(rt.catalog.iter_products())


def build_knowledge(rt: Any) -> KnowledgeBase:
    return KnowledgeBase(
        KnowledgeStore(rt.paths.knowledge_db),
        products=rt.catalog,
        llm=lambda: rt.llm,
        searcher=lambda: searcher_for(rt),
        review=rt.review,
        stats=IngredientStats.load(rt.paths.artifacts_dir / STATS_FILE),
    )
