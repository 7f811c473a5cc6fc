"""yes_probability reads the answer token, not the unconstrained first token of the JSON."""

from __future__ import annotations

import math

from shelfmind.llm.base import TokenLogprob
from shelfmind.llm.scoring import yes_probability


def _tok(token: str, top: dict[str, float]) -> TokenLogprob:
    return TokenLogprob(token=token, logprob=max(top.values()), top=top)


def test_reads_the_answer_token_not_the_opening_brace() -> None:
    logprobs = [
        _tok("{", {"{": -0.01, "Yes": math.log(0.6), "No": math.log(0.3)}),  # unconstrained: must be ignored
        _tok('"answer', {'"answer': -0.001}),
        _tok('":"', {'":"': -0.001}),
        _tok("no", {"no": math.log(0.8), "yes": math.log(0.2)}),
    ]
    assert abs(yes_probability(logprobs, '{"answer":"no"}') - 0.2) < 1e-6


def test_pools_case_variants_and_falls_back_to_text() -> None:
    logprobs = [_tok("yes", {"yes": math.log(0.5), "Yes": math.log(0.25), "no": math.log(0.25)})]
    assert abs(yes_probability(logprobs, '{"answer": "yes"}') - 0.75) < 1e-6
    assert yes_probability(None, '{"answer": "yes"}') == 1.0
    assert yes_probability(None, '{"answer": "no"}') == 0.0
