"""Locale formatting of amounts and dates for humans; machine formats for JSON and CSV.

``fr``: ``1 234,56 €`` (Babel, with the narrow no-break space French typography uses);
JSON/CSV: ``"1234.56"``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import cache

from alusage_ledger.core.i18n import babel_locale


@cache
def _babel() -> object:
    # lazy: modules imported at --help time import this one; Babel loads on the first amount
    from babel import numbers

    return numbers


def money(value: Decimal, currency: str = "EUR") -> str:
    """A human amount in the user's language, e.g. ``1 234,56 €``."""
    numbers = _babel()
    return str(numbers.format_currency(value, currency, locale=babel_locale()))  # type: ignore[attr-defined]


def number(value: Decimal) -> str:
    numbers = _babel()
    return str(numbers.format_decimal(value, format="#,##0.00", locale=babel_locale()))  # type: ignore[attr-defined]


def decimal_symbol() -> str:
    """The decimal separator of the user's language: ``,`` in French, ``.`` in English."""
    numbers = _babel()
    return str(numbers.get_decimal_symbol(locale=babel_locale()))  # type: ignore[attr-defined]


def machine(value: Decimal) -> str:
    """``1234.50``: two decimals, no separators (JSON, CSV)."""
    return f"{value.quantize(Decimal('0.01')):f}"


def day(value: date) -> str:
    return value.isoformat()
