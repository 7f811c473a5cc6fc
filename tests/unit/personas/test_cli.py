"""The `user` and `recommend` commands over the bundled grocery catalog (rules-only statement
parsing, in-memory keyword search: no model is loaded)."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest
from click.testing import CliRunner

from shelfmind.cli.main import cli, main


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("SHELFMIND_STATEMENT_LLM", "0")
    config = Path(str(resources.files("shelfmind") / "data" / "grocery" / "catalog.toml"))
    r = CliRunner()
    res = r.invoke(cli, ["ingest", "--config", str(config), "--json"])
    assert res.exit_code == 0, res.output
    return r


def test_user_statement_show_and_recommend(runner: CliRunner) -> None:
    users = json.loads(runner.invoke(cli, ["user", "list", "--json"]).output)
    assert {"maya", "sam", "priya", "leo"} <= {u["id"] for u in users}  # demo users are seeded
    res = runner.invoke(cli, ["user", "statement", "--user", "sam", "I'm three months pregnant", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["effects"][0]["value"] == "no_alcohol"
    show = json.loads(runner.invoke(cli, ["user", "show", "sam", "--json"]).output)
    assert show["constraints"] == ["no_alcohol"]
    assert {p["id"] for p in show["personas"]} & {"party_host", "snack_lover"}
    res = runner.invoke(cli, ["recommend", "--query", "beer", "--user", "sam", "--context", "date=2027-02-10",
                              "--json"])
    assert res.exit_code == 0, res.output
    rec = json.loads(res.output)
    assert all({"id", "name", "explanation"} <= set(p) for p in rec["products"])
    assert "themes" in rec["presentation"] and rec["constraints"] == ["no alcohol"]
    names = [p["name"].lower() for p in rec["products"]]
    assert names and not any("beer" in n.replace("root beer", "") for n in names)  # root beer is allowed


def test_unknown_user_is_a_one_line_error(runner: CliRunner, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["recommend", "--query", "pasta", "--user", "nobody"])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("error: [SM400] no user 'nobody'")
