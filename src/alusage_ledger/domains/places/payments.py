"""Payments of member calls and their lettering.

A member's payment to the host is written in the host's ledger (bank / receivable) and,
for a member that keeps its books in the workspace, mirrored in the member's (payable /
bank); it carries the links of the calls it settles. Lettering is the lettering
domain's: its ``settlement_letters`` and ``letter_account`` propose and prove the letters.
Calls and the payments that settle them share links, so a call and its payment form one
link group that sums to zero and gets a ``custom "alusage-letter"``; the calls' pending
VAT then becomes due (host) or deductible (member). A payment that settles a call in part
gets a partial letter (lower-case code, no VAT moved), made final when the call is paid.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from beancount.core import data

from alusage_ledger.books.accounts import Opener
from alusage_ledger.books.entries import ledger_text
from alusage_ledger.books.entries import posting as eur_posting
from alusage_ledger.books.roles import DEFAULT_ROLES, role_account
from alusage_ledger.books.writer import closed_months
from alusage_ledger.core.errors import RefusedError, UsageError
from alusage_ledger.core.i18n import N_, _
from alusage_ledger.core.periods import Month
from alusage_ledger.core.suggest import did_you_mean
from alusage_ledger.domains.lettering import (
    assign,
    letter_account,
    link_groups,
    settlement_letters,
)
from alusage_ledger.domains.places.place import Member, Place, mirror_payable
from alusage_ledger.domains.places.writes import (
    PAYABLE_PCG,
    RECEIVABLE_PCG,
    ZERO,
    Action,
    open_role,
    place_links,
    place_transaction,
    stamp_generated,
)
from alusage_ledger.domains.purchases import vat_treatment

if TYPE_CHECKING:
    from alusage_ledger.books.config import Config
    from alusage_ledger.books.ledger import Workspace
    from alusage_ledger.books.loader import LoadedLedger


# --------------------------------------------------------------------------- lettering


class _View:
    """The part of a ledger that lettering sees: place entries plus the new ones."""

    def __init__(self, entries: list[Any]) -> None:
        self.entries = entries


def _letter_view(
    existing: Iterable[Any], new: Sequence[Any], place: Place, member: Member
) -> list[Any]:
    """This member's place entries, every directive that is not a transaction, the new
    entries: lettering never touches what is not le 97's."""
    kept = []
    for entry in [*existing, *new]:
        if not isinstance(entry, data.Transaction) or (
            (entry.meta or {}).get("member") == member.id and place_links(entry, place)
        ):
            kept.append(entry)
    return sorted(kept, key=data.entry_sortkey)


def open_groups(entries: list[Any], account: str, place: Place) -> list[tuple[set[str], Decimal]]:
    """Unlettered items of ``account`` joined by links: (their place links, their sum)."""
    open_now, _letters = assign(entries, account)
    out = []
    for group in link_groups(open_now):
        links = set().union(*(place_links(i.entry, place) for i in group))
        out.append((links, sum((i.amount for i in group), ZERO)))
    return out


def _vat_transfer(
    config: Config,
    place: Place,
    member: Member,
    entity: str,
    letter: Any,
    entries: Sequence[Any],
    opener: Opener,
    *,
    host_side: bool,
) -> Any | None:
    """Pending VAT of the lettered calls becomes due (host) or deductible (member)."""
    day, code = letter.date, str(letter.values[1].value)
    refs = {str(v.value) for v in letter.values[2:]}
    if place.config.vat_rate() is None:
        return None
    if vat_treatment(config, place.host, day).exigibility == "debits":
        return None
    pending_role = "vat-pending" if host_side else "vat-deductible-pending"
    final_role = "vat-collected" if host_side else "vat-deductible"
    pending = role_account(config, entity, pending_role).account
    settled = [e for e in entries if hasattr(e, "postings") and set(e.links or ()) & refs]
    amount = sum(
        (
            p.units.number
            for e in settled
            for p in e.postings
            if p.account == pending and "vat-rate" in (p.meta or {})
        ),
        ZERO,
    )
    if amount == 0:
        return None
    postings = [
        eur_posting(open_role(opener, pending_role), -amount),
        eur_posting(open_role(opener, final_role), amount),
    ]
    narration = ledger_text(config, N_("VAT on the charges calls settled ({code})")).format(
        code=code
    )
    meta = {"place": place.id, "member": member.id, "gen-id": f"{place.id}/vat/{member.id}/{code}"}
    payee = member.name if host_side else config.entity(place.host).name
    links = sorted(refs & {link for e in settled for link in e.links or ()})
    return stamp_generated(
        place_transaction(day, payee, narration, {place.id}, links, meta, postings)
    )


def _letters(
    config: Config,
    place: Place,
    member: Member,
    entity: str,
    existing: Iterable[Any],
    new: Sequence[Any],
    account: str,
    opener: Opener,
    *,
    host_side: bool,
) -> tuple[list[Any], list[Action]]:
    view = _letter_view(existing, new, place, member)
    # What the new entries settle first (a partial letter while a call is paid in part, the
    # final one, same code in capitals, when it is paid), then whatever else balances.
    kept = {id(e) for e in view}
    settled = settlement_letters(
        _letter_view(existing, [], place, member), [e for e in new if id(e) in kept], [account]
    )
    more = letter_account(
        cast("LoadedLedger", _View(sorted([*view, *settled], key=data.entry_sortkey))), account
    )
    out: list[Any] = []
    actions: list[Action] = []
    for letter in [*settled, *more]:
        out.append(letter)
        code = str(letter.values[1].value)
        actions.append(Action("letter", entity, member.id, code, ZERO))
        if code.islower():
            continue  # a partial letter: the calls' VAT waits for the final one
        vat = _vat_transfer(
            config, place, member, entity, letter, view, opener, host_side=host_side
        )
        if vat is not None:
            out.append(vat)
            actions.append(Action("vat", entity, member.id, code, ZERO))
    return out, actions


def letter_entries(
    ws: Workspace,
    place: Place,
    member: Member,
    host: LoadedLedger,
    member_ledgers: dict[str, LoadedLedger],
    host_new: Sequence[Any],
    mirror_new: Sequence[Any],
    host_opener: Opener,
    member_openers: dict[str, Opener],
) -> tuple[list[Any], dict[str, list[Any]], list[Action]]:
    """Letters (and VAT transfers) for what balances once the new entries are written."""
    config = ws.config
    host_out, actions = _letters(
        config,
        place,
        member,
        place.host,
        host.entries,
        host_new,
        place.member_account(member),
        host_opener,
        host_side=True,
    )
    member_out: dict[str, list[Any]] = {}
    if member.is_entity_member(place.host) and member.entity in member_ledgers:
        entity = member.entity
        assert entity is not None
        ledger = member_ledgers[entity]
        opener = member_openers.setdefault(entity, Opener(config, ledger, host_opener.day))
        mine, more = _letters(
            config,
            place,
            member,
            entity,
            ledger.entries,
            mirror_new,
            mirror_payable(config, place, entity),
            opener,
            host_side=False,
        )
        if mine:
            member_out[entity] = mine
        actions.extend(more)
    return host_out, member_out, actions


# --------------------------------------------------------------------------- payments


@dataclass
class PayResult:
    place: Place
    member: Member
    amount: Decimal
    day: date
    links: list[str]
    actions: list[Action]
    planned: list[Any]


def _payment_account(config: Config, ledger: LoadedLedger, text: str | None, what: str) -> str:
    opened = ledger.open_accounts()
    if text is None or text.strip() in DEFAULT_ROLES:
        role = "bank" if text is None else text.strip()
        account = role_account(config, ledger.entity, role).account
    else:
        account = text.strip()
    if account not in opened:
        raise UsageError(
            _(
                "The {what} {account} is not an open account of {entity}{hint}; open it or "
                "name another one."
            ).format(
                what=what, account=account, entity=ledger.entity, hint=did_you_mean(account, opened)
            )
        )
    return account


def pay_member(
    ws: Workspace,
    place: Place,
    member: Member,
    amount: Decimal,
    *,
    day: date,
    today: date,
    account: str | None = None,
    member_account: str | None = None,
    dry_run: bool = False,
) -> PayResult:
    """A member's payment to the host (and its mirror), lettered with what it settles."""
    config = ws.config
    if member.entity == place.host:
        raise UsageError(
            _("{member} is the host of {place}: it bears its share and pays no call.").format(
                member=member.id, place=place.id
            )
        )
    if amount <= 0:
        raise UsageError(_("A payment must be a positive amount."))
    if day > today:
        raise UsageError(
            _("The payment date {day} is in the future; record payments once received.").format(
                day=day.isoformat()
            )
        )
    with ws.lock():
        host = ws.load_checked(place.host)
        month = Month.of(day)
        if month in closed_months(host.entries):
            raise RefusedError(
                _(
                    "{month} is closed for {entity}: record the payment at an open date, or "
                    "reopen the month."
                ).format(month=month, entity=place.host)
            )
        receivable = place.member_account(member)
        host_opener = Opener(config, host, day)
        bank = _payment_account(config, host, account, _("account"))
        host_opener.need_like(receivable, RECEIVABLE_PCG)
        view = _letter_view(host.entries, [], place, member)
        links: list[str] = []
        left = amount
        for group_links, total in open_groups(view, receivable, place):
            if left <= 0:
                break
            if total > 0 and group_links:
                links.extend(sorted(group_links))
                left -= total
        if not links:
            base = f"{place.id}-pay-{day.isoformat()}-{member.id}"
            taken = {link for e in host.entries for link in getattr(e, "links", None) or ()}
            link = base
            for n in itertools.count(2):
                if link not in taken:
                    break
                link = f"{base}-{n}"
            links = [link]
        narration = ledger_text(config, N_("Payment of charges {place}")).format(place=place.name)
        meta = {"place": place.id, "member": member.id}
        host_entry = place_transaction(
            day,
            member.name,
            narration,
            {place.id},
            links,
            meta,
            [eur_posting(bank, amount), eur_posting(receivable, -amount)],
        )
        actions = [Action("payment", place.host, member.id, ",".join(links), amount)]
        member_ledgers: dict[str, LoadedLedger] = {}
        member_openers: dict[str, Opener] = {}
        mirror_new: list[Any] = []
        if member.is_entity_member(place.host):
            entity = member.entity
            assert entity is not None
            ledger = ws.load_checked(entity)
            if month in closed_months(ledger.entries):
                raise RefusedError(
                    _(
                        "{month} is closed for {entity}: record the payment at an open date, "
                        "or reopen the month."
                    ).format(month=month, entity=entity)
                )
            member_ledgers[entity] = ledger
            opener = member_openers.setdefault(entity, Opener(config, ledger, day))
            payable = opener.need_like(mirror_payable(config, place, entity), PAYABLE_PCG)
            their_bank = _payment_account(config, ledger, member_account, _("member's account"))
            mirror_new.append(
                place_transaction(
                    day,
                    config.entity(place.host).name,
                    narration,
                    {place.id},
                    links,
                    meta,
                    [eur_posting(payable, amount), eur_posting(their_bank, -amount)],
                )
            )
            actions.append(Action("mirror-payment", entity, member.id, ",".join(links), amount))
        host_letters, member_letters, letter_actions = letter_entries(
            ws,
            place,
            member,
            host,
            member_ledgers,
            [host_entry],
            mirror_new,
            host_opener,
            member_openers,
        )
        actions.extend(letter_actions)
        appends = host_opener.appends([host_entry, *host_letters])
        for entity, opener in member_openers.items():
            appends.extend(opener.appends([*mirror_new, *member_letters.get(entity, [])]))
        planned = ws.write(appends, dry_run=dry_run)
        return PayResult(place, member, amount, day, links, actions, planned)
