"""Schema-constrained completion validated into a pydantic model, with one re-ask.

    result = complete(llm, load_prompt("product_text_template"), TemplateOut, columns=..., rows=...)
    result.value        # a validated TemplateOut
    result.trace        # model id, prompt name@version, inputs hash: store it with the output

An answer that fails validation twice raises ValidationFailed; batch jobs catch it and record a
failure for that item (never a crash of the batch).
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field, ValidationError

from shelfmind.errors import ValidationFailed
from shelfmind.llm.base import LLM, ChatRequest, ChatResponse, Message, RequestMeta, TokenLogprob
from shelfmind.llm.prompts import Prompt

T = TypeVar("T", bound=BaseModel)

_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.S)


class Trace(BaseModel):
    """What every stored LLM output carries, so it can be traced and reproduced."""

    model: str
    prompt: str  # name@version
    prompt_version: str
    task: str
    inputs_hash: str
    cached: bool = False


class Structured(BaseModel, Generic[T]):
    value: T
    raw: str
    trace: Trace
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_s: float = 0.0
    attempts: int = 1
    logprobs: list[TokenLogprob] | None = None


def extract_json(text: str) -> Any:
    """Parse a JSON answer, tolerating code fences and leading/trailing chatter."""
    m = _FENCE.match(text)
    if m:
        text = m.group(1)
    text = text.strip()
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        start = min((i for i in (text.find("{"), text.find("[")) if i >= 0), default=-1)
        if start < 0:
            raise
        end = max(text.rfind("}"), text.rfind("]"))
        return json.loads(text[start : end + 1])


def schema_for(model: type[BaseModel]) -> dict[str, Any]:
    return model.model_json_schema()


def inputs_hash(variables: dict[str, Any]) -> str:
    raw = json.dumps(variables, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]


def complete(
    llm: LLM,
    prompt: Prompt,
    output: type[T],
    /,
    *,
    task: str | None = None,
    dedup_key: str | None = None,
    max_tokens: int = 512,
    temperature: float = 0.0,
    logprobs: bool = False,
    top_logprobs: int = 0,
    json_schema: dict[str, Any] | None = None,
    extra_messages: list[Message] | None = None,
    **variables: Any,
) -> Structured[T]:
    """Render `prompt` with `variables`, ask for JSON matching `output`, validate, re-ask once."""
    messages = prompt.render(**variables) + list(extra_messages or [])
    schema = json_schema or schema_for(output)
    meta = RequestMeta(
        task=task or prompt.task,
        prompt_name=prompt.name,
        prompt_version=prompt.version,
        dedup_key=dedup_key,
    )
    request = ChatRequest(
        messages=messages,
        json_schema=schema,
        schema_name=output.__name__,
        temperature=temperature,
        max_tokens=max_tokens,
        logprobs=logprobs,
        top_logprobs=top_logprobs,
        meta=meta,
    )
    attempts = 0
    last_error = ""
    response: ChatResponse | None = None
    total_in = total_out = 0
    latency = 0.0
    for attempt in range(2):
        attempts = attempt + 1
        response = llm.chat(request)
        total_in += response.usage.prompt_tokens
        total_out += response.usage.completion_tokens
        latency += response.latency_s
        try:
            value = output.model_validate(extract_json(response.text))
        except (json.JSONDecodeError, ValidationError, ValueError) as exc:
            last_error = _short_error(exc)
            # Re-ask once: show the model its answer and what was wrong with it.
            request = request.model_copy(
                update={
                    "messages": [
                        *messages,
                        Message(role="assistant", content=response.text[:4000]),
                        Message(
                            role="user",
                            content=(
                                "That answer was invalid: "
                                f"{last_error}. Reply again with only JSON that matches the schema."
                            ),
                        ),
                    ],
                    "meta": meta.model_copy(update={"dedup_key": None}),
                }
            )
            continue
        return Structured[output](  # type: ignore[valid-type]
            value=value,
            raw=response.text,
            trace=Trace(
                model=response.model,
                prompt=prompt.id,
                prompt_version=prompt.version,
                task=meta.task,
                inputs_hash=inputs_hash(variables),
                cached=response.cached,
            ),
            prompt_tokens=total_in,
            completion_tokens=total_out,
            latency_s=latency,
            attempts=attempts,
            logprobs=response.logprobs,
        )
    raise ValidationFailed(
        f"{prompt.id}: answer did not validate as {output.__name__} after a re-ask: {last_error}",
        raw=response.text if response else "",
    )


def _short_error(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        parts = [f"{'.'.join(str(p) for p in e['loc']) or '<root>'}: {e['msg']}" for e in exc.errors()[:5]]
        return "; ".join(parts)
    return str(exc)[:300]


class _Empty(BaseModel):
    pass


__all__ = ["Field", "Structured", "Trace", "complete", "extract_json", "inputs_hash", "schema_for"]
