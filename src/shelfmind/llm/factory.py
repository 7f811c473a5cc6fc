"""build_llm(settings): the standard stack. One Router over tiers; each tier is
Metered(Cached(Retrying(provider))), built lazily so an unused tier never loads a model."""

from __future__ import annotations

from shelfmind.config import Settings
from shelfmind.llm.accounting import Ledger, Metered
from shelfmind.llm.base import LLM
from shelfmind.llm.cache import Cached, ResponseCache
from shelfmind.llm.registry import build_provider
from shelfmind.llm.retry import Retrying
from shelfmind.llm.router import Routed


def wrap(provider: LLM, settings: Settings) -> LLM:
    settings.paths.ensure()
    llm: LLM = Retrying(provider, max_retries=settings.llm_max_retries, deadline_s=settings.llm_timeout_s * 3)
    if settings.llm_cache:
        llm = Cached(llm, ResponseCache(settings.paths.llm_db))
    return Metered(llm, Ledger(settings.paths.llm_db, prices=settings.llm_prices))


def build_llm(settings: Settings, *, spec: str | None = None) -> LLM:
    """The routed stack, or a single wrapped model when `spec` is given (e.g. from --model)."""
    if spec is not None:
        return wrap(build_provider(spec, settings), settings)
    tiers = {
        "strong": lambda: wrap(build_provider(settings.llm_strong, settings), settings),
        "fast": lambda: wrap(build_provider(settings.llm_fast, settings), settings),
    }
    return Routed(tiers, settings.task_tiers, default_tier="strong")
