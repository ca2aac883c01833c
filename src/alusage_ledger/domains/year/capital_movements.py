"""Members' capital of a cooperative: recording a subscription, payment, withdrawal, refund.

A SCIC has a variable capital (loi 1947 art. 19 quinquies, Code de commerce L231-1): members
subscribe shares by a dated *bulletin de souscription*, pay at least a quarter at once and
the rest within five years, may withdraw, and are refunded later; the capital may never fall
below a quarter of the highest capital ever reached (art. 13). The register of members is
the ledger itself (:mod:`alusage_ledger.domains.year.register`): every movement is an entry
carrying ``capital-op``, ``member`` (an id), ``shares``, ``unit``... ::

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
1011, 4567) and warns when the capital falls below a quarter of the highest reached
(:mod:`alusage_ledger.domains.year.capital_checks`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from beancount.core import data
from beancount.parser.grammar import ValueType

from alusage_ledger.books.accounts import Opener, resolve_payment_account
from alusage_ledger.books.entries import ledger_text, new_meta
from alusage_ledger.books.text import check_text
from alusage_ledger.core.chart import account_component
from alusage_ledger.core.errors import RefusedError, UsageError
from alusage_ledger.core.fmt import money
from alusage_ledger.core.i18n import N_, _
from alusage_ledger.domains.year.accounts import accounts_with_pcg, ledger_role
from alusage_ledger.domains.year.balances import (
    CENT,
    ZERO,
    balances,
    highest_capital,
    posting,
    total,
    transaction,
)
from alusage_ledger.domains.year.register import (
    OP_KEY,
    RECORD_TYPE,
    Movement,
    build_register,
    capital_entity,
    member_names,
    movement_of,
)

if TYPE_CHECKING:
    from alusage_ledger.books.config import Config
    from alusage_ledger.books.ledger import Workspace


_MEMBER_ID = re.compile(r"^[a-z][a-z0-9-]{0,62}$")


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
