"""Retrying: retries TransientProviderError with exponential backoff and jitter, under a deadline."""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from shelfmind.errors import ProviderError, TransientProviderError
from shelfmind.llm.base import LLM, ChatRequest, ChatResponse


class Retrying:
    def __init__(
        self,
        inner: LLM,
        *,
        max_retries: int = 3,
        base_delay_s: float = 0.5,
        max_delay_s: float = 20.0,
        deadline_s: float | None = 300.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.inner = inner
        self.max_retries = max_retries
        self.base_delay_s = base_delay_s
        self.max_delay_s = max_delay_s
        self.deadline_s = deadline_s
        self._sleep = sleep

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    def chat(self, request: ChatRequest) -> ChatResponse:
        start = time.monotonic()
        attempt = 0
        while True:
            try:
                return self.inner.chat(request)
            except TransientProviderError as exc:
                attempt += 1
                if attempt > self.max_retries:
                    raise ProviderError(f"{self.model_id}: gave up after {attempt} attempts: {exc.message}") from exc
                delay = min(self.max_delay_s, self.base_delay_s * 2 ** (attempt - 1)) * (0.5 + random.random())
                if self.deadline_s is not None and time.monotonic() - start + delay > self.deadline_s:
                    raise ProviderError(f"{self.model_id}: deadline of {self.deadline_s:.0f}s exceeded: {exc.message}") from exc
                self._sleep(delay)
