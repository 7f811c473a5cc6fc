"""Any OpenAI-compatible chat server (OpenAI, vLLM, Ollama, llama.cpp server, LiteLLM proxy...).

A *provider* is config (base_url, API key env var), the wire format is the OpenAI chat API:
    openai:gpt-4o-mini                                   -> https://api.openai.com/v1, OPENAI_API_KEY
    openai-compat:qwen2.5@http://127.0.0.1:8080/v1        -> any server; key from SHELFMIND_OPENAI_COMPAT_KEY
"""

from __future__ import annotations

import os
import time
from typing import Any

import httpx

from shelfmind.errors import ProviderError, TransientProviderError, UserError
from shelfmind.llm.base import ChatRequest, ChatResponse, TokenLogprob, Usage


class OpenAICompatLLM:
    def __init__(
        self,
        model: str,
        *,
        base_url: str = "https://api.openai.com/v1",
        api_key_env: str = "OPENAI_API_KEY",
        prefix: str = "openai",
        timeout_s: float = 120.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.model = model
        self.base_url = base_url.rstrip("/")
        self.api_key_env = api_key_env
        self.prefix = prefix
        self._client = httpx.Client(timeout=timeout_s, transport=transport)

    @property
    def model_id(self) -> str:
        return f"{self.prefix}:{self.model}"

    def _headers(self) -> dict[str, str]:
        key = os.environ.get(self.api_key_env)
        if not key and "api.openai.com" in self.base_url:
            raise UserError(f"{self.model_id} needs an API key", hint=f"export {self.api_key_env}=...")
        return {"Authorization": f"Bearer {key}"} if key else {}

    def chat(self, request: ChatRequest) -> ChatResponse:
        from shelfmind.llm.providers.local_llamacpp import model_requests_allowed

        if not model_requests_allowed():
            raise ProviderError(f"real model requests are disabled: {self.model_id}", hint="use FakeLLM in tests")
        body: dict[str, Any] = {
            "model": self.model,
            "messages": [m.model_dump() for m in request.messages],
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
        }
        if request.seed is not None:
            body["seed"] = request.seed
        if request.stop:
            body["stop"] = request.stop
        if request.json_schema is not None:
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": request.schema_name, "schema": request.json_schema},
            }
        if request.logprobs:
            body["logprobs"] = True
            body["top_logprobs"] = max(1, request.top_logprobs)
        start = time.perf_counter()
        try:
            resp = self._client.post(f"{self.base_url}/chat/completions", json=body, headers=self._headers())
        except (httpx.TimeoutException, httpx.TransportError) as exc:
            raise TransientProviderError(f"{self.model_id}: {type(exc).__name__}: {exc}") from exc
        latency = time.perf_counter() - start
        if resp.status_code == 429 or resp.status_code >= 500:
            raise TransientProviderError(f"{self.model_id}: HTTP {resp.status_code}: {resp.text[:200]}")
        if resp.status_code >= 400:
            raise ProviderError(f"{self.model_id}: HTTP {resp.status_code}: {resp.text[:300]}")
        data = resp.json()
        choice = data["choices"][0]
        usage = data.get("usage") or {}
        content = (choice.get("logprobs") or {}).get("content") if request.logprobs else None
        return ChatResponse(
            text=choice["message"].get("content") or "",
            model=self.model_id,
            usage=Usage(prompt_tokens=usage.get("prompt_tokens", 0), completion_tokens=usage.get("completion_tokens", 0)),
            latency_s=latency,
            finish_reason=choice.get("finish_reason"),
            logprobs=[
                TokenLogprob(
                    token=t["token"],
                    logprob=t["logprob"],
                    top={c["token"]: c["logprob"] for c in t.get("top_logprobs", [])},
                )
                for t in content
            ]
            if content
            else None,
        )
