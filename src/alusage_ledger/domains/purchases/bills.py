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

Deductible VAT follows the nature of each line and the supplier's exigibility (CGI art.
269 and 271): goods and fixed assets are deductible at the invoice, services when paid,
unless the supplier opted for débits. The nature comes from the account (its
``vat-nature`` metadata, else its PCG number: class 2 fixed assets, class 60 goods but
604/605 services, every other charge a service); ``--nature`` overrides it per bill. The
entity's ``exigibility`` setting (``encaissements`` by default) says which rule its
suppliers follow; ``--debits`` (or ``--exigibility``) records a supplier's option on the
bill (``vat-exigibility: "debits"``).
Service VAT under ``encaissements`` waits on ``vat-deductible-pending`` (4458x) and moves
to ``vat-deductible`` (44566) with each payment, in proportion to what was paid. A
``franchise`` or ``micro`` entity deducts nothing: it books the total, VAT included.

Typed input is read by :mod:`input`, VAT rates and treatment by :mod:`deductible`, the
bills already booked by :mod:`documents`; :mod:`expenses` and :mod:`recurring` share them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from alusage_ledger.books import checks
from alusage_ledger.books.accounts import (
    Opener,
    account_meta,
    resolve_account,
    resolve_payment_account,
    role_parent,
)
from alusage_ledger.books.entries import is_under, ledger_text, link_part, transaction
from alusage_ledger.books.roles import role_account
from alusage_ledger.books.text import check_text
from alusage_ledger.core.chart import account_component
from alusage_ledger.core.errors import ConfigError, LedgerProblem, UsageError
from alusage_ledger.core.i18n import N_, _
from alusage_ledger.core.money import ZERO, quantize_cents, split_exact
from alusage_ledger.domains.lettering import settlement_letters
from alusage_ledger.domains.purchases.deductible import (
    VAT_RATES,
    check_nature,
    deducted_on_payment,
    nature_of,
    parse_vat_rate,
    vat_kind,
    vat_of,
    vat_posting,
    vat_treatment,
)
from alusage_ledger.domains.purchases.documents import (
    Document,
    Written,
    account_units,
    documents,
    find_document,
    party_account,
    write_one,
    written_of,
)
from alusage_ledger.domains.purchases.input import (
    amount_arg,
    check_name,
    check_period,
)
from alusage_ledger.domains.purchases.nondeductible import category, deductible_part
from alusage_ledger.domains.purchases.prorata import apply, coefficient_meta, provisional

if TYPE_CHECKING:
    from alusage_ledger.books.config import Config
    from alusage_ledger.books.ledger import Workspace
    from alusage_ledger.books.loader import LoadedLedger

posting = vat_posting


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
    nature: str | None = None  # goods | services | fixed-asset: overrides the account's
    exigibility: str | None = None  # encaissements | debits: overrides the entity's
    category: str | None = None  # a non-deductible VAT category: overrides the account's
    supplier_account: str | None = None  # an existing payable, instead of the derived one
    extra_meta: tuple[tuple[str, Any], ...] = ()


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
    forced_nature = check_nature(request.nature)
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
        found = role_account(config, ledger.entity, "suppliers")
        opener.need(supplier_account, found.pcg, found.label)
    meta_by_account = account_meta(ledger)

    lines = [
        (resolve_account(ledger, line.account, _("account"), opener=opener), line)
        for line in request.lines
    ]
    meta_by_account |= {o.account: dict(o.meta) for o in opener.opens}  # opened on first use
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
    coefficient = provisional(config, ledger, request.day) if treatment.deducts else None
    categories: list[str] = []
    kept = before_coefficient = ZERO  # VAT into the charge; VAT the coefficient applies to
    for index, (account, line) in enumerate(lines):
        vat = line_vat.get(index, ZERO)
        if not treatment.deducts:
            expense[account] = expense.get(account, ZERO) + line.amount + vat
            continue
        account_config = meta_by_account.get(account, {})
        group = category(config, ledger.entity, request.day, request.category, account_config)
        if group is not None and group.name not in categories:
            categories.append(group.name)
        deductible = deductible_part(vat, group, line.amount + vat)
        before_coefficient += deductible
        deductible = apply(deductible, coefficient)
        kept += vat - deductible
        expense[account] = expense.get(account, ZERO) + line.amount + vat - deductible
        if deductible:
            pcg = account_config.get("pcg")
            nature = forced_nature or nature_of(pcg, account_config.get("vat-nature"))
            role = (
                "vat-deductible-pending"
                if deducted_on_payment(nature, exigibility)
                else "vat-deductible"
            )
            key = (opener.role(role), vat_kind(nature, pcg))
            vat_postings[key] = vat_postings.get(key, ZERO) + deductible
    total = sum(expense.values(), ZERO) + sum(vat_postings.values(), ZERO)

    piece_ref = (request.piece_ref or "").strip() or None
    if piece_ref is not None:
        check_text(piece_ref, _("piece reference"))
    existing = documents(config, ledger)
    if piece_ref is None:
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
        # the supplier's option for débits, as the bill shows it (CGI art. 269-2-c)
        "vat-exigibility": "debits" if exigibility == "debits" and vat_postings else None,
        "vat-category": ", ".join(categories) or None,
        "vat-non-deductible": kept if kept else None,
        **coefficient_meta(coefficient, before_coefficient),
    }
    meta.update(dict(request.extra_meta))
    label = request.label
    if label is None:
        label = ledger_text(config, N_("Bill {piece}")).format(piece=piece_ref)
    postings = [vat_posting(a, n) for a, n in expense.items()]
    postings += [vat_posting(a, n, kind) for (a, kind), n in vat_postings.items()]
    postings.append(vat_posting(supplier_account, -total))
    return opener, transaction(request.day, supplier, label, [link], meta, postings)


def add_bill(ws: Workspace, request: BillRequest, *, dry_run: bool = False) -> Written:
    entry, planned = write_one(
        ws,
        request.entity,
        lambda ledger: plan_bill(ws.config, ledger, request),
        dry_run=dry_run,
    )
    return written_of(request.entity, entry, planned, dry_run)


# --------------------------------------------------------------------------- bill pay


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
    postings = [vat_posting(doc.account, pay)]
    move = ZERO
    if doc.pending_vat and doc.pending_left:
        if pay == doc.remaining:
            move = doc.pending_left
        else:
            moved_before = doc.pending_vat - doc.pending_left
            move = quantize_cents(doc.pending_vat * (doc.paid + pay) / doc.ttc) - moved_before
            move = max(ZERO, min(move, doc.pending_left))
    if move:
        postings.append(vat_posting(opener.role("vat-deductible"), move, "services"))
        postings.append(vat_posting(opener.role("vat-deductible-pending"), -move, "services"))
    postings.append(vat_posting(bank, -pay))
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
    return settle_bill(
        ws,
        piece,
        entity,
        supplier,
        lambda config, ledger, doc: plan_payment(
            config, ledger, doc, amount=amount, day=day, account=account
        ),
        "paid",
        dry_run=dry_run,
    )


def settle_bill(
    ws: Workspace,
    piece: str,
    entity: str | None,
    supplier: str | None,
    plan: Callable[[Config, LoadedLedger, Document], tuple[Opener, Any]],
    key: str,
    *,
    dry_run: bool,
) -> tuple[Written, Document]:
    """Find the bill, plan the entry that settles it (a payment, a credit note), write it
    with the letters it completes, under the lock; ``written.amounts``: ``key`` (what the
    entry settles) and ``remaining``."""
    with ws.lock():
        doc, ledger = locate_bill(ws, piece, entity, supplier)
        opener, entry = plan(ws.config, ledger, doc)
        letters = settlement_letters(ledger.entries, [entry], [doc.account])
        planned = ws.write(opener.appends([entry, *letters]), dry_run=dry_run)
    written = written_of(ledger.entity, entry, planned, dry_run)
    settled = entry.postings[0].units.number
    written.amounts = {key: settled, "remaining": doc.remaining - settled}
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
            if account_units(entry, account) >= 0:
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
