"""Closing a month of a place shared by days of use: declarations, shares, statements."""

from __future__ import annotations

from pathlib import Path

import pytest
from closing_helpers import PLACE, golden_tree, make_close_ws
from conftest import Cli, snapshot

TODAY = "2026-04-15"


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ALUSAGE_TODAY", TODAY)
    return make_close_ws(tmp_path / "books", config_extra=PLACE)


def test_a_missing_usage_declaration_stops_the_close(ws: Path) -> None:
    cli = Cli(ws)
    assert (
        cli("usage", "set", "atelier", "lea", "--month", "2026-01", "--days", "10").exit_code == 0
    )
    before = snapshot(ws)
    result = cli("close", "2026-01")
    assert result.exit_code == 1
    assert "marc has no usage declaration for 2026-01 at atelier" in result.output
    assert "usage set atelier marc --month 2026-01 --days N" in result.output
    assert "lea has no usage declaration" not in result.output
    assert "nothing was written" in result.output
    assert snapshot(ws) == before
    # the micro-entrepreneur and the other entity are not closed either (all or nothing)
    assert not (ws / "ledgers/shop/2026/01.close.beancount").exists()


def test_closing_posts_the_shares_and_writes_the_statements(ws: Path) -> None:
    cli = Cli(ws)
    for member, days in (("lea", "10"), ("marc", "5")):
        result = cli("usage", "set", "atelier", member, "--month", "2026-01", "--days", days)
        assert result.exit_code == 0, result.output
    result = cli("close", "2026-01", lang="fr")
    assert result.exit_code == 0, result.output
    assert "atelier" in result.output
    january = (ws / "ledgers/coop/2026/01.beancount").read_text("utf-8")
    assert "^le97" not in january and "gen-id:" in january  # the calls were posted
    reports = ws / "reports/2026-01"
    assert (reports / "atelier/shares.md").is_file()
    assert (reports / "atelier/statements/lea.md").is_file()
    assert (reports / "atelier/statements/marc.md").is_file()
    shares = (reports / "atelier/shares.csv").read_text("utf-8")
    assert (
        shares == "member,loyer,total\nlea,200.00,200.00\nmarc,100.00,100.00\ntotal,300.00,300.00\n"
    )
    # the statements and the shares tables are the Shares feature's (golden-tested there)
    golden_tree(reports, "small-2026-01-fr", exclude=("atelier/statements/", "atelier/shares.md"))
    assert cli("check").exit_code == 0
    before = snapshot(ws)
    result = cli("close", "2026-01", lang="fr")
    assert result.exit_code == 0
    assert "2026-01 est déjà clôturé ; rien n'a été modifié." in result.output
    assert snapshot(ws) == before
