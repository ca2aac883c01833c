"""A member's statement at the host, and every member's balance.

The statement of a member's account (its receivable sub-account in the host's ledger):
the opening balance, then each call, reversal and payment with the running balance and
the letter that settles it (letters made by the end of the period), then the closing
balance.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from beancount.core import data

from alusage_ledger.core.errors import UsageError
from alusage_ledger.core.i18n import _
from alusage_ledger.domains.lettering import assign
from alusage_ledger.domains.places.compute import GroupAmount
from alusage_ledger.domains.places.place import Member, Place
from alusage_ledger.domains.places.writes import ZERO, units

if TYPE_CHECKING:
    from alusage_ledger.books.ledger import Workspace


@dataclass(frozen=True)
class StatementLine:
    day: date
    kind: str  # call | reversal | payment | other
    number: str
    label: str
    amount: Decimal  # debit positive (the member owes more)
    balance: Decimal
    groups: tuple[GroupAmount, ...]
    letter: str | None


@dataclass(frozen=True)
class Statement:
    place: Place
    member: Member
    host_name: str
    account: str
    start: date | None
    end: date
    opening: Decimal
    lines: tuple[StatementLine, ...]
    closing: Decimal

    @property
    def called(self) -> Decimal:
        return sum((li.amount for li in self.lines if li.kind in ("call", "reversal")), ZERO)

    @property
    def paid(self) -> Decimal:
        return -sum((li.amount for li in self.lines if li.kind == "payment"), ZERO)


def _kind(entry: Any, place: Place) -> str:
    meta = entry.meta or {}
    if meta.get("place") == place.id and "call" in meta:
        return "call"
    if meta.get("place") == place.id and "cancels" in meta:
        return "reversal"
    if (
        any(p.units is not None and p.units.number < 0 for p in entry.postings)
        and meta.get("place") == place.id
    ):
        return "payment"
    return "other"


def member_statement(
    ws: Workspace, place: Place, member: Member, *, start: date | None, end: date
) -> Statement:
    """The member's account at the host: opening balance, calls, payments, closing."""
    if member.entity == place.host:
        raise UsageError(
            _("{member} is the host of {place}: it has no account to state.").format(
                member=member.id, place=place.id
            )
        )
    host = ws.load_checked(place.host)
    account = place.member_account(member)
    # Letters made by the end of the period (a later payment's letter is not shown).
    _open_items, letters = assign(host.entries, account, as_of=end)
    codes = {id(item.entry): letter.code for letter in letters for item in letter.items}
    opening = ZERO
    balance = ZERO
    lines = []
    for entry in host.entries:
        if not isinstance(entry, data.Transaction) or entry.date > end:
            continue
        amount = units(entry, account)
        if amount == 0 and not any(p.account == account for p in entry.postings):
            continue
        if start is not None and entry.date < start:
            opening += amount
            balance += amount
            continue
        balance += amount
        meta = entry.meta or {}
        kind = _kind(entry, place)
        if kind == "payment" and amount > 0:
            kind = "other"
        groups = tuple(
            GroupAmount(str(p.meta["group"]), str(p.meta.get("covers", "")), -p.units.number)
            for p in entry.postings
            if (p.meta or {}).get("group") is not None
        )
        number = str(meta.get("call") or meta.get("cancels") or "")
        letter = codes.get(id(entry))
        lines.append(
            StatementLine(
                entry.date,
                kind,
                number,
                entry.narration or "",
                amount,
                balance,
                groups,
                letter,
            )
        )
    return Statement(
        place,
        member,
        ws.config.entity(place.host).name,
        account,
        start,
        end,
        opening,
        tuple(lines),
        balance,
    )


@dataclass(frozen=True)
class MemberBalance:
    member: Member
    account: str | None
    called: Decimal
    paid: Decimal
    balance: Decimal


def place_balances(ws: Workspace, place: Place, *, as_of: date) -> list[MemberBalance]:
    """What each member owes the host (positive) or is owed (negative) on ``as_of``."""
    out = []
    for member in place.members:
        if member.entity == place.host:
            out.append(MemberBalance(member, None, ZERO, ZERO, ZERO))
            continue
        st = member_statement(ws, place, member, start=None, end=as_of)
        out.append(MemberBalance(member, st.account, st.called, st.paid, st.closing))
    return out
