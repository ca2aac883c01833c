"""Matching a new bank line with what it settles: an open invoice, bill or member's call.

A receipt equal to what is left on an open invoice whose label names the client or the
invoice number becomes that invoice's receipt; a payment equal to what is left on an open
bill whose label names the supplier or its number becomes the bill's payment; a receipt
naming a member of a place hosted by the entity becomes the member's payment (a dry run of
:func:`~alusage_ledger.domains.places.payments.pay_member`). Labels are compared by
:func:`names` (whole words, accents and case ignored).
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from beancount.core import data

from alusage_ledger.books.ledger import Workspace
from alusage_ledger.books.loader import LoadedLedger
from alusage_ledger.books.writer import Append
from alusage_ledger.core.errors import RefusedError, UsageError
from alusage_ledger.core.i18n import _
from alusage_ledger.domains.places.payments import pay_member
from alusage_ledger.domains.places.place import all_places
from alusage_ledger.domains.purchases.bills import plan_payment as plan_bill_payment
from alusage_ledger.domains.purchases.documents import documents
from alusage_ledger.domains.sales.index import sales_index
from alusage_ledger.domains.sales.payments import plan_payment
from alusage_ledger.domains.sales.requests import PaymentRequest
from alusage_ledger.integrations.bank.entries import payment_method, posts_to, with_ref
from alusage_ledger.integrations.bank.statement import BankLine


def words(text: str) -> str:
    """Text as a sequence of words for 'does this label name X': `` vir sepa les jardins ``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return " " + " ".join(re.findall(r"[a-z0-9]+", ascii_text.casefold())) + " "


def names(label: str, name: str) -> bool:
    """Whether a bank label names ``name`` (a client, a supplier, a document number).

    Whole words, accents and case ignored (``"VIR SEPA ASSOCIATION LES JARDINS"`` names
    ``"Association Les Jardins"``); a document number also matches without its
    punctuation (``F20260041`` names ``F2026-0041``). Names shorter than 3 characters
    never match.
    """
    wanted = words(name)
    if len(wanted.strip()) < 3:
        return False
    said = words(label)
    if wanted in said:
        return True
    compact = wanted.replace(" ", "")
    return any(ch.isdigit() for ch in compact) and compact in said.replace(" ", "")


@dataclass
class Matcher:
    """Open invoices, bills and place members that a new line may settle."""

    ws: Workspace
    ledger: LoadedLedger
    account: str
    today: date
    used_invoices: set[str] = field(default_factory=set)
    used_bills: set[int] = field(default_factory=set)
    used_members: set[tuple[str, str]] = field(default_factory=set)
    touched: set[str] = field(default_factory=set)
    opens: list[Any] = field(default_factory=list)
    extra: list[Append] = field(default_factory=list)
    invoices: list[Any] = field(default_factory=list, init=False)
    bills: list[Any] = field(default_factory=list, init=False)
    members: list[tuple[Any, Any]] = field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        config = self.ws.config
        index = sales_index(config, self.ledger)
        self.invoices = sorted(
            (i for i in index.invoices.values() if not i.cancelled and i.remaining > 0),
            key=lambda i: (i.date, i.number),
        )
        try:
            docs = documents(config, self.ledger)
        except UsageError:
            docs = []
        self.bills = sorted(
            (d for d in docs if d.remaining > 0), key=lambda d: (d.date, d.piece_ref)
        )
        self.members = [
            (place, member)
            for place in all_places(config)
            if place.host == self.ledger.entity
            for member in place.members
            if member.entity != place.host
        ]

    def match(self, line: BankLine, ref: str) -> tuple[list[Any], str] | None:
        if line.amount > 0:
            return self._invoice(line, ref) or self._member(line, ref)
        return self._bill(line, ref)

    def _invoice(self, line: BankLine, ref: str) -> tuple[list[Any], str] | None:
        fits = [
            i
            for i in self.invoices
            if i.number not in self.used_invoices
            and i.remaining == line.amount
            and i.date <= line.date
        ]
        chosen = [i for i in fits if names(line.label, i.number)] or [
            i for i in fits if names(line.label, i.client)
        ]
        if not chosen:
            return None
        invoice = chosen[0]
        request = PaymentRequest(
            self.ledger.entity,
            invoice.number,
            line.date,
            line.amount,
            self.account,
            payment_method(line.label),
        )
        try:
            planned = plan_payment(self.ws.config, self.ledger, request)
        except (UsageError, RefusedError):
            return None
        self.used_invoices.add(invoice.number)
        self.touched.add(invoice.receivable)
        self.opens.extend(planned.opens)
        return [with_ref(planned.entry, ref, line)], _("invoice {number}").format(
            number=invoice.number
        )

    def _bill(self, line: BankLine, ref: str) -> tuple[list[Any], str] | None:
        fits = [
            d
            for d in self.bills
            if id(d) not in self.used_bills and d.remaining == -line.amount and d.date <= line.date
        ]
        chosen = [d for d in fits if d.piece_ref and names(line.label, d.piece_ref)] or [
            d for d in fits if names(line.label, d.party)
        ]
        if not chosen:
            return None
        doc = chosen[0]
        try:
            opener, entry = plan_bill_payment(
                self.ws.config, self.ledger, doc, amount=None, day=line.date, account=self.account
            )
        except UsageError:
            return None
        self.used_bills.add(id(doc))
        self.touched.add(doc.account)
        self.opens.extend(opener.opens)
        return [with_ref(entry, ref, line)], _("bill {piece} of {supplier}").format(
            piece=doc.piece_ref, supplier=doc.party
        )

    def _member(self, line: BankLine, ref: str) -> tuple[list[Any], str] | None:
        fits = [
            (place, member)
            for place, member in self.members
            if (place.id, member.id) not in self.used_members
            and (names(line.label, member.name) or names(line.label, member.id))
        ]
        if len(fits) != 1:
            return None
        place, member = fits[0]
        try:
            result = pay_member(
                self.ws,
                place,
                member,
                line.amount,
                day=line.date,
                # A line of a statement has happened: "today" is at least its date.
                today=max(self.today, line.date),
                account=self.account,
                dry_run=True,
            )
        except (UsageError, RefusedError):
            return None
        self.used_members.add((place.id, member.id))
        entries: list[Any] = []
        for plan in result.planned:
            if plan.entity == self.ledger.entity:
                for entry in plan.entries:
                    if isinstance(entry, data.Open):
                        self.opens.append(entry)
                    elif (
                        posts_to(entry, self.account)
                        and (entry.meta or {}).get("member") == member.id
                    ):
                        entries.append(with_ref(entry, ref, line))
                    else:
                        entries.append(entry)
            else:
                folder = self.ws.ledger_main(plan.entity).resolve().parent
                rel = Path(os.path.relpath(plan.path, folder)).as_posix()
                self.extra.append(Append(plan.entity, tuple(plan.entries), rel))
        return entries, _("member {member} of {place}").format(member=member.id, place=place.id)
