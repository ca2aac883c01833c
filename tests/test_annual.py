"""``report annual``: the comptes annuels in the French abridged presentation (issue 19).

Every account of the package's chart lands in exactly one line; the example's annual
accounts against golden files; both sides equal and result = Σ7 − Σ6 = the balance sheet's
result line; a planted overpayment shows 411 in credit as 419 and 401 in debit as 409; a
bank overdraft is a debt; an exercice closed, then the next one beside it."""

from __future__ import annotations

import json
import os
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from closing_helpers import YEAR_CONFIG, make_year_ws, write_books
from conftest import PROJECT, Cli
from hypothesis import given, settings
from hypothesis import strategies as st

from alusage_ledger.books.roles import DEFAULT_ROLES
from alusage_ledger.core.chart import BY_KIND
from alusage_ledger.outputs.ledgerreports.annual_lines import (
    LINE_BY_KEY,
    LINES,
    RULES,
    SECTIONS,
    rule_for,
)

pytestmark = pytest.mark.usefixtures("english")

GOLDEN = PROJECT / "tests" / "golden" / "annual"
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
    return Cli(PROJECT)


# --------------------------------------------------------------------------- the mapping


def _chart_numbers() -> set[str]:
    """Every PCG number the package knows: the chart, the roles, the example's opens."""
    numbers = {a.pcg for accounts in BY_KIND.values() for a in accounts}
    numbers |= {role.pcg for role in DEFAULT_ROLES.values()}
    for path in (PROJECT / "ledgers").rglob("*.beancount"):
        numbers |= set(re.findall(r'pcg: "(\d+)"', path.read_text("utf-8")))
    numbers |= set(re.findall(r'pcg = "(\d+)"', (PROJECT / "alusage.toml").read_text("utf-8")))
    return numbers


_EXPECTED_STATEMENTS = {
    "1": {"passif", "actif"},  # 109 capital non appelé is an asset
    "2": {"actif"},
    "3": {"actif"},
    "4": {"actif", "passif"},
    "5": {"actif", "passif"},
    "6": {"charges"},
    "7": {"produits"},
}


def test_every_account_of_the_chart_lands_in_exactly_one_line() -> None:
    numbers = _chart_numbers()
    assert len(numbers) > 50  # the walk sees the whole chart
    prefixes = [rule.prefix for rule in RULES]
    assert len(prefixes) == len(set(prefixes)), "two rules for one prefix"
    for pcg in sorted(numbers):
        rule = rule_for(pcg)
        assert rule is not None, f"{pcg} has no line"
        # exactly one line for a balance of each sign, a line that exists, on a side of
        # its class
        for key in (rule.debit, rule.credit):
            assert key in LINE_BY_KEY, f"{pcg}: unknown line {key}"
            assert LINE_BY_KEY[key].statement in _EXPECTED_STATEMENTS[pcg[0]], pcg
        if pcg[0] in "67":
            assert rule.debit == rule.credit, pcg
    # and the lines are well formed: each in a section of its statement
    sections = {s.key: s.statement for s in SECTIONS}
    for line in LINES:
        assert sections[line.section] == line.statement, line.key


@pytest.mark.parametrize(
    ("pcg", "debit", "credit"),
    [
        ("411", "creances_clients", "avances_recues"),
        ("419", "avances_recues", "avances_recues"),
        ("401", "avances_versees", "fournisseurs"),
        ("5121", "disponibilites", "emprunts"),
        ("519", "emprunts", "emprunts"),
        ("44571", "autres_creances", "fiscales_sociales"),
        ("1063", "reserves_statutaires", "reserves_statutaires"),
        ("6238", "charges_externes", "charges_externes"),
        ("641", "salaires", "salaires"),
        ("7582", "autres_produits", "autres_produits"),
        ("686", "charges_financieres", "charges_financieres"),
        ("695", "impot_benefices", "impot_benefices"),
        ("2813", "immo_corporelles", "immo_corporelles"),
        ("261", "immo_financieres", "immo_financieres"),
    ],
)
def test_lines_of_known_accounts(pcg: str, debit: str, credit: str) -> None:
    rule = rule_for(pcg)
    assert rule is not None and (rule.debit, rule.credit) == (debit, credit)


def test_no_line_outside_classes_1_to_7() -> None:
    assert rule_for("801") is None and rule_for("") is None


# --------------------------------------------------------------------------- the example


def _rows(document: dict[str, object]) -> dict[tuple[str, str], Decimal]:
    return {
        (r["statement"], r["key"]): Decimal(r["current"])  # type: ignore[index]
        for r in document["rows"]  # type: ignore[attr-defined]
    }


def _sigma_7_minus_6(cli: Cli, entity: str, exercice: str) -> Decimal:
    tb = json.loads(
        cli("--json", "report", "trial-balance", "-e", entity, "--exercice", exercice).output
    )
    total = Decimal(0)
    for row in tb["rows"]:
        if row["pcg"][:1] in "67":
            total += Decimal(row["credit"]) - Decimal(row["debit"])
    return total


@pytest.mark.parametrize("entity", ["alusage", "myceliandre"])
def test_golden_annual_accounts_of_the_example(example: Cli, entity: str) -> None:
    for fmt, lang in (("md", "en"), ("csv", "en"), ("md", "fr")):
        done = example("report", "annual", "-e", entity, "--exercice", "2026", "-f", fmt, lang=lang)
        assert done.exit_code == 0, done.output
        suffix = f".{lang}.md" if fmt == "md" else ".csv"
        check_golden(f"annual-{entity}-2026{suffix}", done.output)
    done = example("--json", "report", "annual", "-e", entity, "--exercice", "2026")
    rows = _rows(json.loads(done.output))
    assert rows[("bilan-actif", "actif")] == rows[("bilan-passif", "passif")]
    result = _sigma_7_minus_6(example, entity, "2026")
    assert rows[("compte-de-resultat", "resultat")] == result
    assert rows[("bilan-passif", "resultat")] == result
    assert (
        rows[("compte-de-resultat", "produits")] - rows[("compte-de-resultat", "charges")] == result
    )


def test_micro_entity_has_no_annual_accounts(example: Cli) -> None:
    done = example("report", "annual", "-e", "nicolas-jeudy")
    assert done.exit_code == 2
    assert "micro-entrepreneur" in done.output


# --------------------------------------------------------------------------- planted cases

_ACCOUNTS = {
    "shop": [
        ("Actif:Banque:Courant", "5121", "Banques - compte courant"),
        ("Actif:Clients:Alpha", "411", "Clients"),
        ("Passif:Fournisseurs:Papeterie", "401", "Fournisseurs"),
        ("Passif:Etat:TVACollectee", "44571", "TVA collectée"),
        ("Actif:Etat:TVADeductible", "44566", "TVA sur autres biens et services"),
        ("Capitaux:Capital", "1013", "Capital souscrit - appelé, versé"),
        ("Produits:Prestations", "706", "Prestations de services"),
        ("Charges:Fournitures", "6064", "Fournitures administratives"),
    ],
    "coop": [
        ("Actif:Banque:Nef", "5121", "Banques - compte courant"),
        ("Charges:Loyer", "6132", "Locations immobilières"),
    ],
}

_SHOP = """
2026-03-01 * "Associés" "Capital"
  Actif:Banque:Courant             1000.00 EUR
  Capitaux:Capital                -1000.00 EUR

2026-03-10 * "Alpha" "Facture F1"
  Actif:Clients:Alpha              1200.00 EUR
  Produits:Prestations            -1000.00 EUR
  Passif:Etat:TVACollectee         -200.00 EUR

2026-03-20 * "Alpha" "Paiement F1, 300 de trop"
  Actif:Banque:Courant             1500.00 EUR
  Actif:Clients:Alpha             -1500.00 EUR

2026-03-21 * "Papeterie" "Facture P1"
  Charges:Fournitures               200.00 EUR
  Actif:Etat:TVADeductible           40.00 EUR
  Passif:Fournisseurs:Papeterie    -240.00 EUR

2026-03-25 * "Papeterie" "Paiement P1, 60 de trop"
  Passif:Fournisseurs:Papeterie     300.00 EUR
  Actif:Banque:Courant             -300.00 EUR
"""

_COOP = """
2026-03-05 * "Bailleur" "Loyer, compte à découvert"
  Charges:Loyer                     300.00 EUR
  Actif:Banque:Nef                 -300.00 EUR
"""


def test_planted_overpayments_go_to_419_and_409_and_an_overdraft_to_debts(
    tmp_path: Path,
) -> None:
    root = write_books(
        tmp_path / "ws", YEAR_CONFIG, _ACCOUNTS, {"shop": {"03": _SHOP}, "coop": {"03": _COOP}}
    )
    cli = Cli(root)
    done = cli("--json", "report", "annual", "-e", "shop", "--exercice", "2026")
    assert done.exit_code == 0, done.output
    document = json.loads(done.output)
    assert document["previous"] is None and document["closed"] is False
    rows = _rows(document)
    # the client paid 300 too much: a debt (419), not a negative receivable
    assert rows[("bilan-passif", "avances_recues")] == Decimal("300.00")
    assert ("bilan-actif", "creances_clients") not in rows
    # the supplier was paid 60 too much: an asset (409), not a negative debt
    assert rows[("bilan-actif", "avances_versees")] == Decimal("60.00")
    assert ("bilan-passif", "fournisseurs") not in rows
    # VAT by its net position: 200 collected − 40 deductible
    assert rows[("bilan-passif", "fiscales_sociales")] == Decimal("160.00")
    assert ("bilan-actif", "autres_creances") not in rows
    assert rows[("bilan-actif", "disponibilites")] == Decimal("2200.00")
    assert rows[("bilan-actif", "actif")] == rows[("bilan-passif", "passif")] == Decimal("2260.00")
    assert rows[("bilan-passif", "resultat")] == Decimal("800.00")
    assert rows[("compte-de-resultat", "resultat")] == Decimal("800.00")

    coop = _rows(
        json.loads(cli("--json", "report", "annual", "-e", "coop", "--exercice", "2026").output)
    )
    assert coop[("bilan-passif", "emprunts")] == Decimal("300.00")
    assert ("bilan-actif", "disponibilites") not in coop
    assert coop[("bilan-passif", "resultat")] == Decimal("-300.00")
    assert coop[("bilan-actif", "actif")] == coop[("bilan-passif", "passif")] == Decimal("0.00")


def test_an_account_without_pcg_number_is_refused(tmp_path: Path) -> None:
    accounts = {"coop": [*_ACCOUNTS["coop"], ("Actif:Divers", "", "Divers")]}
    text = (
        _COOP
        + '\n2026-03-06 * "x" "y"\n  Actif:Divers  10.00 EUR\n  Actif:Banque:Nef  -10.00 EUR\n'
    )
    root = write_books(tmp_path / "ws", YEAR_CONFIG, accounts, {"coop": {"03": text}})
    done = Cli(root)("report", "annual", "-e", "coop", "--exercice", "2026")
    assert done.exit_code == 1
    assert "Actif:Divers has no PCG number" in done.output


@pytest.mark.slow
def test_closed_exercice_and_the_next_one_beside_it(tmp_path: Path) -> None:
    root = make_year_ws(tmp_path / "ws", months=12)
    cli = Cli(root)
    assert cli("year", "open", "-e", "coop", str(root / "coop-opening.csv")).exit_code == 0
    for month in range(1, 13):
        assert cli("close", f"2026-{month:02d}", "--today", "2027-01-10").exit_code == 0
    done = cli("year", "close", "-e", "coop", "--exercice", "2026", "--today", "2027-01-10")
    assert done.exit_code == 0, done.output
    document = json.loads(
        cli("--json", "report", "annual", "-e", "coop", "--exercice", "2026").output
    )
    assert document["closed"] is True
    rows = _rows(document)
    # twelve months of 500 rent income − 300 rent: the closing entries are not counted twice
    assert rows[("compte-de-resultat", "resultat")] == Decimal("2400.00")
    assert rows[("bilan-passif", "resultat")] == Decimal("2400.00")
    assert rows[("bilan-actif", "actif")] == rows[("bilan-passif", "passif")]
    later = json.loads(cli("--json", "report", "annual", "-e", "coop", "--exercice", "2027").output)
    assert later["previous"]["end"] == "2026-12-31"
    both = {(r["statement"], r["key"]): r for r in later["rows"]}
    # 2027 has no movement yet: the 2026 result waits in 120 for the general assembly
    assert both[("bilan-passif", "resultat")]["current"] == "2400.00"
    assert both[("compte-de-resultat", "resultat")]["current"] == "0.00"
    assert both[("compte-de-resultat", "resultat")]["previous"] == "2400.00"
    assert (
        both[("bilan-actif", "actif")]["previous"] == both[("bilan-passif", "passif")]["previous"]
    )


# --------------------------------------------------------------------------- invariants

_NUMBERS = sorted(_chart_numbers())


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(_NUMBERS),
            st.sampled_from(_NUMBERS),
            st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2),
        ),
        min_size=1,
        max_size=25,
    )
)
def test_both_sides_equal_and_result_is_classes_7_minus_6(
    moves: list[tuple[str, str, Decimal]],
) -> None:
    """Any balanced books over the chart: total assets = total liabilities and equity to
    the cent, and the result line = Σ class 7 − Σ class 6 = the income statement's."""
    from beancount.core import data

    from alusage_ledger.books.entries import new_meta, posting, transaction
    from alusage_ledger.outputs.ledgerreports import Window, annual_column

    day = date(2026, 6, 1)
    opens = []
    for pcg in _NUMBERS:
        meta = new_meta(pcg=pcg, label="x")
        opens.append(data.Open(meta, date(2026, 1, 1), f"Actif:C{pcg}", None, None))
    entries: list[object] = [*opens]
    seven_minus_six = Decimal(0)
    for debit, credit, amount in moves:
        entries.append(
            transaction(
                day,
                None,
                "m",
                (),
                {},
                [posting(f"Actif:C{debit}", amount), posting(f"Actif:C{credit}", -amount)],
            )
        )
        for pcg, signed in ((debit, amount), (credit, -amount)):
            if pcg[0] in "67":
                seven_minus_six -= signed
    column = annual_column(entries, Window(date(2026, 1, 1), date(2026, 12, 31)))
    assert column.total("actif") == column.total("passif")
    assert column.result == seven_minus_six
    assert column.total("produits") - column.total("charges") == seven_minus_six
    # nothing in 12 here: the balance sheet's result line is the result
    twelve = sum(
        (a for d, c, a in moves for p, a in ((d, a), (c, -a)) if p.startswith("12")),
        Decimal(0),
    )
    assert column.amount("resultat") == seven_minus_six - twelve
