"""The year's bookends on a small workspace (issue 8): open, close twelve months, inventory,
close the exercice, allocate; the next year's opening equals the balance sheet."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from closing_helpers import make_year_ws
from conftest import Cli, snapshot

from alusage_ledger.books.ledger import Workspace
from alusage_ledger.books.writer import Append
from alusage_ledger.core.errors import RefusedError
from alusage_ledger.core.periods import Month

#: Start and end every test in English (``conftest.english``).
pytestmark = pytest.mark.usefixtures("english")


TODAY = "2027-02-03"


@pytest.fixture(scope="module")
def closed_year(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Opening balances from a trial balance, then the twelve months of 2026 closed (once)."""
    root = make_year_ws(tmp_path_factory.mktemp("year") / "ws")
    cli = Cli(root)
    for entity in ("coop", "shop"):
        done = cli("year", "open", "--entity", entity, str(root / f"{entity}-opening.csv"))
        assert done.exit_code == 0, done.output
    for month in range(1, 13):
        done = cli("close", f"2026-{month:02d}", "--today", "2027-01-10")
        assert done.exit_code == 0, done.output
    yield root


@pytest.fixture
def ws(closed_year: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ALUSAGE_TODAY", TODAY)
    dest = tmp_path / "ws"
    shutil.copytree(closed_year, dest)
    return dest


@pytest.fixture
def cli(ws: Path) -> Cli:
    return Cli(ws)


def ledger_file(ws: Path, entity: str, rel: str) -> Path:
    return ws / "ledgers" / entity / rel


def inventory(cli: Cli, *extra: str) -> object:
    return cli(
        "year",
        "inventory",
        "-e",
        "coop",
        "--exercice",
        "2026",
        "--line",
        "Charges:Loyer:150",
        "--line",
        "4086:-150",
        "--label",
        "Régularisation des charges 2026",
        *extra,
    )


# --------------------------------------------------------------------------- the whole year


def test_open_close_inventory_close_allocate(ws: Path, cli: Cli) -> None:
    # The opening from the trial balance is in January, journal AN, one client item.
    january = ledger_file(ws, "coop", "2026/01.beancount").read_text("utf-8")
    assert '2026-01-01 * "Reprise des soldes au 2026-01-01" #ouverture' in january
    assert 'journal: "AN"' in january
    assert "Actif:Clients:CoopDesTilleuls" in january and 'invoice: "F2025-0042"' in january

    # December is closed: an inventory entry dated Dec 31 is still accepted...
    done = inventory(cli)
    assert done.exit_code == 0, done.output
    december = ledger_file(ws, "coop", "2026/12.beancount").read_text("utf-8")
    assert '2026-12-31 * "Régularisation des charges 2026" #inventaire' in december
    assert cli("check").exit_code == 0
    # ... but no other entry in December.
    workspace = Workspace.open(ws)
    from alusage_ledger.books.entries import new_meta as _meta
    from alusage_ledger.domains.year.balances import posting, transaction

    def entry(day: date, tags: tuple[str, ...] = ()) -> object:
        return transaction(
            day,
            None,
            "Test",
            [
                posting("Charges:Loyer", Decimal("1.00")),
                posting("Actif:Banque:Nef", Decimal("-1.00")),
            ],
            meta=_meta(),
            tags=tags,
        )

    for late in (entry(date(2026, 12, 30), ("inventaire",)), entry(date(2026, 12, 31))):
        with workspace.lock(), pytest.raises(RefusedError):
            workspace.load_checked("coop")
            workspace.write([Append("coop", (late,))])

    # Close the exercice: the result, the lock, the à-nouveaux; twice is a no-op.
    done = cli("year", "close", "-e", "coop", "--exercice", "2026")
    assert done.exit_code == 0, done.output
    assert "profit of €2,250.00" in done.output
    lock = ledger_file(ws, "coop", "2026/exercice.close.beancount").read_text("utf-8")
    assert '#cloture\n  journal: "CL"' in lock
    assert '2027-01-01 custom "alusage-close-exercice" "2026" "' in lock
    assert "closed-on: 2027-02-03" in lock
    assert "Capitaux:Resultat:Benefice  -2250.00 EUR" in lock
    opening = ledger_file(ws, "coop", "2027/exercice.open.beancount").read_text("utf-8")
    assert '2027-01-01 * "À-nouveaux au 2027-01-01" #ouverture\n  journal: "AN"' in opening
    assert cli("check").exit_code == 0
    before = snapshot(ws)
    again = cli("year", "close", "-e", "coop", "--exercice", "2026", "--today", "2027-03-01")
    assert again.exit_code == 0 and "already closed" in again.output
    assert snapshot(ws) == before

    # The inventory window is closed with the exercice.
    late = inventory(cli)
    assert late.exit_code == 4 and "is closed" in late.output
    assert snapshot(ws) == before

    # The FEC of 2026 leaves the closing out; the inventory entry is validated on closed-on.
    out = ws / "fec"
    done = cli("export", "fec", "-e", "coop", "--exercice", "2026", "--out", str(out))
    assert done.exit_code == 0, done.output
    fec = (out / "930281571FEC20261231.txt").read_text("utf-8")
    assert "\tCL\t" not in fec and "Clôture" not in fec
    od = [line for line in fec.splitlines() if line.startswith("OD\t")]
    assert len(od) == 2 and all(line.split("\t")[15] == "20270203" for line in od)

    # The allocation: the minimums, a proposal under 57.5 % refused, the lawful one booked.
    done = cli("--json", "year", "allocate", "-e", "coop", "--exercice", "2026", "--propose")
    assert done.exit_code == 0, done.output
    proposal = json.loads(done.output)
    assert proposal["base"] == "2250.00"
    assert proposal["legal_reserve_min"] == "337.50"  # 15 %
    assert proposal["statutory_reserve_min"] == "956.25"  # 50 % of the rest
    assert proposal["free"] == "956.25"
    before = snapshot(ws)
    refused = cli(
        "year", "allocate", "-e", "coop", "--exercice", "2026", "--legal-reserve", "337.50",
        "--statutory-reserve", "700", "--carry-forward", "1212.50", "--date", "2027-06-15",
    )  # fmt: skip
    assert refused.exit_code == 1
    assert "57.5 %" in refused.output and "breaks the law's minimums" in refused.output
    assert snapshot(ws) == before
    done = cli(
        "year", "allocate", "-e", "coop", "--exercice", "2026", "--legal-reserve", "337.50",
        "--statutory-reserve", "956.25", "--interest", "500", "--carry-forward", "456.25",
        "--date", "2027-06-15",
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    june = ledger_file(ws, "coop", "2027/06.beancount").read_text("utf-8")
    assert "#affectation" in june and "Capitaux:Resultat:Benefice        2250.00 EUR" in june
    assert "Passif:Associes:DividendesAPayer  -500.00 EUR" in june
    assert cli("check").exit_code == 0
    before = snapshot(ws)
    twice = cli(
        "year", "allocate", "-e", "coop", "--exercice", "2026", "--legal-reserve", "337.50",
        "--statutory-reserve", "956.25", "--interest", "500", "--carry-forward", "456.25",
        "--date", "2027-06-15",
    )  # fmt: skip
    assert twice.exit_code == 0 and "already recorded" in twice.output
    assert snapshot(ws) == before


def test_the_next_opening_equals_the_balance_sheet_at_december_31(ws: Path, cli: Cli) -> None:
    from alusage_ledger.books.exercice import is_closing
    from alusage_ledger.outputs.reports import balance_sheet

    assert inventory(cli).exit_code == 0
    assert cli("year", "close", "-e", "coop", "--exercice", "2026").exit_code == 0
    ledger = Workspace.open(ws).load_checked("coop")
    # The balance sheet at Dec 31 as month-end closing reports it, before the closing.
    before_closing = [e for e in ledger.entries if not is_closing(e)]
    sheet = balance_sheet(
        before_closing, ledger.roots(), Month.parse("2026-12"), "coop", "Coop Test"
    )
    expected: dict[str, Decimal] = {}
    for section in sheet.sections:
        sign = 1 if section.key == "assets" else -1
        for line in section.lines:
            if line.account:
                expected[line.account] = sign * line.amounts[0]
            else:  # the result not yet allocated goes to 120 in the à-nouveaux
                expected["Capitaux:Resultat:Benefice"] = -line.amounts[0]
    expected = {k: v for k, v in expected.items() if v}
    [opening] = [
        e
        for e in ledger.entries
        if type(e).__name__ == "Transaction"
        and e.date == date(2027, 1, 1)
        and "ouverture" in e.tags
    ]
    got = {p.account: p.units.number for p in opening.postings}
    assert got == expected
    assert sum(got.values()) == 0
    assert got["Capitaux:Resultat:Benefice"] == Decimal("-2250.00")
    # Balances on Jan 1 are those of Dec 31: the closing and the à-nouveaux cancel out.
    from alusage_ledger.domains.year.balances import balances

    at_31 = balances(before_closing, until=date(2026, 12, 31))
    at_1 = balances(ledger.entries, until=date(2027, 1, 1))
    for account in expected:
        if not account.startswith("Capitaux:Resultat"):
            assert at_1.get(account) == at_31.get(account)
    assert all(not v for a, v in at_1.items() if a.startswith(("Charges", "Produits")))


def test_close_after_the_next_january_is_closed(ws: Path, cli: Cli) -> None:
    """The exercice is closed weeks later: January is closed already for the SCIC, not yet
    for the SAS; both orders keep every lock valid."""
    assert inventory(cli).exit_code == 0
    done = cli("close", "2027-01", "--entity", "coop", "--today", "2027-02-02")
    assert done.exit_code == 0, done.output
    january = ledger_file(ws, "coop", "2027/01.close.beancount").read_bytes()
    for entity in ("coop", "shop"):
        done = cli("year", "close", "-e", entity, "--exercice", "2026")
        assert done.exit_code == 0, done.output
    assert ledger_file(ws, "coop", "2027/01.close.beancount").read_bytes() == january
    assert cli("check").exit_code == 0, cli("check").output
    done = cli("close", "2027-01", "--entity", "shop", "--today", "2027-02-04")
    assert done.exit_code == 0, done.output
    shop_lock = ledger_file(ws, "shop", "2027/01.close.beancount").read_text("utf-8")
    assert "balance Capitaux:Resultat:Benefice                      -2400.00 ~ 0.00 EUR" in (
        shop_lock
    )
    assert cli("check").exit_code == 0


def test_sas_allocation_absorbs_the_debit_carry_forward(ws: Path, cli: Cli) -> None:
    assert cli("year", "close", "-e", "shop", "--exercice", "2026").exit_code == 0
    done = cli("--json", "year", "allocate", "-e", "shop", "--exercice", "2026", "--propose")
    proposal = json.loads(done.output)
    assert proposal["result"] == "2400.00"
    assert proposal["absorbed"] == "200.00"  # the 119 of the opening
    assert proposal["base"] == "2200.00"
    # 5 % of 2200 is 110, but the legal reserve stops at 10 % of the capital (100): 50 left
    assert proposal["legal_reserve_min"] == "50.00"
    assert proposal["statutory_reserve_min"] == "0.00"
    refused = cli(
        "year", "allocate", "-e", "shop", "--exercice", "2026", "--legal-reserve", "20",
        "--carry-forward", "2180", "--date", "2027-05-20",
    )  # fmt: skip
    assert refused.exit_code == 1 and "legal reserve gets €20.00" in refused.output
    done = cli(
        "year", "allocate", "-e", "shop", "--exercice", "2026", "--legal-reserve", "50",
        "--carry-forward", "2150", "--date", "2027-05-20",
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    text = ledger_file(ws, "shop", "2027/05.beancount").read_text("utf-8")
    assert "Capitaux:ReportANouveauDebiteur   -200.00 EUR" in text
    assert cli("check").exit_code == 0


def test_check_refuses_an_allocation_under_the_minimums(ws: Path, cli: Cli) -> None:
    assert cli("year", "close", "-e", "coop", "--exercice", "2026").exit_code == 0
    # Written by hand, not through 'year allocate': only 'check' can refuse it.
    path = ledger_file(ws, "coop", "2027/06.beancount")
    path.write_text(
        (ws / "ledgers/coop/2026/01.beancount").read_text("utf-8").split("\n\n")[0]
        + """

2027-01-01 open Capitaux:ReservesStatutaires EUR
  pcg: "1063"
  label: "Réserves statutaires ou contractuelles"

2027-06-15 * "Affectation votée en AG" #affectation
  exercice: "2026"
  Capitaux:Resultat:Benefice     2400.00 EUR
  Capitaux:ReserveLegale         -360.00 EUR
  Capitaux:ReservesStatutaires   -900.00 EUR
  Capitaux:ReportANouveau       -1140.00 EUR
""",
        encoding="utf-8",
    )
    with ledger_file(ws, "coop", "main.beancount").open("a", encoding="utf-8") as handle:
        handle.write('include "2027/06.beancount"\n')
    done = cli("check")
    assert done.exit_code == 1
    assert "57.5 %" in done.output
    assert "2027/06.beancount:" in done.output


# --------------------------------------------------------------------------- refusals


def test_year_close_needs_every_month_closed(tmp_path: Path) -> None:
    root = make_year_ws(tmp_path / "ws", months=3)
    cli = Cli(root)
    assert cli("year", "open", "-e", "coop", str(root / "coop-opening.csv")).exit_code == 0
    assert cli("close", "2026-01", "--today", "2027-01-10").exit_code == 0
    before = snapshot(root)
    done = cli("year", "close", "-e", "coop", "--exercice", "2026", "--today", "2027-01-10")
    assert done.exit_code == 4
    assert "months that are not closed: 2026-02, 2026-03, 2026-04" in done.output
    assert snapshot(root) == before
    done = cli("year", "close", "-e", "coop", "--exercice", "2026", "--today", "2026-12-31")
    assert done.exit_code == 2 and "not over yet" in done.output
    done = cli("year", "close", "-e", "solo", "--exercice", "2026", "--today", "2027-01-10")
    assert done.exit_code == 2 and "micro-entrepreneur" in done.output
    done = cli("year", "close", "-e", "coop", "--exercice", "26")
    assert done.exit_code == 2 and "is not an exercice" in done.output
    done = cli("year", "allocate", "-e", "coop", "--exercice", "2026", "--propose")
    assert done.exit_code == 4 and "not closed" in done.output
    assert snapshot(root) == before


def test_dry_run_writes_nothing(ws: Path, cli: Cli) -> None:
    before = snapshot(ws)
    done = cli("year", "close", "-e", "coop", "--exercice", "2026", "--dry-run")
    assert done.exit_code == 0, done.output
    assert "--- ledgers/coop/2026/exercice.close.beancount" in done.output
    assert "--- ledgers/coop/2027/exercice.open.beancount" in done.output
    assert snapshot(ws) == before
    done = cli("--json", "year", "close", "-e", "coop", "--exercice", "2026", "--dry-run")
    planned = json.loads(done.output)["planned"]
    assert sorted(planned) == [
        "ledgers/coop/2026/exercice.close.beancount",
        "ledgers/coop/2027/exercice.open.beancount",
    ]
    assert snapshot(ws) == before
    done = inventory(cli, "--dry-run")
    assert done.exit_code == 0 and "#inventaire" in done.output
    assert snapshot(ws) == before


def test_a_hand_edit_after_the_exercice_close_is_caught(ws: Path, cli: Cli) -> None:
    assert cli("year", "close", "-e", "coop", "--exercice", "2026").exit_code == 0
    path = ledger_file(ws, "coop", "2027/exercice.open.beancount")
    original = path.read_text("utf-8")
    path.write_text(original.replace("7400.00 EUR", "7300.00 EUR").replace(
        "-4000.00 EUR", "-3900.00 EUR"), encoding="utf-8")  # fmt: skip
    done = cli("check")
    assert done.exit_code == 1
    assert "the exercice 2026 is closed, but its closing, inventory or opening entries" in (
        done.output
    )
    path.write_text(original, encoding="utf-8")
    # An inventory entry added by hand after the close.
    december = ledger_file(ws, "coop", "2026/12.beancount")
    with december.open("a", encoding="utf-8") as handle:
        handle.write(
            '\n2026-12-31 * "Oubli" #inventaire\n  Charges:Loyer  10.00 EUR\n'
            "  Passif:ChargesAPayer  -10.00 EUR\n"
        )
    done = cli("check")
    assert done.exit_code == 1 and "the exercice 2026 is closed" in done.output
    # The lock file itself edited.
    december.write_text(december.read_text("utf-8").split('\n2026-12-31 * "Oubli"')[0], "utf-8")
    lock = ledger_file(ws, "coop", "2026/exercice.close.beancount")
    lock.write_text(
        lock.read_text("utf-8").replace("closed-on: 2027-02-03", "closed-on: 2027-02-04")
    )
    done = cli("check")
    assert done.exit_code == 1 and "was edited by hand" in done.output


def test_reopen_of_december_is_refused_once_the_exercice_is_closed(ws: Path, cli: Cli) -> None:
    assert cli("year", "close", "-e", "coop", "--exercice", "2026").exit_code == 0
    done = cli("reopen", "2026-12", "--reason", "oubli", "--entity", "coop")
    assert done.exit_code == 4


def test_french_output(ws: Path, cli: Cli) -> None:
    done = cli("year", "close", "-e", "coop", "--exercice", "2026", lang="fr")
    assert done.exit_code == 0, done.output
    assert "Exercice 2026 de coop clôturé" in done.output
    assert "bénéfice de 2" in done.output
    done = cli("year", "allocate", "-e", "coop", "--exercice", "2026", "--propose", lang="fr")
    assert "Réserve légale (1061), au moins" in done.output


def test_review_accepts_the_inventory_and_the_exercice_close(ws: Path, cli: Cli) -> None:
    import subprocess

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(ws), *args], check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    git("config", "user.email", "t@example.invalid")
    git("config", "user.name", "Test")
    git("add", "-A")
    git("commit", "-qm", "twelve months closed")
    assert inventory(cli).exit_code == 0
    assert cli("year", "close", "-e", "coop", "--exercice", "2026").exit_code == 0
    git("add", "-A")
    git("commit", "-qm", "exercice 2026 closed")
    done = cli("review", "HEAD~1", "HEAD")
    assert done.exit_code == 0, done.output
    assert "closed month" not in done.output and "only includes" not in done.output
    # An ordinary entry added to December is still an error.
    with ledger_file(ws, "coop", "2026/12.beancount").open("a", encoding="utf-8") as handle:
        handle.write(
            '\n2026-12-15 * "Oubli"\n  Charges:Loyer  1.00 EUR\n  Actif:Banque:Nef  -1.00 EUR\n'
        )
    git("commit", "-qam", "hand edit")
    done = cli("review", "HEAD~1", "HEAD")
    assert done.exit_code != 0 and "closed month 2026-12" in done.output


def test_a_loss_is_carried_forward(ws: Path, cli: Cli) -> None:
    done = cli(
        "year", "inventory", "-e", "coop", "--exercice", "2026", "--line", "6132:5000",
        "--line", "Passif:ChargesAPayer:-5000", "--label", "Dépréciation exceptionnelle",
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    done = cli("year", "close", "-e", "coop", "--exercice", "2026")
    assert done.exit_code == 0 and "loss of €2,600.00" in done.output
    assert "Capitaux:Resultat:Perte" in ledger_file(
        ws, "coop", "2027/exercice.open.beancount"
    ).read_text("utf-8")
    done = cli("year", "allocate", "-e", "coop", "--exercice", "2026", "--propose")
    assert "ends with a loss of €2,600.00" in done.output
    refused = cli(
        "year", "allocate", "-e", "coop", "--exercice", "2026", "--carry-forward", "-2000",
        "--date", "2027-06-15",
    )  # fmt: skip
    assert refused.exit_code == 1 and "does not match the loss" in refused.output
    done = cli(
        "year", "allocate", "-e", "coop", "--exercice", "2026", "--carry-forward", "-2600",
        "--date", "2027-06-15",
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    june = ledger_file(ws, "coop", "2027/06.beancount").read_text("utf-8")
    # the credit carry-forward of 1050.00 absorbs what it can, the rest goes to 119
    assert "Capitaux:Resultat:Perte          -2600.00 EUR" in june
    assert "Capitaux:ReportANouveau           1050.00 EUR" in june
    assert "Capitaux:ReportANouveauDebiteur   1550.00 EUR" in june
    assert cli("check").exit_code == 0


def test_activity_reports_leave_the_closing_out(ws: Path, cli: Cli) -> None:
    """Revenue and the transparency report of 2026 are the same after the exercice close:
    the closing entries and the à-nouveaux are bookkeeping, not activity."""
    args = {
        "revenue": ("--json", "revenue", "-e", "coop", "--period", "2026"),
        "transparency": ("report", "transparency", "--period", "2026", "-f", "csv"),
    }
    before = {name: cli(*a).output for name, a in args.items()}
    assert cli("year", "close", "-e", "coop", "--exercice", "2026").exit_code == 0
    after = {name: cli(*a).output for name, a in args.items()}
    assert after == before
    assert "value,coop/Prestations,total,6000.00" in after["transparency"]
