"""``year open`` (trial balances in French or English) and the allocation rules (pure)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from closing_helpers import make_year_ws
from conftest import Cli, snapshot
from hypothesis import given, settings
from hypothesis import strategies as st

from alusage_ledger.books.config import AllocationRules, Config
from alusage_ledger.core.errors import LedgerErrors
from alusage_ledger.domains.year.allocation import Allocation, minimums, violations
from alusage_ledger.domains.year.trialbalance import read_trial_balance

#: Start and end every test in English (``conftest.english``).
pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    return make_year_ws(tmp_path / "ws", months=1)


@pytest.fixture
def cli(ws: Path) -> Cli:
    return Cli(ws)


def write(ws: Path, name: str, text: str, encoding: str = "utf-8") -> str:
    path = ws / name
    path.write_bytes(text.encode(encoding))
    return str(path)


# --------------------------------------------------------------------------- parsing


def test_french_and_english_trial_balances_read_alike() -> None:
    french = read_trial_balance(
        "Compte;Libellé;Débit;Crédit\n512;Banque;1 234,56;\n101;Capital;;1 234,56\n".encode(),
        "fr.csv",
    )
    english = read_trial_balance(
        b"account\tlabel\tdebit\tcredit\n512\tBank\t1234.56\t\n101\tCapital\t\t1,234.56\n",
        "en.csv",
    )
    assert [(x.pcg, x.net) for x in french] == [(x.pcg, x.net) for x in english]
    assert french[0].net == Decimal("1234.56") and french[1].net == Decimal("-1234.56")
    bom = read_trial_balance("\ufeffcompte,libelle,debit,credit\n512,B,10,\n".encode(), "bom.csv")
    assert bom[0].net == Decimal("10.00")


def test_trial_balance_errors_name_the_line() -> None:
    text = "compte;libellé;débit;crédit\n512;Banque;12,345;\nABC;x;1;\n411;Client;1;2;\n"
    with pytest.raises(LedgerErrors) as raised:
        read_trial_balance(text.encode(), "bad.csv", "coop")
    lines = [(p.file, p.line) for p in raised.value.problems]
    assert lines == [("bad.csv", 2), ("bad.csv", 3)]
    with pytest.raises(LedgerErrors, match="compte"):
        read_trial_balance(b"numero;nom\n512;Banque\n", "x.csv")
    with pytest.raises(LedgerErrors, match="not utf-8"):
        read_trial_balance("compte;débit;crédit\n".encode("latin-1"), "x.csv")
    latin = read_trial_balance(
        "compte;libellé;débit;crédit\n512;Crédit Coopératif;5;\n".encode("cp1252"),
        "x.csv",
        encoding="cp1252",
    )
    assert latin[0].label == "Crédit Coopératif"


@settings(max_examples=60, deadline=None)
@given(
    cents=st.integers(min_value=0, max_value=10**11),
    french=st.booleans(),
    spaced=st.booleans(),
)
def test_amounts_round_trip_through_a_trial_balance(cents: int, french: bool, spaced: bool) -> None:
    value = Decimal(cents).scaleb(-2)
    text = f"{value:,.2f}" if spaced else f"{value:.2f}"
    if french:
        text = text.replace(",", " ").replace(".", ",")
        header, sep = "compte;libellé;débit;crédit", ";"
    else:
        text = f'"{text}"'
        header, sep = "account,label,debit,credit", ","
    raw = f"{header}\n512{sep}Bank{sep}{text}{sep}\n".encode()
    assert read_trial_balance(raw, "x.csv")[0].net == value


# --------------------------------------------------------------------------- year open


def test_open_books_the_opening_and_opens_accounts(ws: Path, cli: Cli) -> None:
    done = cli("year", "open", "-e", "shop", str(ws / "shop-opening.csv"))
    assert done.exit_code == 0, done.output
    assert "5 lines" in done.output and "3 account(s) opened" in done.output
    text = (ws / "ledgers/shop/2026/01.beancount").read_text("utf-8")
    assert '2026-01-01 * "Reprise des soldes au 2026-01-01" #ouverture' in text
    assert "  Capitaux:ReportANouveauDebiteur    200.00 EUR" in text  # 119, derived from the role
    accounts = (ws / "ledgers/shop/accounts.beancount").read_text("utf-8")
    assert 'open Capitaux:ReserveLegale                          EUR\n  pcg: "1061"' in accounts
    assert cli("check").exit_code == 0
    before = snapshot(ws)
    again = cli("year", "open", "-e", "shop", str(ws / "shop-opening.csv"))
    assert again.exit_code == 0 and "already recorded" in again.output
    assert snapshot(ws) == before
    other = write(ws, "other.csv", "account,label,debit,credit\n5121,Bank,5,\n1013,Cap,,5\n")
    before = snapshot(ws)
    done = cli("year", "open", "-e", "shop", other)
    assert done.exit_code == 4 and "already has opening balances" in done.output
    assert snapshot(ws) == before


def test_open_refusals_change_nothing(ws: Path, cli: Cli) -> None:
    before = snapshot(ws)
    cases = [
        ("compte;libellé;débit;crédit\n512;Banque;100;\n101;Capital;;90\n", 1, "not balanced"),
        ("compte;libellé;débit;crédit\n512;Banque;100;\n706;Ventes;;100\n", 1, "income or expense"),
        ("compte;libellé;débit;crédit\n512;Banque;1,001;\n", 1, "is not an amount"),
        ("compte;libellé\n512;Banque\n", 1, "must name the columns"),
        ("", 1, "is empty"),
    ]
    for text, code, message in cases:
        done = cli("year", "open", "-e", "coop", write(ws, "bad.csv", text))
        assert done.exit_code == code, (text, done.output)
        assert message in done.output, (text, done.output)
        (ws / "bad.csv").unlink()
    assert cli("year", "open", "-e", "coop", str(ws / "missing.csv")).exit_code == 2
    done = cli("year", "open", "-e", "solo", str(ws / "coop-opening.csv"))
    assert done.exit_code == 2 and "micro-entrepreneur" in done.output
    done = cli("year", "open", "-e", "coop", str(ws / "coop-opening.csv"), "--date", "2026-02-01")
    assert done.exit_code == 2 and "first day of its books" in done.output
    assert snapshot(ws) == before


def test_open_is_refused_after_entries(ws: Path, cli: Cli) -> None:
    # Books kept before this tool: entries exist before the opening date.
    toml = (ws / "alusage.toml").read_text("utf-8")
    (ws / "alusage.toml").write_text(
        toml.replace('books_start = "2026-01"', 'books_start = "2026-02"', 1), "utf-8"
    )
    before = snapshot(ws)
    done = cli("year", "open", "-e", "coop", str(ws / "coop-opening.csv"))
    assert done.exit_code == 4
    assert "already has entries before 2026-02-01 (the first on 2026-01-05)" in done.output
    assert snapshot(ws) == before


def test_open_dry_run_and_json(ws: Path, cli: Cli) -> None:
    before = snapshot(ws)
    done = cli("year", "open", "-e", "coop", str(ws / "coop-opening.csv"), "--dry-run")
    assert done.exit_code == 0
    assert 'Actif:Clients:CoopDesTilleuls       600.00 EUR\n    invoice: "F2025-0042"' in (
        done.output
    )
    assert "Passif:Fournisseurs:Proprietaire" in done.output
    assert snapshot(ws) == before
    done = cli("--json", "year", "open", "-e", "coop", str(ws / "coop-opening.csv"))
    assert done.exit_code == 0
    assert '"total": "5600.00"' in done.output


# --------------------------------------------------------------------------- allocation rules


SCIC = Config().year.scic
SAS = Config().year.sas


def test_scic_minimums() -> None:
    mins = minimums(SCIC, "scic", Decimal("1000.00"), Decimal(0), Decimal(0),
                    Decimal("5000.00"), Decimal("5000.00"), Decimal("5000.00"))  # fmt: skip
    assert (mins.legal_min, mins.statutory_min, mins.free) == (
        Decimal("150.00"),
        Decimal("425.00"),
        Decimal("425.00"),
    )
    # 57.5 % to reserves: a proposal at 57 % is refused
    lawful = Allocation(Decimal("150.00"), Decimal("425.00"), Decimal("425.00"))
    assert violations(SCIC, mins, lawful) == []
    short = Allocation(Decimal("150.00"), Decimal("420.00"), Decimal("430.00"))
    assert any("57.5 %" in v for v in violations(SCIC, mins, short))
    # rounding up to the cent: 15 % of 333.33 is 49.9995
    odd = minimums(SCIC, "scic", Decimal("333.33"), Decimal(0), Decimal(0),
                   Decimal("5000.00"), Decimal("5000.00"), Decimal(0))  # fmt: skip
    assert odd.legal_min == Decimal("50.00")
    # a debit carry-forward is absorbed first
    absorbed = minimums(SCIC, "scic", Decimal("1000.00"), Decimal("400.00"), Decimal(0),
                        Decimal("5000.00"), Decimal("5000.00"), Decimal(0))  # fmt: skip
    assert (absorbed.absorbed, absorbed.base, absorbed.legal_min) == (
        Decimal("400.00"),
        Decimal("600.00"),
        Decimal("90.00"),
    )
    # the legal reserve stops at the highest capital reached
    capped = minimums(SCIC, "scic", Decimal("1000.00"), Decimal(0), Decimal("4950.00"),
                      Decimal("4000.00"), Decimal("5000.00"), Decimal(0))  # fmt: skip
    assert capped.legal_min == Decimal("50.00")
    assert capped.statutory_min == Decimal("475.00")


def test_sas_minimums_and_configured_rules() -> None:
    mins = minimums(SAS, "sas", Decimal("1000.00"), Decimal(0), Decimal("90.00"),
                    Decimal("1000.00"), Decimal("1000.00"), Decimal("1000.00"))  # fmt: skip
    assert (mins.legal_min, mins.statutory_min) == (Decimal("10.00"), Decimal("0.00"))
    rules = Config.model_validate(
        {"year": {"scic": {"statutory_reserve_rate": "60", "interest_rate_max": "3"}}}
    ).year.scic
    assert rules.legal_reserve_rate == Decimal("15")
    mins = minimums(rules, "scic", Decimal("1000.00"), Decimal(0), Decimal(0),
                    Decimal("5000.00"), Decimal("5000.00"), Decimal("5000.00"))  # fmt: skip
    assert (mins.statutory_min, mins.interest_max) == (Decimal("510.00"), Decimal("150.00"))
    greedy = Allocation(Decimal("150.00"), Decimal("510.00"), Decimal("140.00"), Decimal("200.00"))
    assert any("configured cap" in v for v in violations(rules, mins, greedy))


@settings(max_examples=100, deadline=None)
@given(
    result=st.integers(min_value=1, max_value=10**9),
    carry=st.integers(min_value=0, max_value=10**8),
    legal=st.integers(min_value=0, max_value=10**8),
)
def test_the_proposal_is_always_lawful(result: int, carry: int, legal: int) -> None:
    rules: AllocationRules = SCIC
    mins = minimums(
        rules,
        "scic",
        Decimal(result).scaleb(-2),
        Decimal(carry).scaleb(-2),
        Decimal(legal).scaleb(-2),
        Decimal("100000.00"),
        Decimal("100000.00"),
        Decimal(0),
    )
    proposal = Allocation(mins.legal_min, mins.statutory_min, mins.free)
    assert violations(rules, mins, proposal) == []
    assert proposal.total == mins.base
    if mins.legal_min == (mins.base * Decimal("0.15")).quantize(Decimal("0.01"), "ROUND_UP"):
        # not capped: at least 57.5 % of the surplus goes to the reserves
        assert mins.reserves_min >= mins.base * Decimal("0.575")


def test_an_opening_item_is_lettered_with_its_payment(ws: Path, cli: Cli) -> None:
    assert cli("year", "open", "-e", "coop", str(ws / "coop-opening.csv")).exit_code == 0
    january = ws / "ledgers/coop/2026/01.beancount"
    assert "#ouverture ^F2025-0042 ^coop-" not in january.read_text("utf-8")
    assert "^F2025-0042" in january.read_text("utf-8")
    # The open invoice is an item of its own (one à-nouveaux line per open item).
    assert 'item-link: "F2025-0042"' in january.read_text("utf-8")
    with january.open("a", encoding="utf-8") as handle:
        handle.write(
            '\n2026-01-25 * "Coop des Tilleuls" "Règlement F2025-0042" ^F2025-0042\n'
            '  invoice: "F2025-0042"\n'
            "  Actif:Banque:Nef                     600.00 EUR\n"
            "  Actif:Clients:CoopDesTilleuls       -600.00 EUR\n"
        )
    done = cli("letter", "-e", "coop")
    assert done.exit_code == 0, done.output
    assert 'custom "alusage-letter" Actif:Clients:CoopDesTilleuls' in january.read_text("utf-8")
    assert cli("check").exit_code == 0
