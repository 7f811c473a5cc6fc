"""The one protocol every provider and wrapper implements: chat completion, optionally constrained
to a JSON schema. Everything is a plain pydantic model so requests hash stably for caching and
replay."""

from __future__ import annotations

import hashlib
import json
from typing import Any, Literal, Protocol, runtime_checkable

from pydantic import BaseModel, Field


class Message(BaseModel):
    role: Literal["system", "user", "assistant"]
    content: str


class RequestMeta(BaseModel):
    """Not sent to the model: used for routing, caching, accounting and traceability."""

    task: str = "default"
    prompt_name: str | None = None
    prompt_version: str | None = None
    # Opt-in near-duplicate reuse: requests of the same task+prompt version with the same
    # dedup_key share one answer even if their messages differ (e.g. a normalised query).
    dedup_key: str | None = None
    # Set to bypass cache reads (the answer is still written): used to audit near-dup false hits.
    no_cache_read: bool = False


class ChatRequest(BaseModel):
    messages: list[Message]
    json_schema: dict[str, Any] | None = None
    schema_name: str = "result"
    temperature: float = 0.0
    max_tokens: int = 512
    top_p: float | None = None
    seed: int | None = 0
    stop: list[str] | None = None
    logprobs: bool = False
    top_logprobs: int = 0
    meta: RequestMeta = Field(default_factory=RequestMeta)

    def cache_payload(self, model_id: str) -> dict[str, Any]:
        """Everything that determines the answer (meta.task/dedup excluded, prompt version included)."""
        body = self.model_dump(exclude={"meta"})
        return {"model": model_id, "prompt_version": self.meta.prompt_version, "request": body}

    def cache_key(self, model_id: str) -> str:
        raw = json.dumps(self.cache_payload(model_id), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class Usage(BaseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0


class TokenLogprob(BaseModel):
    token: str
    logprob: float
    top: dict[str, float] = Field(default_factory=dict)


class ChatResponse(BaseModel):
    text: str
    model: str
    usage: Usage = Field(default_factory=Usage)
    latency_s: float = 0.0
    finish_reason: str | None = None
    logprobs: list[TokenLogprob] | None = None
    cached: bool = False
    cache_kind: Literal["exact", "near_duplicate"] | None = None
    # provider-reported timings when available (llama.cpp: prompt_n, prompt_ms, predicted_n, predicted_ms)
    timings: dict[str, float] | None = None


@runtime_checkable
class LLM(Protocol):
    """A chat model. `model_id` names the exact model (and quantisation) answering."""

    @property
    def model_id(self) -> str: ...

    def chat(self, request: ChatRequest) -> ChatResponse: ...
