"""Periods of reports and returns: a year, a quarter, a month or a range of days.

``revenue``, ``vat``, ``invoice list`` and ``micro urssaf`` take ``--period`` in one of
these forms; each becomes a half-open interval of dates ``[start, end)``::

    2026                  the calendar year
    2026-Q4               October to December
    2026-11               November
    2026-01..2026-03      from the first day of January to the end of March
    2026-01-15..2026-02-14  both days included
    2026-11-30            one day

A malformed period is a usage error (exit 2) that says which forms are accepted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from alusage_ledger.core.errors import UsageError
from alusage_ledger.core.i18n import _

_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Period:
    """``[start, end)``; ``kind`` is year, quarter, month or range; ``label`` as written."""

    start: date
    end: date
    kind: str
    label: str

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day < self.end

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def months(self) -> list[str]:
        """Every ``YYYY-MM`` the period touches, in order."""
        out = []
        year, month = self.start.year, self.start.month
        while date(year, month, 1) < self.end:
            out.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return out


def month_start(year: int, month: int) -> date:
    return date(year, month, 1)


def next_month(day: date) -> date:
    return date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)


def year_period(year: int) -> Period:
    return Period(date(year, 1, 1), date(year + 1, 1, 1), "year", f"{year:04d}")


def quarter_period(year: int, quarter: int) -> Period:
    start = date(year, 3 * quarter - 2, 1)
    end = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return Period(start, end, "quarter", f"{year:04d}-Q{quarter}")


def month_period(year: int, month: int) -> Period:
    start = date(year, month, 1)
    return Period(start, next_month(start), "month", f"{year:04d}-{month:02d}")


def _bad(text: str) -> UsageError:
    return UsageError(
        _(
            "The period {text!r} is not valid; write a year (2026), a quarter (2026-Q4), a "
            "month (2026-11) or a range (2026-01..2026-03, 2026-01-15..2026-02-14)."
        ).format(text=text)
    )


def _bound(text: str, *, upper: bool, whole: str) -> date:
    """One end of a range: a day, a month or a year (its first or its last day)."""
    text = text.strip()
    if _DAY.fullmatch(text):
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise _bad(whole) from None
        return day + timedelta(days=1) if upper else day
    try:
        inner = parse_period(text)
    except UsageError:
        raise _bad(whole) from None
    if inner.kind == "range":
        raise _bad(whole)
    return inner.end if upper else inner.start


def parse_period(text: str) -> Period:
    """A period as typed by a user (see the module docstring)."""
    value = text.strip()
    if match := _YEAR.fullmatch(value):
        return year_period(int(match.group(1)))
    if match := _QUARTER.fullmatch(value):
        return quarter_period(int(match.group(1)), int(match.group(2)))
    if match := _MONTH.fullmatch(value):
        return month_period(int(match.group(1)), int(match.group(2)))
    if _DAY.fullmatch(value):
        day = _bound(value, upper=False, whole=text)
        return Period(day, day + timedelta(days=1), "range", value)
    if ".." in value:
        low, _sep, high = value.partition("..")
        start = _bound(low, upper=False, whole=text)
        end = _bound(high, upper=True, whole=text)
        if end <= start:
            raise UsageError(_("The period {text!r} ends before it starts.").format(text=text))
        return Period(start, end, "range", value)
    raise _bad(text)


def period_of_month(month: str) -> Period:
    """``YYYY-MM`` (already validated) as a month period."""
    year, mon = month.split("-")
    return month_period(int(year), int(mon))


def parse_date(text: str | None, what: str, default: date | None = None) -> date:
    """A day given as ``YYYY-MM-DD`` (``today`` accepted); a usage error otherwise."""
    if text is None or not text.strip():
        if default is None:
            raise UsageError(_("The {what} is missing.").format(what=what))
        return default
    value = text.strip()
    if value.lower() in ("today", "aujourd'hui"):
        from alusage_ledger.domains.closing.close import resolve_today

        return resolve_today()
    try:
        if not _DAY.fullmatch(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(
            _("The {what} {value!r} is not a date; write YYYY-MM-DD, e.g. 2026-11-30.").format(
                what=what, value=text
            )
        ) from None
