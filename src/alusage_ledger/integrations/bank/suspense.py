"""Suspense work: the bank lines that ``import bank`` left on the suspense account (role
``suspense``, PCG 471), and their reassignment.

A line no invoice, bill, member or rule explained is booked to 471, flagged ``!``, with its
``bank-ref``. Once the accountant knows what it was, ``import assign`` books a *new* entry
that moves it out of 471 — never an edit of the past, so a closed month stays as it was —
and marks it with ``suspense-ref``::

    2026-11-28 ! "FRAIS BANCAIRES" "FRAIS TENUE DE COMPTE"      ; written by the import
      bank-ref: "2611280005"
      Actif:Banque:Courant     -12.50 EUR
      Actif:Attente             12.50 EUR

    2026-11-28 * "FRAIS BANCAIRES" "FRAIS TENUE DE COMPTE"      ; written by import assign
      suspense-ref: "2611280005"
      Actif:Attente            -12.50 EUR
      Charges:Banque:Frais      12.50 EUR

Assigned to an invoice (a receipt) or a bill (a payment), the entry is the one ``invoice
pay`` or ``bill pay`` would write with the suspense account as the bank — the invoice's
link, VAT on receipt moved from pending to collected — and the third party's account is
lettered as the import letters what it matches (:func:`lettering.settlement_letters`).
A line is assigned once; the entry is dated the bank line's day unless ``--date`` names
another, in an open month.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from beancount.core import data
from beancount.core.amount import Amount

from alusage_ledger.books.accounts import Opener
from alusage_ledger.books.config import Config
from alusage_ledger.books.ledger import Workspace
from alusage_ledger.books.loader import LoadedLedger
from alusage_ledger.books.roles import DEFAULT_ROLES, role_account
from alusage_ledger.books.writer import Append, closed_months
from alusage_ledger.core.errors import RefusedError, UsageError
from alusage_ledger.core.fmt import money
from alusage_ledger.core.i18n import _
from alusage_ledger.core.periods import Month
from alusage_ledger.core.suggest import did_you_mean
from alusage_ledger.domains.lettering import THIRD_PARTY_ROLES, settlement_letters
from alusage_ledger.domains.purchases.bills import plan_payment as plan_bill_payment
from alusage_ledger.domains.purchases.documents import find_document
from alusage_ledger.domains.sales.payments import plan_payment
from alusage_ledger.domains.sales.requests import PaymentRequest
from alusage_ledger.integrations.bank.entries import CURRENCY, payment_method, units_on

#: The metadata key of a reassignment: the ``bank-ref`` of the line it moves out of 471.
ASSIGNED_KEY = "suspense-ref"

#: The shortest prefix of a ``bank-ref`` accepted for the whole reference.
MIN_PREFIX = 4


@dataclass(frozen=True)
class SuspenseLine:
    """A bank line on the suspense account: ``amount`` as on the bank (+ in, - out)."""

    entity: str
    date: date
    amount: Decimal
    label: str
    payee: str | None
    ref: str
    bank: str
    suspense: str
    assigned: datetime.date | None = None
    assigned_to: str | None = None


@dataclass
class Assignment:
    """What ``import assign`` writes for one line."""

    line: SuspenseLine
    kind: str  # account | invoice | bill
    target: str  # the account credited or debited instead of 471
    document: str | None
    entry: Any
    letters: list[Any] = field(default_factory=list)
    appends: list[Append] = field(default_factory=list)


def suspense_account(config: Config, entity: str) -> str:
    return role_account(config, entity, "suspense").account


def suspense_lines(config: Config, ledger: LoadedLedger) -> list[SuspenseLine]:
    """Every bank line booked to the suspense account, with its reassignment if any."""
    suspense = suspense_account(config, ledger.entity)
    assigned: dict[str, tuple[date, str]] = {}
    for entry in ledger.entries:
        if not isinstance(entry, data.Transaction):
            continue
        ref = (entry.meta or {}).get(ASSIGNED_KEY)
        if ref is not None:
            others = [p.account for p in entry.postings if p.account != suspense]
            assigned.setdefault(str(ref), (entry.date, others[0] if others else ""))
    out = []
    for entry in ledger.entries:
        if not isinstance(entry, data.Transaction):
            continue
        meta = entry.meta or {}
        ref = meta.get("bank-ref")
        if ref is None or ASSIGNED_KEY in meta:
            continue
        on_suspense = units_on(entry, suspense)
        if not on_suspense:
            continue
        banks = [p.account for p in entry.postings if p.account != suspense]
        done = assigned.get(str(ref))
        out.append(
            SuspenseLine(
                ledger.entity,
                entry.date,
                -on_suspense,
                str(meta.get("bank-label") or entry.narration or ""),
                entry.payee,
                str(ref),
                banks[0] if banks else "",
                suspense,
                done[0] if done else None,
                done[1] if done else None,
            )
        )
    return sorted(out, key=lambda s: (s.date, s.ref))


def find_line(config: Config, ledger: LoadedLedger, ref: str) -> SuspenseLine | None:
    """The suspense line of ``ref`` (the whole reference, or a prefix naming one line)."""
    wanted = ref.strip()
    lines = suspense_lines(config, ledger)
    exact = [s for s in lines if s.ref == wanted]
    if exact:
        return exact[0]
    if len(wanted) < MIN_PREFIX:
        return None
    found = [s for s in lines if s.ref.startswith(wanted)]
    if len(found) > 1:
        raise UsageError(
            _("The reference {ref} starts {count} bank lines ({refs}); give more of it.").format(
                ref=wanted, count=len(found), refs=", ".join(s.ref for s in found)
            )
        )
    return found[0] if found else None


def _counter_account(config: Config, ledger: LoadedLedger, text: str, line: SuspenseLine) -> str:
    value = text.strip()
    account = (
        role_account(config, ledger.entity, value).account if value in DEFAULT_ROLES else value
    )
    opened = ledger.open_accounts()
    if account not in opened:
        raise UsageError(
            _("The account {account!r} is not open in the ledger of {entity}{hint}.").format(
                account=account, entity=ledger.entity, hint=did_you_mean(account, opened)
            )
        )
    if account in (line.suspense, line.bank):
        raise UsageError(
            _("Assign the line to another account than {account}.").format(account=account)
        )
    return account


def _entry(line: SuspenseLine, day: date, account: str) -> Any:
    meta = data.new_metadata("<alusage>", 0)
    meta[ASSIGNED_KEY] = line.ref
    postings = [
        data.Posting(line.suspense, Amount(line.amount, CURRENCY), None, None, None, None),
        data.Posting(account, Amount(-line.amount, CURRENCY), None, None, None, None),
    ]
    return data.Transaction(
        meta, day, "*", line.payee, line.label, frozenset(), frozenset(), postings
    )


def plan_assignment(
    config: Config,
    ledger: LoadedLedger,
    ref: str,
    *,
    account: str | None = None,
    invoice: str | None = None,
    bill: str | None = None,
    day: date | None = None,
) -> Assignment:
    """The entry moving the line ``ref`` out of the suspense account (nothing is written).

    :class:`UsageError` (exit 2) for an unknown reference or a target that does not fit;
    :class:`RefusedError` (exit 4) for a line already assigned or a date in a closed month.
    """
    if sum(x is not None for x in (account, invoice, bill)) != 1:
        raise UsageError(_("Say where the line goes: one of --account, --invoice or --bill."))
    line = find_line(config, ledger, ref)
    if line is None:
        raise UsageError(
            _(
                "No bank line {ref} on the suspense account of {entity}; "
                "'alusage-ledger import suspense' lists them."
            ).format(ref=ref.strip(), entity=ledger.entity)
        )
    if line.assigned is not None:
        raise RefusedError(
            _(
                "The bank line {ref} ({day}, {amount}) was already assigned on {assigned} to "
                "{account}; nothing was written."
            ).format(
                ref=line.ref,
                day=line.date.isoformat(),
                amount=money(line.amount),
                assigned=line.assigned.isoformat(),
                account=line.assigned_to,
            )
        )
    when = day or line.date
    if when < line.date:
        raise UsageError(
            _("The date {day} is before the bank line's date {line}.").format(
                day=when.isoformat(), line=line.date.isoformat()
            )
        )
    if Month.of(when) in closed_months(ledger.entries):
        raise RefusedError(
            _(
                "{month} is closed in {entity}: nothing was written; assign the line at a date "
                "of an open month with --date."
            ).format(month=str(Month.of(when)), entity=ledger.entity)
        )
    if invoice is not None:
        if line.amount <= 0:
            raise UsageError(
                _("The bank line {ref} is money out; an invoice is settled by money in.").format(
                    ref=line.ref
                )
            )
        request = PaymentRequest(
            ledger.entity,
            invoice.strip(),
            when,
            line.amount,
            line.suspense,
            payment_method(line.label),
        )
        planned = plan_payment(config, ledger, request)
        entry = _marked(planned.entry, line.ref)
        target = entry.postings[1].account  # the client's: plan_payment's second posting
        opener_appends = [_swap(a, planned.entry, entry) for a in planned.appends]
        return _lettered(
            config,
            ledger,
            Assignment(line, "invoice", target, planned.number, entry),
            opener_appends,
        )
    if bill is not None:
        if line.amount >= 0:
            raise UsageError(
                _("The bank line {ref} is money in; a bill is settled by money out.").format(
                    ref=line.ref
                )
            )
        doc = find_document(config, ledger, bill.strip(), None)
        if doc is None:
            raise UsageError(
                _(
                    "No bill numbered {piece} in {where}; 'alusage-ledger bill list' shows them."
                ).format(piece=bill.strip(), where=ledger.entity)
            )
        opener, paid = plan_bill_payment(
            config, ledger, doc, amount=-line.amount, day=when, account=line.suspense
        )
        entry = _marked(paid, line.ref)
        return _lettered(
            config,
            ledger,
            Assignment(line, "bill", doc.account, doc.piece_ref, entry),
            opener.appends([entry]),
        )
    assert account is not None
    target = _counter_account(config, ledger, account, line)
    entry = _entry(line, when, target)
    opener = Opener(config, ledger, when)
    return _lettered(
        config, ledger, Assignment(line, "account", target, None, entry), opener.appends([entry])
    )


def _marked(entry: Any, ref: str) -> Any:
    meta = dict(entry.meta or {})
    meta[ASSIGNED_KEY] = ref
    return entry._replace(meta=meta)


def _swap(append: Append, old: Any, new: Any) -> Append:
    return Append(append.entity, tuple(new if e is old else e for e in append.entries), append.file)


def _third_party(config: Config, entity: str, account: str) -> bool:
    """Whether ``account`` is a client's, supplier's, person's or member's account."""
    for role in THIRD_PARTY_ROLES:
        if role not in DEFAULT_ROLES and role not in config.entity(entity).accounts:
            continue
        parent = role_account(config, entity, role).account
        if account == parent or account.startswith(parent + ":"):
            return True
    return False


def _lettered(
    config: Config, ledger: LoadedLedger, done: Assignment, appends: list[Append]
) -> Assignment:
    """``done`` with its appends and, when it reaches a third party's account, the
    letters that account now has (an invoice and its receipt, a bill and its payment)."""
    done.appends = list(appends)
    if done.kind == "account" and not _third_party(config, ledger.entity, done.target):
        return done
    # The same settling letters as every command that settles (partial, then final).
    letters = settlement_letters(ledger.entries, [done.entry], [done.target])
    if letters:
        done.letters = letters
        done.appends.append(Append(ledger.entity, tuple(letters)))
    return done


def assign_line(
    ws: Workspace,
    entity: str | None,
    ref: str,
    *,
    account: str | None = None,
    invoice: str | None = None,
    bill: str | None = None,
    day: date | None = None,
    dry_run: bool = False,
) -> tuple[Assignment, list[Any]]:
    """Find the line of ``ref`` (in ``entity``, else in the one entity that has it), plan
    its reassignment and write it under the workspace lock."""
    names = [entity] if entity else list(ws.config.entities)
    with ws.lock():
        hits = []
        for name in names:
            ledger = ws.load_checked(name)
            if find_line(ws.config, ledger, ref) is not None:
                hits.append(ledger)
        if len(hits) > 1:
            raise UsageError(
                _("The bank line {ref} is in several entities ({entities}); add --entity.").format(
                    ref=ref.strip(), entities=", ".join(sorted(h.entity for h in hits))
                )
            )
        if not hits:
            raise UsageError(
                _(
                    "No bank line {ref} on the suspense account of {where}; "
                    "'alusage-ledger import suspense' lists them."
                ).format(ref=ref.strip(), where=entity or _("any entity"))
            )
        done = plan_assignment(
            ws.config, hits[0], ref, account=account, invoice=invoice, bill=bill, day=day
        )
        files = ws.write(done.appends, dry_run=dry_run)
    return done, files
