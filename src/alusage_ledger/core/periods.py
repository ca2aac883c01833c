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

A month (:class:`Month`) and an exercice (:class:`Exercice`, the fiscal year of an entity)
are value types: parsed once at the edge (``Month.parse("2026-11")``), then passed as
such, with their arithmetic on them (``month.first_day``, ``month.next()``,
``month.exercice("01-01")``). ``str(month)`` is the ``YYYY-MM`` form written in files.

"Today" has one source, :func:`resolve_today`: ``--today``, then ``ALUSAGE_TODAY``, then
the clock.
"""

from __future__ import annotations

import calendar
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from alusage_ledger.core.errors import UsageError
from alusage_ledger.core.i18n import _

_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_MONTH = re.compile(r"^([0-9]{4})-(0[1-9]|1[0-2])$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True, order=True, slots=True)
class Month:
    """A calendar month, e.g. ``Month(2026, 11)``; ``str()`` gives ``2026-11``."""

    year: int
    number: int

    def __post_init__(self) -> None:
        if not 1 <= self.number <= 12 or not 1 <= self.year <= 9999:
            raise ValueError(f"not a month: {self.year}-{self.number}")

    @classmethod
    def parse(cls, text: str) -> Month:
        """``"2026-11"`` as typed by a user, or a usage error (exit 2) saying what to write."""
        match = _MONTH.fullmatch(text.strip())
        if match is None or match.group(1) == "0000":
            raise UsageError(
                _("{value!r} is not a month; write it as YYYY-MM, e.g. 2026-11.").format(value=text)
            )
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def from_text(cls, text: str) -> Month:
        """A month read from a file (metadata, a custom directive, the configuration), exactly
        ``YYYY-MM`` (no space around it): a bad value is the data's fault rather than the
        user's, a ``ValueError`` that the reader turns into its own problem."""
        match = _MONTH.fullmatch(text)
        if match is None or match.group(1) == "0000":
            raise ValueError(f"not a month: {text!r}")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: date) -> Month:
        """The month a day falls in."""
        return cls(day.year, day.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.number:02d}"

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __repr__(self) -> str:
        return f"Month({str(self)!r})"

    @property
    def first_day(self) -> date:
        return date(self.year, self.number, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, self.number, calendar.monthrange(self.year, self.number)[1])

    @property
    def end(self) -> date:
        """The first day of the next month (the month is ``[first_day, end)``)."""
        return self.next().first_day

    @property
    def days(self) -> int:
        """How many days the month has."""
        return calendar.monthrange(self.year, self.number)[1]

    def next(self, count: int = 1) -> Month:
        """The month ``count`` months later (earlier when negative)."""
        index = self.year * 12 + self.number - 1 + count
        return Month(index // 12, index % 12 + 1)

    def prev(self, count: int = 1) -> Month:
        return self.next(-count)

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and (day.year, day.month) == (self.year, self.number)

    def until(self, last: Month) -> Iterator[Month]:
        """This month, then each following one up to ``last`` included."""
        month = self
        while month <= last:
            yield month
            month = month.next()

    @property
    def period(self) -> Period:
        return Period(self.first_day, self.end, "month", str(self))

    def exercice(self, start: str = "01-01") -> Exercice:
        """The exercice that contains this month's first day (``start`` as ``MM-DD``)."""
        return Exercice.containing(self.first_day, start)


@dataclass(frozen=True, order=True, slots=True)
class Exercice:
    """A fiscal year ``[first_day, last_day]``; most start on January 1st (``"01-01"``)."""

    first_day: date
    last_day: date
    start: str = field(default="01-01", compare=False)

    @classmethod
    def containing(cls, day: date, start: str = "01-01") -> Exercice:
        """The exercice that contains ``day``, for an entity whose exercice starts on
        ``start`` (``MM-DD``). A start on the 29th–31st of a shorter month starts on that
        month's last day."""
        start_month, start_day = (int(part) for part in start.split("-"))

        def start_in(year: int) -> date:
            last = Month(year, start_month).last_day
            return date(year, start_month, min(start_day, last.day))

        first = start_in(day.year)
        if day < first:
            first = start_in(day.year - 1)
        return cls(first, start_in(first.year + 1) - timedelta(days=1), start)

    @classmethod
    def of_year(cls, year: int, start: str = "01-01") -> Exercice:
        """The exercice that starts in ``year``."""
        start_month, _day = (int(part) for part in start.split("-"))
        return cls.containing(Month(year, start_month).last_day, start)

    @classmethod
    def ending_in(cls, year: int, start: str = "01-01") -> Exercice:
        """The exercice that ends in ``year`` (``--exercice 2026``, "l'exercice clos en
        2026"): January to December with ``"01-01"``, 2025-07-01 to 2026-06-30 with
        ``"07-01"``."""
        exercice = cls.of_year(year, start)
        return exercice if exercice.last_day.year == year else exercice.prev()

    def __str__(self) -> str:
        """The year it starts in, as exercices are usually named (``2026``)."""
        return f"{self.first_day.year:04d}"

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.first_day <= day <= self.last_day

    @property
    def end(self) -> date:
        return self.last_day + timedelta(days=1)

    @property
    def first_month(self) -> Month:
        return Month.of(self.first_day)

    @property
    def last_month(self) -> Month:
        return Month.of(self.last_day)

    def months(self) -> list[Month]:
        return list(self.first_month.until(self.last_month))

    def next(self) -> Exercice:
        return Exercice.containing(self.end, self.start)

    def prev(self) -> Exercice:
        return Exercice.containing(self.first_day - timedelta(days=1), self.start)


def resolve_today(value: str | date | None = None) -> date:
    """``--today``, then ``ALUSAGE_TODAY`` (reproducible runs and tests), else the clock."""
    if isinstance(value, date):
        return value
    text = value or os.environ.get("ALUSAGE_TODAY")
    if not text:
        return date.today()
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(
            _("{value!r} is not a date; write it as YYYY-MM-DD.").format(value=text)
        ) from None


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

    def months(self) -> list[Month]:
        """Every month the period touches, in order."""
        return list(Month.of(self.start).until(Month.of(self.last_day)))


def year_period(year: int) -> Period:
    return Period(date(year, 1, 1), date(year + 1, 1, 1), "year", f"{year:04d}")


def quarter_period(year: int, quarter: int) -> Period:
    start = date(year, 3 * quarter - 2, 1)
    end = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return Period(start, end, "quarter", f"{year:04d}-Q{quarter}")


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
        if match.group(1) == "0000":
            raise _bad(text)
        return Month(int(match.group(1)), int(match.group(2))).period
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


def parse_date(text: str | None, what: str, default: date | None = None) -> date:
    """A day given as ``YYYY-MM-DD`` (``today`` accepted); a usage error otherwise."""
    if text is None or not text.strip():
        if default is None:
            raise UsageError(_("The {what} is missing.").format(what=what))
        return default
    value = text.strip()
    if value.lower() in ("today", "aujourd'hui"):
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
