"""Declared days of use of a place: facts of a month, kept in the host's ledger.

A member's days of use in a month (the weights of a ``days`` key) are dated facts, so
they live in the ledger, not in ``alusage.toml``: one ``custom`` directive per
declaration, dated the last day of the month, in that month's file of the host::

    2026-11-30 custom "alusage-usage" "le97" "nicolas-jeudy" 12

A correction is a new directive: the last one in file order wins. Nothing is written
for a declaration that equals the one in force (running an import twice changes
nothing), and nothing can be written once the month is closed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from beancount.core import data
from beancount.parser.grammar import ValueType

from alusage_ledger.books.writer import Append, closed_months
from alusage_ledger.core.errors import (
    IOFailure,
    LedgerErrors,
    LedgerProblem,
    RefusedError,
    UsageError,
)
from alusage_ledger.core.i18n import _
from alusage_ledger.core.money import MoneyError, parse_amount
from alusage_ledger.core.periods import Month

if TYPE_CHECKING:
    from alusage_ledger.books.ledger import Workspace
    from alusage_ledger.books.loader import LoadedLedger
    from alusage_ledger.domains.places.place import Member, Place

USAGE_TYPE = "alusage-usage"
MEMBER_HEADERS = ("member", "membre", "usager", "id")
DAYS_HEADERS = ("days", "jours", "nb-jours", "nombre de jours")


def declared_usage(entries: Iterable[Any], place_id: str) -> dict[tuple[str, Month], Decimal]:
    """``{(member, month): days}`` of a place; the last directive in file order wins."""
    out: dict[tuple[str, Month], Decimal] = {}
    for entry in entries:
        if not (isinstance(entry, data.Custom) and entry.type == USAGE_TYPE):
            continue
        values = [v.value for v in entry.values]
        if len(values) != 3 or values[0] != place_id:
            continue
        member, days = values[1], values[2]
        if isinstance(member, str) and isinstance(days, Decimal):
            out[(member, Month.of(entry.date))] = days
    return out


def usage_of(ledger: LoadedLedger, place_id: str) -> dict[tuple[str, Month], Decimal]:
    return declared_usage(ledger.parsed_entries(), place_id)


def parse_days(text: str, month: Month) -> Decimal:
    """Days of use as typed (``12``, ``12,5``): 0 ≤ days ≤ days in the month."""
    try:
        value = parse_amount(text, decimals=2, allow_negative=False)
    except MoneyError:
        raise UsageError(
            _("{value!r} is not a number of days; write e.g. 12 or 12.5.").format(value=text)
        ) from None
    if value > month.days:
        raise UsageError(
            _("{value} days is more than the {count} days of {month}.").format(
                value=text.strip(), count=month.days, month=month
            )
        )
    return normalize_days(value)


def normalize_days(value: Decimal) -> Decimal:
    """``12.00`` → ``12``, ``12.50`` → ``12.5`` (as written in the directive)."""
    if value == value.to_integral_value():
        return Decimal(int(value))
    return Decimal(f"{value:f}".rstrip("0"))


def usage_directive(place_id: str, member_id: str, month: Month, days: Decimal) -> Any:
    meta = data.new_metadata("<alusage>", 0)
    values = [
        ValueType(place_id, str),
        ValueType(member_id, str),
        ValueType(days, Decimal),
    ]
    return data.Custom(meta, month.last_day, USAGE_TYPE, values)


def check_member_active(place: Place, member: Member, month: Month) -> None:
    if member.active_days(month) == 0:
        raise UsageError(
            _(
                "{member} is not a member of {place} in {month}; check since/until in alusage.toml."
            ).format(member=member.id, place=place.id, month=month)
        )


def check_month_open(ws: Workspace, ledger: LoadedLedger, month: Month, today: date) -> None:
    if month > Month.of(today):
        raise UsageError(
            _(
                "{month} is in the future; days of use are declared once the month has begun."
            ).format(month=month)
        )
    if month in closed_months(ledger.entries):
        raise RefusedError(
            _(
                "{month} is closed for {entity}: its days of use can no longer change "
                "(reopen the month first)."
            ).format(month=month, entity=ledger.entity)
        )


@dataclass(frozen=True)
class UsageWrite:
    written: list[tuple[str, Decimal]]
    unchanged: list[tuple[str, Decimal]]


def record_usage(
    ws: Workspace,
    place: Place,
    month: Month,
    declarations: Sequence[tuple[str, Decimal]],
    *,
    today: date,
) -> UsageWrite:
    """Write the declarations that differ from the ones in force (one write, locked)."""
    with ws.lock():
        ledger = ws.load_checked(place.host)
        check_month_open(ws, ledger, month, today)
        current = usage_of(ledger, place.id)
        latest: dict[str, Decimal] = {}
        for member_id, days in declarations:
            member = place.member(member_id)
            check_member_active(place, member, month)
            latest[member.id] = days
        written, unchanged, entries = [], [], []
        for member_id, days in latest.items():
            if current.get((member_id, month)) == days:
                unchanged.append((member_id, days))
                continue
            written.append((member_id, days))
            entries.append(usage_directive(place.id, member_id, month, days))
        if entries:
            ws.write([Append(place.host, tuple(entries))])
        return UsageWrite(written, unchanged)


def read_usage_csv(path: Path, month: Month, place: Place) -> list[tuple[str, Decimal]]:
    """``member;days`` rows (French or English headers); LedgerErrors (exit 1) by line.

    Every row must name a member of ``place`` active in ``month``.
    """
    shown = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise IOFailure(
            _("Cannot read {file}: {reason}.").format(file=shown, reason=exc.strerror)
        ) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problem = LedgerProblem(
            None, shown, line, _("this file is not UTF-8; save it as UTF-8 (CSV UTF-8).")
        )
        raise LedgerErrors(
            _("{file} is not UTF-8 text; save it as UTF-8 and import it again.").format(file=shown),
            [problem],
        ) from None
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if ";" in first or "," not in first else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    problems: list[LedgerProblem] = []
    out: list[tuple[str, Decimal]] = []
    header = [cell.strip().lower() for cell in rows[0]] if rows else []
    member_col = next((i for i, h in enumerate(header) if h in MEMBER_HEADERS), None)
    days_col = next((i for i, h in enumerate(header) if h in DAYS_HEADERS), None)
    if member_col is None or days_col is None:
        raise LedgerErrors(
            _(
                "{file} needs a header line with a member column and a days column "
                "(member;days or membre;jours)."
            ).format(file=shown),
            [LedgerProblem(None, shown, 1, _("expected the header member;days or membre;jours."))],
        )
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(member_col, days_col):
            problems.append(LedgerProblem(None, shown, number, _("this line has too few columns.")))
            continue
        member_id = row[member_col].strip()
        try:
            days = parse_days(row[days_col], month)
            check_member_active(place, place.member(member_id), month)
        except UsageError as exc:
            problems.append(LedgerProblem(None, shown, number, exc.message))
            continue
        out.append((member_id, days))
    if problems:
        raise LedgerErrors(
            _("{file} has {count} error(s); nothing was imported.").format(
                file=shown, count=len(problems)
            ),
            problems,
        )
    return out
