"""Plausibility of what is about to be booked: dates after today, amounts above a ceiling.

Two mistakes that the ledger accepts and that then do harm (issue 22): a document dated
after today (an invoice dated 2027-06-01 accepted in 2026 blocks every earlier 2027
invoice, since numbers follow dates; a bank line dated 2030 creates ``2030/12.beancount``),
and an absurd amount (a 10²⁶ € invoice, a typo of a few digits). A document is refused
when it is dated after today (:func:`refuse_future`) unless the user says it is a
scheduled one (``--allow-future``); every amount the writer books is compared with the
entity's ceiling, ``max_amount`` in ``alusage.toml`` (:func:`refuse_over_ceiling`,
default 10 000 000 €).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from alusage_ledger.core.errors import UsageError
from alusage_ledger.core.i18n import _
from alusage_ledger.core.periods import resolve_today

#: The default ceiling of one amount (``[entities.<id>] max_amount``).
DEFAULT_MAX_AMOUNT = Decimal("10000000.00")


def future_problem(day: date, today: date | None = None) -> str | None:
    """The sentence for a document dated after today, or None."""
    now = resolve_today(today)
    if day <= now:
        return None
    return _(
        "{day} is after today ({today}); record a document once it exists, or give "
        "--allow-future for a scheduled one."
    ).format(day=day.isoformat(), today=now.isoformat())


def refuse_future(
    day: date | None, what: str, *, allow_future: bool, today: date | None = None
) -> None:
    """A :class:`UsageError` (exit 2) for a document's ``what`` dated after today."""
    if day is None or allow_future:
        return
    problem = future_problem(day, today)
    if problem is not None:
        raise UsageError(_("The {what} {problem}").format(what=what, problem=problem))


def ceiling_problem(amount: Decimal, ceiling: Decimal, entity: str) -> str | None:
    """The sentence for an amount above ``entity``'s ceiling, or None."""
    if abs(amount) <= ceiling:
        return None
    return _(
        "the amount {amount} is above the ceiling of {ceiling} of {entity} (max_amount in "
        "alusage.toml); check the amount, or raise the ceiling."
    ).format(amount=f"{amount:.2f}", ceiling=f"{ceiling:.2f}", entity=entity)


def refuse_over_ceiling(entries: Iterable[Any], ceiling: Decimal, entity: str) -> None:
    """A :class:`UsageError` (exit 2) when a posting of ``entries`` is above the ceiling."""
    for entry in entries:
        for posting in getattr(entry, "postings", None) or ():
            units = posting.units
            number = getattr(units, "number", None)
            if not isinstance(number, Decimal):
                continue
            problem = ceiling_problem(number, ceiling, entity)
            if problem is not None:
                raise UsageError(
                    _("Nothing was written: on {account}, {problem}").format(
                        account=posting.account, problem=problem
                    )
                )
