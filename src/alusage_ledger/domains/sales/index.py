"""The sales index: every invoice of a ledger with its receipts and credit notes.

One linear pass over a ledger builds it (:func:`sales_index`, cached per loaded ledger):
the invoices (an ``invoice`` number and income postings), the credit notes
(``credit-note``), the receipts (entries linked to an invoice that credit its
receivable or move its pending VAT) and the cash sales (income received without an
invoice). :class:`Accounts` names the accounts sales and VAT read and write;
:func:`invoice_rows` is what ``invoice list`` shows.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from beancount.core import data

from alusage_ledger.books.entries import is_under
from alusage_ledger.books.roles import role_account
from alusage_ledger.core.money import ZERO
from alusage_ledger.domains.sales.activities import activities_of, activity_of_account
from alusage_ledger.domains.sales.rates import EXEMPT, NO_VAT

if TYPE_CHECKING:
    from alusage_ledger.books.config import Config
    from alusage_ledger.books.loader import LoadedLedger


@dataclass
class InvoiceLine:
    account: str
    activity: str
    rate: str  # "20" ... "exempt" | "none"
    ht: Decimal
    kind: str  # goods | services


@dataclass
class Receipt:
    entry: Any
    amount: Decimal  # credited to the receivable (negative for a refund)
    moved: dict[str, Decimal]  # VAT moved from pending to collected, by rate

    @property
    def date(self) -> date:
        return self.entry.date  # type: ignore[no-any-return]


@dataclass
class CreditNote:
    number: str
    entry: Any
    invoice: str | None
    ttc: Decimal  # credited to the client's receivable
    pending: dict[str, Decimal]  # pending VAT reversed, by rate
    #: the income given back (``ht`` positive) and all the VAT given back, by rate
    lines: list[InvoiceLine] = field(default_factory=list)
    vat: dict[str, Decimal] = field(default_factory=dict)

    @property
    def date(self) -> date:
        return self.entry.date  # type: ignore[no-any-return]


@dataclass
class Invoice:
    number: str
    entry: Any
    client: str
    receivable: str
    ttc: Decimal
    lines: list[InvoiceLine]
    vat: dict[str, Decimal]  # all VAT of the invoice, by rate
    pending: dict[str, Decimal]  # the part booked to vat-pending, by rate
    due: date
    project: str | None
    receipts: list[Receipt] = field(default_factory=list)
    credit_notes: list[CreditNote] = field(default_factory=list)

    @property
    def date(self) -> date:
        return self.entry.date  # type: ignore[no-any-return]

    @property
    def ht(self) -> Decimal:
        return sum((line.ht for line in self.lines), ZERO)

    @property
    def vat_total(self) -> Decimal:
        return sum(self.vat.values(), ZERO)

    @property
    def received(self) -> Decimal:
        return sum((r.amount for r in self.receipts), ZERO)

    @property
    def credited(self) -> Decimal:
        return sum((c.ttc for c in self.credit_notes), ZERO)

    @property
    def remaining(self) -> Decimal:
        return self.ttc - self.received - self.credited

    @property
    def cancelled(self) -> bool:
        """Wholly credited: its credit notes (one, or several partial ones) give it all back."""
        return bool(self.credit_notes) and self.credited >= self.ttc

    def credited_bases(self) -> list[Decimal]:
        """The income its credit notes gave back, line by line (matched by account,
        activity and rate; lines alike are filled in their order)."""
        given: dict[tuple[str, str, str], Decimal] = {}
        for note in self.credit_notes:
            for line in note.lines:
                key = (line.account, line.activity, line.rate)
                given[key] = given.get(key, ZERO) + line.ht
        out = []
        for i, line in enumerate(self.lines):
            key = (line.account, line.activity, line.rate)
            last = not any(
                (other.account, other.activity, other.rate) == key for other in self.lines[i + 1 :]
            )
            part = given.get(key, ZERO) if last else min(given.get(key, ZERO), line.ht)
            given[key] = given.get(key, ZERO) - part
            out.append(part)
        return out

    def credited_vat(self, rate: str) -> Decimal:
        return sum((note.vat.get(rate, ZERO) for note in self.credit_notes), ZERO)

    def pending_left(self) -> dict[str, Decimal]:
        left = dict(self.pending)
        for receipt in self.receipts:
            for rate, moved in receipt.moved.items():
                left[rate] = left.get(rate, ZERO) - moved
        for note in self.credit_notes:
            for rate, moved in note.pending.items():
                left[rate] = left.get(rate, ZERO) - moved
        return left

    def rates(self) -> list[str]:
        out: list[str] = []
        for line in self.lines:
            if line.rate not in out:
                out.append(line.rate)
        return out

    @property
    def simple(self) -> bool:
        """One taxable rate, every line a service with its VAT pending: the base of a
        receipt is then what was received minus the VAT moved (no ``vat-base`` needed)."""
        rates = self.rates()
        return (
            len(rates) == 1
            and rates[0] not in (EXEMPT, NO_VAT)
            and all(line.kind == "services" for line in self.lines)
            and self.pending.get(rates[0], ZERO) == self.vat.get(rates[0], ZERO)
        )

    def activities(self) -> list[str]:
        out: list[str] = []
        for line in self.lines:
            if line.activity not in out:
                out.append(line.activity)
        return out


@dataclass
class SalesIndex:
    invoices: dict[str, Invoice]
    credit_notes: dict[str, CreditNote]
    duplicates: list[tuple[str, str, Any]]  # (kind, number, entry) seen a second time
    cash_sales: list[Any]  # income received without an invoice (bank/cash to income)

    def by_client(self) -> dict[str, str]:
        """Client name → receivable account used by its invoices (first one wins)."""
        out: dict[str, str] = {}
        for invoice in self.invoices.values():
            out.setdefault(invoice.client, invoice.receivable)
        return out


@dataclass(frozen=True)
class Accounts:
    """The accounts sales and VAT read and write, for one entity."""

    clients: str
    bank: str
    cash: str
    collected: str
    pending: str
    deductible: str
    deductible_pending: str
    due: str
    credit: str
    instalment: str
    income_root: str
    rounding_charge: str = ""
    rounding_income: str = ""

    @classmethod
    def of(cls, config: Config, ledger: LoadedLedger) -> Accounts:
        def role(name: str) -> str:
            return role_account(config, ledger.entity, name).account

        return cls(
            clients=role("clients"),
            bank=role("bank"),
            cash=role("cash"),
            collected=role("vat-collected"),
            pending=role("vat-pending"),
            deductible=role("vat-deductible"),
            deductible_pending=role("vat-deductible-pending"),
            due=role("vat-due"),
            credit=role("vat-credit"),
            instalment=role("vat-instalment"),
            income_root=ledger.roots()[3],
            rounding_charge=role("vat-rounding-charge"),
            rounding_income=role("vat-rounding-income"),
        )

    def is_income(self, account: str) -> bool:
        return account.split(":", 1)[0] == self.income_root

    def is_client(self, account: str) -> bool:
        return account != self.clients and is_under(account, self.clients)

    def is_vat_out(self, account: str) -> bool:
        return is_under(account, self.collected) or is_under(account, self.pending)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_kinds", {})

    def kind(self, account: str) -> int:
        """The ``KIND_*`` bits of an account, computed once per account (hot loops)."""
        memo: dict[str, int] = self._kinds  # type: ignore[attr-defined]
        found = memo.get(account)
        if found is None:
            found = memo[account] = (
                KIND_INCOME * self.is_income(account)
                | KIND_CLIENT * self.is_client(account)
                | KIND_VAT_OUT * self.is_vat_out(account)
                | KIND_PENDING * is_under(account, self.pending)
                | KIND_CASH * (is_under(account, self.bank) or is_under(account, self.cash))
            )
        return found


#: Bits of :meth:`Accounts.kind`.
KIND_INCOME, KIND_CLIENT, KIND_VAT_OUT, KIND_PENDING, KIND_CASH = 1, 2, 4, 8, 16


def meta_rate(meta: Any) -> str | None:
    value = (meta or {}).get("vat-rate")
    if isinstance(value, str) and value and "," not in value:
        return value
    return None


def meta_text(meta: Any, key: str) -> str | None:
    value = (meta or {}).get(key)
    return value if isinstance(value, str) and value else None


def _single(values: Iterable[str]) -> str | None:
    found = set(values)
    return found.pop() if len(found) == 1 else None


def _invoice_from(
    entry: Any,
    number: str,
    acc: Accounts,
    by_account: dict[str, str],
    acts: dict[str, Any],
    days: int,
    kinds: dict[str, int] | None = None,
) -> Invoice:
    meta = entry.meta or {}
    txn_activity = meta_text(meta, "activity")
    if txn_activity is not None and "," in txn_activity:
        txn_activity = None
    txn_rate = meta_rate(meta)
    if kinds is None:
        kinds = {}
    # One pass over the postings: the income lines, then the VAT and the receivable, in
    # the postings' order (the same sums, added in the same order).
    lines: list[InvoiceLine] = []
    taxed: list[tuple[int, Any]] = []
    for item in entry.postings:
        units = item.units
        if units is None:
            continue
        account = item.account
        kind = kinds.get(account)
        if kind is None:
            kind = kinds[account] = acc.kind(account)
        if kind & KIND_INCOME:
            pmeta = item.meta
            activity = (
                (meta_text(pmeta, "activity") if pmeta else None)
                or txn_activity
                or by_account.get(account)
                or account
            )
            rate = (meta_rate(pmeta) if pmeta else None) or txn_rate or NO_VAT
            config_activity = acts.get(activity)
            line_kind = config_activity.kind if config_activity is not None else "services"
            lines.append(InvoiceLine(account, activity, rate, -units.number, line_kind))
        if kind & (KIND_VAT_OUT | KIND_CLIENT):
            taxed.append((kind, item))
    default_rate = None
    vat: dict[str, Decimal] = {}
    pending: dict[str, Decimal] = {}
    receivable = None
    ttc = ZERO
    for kind, item in taxed:
        if kind & KIND_VAT_OUT:
            if default_rate is None:
                taxable = [line.rate for line in lines if line.rate not in (EXEMPT, NO_VAT)]
                default_rate = _single(taxable) or txn_rate or "?"
            rate = (meta_rate(item.meta) if item.meta else None) or default_rate
            value = item.units.number
            vat[rate] = vat.get(rate, ZERO) - value
            if kind & KIND_PENDING:
                pending[rate] = pending.get(rate, ZERO) - value
        else:
            ttc += item.units.number
            if receivable is None:
                receivable = item.account
    due = meta.get("due-date", meta.get("due"))
    if not isinstance(due, date):
        due = entry.date + timedelta(days=days)
    client = meta_text(meta, "client") or entry.payee or ""
    return Invoice(
        number=number,
        entry=entry,
        client=client,
        receivable=receivable or acc.clients,
        ttc=ttc,
        lines=lines,
        vat=vat,
        pending=pending,
        due=due,
        project=meta_text(meta, "project"),
    )


#: (weak reference to the ledger, config, index): an index lives as long as its ledger,
#: never longer (a close reloads ledgers; the old ones and their indexes must go).
_INDEX_CACHE: list[tuple[Any, Any, SalesIndex]] = []


def forget_indexes() -> None:
    """Let every sales index go now (a close, once its first check is done)."""
    _INDEX_CACHE.clear()


def sales_index(config: Config, ledger: LoadedLedger) -> SalesIndex:
    """Every invoice of the ledger with its receipts and credit notes (one pass, linear).

    Cached per loaded ledger (a ledger object is never changed after loading), so that
    the check rules of sales and VAT share one index.
    """
    _INDEX_CACHE[:] = [item for item in _INDEX_CACHE if item[0]() is not None]
    for cached_ledger, cached_config, cached in _INDEX_CACHE:
        if cached_config is config and cached_ledger() is ledger:
            return cached
    index = _build_index(config, ledger)
    _INDEX_CACHE.append((weakref.ref(ledger), config, index))
    del _INDEX_CACHE[:-4]
    return index


def _build_index(config: Config, ledger: LoadedLedger) -> SalesIndex:
    acc = Accounts.of(config, ledger)
    by_account = activity_of_account(config, ledger.entity)
    acts = activities_of(config, ledger.entity)
    days = config.entity(ledger.entity).series.payment_days
    invoices: dict[str, Invoice] = {}
    notes: dict[str, CreditNote] = {}
    duplicates: list[tuple[str, str, Any]] = []
    others: list[tuple[Any, str | None]] = []
    cash_sales: list[Any] = []
    kinds: dict[str, int] = {}  # account → KIND_* bits (Accounts.kind, without a call)
    transaction = data.Transaction
    for entry in ledger.entries:
        if not isinstance(entry, transaction):
            continue
        meta = entry.meta
        if meta:
            note_number = meta.get("credit-note")
            if not (isinstance(note_number, str) and note_number):
                note_number = None
            number = meta.get("invoice")
            if not (isinstance(number, str) and number):
                number = None
        else:
            note_number = number = None
        bits = 0
        for p in entry.postings:
            kind = kinds.get(p.account)
            if kind is None:
                kind = kinds[p.account] = acc.kind(p.account)
            bits |= kind
        if note_number is not None:
            if note_number in notes:
                duplicates.append(("credit-note", note_number, entry))
                continue
            rate_default = meta_rate(meta) or "?"
            pending: dict[str, Decimal] = {}
            ttc = ZERO
            for posting in entry.postings:
                if posting.units is None:
                    continue
                kind = kinds[posting.account]
                if kind & KIND_PENDING:
                    rate = meta_rate(posting.meta) or rate_default
                    pending[rate] = pending.get(rate, ZERO) + posting.units.number
            for posting in entry.postings:
                if posting.units is not None and kinds[posting.account] & KIND_CLIENT:
                    ttc += posting.units.number
            given = _invoice_from(entry, note_number, acc, by_account, acts, days, kinds)
            for line in given.lines:
                line.ht = -line.ht
            notes[note_number] = CreditNote(
                number=note_number,
                entry=entry,
                invoice=number,
                ttc=-ttc,
                pending=pending,
                lines=given.lines,
                vat={rate: -amount for rate, amount in given.vat.items()},
            )
        elif number is not None and bits & KIND_INCOME:
            if number in invoices:
                duplicates.append(("invoice", number, entry))
                continue
            invoices[number] = _invoice_from(entry, number, acc, by_account, acts, days, kinds)
        elif number is not None or entry.links:
            others.append((entry, number))
        elif bits & KIND_INCOME and bits & KIND_CASH:
            cash_sales.append(entry)
    for note in notes.values():
        if note.invoice in invoices:
            invoices[note.invoice].credit_notes.append(note)
    for entry, number in others:
        targets = (
            (number,)
            if number is not None
            else sorted(link for link in entry.links or () if link in invoices)
        )
        for target in targets:
            invoice = invoices.get(target)
            if invoice is None or (entry.date < invoice.date and number is None):
                continue
            receivable = invoice.receivable
            amount = ZERO
            moved: dict[str, Decimal] = {}
            receipt_default: str | None = None  # computed when a posting needs it
            for posting in entry.postings:
                units = posting.units
                if units is None:
                    continue
                if posting.account == receivable:
                    amount += units.number
            for posting in entry.postings:
                units = posting.units
                if units is None or not kinds[posting.account] & KIND_PENDING:
                    continue
                moved_rate = meta_rate(posting.meta)
                if moved_rate is None:
                    if receipt_default is None:
                        receipt_default = (
                            _single(invoice.pending)
                            or _single(r for r in invoice.rates() if r not in (EXEMPT, NO_VAT))
                            or "?"
                        )
                    moved_rate = receipt_default
                moved[moved_rate] = moved.get(moved_rate, ZERO) + units.number
            amount = -amount
            if amount or moved:
                invoice.receipts.append(Receipt(entry, amount, moved))
    return SalesIndex(invoices, notes, duplicates, cash_sales)


@dataclass(frozen=True)
class InvoiceRow:
    entity: str
    number: str
    issued: date
    client: str
    ht: Decimal
    vat: Decimal
    ttc: Decimal
    received: Decimal
    credited: Decimal
    remaining: Decimal
    due: date
    days_overdue: int
    status: str  # paid | partial | unpaid | cancelled | overpaid (a credit note after receipts)
    credit_notes: tuple[str, ...]
    project: str | None


def invoice_rows(
    entity: str,
    index: SalesIndex,
    *,
    as_of: date,
    unpaid: bool = False,
    client: str | None = None,
    period: Any = None,
) -> list[InvoiceRow]:
    rows = []
    needle = client.strip().casefold() if client else None
    for invoice in sorted(index.invoices.values(), key=lambda i: (i.date, i.number)):
        if period is not None and invoice.date not in period:
            continue
        if needle and needle not in invoice.client.casefold():
            continue
        remaining = invoice.remaining
        if unpaid and (remaining <= 0 or invoice.cancelled):
            continue
        if invoice.cancelled:
            status = "cancelled"
        elif remaining < 0:
            status = "overpaid"
        elif remaining == 0:
            status = "paid"
        elif invoice.received:
            status = "partial"
        else:
            status = "unpaid"
        overdue = max((as_of - invoice.due).days, 0) if status in ("partial", "unpaid") else 0
        rows.append(
            InvoiceRow(
                entity=entity,
                number=invoice.number,
                issued=invoice.date,
                client=invoice.client,
                ht=invoice.ht,
                vat=invoice.vat_total,
                ttc=invoice.ttc,
                received=invoice.received,
                credited=invoice.credited,
                remaining=remaining,
                due=invoice.due,
                days_overdue=overdue,
                status=status,
                credit_notes=tuple(n.number for n in invoice.credit_notes),
                project=invoice.project,
            )
        )
    return rows
