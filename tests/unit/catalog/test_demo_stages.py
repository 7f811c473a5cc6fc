"""`shelfmind demo` stages on a fake LLM: order, summaries, skipping and failure handling."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner

from shelfmind.cli import demo as demo_mod
from shelfmind.cli.demo import DemoOptions, Stage, StageSkipped, area_stage, run_stages
from shelfmind.cli.main import cli
from shelfmind.errors import DataError
from shelfmind.llm.providers.fake import FakeLLM
from shelfmind.runtime import Runtime

TEMPLATE = {"segments": ["{name}", "Ingredients: {ingredients}", "{nutrition_protein} g protein"]}


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeLLM:
    llm = FakeLLM(responder=lambda req: TEMPLATE)
    monkeypatch.setattr("shelfmind.llm.factory.build_provider", lambda spec, settings: llm)
    return llm


def test_spine_stages_then_skips(fake: FakeLLM) -> None:
    def boom(rt: Any, options: DemoOptions) -> dict[str, Any]:
        raise RuntimeError("bug in another area")

    stages = [*demo_mod.STAGES[:2], Stage("enrich", area_stage("shelfmind.no_such_area.demo")),
              Stage("broken", boom), Stage("after", lambda rt, o: {"fast": o.fast})]
    results = run_stages(Runtime(), DemoOptions(limit=30, fast=True), stages)
    assert [(r.name, r.status) for r in results] == [
        ("ingest", "ok"), ("text", "ok"), ("enrich", "skipped"), ("broken", "failed"), ("after", "ok")]
    assert results[0].summary["products"] == 30
    assert results[1].summary["source"] == "llm" and results[1].summary["rendered"] == 30
    assert "not available yet" in results[2].message and "bug in another area" in results[3].message
    assert results[4].summary == {"fast": True}
    assert len(fake.requests) == 1  # product text: one LLM call


def test_required_stage_failure_stops() -> None:
    def bad(rt: Any, options: DemoOptions) -> dict[str, Any]:
        raise DataError("broken", file="x.csv", row=3)

    def skip(rt: Any, options: DemoOptions) -> dict[str, Any]:
        raise StageSkipped("nothing")

    results = run_stages(Runtime(), DemoOptions(), [Stage("s", skip), Stage("a", bad, required=True),
                                                     Stage("b", lambda rt, o: {})])
    assert [r.status for r in results] == ["skipped", "failed"] and "x.csv" in results[1].message


def test_demo_command_no_serve(fake: FakeLLM, monkeypatch: pytest.MonkeyPatch) -> None:
    spine = [s for s in demo_mod.STAGES if s.name in ("ingest", "text", "serve")]
    monkeypatch.setattr(demo_mod, "STAGES", spine)  # other areas' stages are tested by them
    result = CliRunner().invoke(cli, ["demo", "--no-serve", "--limit", "20", "--fast", "--json"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    rows = {r["name"]: r for r in json.loads(result.stdout)}
    assert rows["ingest"]["status"] == "ok" and rows["text"]["status"] == "ok"
    assert "serve" not in rows
