"""beanpipe (issue 13) gives exactly Beancount's booked entries and errors, faster.

Each case is run through Beancount's own pipeline (booking, plugins, validations, as
``bean-check``) and through :func:`beanpipe.book_transform_validate`; entries (metadata
included) and errors (type, message, source, in order) must be equal.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alusage_ledger.books import beanpipe

PROJECT = Path(__file__).resolve().parents[1]

HEAD = """
option "operating_currency" "EUR"
2026-01-01 open Assets:Bank EUR
2026-01-01 open Assets:Cash
2026-01-01 open Assets:Broker
2026-01-01 open Income:Sales
2026-01-01 open Expenses:Rent
2026-01-01 open Equity:Opening
"""

CASES = {
    "plain": """
2026-01-05 * "Rent"
  Expenses:Rent     300.00 EUR
  Assets:Bank      -300.00 EUR
2026-01-06 * "Two currencies, each balanced"
  Assets:Cash       10.00 USD
  Assets:Bank       5.00 EUR
  Income:Sales     -10.00 USD
  Income:Sales      -5.00 EUR
""",
    "unbalanced": """
2026-01-05 * "Off by a cent"
  Expenses:Rent     300.01 EUR
  Assets:Bank      -300.00 EUR
2026-01-06 * "Off by a lot"
  Expenses:Rent     300.00 EUR
  Assets:Bank      -200.00 EUR
""",
    "tolerance": """
2026-01-05 * "Three decimals: within the tolerance of the two-decimal posting"
  Expenses:Rent     100.00 EUR
  Assets:Bank       -33.333 EUR
  Assets:Bank       -33.333 EUR
  Assets:Bank       -33.333 EUR
""",
    "auto-posting": """
2026-01-05 * "Interpolated"
  Expenses:Rent     300.00 EUR
  Assets:Bank
""",
    "pad-and-balance": """
2026-01-02 pad Assets:Bank Equity:Opening
2026-01-10 balance Assets:Bank 1000.00 EUR
2026-01-11 * "Rent"
  Expenses:Rent     300.00 EUR
  Assets:Bank      -300.00 EUR
2026-01-12 balance Assets:Bank 700.00 EUR
""",
    "balance-only": """
2026-01-05 * "Deposit"
  Assets:Bank      100.00 EUR
  Equity:Opening  -100.00 EUR
2026-01-06 balance Assets:Bank 100.00 ~ 0.00 EUR
2026-01-07 balance Assets:Bank 99.00 EUR
""",
    "costs-and-prices": """
2026-01-05 * "Buy"
  Assets:Broker     10 SHARE {12.00 EUR}
  Assets:Bank      -120.00 EUR
2026-01-06 * "Sell part"
  Assets:Broker     -4 SHARE {} @ 15.00 EUR
  Assets:Bank        60.00 EUR
  Income:Sales
2026-01-07 * "Convert"
  Assets:Cash        10.00 USD @ 0.90 EUR
  Assets:Bank        -9.00 EUR
""",
    "balances-hold": """
2026-01-01 open Assets:Bank:Sub EUR
2026-01-05 * "Deposit"
  Assets:Bank      100.00 EUR
  Equity:Opening  -100.00 EUR
2026-01-06 balance Assets:Bank 100.00 EUR
2026-01-06 * "To the sub-account"
  Assets:Bank:Sub   30.00 EUR
  Assets:Bank      -30.00 EUR
2026-01-07 balance Assets:Bank 100.00 EUR
2026-01-07 balance Assets:Bank:Sub 30.00 EUR
2026-01-07 balance Assets:Cash 0 USD
2026-01-08 * "A third decimal"
  Assets:Bank:Sub   0.004 EUR
  Expenses:Rent    -0.004 EUR
2026-01-09 balance Assets:Bank:Sub 30.00 EUR
2026-01-10 balance Assets:Bank:Sub 30.004 ~ 0.000 EUR
""",
    "balances-unusual": """
2026-01-05 * "Deposit"
  Assets:Bank      100.00 EUR
  Equity:Opening  -100.00 EUR
2026-01-06 balance Assets:Bank 0.00 USD
2026-01-06 balance Assets:Nowhere 0.00 EUR
2026-01-07 balance Assets:Bank 100.00 EUR
""",
    "balance-costs": """
2026-01-05 * "Buy"
  Assets:Broker     10 SHARE {12.00 EUR}
  Assets:Bank      -120.00 EUR
2026-01-06 balance Assets:Broker 10 SHARE
2026-01-06 balance Assets:Bank -120.00 EUR
""",
    "errors": """
2026-01-05 * "Unknown account"
  Expenses:Nowhere   1.00 EUR
  Assets:Bank       -1.00 EUR
2026-01-06 * "Two missing"
  Expenses:Rent
  Assets:Bank
2026-01-07 close Assets:Cash
2026-01-08 * "After close"
  Assets:Cash        1.00 EUR
  Assets:Bank       -1.00 EUR
""",
}


def beancount_pipeline(text: str) -> tuple[list[Any], list[Any]]:
    from beancount import loader
    from beancount.core import data
    from beancount.ops import validation
    from beancount.parser import booking, parser

    entries, errors, options = parser.parse_string(text)
    entries.sort(key=data.entry_sortkey)
    entries, balance_errors = booking.book(entries, options)
    entries, errors = loader.run_transformations(entries, [*errors, *balance_errors], options, None)
    errors.extend(validation.validate(entries, options, None, None))
    return entries, errors


def fast_pipeline(text: str) -> tuple[list[Any], list[Any]]:
    from beancount.core import data
    from beancount.parser import parser

    entries, errors, options = parser.parse_string(text)
    entries.sort(key=data.entry_sortkey)
    return beanpipe.book_transform_validate(entries, list(errors), options)


def comparable(errors: list[Any]) -> list[tuple[str, str, Any]]:
    return [(type(e).__name__, str(e.message), e.source) for e in errors]


def assert_same(text: str) -> tuple[list[Any], list[Any]]:
    slow_entries, slow_errors = beancount_pipeline(text)
    fast_entries, fast_errors = fast_pipeline(text)
    assert fast_entries == slow_entries
    assert comparable(fast_errors) == comparable(slow_errors)
    return fast_entries, fast_errors


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_entries_and_errors_as_beancount(name: str) -> None:
    entries, errors = assert_same(HEAD + CASES[name])
    expected_errors = {
        "plain": 0,
        "tolerance": 0,
        "auto-posting": 0,
        "pad-and-balance": 0,
        "costs-and-prices": 0,
        "balances-hold": 0,
        "balance-costs": 0,
    }
    if name in expected_errors:
        assert len(errors) == expected_errors[name], comparable(errors)
    else:
        assert errors, name  # the error cases do report errors
    assert entries


def test_unbalanced_transactions_are_reported_by_the_fast_check() -> None:
    _entries, errors = assert_same(HEAD + CASES["unbalanced"])
    messages = [str(e.message) for e in errors]
    assert any("does not balance" in m for m in messages)


def test_the_fast_paths_are_taken_on_plain_ledgers() -> None:
    """Plain postings: booked without Beancount's booking, and the same result."""
    from beancount.core import data
    from beancount.parser import parser

    entries, _errors, _options = parser.parse_string(HEAD + CASES["plain"])
    entries.sort(key=data.entry_sortkey)
    assert all(beanpipe.fast_shape(e.postings) for e in entries if isinstance(e, data.Transaction))
    costs, _errors, _options = parser.parse_string(HEAD + CASES["costs-and-prices"])
    assert not all(
        beanpipe.fast_shape(e.postings) for e in costs if isinstance(e, data.Transaction)
    )


def test_the_balance_plugin_is_left_out_only_when_every_assertion_holds() -> None:
    """balances_hold() says yes on plain ledgers whose assertions hold (parent accounts,
    tolerances), no when one fails or the plugin would report something else."""
    from beancount.core import data
    from beancount.parser import parser

    def holds(text: str) -> bool:
        entries, _errors, options = parser.parse_string(HEAD + text)
        entries.sort(key=data.entry_sortkey)
        booked, errors = beanpipe.book_ledger(entries, options)
        assert not errors
        return beanpipe.balances_hold(booked, options)

    assert holds(CASES["balances-hold"])
    assert not holds(CASES["balance-only"])  # 99.00 EUR fails
    assert not holds(CASES["balances-unusual"])  # an unknown account, a currency refused
    off_by_two_cents = CASES["balances-hold"].replace(
        "balance Assets:Bank:Sub 30.00", "balance Assets:Bank:Sub 30.02"
    )
    assert not holds(off_by_two_cents)
    assert_same(HEAD + off_by_two_cents)


def test_example_ledgers_book_the_same() -> None:

    for main in sorted((PROJECT / "ledgers").glob("*/main.beancount")):
        parts = [main.read_text("utf-8")]
        # Inline the includes, in order, so that one text holds the whole ledger.
        body = "\n".join(
            (main.parent / inc).read_text("utf-8")
            for inc in (p.split('"')[1] for p in parts[0].splitlines() if p.startswith("include"))
        )
        text = "\n".join(line for line in parts[0].splitlines() if not line.startswith("include"))
        assert_same(text + "\n" + body)


AMOUNTS = st.decimals(
    min_value=Decimal("-1000"), max_value=Decimal("1000"), places=2, allow_nan=False
).map(lambda d: d.quantize(Decimal("0.01")))


@st.composite
def ledgers(draw: Any) -> str:
    """Random transactions: mostly balanced, some not, some with a missing amount."""
    lines = [HEAD]
    for day in range(1, draw(st.integers(1, 12)) + 1):
        amounts = draw(st.lists(AMOUNTS, min_size=1, max_size=3))
        currency = draw(st.sampled_from(["EUR", "USD"]))
        lines.append(f'2026-02-{day:02d} * "T{day}"')
        for amount in amounts:
            lines.append(f"  Expenses:Rent  {amount} {currency}")
        shape = draw(st.sampled_from(["balanced", "missing", "off", "third-decimal"]))
        total = -sum(amounts, Decimal(0))
        if shape == "balanced":
            lines.append(f"  Assets:Bank  {total} {currency}")
        elif shape == "missing":
            lines.append("  Assets:Bank")
        elif shape == "off":
            lines.append(f"  Assets:Bank  {total + Decimal('0.02')} {currency}")
        else:
            lines.append(f"  Assets:Bank  {total + Decimal('0.004')} {currency}")
        if draw(st.booleans()):
            lines.append(f"2026-02-{day:02d} balance Assets:Bank 0.00 EUR")
    return "\n".join(lines) + "\n"


@settings(max_examples=60, deadline=None)
@given(ledgers())
def test_random_ledgers_book_the_same(text: str) -> None:
    assert_same(text)


# --------------------------------------------------------------------------- the loader's parse

PARSE_TEXT = """
option "operating_currency" "EUR"
2026-01-01 open Assets:Bank EUR
2026-01-01 open Income:Sales
pushtag #trip
2026-01-05 * "Client" "Invoice" ^inv-1 #x
  invoice: "F2026-001"
  client: "Client"
  rate: 20.0
  Assets:Bank       1.0 EUR
  Assets:Bank       1.00 EUR
  Income:Sales     -2.00 EUR
    vat-rate: "20"
2026-01-05 * "Client" "Payment" ^inv-1
  invoice: "F2026-001"
  client: "Client"
  Assets:Bank       1.00 EUR
  Assets:Bank      -0.00 EUR
  Assets:Bank       10 EUR
  Income:Sales    -11.00 EUR
poptag #trip
2026-01-06 * "A" "B" "C"
  Assets:Bank       1.00 EUR
  Income:Sales
2026-01-07 balance Assets:Bank 12.00 EUR
2026-01-08 custom "alusage-note" "text" 1.00 EUR
2026-01-09 * "Bad account"
  bank:x    1.00 EUR
  Income:Sales
"""


def assert_same_parse(text: str, filename: str = "/ws/2026/01.beancount") -> tuple[Any, ...]:
    """``ledger.parse_source`` gives what Beancount's ``parse_string`` gives, to the digit."""
    from beancount.parser import parser

    from alusage_ledger.books.parsing import parse_source

    raw = text.encode("utf-8")
    entries, errors, options = parse_source(raw, filename)
    expected, expected_errors, expected_options = parser.parse_string(raw, report_filename=filename)
    assert entries == expected
    assert repr(entries) == repr(expected)  # 1.0 and 1.00 are equal numbers: repr tells them
    assert comparable(errors) == comparable(expected_errors)
    assert sorted(options) == sorted(expected_options)
    for name, value in options.items():
        if name == "dcontext":
            assert str(value) == str(expected_options[name])
        else:
            assert value == expected_options[name], name
    return entries, errors, options


def test_the_loaders_parse_is_beancounts_with_equal_values_shared() -> None:
    from beancount.core import data

    entries, errors, options = assert_same_parse(PARSE_TEXT)
    assert errors  # the three strings and the bad account are reported the same way
    invoice, payment = [e for e in entries if isinstance(e, data.Transaction)][:2]
    # Equal values are one object: currencies, amounts, metadata keys and values,
    # payees, dates, links; the precisions still differ (1.0 EUR is not 1.00 EUR).
    one, one_00, _sales = (p.units for p in invoice.postings)
    assert str(one.number) == "1.0" and str(one_00.number) == "1.00"
    assert one is not one_00 and payment.postings[0].units is one_00
    assert one.currency is one_00.currency is payment.postings[2].units.currency
    assert invoice.links is payment.links
    assert invoice.payee is payment.payee and invoice.date is payment.date
    assert invoice.meta["invoice"] is payment.meta["invoice"]
    assert list(invoice.meta)[2] is list(payment.meta)[2]  # the key "invoice"
    assert invoice.tags != payment.tags  # "#x" added to the pushed tag
    assert "dcontext" in options


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_loaders_parse_of_each_case_is_beancounts(name: str) -> None:
    assert_same_parse(HEAD + CASES[name])


def test_the_loaders_parse_of_the_example_ledgers_is_beancounts() -> None:
    files = sorted((PROJECT / "ledgers").rglob("*.beancount"))
    assert files
    for path in files:
        assert_same_parse(path.read_text("utf-8"), str(path))


@settings(max_examples=40, deadline=None)
@given(ledgers())
def test_the_loaders_parse_of_random_ledgers_is_beancounts(text: str) -> None:
    assert_same_parse(text)


@st.composite
def ledgers_with_assertions(draw: Any) -> str:
    """Plain transactions between a bank account and its sub-account, with balance
    assertions on either, mostly right (some off by a cent or less, some in USD)."""
    lines = [HEAD, "2026-01-01 open Assets:Bank:Sub EUR"]
    totals = {"Assets:Bank": Decimal(0), "Assets:Bank:Sub": Decimal(0)}
    for day in range(1, draw(st.integers(1, 10)) + 1):
        for account in draw(st.lists(st.sampled_from(sorted(totals)), max_size=2)):
            subtree = sum((v for k, v in totals.items() if k.startswith(account)), Decimal(0))
            shift = draw(st.sampled_from(["0", "0", "0.01", "-0.004", "0.001"]))
            lines.append(f"2026-03-{day:02d} balance {account} {subtree + Decimal(shift)} EUR")
        amount = draw(AMOUNTS)
        account = draw(st.sampled_from(sorted(totals)))
        totals[account] += amount
        lines.append(f'2026-03-{day:02d} * "T{day}"')
        lines.append(f"  {account}  {amount} EUR")
        lines.append(f"  Income:Sales  {-amount} EUR")
    return "\n".join(lines) + "\n"


@settings(max_examples=60, deadline=None)
@given(ledgers_with_assertions())
def test_random_balance_assertions_give_beancounts_errors(text: str) -> None:
    assert_same(text)
