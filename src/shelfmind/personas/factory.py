"""Runtime wiring for personalization (the Runtime's `users` and `recommender` properties).

The profile service assesses new users with a fast assessor on the request path (default: the
deterministic fact assessor; SHELFMIND_PERSONA_ASSESSOR=embedding|llm|llm-yesno to change it). `llm` is
the one-call assessor of personas/choose.py; SHELFMIND_PERSONA_LLM_INPUT picks what it reads: `signature`
(the default; personas/signature.py: the coarse behaviour signature only, results cached exactly per
signature, ~170 calls per 1,000 users), `list` (the purchase list) or `summary`; `llm-signature` forces
the signature. `llm-yesno` is the older one yes/no call per persona. The LLM assessment runs offline in
batch (`shelfmind user assign --all --assessor llm`) through the cache and is kept until a user's
behaviour signature changes.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from shelfmind.errors import ShelfmindError
from shelfmind.personas.assign import Assessor, EmbeddingAssessor, FactAssessor, LLMAssessor, SignatureCache
from shelfmind.personas.catalog import PersonaCatalog, load_persona_catalog
from shelfmind.personas.facts import FactBook
from shelfmind.personas.recommend import Recommender
from shelfmind.personas.service import UserService
from shelfmind.personas.signature import ExactSignatureCache, SignatureLLMAssessor
from shelfmind.personas.store import UserStore

log = logging.getLogger(__name__)
_BOOKS: dict[str, FactBook] = {}


def fact_book(rt: Any) -> FactBook:
    """Facts for the runtime's catalog (computed once per process and catalog size)."""
    key = f"{rt.paths.catalog_db}:{len(rt.catalog)}"
    if key not in _BOOKS:
        _BOOKS[key] = FactBook.from_products(rt.catalog.iter_products())
    return _BOOKS[key]


def build_assessor(rt: Any, kind: str, book: FactBook, personas: PersonaCatalog) -> Assessor:
    if kind in ("llm", "llm-signature"):
        from shelfmind.personas.choose import ChoiceLLMAssessor

        mode = "signature" if kind == "llm-signature" else os.environ.get("SHELFMIND_PERSONA_LLM_INPUT", "signature")
        if mode not in ("signature", "list", "summary"):
            from shelfmind.errors import ConfigError

            raise ConfigError(f"unknown SHELFMIND_PERSONA_LLM_INPUT {mode!r}", hint="signature, list or summary")
        if mode == "signature":
            return SignatureLLMAssessor(book, personas, rt.llm)
        return ChoiceLLMAssessor(book, personas, rt.llm, mode="summary" if mode == "summary" else "list")
    if kind == "llm-yesno":
        return LLMAssessor(book, personas, rt.llm)
    if kind == "embedding":
        return EmbeddingAssessor(book, personas, rt.embedder)
    if kind == "facts":
        return FactAssessor(book, personas)
    from shelfmind.errors import ConfigError

    raise ConfigError(f"unknown persona assessor {kind!r}", hint="facts, embedding, llm, llm-signature or llm-yesno")


def build_users(rt: Any, *, assessor: str | None = None, seed_demo: bool = True) -> UserService:
    personas = load_persona_catalog()
    book = fact_book(rt)
    store = UserStore(rt.paths.users_db)
    kind = assessor or os.environ.get("SHELFMIND_PERSONA_ASSESSOR", "facts")
    gate_margin = os.environ.get("SHELFMIND_PERSONA_GATE_MARGIN")  # opt-in decision-keyed sharing (see assign)
    gate = FactAssessor(book, personas) if gate_margin else None
    built = build_assessor(rt, kind, book, personas)
    cache: SignatureCache
    if isinstance(built, SignatureLLMAssessor):  # exact cache on the signature the LLM reads
        cache = ExactSignatureCache(built, store)
    else:
        cache = SignatureCache(built, book, personas, store, gate=gate, min_margin=float(gate_margin or 0.0))
    service = UserService(store, book, personas, cache, llm=_llm_or_none(rt))
    if seed_demo and not store.list_users() and len(book.products):
        try:
            service.seed_demo_users()
        except ShelfmindError as exc:  # another catalog: no demo users
            log.info("demo users not seeded: %s", exc)
    return service


def build_recommender(rt: Any) -> Recommender:
    users = rt.users
    return Recommender(_searcher(rt, users.book), users.book, users, users.personas, knowledge=_knowledge(rt))


def _llm_or_none(rt: Any) -> Any:
    if os.environ.get("SHELFMIND_STATEMENT_LLM", "1") == "0":
        return None
    try:
        return rt.llm
    except (ShelfmindError, ImportError) as exc:
        log.info("statements are parsed by rules only: %s", exc)
        return None


def _searcher(rt: Any, book: FactBook) -> Any:
    try:
        return rt.searcher
    except (ShelfmindError, ImportError) as exc:
        from shelfmind.search.simple import KeywordSearcher

        log.warning("no search index (%s); using the in-memory keyword searcher", exc)
        return KeywordSearcher(book.products.values())


def _knowledge(rt: Any) -> Any:
    try:
        return rt.knowledge
    except (ShelfmindError, ImportError) as exc:
        log.info("no knowledge base (%s); themes fall back to product categories", exc)
        return None
