"""Issue 21, item 5 (close): one entity's errors stop only that entity's close, and a
micro-entrepreneur's month is locked too — through the CLI, on the example workspace."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import Cli, snapshot

pytestmark = pytest.mark.usefixtures("english")

TODAY = "2026-12-15"
BROKEN = '\n2026-01-20 * "Client" "Saisie fautive"\n  Actif:Banque:Courant  10.00 EUR\n'


@pytest.fixture
def ws(example_ws: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ALUSAGE_TODAY", TODAY)
    register = example_ws / "ledgers/nicolas-jeudy/2026/01.beancount"
    register.write_text(register.read_text("utf-8") + BROKEN, "utf-8")
    return example_ws


def micro_files(root: Path) -> dict[str, bytes]:
    return {k: v for k, v in snapshot(root).items() if k.startswith("ledgers/nicolas-jeudy/")}


def test_an_error_in_a_micro_register_does_not_block_another_entity(ws: Path) -> None:
    cli = Cli(ws)
    before = micro_files(ws)
    result = cli("close", "2026-01", "--entity", "alusage")
    assert result.exit_code == 0, result.output
    assert "alusage: closed" in result.output
    assert (ws / "ledgers/alusage/2026/01.close.beancount").is_file()
    assert micro_files(ws) == before


def test_a_plain_close_closes_the_others_and_names_the_one_not_closed(ws: Path) -> None:
    cli = Cli(ws)
    before = micro_files(ws)
    result = cli("close", "2026-01")
    assert result.exit_code == 1, result.output
    assert "2026-01 closed, but not for every entity:" in result.output
    assert "nicolas-jeudy: NOT closed: " in result.output
    assert "2 error(s) in its ledger, first: ledgers/nicolas-jeudy/2026/" in (result.output)
    for name in ("alusage", "myceliandre", "christine-dornier"):
        assert f"  {name}: closed" in result.output
        assert (ws / f"ledgers/{name}/2026/01.close.beancount").is_file()
    assert "2026-01 was not closed for nicolas-jeudy" in result.output
    assert micro_files(ws) == before  # not one byte of the register with the error
    readme = (ws / "reports/2026-01/README.md").read_text("utf-8")
    assert "| Nicolas Jeudy (`nicolas-jeudy`) | not closed |" in readme
    assert "| Christine Dornier (`christine-dornier`) | revenue register locked on" in readme

    # fixed, the same command closes what is left, and nothing else moves
    register = ws / "ledgers/nicolas-jeudy/2026/01.beancount"
    register.write_text(register.read_text("utf-8").replace(BROKEN, ""), "utf-8")
    result = cli("--json", "close", "2026-01")
    assert result.exit_code == 0, result.output
    statuses = {e["entity"]: e["status"] for e in json.loads(result.output)["entities"]}
    assert statuses == {
        "alusage": "already-closed",
        "myceliandre": "already-closed",
        "nicolas-jeudy": "closed",
        "christine-dornier": "already-closed",
    }
    assert cli("check").exit_code == 0
