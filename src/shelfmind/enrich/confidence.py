"""Confidence per value from token log-probabilities, and agreement across samples.

`value_confidences(logprobs, keys)` rebuilds the generated text from its tokens, finds each key's
value in it, and returns exp(mean log-prob) of the tokens that wrote the value (a null included:
a confident "null" is a confident "not stated"). Without logprobs every value gets `default`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from typing import Any

from shelfmind.llm.base import TokenLogprob

_DECODER = json.JSONDecoder()


def _value_span(text: str, key: str, start: int = 0) -> tuple[int, int] | None:
    m = re.compile(re.escape(json.dumps(key, ensure_ascii=False)) + r"\s*:\s*").search(text, start)
    if m is None:
        m = re.compile(re.escape(json.dumps(key)) + r"\s*:\s*").search(text, start)
    if m is None:
        return None
    try:
        _, end = _DECODER.raw_decode(text, m.end())
    except json.JSONDecodeError:
        return None
    return m.end(), end


def value_confidences(
    logprobs: Sequence[TokenLogprob] | None, keys: Sequence[str], *, default: float = 0.5, scope: str | None = None
) -> dict[str, float]:
    """Confidence per key. `scope` restricts the search to after that key (batched answers)."""
    if not logprobs:
        return dict.fromkeys(keys, default)
    text = ""
    starts: list[int] = []
    for tok in logprobs:
        starts.append(len(text))
        text += tok.token
    offset = 0
    if scope is not None:
        span = _value_span(text, scope)
        offset = span[0] if span else 0
    out: dict[str, float] = {}
    for key in keys:
        span = _value_span(text, key, offset)
        if span is None:
            out[key] = default
            continue
        a, b = span
        lps = [t.logprob for t, s in zip(logprobs, starts, strict=True) if s < b and s + len(t.token) > a]
        out[key] = math.exp(sum(lps) / len(lps)) if lps else default
    return out


def agreement(samples: Sequence[dict[str, Any]], keys: Sequence[str]) -> dict[str, float]:
    """Self-consistency: share of samples that agree with the most common value per key."""
    out: dict[str, float] = {}
    for key in keys:
        values = [json.dumps(s.get(key), sort_keys=True, default=str).lower() for s in samples]
        if not values:
            out[key] = 0.0
            continue
        top = max(set(values), key=values.count)
        out[key] = values.count(top) / len(values)
    return out
