"""What places contribute to month-end closing (registered with
:mod:`alusage_ledger.books.monthend`):

- the step: ``close`` posts every place's shares for the month, idempotently, never
  ``--replace``;
- the pre-close check: a month cannot be closed while an active member of a place has not
  declared its days of use, when one of the place's keys needs them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from alusage_ledger.books.monthend import month_check, month_step
from alusage_ledger.core.errors import LedgerProblem
from alusage_ledger.core.i18n import _
from alusage_ledger.core.periods import Month, resolve_today
from alusage_ledger.domains.places.calls import PostResult, post_shares
from alusage_ledger.domains.places.place import all_places
from alusage_ledger.domains.places.usage import usage_of
from alusage_ledger.domains.places.writes import ZERO

if TYPE_CHECKING:
    from alusage_ledger.books.ledger import Workspace


def post_all_places(
    ws: Workspace, month: Month, *, today: date, dry_run: bool = False
) -> list[PostResult]:
    return [
        post_shares(ws, place, month, today=today, dry_run=dry_run)
        for place in all_places(ws.config)
    ]


@month_step("shares")
def post_shares_for_close(
    ws: Workspace, month: Month, *, dry_run: bool = False, today: date | None = None
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


def needs_days(group: Any) -> bool:
    """A charge group whose key (or mix, or rest after fixed amounts) uses declared days."""
    key = group.key
    if isinstance(key, str):
        return key == "days" or (key == "fixed" and group.rest_key == "days")
    return "days" in key


@month_check("usage")
def missing_usage(ws: Workspace, month: Month, entities: Sequence[str]) -> list[LedgerProblem]:
    """Active members of a place without declared days, when one of its keys needs them."""
    problems = []
    for place in all_places(ws.config):
        if not any(needs_days(group) for group in place.config.charges):
            continue
        concerned = place.host in entities or any(m.entity in entities for m in place.members)
        if not concerned:
            continue
        declared = usage_of(ws.load_checked(place.host), place.id)
        for member in place.active_members(month):
            if (member.id, month) not in declared:
                problems.append(
                    LedgerProblem(
                        place.host,
                        None,
                        None,
                        _(
                            "{member} has no usage declaration for {month} at {place}, whose "
                            "charges are shared by days of use; record it with 'alusage-ledger "
                            "usage set {place} {member} --month {month} --days N'."
                        ).format(member=member.id, month=month, place=place.id),
                    )
                )
    return problems
