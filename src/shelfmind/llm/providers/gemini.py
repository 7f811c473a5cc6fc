"""Google Gemini models (optional extra: pip install 'shelfmind[gemini]'), JSON via response_schema."""

from __future__ import annotations

import time
from typing import Any

from shelfmind.errors import ProviderError, TransientProviderError, UserError
from shelfmind.llm.base import ChatRequest, ChatResponse, Usage


class GeminiLLM:
    def __init__(self, model: str, *, client: Any = None) -> None:
        self.model = model
        if client is None:
            try:
                from google import genai
            except ImportError as exc:
                raise UserError("the Gemini provider needs its SDK", hint="pip install 'shelfmind[gemini]'") from exc
            client = genai.Client()
        self._client = client

    @property
    def model_id(self) -> str:
        return f"gemini:{self.model}"

    def chat(self, request: ChatRequest) -> ChatResponse:
        system = "\n".join(m.content for m in request.messages if m.role == "system")
        contents = [
            {"role": "model" if m.role == "assistant" else "user", "parts": [{"text": m.content}]}
            for m in request.messages
            if m.role != "system"
        ]
        config: dict[str, Any] = {"temperature": request.temperature, "max_output_tokens": request.max_tokens}
        if system:
            config["system_instruction"] = system
        if request.json_schema is not None:
            config["response_mime_type"] = "application/json"
            config["response_json_schema"] = request.json_schema
        start = time.perf_counter()
        try:
            resp = self._client.models.generate_content(model=self.model, contents=contents, config=config)
        except Exception as exc:
            code = getattr(exc, "code", None)
            if code in (429, 500, 503):
                raise TransientProviderError(f"{self.model_id}: {exc}") from exc
            raise ProviderError(f"{self.model_id}: {exc}") from exc
        usage = getattr(resp, "usage_metadata", None)
        return ChatResponse(
            text=resp.text or "",
            model=self.model_id,
            usage=Usage(
                prompt_tokens=getattr(usage, "prompt_token_count", 0) or 0,
                completion_tokens=getattr(usage, "candidates_token_count", 0) or 0,
            ),
            latency_s=time.perf_counter() - start,
        )
