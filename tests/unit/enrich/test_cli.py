from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from shelfmind.catalog.store import CatalogStore
from shelfmind.cli.main import cli
from shelfmind.enrich.fake import SpanFakeLLM
from shelfmind.llm.registry import register_provider
from shelfmind.schemas import Product

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "enrich"


@pytest.fixture
def runner(home: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    register_provider("spanfake", lambda rest, settings: SpanFakeLLM(confidences={"allergens": 0.2}))
    monkeypatch.setenv("SHELFMIND_LLM_STRONG", "spanfake:")
    monkeypatch.setenv("SHELFMIND_LLM_FAST", "spanfake:")
    store = CatalogStore(home / "catalog.sqlite")
    store.upsert([Product(id="a", name="Organic Spaghetti", fields={"ingredients": "Durum wheat, egg"}),
                  Product(id="b", name="Honey Nut Bar", fields={"ingredients": "Oats, honey, peanuts, milk"}),
                  Product(id="c", name="Cola", fields={"ingredients": "Water, sugar"})])
    store.close()
    return CliRunner()


def _json(runner: CliRunner, *args: str) -> dict:  # type: ignore[type-arg]
    res = runner.invoke(cli, list(args), catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout.strip().splitlines()[-1])


def test_enrich_then_review_from_the_cli(runner: CliRunner, home: Path) -> None:
    report = _json(runner, "enrich", "--json")
    assert report["done"] == 3 and report["to_review"] >= 2 and report["model"] == "spanfake"[:0] + "fake:span"
    assert _json(runner, "enrich", "--json")["skipped"] == 3  # resumable: nothing done twice
    assert (home / "artifacts" / "attribute_schemas.toml").exists()  # editable schema file
    items = _json(runner, "review", "list", "--kind", "attribute", "--json")["items"]
    by_ref = {i["ref"]: i for i in items}
    a, b = by_ref["product:a/attr:allergens"], by_ref["product:b/attr:allergens"]
    _json(runner, "review", "approve", str(a["id"]), "--json")
    _json(runner, "review", "edit", str(b["id"]), '["milk", "peanuts", "tree nuts"]', "--json")
    store = CatalogStore(home / "catalog.sqlite")
    assert store.get("a").attributes["allergens"] == a["value"]
    assert store.get("b").attributes["allergens"] == ["milk", "peanuts", "tree nuts"]
    assert store.get("c").attributes["organic"] is False
    res = runner.invoke(cli, ["review", "show", str(b["id"])], catch_exceptions=False)
    assert "edited" in res.output and "evidence" in res.output
    dry = _json(runner, "review", "bulk", "reject", "--max-confidence", "0.5", "--dry-run", "--json")
    assert isinstance(dry["would_decide"], list)
    done = _json(runner, "review", "bulk", "approve", "--kind", "attribute", "--json")
    assert all(d["status"] == "approved" for d in done["decided"])
    assert _json(runner, "review", "list", "--json")["items"] == []


def test_eval_attributes_prints_pave_scores(runner: CliRunner) -> None:
    out = _json(runner, "eval", "attributes", "--input", str(FIXTURES / "wdc_tiny.jsonl"), "--sample", "3",
                "--attributes", "all", "--json")
    assert {"precision", "recall", "f1", "per_attribute"} <= set(out)
    assert set(out["per_attribute"]) == {"Brand", "Product Type", "Model Number"}
    assert 0.0 < out["precision"] <= 1.0 and out["offers"] == 3
    ablation = _json(runner, "eval", "attributes", "--input", str(FIXTURES / "wdc_tiny.jsonl"), "--sample", "3",
                     "--attributes", "all", "--ablation", "--json")
    assert ablation["ablation"][0]["variant"] == "zero-shot" and len(ablation["ablation"]) == 6
    assert ablation["ablation"][-1]["variant"] == "+confidence gate"  # auto-approved values only


def test_enrich_with_a_named_preset(runner: CliRunner) -> None:
    report = _json(runner, "enrich", "--preset", "stated", "--json")
    assert report["done"] == 3 and report["prompt"].startswith("enrich_extract_stated@")
    res = runner.invoke(cli, ["enrich", "--preset", "fastest"])
    assert res.exit_code != 0 and "unknown extraction preset" in str(res.exception)
