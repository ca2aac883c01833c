"""Computing a month's shares of a place from the host's ledger.

The host's charge postings (accounts of the place's charge groups, in EUR, with an
optional ``period`` covering months) and the declared days of use (:mod:`usage`) feed
:func:`~alusage_ledger.domains.places.allocation.allocate_in_year`, which says who pays
what (the year's earlier months counted for the tie-break of the cents).
Shares are computed for months that have begun.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from beancount.core import data

from alusage_ledger.books.entries import CURRENCY
from alusage_ledger.core.errors import LedgerErrors, LedgerProblem, UsageError
from alusage_ledger.core.i18n import _
from alusage_ledger.core.periods import Month
from alusage_ledger.domains.places.allocation import (
    Allocation,
    ChargeLine,
    GroupSpec,
    allocate_in_year,
    format_months,
    parse_period,
)
from alusage_ledger.domains.places.usage import usage_of
from alusage_ledger.domains.places.writes import ZERO

if TYPE_CHECKING:
    from alusage_ledger.books.ledger import Workspace
    from alusage_ledger.books.loader import LoadedLedger
    from alusage_ledger.domains.places.place import Place


# --------------------------------------------------------------------------- today


def today() -> date:
    """Today, or ``ALUSAGE_TODAY`` (``YYYY-MM-DD``) for reproducible runs and tests."""
    raw = os.environ.get("ALUSAGE_TODAY")
    if not raw:
        return date.today()
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise UsageError(
            _("ALUSAGE_TODAY must be a date YYYY-MM-DD (got {value!r}).").format(value=raw)
        ) from None


def current_month(today: date) -> Month:
    return Month.of(today)


def check_not_future(month: Month, today: date) -> None:
    if month > current_month(today):
        raise UsageError(
            _(
                "{month} is in the future (today is {today}); shares are computed for "
                "months that have begun."
            ).format(month=month, today=today.isoformat())
        )


# --------------------------------------------------------------------------- charges


def group_specs(place: Place) -> list[GroupSpec]:
    specs = []
    for group in place.config.charges:
        key: str | tuple[tuple[str, Decimal], ...]
        key = group.key if isinstance(group.key, str) else tuple(group.key.items())
        specs.append(GroupSpec(group.name, key, group.rest_key))
    return specs


def _source(entry: Any) -> str:
    meta = entry.meta or {}
    ref = meta.get("piece-ref") or meta.get("invoice")
    text = str(ref) if ref else (entry.narration or entry.payee or "")
    return text[:60]


def _problem(ledger: LoadedLedger, entry: Any, message: str) -> LedgerProblem:
    meta = entry.meta or {}
    filename, line = meta.get("filename"), meta.get("lineno")
    rel = None
    if filename and not str(filename).startswith("<"):
        try:
            rel = Path(filename).resolve().relative_to(ledger.root).as_posix()
        except ValueError:
            rel = str(filename)
    return LedgerProblem(ledger.entity, rel, line, message)


def charge_problems(place: Place, ledger: LoadedLedger) -> list[LedgerProblem]:
    """Charge postings whose ``period`` or currency cannot be read."""
    _lines, problems = _charge_lines(place, ledger)
    return problems


def charge_lines(place: Place, ledger: LoadedLedger) -> list[ChargeLine]:
    """Every charge of the place in the host's ledger (LedgerErrors on a bad ``period``)."""
    lines, problems = _charge_lines(place, ledger)
    if problems:
        raise LedgerErrors(
            _("The charges of {place} cannot be read; fix the entries listed.").format(
                place=place.id
            ),
            problems,
        )
    return lines


def _charge_lines(
    place: Place, ledger: LoadedLedger
) -> tuple[list[ChargeLine], list[LedgerProblem]]:
    lines: list[ChargeLine] = []
    problems: list[LedgerProblem] = []
    groups: dict[str, Any] = {}  # place.group_of, once per account
    for entry in ledger.entries:
        if not isinstance(entry, data.Transaction) or entry.flag != "*":
            continue
        if "gen-id" in (entry.meta or {}):
            continue
        for posting in entry.postings:
            if posting.account not in groups:
                groups[posting.account] = place.group_of(posting.account)
            group = groups[posting.account]
            if group is None or posting.units is None:
                continue
            if posting.units.currency != CURRENCY:
                problems.append(
                    _problem(
                        ledger,
                        entry,
                        _("{account}: le 97's charges must be in EUR, not {currency}.").format(
                            account=posting.account, currency=posting.units.currency
                        ),
                    )
                )
                continue
            raw = (posting.meta or {}).get("period") or (entry.meta or {}).get("period")
            months: tuple[Month, ...] = (Month.of(entry.date),)
            if raw is not None:
                try:
                    months = parse_period(str(raw))
                except ValueError:
                    problems.append(
                        _problem(
                            ledger,
                            entry,
                            _(
                                "period {value!r} is not a month or a range of months "
                                '(write "2026-11" or "2026-09..2026-11").'
                            ).format(value=str(raw)),
                        )
                    )
                    continue
            lines.append(
                ChargeLine(group.name, posting.units.number, entry.date, months, _source(entry))
            )
    return lines, problems


# --------------------------------------------------------------------------- shares


def compute_shares(
    ws: Workspace,
    place: Place,
    month: Month,
    *,
    today: date,
    assume_zero: bool = False,
    ledger: LoadedLedger | None = None,
) -> Allocation:
    """Month ``month``'s shares of ``place`` from the host's ledger."""
    check_not_future(month, today)
    host = ledger or ws.load_checked(place.host)
    return allocate_in_year(
        month,
        group_specs(place),
        charge_lines(place, host),
        [m.spec() for m in place.members],
        usage_of(host, place.id),
        assume_zero=assume_zero,
        fair_since=(
            Month.parse(place.config.fair_cents_since) if place.config.fair_cents_since else None
        ),
    )


@dataclass(frozen=True)
class GroupAmount:
    group: str
    covers: str
    amount: Decimal


def member_groups(allocation: Allocation, member_id: str) -> list[GroupAmount]:
    """The member's non-zero share of each group, with the months it covers."""
    out = []
    for group in allocation.groups:
        amount = group.shares.get(member_id, ZERO)
        if amount == 0:
            continue
        covered = [s.covered for s in group.splits if s.shares.get(member_id, ZERO) != 0]
        out.append(GroupAmount(group.name, format_months(covered), amount))
    return out
