"""``bill add/pay/list``: supplier bills, VAT by exigibility, payments, the piece-ref rule."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import Cli, run_subprocess, snapshot
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from purchases_helpers import (
    append,
    balance,
    make_purchases_ws,
    postings_of,
    transactions,
)

from alusage_ledger.books.ledger import Workspace

PENDING = "Actif:Etat:TVADeductibleEnAttente"
DEDUCTIBLE = "Actif:Etat:TVADeductible"


def _bills(ws: Path, entity: str = "sas") -> list:  # type: ignore[type-arg]
    return [e for e in transactions(ws, entity) if "supplier" in (e.meta or {})]


def test_service_bill_waits_on_pending_vat_until_paid(pws: Path, pcli: Cli) -> None:
    result = pcli(
        "bill", "add", "--entity", "sas", "--supplier", "Cabinet Vauban",
        "--account", "Charges:Honoraires", "--amount-ht", "1000.00", "--vat", "20",
        "--date", "2026-03-10", "--piece-ref", "CV-2026/031", "--due", "2026-04-10",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "CV-2026/031" in result.output and "^sas-CV-2026-031" in result.output
    text = (pws / "ledgers/sas/2026/03.beancount").read_text(encoding="utf-8")
    assert '2026-03-10 * "Cabinet Vauban" "Facture CV-2026/031" ^sas-CV-2026-031' in text
    assert 'piece-ref: "CV-2026/031"' in text and "due-date: 2026-04-10" in text
    (bill,) = _bills(pws)
    assert postings_of(bill) == [
        ("Charges:Honoraires", "1000.00"),
        (PENDING, "200.00"),
        ("Passif:Fournisseurs:CabinetVauban", "-1200.00"),
    ]
    assert bill.postings[1].meta["vat-kind"] == "services"
    accounts = (pws / "ledgers/sas/accounts.beancount").read_text(encoding="utf-8")
    assert "open Passif:Fournisseurs:CabinetVauban" in accounts and 'pcg: "401"' in accounts
    assert f"open {PENDING}" in accounts and 'pcg: "44586"' in accounts

    # Paid in two parts: the pending VAT moves in proportion, then all of what is left.
    result = pcli("bill", "pay", "CV-2026/031", "--amount", "500", "--date", "2026-04-02")
    assert result.exit_code == 0, result.output
    assert "€700.00 left" in result.output
    assert balance(pws, "sas", PENDING) == Decimal("116.67")
    assert balance(pws, "sas", DEDUCTIBLE) == Decimal("83.33")
    result = pcli("bill", "pay", "sas-CV-2026-031", "--date", "2026-04-20")
    assert result.exit_code == 0, result.output
    assert balance(pws, "sas", PENDING) == 0
    assert balance(pws, "sas", DEDUCTIBLE) == Decimal("200.00")
    assert balance(pws, "sas", "Passif:Fournisseurs:CabinetVauban") == 0
    payments = [e for e in transactions(pws, "sas") if e.narration.startswith("Paiement")]
    assert [sorted(p.links) for p in payments] == [["sas-CV-2026-031"]] * 2
    assert pcli("check").exit_code == 0


def test_goods_and_debits_deduct_at_invoice(pws: Path, pcli: Cli) -> None:
    result = pcli(
        "bill", "add", "-e", "sas", "--supplier", "Papeterie", "--account", "6064",
        "--amount-ht", "80", "--vat", "20", "--date", "2026-02-03", "--piece-ref", "P1",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (bill,) = _bills(pws)
    assert postings_of(bill)[1] == (DEDUCTIBLE, "16.00")
    assert bill.postings[1].meta["vat-kind"] == "goods"
    # A service from a supplier that opted for debits (entity setting, or --exigibility).
    result = pcli(
        "bill", "add", "-e", "deb", "--supplier", "Cabinet", "--account", "Charges:Honoraires",
        "--amount-ht", "100", "--vat", "20", "--date", "2026-02-03", "--piece-ref", "C1",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert postings_of(_bills(pws, "deb")[0])[1] == (DEDUCTIBLE, "20.00")
    result = pcli(
        "bill", "add", "-e", "sas", "--supplier", "Cabinet", "--account", "Charges:Honoraires",
        "--amount-ht", "100", "--vat", "20", "--date", "2026-02-04", "--piece-ref", "C2",
        "--exigibility", "debits",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert postings_of(_bills(pws)[-1])[1] == (DEDUCTIBLE, "20.00")


def test_micro_entity_books_the_total_without_deduction(pws: Path, pcli: Cli) -> None:
    result = pcli(
        "bill", "add", "-e", "solo", "--supplier", "Papeterie", "--account", "6064",
        "--amount-ht", "49.99", "--vat", "20", "--date", "2026-05-05", "--piece-ref", "P9",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (bill,) = _bills(pws, "solo")
    assert postings_of(bill) == [
        ("Charges:Achats:Fournitures", "59.99"),
        ("Passif:Fournisseurs:Papeterie", "-59.99"),
    ]
    assert "vat-rate" in bill.meta  # the rate of the document is kept for the record


def test_several_lines_vat_per_rate_exact(pws: Path, pcli: Cli) -> None:
    result = pcli(
        "bill", "add", "-e", "sas", "--supplier", "Multi Services",
        "--line", "Charges:Honoraires:33.33:20",
        "--line", "Charges:Honoraires:33.33:20",
        "--line", "6064:10,01:5.5",
        "--line", "Actif:Immobilisations:Materiel:999.99:20",
        "--date", "2026-06-01", "--piece-ref", "MS-1", "--period", "2026-06..2026-08",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (bill,) = _bills(pws)
    # 20 %: (33.33 + 33.33 + 999.99) x 0.2 = 213.33 split by weight; 5.5 %: 0.55.
    assert postings_of(bill) == [
        ("Charges:Honoraires", "66.66"),
        ("Charges:Achats:Fournitures", "10.01"),
        ("Actif:Immobilisations:Materiel", "999.99"),
        (PENDING, "13.33"),
        (DEDUCTIBLE, "0.55"),
        (DEDUCTIBLE, "200.00"),
        ("Passif:Fournisseurs:MultiServices", "-1290.54"),
    ]
    assert [p.meta["vat-kind"] for p in bill.postings[3:6]] == [
        "services",
        "goods",
        "fixed-assets",
    ]
    assert bill.meta["period"] == "2026-06..2026-08"
    assert "vat-rate" not in bill.meta  # two rates: per line only


def test_piece_date_and_generated_piece_ref(pws: Path, pcli: Cli) -> None:
    result = pcli(
        "bill", "add", "-e", "sas", "--supplier", "Énergie Locale", "--account", "6064",
        "--amount-ht", "12", "--date", "2026-07-01", "--piece-date", "2026-05-28",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (bill,) = _bills(pws)
    assert bill.meta["piece-date"].isoformat() == "2026-05-28"
    assert bill.meta["piece-ref"] == "EnergieLocale-20260701"
    assert bill.links == {"sas-EnergieLocale-20260701"}


def test_same_number_twice_refused_and_other_supplier_gets_own_link(pws: Path, pcli: Cli) -> None:
    args = ("--account", "6064", "--amount-ht", "10", "--date", "2026-02-01")
    assert (
        pcli("bill", "add", "-e", "sas", "--supplier", "A", "--piece-ref", "N1", *args).exit_code
        == 0
    )
    before = snapshot(pws)
    result = pcli("bill", "add", "-e", "sas", "--supplier", "A", "--piece-ref", "N1", *args)
    assert result.exit_code == 2
    assert "already booked" in result.output
    assert snapshot(pws) == before
    result = pcli("bill", "add", "-e", "sas", "--supplier", "B", "--piece-ref", "N1", *args)
    assert result.exit_code == 0, result.output
    assert sorted(_bills(pws)[-1].links) == ["sas-N1-B"]
    # Two bills share the number: paying needs the supplier.
    assert pcli("bill", "pay", "N1", "-e", "sas", "--date", "2026-02-02").exit_code == 2
    result = pcli("bill", "pay", "N1", "-e", "sas", "--supplier", "B", "--date", "2026-02-02")
    assert result.exit_code == 0, result.output


def test_overpayment_and_paid_bill_refused(pws: Path, pcli: Cli) -> None:
    pcli(
        "bill", "add", "-e", "sas", "--supplier", "A", "--account", "6064",
        "--amount-ht", "100", "--date", "2026-02-01", "--piece-ref", "X1",
    )  # fmt: skip
    before = snapshot(pws)
    result = pcli("bill", "pay", "X1", "--amount", "100.01", "--date", "2026-02-05")
    assert result.exit_code == 2
    assert "more than is due" in result.output
    assert snapshot(pws) == before
    result = pcli("bill", "pay", "X1", "--date", "2026-01-05")
    assert result.exit_code == 2 and "before the bill" in result.output
    assert pcli("bill", "pay", "X1", "--date", "2026-02-05").exit_code == 0
    before = snapshot(pws)
    result = pcli("bill", "pay", "X1", "--amount", "1", "--date", "2026-02-06")
    assert result.exit_code == 2 and "already paid" in result.output
    assert snapshot(pws) == before
    result = pcli("bill", "pay", "NOPE", "--date", "2026-02-06")
    assert result.exit_code == 2 and "No bill numbered" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--account", "6064", "--amount-ht", "12.345"), "more than 2 decimals"),
        (("--account", "6064", "--amount-ht", "douze"), "is not an amount"),
        (("--account", "6064", "--amount-ht", "-5"), "must not be negative"),
        (("--account", "Charges:Honoraire", "--amount-ht", "5"), "did you mean"),
        (("--account", "6064", "--amount-ht", "5", "--vat", "19.6"), "Unknown VAT rate"),
        (("--account", "6064", "--amount-ht", "5", "--period", "2026-13"), "period"),
        (("--account", "6064", "--amount-ht", "5", "--date", "2026-02-30"), "not a date"),
        (("--account", "6064"), "go together"),
        (("--line", "6064"), "account:amount"),
        ((), "at least one line"),
        (
            ("--account", "6064", "--amount-ht", "5", "--nature", "food"),
            "goods, services or fixed-asset",
        ),
    ],
)
def test_bad_input_exit_2_files_unchanged(
    pws: Path, pcli: Cli, args: tuple[str, ...], message: str
) -> None:
    before = snapshot(pws)
    result = pcli("bill", "add", "-e", "sas", "--supplier", "A", "--date", "2026-02-01", *args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert snapshot(pws) == before


def test_unknown_entity_and_french_message(pws: Path, pcli: Cli) -> None:
    result = pcli("bill", "add", "-e", "sass", "--supplier", "A", "--account", "6064",
                  "--amount-ht", "1")  # fmt: skip
    assert result.exit_code == 2 and "did you mean 'sas'" in result.output
    pcli(
        "bill", "add", "-e", "sas", "--supplier", "A", "--account", "6064",
        "--amount-ht", "100", "--date", "2026-02-01", "--piece-ref", "X1",
    )  # fmt: skip
    result = pcli("bill", "pay", "X1", "--amount", "200", lang="fr")
    assert result.exit_code == 2
    assert "dépasse ce qui est dû" in result.output


def test_check_reports_a_piece_ref_booked_twice(pws: Path, pcli: Cli) -> None:
    pcli(
        "bill", "add", "-e", "sas", "--supplier", "A", "--account", "6064",
        "--amount-ht", "100", "--date", "2026-02-01", "--piece-ref", "X1",
    )  # fmt: skip
    append(
        pws,
        "sas",
        "2026/02.beancount",
        '\n2026-02-09 * "A" "same bill, typed again"\n'
        '  piece-ref: "X1"\n'
        "  Charges:Achats:Fournitures  100.00 EUR\n"
        "  Passif:Fournisseurs:A  -100.00 EUR\n",
    )
    result = pcli("check")
    assert result.exit_code == 1
    assert "ledgers/sas/2026/02.beancount:" in result.output
    assert "the bill X1 of A is booked twice (first on 2026-02-01)" in result.output


def test_bill_list_json_and_filters(pws: Path, pcli: Cli) -> None:
    pcli(
        "bill", "add", "-e", "sas", "--supplier", "Alpha", "--account", "Charges:Honoraires",
        "--amount-ht", "100", "--vat", "20", "--date", "2026-02-01", "--piece-ref", "A1",
        "--due", "2026-03-01",
    )  # fmt: skip
    pcli(
        "bill", "add", "-e", "sas", "--supplier", "Beta", "--account", "6064",
        "--amount-ht", "50", "--date", "2026-05-01", "--piece-ref", "B1",
    )  # fmt: skip
    pcli("bill", "pay", "A1", "--amount", "20", "--date", "2026-02-10")
    pcli("bill", "pay", "B1", "--date", "2026-05-10")
    result = pcli("--json", "bill", "list", "--unpaid", "--as-of", "2026-03-11")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    (row,) = doc["documents"]
    assert row["piece_ref"] == "A1" and row["party"] == "Alpha"
    assert (row["ht"], row["vat"], row["ttc"], row["paid"], row["due"]) == (
        "100.00",
        "20.00",
        "120.00",
        "20.00",
        "100.00",
    )
    assert row["days_overdue"] == 10
    result = pcli("bill", "list", "--supplier", "bet", "--period", "2026-Q2")
    assert result.exit_code == 0
    assert "B1" in result.output and "A1" not in result.output


def test_bill_pay_dry_run_writes_nothing(pws: Path, pcli: Cli) -> None:
    pcli(
        "bill", "add", "-e", "sas", "--supplier", "A", "--account", "6064",
        "--amount-ht", "100", "--date", "2026-02-01", "--piece-ref", "X1",
    )  # fmt: skip
    before = snapshot(pws)
    result = pcli("bill", "pay", "X1", "--date", "2026-02-05", "--dry-run")
    assert result.exit_code == 0
    assert "Passif:Fournisseurs:A" in result.output
    assert snapshot(pws) == before


HOSTILE = st.lists(
    st.sampled_from(
        list("abcAZ09 -'\"\\é;:^#*\n\t\x00\u202e\u2066\u00a0{}") + ["\n2026-01-01 open Actif:Evil"]
    ),
    min_size=1,
    max_size=12,
).map("".join)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(name=HOSTILE, command=st.sampled_from(["bill", "expense"]))
@example(name='Evil" \n2026-01-01 open Actif:Evil', command="bill")
@example(name='Quote "and" back\\slash', command="bill")
@example(name="\u202eRTL", command="expense")
@example(name="!!!", command="expense")
def test_hostile_names_refused_or_round_tripped(
    tmp_path_factory: pytest.TempPathFactory, name: str, command: str
) -> None:
    ws = make_purchases_ws(tmp_path_factory.mktemp("hostile") / "ws")
    before = snapshot(ws)
    count = len(transactions(ws, "sas"))
    if command == "bill":
        args = ["bill", "add", "-e", "sas", "--supplier", name, "--account", "6064",
                "--amount-ht", "10", "--vat", "20", "--date", "2026-02-01", "--label", name]  # fmt: skip
    else:
        args = ["expense", "add", "-e", "sas", "--person", name, "--account", "6064",
                "--amount", "12", "--vat", "20", "--date", "2026-02-01", "--label", name]  # fmt: skip
    result = Cli(ws)(*args)
    if result.exit_code == 2:
        assert snapshot(ws) == before
        assert "Traceback" not in result.output
        return
    assert result.exit_code == 0, result.output
    after = transactions(ws, "sas")
    assert len(after) == count + 1
    (new,) = [e for e in after if e.payee == name.strip()]
    key = "supplier" if command == "bill" else "person"
    assert new.meta[key] == name.strip()
    assert new.narration.endswith(name)
    assert Cli(ws)("check").exit_code == 0
    ledger = Workspace.open(ws).load_checked("sas")
    assert "Actif:Evil" not in ledger.open_accounts()


def test_bill_add_through_the_console_script(pws: Path) -> None:
    result = run_subprocess(
        "--workspace", str(pws), "bill", "add", "-e", "sas", "--supplier", "Coop",
        "--account", "6064", "--amount-ht", "10", "--date", "2026-02-01", "--piece-ref", "S1",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "^sas-S1" in result.stdout
    result = run_subprocess("--workspace", str(pws), "bill", "pay", "S1", "--amount", "11")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_supplier_account_found_from_earlier_bills_or_given(pws: Path, pcli: Cli) -> None:
    append(
        pws,
        "sas",
        "accounts.beancount",
        '\n2026-01-01 open Passif:Fournisseurs:Proprio EUR\n  pcg: "401"\n'
        '\n2026-01-05 * "SCI Proprio Battant" "Loyer de janvier"\n  piece-ref: "Q-01"\n'
        "  Charges:Locations:Le97  100.00 EUR\n  Passif:Fournisseurs:Proprio  -100.00 EUR\n",
    )
    result = pcli(
        "bill", "add", "-e", "sas", "--supplier", "SCI Proprio Battant",
        "--account", "6132", "--amount-ht", "100", "--date", "2026-02-05", "--piece-ref", "Q-02",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert postings_of(_bills(pws)[-1])[-1] == ("Passif:Fournisseurs:Proprio", "-100.00")
    result = pcli(
        "bill", "add", "-e", "sas", "--supplier", "SCI du Battant",
        "--supplier-account", "Passif:Fournisseurs:Proprio",
        "--account", "6132", "--amount-ht", "100", "--date", "2026-03-05", "--piece-ref", "Q-03",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert postings_of(_bills(pws)[-1])[-1] == ("Passif:Fournisseurs:Proprio", "-100.00")
    before = snapshot(pws)
    result = pcli(
        "bill", "add", "-e", "sas", "--supplier", "X", "--supplier-account", "Actif:Banque:Courant",
        "--account", "6132", "--amount-ht", "1", "--date", "2026-03-05",
    )  # fmt: skip
    assert result.exit_code == 2 and "not a sub-account of Passif:Fournisseurs" in result.output
    assert snapshot(pws) == before
    result = pcli(
        "bill", "pay", "Q-02", "--supplier", "sci proprio battant", "--date", "2026-02-06"
    )
    assert result.exit_code == 0, result.output
