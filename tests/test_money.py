"""Tests for alusage_ledger.core.money: exact parsing, formatting and splitting of amounts."""

from __future__ import annotations

import random
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alusage_ledger.core.money import (
    CENT,
    ZERO,
    MoneyError,
    format_machine,
    parse_amount,
    quantize_cents,
    split_exact,
)

D = Decimal

# --------------------------------------------------------------------------------------
# parse_amount
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1200", "1200.00"),
        ("1200.5", "1200.50"),
        ("1200,5", "1200.50"),
        ("1 234,56", "1234.56"),
        ("1\u00a0234,56", "1234.56"),
        ("1\u202f234,56", "1234.56"),
        ("12 345 678,90", "12345678.90"),
        ("+12", "12.00"),
        ("-0,5", "-0.50"),
        ("-0", "0.00"),
        ("0", "0.00"),
        ("  42  ", "42.00"),
        ("12,345.67", "12345.67"),
        ("12.345,67", "12345.67"),
        ("1,234,567.89", "1234567.89"),
        ("1.234.567", "1234567.00"),
        ("1,234,567", "1234567.00"),
        ("007", "7.00"),
        ("-1\u202f234,50", "-1234.50"),
        ("123456789012345678901234567890.12", "123456789012345678901234567890.12"),
    ],
)
def test_parse_amount_accepts(text: str, expected: str) -> None:
    result = parse_amount(text)
    assert result == D(expected)
    assert str(result) == expected  # exactly two places, as written
    assert result.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1.234", "too-many-decimals"),
        ("1,234", "too-many-decimals"),  # ambiguous, read as 1.234: never guessed
        ("1.230", "too-many-decimals"),
        ("1e3", "not-a-number"),
        ("1E3", "not-a-number"),
        ("nan", "not-a-number"),
        ("NaN", "not-a-number"),
        ("inf", "not-a-number"),
        ("Infinity", "not-a-number"),
        ("-Infinity", "not-a-number"),
        ("", "empty"),
        ("   ", "empty"),
        ("-", "not-a-number"),
        ("+-1", "not-a-number"),
        ("--1", "not-a-number"),
        ("abc", "not-a-number"),
        ("12 €", "not-a-number"),
        ("1 23", "not-a-number"),  # bad grouping
        ("1234 567", "not-a-number"),  # first group too long
        ("12,34.56", "not-a-number"),  # bad grouping before the decimal mark
        ("1 234.567,89", "not-a-number"),  # two kinds of thousands separators
        ("1.", "not-a-number"),
        (",5", "not-a-number"),
        ("1,2,3", "not-a-number"),
        ("1,23 4", "not-a-number"),
        ("0x10", "not-a-number"),
        ("١٢٣", "not-a-number"),  # Arabic-Indic digits
        ("1_000", "not-a-number"),
        ("- 5", "not-a-number"),
    ],
)
def test_parse_amount_rejects(text: str, reason: str) -> None:
    with pytest.raises(MoneyError) as info:
        parse_amount(text)
    assert info.value.reason == reason
    assert info.value.text == text
    assert isinstance(info.value, ValueError)
    assert str(info.value)  # a plain sentence


def test_parse_amount_rejects_float_and_non_strings() -> None:
    with pytest.raises(MoneyError) as info:
        parse_amount(12.5)  # type: ignore[arg-type]
    assert info.value.reason == "float"
    with pytest.raises(MoneyError) as info:
        parse_amount(12)  # type: ignore[arg-type]
    assert info.value.reason == "not-a-string"


def test_parse_amount_options() -> None:
    assert parse_amount("1.234", decimals=3) == D("1.234")
    assert str(parse_amount("1", decimals=3)) == "1.000"
    assert str(parse_amount("12", decimals=0)) == "12"
    with pytest.raises(MoneyError, match="decimal") as info:
        parse_amount("12.5", decimals=0)
    assert info.value.reason == "too-many-decimals"
    with pytest.raises(MoneyError) as info:
        parse_amount("-1", allow_negative=False)
    assert info.value.reason == "negative"
    assert parse_amount("-0", allow_negative=False) == ZERO
    with pytest.raises(MoneyError) as info:
        parse_amount("0,00", allow_zero=False)
    assert info.value.reason == "zero"
    with pytest.raises(MoneyError) as info:
        parse_amount("-0", allow_zero=False)
    assert info.value.reason == "zero"
    with pytest.raises(ValueError):
        parse_amount("1", decimals=-1)


# --------------------------------------------------------------------------------------
# quantize_cents / format_machine
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D("1.005"), "1.01"),
        (D("1.004999"), "1.00"),
        (D("-1.005"), "-1.01"),  # half-up means ties away from zero
        (D("2"), "2.00"),
        (Fraction(1000, 3), "333.33"),
        (Fraction(2000, 3), "666.67"),
        (Fraction(1, 200), "0.01"),
        (Fraction(-1, 200), "-0.01"),
        (Fraction(-1, 300), "0.00"),
        (D("123456789012345678901234567890.125"), "123456789012345678901234567890.13"),
    ],
)
def test_quantize_cents(value: Decimal | Fraction, expected: str) -> None:
    assert str(quantize_cents(value)) == expected


def test_quantize_cents_rejects_float_and_nan() -> None:
    with pytest.raises(MoneyError) as info:
        quantize_cents(0.1)  # type: ignore[arg-type]
    assert info.value.reason == "float"
    with pytest.raises(MoneyError):
        quantize_cents(D("NaN"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D("1234.5"), "1234.50"),
        (D("1234.50"), "1234.50"),
        (D("-0.05"), "-0.05"),
        (D("-0.00"), "0.00"),
        (D("0"), "0.00"),
        (D("1E+3"), "1000.00"),
        (D("1.2300"), "1.23"),
        (D("12345678901234567890123456789.99"), "12345678901234567890123456789.99"),
    ],
)
def test_format_machine(value: Decimal, expected: str) -> None:
    assert format_machine(value) == expected


@pytest.mark.parametrize("value", [D("1.234"), D("NaN"), D("Infinity")])
def test_format_machine_rejects(value: Decimal) -> None:
    with pytest.raises(MoneyError):
        format_machine(value)


def test_constants() -> None:
    assert D("0.01") == CENT
    assert ZERO == 0


# --------------------------------------------------------------------------------------
# split_exact examples
# --------------------------------------------------------------------------------------


def _strs(result: dict[str, Decimal]) -> dict[str, str]:
    return {k: str(v) for k, v in result.items()}


def test_split_thirds() -> None:
    assert _strs(split_exact(D("1000.00"), {"a": 1, "b": 1, "c": 1})) == {
        "a": "333.34",
        "b": "333.33",
        "c": "333.33",
    }


def test_split_ties_follow_key_order_not_insertion_order() -> None:
    assert _strs(split_exact(D("1000.00"), {"c": 1, "b": 1, "a": 1})) == {
        "a": "333.34",
        "b": "333.33",
        "c": "333.33",
    }


def test_split_tie_break_key() -> None:
    result = split_exact(D("1000.00"), {"a": 1, "b": 1, "c": 1}, tie_break_key=lambda k: -ord(k))
    assert _strs(result) == {"a": "333.33", "b": "333.33", "c": "333.34"}


def test_split_largest_remainder_wins() -> None:
    # exact shares: 0.5, 0.3, 0.2 of 0.10 -> 0.05, 0.03, 0.02; of 0.01 -> a gets it.
    weights = {"a": D("0.5"), "b": D("0.3"), "c": D("0.2")}
    assert _strs(split_exact(D("0.01"), weights)) == {"a": "0.01", "b": "0.00", "c": "0.00"}
    # of 0.02: 0.010, 0.006, 0.004 -> a 0.01, then b (remainder 0.6) beats c (0.4).
    assert _strs(split_exact(D("0.02"), weights)) == {"a": "0.01", "b": "0.01", "c": "0.00"}


def test_split_negative_total_is_symmetric() -> None:
    assert _strs(split_exact(D("-1000.00"), {"a": 1, "b": 1, "c": 1})) == {
        "a": "-333.34",
        "b": "-333.33",
        "c": "-333.33",
    }


def test_split_ratios() -> None:
    result = split_exact(D("100"), {"x": Fraction(1, 3), "y": Fraction(2, 3)})
    assert _strs(result) == {"x": "33.33", "y": "66.67"}


def test_split_zero_weights() -> None:
    assert _strs(split_exact(D("10.00"), {"a": 0, "b": 2, "c": D("0")})) == {
        "a": "0.00",
        "b": "10.00",
        "c": "0.00",
    }


def test_split_zero_total() -> None:
    assert _strs(split_exact(D("0"), {"a": 0, "b": 0})) == {"a": "0.00", "b": "0.00"}
    assert _strs(split_exact(D("0.00"), {"a": 1, "b": 3})) == {"a": "0.00", "b": "0.00"}
    assert split_exact(D("0"), {}) == {}


@pytest.mark.parametrize(
    ("total", "weights", "reason"),
    [
        (D("10"), {"a": 0, "b": 0}, "zero-weights"),
        (D("10"), {}, "no-weights"),
        (D("10"), {"a": -1, "b": 2}, "negative"),
        (D("10"), {"a": 0.5}, "float"),
        (D("10.005"), {"a": 1}, "not-whole-cents"),
        (D("NaN"), {"a": 1}, "not-a-number"),
        (D("10"), {"a": D("NaN")}, "not-a-number"),
    ],
)
def test_split_errors(total: Decimal, weights: dict[str, object], reason: str) -> None:
    with pytest.raises(MoneyError) as info:
        split_exact(total, weights)  # type: ignore[arg-type]
    assert info.value.reason == reason


# --------------------------------------------------------------------------------------
# split_exact properties
# --------------------------------------------------------------------------------------

_weight = st.one_of(
    st.integers(min_value=0, max_value=1000),
    st.fractions(min_value=0, max_value=1000, max_denominator=1000),
)


@st.composite
def _split_cases(draw: st.DrawFn) -> tuple[Decimal, dict[str, Fraction | int]]:
    cents = draw(st.integers(min_value=-(10**9), max_value=10**9))
    keys = draw(st.lists(st.text(min_size=1, max_size=4), min_size=1, max_size=12, unique=True))
    weights: dict[str, Fraction | int] = {k: draw(_weight) for k in keys}
    if all(w == 0 for w in weights.values()):
        weights[keys[0]] = draw(st.integers(min_value=1, max_value=1000))
    return Decimal(cents).scaleb(-2), weights


@settings(max_examples=200)
@given(_split_cases())
def test_split_properties(case: tuple[Decimal, dict[str, Fraction | int]]) -> None:
    total, weights = case
    result = split_exact(total, weights)
    assert set(result) == set(weights)
    assert sum(result.values(), ZERO) == total
    weight_sum = sum((Fraction(w) for w in weights.values()), Fraction(0))
    for key, part in result.items():
        assert part.as_tuple().exponent == -2
        exact_share = Fraction(total) * Fraction(weights[key]) / weight_sum
        assert abs(Fraction(part) - exact_share) < Fraction(1, 100)
        if weights[key] == 0:
            assert part == 0


@settings(max_examples=200)
@given(_split_cases(), st.randoms(use_true_random=False))
def test_split_independent_of_insertion_order(
    case: tuple[Decimal, dict[str, Fraction | int]], rnd: random.Random
) -> None:
    total, weights = case
    items = list(weights.items())
    rnd.shuffle(items)
    assert split_exact(total, dict(items)) == split_exact(total, weights)


@settings(max_examples=200)
@given(_split_cases())
def test_split_refund_is_symmetric(case: tuple[Decimal, dict[str, Fraction | int]]) -> None:
    total, weights = case
    charge = split_exact(total, weights)
    refund = split_exact(-total, weights)
    assert refund == {k: -v for k, v in charge.items()}


# --------------------------------------------------------------------------------------
# Round-trip properties
# --------------------------------------------------------------------------------------

_amounts = st.integers(min_value=-(10**12), max_value=10**12).map(lambda c: Decimal(c).scaleb(-2))


def _french(value: Decimal, separator: str) -> str:
    """Render like '1 234,56' (hand-made, independent of the code under test)."""
    sign = "-" if value < 0 else ""
    cents = abs(int(value * 100))
    units, frac = divmod(cents, 100)
    digits = str(units)
    groups: list[str] = []
    while digits:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    return f"{sign}{separator.join(groups)},{frac:02d}"


@given(_amounts)
def test_format_machine_round_trip(value: Decimal) -> None:
    assert parse_amount(format_machine(value)) == value
    assert str(parse_amount(format_machine(value))) == format_machine(value)


@given(_amounts, st.sampled_from([" ", "\u00a0", "\u202f"]))
def test_french_rendering_round_trip(value: Decimal, separator: str) -> None:
    assert parse_amount(_french(value, separator)) == value


@given(_amounts)
def test_english_rendering_round_trip(value: Decimal) -> None:
    assert parse_amount(f"{value:,.2f}") == value
