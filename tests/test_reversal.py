"""``reverse`` (contre-passation) and the automatic reversal of year-end accruals (issue 21)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import Cli, snapshot
from purchases_helpers import customs, make_purchases_ws, transactions

pytestmark = pytest.mark.usefixtures("english")

SUPPLIER = "Passif:Fournisseurs:CabinetVauban"
ACCRUED = '\n2026-01-01 open Passif:Fournisseurs:FacturesNonParvenues EUR\n  pcg: "408"\n'


def _close(cli: Cli, month: str, today: str) -> None:
    done = cli("close", month, "--entity", "sas", "--today", today)
    assert done.exit_code == 0, done.output


def test_reverse_a_bill_of_a_closed_month(tmp_path: Path) -> None:
    ws = make_purchases_ws(tmp_path / "ws")
    cli = Cli(ws)
    added = cli(
        "bill", "add", "-e", "sas", "--supplier", "Cabinet Vauban",
        "--account", "Charges:Honoraires", "--amount-ht", "1000", "--vat", "20",
        "--date", "2026-03-10", "--piece-ref", "CV-31",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    for month in ("2026-01", "2026-02", "2026-03"):
        _close(cli, month, "2026-04-10")
    aged = json.loads(cli("--json", "aged", "-e", "sas", "--as-of", "2026-04-30").output)
    assert [b["account"] for b in aged["balances"]] == [SUPPLIER]

    before = snapshot(ws)
    closed = cli("reverse", "CV-31", "-e", "sas", "--date", "2026-03-20")
    assert closed.exit_code == 4, closed.output
    early = cli("reverse", "CV-31", "-e", "sas", "--date", "2026-03-01")
    assert early.exit_code == 2, early.output
    unknown = cli("reverse", "CV-99", "-e", "sas", "--date", "2026-04-02")
    assert unknown.exit_code == 2 and "No entry of sas is named 'CV-99'" in unknown.output
    assert snapshot(ws) == before

    done = cli(
        "reverse", "CV-31", "-e", "sas", "--date", "2026-04-02", "--reason", "Facture en double"
    )
    assert done.exit_code == 0, done.output
    assert "reversed on 2026-04-02" in done.output
    assert f"Lettered AA on {SUPPLIER}" in done.output
    bill, reversal = [e for e in transactions(ws, "sas") if "sas-CV-31" in e.links]
    assert reversal.date.isoformat() == "2026-04-02"
    assert reversal.links == bill.links
    assert [(p.account, -p.units.number) for p in reversal.postings] == [
        (p.account, p.units.number) for p in bill.postings
    ]
    assert reversal.meta["reverses"].startswith("id-")
    assert reversal.meta["gen-id"] == "reverse/" + reversal.meta["reverses"]
    assert reversal.meta["reason"] == "Facture en double"
    assert "2026/04.beancount" in " ".join(str(p) for p in (ws / "ledgers/sas/2026").iterdir())
    (letter,) = customs(ws, "sas")
    assert [v.value for v in letter.values] == [SUPPLIER, "AA", "sas-CV-31"]

    aged = json.loads(cli("--json", "aged", "-e", "sas", "--as-of", "2026-04-30").output)
    assert aged["balances"] == []
    assert cli("check").exit_code == 0

    # Once only; by its id, the original is still found.
    before = snapshot(ws)
    again = cli("reverse", reversal.meta["reverses"], "-e", "sas", "--date", "2026-04-03")
    assert again.exit_code == 4 and "already reversed" in again.output
    assert snapshot(ws) == before
    french = cli("reverse", "CV-31", "-e", "sas", "--date", "2026-04-03", lang="fr")
    assert french.exit_code == 4, french.output
    assert "déjà contre-passée" in french.output


# --------------------------------------------------------------------------- accruals


@pytest.fixture(scope="module")
def accrued(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """2026 closed for ``sas``, and an accrual booked at the year-end (#extourne)."""
    ws = make_purchases_ws(tmp_path_factory.mktemp("accrual") / "ws")
    with open(ws / "ledgers/sas/accounts.beancount", "a", encoding="utf-8") as handle:
        handle.write(ACCRUED)
    cli = Cli(ws)
    for month in range(1, 13):
        _close(cli, f"2026-{month:02d}", "2027-01-05")
    done = cli(
        "year", "inventory", "-e", "sas", "--exercice", "2026",
        "--line", "Charges:Honoraires:450", "--line", "408:-450",
        "--label", "Honoraires de décembre, facture non parvenue", "--accrual",
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    yield ws


@pytest.fixture
def aws(accrued: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "ws"
    shutil.copytree(accrued, dest)
    return dest


def accrual_id(entry: object) -> str:
    from alusage_ledger.domains.lettering.letters import entry_id

    return entry_id(entry)[3:]


def _reversals(ws: Path) -> list[object]:
    return [e for e in transactions(ws, "sas") if "reverses" in (e.meta or {})]


def test_an_accrual_is_reversed_by_the_first_close_of_the_next_exercice(aws: Path) -> None:
    cli = Cli(aws)
    (accrual,) = [e for e in transactions(aws, "sas") if "extourne" in e.tags]
    assert "inventaire" in accrual.tags and accrual.date.isoformat() == "2026-12-31"
    before = snapshot(aws)
    dry = cli("--json", "close", "2027-01", "--entity", "sas", "--today", "2027-02-03", "--dry-run")
    assert dry.exit_code == 0, dry.output
    planned = json.loads(dry.output)
    steps = {s["name"]: s["lines"] for s in planned["steps"]}
    assert steps["accruals"] == [f"sas: accrual reversed on 2027-01-01 (id-{accrual_id(accrual)})."]
    assert "reverses:" in planned["planned"]["ledgers/sas/2027/01.beancount"]
    assert snapshot(aws) == before
    done = cli("close", "2027-01", "--entity", "sas", "--today", "2027-02-03")
    assert done.exit_code == 0, done.output
    assert "accrual reversed on 2027-01-01" in done.output
    (reversal,) = _reversals(aws)
    assert reversal.date.isoformat() == "2027-01-01"
    assert sorted((p.account, p.units.number) for p in reversal.postings) == sorted(
        (p.account, -p.units.number) for p in accrual.postings
    )
    assert "extourne" not in reversal.tags and "inventaire" not in reversal.tags
    january = (aws / "ledgers/sas/2027/01.beancount").read_text(encoding="utf-8")
    assert "reverses:" in january
    # Exactly once: closing again, then closing the exercice, write no second reversal.
    assert cli("close", "2027-01", "--entity", "sas", "--today", "2027-02-03").exit_code == 0
    closed = cli("year", "close", "-e", "sas", "--exercice", "2026", "--today", "2027-02-04")
    assert closed.exit_code == 0, closed.output
    assert len(_reversals(aws)) == 1
    assert cli("check").exit_code == 0


def test_year_close_reverses_an_accrual_first_and_january_does_not_again(aws: Path) -> None:
    cli = Cli(aws)
    closed = cli("year", "close", "-e", "sas", "--exercice", "2026", "--today", "2027-01-06")
    assert closed.exit_code == 0, closed.output
    (reversal,) = _reversals(aws)
    assert reversal.date.isoformat() == "2027-01-01"
    assert reversal.meta["gen-id"].startswith("year-close/2026/reverse/")
    opening = (aws / "ledgers/sas/2027/exercice.open.beancount").read_text(encoding="utf-8")
    assert "reverses:" in opening
    again = cli("year", "close", "-e", "sas", "--exercice", "2026", "--today", "2027-01-07")
    assert again.exit_code == 0, again.output
    done = cli("close", "2027-01", "--entity", "sas", "--today", "2027-02-03")
    assert done.exit_code == 0, done.output
    assert "accrual reversed" not in done.output
    assert len(_reversals(aws)) == 1
    assert cli("check").exit_code == 0
