"""Batch failures are recorded, not raised; near-duplicate reuse has a measurable false-hit rate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import BaseModel

from shelfmind.errors import ProviderError
from shelfmind.llm.accounting import Ledger, Metered
from shelfmind.llm.base import ChatRequest
from shelfmind.llm.batch import complete_each
from shelfmind.llm.cache import Cached, ResponseCache, audit_near_duplicates, normalized_key
from shelfmind.llm.prompts import Prompt
from shelfmind.llm.providers.fake import FakeLLM
from shelfmind.llm.structured import complete

PROMPT = Prompt(name="qp", version="2", task="query_understanding", system="Parse.", user="Query: {q}")


class Parse(BaseModel):
    head: str


def test_validation_failing_twice_is_a_recorded_failure(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "llm.sqlite")
    llm = Metered(FakeLLM(['{"head": "milk"}', "not json", '{"wrong": 1}', ProviderError("down"),
                           '{"head": "tea"}']), ledger)
    items = [("a", {"q": "milk"}), ("b", {"q": "broken"}), ("c", {"q": "down"}), ("d", {"q": "tea"})]
    result = complete_each(llm, PROMPT, Parse, items, ledger=ledger, max_tokens=20)
    assert sorted(result.ok) == ["a", "d"] and result.ok["d"].value.head == "tea"
    kinds = {f.item_id: f.kind for f in result.failures}
    assert kinds == {"b": "validation", "c": "provider"}
    assert result.failure_rate == pytest.approx(0.5)
    assert result.failures[0].prompt == "qp@2" and result.failures[0].raw
    stats = {s.task: s for s in ledger.stats()}["query_understanding"]
    assert stats.failed_items == 2 and stats.errors == 1 and stats.model_calls == 4
    assert {f["item_id"] for f in ledger.failures()} == {"b", "c"}


def test_normalized_key() -> None:
    assert normalized_key("Red Wines") == normalized_key("the red wine") == normalized_key("wine, RED!")
    assert normalized_key("red wine under $30") != normalized_key("red wine")
    assert normalized_key("Berries") == normalized_key("berry")
    assert normalized_key("glass") == "glass"


def _parser(request: ChatRequest) -> str:
    """A fake model that returns the query's words: answers differ when the wording matters."""
    q = request.messages[-1].content.removeprefix("Query: ")
    return json.dumps({"head": q.lower().rstrip("s")})


def test_near_duplicate_false_hit_rate_is_measured(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "c.sqlite")
    fake = FakeLLM(responder=_parser)
    llm = Cached(fake, cache)
    queries = ["Red Wines", "red wine", "the red wine", "oat milk", "Oat Milk", "milk oat"]
    for q in queries:
        complete(llm, PROMPT, Parse, q=q, dedup_key=normalized_key(q))
    assert len(fake.requests) == 2  # 4 of 6 answered by near-duplicate reuse
    assert cache.stats()["near_duplicate_hits"] == 4
    audit = audit_near_duplicates(cache, fake, task="query_understanding", sample=10)
    # "red wine" -> same answer; "the red wine" and "milk oat" differ; "Oat Milk" -> same
    assert audit.sampled == 4 and audit.different == 2
    assert audit.false_hit_rate == pytest.approx(0.5)
    assert audit_near_duplicates(cache, fake, task="other").sampled == 0
