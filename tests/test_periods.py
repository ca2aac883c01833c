"""--period forms shared by revenue, vat, invoice list and micro urssaf."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alusage_ledger.core.errors import UsageError
from alusage_ledger.core.periods import Exercice, Month, parse_date, parse_period

months = st.builds(Month, st.integers(2, 9997), st.integers(1, 12))
days = st.dates(date(2, 1, 1), date(9998, 12, 31))
starts = st.sampled_from(["01-01", "07-01", "02-29", "04-30", "10-31", "12-31", "03-15"])


@pytest.mark.parametrize(
    ("text", "start", "end", "kind"),
    [
        ("2026", date(2026, 1, 1), date(2027, 1, 1), "year"),
        ("2026-Q4", date(2026, 10, 1), date(2027, 1, 1), "quarter"),
        ("2026-q1", date(2026, 1, 1), date(2026, 4, 1), "quarter"),
        ("2026-11", date(2026, 11, 1), date(2026, 12, 1), "month"),
        ("2026-12", date(2026, 12, 1), date(2027, 1, 1), "month"),
        ("2026-01..2026-03", date(2026, 1, 1), date(2026, 4, 1), "range"),
        ("2026-01-15..2026-02-14", date(2026, 1, 15), date(2026, 2, 15), "range"),
        ("2025..2026-Q1", date(2025, 1, 1), date(2026, 4, 1), "range"),
        ("2026-11-30", date(2026, 11, 30), date(2026, 12, 1), "range"),
    ],
)
def test_forms(text: str, start: date, end: date, kind: str) -> None:
    period = parse_period(text)
    assert (period.start, period.end, period.kind) == (start, end, kind)
    assert start in period and end not in period


@pytest.mark.parametrize(
    "text",
    [
        "",
        "26",
        "2026-13",
        "2026-Q5",
        "2026-02-30",
        "2026-03..2026-01",
        "x..y",
        "2026-01..2026-01..2026-02",
    ],
)
def test_bad_forms_are_usage_errors(text: str) -> None:
    with pytest.raises(UsageError):
        parse_period(text)


def test_months_of_a_period() -> None:
    assert [str(m) for m in parse_period("2026-11..2027-02").months()] == [
        "2026-11",
        "2026-12",
        "2027-01",
        "2027-02",
    ]


def test_dates() -> None:
    assert parse_date("2026-02-28", "date") == date(2026, 2, 28)
    assert parse_date(None, "date", date(2026, 1, 1)) == date(2026, 1, 1)
    for bad in ("2026-2-28", "28/02/2026", "2026-02-29"):
        with pytest.raises(UsageError):
            parse_date(bad, "date")


# --------------------------------------------------------------------------- Month


@given(months)
def test_month_round_trips_through_its_text(month: Month) -> None:
    assert Month.parse(str(month)) == month
    assert Month.from_text(f"{month}") == month
    assert len(str(month)) == 7


@given(months)
def test_next_and_prev_undo_each_other(month: Month) -> None:
    assert month.next().prev() == month
    assert month.prev().next() == month
    assert month.next(13) == month.next().next(12)
    assert month.end == month.next().first_day
    assert month.prev().end == month.first_day


@given(months, months)
def test_order_is_the_order_of_the_text(a: Month, b: Month) -> None:
    assert (a < b) == (str(a) < str(b))
    assert (a == b) == (str(a) == str(b))


@given(months, days)
def test_a_day_is_in_a_month_between_its_first_and_last_day(month: Month, day: date) -> None:
    assert (day in month) == (month.first_day <= day <= month.last_day)
    assert Month.of(day).first_day <= day <= Month.of(day).last_day
    assert day in Month.of(day)


@given(months)
def test_days_and_period(month: Month) -> None:
    assert month.days == (month.end - month.first_day).days
    assert (month.period.start, month.period.end) == (month.first_day, month.end)
    assert month.period.label == str(month)


def test_until() -> None:
    first, last = Month.parse("2026-11"), Month.parse("2027-02")
    assert [str(m) for m in first.until(last)] == ["2026-11", "2026-12", "2027-01", "2027-02"]
    assert list(last.until(first)) == []


@pytest.mark.parametrize(
    "text", ["0000-05", "２０２６-11", "2026-1", "2026-13", "2026-00", "x", ""]
)
def test_bad_months_are_usage_errors(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        Month.parse(text)
    assert str(caught.value) == f"{text!r} is not a month; write it as YYYY-MM, e.g. 2026-11."
    with pytest.raises(ValueError):
        Month.from_text(text)


def test_months_read_from_files_are_exact() -> None:
    assert Month.parse(" 2026-11 ") == Month(2026, 11)
    with pytest.raises(ValueError):
        Month.from_text(" 2026-11")


# --------------------------------------------------------------------------- Exercice


@given(days, starts)
def test_the_exercice_containing_a_day(day: date, start: str) -> None:
    exercice = Exercice.containing(day, start)
    assert day in exercice
    assert exercice.first_day <= day <= exercice.last_day
    assert len(exercice.months()) in (12, 13)
    assert exercice.next().first_day == exercice.end
    assert exercice.next().prev() == exercice
    assert Exercice.of_year(exercice.first_day.year, start) == exercice


@given(days, st.sampled_from(["01-01", "07-01", "02-01"]))
def test_an_exercice_starting_on_the_first_has_twelve_months(day: date, start: str) -> None:
    exercice = Exercice.containing(day, start)
    assert len(exercice.months()) == 12
    assert exercice.first_month.next(11) == exercice.last_month


def test_exercice_starts() -> None:
    calendar = Exercice.containing(date(2026, 6, 15), "01-01")
    assert (calendar.first_day, calendar.last_day) == (date(2026, 1, 1), date(2026, 12, 31))
    assert str(calendar) == "2026"
    july = Exercice.containing(date(2026, 6, 15), "07-01")
    assert (july.first_day, july.last_day) == (date(2025, 7, 1), date(2026, 6, 30))
    assert Exercice.of_year(2026, "07-01").first_day == date(2026, 7, 1)
    # 02-29 in a year without one: the exercice starts on February's last day.
    leap = Exercice.containing(date(2026, 6, 15), "02-29")
    assert (leap.first_day, leap.last_day) == (date(2026, 2, 28), date(2027, 2, 27))
    assert Exercice.containing(date(2028, 2, 28), "02-29").last_day == date(2028, 2, 28)
    assert Exercice.containing(date(2028, 2, 29), "02-29").first_day == date(2028, 2, 29)
    assert Month.parse("2026-06").exercice("07-01") == july
    assert Exercice.containing(date(2026, 12, 31) + timedelta(days=1)) == calendar.next()
