"""Scoring a closed set of labels instead of generating them (free generation invents labels).

`score_choices(llm, messages, choices)` asks, for each candidate, a yes/no question constrained to
the JSON {"answer": "yes"|"no"} and reads the log-probabilities of the answer token. It returns
P(yes) per choice (0..1). The shared prefix (messages) is identical across choices, so the local
llama.cpp server reuses its KV cache and each extra choice costs only a few tokens.

`label_distribution(logprobs, labels)` reads one answer token that names one of several short labels
(option letters, or one-word keywords with `prefix=True`) and returns the probability of every
label, renormalised over the labels: one call scores all candidates.
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


def label_distribution(logprobs: Sequence[TokenLogprob] | None, labels: Sequence[str], text: str = "",
                       *, prefix: bool = False) -> dict[str, float]:
    """P(label) at the first answer token that names a label, renormalised over `labels`.

    Alternatives are pooled after stripping spaces and quotes (' A', '"A' and 'A' are one label).
    With `prefix` (labels are lowercase words that may span several tokens), a token counts, case
    folded, for every label it begins (split evenly when it begins several). The mass outside
    `labels` is dropped: restricting to the labels at read time equals a grammar that only allows
    them. A label missing from the reported top alternatives gets half the smallest reported
    probability (it is at most that). Without logprobs: one-hot on the answer text if it is a label,
    else uniform.
    """
    for tok in logprobs or []:
        alts = dict(tok.top)
        alts.setdefault(tok.token, tok.logprob)
        mass = dict.fromkeys(labels, 0.0)
        for k, v in alts.items():
            hits = _matches(k, labels, prefix=prefix)
            for label in hits:
                mass[label] += math.exp(v) / len(hits)
        if not any(mass.values()):
            continue
        floor = 0.5 * min(math.exp(v) for v in alts.values())
        mass = {k: v if v > 0 else floor for k, v in mass.items()}
        total = sum(mass.values())
        return {k: v / total for k, v in mass.items()}
    hits = _matches(text, labels, prefix=prefix)
    if len(hits) == 1:
        return {k: float(k == hits[0]) for k in labels}
    return dict.fromkeys(labels, 1.0 / max(1, len(labels)))


def _matches(token: str, labels: Sequence[str], *, prefix: bool) -> list[str]:
    key = token.strip().strip('"').strip("'").strip()
    if not key:
        return []
    if not prefix:
        return [key] if key in labels else []
    key = key.lower()
    return [label for label in labels if label.lower().startswith(key)]


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
