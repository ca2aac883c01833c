"""``report trial-balance``, ``report ledger``, ``report journal`` and the members' register:
golden files of the example, and the period rules on a small closed year (issue 8)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from closing_helpers import make_year_ws
from conftest import PROJECT, Cli, snapshot

#: Start and end every test in English (``conftest.english``).
pytestmark = pytest.mark.usefixtures("english")


GOLDEN = PROJECT / "tests" / "golden" / "year"
REGEN = os.environ.get("ALUSAGE_REGEN_GOLDEN") == "1"


def check_golden(name: str, got: str) -> None:
    path = GOLDEN / name
    if REGEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(got, encoding="utf-8")
    assert path.exists(), f"missing golden file {path}; run with ALUSAGE_REGEN_GOLDEN=1"
    assert got == path.read_text("utf-8"), f"{name} differs from its golden file"


@pytest.fixture(scope="module")
def example() -> Cli:
    """The example workspace, read only."""
    return Cli(PROJECT)


# --------------------------------------------------------------------------- golden files


@pytest.mark.parametrize("entity", ["myceliandre", "alusage"])
def test_golden_trial_balance_of_the_example(example: Cli, entity: str) -> None:
    for fmt, lang in (("md", "en"), ("csv", "en"), ("md", "fr")):
        done = example(
            "report", "trial-balance", "-e", entity, "--exercice", "2026", "-f", fmt, lang=lang
        )
        assert done.exit_code == 0, done.output
        suffix = f".{lang}.md" if fmt == "md" else ".csv"
        check_golden(f"trial-balance-{entity}-2026{suffix}", done.output)
    rows = done.output  # the French table balances: same totals on both sides
    assert rows


def test_golden_register_of_the_example(example: Cli) -> None:
    for fmt, lang, suffix in (
        ("md", "en", ".en.md"),
        ("md", "fr", ".fr.md"),
        ("csv", "en", ".csv"),
    ):
        done = example("capital", "register", "-f", fmt, lang=lang)
        assert done.exit_code == 0, done.output
        check_golden(f"register-myceliandre{suffix}", done.output)
    document = json.loads(example("capital", "register", "-f", "json").output)
    assert document["ties"] is True
    assert document["totals"]["paid"] == document["books"]["paid"] == "4400.00"


def test_example_trial_balance_balances(example: Cli) -> None:
    for entity in ("myceliandre", "alusage"):
        done = example("--json", "report", "trial-balance", "-e", entity, "--exercice", "2026")
        totals = json.loads(done.output)["totals"]
        assert totals["opening_debit"] == totals["opening_credit"]
        assert totals["debit"] == totals["credit"]
        assert totals["closing_debit"] == totals["closing_credit"]


# --------------------------------------------------------------------------- period rules


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = make_year_ws(tmp_path / "ws", months=12)
    cli = Cli(root)
    assert cli("year", "open", "-e", "coop", str(root / "coop-opening.csv")).exit_code == 0
    return root


def test_trial_balance_ledger_and_journal_of_a_year(ws: Path) -> None:
    cli = Cli(ws)
    done = cli("--json", "report", "trial-balance", "-e", "coop", "--exercice", "2026")
    assert done.exit_code == 0, done.output
    document = json.loads(done.output)
    rows = {row["pcg"]: row for row in document["rows"]}
    # the à-nouveaux of Jan 1 are the opening; the year's movements follow
    assert rows["5121"]["opening_debit"] == "5000.00"
    assert (rows["5121"]["debit"], rows["5121"]["credit"]) == ("6000.00", "3600.00")
    assert rows["5121"]["closing_debit"] == "7400.00"
    assert rows["706"]["closing_credit"] == "6000.00"
    assert rows["411"]["account"] == "Actif:Clients:CoopDesTilleuls"
    assert document["totals"]["debit"] == document["totals"]["credit"] == "9600.00"

    csv_text = cli("report", "ledger", "512", "-e", "coop", "-p", "2026-Q4", "-f", "csv").output
    lines = csv_text.splitlines()
    assert lines[0] == "account,pcg,date,journal,piece,label,debit,credit,balance"
    assert lines[1] == "Actif:Banque:Nef,5121,2026-10-01,,,opening,6800.00,0.00,6800.00"
    assert lines[2] == (
        "Actif:Banque:Nef,5121,2026-10-05,BQ,,Bailleur - Loyer 10/2026,0.00,300.00,6500.00"
    )
    assert lines[-1] == "Actif:Banque:Nef,5121,2026-12-31,,,closing,8300.00,900.00,7400.00"

    journal = json.loads(cli("--json", "report", "journal", "-e", "coop", "-p", "2026-01").output)
    assert [e["number"] for e in journal["entries"]] == ["AN000001", "BQ000001", "BQ000002"]
    md = cli("report", "journal", "-e", "coop", "-p", "2026-01", "-j", "AN", "-f", "md").output
    assert "## AN — Balances brought forward" in md and "BQ000001" not in md


def test_reports_after_the_exercice_close(ws: Path) -> None:
    cli = Cli(ws)
    for month in range(1, 13):
        assert cli("close", f"2026-{month:02d}", "--today", "2027-01-10").exit_code == 0
    done = cli("year", "close", "-e", "coop", "--exercice", "2026", "--today", "2027-01-10")
    assert done.exit_code == 0, done.output
    # 2026 is shown before its closing; 2027 opens on the à-nouveaux.
    year_2026 = json.loads(
        cli("--json", "report", "trial-balance", "-e", "coop", "--exercice", "2026").output
    )
    assert {r["pcg"] for r in year_2026["rows"]} >= {"6132", "706"}
    assert "120" not in {r["pcg"] for r in year_2026["rows"]}
    year_2027 = json.loads(
        cli("--json", "report", "trial-balance", "-e", "coop", "--exercice", "2027").output
    )
    rows = {r["pcg"]: r for r in year_2027["rows"]}
    assert rows["120"]["opening_credit"] == "2400.00"
    assert rows["5121"]["opening_debit"] == "7400.00"
    assert "6132" not in rows
    journal = cli("report", "journal", "-e", "coop", "-p", "2026-12", "-j", "CL").output
    assert "CL000001" in journal and "CL000002" in journal
    ledger = cli("report", "ledger", "Capitaux:Resultat", "-e", "coop", "-p", "2027").output
    assert "Opening balance" in ledger and "-€2,400.00" in ledger


def test_report_refusals(ws: Path) -> None:
    cli = Cli(ws)
    before = snapshot(ws)
    cases = [
        (("report", "ledger", "Actif:Nope", "-e", "coop"), "No account matches"),
        (("report", "journal", "-e", "coop", "-j", "ZZ"), "has no entry in this period"),
        (("report", "trial-balance", "-e", "coop", "-p", "2026", "--exercice", "2026"), "not both"),
        (("report", "trial-balance", "-e", "coop", "-f", "pdf"), "Unknown format"),
        (("report", "trial-balance", "-e", "coop", "-p", "2026-13"), "is not valid"),
    ]
    for args, message in cases:
        done = cli(*args)
        assert done.exit_code == 2, (args, done.output)
        assert message in done.output
    assert snapshot(ws) == before


def test_trial_balance_through_the_console_script() -> None:
    from conftest import run_subprocess

    done = run_subprocess(
        "--workspace", str(PROJECT), "report", "trial-balance", "-e", "myceliandre",
        "--exercice", "2026", "-f", "csv",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout == (GOLDEN / "trial-balance-myceliandre-2026.csv").read_text("utf-8")
