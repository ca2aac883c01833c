"""Month and exercice closes, as the ledger records them: they give the FEC's ``ValidDate``
and say whether the FEC is final or provisional."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from beancount.core import data

from alusage_ledger.core.periods import Month


def meta_date(value: Any) -> date | None:
    """A metadata value as a date (a date, or a string ``YYYY-MM-DD``), else None."""
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def close_dates(entries: Iterable[Any]) -> dict[Month, date]:
    """``{Month(2026, 11): closed-on}`` from the ``custom "alusage-close"`` directives.

    ``closed-on`` is the day the month was closed (the FEC's ``ValidDate``); a close
    without it counts from the directive's own date (the first day of the next month).
    """

    closes: dict[Month, date] = {}
    for entry in entries:
        if isinstance(entry, data.Custom) and entry.type == "alusage-close" and entry.values:
            try:
                month = Month.from_text(str(entry.values[0].value))
            except ValueError:
                continue  # a malformed close closes nothing (``check`` reports it)
            closed_on = meta_date((entry.meta or {}).get("closed-on")) or entry.date
            closes[month] = closed_on
    return closes


def exercice_closed_on(entries: Iterable[Any], year: int) -> date | None:
    """The ``closed-on`` of the ``custom "alusage-close-exercice"`` of exercice ``year``.

    The directive's first value names the exercice (a year, or a date in its closing
    year); without one, the exercice is the one that ended the day before the directive.
    """

    found = None
    for entry in entries:
        if not isinstance(entry, data.Custom) or entry.type != "alusage-close-exercice":
            continue
        value = entry.values[0].value if entry.values else None
        if isinstance(value, date):
            named = value.year
        elif value is not None and str(value)[:4].isdigit():
            named = int(str(value)[:4])
        else:
            named = (entry.date - timedelta(days=1)).year
        if named == year:
            found = meta_date((entry.meta or {}).get("closed-on")) or entry.date
    return found
