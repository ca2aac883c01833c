"""What a purchases command is typed: amounts, dates, names, periods.

Each parser gives one clear sentence (exit 2) for a wrong value. ``amount_arg``,
``date_arg`` and ``period_range`` also serve other command groups (year, capital,
redistribute, letter).
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from decimal import Decimal

from alusage_ledger.books.text import check_text
from alusage_ledger.core.errors import UsageError
from alusage_ledger.core.i18n import _
from alusage_ledger.core.money import MoneyError, parse_amount
from alusage_ledger.core.periods import resolve_today

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def amount_arg(text: str, what: str, *, allow_zero: bool = False) -> Decimal:
    """A positive amount typed by the user; one clear sentence (exit 2) otherwise."""
    try:
        return parse_amount(text, allow_negative=False, allow_zero=allow_zero)
    except MoneyError as exc:
        if exc.reason == "too-many-decimals":
            message = _("The {what} {value!r} has more than 2 decimals.")
        elif exc.reason == "negative":
            message = _("The {what} {value!r} must not be negative.")
        elif exc.reason == "zero":
            message = _("The {what} {value!r} must not be zero.")
        else:
            message = _("The {what} {value!r} is not an amount (e.g. 1200.00 or 1 200,00).")
        raise UsageError(message.format(what=what, value=text)) from None


def date_arg(text: str | None, what: str, default: date | None = None) -> date:
    """An ISO date typed by the user (``2026-11-30``); today when omitted (``ALUSAGE_TODAY``
    or the clock, :func:`~alusage_ledger.domains.closing.close.resolve_today`)."""
    if text is None or text == "":
        return default or resolve_today()
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(
            _("The {what} {value!r} is not a date; write it as YYYY-MM-DD.").format(
                what=what, value=text
            )
        ) from None


def check_name(value: str, what: str) -> str:
    """A third party's name as typed: trimmed, safe to write, with a letter or digit."""
    name = value.strip()
    check_text(name, what)
    if not any(ch.isalnum() for ch in name):
        raise UsageError(
            _("The {what} {value!r} needs at least one letter or digit.").format(
                what=what, value=value
            )
        )
    return name


def check_period(value: str | None) -> str | None:
    """The months a charge covers: ``2026-11`` or ``2026-09..2026-11``."""
    if value is None:
        return None
    parts = value.strip().split("..")
    if len(parts) > 2 or not all(_MONTH.fullmatch(p) for p in parts) or parts[0] > parts[-1]:
        raise UsageError(
            _("The period {value!r} must be a month YYYY-MM or a range YYYY-MM..YYYY-MM.").format(
                value=value
            )
        )
    return value.strip()


def period_range(text: str) -> tuple[date, date]:
    """A reporting period: ``2026``, ``2026-11``, ``2026-Q4`` or ``FROM..TO`` (months/days)."""

    def bounds(piece: str) -> tuple[date, date] | None:
        piece = piece.strip()
        if re.fullmatch(r"\d{4}", piece):
            return date(int(piece), 1, 1), date(int(piece), 12, 31)
        quarter = re.fullmatch(r"(\d{4})-[Qq]([1-4])", piece)
        if quarter:
            year, q = int(quarter.group(1)), int(quarter.group(2))
            last = 3 * q
            return date(year, last - 2, 1), date(year, last, calendar.monthrange(year, last)[1])
        if _MONTH.fullmatch(piece):
            year, month = int(piece[:4]), int(piece[5:])
            return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
        try:
            day = date.fromisoformat(piece)
        except ValueError:
            return None
        return day, day

    parts = text.split("..")
    found = [bounds(p) for p in parts] if len(parts) <= 2 else [None]
    if any(b is None for b in found) or found[0][0] > found[-1][1]:  # type: ignore[index]
        raise UsageError(
            _(
                "The period {value!r} must be a year (2026), a month (2026-11), a quarter "
                "(2026-Q4) or a range FROM..TO."
            ).format(value=text)
        )
    return found[0][0], found[-1][1]  # type: ignore[index]
