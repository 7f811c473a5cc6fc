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
    """P(yes) from the first token that starts 'yes' or 'no'; falls back to the answer text."""
    for tok in logprobs or []:
        top = {k.strip().strip('"').lower(): v for k, v in tok.top.items()}
        tok_text = tok.token.strip().strip('"').lower()
        if tok_text.startswith(("yes", "no")) or "yes" in top or "no" in top:
            py = math.exp(top["yes"]) if "yes" in top else (math.exp(tok.logprob) if tok_text.startswith("yes") else 0.0)
            pn = math.exp(top["no"]) if "no" in top else (math.exp(tok.logprob) if tok_text.startswith("no") else 0.0)
            if py + pn > 0:
                return py / (py + pn)
    return 1.0 if '"yes"' in text else 0.0


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
