"""Documents: the bills and expense claims of a ledger, with what their payments paid.

A document is a credit on a sub-account of a third-party role (``suppliers``,
``persons``); the entries that share its link and debit that account are its payments.
:class:`Written` is what a writing command of purchases reports.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from beancount.core import data

from alusage_ledger.books.accounts import Opener, resolve_account, role_parent
from alusage_ledger.books.entries import is_under
from alusage_ledger.core.chart import account_component
from alusage_ledger.core.errors import UsageError
from alusage_ledger.core.i18n import _
from alusage_ledger.core.money import ZERO

if TYPE_CHECKING:
    from alusage_ledger.books.config import Config
    from alusage_ledger.books.ledger import Workspace
    from alusage_ledger.books.loader import LoadedLedger


@dataclass
class Document:
    """A bill (or an expense claim): what a third party is owed, and what was paid."""

    entry: Any
    entity: str
    account: str  # the third party's payable
    link: str | None
    piece_ref: str
    party: str
    ttc: Decimal  # what the document makes the entity owe
    vat: Decimal  # deductible VAT booked (deducted now or pending)
    pending_vat: Decimal  # VAT still waiting for the payment (all of it, at the bill)
    paid: Decimal = ZERO
    pending_left: Decimal = ZERO
    due_date: date | None = None
    payments: list[Any] = field(default_factory=list)

    @property
    def date(self) -> date:
        return self.entry.date  # type: ignore[no-any-return]

    @property
    def ht(self) -> Decimal:
        return self.ttc - self.vat

    @property
    def remaining(self) -> Decimal:
        return self.ttc - self.paid


def account_units(entry: Any, account: str) -> Decimal:
    """The sum of ``entry``'s postings on ``account``."""
    return sum(
        (p.units.number for p in entry.postings if p.account == account and p.units is not None),
        ZERO,
    )


def primary_link(entry: Any, entity: str) -> str | None:
    links: list[str] = sorted(entry.links or ())
    own = [link for link in links if link.startswith(entity + "-")]
    if own:
        return own[0]
    return links[0] if links else None


def documents(config: Config, ledger: LoadedLedger, role: str = "suppliers") -> list[Document]:
    """Every bill (credit on a sub-account of ``role``) with what its linked entries paid."""
    parent = role_parent(config, ledger.entity, role)
    deductible = role_parent(config, ledger.entity, "vat-deductible")
    pending = role_parent(config, ledger.entity, "vat-deductible-pending")
    docs: list[Document] = []
    payments: list[Any] = []
    for entry in ledger.entries:
        if not isinstance(entry, data.Transaction):
            continue
        is_payment = False
        for account in sorted({p.account for p in entry.postings}):
            if account == parent or not is_under(account, parent):
                continue
            amount = account_units(entry, account)
            if amount > 0:
                is_payment = True
            if amount >= 0:
                continue
            meta = entry.meta or {}
            vat_now = account_units(entry, deductible)
            vat_later = account_units(entry, pending)
            due = meta.get("due-date")
            docs.append(
                Document(
                    entry=entry,
                    entity=ledger.entity,
                    account=account,
                    link=primary_link(entry, ledger.entity),
                    piece_ref=str(meta.get("piece-ref") or primary_link(entry, "") or ""),
                    party=str(meta.get("supplier") or meta.get("person") or entry.payee or account),
                    ttc=-amount,
                    vat=vat_now + vat_later,
                    pending_vat=vat_later,
                    pending_left=vat_later,
                    due_date=due if isinstance(due, date) else None,
                )
            )
        if is_payment and entry.links:
            payments.append(entry)
    by_link: dict[tuple[str, str], list[Document]] = {}
    for doc in docs:
        if doc.link is not None:
            by_link.setdefault((doc.account, doc.link), []).append(doc)
    for entry in payments:
        for account in sorted({p.account for p in entry.postings}):
            amount = account_units(entry, account)
            if amount <= 0:
                continue
            # A payment linked to several documents (one reimbursement of several
            # claims) settles them oldest first.
            linked = sorted(
                {
                    id(d): d
                    for link in sorted(entry.links)
                    for d in by_link.get((account, link), ())
                    if d.entry is not entry
                }.values(),
                key=lambda d: (d.date, d.piece_ref),
            )
            left = amount
            for index, doc in enumerate(linked):
                share = left if index == len(linked) - 1 else min(left, max(doc.remaining, ZERO))
                doc.paid += share
                doc.payments.append(entry)
                left -= share
            if linked:
                linked[0].pending_left += account_units(entry, pending)
    return docs


def party_account(
    config: Config,
    ledger: LoadedLedger,
    role: str,
    name: str,
    explicit: str | None = None,
) -> str:
    """The third party's sub-account of ``role``: given, found, or derived from the name.

    An explicit account must be open and under the role's account. Otherwise the
    sub-account named after the party (``roles.account_component``) when it is open, else
    the account of an earlier document of that party (same name, any case), else the
    derived name (opened on first use).
    """
    parent = role_parent(config, ledger.entity, role)
    if explicit is not None:
        account = resolve_account(ledger, explicit, _("third-party account"))
        if account == parent or not is_under(account, parent):
            raise UsageError(
                _("The account {account} is not a sub-account of {parent}.").format(
                    account=account, parent=parent
                )
            )
        return account
    derived = f"{parent}:{account_component(name)}"
    if derived in ledger.open_accounts():
        return derived
    wanted = name.casefold()
    for doc in documents(config, ledger, role):
        if doc.party.casefold() == wanted:
            return doc.account
    return derived


def find_document(
    config: Config,
    ledger: LoadedLedger,
    piece: str,
    party: str | None = None,
    role: str = "suppliers",
) -> Document | None:
    """The bill numbered ``piece`` (its piece-ref or link, with or without ``^``)."""
    wanted = piece.strip().lstrip("^")
    found = [
        d
        for d in documents(config, ledger, role)
        if wanted in (d.piece_ref, d.link) or wanted in (d.entry.links or ())
    ]
    if party is not None:
        component = account_component(party)
        found = [
            d
            for d in found
            if d.account.rsplit(":", 1)[-1] == component
            or d.party.casefold() == party.strip().casefold()
        ]
    if len(found) > 1:
        raise UsageError(
            _("Several bills are numbered {piece} ({parties}); add --supplier.").format(
                piece=wanted, parties=", ".join(sorted({d.party for d in found}))
            )
        )
    return found[0] if found else None


@dataclass
class Written:
    """What a writing command did (for its output)."""

    entity: str
    entries: list[Any]
    files: list[str]
    link: str | None = None
    piece_ref: str | None = None
    amounts: dict[str, Decimal] = field(default_factory=dict)
    dry_run_text: str = ""


def write_one(
    ws: Workspace,
    entity: str,
    plan: Callable[[LoadedLedger], tuple[Opener, Any]],
    *,
    dry_run: bool,
) -> tuple[Any, Sequence[Any]]:
    """Under the workspace lock: load ``entity`` (no error allowed), plan one entry and
    the accounts it opens, write them; the entry and what was (or would be) written."""
    with ws.lock():
        ledger = ws.load_checked(entity)
        opener, entry = plan(ledger)
        planned = ws.write(opener.appends([entry]), dry_run=dry_run)
    return entry, planned


def written_of(entity: str, entry: Any, planned: Sequence[Any], dry_run: bool) -> Written:
    """What writing ``entry`` did, for the command's output."""
    meta = entry.meta or {}
    return Written(
        entity=entity,
        entries=[entry],
        files=[p.rel for p in planned],
        link=sorted(entry.links)[0] if entry.links else None,
        piece_ref=meta.get("piece-ref"),
        dry_run_text="\n".join(p.text for p in planned) if dry_run else "",
    )
