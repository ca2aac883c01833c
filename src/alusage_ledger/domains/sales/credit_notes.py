"""Credit notes: an invoice cancelled, in whole or in part, numbered in its own series.

A credit note (``credit-note: "A2026-0001"``) gives back what is left of an invoice, or
a part of it; nothing is ever deleted. A part is asked as an amount including VAT
(``--amount``, spread over what is left of each line and each rate's VAT, largest
remainder to the cent) or as amounts before VAT per activity (``--line``, the VAT of a
rate following the cumulative base given back: ``share(invoice VAT, bases given back so
far, invoice base)``, so that notes giving back the whole base give back exactly the
whole VAT). A partial note carries ``partial: TRUE``.

The VAT given back is taken where it stands: from the pending VAT (44588) of the part
not received yet, the rest from the VAT collected (44571, a regularisation of the
return with its ``vat-base``). When the note leaves nothing to receive (the invoice is
settled, or over-received: a refund is due), it completes the invoice's life instead:
all the pending VAT goes back and the collected VAT and its base become exactly what the
net invoice (invoice minus its notes) declares, so the returns sum exactly over the
invoice's life, whatever the order of receipts and notes (see docs/sales-and-vat.md)::

    2026-03-20 * "Coop" "Avoir A2026-0002 sur la facture F2026-0001" ^A2026-0002 ^F2026-0001
      credit-note: "A2026-0002"
      invoice: "F2026-0001"
      partial: TRUE
      Actif:Clients:Coop                      -120.00 EUR
      Produits:Prestations:Programmation       100.00 EUR
      Passif:Etat:TVAEnAttente                  20.00 EUR
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from alusage_ledger.books.accounts import Opener
from alusage_ledger.books.entries import ledger_text, posting, transaction
from alusage_ledger.books.writer import Append
from alusage_ledger.core.errors import RefusedError, UsageError
from alusage_ledger.core.i18n import N_, _
from alusage_ledger.core.money import ZERO, split_exact
from alusage_ledger.domains.lettering import settlement_letters
from alusage_ledger.domains.sales.index import Accounts, Invoice, meta_text, sales_index
from alusage_ledger.domains.sales.invoicing import Planned, get_invoice, write_planned
from alusage_ledger.domains.sales.numbering import choose_number, series_of
from alusage_ledger.domains.sales.rates import NO_VAT, share
from alusage_ledger.domains.sales.requests import CancelRequest, LineRequest, clean_text
from alusage_ledger.domains.sales.returns import declared

if TYPE_CHECKING:
    from alusage_ledger.books.config import Config
    from alusage_ledger.books.ledger import Workspace
    from alusage_ledger.books.loader import LoadedLedger


def _given_by_amount(
    invoice: Invoice, amount: Decimal, base_left: list[Decimal], vat_left: dict[str, Decimal]
) -> tuple[list[Decimal], dict[str, Decimal]]:
    """``amount`` (incl. VAT) spread over what is left of each line and each rate's VAT."""
    weights: dict[tuple[int, str], Decimal] = {}
    for i, left in enumerate(base_left):
        weights[(0, str(i))] = left
    for rate, left in vat_left.items():
        weights[(1, rate)] = left
    parts = split_exact(amount, weights)
    base = [parts[(0, str(i))] for i in range(len(invoice.lines))]
    return base, {rate: parts[(1, rate)] for rate in vat_left}


def _line_index(invoice: Invoice, wanted: LineRequest) -> int:
    name = wanted.activity.strip().lower()
    found = [
        i
        for i, line in enumerate(invoice.lines)
        if line.activity.lower() == name and (wanted.vat is None or wanted.vat.rate == line.rate)
    ]
    if not found:
        raise UsageError(
            _(
                "The invoice {number} has no line of activity {activity!r}; its lines: {lines}."
            ).format(
                number=invoice.number,
                activity=wanted.activity,
                lines=", ".join(invoice.activities()),
            )
        )
    if len(found) > 1:
        raise UsageError(
            _(
                "The invoice {number} has several lines of activity {activity!r}; give the "
                'rate: --line "{activity}:{amount}:<vat>".'
            ).format(number=invoice.number, activity=wanted.activity, amount=wanted.amount)
        )
    return found[0]


def _given_by_lines(
    invoice: Invoice, wanted: tuple[LineRequest, ...], base_left: list[Decimal]
) -> tuple[list[Decimal], dict[str, Decimal]]:
    """Bases given back per line (``--line``) and the VAT they carry, per rate."""
    base = [ZERO for _line in invoice.lines]
    credited = invoice.credited_bases()
    for item in wanted:
        base[_line_index(invoice, item)] += item.amount
    for i, line in enumerate(invoice.lines):
        if base[i] > base_left[i]:
            raise RefusedError(
                _(
                    "{amount} is more than is left of the line {activity} of {number} "
                    "({left} before VAT); nothing was written."
                ).format(
                    amount=base[i], activity=line.activity, number=invoice.number, left=base_left[i]
                )
            )
    vat: dict[str, Decimal] = {}
    for rate, total in invoice.vat.items():
        at_rate = [i for i, line in enumerate(invoice.lines) if line.rate == rate]
        whole = sum((invoice.lines[i].ht for i in at_rate), ZERO)
        given_before = sum((credited[i] for i in at_rate), ZERO)
        now = sum((base[i] for i in at_rate), ZERO)
        left = total - invoice.credited_vat(rate)
        if given_before + now >= whole:
            vat[rate] = left
        else:
            target = share(total, given_before + now, whole)
            vat[rate] = min(max(target - invoice.credited_vat(rate), ZERO), left)
    return base, vat


def _services_share(invoice: Invoice, rate: str, given: Decimal, base: list[Decimal]) -> Decimal:
    """The part of ``given`` VAT at ``rate`` that belongs to services (pending until paid)."""
    pending = invoice.pending.get(rate, ZERO)
    if not pending:
        return ZERO
    if pending == invoice.vat.get(rate, ZERO):
        return given
    kinds = {"services": ZERO, "goods": ZERO}
    for i, line in enumerate(invoice.lines):
        if line.rate == rate:
            kinds["services" if line.kind == "services" else "goods"] += base[i]
    if not any(kinds.values()):
        return ZERO
    return split_exact(given, kinds)["services"]


def plan_credit_note(config: Config, ledger: LoadedLedger, request: CancelRequest) -> Planned:
    index = sales_index(config, ledger)
    invoice = get_invoice(index, request.number, request.entity)
    if invoice.cancelled:
        raise RefusedError(
            _("The invoice {number} is already cancelled by {note}.").format(
                number=invoice.number, note=", ".join(n.number for n in invoice.credit_notes)
            )
        )
    reason = clean_text(request.reason, _("reason"))
    if request.day < invoice.date:
        raise UsageError(
            _("The credit note date {day} is before the invoice date {invoice_day}.").format(
                day=request.day, invoice_day=invoice.date
            )
        )
    if request.amount is not None and request.lines:
        raise UsageError(_("Give --amount or --line for a partial credit note, not both."))
    rest = invoice.ttc - invoice.credited
    credited = invoice.credited_bases()
    base_left = [line.ht - credited[i] for i, line in enumerate(invoice.lines)]
    vat_left = {rate: vat - invoice.credited_vat(rate) for rate, vat in invoice.vat.items()}
    if request.amount is not None and request.amount > rest:
        raise RefusedError(
            _(
                "{amount} is more than is left to credit on {number} ({rest} incl. VAT); "
                "nothing was written."
            ).format(amount=request.amount, number=invoice.number, rest=rest)
        )
    if request.lines:
        base, vat = _given_by_lines(invoice, request.lines, base_left)
    elif request.amount is not None and request.amount < rest:
        base, vat = _given_by_amount(invoice, request.amount, base_left, vat_left)
    else:
        base, vat = list(base_left), dict(vat_left)
    whole = base == base_left and all(vat.get(r, ZERO) == v for r, v in vat_left.items())
    given_ttc = sum(base, ZERO) + sum(vat.values(), ZERO)
    if not given_ttc:
        raise UsageError(_("The credit note gives nothing back; give an amount."))
    remaining_after = invoice.remaining - given_ttc

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
    postings_out = [posting(invoice.receivable, -given_ttc)]
    for i, line in enumerate(invoice.lines):
        if not base[i]:
            continue
        meta = {"activity": line.activity, "vat-rate": line.rate} if multi else None
        if meta is not None and line.rate == NO_VAT:
            meta = {"activity": line.activity}
        postings_out.append(posting(line.account, base[i], meta))
    left = invoice.pending_left()
    rates_with_vat = [r for r in invoice.vat if invoice.vat[r]]
    # what the invoice, its receipts and its earlier notes put in the returns, by rate
    acc = Accounts.of(config, ledger)
    done = declared(
        acc,
        index,
        [
            invoice.entry,
            *(r.entry for r in invoice.receipts),
            *(n.entry for n in invoice.credit_notes),
        ],
    )
    for rate in rates_with_vat:
        given = vat.get(rate, ZERO)
        pending_left = max(left.get(rate, ZERO), ZERO)
        before = done.get(rate)
        if remaining_after <= 0 or whole:
            # nothing left to receive: the net invoice is declared in full
            pending_part = pending_left
            collected_part = given - pending_left
            net_base = sum(
                (
                    line.ht - credited[i] - base[i]
                    for i, line in enumerate(invoice.lines)
                    if line.rate == rate
                ),
                ZERO,
            )
            given_base = (before.base if before is not None else ZERO) - net_base
        else:
            services = _services_share(invoice, rate, given, base)
            pending_part = min(services, pending_left)
            collected_part = given - pending_part
            # goods (VAT collected at the invoice) give back their own base; services
            # received beyond what is pending, the base declared in proportion
            all_pending = invoice.pending.get(rate, ZERO) == invoice.vat.get(rate, ZERO)
            given_base = sum(
                (
                    b
                    for i, b in enumerate(base)
                    if invoice.lines[i].rate == rate
                    and not all_pending
                    and (invoice.lines[i].kind != "services" or not invoice.pending.get(rate))
                ),
                ZERO,
            )
            extra = services - pending_part
            if extra:
                if before is not None and before.vat:
                    given_base += share(before.base, extra, before.vat)
                else:
                    at_rate = sum(
                        (b for i, b in enumerate(base) if invoice.lines[i].rate == rate), ZERO
                    )
                    given_base += share(at_rate, extra, given)
        meta_rate: dict[str, Any] | None = (
            {"vat-rate": rate} if len(rates_with_vat) > 1 or multi else None
        )
        if pending_part:
            postings_out.append(posting(opener.role("vat-pending"), pending_part, meta_rate))
        if collected_part:
            base_meta: dict[str, Any] = {"vat-rate": rate, "vat-base": -given_base}
            postings_out.append(posting(opener.role("vat-collected"), collected_part, base_meta))
    text = (
        N_("Credit note {number} cancelling invoice {invoice}")
        if whole
        else N_("Credit note {number} on invoice {invoice}")
    )
    narration = ledger_text(config, text).format(number=number, invoice=invoice.number)
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
            "partial": None if whole else True,
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
        ht=sum(base, ZERO),
        vat=sum(vat.values(), ZERO),
        ttc=given_ttc,
        left=remaining_after,
    )


def plan_settled_credit_note(
    config: Config, ledger: LoadedLedger, request: CancelRequest
) -> Planned:
    """:func:`plan_credit_note` with the letter it completes on the client's account (final
    when the invoice, its receipts and notes sum to zero, else partial), in the same write."""
    planned = plan_credit_note(config, ledger, request)
    receivable = get_invoice(sales_index(config, ledger), request.number, request.entity).receivable
    letters = settlement_letters(ledger.entries, [planned.entry], [receivable])
    if letters:
        planned.appends = planned.appends[:-1] + [Append(request.entity, (planned.entry, *letters))]
    return planned


def cancel_invoice(
    ws: Workspace, request: CancelRequest, *, dry_run: bool = False
) -> tuple[Planned, list[Any]]:
    return write_planned(ws, request.entity, plan_settled_credit_note, request, dry_run)
