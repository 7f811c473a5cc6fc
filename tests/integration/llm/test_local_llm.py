"""Runs the REAL embedded 1.5B through the full stack (router, cache, accounting)."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from shelfmind.config import get_settings
from shelfmind.llm.base import Message
from shelfmind.llm.factory import build_llm
from shelfmind.llm.prompts import Prompt
from shelfmind.llm.scoring import score_choices
from shelfmind.llm.structured import complete

pytestmark = pytest.mark.real_llm


class Parse(BaseModel):
    head_term: str
    max_price: float | None


PROMPT = Prompt(name="qu_test", version="1", task="attributes",
                system="Parse the shopping query into JSON.", user="Query: {q}")


def test_structured_completion_with_cache_and_accounting() -> None:
    settings = get_settings()
    llm = build_llm(settings)
    first = complete(llm, PROMPT, Parse, q="gluten free pasta under $5", max_tokens=60)
    assert "pasta" in first.value.head_term.lower()
    assert first.value.max_price == pytest.approx(5)
    assert first.trace.model == "local:qwen2.5-coder-1.5b" and first.trace.prompt == "qu_test@1"
    again = complete(llm, PROMPT, Parse, q="gluten free pasta under $5", max_tokens=60)
    assert again.trace.cached and again.value == first.value
    from shelfmind.llm.accounting import Ledger

    stats = {s.task: s for s in Ledger(settings.paths.llm_db).stats()}
    assert stats["attributes"].model_calls == 1 and stats["attributes"].cache_hits == 1


def test_logprob_scoring_ranks_the_right_label_first() -> None:
    llm = build_llm(get_settings())
    msgs = [Message(role="system", content="You classify grocery shoppers."),
            Message(role="user", content="Purchases: bran flakes, granola, pancake mix, maple syrup, bagels, orange juice")]
    scores = score_choices(llm, msgs, ["Breakfast Lover", "Tech Savvy"], task="persona")
    assert scores["Breakfast Lover"] > scores["Tech Savvy"]
