"""The month-end step of places (registered with :mod:`alusage_ledger.books.monthend`):
``close`` posts every place's shares for the month, idempotently, never ``--replace``."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from alusage_ledger.books.monthend import month_step
from alusage_ledger.core.i18n import _
from alusage_ledger.core.periods import resolve_today
from alusage_ledger.domains.places.calls import PostResult, post_shares
from alusage_ledger.domains.places.place import all_places
from alusage_ledger.domains.places.writes import ZERO

if TYPE_CHECKING:
    from alusage_ledger.books.ledger import Workspace


def post_all_places(
    ws: Workspace, month: str, *, today: date, dry_run: bool = False
) -> list[PostResult]:
    return [
        post_shares(ws, place, month, today=today, dry_run=dry_run)
        for place in all_places(ws.config)
    ]


@month_step("shares")
def post_shares_for_close(
    ws: Workspace, month: str, *, dry_run: bool = False, today: date | None = None
) -> list[str]:
    """Month-end: post every place's shares for ``month`` (idempotent, never --replace);
    ``today`` is the close's (``--today``), by default ``ALUSAGE_TODAY`` or the clock."""
    out = []
    for result in post_all_places(ws, month, today=resolve_today(today), dry_run=dry_run):
        calls = [a for a in result.actions if a.kind == "call"]
        if calls:
            out.append(
                _("{place}: {count} call(s) posted for {month}, {total} in all.").format(
                    place=result.place.id,
                    count=len(calls),
                    month=month,
                    total=f"{sum((a.amount for a in calls), ZERO):f}",
                )
            )
        elif not result.actions:
            out.append(
                _("{place}: the shares of {month} are already posted.").format(
                    place=result.place.id, month=month
                )
            )
    return out
