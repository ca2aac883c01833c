"""--period forms shared by revenue, vat, invoice list and micro urssaf."""

from __future__ import annotations

from datetime import date

import pytest

from alusage_ledger.core.errors import UsageError
from alusage_ledger.core.periods import parse_date, parse_period


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
    assert parse_period("2026-11..2027-02").months() == ["2026-11", "2026-12", "2027-01", "2027-02"]


def test_dates() -> None:
    assert parse_date("2026-02-28", "date") == date(2026, 2, 28)
    assert parse_date(None, "date", date(2026, 1, 1)) == date(2026, 1, 1)
    for bad in ("2026-2-28", "28/02/2026", "2026-02-29"):
        with pytest.raises(UsageError):
            parse_date(bad, "date")
