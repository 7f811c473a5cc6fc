"""Routed: sends each request to the tier its task maps to (Settings.task_tiers), e.g.
query_understanding -> fast (0.5B), attributes -> strong (1.5B). Tiers are built lazily."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping

from shelfmind.errors import ConfigError
from shelfmind.llm.base import LLM, ChatRequest, ChatResponse


class Routed:
    def __init__(
        self,
        tiers: Mapping[str, LLM | Callable[[], LLM]],
        task_tiers: Mapping[str, str],
        *,
        default_tier: str = "strong",
    ) -> None:
        self._tiers = dict(tiers)
        self._built: dict[str, LLM] = {}
        self.task_tiers = dict(task_tiers)
        self.default_tier = default_tier
        self._lock = threading.Lock()
        if default_tier not in self._tiers:
            raise ConfigError(f"default tier {default_tier!r} is not configured")

    def tier_for(self, task: str) -> str:
        tier = self.task_tiers.get(task, self.task_tiers.get("default", self.default_tier))
        return tier if tier in self._tiers else self.default_tier

    def for_task(self, task: str) -> LLM:
        return self.tier(self.tier_for(task))

    def tier(self, name: str) -> LLM:
        with self._lock:
            if name not in self._built:
                if name not in self._tiers:
                    raise ConfigError(f"unknown tier {name!r}", hint=f"tiers: {', '.join(self._tiers)}")
                item = self._tiers[name]
                self._built[name] = item if isinstance(item, LLM) else item()
            return self._built[name]

    @property
    def model_id(self) -> str:
        return self.tier(self.default_tier).model_id

    def chat(self, request: ChatRequest) -> ChatResponse:
        return self.for_task(request.meta.task).chat(request)
