"""Receipts: an invoice paid, in full or in part, moving its pending VAT to collected.

A receipt carries the invoice's link and ``invoice``; VAT on services waits on
``vat-pending`` (44588) until paid, and each receipt moves the part of it that was
received to ``vat-collected`` (44571).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from alusage_ledger.books.accounts import Opener
from alusage_ledger.books.entries import ledger_text, posting, transaction
from alusage_ledger.books.roles import DEFAULT_ROLES, role_account
from alusage_ledger.books.writer import Append
from alusage_ledger.core.errors import RefusedError, UsageError
from alusage_ledger.core.i18n import N_, _
from alusage_ledger.core.money import ZERO
from alusage_ledger.core.suggest import did_you_mean
from alusage_ledger.domains.lettering import settlement_letters
from alusage_ledger.domains.sales.index import Accounts, sales_index
from alusage_ledger.domains.sales.invoicing import Planned, get_invoice, write_planned
from alusage_ledger.domains.sales.rates import EXEMPT, NO_VAT, share
from alusage_ledger.domains.sales.requests import PAYMENT_METHODS, PaymentRequest
from alusage_ledger.domains.sales.returns import declared

if TYPE_CHECKING:
    from alusage_ledger.books.config import Config
    from alusage_ledger.books.ledger import Workspace
    from alusage_ledger.books.loader import LoadedLedger


def resolve_payment_account(config: Config, ledger: LoadedLedger, text: str | None) -> str:
    """``--account``: a role (``bank``, ``cash``) or an open account name."""
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
    # what the receipts share: the invoice net of its (partial) credit notes
    services_base: dict[str, Decimal] = {}
    credited = invoice.credited_bases()
    for i, line in enumerate(invoice.lines):
        if line.kind == "services" and line.rate not in (EXEMPT, NO_VAT):
            net = line.ht - credited[i]
            services_base[line.rate] = services_base.get(line.rate, ZERO) + net
    net_ttc = invoice.ttc - invoice.credited
    moved_total = ZERO
    # bases already declared by the receipts: each receipt completes the cumulative base
    # (largest remainder over the invoice's life, the last one gives exactly the rest)
    acc = Accounts.of(config, ledger)
    before = declared(acc, index, [r.entry for r in invoice.receipts])
    # a credit note's collected VAT of a rate that is all services gave back part of it
    given = declared(acc, index, [n.entry for n in invoice.credit_notes])
    for rate, back in given.items():
        if rate in before and invoice.pending.get(rate) == invoice.vat.get(rate):
            before[rate].base += back.base
    for rate, pending_total in invoice.pending.items():
        if not pending_total:
            continue
        given_back = sum((note.pending.get(rate, ZERO) for note in invoice.credit_notes), ZERO)
        moved_before = pending_total - given_back - left.get(rate, ZERO)
        if full:
            move = left.get(rate, ZERO)
        else:
            target = share(pending_total - given_back, received_after, net_ttc)
            move = min(max(target - moved_before, ZERO), left.get(rate, ZERO))
        meta_pending = {"vat-rate": rate} if multi else None
        meta_collected: dict[str, Any] | None = None
        base_delta = ZERO
        if multi:
            whole = services_base.get(rate, ZERO)
            target_base = whole if full else share(whole, received_after, net_ttc)
            done = before[rate].base if rate in before else ZERO
            base_delta = target_base - done
            meta_collected = {"vat-rate": rate, "vat-base": base_delta}
        if not move and not base_delta:
            continue
        # A receipt whose VAT share is already all moved may still complete the base: it is
        # declared on a 0.00 posting carrying its vat-base (the invoice's base, to the cent).
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


def plan_settled_payment(config: Config, ledger: LoadedLedger, request: PaymentRequest) -> Planned:
    """:func:`plan_payment` with the letter it completes (partial or final), same write."""
    planned = plan_payment(config, ledger, request)
    receivable = get_invoice(sales_index(config, ledger), request.number, request.entity).receivable
    letters = settlement_letters(ledger.entries, [planned.entry], [receivable])
    if letters:
        planned.appends = planned.appends[:-1] + [Append(request.entity, (planned.entry, *letters))]
    return planned


def pay_invoice(
    ws: Workspace, request: PaymentRequest, *, dry_run: bool = False
) -> tuple[Planned, list[Any]]:
    return write_planned(ws, request.entity, plan_settled_payment, request, dry_run)
