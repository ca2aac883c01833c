"""Members' capital of a cooperative: subscriptions, payments, withdrawals, refunds, register.

A SCIC has a variable capital (loi 1947 art. 19 quinquies, Code de commerce L231-1): members
subscribe shares by a dated *bulletin de souscription*, pay at least a quarter at once and
the rest within five years, may withdraw, and are refunded later; the capital may never fall
below a quarter of the highest capital ever reached (art. 13). The register of members is
the ledger itself: every movement is an entry carrying ``capital-op``, ``member`` (an id),
``shares``, ``unit``... and the register is computed from them::

    2026-02-14 * "Membre A" "Souscription de 2 parts sociales (50,00 € la part)" ^capital-membre-a
      capital-op: "subscribe"
      member: "membre-a"
      member-name: "Membre A"
      category: "usagers"
      shares: 2
      unit: 50.00
      paid: 100.00
      Actif:Banque:Nef                     100.00 EUR
      Capitaux:Capital:PartsSociales      -100.00 EUR

Accounts (PCG): a subscription credits 1011 *capital souscrit non appelé* against 109
*actionnaires, capital souscrit non appelé*; a payment moves the paid part from 1011 to 1013
*capital souscrit appelé, versé* and from 109 to the bank; a withdrawal debits 1013 (and
1011 for a part not paid yet) and credits what is due to the member on 4567 *associés,
capital à rembourser* (one sub-account per member); a refund pays it from the bank.

Movements already in the books (opening balances, entries made by hand before the tool)
are recorded with ``--booked``: a ``custom "alusage-capital" "<op>" "<member>"`` directive
with the same metadata and no amount moved, so that the register ties to the books without
rewriting history. ``check`` proves that the register ties to the capital accounts (1013,
1011, 4567) and warns when the capital falls below a quarter of the highest reached.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from alusage_ledger.books.accounts import account_info
from alusage_ledger.books.checks import entity_rule, problem_at
from alusage_ledger.books.entries import ledger_text, new_meta
from alusage_ledger.core.errors import LedgerProblem, RefusedError, UsageError
from alusage_ledger.core.i18n import N_, _
from alusage_ledger.domains.year.yearend import (
    CENT,
    CURRENCY,
    ZERO,
    accounts_with_pcg,
    balances,
    highest_capital,
    ledger_role,
    posting,
    total,
    transaction,
)

if TYPE_CHECKING:
    from alusage_ledger.books.config import Config
    from alusage_ledger.books.ledger import LoadedLedger, Workspace

OPS = ("subscribe", "pay", "withdraw", "refund")
RECORD_TYPE = "alusage-capital"
OP_KEY = "capital-op"
_MEMBER_ID = re.compile(r"^[a-z][a-z0-9-]{0,62}$")


# --------------------------------------------------------------------------- movements


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
    booked = _balances_of(
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


def _balances_of(entries: Iterable[Any], accounts: set[str]) -> dict[str, Decimal]:
    """``yearend.balances(entries)`` restricted to ``accounts`` (the same sums, in the same
    order), without a dictionary update for every posting of the ledger."""
    out: dict[str, Decimal] = {}
    if not accounts:
        return out
    for entry in entries:
        if type(entry).__name__ != "Transaction":
            continue
        for line in entry.postings:
            if line.account not in accounts:
                continue
            units = line.units
            if units is None or units.currency != CURRENCY:
                continue
            out[line.account] = out.get(line.account, ZERO) + units.number
    return out


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


# --------------------------------------------------------------------------- writing


@dataclass(frozen=True)
class CapitalRequest:
    """A movement asked for on the command line."""

    entity: str
    op: str
    member: str
    day: date
    shares: int = 0
    unit: Decimal | None = None
    amount: Decimal | None = None
    paid: Decimal | None = None
    category: str | None = None
    name: str | None = None
    piece_date: date | None = None
    account: str | None = None
    booked: bool = False


@dataclass
class CapitalResult:
    entity: str
    op: str
    member: str
    name: str
    day: date
    shares: Decimal
    amount: Decimal
    paid: Decimal
    booked: bool
    already: bool = False
    dry_run: bool = False
    text: str = ""
    files: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _check_member_id(member: str) -> str:
    value = member.strip()
    if not _MEMBER_ID.fullmatch(value):
        raise UsageError(
            _(
                "{value!r} is not a member id: lowercase letters, digits and dashes, e.g. "
                "membre-a (the member's name goes in --name)."
            ).format(value=member)
        )
    return value


def _amount_text(config: Config, value: Decimal) -> str:
    text = f"{value.quantize(CENT):f}"
    return text.replace(".", ",") if config.workspace.locale.startswith("fr") else text


def record_movement(
    ws: Workspace, request: CapitalRequest, *, dry_run: bool = False
) -> CapitalResult:
    """Write one capital movement (an entry, or a record with ``booked``); see the module."""
    from beancount.core import data
    from beancount.parser.grammar import ValueType

    from alusage_ledger.books.accounts import Opener, resolve_payment_account
    from alusage_ledger.books.ledger import check_text
    from alusage_ledger.books.roles import account_component
    from alusage_ledger.core.fmt import money

    config = ws.config
    entity = capital_entity(config, request.entity)
    member_id = _check_member_id(request.member)
    if request.name is not None:
        check_text(request.name.strip(), _("member name"))
    if request.category is not None:
        category = request.category.strip()
        allowed = config.year.capital_categories
        if not re.fullmatch(r"[a-z][a-z0-9-]{0,40}", category) or (
            allowed and category not in allowed
        ):
            raise UsageError(
                _("Unknown category {value!r}; the categories are: {known}.").format(
                    value=request.category, known=", ".join(allowed) or "lowercase ids"
                )
            )
    with ws.lock():
        ledger = ws.load_checked(entity)
        register = build_register(entity, ledger.entries, member_names(config))
        member = next((m for m in register.members if m.id == member_id), None)
        name = (request.name or "").strip() or (
            member.name if member is not None else member_names(config).get(member_id, member_id)
        )
        op = request.op
        shares = Decimal(request.shares)
        amount = ZERO
        paid = ZERO
        warnings: list[str] = []
        if op == "subscribe":
            if request.shares <= 0 or request.unit is None or request.unit <= 0:
                raise UsageError(_("A subscription needs --shares N (at least 1) and --unit."))
            amount = (shares * request.unit).quantize(CENT)
            paid = (
                request.paid if request.paid is not None else (amount if request.booked else ZERO)
            )
            if paid > amount:
                raise UsageError(
                    _("{paid} paid is more than the {amount} subscribed.").format(
                        paid=money(paid), amount=money(amount)
                    )
                )
            if paid < amount / 4:
                warnings.append(
                    _(
                        "less than a quarter of the subscription is paid: the law asks a "
                        "quarter at once, the rest within five years."
                    )
                )
        elif member is None:
            raise UsageError(
                _("{member} has no shares in {entity}; subscribe first.").format(
                    member=member_id, entity=entity
                )
            )
        elif op == "pay":
            amount = request.amount or ZERO
            if amount <= 0 or amount > member.uncalled:
                raise RefusedError(
                    _(
                        "{member} has {uncalled} subscribed and not paid; {amount} is refused."
                    ).format(
                        member=member_id, uncalled=money(member.uncalled), amount=money(amount)
                    )
                )
        elif op == "withdraw":
            if request.shares <= 0 or shares > member.shares:
                raise RefusedError(
                    _("{member} holds {held} shares; withdrawing {shares} is refused.").format(
                        member=member_id, held=member.shares, shares=request.shares
                    )
                )
            amount = (
                member.subscribed
                if shares == member.shares
                else (member.subscribed * shares / member.shares).quantize(CENT)
            )
            paid = min(member.paid, amount)
            after = -total(balances(ledger.entries), accounts_with_pcg(ledger, "101")) - amount
            highest = highest_capital(ledger)
            floor = (highest * config.year.capital_floor_rate / Decimal(100)).quantize(CENT)
            if after < floor:
                warnings.append(
                    _(
                        "after this withdrawal the capital ({after}) is below a quarter of the "
                        "highest capital reached ({highest}): the law forbids it (loi 1947 "
                        "art. 13); the refund must wait."
                    ).format(after=money(after), highest=money(highest))
                )
        else:  # refund
            amount = request.amount or ZERO
            if amount <= 0 or amount > member.refund_due:
                raise RefusedError(
                    _("{member} is owed {due}; refunding {amount} is refused.").format(
                        member=member_id, due=money(member.refund_due), amount=money(amount)
                    )
                )
        meta = new_meta(
            member=member_id,
            member_name=name,
            category=request.category.strip() if request.category else None,
            shares=shares if op in ("subscribe", "withdraw") else None,
            unit=request.unit.quantize(CENT) if op == "subscribe" and request.unit else None,
            amount=amount if op in ("pay", "withdraw", "refund") else None,
            paid=paid if op in ("subscribe", "withdraw") else None,
            piece_date=request.piece_date,
        )
        result = CapitalResult(
            entity, op, member_id, name, request.day, shares, amount, paid, request.booked
        )
        result.warnings = warnings
        if request.booked:
            entry = data.Custom(
                meta, request.day, RECORD_TYPE, [ValueType(op, str), ValueType(member_id, str)]
            )
            appends_entries: list[Any] = [entry]
            opener = Opener(config, ledger, request.day)
        else:
            meta = {**meta}
            meta[OP_KEY] = op
            meta = _reorder(meta)
            opener = Opener(config, ledger, request.day)

            def role(name_: str) -> str:
                found = ledger_role(config, ledger, name_)
                return opener.need(found.account, found.pcg, found.label)

            def refunds() -> str:
                parent = ledger_role(config, ledger, "capital-refunds")
                return opener.need(
                    f"{parent.account}:{account_component(member_id)}", parent.pcg, parent.label
                )

            postings = []
            if op == "subscribe":
                if amount - paid:
                    postings.append(posting(role("capital-uncalled-due"), amount - paid))
                    postings.append(posting(role("capital-uncalled"), paid - amount))
                if paid:
                    bank = resolve_payment_account(config, ledger, request.account)
                    postings.append(posting(bank, paid))
                    postings.append(posting(role("capital-paid"), -paid))
                narration = ledger_text(
                    config, N_("Subscription of {shares} shares ({unit} € each)")
                ).format(shares=request.shares, unit=_amount_text(config, request.unit or ZERO))
            elif op == "pay":
                bank = resolve_payment_account(config, ledger, request.account)
                postings = [
                    posting(bank, amount),
                    posting(role("capital-uncalled-due"), -amount),
                    posting(role("capital-uncalled"), amount),
                    posting(role("capital-paid"), -amount),
                ]
                narration = ledger_text(config, N_("Payment of subscribed shares"))
            elif op == "withdraw":
                if paid:
                    postings.append(posting(role("capital-paid"), paid))
                    postings.append(posting(refunds(), -paid))
                if amount - paid:
                    postings.append(posting(role("capital-uncalled"), amount - paid))
                    postings.append(posting(role("capital-uncalled-due"), paid - amount))
                narration = ledger_text(config, N_("Withdrawal of {shares} shares")).format(
                    shares=request.shares
                )
            else:
                bank = resolve_payment_account(config, ledger, request.account)
                postings = [posting(refunds(), amount), posting(bank, -amount)]
                narration = ledger_text(config, N_("Refund of shares"))
            entry = transaction(
                request.day, name, narration, postings, meta=meta, links=(f"capital-{member_id}",)
            )
            appends_entries = [entry]
        already = [
            e
            for e in ledger.entries
            if type(e) is type(entry)
            and e.date == entry.date
            and movement_of(e) is not None
            and _same(movement_of(e), entry)
        ]
        if already:
            result.already = True
            return result
        planned = ws.write(opener.appends(appends_entries), dry_run=dry_run)
        result.dry_run = dry_run
        result.text = "\n".join(p.text for p in planned)
        result.files = [p.rel for p in planned]
    return result


def _reorder(meta: dict[str, Any]) -> dict[str, Any]:
    """``capital-op`` first: the entries read well."""
    keys = ["filename", "lineno", OP_KEY]
    return {
        **{k: meta[k] for k in keys if k in meta},
        **{k: v for k, v in meta.items() if k not in keys},
    }


def _same(found: Movement | None, entry: Any) -> bool:
    """The same movement already recorded (a command run twice)."""
    mine = movement_of(entry)
    if found is None or mine is None:
        return False
    return (found.op, found.member, found.day, found.shares, found.amount, found.paid) == (
        mine.op,
        mine.member,
        mine.day,
        mine.shares,
        mine.amount,
        mine.paid,
    )


# --------------------------------------------------------------------------- rendering


COLUMNS = (
    ("member", N_("Member")),
    ("name", N_("Name")),
    ("category", N_("Category")),
    ("shares", N_("Shares")),
    ("subscribed", N_("Subscribed")),
    ("paid", N_("Paid up")),
    ("uncalled", N_("Not paid yet")),
    ("refund_due", N_("Refund due")),
    ("since", N_("Member since")),
    ("last", N_("Last movement")),
    ("status", N_("Status")),
)
STATUS = {"member": N_("member"), "withdrawn": N_("withdrawn on {day}")}


def _shares_text(value: Decimal) -> str:
    return f"{value.normalize():f}" if value == value.to_integral_value() else f"{value:f}"


def register_rows(register: Register, human: bool) -> list[list[str]]:
    from alusage_ledger.core.fmt import machine, money

    fmt = money if human else machine
    rows = []
    for m in register.members:
        status = (
            _(STATUS["withdrawn"]).format(day=m.left_on.isoformat())
            if human and m.left_on
            else (_(STATUS["member"]) if human else m.status)
        )
        rows.append(
            [
                m.id,
                m.name,
                m.category,
                _shares_text(m.shares),
                fmt(m.subscribed),
                fmt(m.paid),
                fmt(m.uncalled),
                fmt(m.refund_due),
                m.since.isoformat() if m.since else "",
                m.last.isoformat() if m.last else "",
                status,
            ]
        )
    return rows


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def register_markdown(register: Register, entity_name: str) -> str:
    from alusage_ledger.core.fmt import money

    sums = register.totals()
    out = [
        f"# {_md_cell(_('Register of members — {name}').format(name=entity_name))}",
        "",
        _md_cell(
            _("Members' shares at {day}.").format(day=register.as_of.isoformat())
            if register.as_of
            else _("Members' shares at the end of the books.")
        ),
        "",
        "| " + " | ".join(_md_cell(_(title)) for _key, title in COLUMNS) + " |",
        "| " + " | ".join("---:" if 3 <= i <= 7 else "---" for i in range(len(COLUMNS))) + " |",
    ]
    for row in register_rows(register, True):
        out.append("| " + " | ".join(_md_cell(c) for c in row) + " |")
    out.append(
        "| **"
        + _md_cell(_("Total"))
        + "** | | | **"
        + _shares_text(sums["shares"])
        + "** | "
        + " | ".join(
            f"**{money(sums[k])}**" for k in ("subscribed", "paid", "uncalled", "refund_due")
        )
        + " | | | |"
    )
    out += ["", f"## {_md_cell(_('Movements'))}", ""]
    out.append(
        "| "
        + " | ".join(
            _md_cell(t)
            for t in (
                _("Date"),
                _("Booked on"),
                _("Movement"),
                _("Member"),
                _("Shares"),
                _("Amount"),
                _("Paid up"),
            )
        )
        + " |"
    )
    out.append("| --- | --- | --- | --- | ---: | ---: | ---: |")
    for move in register.moves:
        label = _(MOVE_LABELS[move.op]) + (" " + _("(record)") if move.record else "")
        out.append(
            "| "
            + " | ".join(
                [
                    move.day.isoformat(),
                    move.booked_on.isoformat(),
                    _md_cell(label),
                    move.member,
                    _shares_text(move.shares) if move.op in ("subscribe", "withdraw") else "",
                    money(move.amount),
                    money(move.paid) if move.op in ("subscribe", "withdraw") else "",
                ]
            )
            + " |"
        )
    out += ["", f"## {_md_cell(_('Tie to the books'))}", ""]
    out.append(
        "| "
        + " | ".join(_md_cell(t) for t in (_("Figure"), _("Register"), _("Books"), _("Ties")))
        + " |"
    )
    out.append("| --- | ---: | ---: | --- |")
    for key, title, books in (
        ("paid", _("Capital paid (1013)"), register.books_paid),
        ("uncalled", _("Capital not paid yet (1011)"), register.books_uncalled),
        ("refund_due", _("Due to former members (4567)"), register.books_refund_due),
    ):
        ok = _("yes") if sums[key] == books else _("NO")
        out.append(f"| {_md_cell(title)} | {money(sums[key])} | {money(books)} | {_md_cell(ok)} |")
    out.append("")
    return "\n".join(out)


MOVE_LABELS = {
    "subscribe": N_("subscription"),
    "pay": N_("payment"),
    "withdraw": N_("withdrawal"),
    "refund": N_("refund"),
}


def register_csv(register: Register) -> str:
    import csv
    import io

    from alusage_ledger.core.fmt import machine

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([key for key, _title in COLUMNS])
    writer.writerows(register_rows(register, False))
    sums = register.totals()
    writer.writerow(
        [
            "total",
            "",
            "",
            _shares_text(sums["shares"]),
            *(machine(sums[k]) for k in ("subscribed", "paid", "uncalled", "refund_due")),
            "",
            "",
            "",
        ]
    )
    return buffer.getvalue()


def register_json(register: Register) -> dict[str, Any]:
    from alusage_ledger.core.fmt import machine

    sums = register.totals()
    return {
        "entity": register.entity,
        "as_of": register.as_of,
        "members": [
            dict(zip((k for k, _t in COLUMNS), row)) for row in register_rows(register, False)
        ],
        "totals": {k: (_shares_text(v) if k == "shares" else machine(v)) for k, v in sums.items()},
        "books": {
            "paid": machine(register.books_paid),
            "uncalled": machine(register.books_uncalled),
            "refund_due": machine(register.books_refund_due),
        },
        "ties": not register.ties(),
        "movements": [
            {
                "date": m.day,
                "booked_on": m.booked_on,
                "movement": m.op,
                "member": m.member,
                "shares": _shares_text(m.shares),
                "amount": machine(m.amount),
                "paid": machine(m.paid),
                "record": m.record,
            }
            for m in register.moves
        ],
    }


# --------------------------------------------------------------------------- check rules


@entity_rule
def capital_register(ws: Workspace, ledger: LoadedLedger) -> Iterable[LedgerProblem]:
    """The members' register ties to the capital accounts; the capital floor (warning)."""
    entity = ledger.entity
    if entity not in ws.config.entities:
        return []
    config = ws.config.entity(entity)
    if config.kind == "micro":
        return []
    register = build_register(entity, ledger.entries, member_names(ws.config))
    problems: list[LedgerProblem] = []
    for move, what in register.problems:
        message = {
            "pay": _("{member} pays more than is subscribed and not paid."),
            "withdraw": _("{member} withdraws more shares than held."),
            "refund": _("{member} is refunded more than is due."),
        }[what].format(member=move.member)
        problems.append(problem_at(ws, entity, move.entry, message))
    labels = {
        "paid": _("capital paid (1013)"),
        "uncalled": _("capital not paid yet (1011)"),
        "refund_due": _("capital due to former members (4567)"),
    }
    if register.moves:
        for key, mine, books in register.ties():
            problems.append(
                LedgerProblem(
                    entity,
                    None,
                    None,
                    _(
                        "the members' register does not tie to the books: {what} is {register} "
                        "in the register, {books} in the books; record the missing movements "
                        "('alusage-ledger capital subscribe ... --booked' for what the books "
                        "already hold)."
                    ).format(what=labels[key], register=mine, books=books),
                )
            )
    elif config.kind == "scic" and (register.books_paid or register.books_uncalled):
        problems.append(
            LedgerProblem(
                entity,
                None,
                None,
                _(
                    "{entity} holds {amount} of capital but no members' register; record its "
                    "members ('alusage-ledger capital subscribe ... --booked')."
                ).format(entity=entity, amount=register.books_paid + register.books_uncalled),
                "warning",
            )
        )
    if config.kind == "scic":
        capital_accounts = accounts_with_pcg(ledger, "101")
        now = -total(_balances_of(ledger.entries, set(capital_accounts)), capital_accounts)
        highest = highest_capital(ledger)
        floor = (highest * ws.config.year.capital_floor_rate / Decimal(100)).quantize(CENT)
        if now < floor:
            problems.append(
                LedgerProblem(
                    entity,
                    None,
                    None,
                    _(
                        "the capital of {entity} ({now}) is below a quarter of the highest "
                        "capital reached ({highest}); loi 1947 art. 13 forbids it."
                    ).format(entity=entity, now=now, highest=highest),
                    "warning",
                )
            )
    for member in register.members:
        if member.subscribed > 0 and member.paid * 4 < member.subscribed:
            problems.append(
                LedgerProblem(
                    entity,
                    None,
                    None,
                    _(
                        "{member} has paid {paid} of {subscribed} subscribed: less than the "
                        "quarter the law asks at subscription."
                    ).format(member=member.id, paid=member.paid, subscribed=member.subscribed),
                    "warning",
                )
            )
    return problems
