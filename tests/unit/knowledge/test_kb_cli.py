from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from shelfmind.cli.main import cli
from shelfmind.llm.providers.fake import FakeLLM
from shelfmind.runtime import Runtime
from shelfmind.search.simple import KeywordSearcher


def runtime(products, responder, **settings) -> Runtime:
    rt = Runtime(**settings)
    rt.catalog.upsert(products)
    rt.__dict__["llm"] = FakeLLM(responder=responder())
    rt.__dict__["searcher"] = KeywordSearcher(products)
    return rt


def run(rt: Runtime, *args: str) -> str:
    result = CliRunner().invoke(cli, list(args), obj={"runtime": rt}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_kb_cli_build_show_review_export_import_recipe(products, responder, tmp_path: Path) -> None:
    rt = runtime(products, responder)
    intents = tmp_path / "intents.toml"
    intents.write_text('intents = ["insomnia", "movie night"]\n')
    built = json.loads(run(rt, "kb", "build", "--intents", str(intents), "--limit", "1", "--json"))
    assert built["intents_done"] == 1 and built["added_intents"] == 2
    again = json.loads(run(rt, "kb", "build", "--intents", str(intents), "--json"))
    assert again["intents_done"] == 1 and again["intents_skipped"] == 1  # resumed
    shown = json.loads(run(rt, "kb", "show", "movie night", "--json"))
    assert shown["themes"] and all(len(t["product_ids"]) >= 3 for t in shown["themes"])
    assert all(x["product_name"] for x in shown["links"])
    assert "theme 'Popcorn and Chips'" in run(rt, "kb", "show", "movie night")
    assert json.loads(run(rt, "kb", "review", "--json"))["pending"] == []
    out = tmp_path / "kb.jsonl"
    run(rt, "kb", "export", str(out))
    rt2 = runtime(products, responder, home=tmp_path / "other-home")
    run(rt2, "kb", "import", str(out))
    assert json.loads(run(rt2, "kb", "show", "movie night", "--json"))["links"] == shown["links"]
    stats = json.loads(run(rt, "kb", "stats", "--json"))
    assert stats["counts"]["links"] > 0 and stats["manifest"]["build_version"] == 2
    recipe = json.loads(run(rt, "recipe", "--cart", "p18", "--cart", "broccoli", "--json"))
    assert recipe["lines"] and any(not x["available"] for x in recipe["lines"])
    assert "unavailable" in run(rt, "recipe", "--interest", "salmon")


def test_recipe_needs_exactly_one_input(products, responder) -> None:
    rt = runtime(products, responder)
    result = CliRunner().invoke(cli, ["recipe"], obj={"runtime": rt})
    assert result.exit_code != 0


def test_eval_knowledge_rules_only(products, responder) -> None:
    rt = runtime(products, responder)
    out = json.loads(run(rt, "eval", "knowledge", "--rules-only", "--no-retrieval", "--json"))
    v = out["verifier"]
    assert v["n"] >= 40 and v["judge"] == "rules only" and v["auto_approved_share"] == 0.0
