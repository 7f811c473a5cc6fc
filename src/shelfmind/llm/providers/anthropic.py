"""Anthropic models (optional extra: pip install 'shelfmind[anthropic]'). JSON output is requested
through a single forced tool call whose input schema is the requested JSON schema."""

from __future__ import annotations

import json
import time
from typing import Any

from shelfmind.errors import ProviderError, TransientProviderError, UserError
from shelfmind.llm.base import ChatRequest, ChatResponse, Usage


class AnthropicLLM:
    def __init__(self, model: str, *, client: Any = None) -> None:
        self.model = model
        if client is None:
            try:
                import anthropic
            except ImportError as exc:
                raise UserError("the Anthropic provider needs its SDK", hint="pip install 'shelfmind[anthropic]'") from exc
            client = anthropic.Anthropic()
        self._client = client

    @property
    def model_id(self) -> str:
        return f"anthropic:{self.model}"

    def chat(self, request: ChatRequest) -> ChatResponse:
        system = "\n".join(m.content for m in request.messages if m.role == "system")
        messages = [m.model_dump() for m in request.messages if m.role != "system"]
        kwargs: dict[str, Any] = {
            "model": self.model,
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
            "messages": messages,
        }
        if system:
            kwargs["system"] = system
        if request.json_schema is not None:
            kwargs["tools"] = [{"name": request.schema_name, "description": "Return the result.",
                                "input_schema": request.json_schema}]
            kwargs["tool_choice"] = {"type": "tool", "name": request.schema_name}
        start = time.perf_counter()
        try:
            msg = self._client.messages.create(**kwargs)
        except Exception as exc:
            status = getattr(exc, "status_code", None)
            if status in (429, 500, 502, 503, 529) or "timeout" in type(exc).__name__.lower():
                raise TransientProviderError(f"{self.model_id}: {exc}") from exc
            raise ProviderError(f"{self.model_id}: {exc}") from exc
        text = ""
        for block in msg.content:
            if getattr(block, "type", "") == "tool_use":
                text = json.dumps(block.input)
                break
            if getattr(block, "type", "") == "text":
                text += block.text
        return ChatResponse(
            text=text,
            model=self.model_id,
            usage=Usage(prompt_tokens=msg.usage.input_tokens, completion_tokens=msg.usage.output_tokens),
            latency_s=time.perf_counter() - start,
            finish_reason=getattr(msg, "stop_reason", None),
        )
