"""`shelfmind index` and `shelfmind search` (single, --json, --batch JSON lines, bad input)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.unit.search.conftest import SCHEMA, make_products

from shelfmind.cli.main import cli, main
from shelfmind.runtime import Runtime


@pytest.fixture
def catalog(monkeypatch: pytest.MonkeyPatch) -> Runtime:
    monkeypatch.setenv("SHELFMIND_EMBEDDER", "hashing")
    rt = Runtime()
    rt.catalog.upsert(make_products(), schema=SCHEMA)
    return rt


def test_search_before_index_is_a_clear_error(catalog: Runtime, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["search", "pasta"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: [SM400] no search index") and "Traceback" not in err


def test_index_then_search_json_and_batch(catalog: Runtime, tmp_path: Path) -> None:
    runner = CliRunner()
    extra = tmp_path / "extra.jsonl"
    extra.write_text(json.dumps({"id": "p9", "text": "movie night snack"}) + "\n")
    res = runner.invoke(cli, ["index", "--extra-text", str(extra), "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["catalog_size"] == 10

    res = runner.invoke(cli, ["search", "gluten free pasta under $5", "--k", "3", "--json"])
    assert res.exit_code == 0, res.output
    assert [r["id"] for r in json.loads(res.stdout)["results"]] == ["p2"]

    queries = tmp_path / "q.txt"
    queries.write_text("red wine\n\n   \nmovie night\n" + "x" * 10_000 + "\n意大利面\n", encoding="utf-8")
    res = runner.invoke(cli, ["search", "--batch", str(queries), "--json", "--k", "2"])
    assert res.exit_code == 0, res.output
    lines = [json.loads(line) for line in res.stdout.splitlines()]
    assert [len(line["results"]) for line in lines] == [2, 2, 2, 0]
    assert lines[0]["query"] == "red wine" and {"id", "score"} == set(lines[0]["results"][0])
    assert "p9" in {r["id"] for r in lines[1]["results"]} and "script" in lines[3]["error"]

    res = runner.invoke(cli, ["search", "pasta", "--filter", "brand=ACME"], standalone_mode=False)
    assert "unknown value" in str(res.exception)


def test_index_built_with_another_embedder(catalog: Runtime, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert CliRunner().invoke(cli, ["index"]).exit_code == 0
    monkeypatch.setenv("SHELFMIND_EMBEDDER", "hashing-32")
    with pytest.raises(SystemExit):
        main(["search", "pasta"])
    assert "built with embedder 'hashing-64'" in capsys.readouterr().err
