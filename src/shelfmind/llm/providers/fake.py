"""Scripted fake model for unit tests (ships in the library, like pydantic-ai's TestModel).

    llm = FakeLLM()
    llm.enqueue('{"a": 1}', '{"a": 2}')          # answers in order
    llm = FakeLLM(responder=lambda req: "...")   # or computed from the request

Records every request in `llm.requests`.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

from shelfmind.errors import ProviderError
from shelfmind.llm.base import ChatRequest, ChatResponse, Usage


class FakeLLM:
    def __init__(
        self,
        responses: Iterable[str | dict[str, Any] | Exception] = (),
        *,
        responder: Callable[[ChatRequest], str | dict[str, Any]] | None = None,
        model_id: str = "fake:scripted",
    ) -> None:
        self._queue: deque[str | dict[str, Any] | Exception] = deque(responses)
        self._responder = responder
        self._model_id = model_id
        self.requests: list[ChatRequest] = []

    @property
    def model_id(self) -> str:
        return self._model_id

    def enqueue(self, *responses: str | dict[str, Any] | Exception) -> FakeLLM:
        self._queue.extend(responses)
        return self

    def chat(self, request: ChatRequest) -> ChatResponse:
        self.requests.append(request)
        if self._queue:
            item = self._queue.popleft()
        elif self._responder is not None:
            item = self._responder(request)
        else:
            raise ProviderError("FakeLLM has no scripted response left", hint="enqueue() more answers")
        if isinstance(item, Exception):
            raise item
        text = item if isinstance(item, str) else json.dumps(item)
        prompt_tokens = sum(len(m.content.split()) for m in request.messages)
        return ChatResponse(
            text=text,
            model=self._model_id,
            usage=Usage(prompt_tokens=prompt_tokens, completion_tokens=len(text.split())),
            latency_s=0.0,
            finish_reason="stop",
        )
