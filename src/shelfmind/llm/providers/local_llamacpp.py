"""Embedded GGUF models through xllamacpp (llama.cpp's server, in process).

The server object is loaded lazily on the first call and shared per (model file, threads, ctx) in
the process; calls are serialised with a lock (one slot: llama.cpp's KV cache is reused across calls
with a common prompt prefix, which makes repeated instructions cheap).
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any

from shelfmind.errors import ProviderError, UserError
from shelfmind.llm.base import ChatRequest, ChatResponse, TokenLogprob, Usage
from shelfmind.llm.models import LocalModel, ensure_model

_SERVERS: dict[tuple[str, int, int], Any] = {}
_SERVERS_LOCK = threading.Lock()


def model_requests_allowed() -> bool:
    return os.environ.get("SHELFMIND_ALLOW_MODEL_REQUESTS", "1") != "0"


def _load_server(path: Path, threads: int, n_ctx: int) -> Any:
    key = (str(path), threads, n_ctx)
    with _SERVERS_LOCK:
        if key in _SERVERS:
            return _SERVERS[key]
        try:
            import xllamacpp
        except ImportError as exc:
            raise UserError(
                "the embedded LLM runtime xllamacpp is not installed", hint="pip install 'shelfmind[local]'"
            ) from exc
        params = xllamacpp.CommonParams()
        params.model.path = str(path)
        params.n_ctx = n_ctx
        params.n_parallel = 1
        params.cpuparams.n_threads = threads
        params.cpuparams_batch.n_threads = threads
        params.warmup = False
        params.cache_prompt = True
        spec = os.environ.get("SHELFMIND_LLM_SPECULATIVE", "").strip().upper()
        if spec:  # draft-free speculative decoding from n-grams of the prompt (e.g. ngram_simple, ngram_mod)
            kinds = type(params.speculative.types[0])
            try:
                params.speculative.types = [getattr(kinds, f"COMMON_SPECULATIVE_TYPE_{spec}")]
            except AttributeError as exc:
                raise UserError(f"unknown SHELFMIND_LLM_SPECULATIVE {spec.lower()!r}",
                                hint="ngram_simple, ngram_map_k, ngram_mod or ngram_cache") from exc
        if not os.environ.get("SHELFMIND_LLAMA_VERBOSE"):
            params.verbosity = -1
        server = xllamacpp.Server(params)
        _SERVERS[key] = server
        return server


class LocalLLM:
    """`local:<model>`: an embedded model assembled from PyPI chunk packages."""

    def __init__(self, model: LocalModel, cache_dir: Path, *, threads: int = 0, n_ctx: int = 4096) -> None:
        self.model = model
        self.cache_dir = Path(cache_dir)
        self.threads = threads or (os.cpu_count() or 2)
        self.n_ctx = n_ctx
        self._lock = threading.Lock()
        self._server: Any = None
        self.load_seconds: float | None = None

    @property
    def model_id(self) -> str:
        return f"local:{self.model.name}"

    def _ensure(self) -> Any:
        if self._server is None:
            if not model_requests_allowed():
                raise ProviderError(
                    f"real model requests are disabled (SHELFMIND_ALLOW_MODEL_REQUESTS=0): {self.model_id}",
                    hint="mark the test with @pytest.mark.real_llm or use FakeLLM",
                )
            start = time.perf_counter()
            path = ensure_model(self.cache_dir, self.model)
            self._server = _load_server(path, self.threads, self.n_ctx)
            self.load_seconds = time.perf_counter() - start
        return self._server

    def chat(self, request: ChatRequest) -> ChatResponse:
        server = self._ensure()
        body: dict[str, Any] = {
            "messages": [m.model_dump() for m in request.messages],
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
        }
        if request.seed is not None:
            body["seed"] = request.seed
        if request.top_p is not None:
            body["top_p"] = request.top_p
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
        with self._lock:
            try:
                result = server.handle_chat_completions(body)
            except Exception as exc:  # the binding raises plain exceptions
                raise ProviderError(f"{self.model_id} failed: {exc}") from exc
        latency = time.perf_counter() - start
        if not isinstance(result, dict) or "choices" not in result:
            message = result.get("error", result) if isinstance(result, dict) else result
            raise ProviderError(f"{self.model_id} returned an error: {str(message)[:300]}")
        choice = result["choices"][0]
        usage = result.get("usage") or {}
        return ChatResponse(
            text=choice["message"].get("content") or "",
            model=self.model_id,
            usage=Usage(
                prompt_tokens=int(usage.get("prompt_tokens", 0)),
                completion_tokens=int(usage.get("completion_tokens", 0)),
            ),
            latency_s=latency,
            finish_reason=choice.get("finish_reason"),
            logprobs=_logprobs(choice) if request.logprobs else None,
            timings={k: float(v) for k, v in (result.get("timings") or {}).items() if isinstance(v, int | float)}
            or None,
        )


def _logprobs(choice: dict[str, Any]) -> list[TokenLogprob] | None:
    content = (choice.get("logprobs") or {}).get("content")
    if not content:
        return None
    return [
        TokenLogprob(
            token=t.get("token", ""),
            logprob=float(t.get("logprob", 0.0)),
            top={c.get("token", ""): float(c.get("logprob", 0.0)) for c in t.get("top_logprobs", [])},
        )
        for t in content
    ]
