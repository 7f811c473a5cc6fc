"""`shelfmind llm complete`, `llm stats`, `ingest` and `text` end to end on a fake provider."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from shelfmind.cli.main import cli
from shelfmind.errors import ValidationFailed
from shelfmind.llm.base import ChatRequest
from shelfmind.llm.providers.fake import FakeLLM

BUNDLED = Path(__file__).resolve().parents[3] / "src" / "shelfmind" / "data" / "grocery" / "catalog.toml"


def _answer(request: ChatRequest) -> str:
    if request.meta.task == "product_text_template":
        return json.dumps({"segments": ["{name}", "Ingredients: {ingredients}"]})
    return json.dumps({"answer": "banana"})


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeLLM:
    llm = FakeLLM(responder=_answer)
    monkeypatch.setattr("shelfmind.llm.factory.build_provider", lambda spec, settings: llm)
    return llm


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_complete_prints_validated_json_and_stats_count_it(fake: FakeLLM) -> None:
    out = run("llm", "complete", "Name a yellow fruit")
    assert json.loads(out.strip()) == {"answer": "banana"}
    run("llm", "complete", "Name a yellow fruit")  # cache hit
    assert len(fake.requests) == 1
    stats = json.loads(run("llm", "stats", "--json"))
    row = stats["tasks"][0]
    assert (row["task"], row["calls"], row["cache_hits"], row["model_calls"]) == ("default", 2, 1, 1)
    assert row["prompt_tokens"] > 0 and "cost_usd" in row
    assert "hits (near-dup)" in run("llm", "stats")


def test_complete_rejects_answer_outside_schema(fake: FakeLLM) -> None:
    schema = json.dumps({"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]})
    result = CliRunner().invoke(cli, ["llm", "complete", "count", "--json-schema", schema])
    assert isinstance(result.exception, ValidationFailed)
    assert "'n' is a required property" in str(result.exception)
    assert len(fake.requests) == 2  # asked, then re-asked once


def test_ingest_then_text(fake: FakeLLM) -> None:
    report = json.loads(run("ingest", "--config", str(BUNDLED), "--limit", "50", "--json"))
    assert report["products"] == 50
    text = json.loads(run("text", "--json", "--show", "2"))
    assert text["template"]["source"] == "llm" and text["rendered"] == 50
    assert all(t for t in text["samples"].values())


def test_failures_command(fake: FakeLLM) -> None:
    from shelfmind.config import get_settings
    from shelfmind.llm.accounting import Ledger

    assert "no recorded failures" in run("llm", "failures")
    Ledger(get_settings().paths.ensure().llm_db).record_failure("attributes", "attr@1", "p7", "validation", "bad")
    rows = json.loads(run("llm", "failures", "--json"))
    assert rows[0]["item_id"] == "p7" and rows[0]["kind"] == "validation"
