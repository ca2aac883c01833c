"""The month's income statement and balance sheet (pure builders of ``reports``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from alusage_ledger.core.periods import Month
from alusage_ledger.outputs import reports

FRENCH = ("Actif", "Passif", "Capitaux", "Produits", "Charges")
ENGLISH = ("Assets", "Liabilities", "Equity", "Income", "Expenses")


def load(text: str) -> list[Any]:
    from beancount import loader

    entries, errors, _options = loader.load_string(text)
    assert not errors, errors
    return list(entries)


ENGLISH_LEDGER = """
2026-01-01 open Assets:Bank EUR
  pcg: "512"
  label: "Banks"
2026-01-01 open Assets:Receivable EUR
  pcg: "411"
2026-01-01 open Liabilities:Suppliers EUR
  pcg: "401"
2026-01-01 open Equity:Capital EUR
  pcg: "101"
2026-01-01 open Income:Sales EUR
  pcg: "706"
2026-01-01 open Expenses:Rent EUR
  pcg: "6132"

2026-01-02 * "capital"
  Assets:Bank          1000.00 EUR
  Equity:Capital      -1000.00 EUR
2026-01-15 * "sale"
  Assets:Receivable     240.00 EUR
  Income:Sales         -240.00 EUR
2026-02-03 * "rent"
  Expenses:Rent         300.00 EUR
  Liabilities:Suppliers -300.00 EUR
2026-02-20 * "paid"
  Assets:Bank           240.00 EUR
  Assets:Receivable    -240.00 EUR
2026-03-01 * "later, not in February"
  Liabilities:Suppliers 300.00 EUR
  Assets:Bank          -300.00 EUR
"""


def test_income_statement_with_english_roots() -> None:
    entries = load(ENGLISH_LEDGER)
    statement = reports.income_statement(
        entries, ENGLISH, Month.parse("2026-02"), date(2026, 1, 1), "e", "Entity"
    )
    income, expenses = statement.sections
    assert [(li.account, li.amounts) for li in income.lines] == [
        ("Income:Sales", (Decimal("0.00"), Decimal("240.00")))
    ]
    assert [(li.pcg, li.account, li.amounts) for li in expenses.lines] == [
        ("6132", "Expenses:Rent", (Decimal("300.00"), Decimal("300.00")))
    ]
    assert statement.result == (Decimal("-300.00"), Decimal("-60.00"))
    assert reports.to_csv(statement) == (
        "section,pcg,account,label,month,exercice_to_date\n"
        "income,706,Income:Sales,,0.00,240.00\n"
        "total-income,,,,0.00,240.00\n"
        "expenses,6132,Expenses:Rent,,300.00,300.00\n"
        "total-expenses,,,,300.00,300.00\n"
        "result,,,,-300.00,-60.00\n"
    )


def test_balance_sheet_with_english_roots() -> None:
    entries = load(ENGLISH_LEDGER)
    sheet = reports.balance_sheet(entries, ENGLISH, Month.parse("2026-02"), "e", "Entity")
    assets, equity, liabilities = sheet.sections
    assert [(li.account, li.amounts[0]) for li in assets.lines] == [
        ("Assets:Bank", Decimal("1240.00"))
    ]
    assert [li.amounts[0] for li in equity.lines] == [Decimal("1000.00"), Decimal("-60.00")]
    assert liabilities.totals == (Decimal("300.00"),)
    assert sheet.result == (Decimal("1240.00"),)
    assert sheet.extra[0][2] == (Decimal("1240.00"),)
    text = reports.to_markdown(sheet)
    assert text.startswith("# Balance sheet — Entity — 2026-02\n")
    assert "| 512 | Assets:Bank | Banks | €1,240.00 |" in text


def test_markdown_escapes_table_cells() -> None:
    entries = load(
        '2026-01-01 open Assets:Bank EUR\n  pcg: "512"\n  label: "Banque | pipe"\n'
        "2026-01-01 open Equity:Capital EUR\n"
        '2026-01-02 * "x"\n  Assets:Bank 1.00 EUR\n  Equity:Capital -1.00 EUR\n'
    )
    text = reports.to_markdown(
        reports.balance_sheet(entries, ENGLISH, Month.parse("2026-01"), "e", "E | x")
    )
    assert "Banque \\| pipe" in text and "E \\| x" in text


ACCOUNTS = [
    "Actif:Banque",
    "Actif:Clients:Alpha",
    "Passif:Fournisseurs:Beta",
    "Capitaux:Capital",
    "Produits:Ventes",
    "Charges:Loyer",
]

cents = st.integers(min_value=-(10**7), max_value=10**7).map(lambda c: Decimal(c).scaleb(-2))
transaction = st.tuples(
    st.integers(min_value=1, max_value=90),  # day of the year
    st.sampled_from(ACCOUNTS),
    st.sampled_from(ACCOUNTS),
    cents,
)


@settings(max_examples=60, deadline=None)
@given(st.lists(transaction, max_size=25))
def test_the_balance_sheet_always_balances(items: list[tuple[int, str, str, Decimal]]) -> None:
    lines = ['option "name_assets" "Actif"', 'option "name_liabilities" "Passif"']
    lines += ['option "name_equity" "Capitaux"', 'option "name_income" "Produits"']
    lines += ['option "name_expenses" "Charges"']
    lines += [f"2026-01-01 open {a} EUR" for a in ACCOUNTS]
    for day, debit, credit, amount in items:
        when = date(2026, 1, 1).fromordinal(date(2026, 1, 1).toordinal() + day - 1)
        lines.append(f'{when} * "t"\n  {debit} {amount:.2f} EUR\n  {credit} {-amount:.2f} EUR')
    entries = load("\n".join(lines) + "\n")
    sheet = reports.balance_sheet(entries, FRENCH, Month.parse("2026-02"), "e", "E")
    assert sheet.result == sheet.extra[0][2]  # assets = equity (with the result) + liabilities
    income = reports.income_statement(
        entries, FRENCH, Month.parse("2026-02"), date(2026, 1, 1), "e", "E"
    )
    february = reports.income_statement(
        entries, FRENCH, Month.parse("2026-02"), date(2026, 2, 1), "e", "E"
    )
    # the exercice-to-date column from February 1st is the month itself
    assert february.result[1] == income.result[0] == february.result[0]
    # the result carried by the balance sheet is the income statement's to date
    result_line = sheet.sections[1].lines[-1]
    assert result_line.amounts[0] == income.result[1]
    csv_text = reports.to_csv(sheet)
    assert all(len(row.split(",")) == 5 for row in csv_text.splitlines())
