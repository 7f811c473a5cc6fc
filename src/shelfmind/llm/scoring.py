"""Scoring a closed set of labels instead of generating them (free generation invents labels).

`score_choices(llm, messages, choices)` asks, for each candidate, a yes/no question constrained to
the JSON {"answer": "yes"|"no"} and reads the log-probabilities of the answer token. It returns
P(yes) per choice (0..1). The shared prefix (messages) is identical across choices, so the local
llama.cpp server reuses its KV cache and each extra choice costs only a few tokens.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from shelfmind.llm.base import LLM, ChatRequest, Message, RequestMeta, TokenLogprob

_YES_NO_SCHEMA = {
    "type": "object",
    "properties": {"answer": {"type": "string", "enum": ["yes", "no"]}},
    "required": ["answer"],
}


def yes_probability(logprobs: Sequence[TokenLogprob] | None, text: str) -> float:
    """P(yes) at the token that carries the answer value, with case variants pooled.

    Earlier tokens (such as the opening '{' of the JSON answer) have unconstrained alternatives
    ("Yes", "No" as free text) that say nothing about the constrained answer, so they are skipped.
    Falls back to the answer text when no logprobs came back.
    """
    compact = text.replace(" ", "")
    answer = "yes" if '"yes"' in compact else "no" if '"no"' in compact else None
    for tok in logprobs or []:
        if tok.token.strip().strip('"').lower() not in ("yes", "no"):
            continue
        mass = {"yes": 0.0, "no": 0.0}
        for k, v in tok.top.items():
            key = k.strip().strip('"').lower()
            if key in mass:
                mass[key] += math.exp(v)
        if mass["yes"] + mass["no"] == 0:  # no alternatives reported: the chosen token alone
            mass[tok.token.strip().strip('"').lower()] = math.exp(tok.logprob)
        return mass["yes"] / (mass["yes"] + mass["no"])
    return 1.0 if answer == "yes" else 0.0


def score_choices(
    llm: LLM,
    messages: Sequence[Message],
    choices: Sequence[str],
    *,
    question: str = "Does the label {choice!r} apply? Answer yes or no.",
    task: str = "default",
    prompt_name: str | None = None,
    prompt_version: str | None = None,
) -> dict[str, float]:
    scores: dict[str, float] = {}
    for choice in choices:
        request = ChatRequest(
            messages=[*messages, Message(role="user", content=question.format(choice=choice))],
            json_schema=_YES_NO_SCHEMA,
            schema_name="yes_no",
            max_tokens=8,
            temperature=0.0,
            logprobs=True,
            top_logprobs=5,
            meta=RequestMeta(task=task, prompt_name=prompt_name, prompt_version=prompt_version),
        )
        response = llm.chat(request)
        scores[choice] = yes_probability(response.logprobs, response.text)
    return scores
