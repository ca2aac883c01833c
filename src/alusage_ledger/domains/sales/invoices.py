"""Sales: invoices, receipts and credit notes, their numbering, and the invoice index.

An invoice is one transaction: the client's receivable (a sub-account of the role
``clients``, PCG 411), the income of each activity, and the VAT of each rate. VAT on
services waits on ``vat-pending`` (44588) until the invoice is paid (exigibility on
receipt, the French default); VAT on goods, or on services of an entity that opted for
debits, goes straight to ``vat-collected`` (44571)::

    2026-01-08 * "Client Alpha" "Facture F2026-0001" ^F2026-0001
      invoice: "F2026-0001"
      client: "Client Alpha"
      activity: "programmation"
      vat-rate: "20"
      due-date: 2026-02-07
      Actif:Clients:ClientAlpha                      3780.00 EUR
      Produits:Prestations:Programmation            -3150.00 EUR
      Passif:Etat:TVAEnAttente                       -630.00 EUR

A receipt carries the same link and ``invoice``; it moves the VAT of what was received
from pending to collected. A credit note (``credit-note: "A2026-0001"``, its own series)
reverses an invoice; nothing is ever deleted. An invoice of several lines carries
``activity`` and ``vat-rate`` on each income and VAT posting as well.

Numbers follow the entity's series (``[entities.<id>.series]``, default
``F{year}-{seq:04}`` and ``A{year}-{seq:04}``): continuous, restarting each January 1st
when the pattern has ``{year}``, dates never decreasing along numbers (CGI ann. II
242 nonies A). ``check`` reports gaps and duplicates by number.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alusage_ledger.books.accounts import Opener as Opener
from alusage_ledger.books.checks import entity_rule, problem_at
from alusage_ledger.books.config import ActivityConfig, series_regex
from alusage_ledger.books.entries import (
    is_under as is_under,
)
from alusage_ledger.books.entries import (
    ledger_language as ledger_language,
)
from alusage_ledger.books.entries import (
    ledger_text as ledger_text,
)
from alusage_ledger.books.entries import (
    posting as posting,
)
from alusage_ledger.books.entries import (
    transaction as transaction,
)
from alusage_ledger.core.errors import LedgerErrors, RefusedError, UsageError
from alusage_ledger.core.i18n import N_, _
from alusage_ledger.core.money import ZERO, MoneyError, parse_amount, quantize_cents, split_exact

if TYPE_CHECKING:
    from alusage_ledger.books.config import Config, SeriesConfig
    from alusage_ledger.books.ledger import LoadedLedger, Workspace
    from alusage_ledger.core.errors import LedgerProblem

CURRENCY = "EUR"
EXEMPT = "exempt"
NO_VAT = "none"  # franchise: no VAT at all (the 293 B mention)

# --------------------------------------------------------------------------- activities

_SERVICES_706 = ("706", "Prestations de services")
DEFAULT_ACTIVITIES: dict[str, dict[str, ActivityConfig]] = {
    "sas": {
        "facilitation": ActivityConfig(
            account="Produits:Prestations:Facilitation",
            pcg="7061",
            label="Prestations de services",
        ),
        "programmation": ActivityConfig(
            account="Produits:Prestations:Programmation",
            pcg="7062",
            label="Prestations de services",
        ),
        "formation": ActivityConfig(
            account="Produits:Prestations:Formation",
            pcg="7063",
            label="Prestations de services",
            rate="exempt",
            exemption="CGI art. 261-4-4° a",
        ),
        "maraichage": ActivityConfig(
            account="Produits:Ventes:Maraichage",
            pcg="701",
            label="Ventes de produits finis",
            rate="5.5",
            kind="goods",
        ),
    },
    "scic": {
        "le97": ActivityConfig(
            account="Produits:Le97:Refacturation",
            pcg="708",
            label="Produits des activités annexes",
        ),
    },
    "micro": {
        "services": ActivityConfig(
            account="Produits:Prestations:Services",
            pcg="706",
            label="Prestations de services",
            urssaf="bnc",
        ),
    },
}


def activities_of(config: Config, entity: str) -> dict[str, ActivityConfig]:
    """The entity's activities: configured, else the defaults of its kind."""
    entity_config = config.entity(entity)
    return dict(entity_config.activities or DEFAULT_ACTIVITIES.get(entity_config.kind, {}))


def activity_of_account(config: Config, entity: str) -> dict[str, str]:
    return {act.account: name for name, act in activities_of(config, entity).items()}


def urssaf_category(activity: ActivityConfig | None) -> str:
    if activity is None:
        return "bnc"
    if activity.urssaf:
        return activity.urssaf
    return "bic-sales" if activity.kind == "goods" else "bnc"


# --------------------------------------------------------------------------- text helpers


def clean_text(value: str | None, what: str) -> str | None:
    """User text for payee/narration/metadata: stripped, safe for the printer, or exit 2."""
    from alusage_ledger.books.ledger import check_text

    if value is None:
        return None
    stripped = value.strip()
    if not stripped:
        raise UsageError(_("The {what} is empty.").format(what=what))
    check_text(stripped, what)
    return stripped


def units(entry: Any, predicate: Any) -> Decimal:
    return sum(
        (p.units.number for p in entry.postings if p.units is not None and predicate(p.account)),
        ZERO,
    )


# --------------------------------------------------------------------------- VAT choice


def rate_fraction(rate: str) -> Fraction:
    return Fraction(Decimal(rate)) / 100


def vat_on(base: Decimal, rate: str) -> Decimal:
    """VAT of ``base`` at ``rate`` ("20", "5.5"...), rounded half-up to the cent."""
    if rate in (EXEMPT, NO_VAT):
        return ZERO
    return quantize_cents(Fraction(base) * rate_fraction(rate))


@dataclass(frozen=True)
class VatChoice:
    rate: str  # "20" | "10" | "5.5" | "2.1" | "exempt"
    exemption: str | None = None


def parse_vat(text: str) -> VatChoice:
    """``--vat``: ``20``, ``10``, ``5.5`` (or ``5,5``), ``2.1``, ``exempt`` or ``exempt:<basis>``."""
    from alusage_ledger.books.config import VAT_RATES

    value = text.strip()
    if value.lower().startswith(EXEMPT):
        rest = value[len(EXEMPT) :]
        if not rest:
            return VatChoice(EXEMPT)
        if not rest.startswith(":") or not rest[1:].strip():
            raise UsageError(
                _(
                    '--vat {value!r}: write exempt:<legal basis>, e.g. "exempt:CGI art. 261-4-4° a".'
                ).format(value=text)
            )
        basis = clean_text(rest[1:], _("exemption basis"))
        return VatChoice(EXEMPT, basis)
    rate = value.rstrip("%").strip().replace(",", ".")
    if rate.endswith(".0"):
        rate = rate[:-2]
    if rate not in VAT_RATES:
        raise UsageError(
            _(
                "--vat {value!r} is not a French VAT rate; use 20, 10, 5.5, 2.1 or "
                "exempt:<legal basis>."
            ).format(value=text)
        )
    return VatChoice(rate)


# --------------------------------------------------------------------------- series


_series_regex = functools.lru_cache(maxsize=64)(series_regex)


@dataclass(frozen=True)
class Series:
    """One numbering series: ``kind`` is ``invoice`` or ``credit-note``."""

    kind: str
    pattern: str

    @property
    def has_year(self) -> bool:
        return "{year}" in self.pattern

    def format(self, year: int, seq: int) -> str:
        return _series_template(self.pattern).format(year=year, seq=seq)

    def parse(self, number: str) -> tuple[int | None, int] | None:
        """``(year, seq)`` of a number of this series, or None if it does not fit."""
        return _parse_number(self, number)

    def _parse(self, number: str) -> tuple[int | None, int] | None:
        return _number_parser(self.pattern)(number)

    def parser(self) -> Callable[[str], tuple[int | None, int] | None]:
        """:meth:`parse` as a plain function (no cache lookup): for loops over many numbers."""
        return _number_parser(self.pattern)

    def key(self, day: date) -> int | None:
        """Numbers restart each January 1st when the pattern has a year."""
        return day.year if self.has_year else None


@functools.lru_cache(maxsize=64)
def _series_template(pattern: str) -> str:
    """``F{year}-{seq:04}`` as a ``str.format`` template: ``F{year:04d}-{seq:04d}``."""
    import re

    def field(match: re.Match[str]) -> str:
        name, width = match.group(1), match.group(2)
        if name == "year":
            return "{year:04d}"
        return f"{{seq:0{int(width or 1)}d}}"

    parts = re.split(r"(\{[a-z]+(?::0\d)?\})", pattern)
    return "".join(
        re.sub(r"\{([a-z]+)(?::0(\d))?\}", field, part)
        if index % 2
        else part.replace("{", "{{").replace("}", "}}")
        for index, part in enumerate(parts)
    )


@functools.lru_cache(maxsize=64)
def _number_parser(pattern: str) -> Callable[[str], tuple[int | None, int] | None]:
    """``(year, seq)`` of a number of the series ``pattern``, or None if it does not fit."""
    fullmatch = _series_regex(pattern).fullmatch
    template = _series_template(pattern).format
    has_year = "{year}" in pattern

    def parse(number: str) -> tuple[int | None, int] | None:
        match = fullmatch(number)
        if match is None:
            return None
        year = int(match.group("year")) if has_year else None
        seq = int(match.group("seq"))
        if template(year=year or 0, seq=seq) != number:  # e.g. F2026-00007 for {seq:04}
            return None
        return year, seq

    return parse


@functools.lru_cache(maxsize=1 << 17)
def _parse_number(series: Series, number: str) -> tuple[int | None, int] | None:
    return series._parse(number)


def series_of(config: Config, entity: str) -> tuple[Series, Series]:
    settings: SeriesConfig = config.entity(entity).series
    return Series("invoice", settings.invoice), Series("credit-note", settings.credit_note)


# --------------------------------------------------------------------------- the index


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
        return bool(self.credit_notes)

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

    @classmethod
    def of(cls, config: Config, ledger: LoadedLedger) -> Accounts:
        from alusage_ledger.books.roles import role_account

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


def _meta_rate(meta: Any) -> str | None:
    value = (meta or {}).get("vat-rate")
    if isinstance(value, str) and value and "," not in value:
        return value
    return None


def _meta_str(meta: Any, key: str) -> str | None:
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
    txn_activity = _meta_str(meta, "activity")
    if txn_activity is not None and "," in txn_activity:
        txn_activity = None
    txn_rate = _meta_rate(meta)
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
                (_meta_str(pmeta, "activity") if pmeta else None)
                or txn_activity
                or by_account.get(account)
                or account
            )
            rate = (_meta_rate(pmeta) if pmeta else None) or txn_rate or NO_VAT
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
            rate = (_meta_rate(item.meta) if item.meta else None) or default_rate
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
    client = _meta_str(meta, "client") or entry.payee or ""
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
        project=_meta_str(meta, "project"),
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
    import weakref

    _INDEX_CACHE[:] = [item for item in _INDEX_CACHE if item[0]() is not None]
    for cached_ledger, cached_config, cached in _INDEX_CACHE:
        if cached_config is config and cached_ledger() is ledger:
            return cached
    index = _build_index(config, ledger)
    _INDEX_CACHE.append((weakref.ref(ledger), config, index))
    del _INDEX_CACHE[:-4]
    return index


def _build_index(config: Config, ledger: LoadedLedger) -> SalesIndex:
    from beancount.core import data

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
            rate_default = _meta_rate(meta) or "?"
            pending: dict[str, Decimal] = {}
            ttc = ZERO
            for posting in entry.postings:
                if posting.units is None:
                    continue
                kind = kinds[posting.account]
                if kind & KIND_PENDING:
                    rate = _meta_rate(posting.meta) or rate_default
                    pending[rate] = pending.get(rate, ZERO) + posting.units.number
            for posting in entry.postings:
                if posting.units is not None and kinds[posting.account] & KIND_CLIENT:
                    ttc += posting.units.number
            notes[note_number] = CreditNote(
                number=note_number,
                entry=entry,
                invoice=number,
                ttc=-ttc,
                pending=pending,
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
                moved_rate = _meta_rate(posting.meta)
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


# --------------------------------------------------------------------------- writing helpers


# --------------------------------------------------------------------------- invoice add


@dataclass(frozen=True)
class LineRequest:
    activity: str
    amount: Decimal
    vat: VatChoice | None = None


def parse_amount_arg(text: str, what: str) -> Decimal:
    try:
        return parse_amount(text, allow_negative=False, allow_zero=False)
    except MoneyError as exc:
        raise UsageError(
            _(
                "The {what} {value!r} is not a valid amount: use digits with at most 2 decimals, "
                "more than zero, e.g. 1200.00."
            ).format(what=what, value=exc.text)
        ) from None


def parse_line(text: str) -> LineRequest:
    """``--line "activity:amount[:vat]"`` (vat as for ``--vat``, e.g. ``exempt:CGI ...``)."""
    parts = text.split(":", 2)
    if len(parts) < 2 or not parts[0].strip() or not parts[1].strip():
        raise UsageError(
            _(
                '--line {value!r}: write "activity:amount[:vat]", e.g. "programmation:1200.00:20".'
            ).format(value=text)
        )
    vat = parse_vat(parts[2]) if len(parts) == 3 and parts[2].strip() else None
    return LineRequest(parts[0].strip(), parse_amount_arg(parts[1], _("amount")), vat)


@dataclass(frozen=True)
class InvoiceRequest:
    entity: str
    client: str
    lines: tuple[LineRequest, ...]
    day: date
    due: date | None = None
    client_siren: str | None = None
    project: str | None = None
    label: str | None = None
    number: str | None = None


@dataclass
class Planned:
    """What a sales command is about to write: the entry, the opens, a summary."""

    entity: str
    entry: Any
    opens: list[Any]
    number: str
    appends: list[Any]
    notes: list[str] = field(default_factory=list)
    ht: Decimal = ZERO
    vat: Decimal = ZERO
    ttc: Decimal = ZERO


def _resolve_activity(config: Config, entity: str, name: str) -> ActivityConfig:
    from alusage_ledger.core.suggest import did_you_mean

    acts = activities_of(config, entity)
    found = acts.get(name.strip().lower())
    if found is None:
        raise UsageError(
            _("Unknown activity {name!r}{hint} for {entity}; its activities are: {known}.").format(
                name=name,
                hint=did_you_mean(name, acts),
                entity=entity,
                known=", ".join(sorted(acts)) or "-",
            )
        )
    return found


def series_numbers(
    series: Series, documents: Iterable[tuple[str, Any]]
) -> dict[int | None, list[tuple[int, str, Any]]]:
    """Documents of a series grouped by year: ``{year: [(seq, number, entry)...]}``."""
    out: dict[int | None, list[tuple[int, str, Any]]] = {}
    for number, entry in documents:
        parsed = series.parse(number)
        if parsed is None:
            continue
        year, seq = parsed
        out.setdefault(year, []).append((seq, number, entry))
    for items in out.values():
        items.sort(key=lambda item: item[0])
    return out


def _choose_number(
    series: Series,
    wanted: str | None,
    day: date,
    existing: dict[str, Any],
    what: str,
) -> tuple[str, list[str]]:
    """The next number of ``series`` for ``day`` (or check ``wanted`` fits); notes to print."""
    groups = series_numbers(series, existing.items())
    key = series.key(day)
    items = groups.get(key, [])
    notes: list[str] = []
    if wanted is None:
        if items and items[-1][2].date > day:
            raise RefusedError(
                _(
                    "The last {what} of the series, {number}, is dated {last}: a new one cannot "
                    "be dated earlier ({day}); numbers and dates must both increase."
                ).format(what=what, number=items[-1][1], last=items[-1][2].date, day=day)
            )
        seq = items[-1][0] + 1 if items else 1
        return series.format(day.year, seq), notes
    number = wanted.strip()
    parsed = series.parse(number)
    if parsed is None or parsed[0] != key:
        raise UsageError(
            _(
                "The number {number!r} does not fit the series {pattern} for {year}; e.g. {example}."
            ).format(
                number=wanted,
                pattern=series.pattern,
                year=day.year,
                example=series.format(day.year, (items[-1][0] + 1) if items else 1),
            )
        )
    if number in existing:
        raise RefusedError(
            _("The number {number} is already used (dated {day}).").format(
                number=number, day=existing[number].date
            )
        )
    seq = parsed[1]
    before = [item for item in items if item[0] < seq]
    after = [item for item in items if item[0] > seq]
    if (before and before[-1][2].date > day) or (after and after[0][2].date < day):
        raise RefusedError(
            _(
                "The date {day} of {number} is out of order with its neighbours in the series; "
                "dates must not decrease along numbers."
            ).format(day=day, number=number)
        )
    expected = (items[-1][0] + 1) if items else 1
    if seq > expected and not after:
        notes.append(
            _("Numbers {first} to {last} are not recorded yet.").format(
                first=series.format(day.year, expected), last=series.format(day.year, seq - 1)
            )
        )
    return number, notes


def plan_invoice(config: Config, ledger: LoadedLedger, request: InvoiceRequest) -> Planned:
    """Build (pure, apart from reading the ledger) the invoice transaction and its opens."""
    from alusage_ledger.domains.sales import vat as vat_mod

    entity = request.entity
    index = sales_index(config, ledger)
    client = clean_text(request.client, _("client name"))
    assert client is not None
    label = clean_text(request.label, _("label"))
    project = clean_text(request.project, _("project"))
    siren = request.client_siren.strip() if request.client_siren else None
    if siren is not None and not (len(siren) == 9 and siren.isdigit()):
        raise UsageError(_("--client-siren {value!r}: a SIREN is 9 digits.").format(value=siren))
    if not request.lines:
        raise UsageError(_("Give --activity and --amount-ht, or at least one --line."))
    if request.due is not None and request.due < request.day:
        raise UsageError(
            _("The due date {due} is before the invoice date {day}.").format(
                due=request.due, day=request.day
            )
        )
    regime = vat_mod.regime_on(config, entity, request.day)
    franchise = regime.regime == "franchise"
    invoice_series, _credit = series_of(config, entity)
    number, notes = _choose_number(
        invoice_series,
        request.number,
        request.day,
        {n: inv.entry for n, inv in index.invoices.items()},
        _("invoice"),
    )

    opener = Opener(config, ledger, request.day)
    lines: list[tuple[str, ActivityConfig, Decimal, VatChoice]] = []
    for line in request.lines:
        activity = _resolve_activity(config, entity, line.activity)
        name = line.activity.strip().lower()
        choice = line.vat
        if franchise:
            if choice is not None and choice.rate != EXEMPT:
                raise UsageError(
                    _(
                        "{entity} is under the VAT franchise (art. 293 B du CGI) on {day}: its "
                        "invoices carry no VAT; drop --vat or change its regime in alusage.toml."
                    ).format(entity=entity, day=request.day)
                )
            choice = choice or VatChoice(NO_VAT)
        elif choice is None:
            choice = VatChoice(activity.rate, activity.exemption)
        if choice.rate == EXEMPT and not choice.exemption:
            if activity.exemption:
                choice = VatChoice(EXEMPT, activity.exemption)
            else:
                raise UsageError(
                    _(
                        "An exempt invoice must cite its legal basis: write --vat "
                        '"exempt:<basis>", e.g. "exempt:CGI art. 261-4-4° a".'
                    )
                )
        lines.append((name, activity, line.amount, choice))

    exemptions = sorted({c.exemption for _n, _a, _m, c in lines if c.exemption})
    if len(exemptions) > 1:
        raise UsageError(_("One invoice can cite only one exemption basis."))

    # VAT per rate on the total of the rate (not per line), split between goods (due now)
    # and services (pending until paid, unless the entity opted for debits).
    by_rate: dict[str, list[tuple[str, ActivityConfig, Decimal]]] = {}
    for name, activity, amount, choice in lines:
        by_rate.setdefault(choice.rate, []).append((name, activity, amount))
    multi = len(lines) > 1
    income_postings = []
    for name, activity, amount, choice in lines:
        account = opener.need(
            activity.account,
            activity.pcg or ("707" if activity.kind == "goods" else _SERVICES_706[0]),
            activity.label
            or ("Ventes de marchandises" if activity.kind == "goods" else _SERVICES_706[1]),
        )
        line_meta: dict[str, Any] | None = None
        if multi:
            line_meta = (
                {"activity": name} if franchise else {"activity": name, "vat-rate": choice.rate}
            )
        income_postings.append(posting(account, -amount, line_meta))
    vat_postings = []
    total_vat = ZERO
    for rate, items in by_rate.items():
        if rate in (EXEMPT, NO_VAT):
            continue
        base = sum((amount for _n, _a, amount in items), ZERO)
        tax = vat_on(base, rate)
        total_vat += tax
        services = sum((a for _n, act, a in items if act.kind == "services"), ZERO)
        goods = base - services
        if regime.exigibility == "debits":
            services, goods = ZERO, base
        parts = split_exact(tax, {"services": services, "goods": goods}) if tax else {}
        rate_meta: dict[str, Any] | None = {"vat-rate": rate} if multi else None
        if parts.get("services"):
            vat_postings.append(posting(opener.role("vat-pending"), -parts["services"], rate_meta))
        if parts.get("goods"):
            vat_postings.append(posting(opener.role("vat-collected"), -parts["goods"], rate_meta))
    ht = sum((amount for _n, _a, amount, _c in lines), ZERO)
    ttc = ht + total_vat
    receivable = index.by_client().get(client)
    if receivable is None:
        from alusage_ledger.books.roles import account_component, role_account

        parent = role_account(config, entity, "clients")
        receivable = opener.need(
            f"{parent.account}:{account_component(client)}", parent.pcg, parent.label
        )
    else:
        opener.need(receivable, "411", "Clients")
    due = request.due or request.day + timedelta(days=config.entity(entity).series.payment_days)
    names = [name for name, *_rest in lines]
    rates = []
    for _n, _a, _m, choice in lines:
        if choice.rate not in rates:
            rates.append(choice.rate)
    txn_meta: dict[str, Any] = {
        "invoice": number,
        "client": client,
        "client-siren": siren,
        "activity": ",".join(dict.fromkeys(names)),
        "vat-rate": None
        if franchise and rates == [NO_VAT]
        else ",".join(r for r in rates if r != NO_VAT),
        "vat-exemption": exemptions[0] if exemptions else None,
        "vat-mention": regime.mention if franchise else None,
        "due-date": due,
        "project": project,
    }
    narration = ledger_text(config, N_("Invoice {number}")).format(number=number)
    if label:
        narration = f"{narration} - {label}"
    entry = transaction(
        request.day,
        client,
        narration,
        [number],
        txn_meta,
        [posting(receivable, ttc), *income_postings, *vat_postings],
    )
    return Planned(
        entity,
        entry,
        opener.opens,
        number,
        opener.appends([entry]),
        notes,
        ht=ht,
        vat=total_vat,
        ttc=ttc,
    )


# --------------------------------------------------------------------------- find an invoice


def locate_invoice(ws: Workspace, number: str, entity: str | None) -> str:
    """The entity whose ledger holds invoice ``number`` (``--entity`` or a unique match)."""
    if entity is not None:
        ws.config.entity(entity)
        return entity
    found = []
    for candidate in ws.config.entities:
        try:
            ledger = ws.load_checked(candidate)
        except LedgerErrors:  # a ledger with errors is searched once it is fixed
            continue
        if number in sales_index(ws.config, ledger).invoices:
            found.append(candidate)
    if not found:
        raise UsageError(
            _(
                "No invoice numbered {number} in any ledger; see 'alusage-ledger invoice list'."
            ).format(number=number)
        )
    if len(found) > 1:
        raise UsageError(
            _("The invoice number {number} exists in {entities}; pass --entity.").format(
                number=number, entities=", ".join(found)
            )
        )
    return found[0]


def get_invoice(index: SalesIndex, number: str, entity: str) -> Invoice:
    from alusage_ledger.core.suggest import did_you_mean

    invoice = index.invoices.get(number.strip())
    if invoice is None:
        raise UsageError(
            _("No invoice numbered {number} in the ledger of {entity}{hint}.").format(
                number=number, entity=entity, hint=did_you_mean(number, index.invoices)
            )
        )
    return invoice


# --------------------------------------------------------------------------- invoice pay


@dataclass(frozen=True)
class PaymentRequest:
    entity: str
    number: str
    day: date
    amount: Decimal | None = None
    account: str | None = None
    method: str | None = None


PAYMENT_METHODS = ("virement", "cheque", "especes", "carte", "prelevement")


def resolve_payment_account(config: Config, ledger: LoadedLedger, text: str | None) -> str:
    """``--account``: a role (``bank``, ``cash``) or an open account name."""
    from alusage_ledger.books.roles import DEFAULT_ROLES, role_account
    from alusage_ledger.core.suggest import did_you_mean

    value = (text or "bank").strip()
    if value in DEFAULT_ROLES:
        account = role_account(config, ledger.entity, value).account
    else:
        account = value
    opened = ledger.open_accounts()
    if account not in opened:
        raise UsageError(
            _("The account {account!r} is not open in the ledger of {entity}{hint}.").format(
                account=account, entity=ledger.entity, hint=did_you_mean(account, opened)
            )
        )
    return account


def _share(total: Decimal, part: Decimal, whole: Decimal) -> Decimal:
    if whole == 0:
        return ZERO
    return quantize_cents(Fraction(total) * Fraction(part) / Fraction(whole))


def plan_payment(config: Config, ledger: LoadedLedger, request: PaymentRequest) -> Planned:
    index = sales_index(config, ledger)
    invoice = get_invoice(index, request.number, request.entity)
    if invoice.cancelled:
        raise RefusedError(
            _(
                "The invoice {number} was cancelled by the credit note {note}; nothing is due."
            ).format(number=invoice.number, note=invoice.credit_notes[0].number)
        )
    remaining = invoice.remaining
    if remaining <= 0:
        raise RefusedError(
            _("The invoice {number} is already paid in full.").format(number=invoice.number)
        )
    amount = remaining if request.amount is None else request.amount
    if amount > remaining:
        raise RefusedError(
            _(
                "{amount} is more than what is due on {number} ({remaining}); record the "
                "surplus separately."
            ).format(amount=amount, number=invoice.number, remaining=remaining)
        )
    if request.day < invoice.date:
        raise UsageError(
            _("The receipt date {day} is before the invoice date {invoice_day}.").format(
                day=request.day, invoice_day=invoice.date
            )
        )
    method = request.method
    if method is not None:
        method = method.strip().lower()
        if method not in PAYMENT_METHODS:
            raise UsageError(
                _("--method {value!r}: use one of {known}.").format(
                    value=request.method, known=", ".join(PAYMENT_METHODS)
                )
            )
    account = resolve_payment_account(config, ledger, request.account)
    opener = Opener(config, ledger, request.day)
    received_after = invoice.received + amount
    full = amount == remaining
    left = invoice.pending_left()
    multi = len([r for r in invoice.pending if invoice.pending[r]]) > 1 or not invoice.simple
    postings_out = [posting(account, amount), posting(invoice.receivable, -amount)]
    services_base: dict[str, Decimal] = {}
    for line in invoice.lines:
        if line.kind == "services" and line.rate not in (EXEMPT, NO_VAT):
            services_base[line.rate] = services_base.get(line.rate, ZERO) + line.ht
    moved_total = ZERO
    for rate, pending_total in invoice.pending.items():
        if not pending_total:
            continue
        moved_before = pending_total - left.get(rate, ZERO)
        if full:
            move = left.get(rate, ZERO)
        else:
            target = _share(pending_total, received_after, invoice.ttc)
            move = min(max(target - moved_before, ZERO), left.get(rate, ZERO))
        if not move:
            continue
        meta_pending = {"vat-rate": rate} if multi else None
        meta_collected: dict[str, Any] | None = None
        if multi:
            base = _share(services_base.get(rate, ZERO), amount, invoice.ttc)
            meta_collected = {"vat-rate": rate, "vat-base": base}
        moved_total += move
        postings_out.append(posting(opener.role("vat-pending"), move, meta_pending))
        postings_out.append(posting(opener.role("vat-collected"), -move, meta_collected))
    narration = ledger_text(config, N_("Receipt {number}")).format(number=invoice.number)
    entry = transaction(
        request.day,
        invoice.client,
        narration,
        [invoice.number],
        {"invoice": invoice.number, "payment-method": method},
        postings_out,
    )
    return Planned(
        request.entity,
        entry,
        opener.opens,
        invoice.number,
        opener.appends([entry]),
        ttc=amount,
        vat=moved_total,
    )


# --------------------------------------------------------------------------- invoice cancel


@dataclass(frozen=True)
class CancelRequest:
    entity: str
    number: str
    day: date
    reason: str | None = None


def plan_credit_note(config: Config, ledger: LoadedLedger, request: CancelRequest) -> Planned:
    index = sales_index(config, ledger)
    invoice = get_invoice(index, request.number, request.entity)
    if invoice.cancelled:
        raise RefusedError(
            _("The invoice {number} is already cancelled by {note}.").format(
                number=invoice.number, note=invoice.credit_notes[0].number
            )
        )
    reason = clean_text(request.reason, _("reason"))
    if request.day < invoice.date:
        raise UsageError(
            _("The credit note date {day} is before the invoice date {invoice_day}.").format(
                day=request.day, invoice_day=invoice.date
            )
        )
    _invoice_series, credit_series = series_of(config, request.entity)
    number, _notes = _choose_number(
        credit_series,
        None,
        request.day,
        {n: note.entry for n, note in index.credit_notes.items()},
        _("credit note"),
    )
    opener = Opener(config, ledger, request.day)
    multi = len(invoice.lines) > 1
    postings_out = [posting(invoice.receivable, -invoice.ttc)]
    for line in invoice.lines:
        meta = {"activity": line.activity, "vat-rate": line.rate} if multi else None
        if meta is not None and line.rate == NO_VAT:
            meta = {"activity": line.activity}
        postings_out.append(posting(line.account, line.ht, meta))
    left = invoice.pending_left()
    base_by_rate: dict[str, Decimal] = {}
    for line in invoice.lines:
        base_by_rate[line.rate] = base_by_rate.get(line.rate, ZERO) + line.ht
    rates_with_vat = [r for r in invoice.vat if invoice.vat[r]]
    for rate in rates_with_vat:
        total = invoice.vat[rate]
        pending_part = left.get(rate, ZERO)
        collected_part = total - pending_part
        meta_rate: dict[str, Any] | None = (
            {"vat-rate": rate} if len(rates_with_vat) > 1 or multi else None
        )
        if pending_part:
            postings_out.append(posting(opener.role("vat-pending"), pending_part, meta_rate))
        if collected_part:
            base = _share(base_by_rate.get(rate, ZERO), collected_part, total)
            base_meta: dict[str, Any] = {"vat-rate": rate, "vat-base": -base}
            postings_out.append(posting(opener.role("vat-collected"), collected_part, base_meta))
    narration = ledger_text(config, N_("Credit note {number} cancelling invoice {invoice}")).format(
        number=number, invoice=invoice.number
    )
    imeta = invoice.entry.meta or {}
    entry = transaction(
        request.day,
        invoice.client,
        narration,
        [number, invoice.number],
        {
            "credit-note": number,
            "invoice": invoice.number,
            "client": invoice.client,
            "activity": _meta_str(imeta, "activity"),
            "vat-rate": _meta_str(imeta, "vat-rate"),
            "project": _meta_str(imeta, "project"),
            "reason": reason,
        },
        postings_out,
    )
    return Planned(
        request.entity,
        entry,
        opener.opens,
        number,
        opener.appends([entry]),
        ht=invoice.ht,
        vat=invoice.vat_total,
        ttc=invoice.ttc,
    )


def _write(
    ws: Workspace, entity: str, plan: Any, request: Any, dry_run: bool
) -> tuple[Planned, list[Any]]:
    """Under the workspace lock: load (no error allowed), plan, write (W1-W8)."""
    with ws.lock():
        ledger = ws.load_checked(entity)
        planned: Planned = plan(ws.config, ledger, request)
        files = ws.write(planned.appends, dry_run=dry_run)
    return planned, files


def add_invoice(
    ws: Workspace, request: InvoiceRequest, *, dry_run: bool = False
) -> tuple[Planned, list[Any]]:
    return _write(ws, request.entity, plan_invoice, request, dry_run)


def pay_invoice(
    ws: Workspace, request: PaymentRequest, *, dry_run: bool = False
) -> tuple[Planned, list[Any]]:
    return _write(ws, request.entity, plan_payment, request, dry_run)


def cancel_invoice(
    ws: Workspace, request: CancelRequest, *, dry_run: bool = False
) -> tuple[Planned, list[Any]]:
    return _write(ws, request.entity, plan_credit_note, request, dry_run)


# --------------------------------------------------------------------------- invoice list


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
    status: str  # paid | partial | unpaid | cancelled
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
        elif remaining <= 0:
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


# --------------------------------------------------------------------------- check rules


def _series_problems(
    ws: Workspace,
    ledger: LoadedLedger,
    series: Series,
    documents: dict[str, Any],
    duplicates: list[tuple[str, Any]],
) -> Iterable[LedgerProblem]:
    entity = ledger.entity
    for number, entry in duplicates:
        first = documents.get(number)
        where = ""
        if first is not None:
            meta = first.meta or {}
            where = f" ({Path(str(meta.get('filename', ''))).name}:{meta.get('lineno')})"
        yield problem_at(
            ws,
            entity,
            entry,
            _("the number {number} is used twice{where}; numbers must be unique.").format(
                number=number, where=where
            ),
        )
    # series_numbers(series, documents.items()), each number parsed once
    parse = series.parser()
    parsed = {number: parse(number) for number in documents}
    groups: dict[int | None, list[tuple[int, str, Any]]] = {}
    for number, entry in documents.items():
        found = parsed[number]
        if found is not None:
            groups.setdefault(found[0], []).append((found[1], number, entry))
    for items in groups.values():
        items.sort(key=lambda item: item[0])
    start = ws.config.entity(entity).books_start_date()
    for number, entry in documents.items():
        if parsed[number] is None:
            yield problem_at(
                ws,
                entity,
                entry,
                _("the number {number} does not fit the series {pattern}.").format(
                    number=number, pattern=series.pattern
                ),
                "warning",
            )
    for year, items in sorted(groups.items(), key=lambda kv: kv[0] or 0):
        # Books started mid-year: the first numbers of that year live in the old books.
        first_seq = 1
        if (start is not None and year == start.year and start.month > 1) or (
            year is None and start
        ):
            first_seq = items[0][0]
        present = {seq for seq, _n, _e in items}
        missing = [s for s in range(first_seq, items[-1][0]) if s not in present]
        if missing:
            shown = [series.format(year or 0, s) for s in missing[:20]]
            more = len(missing) - len(shown)
            text = ", ".join(shown) + (f" (+{more})" if more > 0 else "")
            yield problem_at(
                ws,
                entity,
                items[-1][2],
                _(
                    "the series {pattern} has a gap: {numbers} missing (numbering must be "
                    "continuous; cancel with a credit note, never delete)."
                ).format(pattern=series.pattern, numbers=text),
            )
        for (_s1, n1, e1), (_s2, n2, e2) in itertools.pairwise(items):
            if e2.date < e1.date:
                yield problem_at(
                    ws,
                    entity,
                    e2,
                    _(
                        "{number} is dated {day}, before {previous} ({previous_day}): dates must "
                        "not decrease along numbers."
                    ).format(number=n2, day=e2.date, previous=n1, previous_day=e1.date),
                )


@entity_rule
def invoice_numbering(ws: Workspace, ledger: LoadedLedger) -> Iterable[LedgerProblem]:
    """Continuous numbering per series and year; no duplicate; dates follow numbers."""
    index = sales_index(ws.config, ledger)
    invoice_series, credit_series = series_of(ws.config, ledger.entity)
    yield from _series_problems(
        ws,
        ledger,
        invoice_series,
        {n: i.entry for n, i in index.invoices.items()},
        [(n, e) for kind, n, e in index.duplicates if kind == "invoice"],
    )
    yield from _series_problems(
        ws,
        ledger,
        credit_series,
        {n: c.entry for n, c in index.credit_notes.items()},
        [(n, e) for kind, n, e in index.duplicates if kind == "credit-note"],
    )
    for note in index.credit_notes.values():
        if note.invoice is not None and note.invoice not in index.invoices:
            yield problem_at(
                ws,
                ledger.entity,
                note.entry,
                _(
                    "the credit note {number} cancels {invoice}, which is not in this ledger."
                ).format(number=note.number, invoice=note.invoice),
            )
