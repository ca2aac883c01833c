"""The register of members: the capital movements read from the ledger, each member's shares.

The register is the ledger itself: every movement is an entry carrying ``capital-op``,
``member`` (an id), ``shares``, ``unit``... or, for a movement already in the books, a
``custom "alusage-capital" "<op>" "<member>"`` record with the same metadata
(:mod:`alusage_ledger.domains.year.capital_movements`); :func:`build_register` computes the register
from them, with the figures of the capital accounts it must tie to (1013, 1011, 4567).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from alusage_ledger.books.accounts import account_info
from alusage_ledger.core.errors import UsageError
from alusage_ledger.core.i18n import _
from alusage_ledger.domains.year.balances import CENT, ZERO, balances_of, total

if TYPE_CHECKING:
    from alusage_ledger.books.config import Config
    from alusage_ledger.books.ledger import Workspace


OPS = ("subscribe", "pay", "withdraw", "refund")
RECORD_TYPE = "alusage-capital"
OP_KEY = "capital-op"


@dataclass(frozen=True)
class Movement:
    """One movement of a member's capital, from an entry or a register record."""

    op: str
    member: str
    day: date  # the movement's own date (piece-date, else the entry's date)
    booked_on: date
    shares: Decimal
    amount: Decimal  # subscribe/withdraw: value of the shares; pay/refund: money
    paid: Decimal  # subscribe: paid at once; withdraw: the paid part, now due to the member
    unit: Decimal | None
    category: str | None
    name: str | None
    record: bool
    entry: Any


def _decimal(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value).strip().replace(",", "."))
    except (ArithmeticError, ValueError):
        return ZERO


def _text(value: Any) -> str | None:
    return str(value) if isinstance(value, str) and value else None


def movement_of(entry: Any) -> Movement | None:
    """The capital movement an entry or a ``custom "alusage-capital"`` records, if any."""
    kind = type(entry).__name__
    meta = entry.meta or {}
    if kind == "Transaction" and meta.get(OP_KEY) in OPS:
        op, member, record = str(meta[OP_KEY]), str(meta.get("member") or ""), False
    elif kind == "Custom" and entry.type == RECORD_TYPE and len(entry.values) >= 2:
        op, member, record = str(entry.values[0].value), str(entry.values[1].value), True
        if op not in OPS:
            return None
    else:
        return None
    piece_date = meta.get("piece-date")
    day = piece_date if isinstance(piece_date, date) else entry.date
    shares = _decimal(meta.get("shares", ZERO))
    unit = _decimal(meta["unit"]) if "unit" in meta else None
    amount = _decimal(meta.get("amount", ZERO))
    if op == "subscribe" and unit is not None:
        amount = (shares * unit).quantize(CENT)
    return Movement(
        op,
        member,
        day,
        entry.date,
        shares,
        amount.quantize(CENT),
        _decimal(meta.get("paid", ZERO)).quantize(CENT),
        unit,
        _text(meta.get("category")),
        _text(meta.get("member-name")),
        record,
        entry,
    )


def movements(entries: Iterable[Any]) -> list[Movement]:
    """Every capital movement, in the order of their dates."""
    found = [m for m in (movement_of(e) for e in entries) if m is not None]
    return sorted(found, key=lambda m: (m.day, m.booked_on))


@dataclass
class Member:
    """A member's line in the register."""

    id: str
    name: str
    category: str = ""
    shares: Decimal = ZERO
    subscribed: Decimal = ZERO
    paid: Decimal = ZERO
    refund_due: Decimal = ZERO
    refunded: Decimal = ZERO
    since: date | None = None
    last: date | None = None
    left_on: date | None = None
    unit: Decimal | None = None

    @property
    def uncalled(self) -> Decimal:
        return self.subscribed - self.paid

    @property
    def status(self) -> str:
        return "withdrawn" if self.left_on is not None else "member"


@dataclass
class Register:
    entity: str
    as_of: date | None
    members: list[Member]
    moves: list[Movement]
    books_paid: Decimal = ZERO
    books_uncalled: Decimal = ZERO
    books_refund_due: Decimal = ZERO
    problems: list[tuple[Movement, str]] = field(default_factory=list)

    def totals(self) -> dict[str, Decimal]:
        return {
            "shares": sum((m.shares for m in self.members), Decimal(0)),
            "subscribed": sum((m.subscribed for m in self.members), ZERO),
            "paid": sum((m.paid for m in self.members), ZERO),
            "uncalled": sum((m.uncalled for m in self.members), ZERO),
            "refund_due": sum((m.refund_due for m in self.members), ZERO),
        }

    def ties(self) -> list[tuple[str, Decimal, Decimal]]:
        """(what, register, books) for each figure that does not tie."""
        sums = self.totals()
        out = []
        for key, books in (
            ("paid", self.books_paid),
            ("uncalled", self.books_uncalled),
            ("refund_due", self.books_refund_due),
        ):
            if sums[key] != books:
                out.append((key, sums[key], books))
        return out


def build_register(
    entity: str,
    ledger_entries: Sequence[Any],
    names: dict[str, str] | None = None,
    as_of: date | None = None,
) -> Register:
    """The register at the end of ``as_of`` (or of the books), with the books' figures."""
    members: dict[str, Member] = {}
    moves = [m for m in movements(ledger_entries) if as_of is None or m.day <= as_of]
    problems: list[tuple[Movement, str]] = []
    for move in moves:
        member = members.get(move.member)
        if member is None:
            default = (names or {}).get(move.member, move.member)
            member = members[move.member] = Member(move.member, move.name or default)
        if move.name:
            member.name = move.name
        if move.category:
            member.category = move.category
        member.last = move.day
        if move.op == "subscribe":
            member.shares += move.shares
            member.subscribed += move.amount
            member.paid += move.paid
            member.since = member.since or move.day
            member.unit = move.unit or member.unit
            member.left_on = None
        elif move.op == "pay":
            if move.amount > member.uncalled:
                problems.append((move, "pay"))
            member.paid += move.amount
        elif move.op == "withdraw":
            if move.shares > member.shares:
                problems.append((move, "withdraw"))
            member.shares -= move.shares
            member.subscribed -= move.amount
            member.paid -= move.paid
            member.refund_due += move.paid
            if member.shares <= 0:
                member.left_on = move.day
        elif move.op == "refund":
            if move.amount > member.refund_due:
                problems.append((move, "refund"))
            member.refund_due -= move.amount
            member.refunded += move.amount
    info = account_info(ledger_entries)
    # balances() of the entries up to as_of, for the accounts read below only
    booked = balances_of(
        (e for e in ledger_entries if as_of is None or getattr(e, "date", as_of) <= as_of),
        {a for a, (pcg, _l) in info.items() if pcg.startswith(("1013", "1011", "4567"))},
    )

    def books(*prefixes: str) -> Decimal:
        return total(booked, [a for a, (pcg, _l) in info.items() if pcg.startswith(prefixes)])

    register = Register(
        entity,
        as_of,
        sorted(members.values(), key=lambda m: (m.since or date.min, m.id)),
        moves,
        -books("1013"),
        -books("1011"),
        -books("4567"),
        problems,
    )
    return register


def member_names(config: Config) -> dict[str, str]:
    """Names the configuration knows: entities, and the members of places."""
    names = {key: entity.name for key, entity in config.entities.items()}
    for place in config.places.values():
        for member in place.members:
            name = getattr(member, "name", None)
            if isinstance(name, str) and name:
                names.setdefault(member.id, name)
    return names


def capital_entity(config: Config, entity: str | None) -> str:
    """The entity named, or the workspace's only cooperative (``scic``)."""
    if entity is not None:
        cfg = config.entity(entity)
        if cfg.kind == "micro":
            raise UsageError(
                _("{entity} is a micro-entrepreneur: it has no members' capital.").format(
                    entity=entity
                )
            )
        return entity
    scics = [name for name, cfg in config.entities.items() if cfg.kind == "scic"]
    if len(scics) != 1:
        raise UsageError(_("Name the cooperative with --entity (e.g. --entity myceliandre)."))
    return scics[0]


def register_of(ws: Workspace, entity: str, as_of: date | None = None) -> Register:
    ledger = ws.load_checked(entity)
    return build_register(entity, ledger.entries, member_names(ws.config), as_of)
