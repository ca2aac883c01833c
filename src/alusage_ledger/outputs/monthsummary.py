"""What a month-end did, in a few lines: entities closed, shares called, redistribution, VAT.

Used by ``demo`` to end with a summary a newcomer can read (issue 23). The figures are
recomputed from the ledgers after the close (the same functions as ``shares``,
``redistribute`` and ``vat``), not parsed from the close's messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from alusage_ledger.core.errors import AlusageError
from alusage_ledger.core.periods import Month, parse_period
from alusage_ledger.domains.commons.dues import compute_month
from alusage_ledger.domains.places import all_places, compute_shares
from alusage_ledger.domains.sales.returns import LedgerVat, compute_return

if TYPE_CHECKING:
    from alusage_ledger.books.ledger import Workspace


@dataclass
class MonthSummary:
    month: Month
    closed: list[str] = field(default_factory=list)
    not_closed: list[str] = field(default_factory=list)
    shares: list[tuple[str, Decimal]] = field(default_factory=list)  # place, total called
    redistribution: list[tuple[str, Decimal]] = field(default_factory=list)  # policy, due
    vat: list[tuple[str, str, Decimal, Decimal]] = field(
        default_factory=list
    )  # entity, form, due, credit


def month_summary(
    ws: Workspace, month: Month, closed: list[str], not_closed: list[str]
) -> MonthSummary:
    """The summary of ``month``'s close (``closed``/``not_closed``: entity ids)."""
    summary = MonthSummary(month, list(closed), list(not_closed))
    for place in all_places(ws.config):
        try:
            allocation = compute_shares(ws, place, month, today=month.last_day)
        except AlusageError:
            continue  # a place without its month's usage: nothing was called
        summary.shares.append((place.id, allocation.total))
    ledgers = {entity: ws.load(entity) for entity in ws.config.entities}
    for due in compute_month(ws.config, month, ledgers):
        summary.redistribution.append((due.policy.id, due.due))
    period = parse_period(str(month))
    for entity in ws.config.entities:
        try:
            result = compute_return(ws.config, LedgerVat(ws.config, ledgers[entity]), period)
        except AlusageError:
            continue  # a regime whose return is not monthly
        if result.form in ("CA3", "CA12") and not result.empty:
            summary.vat.append((entity, result.form, result.due, result.credit))
    return summary
