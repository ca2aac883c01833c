"""The general fast path of booking (issue 24, item 3) gives Beancount's own results.

``beanpipe.book_ledger`` books the common hand-written shapes itself (one posting left without
amount, prices ``@`` / ``@@``, several currencies without costs) and hands every other
transaction to Beancount's ``booking_full``, with the running balances it reads. These
tests generate ledgers of those shapes, mixed with what the fast path leaves to Beancount
(costs, reductions, two postings without amount, a number without currency), and require
the tool's entries (compared to the digit: ``2.470`` is not ``2.47``), errors and, through
the loader on real files, problems to be exactly what ``beancount.loader.load_string`` /
``load_file`` give.
"""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from beancount import loader as bean_loader
from beancount.core import data
from beancount.parser import booking_full, parser
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alusage_ledger.books import beanpipe
from alusage_ledger.books.ledger import Workspace

CONFIG = '[entities.x]\nname = "X"\nkind = "sas"\nledger = "ledgers/x/main.beancount"\n'

HEAD = """option "operating_currency" "USD"
2020-01-01 open Assets:Bank
2020-01-01 open Assets:Cash USD
2020-01-01 open Assets:Broker
2020-01-01 open Liabilities:Card
2020-01-01 open Income:Salary
2020-01-01 open Expenses:Food
2020-01-01 open Expenses:Travel
2020-01-01 open Equity:Opening
"""
ACCOUNTS = [
    "Assets:Bank",
    "Assets:Cash",
    "Liabilities:Card",
    "Income:Salary",
    "Expenses:Food",
    "Expenses:Travel",
]
CURRENCIES = ["USD", "EUR", "CAD"]


def exact(value: Any) -> Any:
    """``value`` compared to the digit (``Decimal`` equality ignores the exponent)."""
    if isinstance(value, Decimal):
        return ("Decimal", str(value))
    if isinstance(value, dict):
        items = sorted(((repr(k), exact(v)) for k, v in value.items()), key=lambda kv: kv[0])
        return (type(value).__name__, items, exact(getattr(value, "default", None)))
    if isinstance(value, set | frozenset):
        return (type(value).__name__, sorted(map(repr, map(exact, value))))
    if isinstance(value, tuple | list):
        return (type(value).__name__, [exact(v) for v in value])
    return value


def errors_of(errors: list[Any]) -> list[tuple[str, Any, str]]:
    return [(type(e).__name__, str(e.message), exact(e.source)) for e in errors]


def tool_pipeline(text: str) -> tuple[list[Any], list[Any]]:
    entries, errors, options = parser.parse_string(text)
    entries.sort(key=data.entry_sortkey)
    return beanpipe.book_transform_validate(entries, list(errors), options)


def assert_same(text: str) -> tuple[list[Any], list[Any]]:
    bean_loader.initialize(False)
    expected, expected_errors, _options = bean_loader.load_string(text)
    entries, errors = tool_pipeline(text)
    assert exact(entries) == exact(expected)
    assert errors_of(errors) == errors_of(expected_errors)
    return entries, errors


# --------------------------------------------------------------------------- generated ledgers

NUMBERS = st.builds(
    lambda units, places: (Decimal(units) / (10**places)).quantize(Decimal(1).scaleb(-places)),
    st.integers(-500_000, 500_000),
    st.integers(0, 3),
)
PRICES = st.builds(
    lambda units, places: (Decimal(units) / (10**places)).quantize(Decimal(1).scaleb(-places)),
    st.integers(1, 50_000),
    st.integers(0, 5),
)


@st.composite
def postings(draw: Any) -> list[str]:
    """A transaction's postings, of a shape the fast path books, or sometimes not."""
    count = draw(st.integers(1, 5))
    lines = []
    for _ in range(count):
        account = draw(st.sampled_from(ACCOUNTS))
        number = draw(NUMBERS)
        currency = draw(st.sampled_from(CURRENCIES))
        price = draw(st.sampled_from(["", "", "@", "@@"]))
        line = f"  {account}  {number} {currency}"
        if price:
            line += f" {price} {draw(PRICES)} {draw(st.sampled_from(CURRENCIES))}"
        lines.append(line)
    shape = draw(
        st.sampled_from(
            ["auto", "auto", "auto", "balanced", "as-drawn", "two-autos", "no-currency", "cost"]
        )
    )
    if shape == "auto":
        lines.insert(draw(st.integers(0, len(lines))), f"  {draw(st.sampled_from(ACCOUNTS))}")
    elif shape == "balanced":
        currency = draw(st.sampled_from(CURRENCIES))
        total = sum((draw(NUMBERS) for _ in range(count)), Decimal(0))
        lines = [f"  Expenses:Food  {total} {currency}", f"  Assets:Bank  {-total} {currency}"]
    elif shape == "two-autos":
        lines += ["  Assets:Bank", "  Expenses:Food"]
    elif shape == "no-currency":
        lines += [f"  Assets:Bank  {draw(NUMBERS)}", "  Expenses:Food"]
    elif shape == "cost":
        units = abs(draw(NUMBERS)) or Decimal(1)
        cost = draw(PRICES)
        sign = draw(st.sampled_from(["", "-"]))
        spec = draw(st.sampled_from([f"{{{cost} USD}}", "{}", f"{{{{{cost} USD}}}}"]))
        lines = [f"  Assets:Broker  {sign}{units} HOOL {spec}", "  Assets:Bank"]
    return lines


@st.composite
def ledgers(draw: Any) -> str:
    lines = [HEAD]
    if draw(st.booleans()):
        lines.append('2020-01-02 * "Shares"\n  Assets:Broker  10 HOOL {5.00 USD}\n  Assets:Bank')
    for day in range(1, draw(st.integers(1, 10)) + 1):
        lines.append(f'2020-02-{day:02d} * "T{day}"')
        lines.extend(draw(postings()))
        if draw(st.integers(0, 4)) == 0:
            number = draw(NUMBERS)
            lines.append(f"2020-02-{day:02d} balance Assets:Bank {number} USD")
    return "\n".join(lines) + "\n"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ledgers())
def test_generated_ledgers_book_as_beancount_loads_them(text: str) -> None:
    assert_same(text)


SHAPES = {
    "interpolated, last": """
2020-02-01 * "Lunch"
  Expenses:Food  12.345 USD
  Assets:Bank
""",
    "interpolated, first, quantized by the two-decimal posting": """
2020-02-01 * "Split"
  Assets:Bank
  Expenses:Food  10.00 USD
  Expenses:Food  0.125 USD
""",
    "interpolated, integers only (no quantization)": """
2020-02-01 * "Cash"
  Expenses:Food  10 USD
  Assets:Bank
""",
    "interpolated, others sum to zero (the posting is dropped)": """
2020-02-01 * "Nothing left"
  Expenses:Food  10.00 USD
  Expenses:Travel  -10.00 USD
  Assets:Bank
""",
    "interpolated in two currencies (one posting per currency)": """
2020-02-01 * "Two"
  Expenses:Food  10.00 USD
  Assets:Bank
  Expenses:Travel  7.5 EUR
""",
    "price @": """
2020-02-01 * "Exchange"
  Assets:Bank  100.00 EUR @ 1.1234 USD
  Assets:Cash  -112.34 USD
""",
    "price @@ with an interpolated posting": """
2020-02-01 * "Exchange"
  Assets:Bank  -3 EUR @@ 4.00 USD
  Assets:Cash
""",
    "price @, unbalanced beyond the tolerance": """
2020-02-01 * "Exchange"
  Assets:Bank  100.00 EUR @ 1.1234 USD
  Assets:Cash  -112.30 USD
""",
    "several currencies, no cost, balanced": """
2020-02-01 * "Two currencies"
  Assets:Bank  10.00 USD
  Assets:Bank  5.00 EUR
  Income:Salary  -10.00 USD
  Income:Salary  -5.00 EUR
""",
    "two postings without amount (Beancount's error)": """
2020-02-01 * "Too many"
  Expenses:Food  10.00 USD
  Assets:Bank
  Assets:Cash
""",
    "a reduction at cost after fast postings on the same account": """
2020-02-01 * "Buy"
  Assets:Broker  10 HOOL {5.00 USD}
  Assets:Bank
2020-02-02 * "Gift, no cost"
  Assets:Broker  1 HOOL
  Equity:Opening  -1 HOOL
2020-02-03 * "Sell"
  Assets:Broker  -4 HOOL {}
  Assets:Bank
""",
}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_each_shape_books_as_beancount(name: str) -> None:
    assert_same(HEAD + SHAPES[name])


FAST = [name for name in SHAPES if "two postings" not in name and "reduction" not in name]


@pytest.mark.parametrize("name", FAST)
def test_the_common_shapes_are_booked_without_beancounts_booking(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The shapes of the fast path never reach ``booking_full.book``; the others do."""
    entries, _errors, options = parser.parse_string(HEAD + SHAPES[name])
    entries.sort(key=data.entry_sortkey)
    called: list[int] = []
    real = booking_full.book

    def spy(*args: Any, **kw: Any) -> Any:
        called.append(len(args[0]))
        return real(*args, **kw)

    monkeypatch.setattr(booking_full, "book", spy)
    beanpipe.book_ledger(entries, options)
    assert called == []
    slow, _errors, options = parser.parse_string(
        HEAD + SHAPES["two postings without amount (Beancount's error)"]
    )
    beanpipe.book_ledger(slow, options)
    assert called == [1]


def test_the_parsed_postings_are_left_as_parsed() -> None:
    """Beancount marks an interpolated posting in the parsed posting's own metadata; the
    fast path books a copy, so that the kept parse books the same the next time."""
    entries, _errors, options = parser.parse_string(HEAD + SHAPES["interpolated, last"])
    before = exact(entries)
    first, _ = beanpipe.book_ledger(entries, options)
    second, _ = beanpipe.book_ledger(entries, options)
    assert exact(entries) == before
    assert exact(first) == exact(second)


# --------------------------------------------------------------------------- through the loader


def load_both(text: str) -> tuple[Any, Any]:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "ledgers/x").mkdir(parents=True)
        (root / "alusage.toml").write_text(CONFIG, "utf-8")
        main = root / "ledgers/x/main.beancount"
        main.write_text(text, "utf-8")
        ledger = Workspace.open(root).load("x")
        bean_loader.initialize(False)
        expected, expected_errors, _options = bean_loader.load_file(str(main))
        mine = [(p.line, p.message) for p in ledger.problems if p.severity == "error"]
        theirs = [
            (e.source.get("lineno") if e.source else None, str(e.message).strip().splitlines()[0])
            for e in expected_errors
        ]
        return (exact(ledger.entries), mine), (exact(expected), theirs)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ledgers())
def test_generated_ledgers_load_as_beancount_loads_them(text: str) -> None:
    mine, theirs = load_both(text)
    assert mine == theirs
