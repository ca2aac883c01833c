"""Credit notes: an invoice cancelled by its reverse, numbered in its own series.

A credit note (``credit-note: "A2026-0001"``) reverses the whole invoice: its receivable,
income and VAT (what is still pending and what was already collected); nothing is ever
deleted.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from alusage_ledger.books.accounts import Opener
from alusage_ledger.books.entries import ledger_text, posting, transaction
from alusage_ledger.core.errors import RefusedError, UsageError
from alusage_ledger.core.i18n import N_, _
from alusage_ledger.core.money import ZERO
from alusage_ledger.domains.sales.index import Accounts, meta_text, sales_index
from alusage_ledger.domains.sales.invoicing import Planned, get_invoice, write_planned
from alusage_ledger.domains.sales.numbering import choose_number, series_of
from alusage_ledger.domains.sales.rates import NO_VAT, share
from alusage_ledger.domains.sales.requests import CancelRequest, clean_text
from alusage_ledger.domains.sales.returns import declared

if TYPE_CHECKING:
    from alusage_ledger.books.config import Config
    from alusage_ledger.books.ledger import Workspace
    from alusage_ledger.books.loader import LoadedLedger


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
    number, _notes = choose_number(
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
    # the base given back is the base declared (invoice and receipts), to the cent
    acc = Accounts.of(config, ledger)
    done = declared(acc, index, [invoice.entry, *(r.entry for r in invoice.receipts)])
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
            base = share(base_by_rate.get(rate, ZERO), collected_part, total)
            if rate in done and done[rate].vat == collected_part:
                base = done[rate].base
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
            "activity": meta_text(imeta, "activity"),
            "vat-rate": meta_text(imeta, "vat-rate"),
            "project": meta_text(imeta, "project"),
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


def cancel_invoice(
    ws: Workspace, request: CancelRequest, *, dry_run: bool = False
) -> tuple[Planned, list[Any]]:
    return write_planned(ws, request.entity, plan_credit_note, request, dry_run)
