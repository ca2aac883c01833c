"""Supplier bills and their payments, with deductible VAT by exigibility.

A bill is one transaction: the expense account(s) in the debit, the deductible VAT, and
the supplier's payable (a sub-account of the role ``suppliers``, PCG 401) in the credit.
It carries the supplier's own number (``piece-ref``), the document's date when it is
booked later (``piece-date``), the months it covers (``period``) and the link
``^<entity>-<piece-ref>`` that its payments share::

    2026-11-03 * "Hébergeur Coop" "Hébergement - novembre 2026" ^alusage-HC-2026-11-0417
      piece-ref: "HC-2026-11-0417"
      supplier: "Hébergeur Coop"
      vat-rate: "20"
      Charges:Honoraires                          36.00 EUR
      Actif:Etat:TVADeductibleEnAttente            7.20 EUR
      Passif:Fournisseurs:HebergeurCoop          -43.20 EUR

Deductible VAT follows the supplier's exigibility (CGI art. 269 and 271): VAT on goods
is deductible at the invoice, VAT on services when the service is paid, unless the
supplier opted for débits. The entity's ``exigibility`` setting (``encaissements`` by
default) says which rule its suppliers follow; ``--exigibility`` overrides it per bill.
Service VAT under ``encaissements`` waits on ``vat-deductible-pending`` (4458x) and moves
to ``vat-deductible`` (44566) with each payment, in proportion to what was paid. A
``franchise`` or ``micro`` entity deducts nothing: it books the total, VAT included.

The helpers at the top (amounts, dates, VAT rates, accounts opened on first use) are
shared by :mod:`expenses` and :mod:`recurring`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from beancount.core import data

from alusage_ledger.books import checks, entries
from alusage_ledger.books.accounts import Opener as Opener
from alusage_ledger.books.accounts import (
    account_meta as account_meta,
)
from alusage_ledger.books.accounts import (
    resolve_account as resolve_account,
)
from alusage_ledger.books.accounts import (
    resolve_payment_account as resolve_payment_account,
)
from alusage_ledger.books.accounts import (
    role_parent as role_parent,
)
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
    link_part as link_part,
)
from alusage_ledger.books.entries import (
    transaction as transaction,
)
from alusage_ledger.books.vatregime import regime_on
from alusage_ledger.core.errors import ConfigError, LedgerProblem, UsageError
from alusage_ledger.core.i18n import N_, _
from alusage_ledger.core.money import ZERO, MoneyError, parse_amount, quantize_cents, split_exact

if TYPE_CHECKING:
    from alusage_ledger.books.config import Config
    from alusage_ledger.books.ledger import LoadedLedger, Workspace

CURRENCY = "EUR"
#: VAT rates a bill or an expense claim may carry (France métropolitaine and DOM).
VAT_RATES = ("20", "10", "8.5", "5.5", "2.1", "1.05", "0.9")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


# --------------------------------------------------------------------------- input


def amount_arg(text: str, what: str, *, allow_zero: bool = False) -> Decimal:
    """A positive amount typed by the user; one clear sentence (exit 2) otherwise."""
    try:
        return parse_amount(text, allow_negative=False, allow_zero=allow_zero)
    except MoneyError as exc:
        if exc.reason == "too-many-decimals":
            message = _("The {what} {value!r} has more than 2 decimals.")
        elif exc.reason == "negative":
            message = _("The {what} {value!r} must not be negative.")
        elif exc.reason == "zero":
            message = _("The {what} {value!r} must not be zero.")
        else:
            message = _("The {what} {value!r} is not an amount (e.g. 1200.00 or 1 200,00).")
        raise UsageError(message.format(what=what, value=text)) from None


def date_arg(text: str | None, what: str, default: date | None = None) -> date:
    """An ISO date typed by the user (``2026-11-30``); today when omitted (``ALUSAGE_TODAY``
    or the clock, :func:`~alusage_ledger.domains.closing.close.resolve_today`)."""
    if text is None or text == "":
        from alusage_ledger.core.periods import resolve_today

        return default or resolve_today()
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(
            _("The {what} {value!r} is not a date; write it as YYYY-MM-DD.").format(
                what=what, value=text
            )
        ) from None


def parse_vat_rate(text: str | None) -> tuple[Decimal | None, str | None]:
    """``"20"``, ``"5,5"``, ``"0"``, ``"exempt"`` → (rate, the text written as ``vat-rate``)."""
    if text is None:
        return None, None
    cleaned = text.strip().replace(",", ".").removesuffix("%").strip()
    if cleaned in ("0", "0.0", "exempt", "none", ""):
        return None, "exempt"
    if cleaned.endswith(".0"):
        cleaned = cleaned[:-2]
    if cleaned not in VAT_RATES:
        raise UsageError(
            _("Unknown VAT rate {value!r}; use one of {rates} or exempt.").format(
                value=text, rates=", ".join(VAT_RATES)
            )
        )
    return Decimal(cleaned), cleaned


def vat_of(ht: Decimal, rate: Decimal) -> Decimal:
    """VAT on an amount before tax, rounded half-up to the cent (as on an invoice)."""
    return quantize_cents(ht * rate / Decimal(100))


def vat_in(ttc: Decimal, rate: Decimal) -> Decimal:
    """The VAT contained in an amount including tax, rounded half-up to the cent."""
    return quantize_cents(ttc * rate / (Decimal(100) + rate))


def check_name(value: str, what: str) -> str:
    """A third party's name as typed: trimmed, safe to write, with a letter or digit."""
    from alusage_ledger.books.ledger import check_text

    name = value.strip()
    check_text(name, what)
    if not any(ch.isalnum() for ch in name):
        raise UsageError(
            _("The {what} {value!r} needs at least one letter or digit.").format(
                what=what, value=value
            )
        )
    return name


def check_period(value: str | None) -> str | None:
    """The months a charge covers: ``2026-11`` or ``2026-09..2026-11``."""
    if value is None:
        return None
    parts = value.strip().split("..")
    if len(parts) > 2 or not all(_MONTH.fullmatch(p) for p in parts) or parts[0] > parts[-1]:
        raise UsageError(
            _("The period {value!r} must be a month YYYY-MM or a range YYYY-MM..YYYY-MM.").format(
                value=value
            )
        )
    return value.strip()


def period_range(text: str) -> tuple[date, date]:
    """A reporting period: ``2026``, ``2026-11``, ``2026-Q4`` or ``FROM..TO`` (months/days)."""
    import calendar

    def bounds(piece: str) -> tuple[date, date] | None:
        piece = piece.strip()
        if re.fullmatch(r"\d{4}", piece):
            return date(int(piece), 1, 1), date(int(piece), 12, 31)
        quarter = re.fullmatch(r"(\d{4})-[Qq]([1-4])", piece)
        if quarter:
            year, q = int(quarter.group(1)), int(quarter.group(2))
            last = 3 * q
            return date(year, last - 2, 1), date(year, last, calendar.monthrange(year, last)[1])
        if _MONTH.fullmatch(piece):
            year, month = int(piece[:4]), int(piece[5:])
            return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
        try:
            day = date.fromisoformat(piece)
        except ValueError:
            return None
        return day, day

    parts = text.split("..")
    found = [bounds(p) for p in parts] if len(parts) <= 2 else [None]
    if any(b is None for b in found) or found[0][0] > found[-1][1]:  # type: ignore[index]
        raise UsageError(
            _(
                "The period {value!r} must be a year (2026), a month (2026-11), a quarter "
                "(2026-Q4) or a range FROM..TO."
            ).format(value=text)
        )
    return found[0][0], found[-1][1]  # type: ignore[index]


# --------------------------------------------------------------------------- VAT settings


@dataclass(frozen=True)
class VatTreatment:
    """How an entity handles VAT on a day: its regime and its suppliers' exigibility."""

    regime: str  # franchise | rsi | reel-mensuel | reel-trimestriel
    exigibility: str  # encaissements | debits

    @property
    def deducts(self) -> bool:
        return self.regime != "franchise"


def vat_treatment(config: Config, entity: str, day: date) -> VatTreatment:
    """The entity's VAT regime on ``day`` (``[[entities.<id>.vat]]``, see vat.py).

    A ``micro`` entity is always under the franchise; without any setting a company is
    ``reel-mensuel`` with ``encaissements``.
    """
    if config.entity(entity).kind == "micro":
        return VatTreatment("franchise", "encaissements")
    setting = regime_on(config, entity, day)
    return VatTreatment(str(setting.regime), str(setting.exigibility))


def nature_of(pcg: str | None) -> str:
    """Goods or services, from the PCG number of the expense account.

    Purchases of class 60 (stocks, supplies, water and energy: deliveries of goods for
    VAT) and fixed assets (class 2) are goods; everything else is a service.
    """
    if pcg and (pcg.startswith("60") or pcg.startswith("2")):
        return "goods"
    return "services"


def vat_kind(nature: str, pcg: str | None) -> str:
    """The ``vat-kind`` of a deductible VAT posting, as the VAT return sorts it."""
    if pcg and pcg.startswith("2"):
        return "fixed-assets"
    return nature


# --------------------------------------------------------------------------- accounts


def posting(account: str, number: Decimal, kind: str | None = None) -> Any:
    """A posting with an explicit amount; ``kind`` sets ``vat-kind`` on a VAT posting."""
    meta = None
    if kind is not None:
        meta = data.new_metadata("<alusage>", 0)
        meta["vat-kind"] = kind
    return entries.posting(account, number, meta)


# --------------------------------------------------------------------------- documents


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


def _units(entry: Any, account: str) -> Decimal:
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
    from beancount.core import data

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
            amount = _units(entry, account)
            if amount > 0:
                is_payment = True
            if amount >= 0:
                continue
            meta = entry.meta or {}
            vat_now = _units(entry, deductible)
            vat_later = _units(entry, pending)
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
            amount = _units(entry, account)
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
                linked[0].pending_left += _units(entry, pending)
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
    from alusage_ledger.books.roles import account_component

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


# --------------------------------------------------------------------------- bill add


@dataclass(frozen=True)
class BillLine:
    account: str  # as typed: an account name or a PCG number
    amount: Decimal  # before tax
    rate: Decimal | None
    rate_text: str | None


def parse_line(text: str, default_rate: str | None) -> BillLine:
    """``"Charges:Le97:Loyer:1200.00"`` or ``"6132:1200,00:20"`` (account:amount[:vat])."""
    parts = text.strip().split(":")
    if len(parts) < 2:
        raise UsageError(
            _("The line {value!r} must read account:amount[:vat], e.g. 6132:1200.00:20.").format(
                value=text
            )
        )

    def amount_like(piece: str) -> bool:
        return bool(piece.strip()) and all(c.isdigit() or c in ",. \u00a0\u202f" for c in piece)

    # Account names contain colons: the amount is the last amount-like field but one
    # (with a VAT rate) or the last (without); a rate alone is never an amount with decimals.
    rate_text: str | None
    if len(parts) >= 3 and amount_like(parts[-2]) and _rate_like(parts[-1]):
        account, amount_text, rate_text = ":".join(parts[:-2]), parts[-2], parts[-1]
    else:
        account, amount_text, rate_text = ":".join(parts[:-1]), parts[-1], default_rate
    if not account:
        raise UsageError(_("The line {value!r} names no account.").format(value=text))
    rate, written = parse_vat_rate(rate_text)
    return BillLine(account, amount_arg(amount_text, _("line amount")), rate, written)


def _rate_like(piece: str) -> bool:
    cleaned = piece.strip().replace(",", ".").removesuffix("%")
    return cleaned in (*VAT_RATES, "0", "exempt", "none") or (
        cleaned.endswith(".0") and cleaned[:-2] in VAT_RATES
    )


@dataclass(frozen=True)
class BillRequest:
    entity: str
    supplier: str
    lines: tuple[BillLine, ...]
    day: date
    piece_ref: str | None = None
    piece_date: date | None = None
    period: str | None = None
    due: date | None = None
    label: str | None = None
    nature: str | None = None  # goods | services: overrides the account's class
    exigibility: str | None = None  # encaissements | debits: overrides the entity's
    supplier_account: str | None = None  # an existing payable, instead of the derived one
    extra_meta: tuple[tuple[str, Any], ...] = ()


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


def plan_bill(
    config: Config,
    ledger: LoadedLedger,
    request: BillRequest,
    *,
    opener: Opener | None = None,
    planned: Sequence[Any] = (),
) -> tuple[Opener, Any]:
    """The bill's transaction and the accounts it opens (pure: nothing is written).

    ``opener`` and ``planned`` let a caller plan several bills for one write batch.
    """
    supplier = check_name(request.supplier, _("supplier name"))
    if not request.lines:
        raise UsageError(
            _("A bill needs at least one line: --account with --amount-ht, or --line.")
        )
    if request.nature not in (None, "goods", "services"):
        raise UsageError(_("--nature must be goods or services."))
    if request.exigibility not in (None, "encaissements", "debits"):
        raise UsageError(_("--exigibility must be encaissements or debits."))
    period = check_period(request.period)
    opener = opener or Opener(config, ledger, request.day)
    treatment = vat_treatment(config, ledger.entity, request.day)
    exigibility = request.exigibility or treatment.exigibility
    supplier_account = party_account(
        config, ledger, "suppliers", supplier, request.supplier_account
    )
    if supplier_account not in ledger.open_accounts():
        from alusage_ledger.books.roles import role_account

        found = role_account(config, ledger.entity, "suppliers")
        opener.need(supplier_account, found.pcg, found.label)
    meta_by_account = account_meta(ledger)

    lines = [(resolve_account(ledger, line.account, _("account")), line) for line in request.lines]
    for account, _line in lines:
        if is_under(account, role_parent(config, ledger.entity, "suppliers")):
            raise UsageError(
                _("The line account {account} is a supplier account; name the expense.").format(
                    account=account
                )
            )
    # VAT per rate on the rate's total before tax, as French invoices show it.
    by_rate: dict[Decimal, Decimal] = {}
    for _account, line in lines:
        if line.rate is not None:
            by_rate[line.rate] = by_rate.get(line.rate, ZERO) + line.amount
    vat_by_rate = {rate: vat_of(total, rate) for rate, total in by_rate.items()}
    line_vat: dict[int, Decimal] = {}
    for rate, vat in vat_by_rate.items():
        weights = {i: line.amount for i, (_a, line) in enumerate(lines) if line.rate == rate}
        line_vat.update(split_exact(vat, weights))

    expense: dict[str, Decimal] = {}
    vat_postings: dict[tuple[str, str], Decimal] = {}
    for index, (account, line) in enumerate(lines):
        vat = line_vat.get(index, ZERO)
        if not treatment.deducts:
            expense[account] = expense.get(account, ZERO) + line.amount + vat
            continue
        expense[account] = expense.get(account, ZERO) + line.amount
        if vat:
            pcg = meta_by_account.get(account, {}).get("pcg")
            nature = request.nature or nature_of(pcg)
            role = (
                "vat-deductible-pending"
                if nature == "services" and exigibility == "encaissements"
                else "vat-deductible"
            )
            key = (opener.role(role), vat_kind(nature, pcg))
            vat_postings[key] = vat_postings.get(key, ZERO) + vat
    total = sum(expense.values(), ZERO) + sum(vat_postings.values(), ZERO)

    piece_ref = (request.piece_ref or "").strip() or None
    if piece_ref is not None:
        from alusage_ledger.books.ledger import check_text

        check_text(piece_ref, _("piece reference"))
    existing = documents(config, ledger)
    if piece_ref is None:
        from alusage_ledger.books.roles import account_component

        base = f"{account_component(supplier)}-{request.day:%Y%m%d}"
        piece_ref, number = base, 1
        while any(d.piece_ref == piece_ref for d in existing):
            number += 1
            piece_ref = f"{base}-{number}"
    for doc in existing:
        if doc.account == supplier_account and doc.piece_ref == piece_ref:
            raise UsageError(
                _(
                    "The bill {piece} of {supplier} is already booked ({day}); a supplier's "
                    "number is booked once."
                ).format(piece=piece_ref, supplier=supplier, day=doc.date)
            )
    part = link_part(piece_ref)
    if not part:
        raise UsageError(
            _("The piece reference {value!r} needs letters or digits.").format(value=piece_ref)
        )
    link = f"{ledger.entity}-{part}"
    taken = {lk for e in (*ledger.entries, *planned) for lk in (getattr(e, "links", None) or ())}
    if link in taken:
        from alusage_ledger.books.roles import account_component

        link = f"{link}-{account_component(supplier)}"
        if link in taken:
            raise UsageError(
                _("The link ^{link} is already used; give another --piece-ref.").format(link=link)
            )

    rates = sorted({line.rate_text for _a, line in lines if line.rate_text})
    meta: dict[str, Any] = {
        "piece-ref": piece_ref,
        "piece-date": request.piece_date,
        "supplier": supplier,
        "period": period,
        "due-date": request.due,
        "vat-rate": rates[0] if len(rates) == 1 else None,
    }
    meta.update(dict(request.extra_meta))
    label = request.label
    if label is None:
        label = ledger_text(config, N_("Bill {piece}")).format(piece=piece_ref)
    postings = [posting(a, n) for a, n in expense.items()]
    postings += [posting(a, n, kind) for (a, kind), n in vat_postings.items()]
    postings.append(posting(supplier_account, -total))
    return opener, transaction(request.day, supplier, label, [link], meta, postings)


def add_bill(ws: Workspace, request: BillRequest, *, dry_run: bool = False) -> Written:
    with ws.lock():
        ledger = ws.load_checked(request.entity)
        opener, entry = plan_bill(ws.config, ledger, request)
        planned = ws.write(opener.appends([entry]), dry_run=dry_run)
    return _written(request.entity, entry, planned, dry_run)


def _written(entity: str, entry: Any, planned: Sequence[Any], dry_run: bool) -> Written:
    meta = entry.meta or {}
    return Written(
        entity=entity,
        entries=[entry],
        files=[p.rel for p in planned],
        link=sorted(entry.links)[0] if entry.links else None,
        piece_ref=meta.get("piece-ref"),
        dry_run_text="\n".join(p.text for p in planned) if dry_run else "",
    )


# --------------------------------------------------------------------------- bill pay


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
        from alusage_ledger.books.roles import account_component

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


def plan_payment(
    config: Config,
    ledger: LoadedLedger,
    doc: Document,
    *,
    amount: Decimal | None,
    day: date,
    account: str | None,
    narration: str | None = None,
) -> tuple[Opener, Any]:
    """The payment of (part of) a bill, moving its pending VAT in proportion."""
    if doc.remaining <= 0:
        raise UsageError(
            _("The bill {piece} of {supplier} is already paid ({amount}).").format(
                piece=doc.piece_ref, supplier=doc.party, amount=doc.ttc
            )
        )
    pay = doc.remaining if amount is None else amount
    if pay > doc.remaining:
        raise UsageError(
            _(
                "{amount} is more than is due on the bill {piece} of {supplier} "
                "({due} left to pay); nothing was written."
            ).format(amount=pay, piece=doc.piece_ref, supplier=doc.party, due=doc.remaining)
        )
    if day < doc.date:
        raise UsageError(
            _("The payment date {day} is before the bill's date {bill}.").format(
                day=day, bill=doc.date
            )
        )
    opener = Opener(config, ledger, day)
    bank = resolve_payment_account(config, ledger, account)
    postings = [posting(doc.account, pay)]
    move = ZERO
    if doc.pending_vat and doc.pending_left:
        if pay == doc.remaining:
            move = doc.pending_left
        else:
            moved_before = doc.pending_vat - doc.pending_left
            move = quantize_cents(doc.pending_vat * (doc.paid + pay) / doc.ttc) - moved_before
            move = max(ZERO, min(move, doc.pending_left))
    if move:
        postings.append(posting(opener.role("vat-deductible"), move, "services"))
        postings.append(posting(opener.role("vat-deductible-pending"), -move, "services"))
    postings.append(posting(bank, -pay))
    meta: dict[str, Any] = {"piece-ref": doc.piece_ref}
    if (doc.entry.meta or {}).get("supplier"):
        meta["supplier"] = doc.entry.meta["supplier"]
    if (doc.entry.meta or {}).get("person"):
        meta["person"] = doc.entry.meta["person"]
    text = narration or ledger_text(config, N_("Payment {piece}")).format(piece=doc.piece_ref)
    links = sorted(doc.entry.links or ())
    return opener, transaction(day, doc.entry.payee, text, links, meta, postings)


def pay_bill(
    ws: Workspace,
    piece: str,
    *,
    entity: str | None,
    supplier: str | None = None,
    amount: Decimal | None = None,
    day: date,
    account: str | None = None,
    dry_run: bool = False,
) -> tuple[Written, Document]:
    with ws.lock():
        doc, ledger = locate_bill(ws, piece, entity, supplier)
        opener, entry = plan_payment(
            ws.config, ledger, doc, amount=amount, day=day, account=account
        )
        planned = ws.write(opener.appends([entry]), dry_run=dry_run)
    written = _written(ledger.entity, entry, planned, dry_run)
    paid = entry.postings[0].units.number
    written.amounts = {"paid": paid, "remaining": doc.remaining - paid}
    return written, doc


def locate_bill(
    ws: Workspace, piece: str, entity: str | None, supplier: str | None
) -> tuple[Document, LoadedLedger]:
    entities = [entity] if entity else list(ws.config.entities)
    hits = []
    for name in entities:
        ledger = ws.load_checked(name)
        doc = find_document(ws.config, ledger, piece, supplier)
        if doc is not None:
            hits.append((doc, ledger))
    if not hits:
        raise UsageError(
            _("No bill numbered {piece} in {where}; 'alusage-ledger bill list' shows them.").format(
                piece=piece, where=entity or _("any entity")
            )
        )
    if len(hits) > 1:
        raise UsageError(
            _("The bill {piece} exists in several entities ({entities}); add --entity.").format(
                piece=piece, entities=", ".join(sorted(h[1].entity for h in hits))
            )
        )
    return hits[0]


# --------------------------------------------------------------------------- check rules


@checks.entity_rule
def piece_ref_once_per_supplier(ws: Workspace, ledger: LoadedLedger) -> Iterable[LedgerProblem]:
    """A supplier's document number is booked once: a second bill with it is an error."""
    # The bills of documents() that carry a piece-ref, without their payments: only the
    # entries with a piece-ref are looked at (the roles are resolved as documents() does,
    # so that a workspace where one is missing reports nothing, as before).
    try:
        parent = role_parent(ws.config, ledger.entity, "suppliers")
        role_parent(ws.config, ledger.entity, "vat-deductible")
        role_parent(ws.config, ledger.entity, "vat-deductible-pending")
    except (ConfigError, UsageError):
        return
    found: list[tuple[Any, str, str]] = []  # (entry, payable, piece-ref) in documents() order
    for entry in checks.transactions(ledger):
        meta = entry.meta
        if not meta or not meta.get("piece-ref"):
            continue
        for account in sorted({p.account for p in entry.postings}):
            if account == parent or not is_under(account, parent):
                continue
            if _units(entry, account) >= 0:
                continue
            found.append((entry, account, str(meta["piece-ref"])))
    seen: dict[tuple[str, str], Any] = {}
    for entry, account, piece_ref in sorted(
        found, key=lambda d: (d[0].date, d[0].meta.get("lineno", 0))
    ):
        key = (account, piece_ref)
        first = seen.get(key)
        if first is None:
            seen[key] = entry
            continue
        meta = entry.meta
        party = str(meta.get("supplier") or meta.get("person") or entry.payee or account)
        yield checks.problem_at(
            ws,
            ledger.entity,
            entry,
            _(
                "the bill {piece} of {supplier} is booked twice (first on {day}); "
                "a supplier's number is booked once."
            ).format(piece=piece_ref, supplier=party, day=first.date),
        )
