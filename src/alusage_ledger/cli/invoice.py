"""``invoice add/pay/cancel/list``: sales invoices, receipts and credit notes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, TypeAlias

import typer

from alusage_ledger.cli import state
from alusage_ledger.cli.options import (
    AllowFuture,
    CsvDialect,
    DryRun,
    EntityId,
    ListFormat,
    OnlyEntityOrAll,
    chosen_entities,
    command_group,
    emit_csv,
    list_format,
    optional,
)
from alusage_ledger.core.errors import UsageError
from alusage_ledger.core.fmt import machine, money
from alusage_ledger.core.i18n import N_, _
from alusage_ledger.outputs.render.console import emit_json, say, table

if TYPE_CHECKING:
    from datetime import date

    from alusage_ledger.domains.sales.invoicing import Planned

InvoiceNumber: TypeAlias = Annotated[
    str, typer.Argument(help=N_("The invoice number, e.g. F2026-0007."))
]
HoldingEntity: TypeAlias = Annotated[
    str | None,
    optional("--entity", "-e", help=N_("The entity (default: the one holding the number).")),
]

#: The columns of ``invoice list --format csv``: the keys of its JSON, headings for ``fr``.
INVOICE_CSV = (
    ("entity", N_("Entity")),
    ("number", N_("Number")),
    ("date", N_("Date")),
    ("client", N_("Client")),
    ("ht", N_("Excl. VAT")),
    ("vat", N_("VAT")),
    ("ttc", N_("Incl. VAT")),
    ("received", N_("Received")),
    ("credited", N_("Credited")),
    ("remaining", N_("Remaining")),
    ("due_date", N_("Due date")),
    ("days_overdue", N_("Days overdue")),
    ("status", N_("Status")),
    ("credit_notes", N_("Credit notes")),
    ("project", N_("Project")),
)


def _day(text: str | None) -> date:
    """A date option (``YYYY-MM-DD`` or ``today``); today (``ALUSAGE_TODAY``) when omitted."""
    # lazy: core.periods costs ~5 ms at start-up
    from alusage_ledger.core.periods import parse_date, resolve_today

    if text is None or not text.strip():
        return resolve_today()
    return parse_date(text, _("date"))


def _file_of(files: list[Any], entry: Any) -> str:
    for plan in files:
        if any(e is entry for e in plan.entries):
            return str(plan.rel)
    return "?"


def _report(kind: str, planned: Planned, files: list[Any], dry_run: bool) -> None:
    st = state.current()
    entry = planned.entry
    where = _file_of(files, entry)
    if st.json:
        emit_json(
            {
                "ok": True,
                "dry_run": dry_run,
                "kind": kind,
                "entity": planned.entity,
                "number": planned.number,
                "date": entry.date.isoformat(),
                "client": entry.payee,
                "ht": machine(planned.ht),
                "vat": machine(planned.vat),
                "ttc": machine(planned.ttc),
                **({"left": machine(planned.left)} if planned.left is not None else {}),
                "file": where,
                "notes": planned.notes,
                "text": [plan.text for plan in files] if dry_run else None,
            }
        )
        return
    if dry_run:
        say(_("Dry run, nothing written; this would be appended:"))
        for plan in files:
            say(f"; {plan.rel}")
            say(plan.text)
        for note in planned.notes:
            say(note)
        return
    if kind == "invoice":
        say(
            _(
                "Invoice {number} written to {file}: {ht} excl. VAT, {vat} VAT, {ttc} incl. VAT."
            ).format(
                number=planned.number,
                file=where,
                ht=money(planned.ht),
                vat=money(planned.vat),
                ttc=money(planned.ttc),
            )
        )
    elif kind == "receipt":
        say(
            _(
                "Receipt of {amount} for {number} written to {file} ({vat} VAT now collected)."
            ).format(
                amount=money(planned.ttc), number=planned.number, file=where, vat=money(planned.vat)
            )
        )
    elif (entry.meta or {}).get("partial"):
        say(
            _(
                "Credit note {number} on {invoice} written to {file}: {ht} excl. VAT, {vat} VAT, "
                "{ttc} incl. VAT."
            ).format(
                number=planned.number,
                invoice=(entry.meta or {}).get("invoice"),
                file=where,
                ht=money(planned.ht),
                vat=money(planned.vat),
                ttc=money(planned.ttc),
            )
        )
    else:
        invoice = (entry.meta or {}).get("invoice")
        say(
            _(
                "Credit note {number} cancelling {invoice} written to {file}: {ttc} incl. VAT."
            ).format(number=planned.number, invoice=invoice, file=where, ttc=money(planned.ttc))
        )
    if kind == "credit-note" and planned.left is not None:
        if planned.left >= 0:
            say(_("Still due on the invoice: {amount}.").format(amount=money(planned.left)))
        else:
            say(
                _("Received beyond the invoice, owed to the client: {amount}.").format(
                    amount=money(-planned.left)
                )
            )
    for note in planned.notes:
        say(note)


def register(app: typer.Typer) -> None:
    invoice = command_group(
        app,
        "invoice",
        N_("Sales invoices: issue them, record receipts, cancel with a credit note, list."),
    )

    @invoice.command(
        "add",
        help=N_(
            "Issue an invoice with the next number of the entity's series: the client's "
            "receivable (411), income per activity, VAT per rate (pending until paid for "
            "services); link ^<number>. Under the VAT franchise it warns when the year's "
            "turnover passes 80 % of a threshold, and past the seuil majoré says from which "
            "day VAT is due."
        ),
    )
    def add(
        entity: EntityId,
        client: Annotated[str, typer.Option("--client", help=N_("The client's name."))],
        activity: Annotated[
            str | None,
            optional(
                "--activity",
                help=N_("Activity of a one-line invoice, e.g. facilitation, maraichage."),
            ),
        ] = None,
        amount_ht: Annotated[
            str | None,
            optional(
                "--amount-ht", help=N_("Amount before VAT of a one-line invoice, e.g. 1200.00.")
            ),
        ] = None,
        vat: Annotated[
            str | None,
            optional(
                "--vat",
                help=N_(
                    "VAT rate: 20, 10, 5.5, 2.1 or exempt:<legal basis> (default: the "
                    "activity's rate)."
                ),
            ),
        ] = None,
        line: Annotated[
            list[str] | None,
            optional("--line", help=N_('An invoice line "activity:amount[:vat]", repeatable.')),
        ] = None,
        day: Annotated[
            str | None,
            optional("--date", help=N_("Invoice date (default: today).")),
        ] = None,
        due: Annotated[
            str | None,
            optional(
                "--due", help=N_("Due date (default: the date plus the series' payment days).")
            ),
        ] = None,
        client_siren: Annotated[
            str | None,
            optional("--client-siren", help=N_("The client's SIREN.")),
        ] = None,
        project: Annotated[
            str | None,
            optional("--project", help=N_("A project the invoice belongs to.")),
        ] = None,
        label: Annotated[
            str | None,
            optional("--label", help=N_("What was sold (added to the narration).")),
        ] = None,
        number: Annotated[
            str | None,
            optional(
                "--number", help=N_("Record an invoice numbered elsewhere (must fit the series).")
            ),
        ] = None,
        allow_future: AllowFuture = False,
        dry_run: DryRun = False,
    ) -> None:
        # lazy: the books (pydantic, Beancount) load only when the command runs
        from alusage_ledger.books.sanity import refuse_future

        # lazy: core.periods costs ~5 ms at start-up
        from alusage_ledger.core.periods import parse_date

        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.sales.invoicing import add_invoice

        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.sales.requests import (
            InvoiceRequest,
            LineRequest,
            parse_amount_arg,
            parse_line,
        )

        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.sales.requests import parse_vat as parse_vat_choice

        st = state.current()
        ws = st.workspace()
        ws.config.entity(entity)
        lines = [parse_line(text) for text in line or ()]
        if activity is not None or amount_ht is not None:
            if activity is None or amount_ht is None:
                raise UsageError(_("--activity and --amount-ht go together (or use --line)."))
            choice = parse_vat_choice(vat) if vat is not None else None
            lines.insert(
                0,
                LineRequest(activity, parse_amount_arg(amount_ht, _("amount before VAT")), choice),
            )
        elif vat is not None:
            raise UsageError(
                _("--vat goes with --activity and --amount-ht; give a line its rate in --line.")
            )
        invoice_day = _day(day)
        refuse_future(invoice_day, _("invoice date"), allow_future=allow_future)
        request = InvoiceRequest(
            entity=entity,
            client=client,
            lines=tuple(lines),
            day=invoice_day,
            due=parse_date(due, _("due date")) if due else None,
            client_siren=client_siren,
            project=project,
            label=label,
            number=number,
        )
        planned, files = add_invoice(ws, request, dry_run=dry_run)
        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.sales.thresholds import door_notes, under_franchise

        if under_franchise(ws.config, planned.entity, planned.entry.date):
            ledger = ws.load_checked(planned.entity)  # with the invoice, unless a dry run
            planned.notes.extend(door_notes(ws.config, ledger, planned.entry, planned=dry_run))
        _report("invoice", planned, files, dry_run)

    @invoice.command(
        "pay",
        help=N_(
            "Record a receipt for an invoice, in full or in part (--amount); moves the VAT of "
            "what was received from pending to collected. More than is due is refused."
        ),
    )
    def pay(
        number: InvoiceNumber,
        entity: HoldingEntity = None,
        amount: Annotated[
            str | None,
            optional("--amount", help=N_("Amount received (default: all that is due).")),
        ] = None,
        day: Annotated[
            str | None,
            optional("--date", help=N_("Date received (default: today).")),
        ] = None,
        account: Annotated[
            str | None,
            optional(
                "--account", help=N_("Received on this account or role (default: the bank role).")
            ),
        ] = None,
        method: Annotated[
            str | None,
            optional(
                "--method",
                help=N_("Payment method: virement, cheque, especes, carte or prelevement."),
            ),
        ] = None,
        dry_run: DryRun = False,
    ) -> None:
        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.sales.invoicing import locate_invoice

        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.sales.payments import pay_invoice
        from alusage_ledger.domains.sales.requests import PaymentRequest, parse_amount_arg

        st = state.current()
        ws = st.workspace()
        target = locate_invoice(ws, number, entity)
        request = PaymentRequest(
            entity=target,
            number=number,
            day=_day(day),
            amount=parse_amount_arg(amount, _("amount")) if amount is not None else None,
            account=account,
            method=method,
        )
        planned, files = pay_invoice(ws, request, dry_run=dry_run)
        _report("receipt", planned, files, dry_run)

    @invoice.command(
        "cancel",
        help=N_(
            "Cancel an invoice with a credit note in its own series (default A{year}-{seq:04}) "
            "that reverses what is left of it, or a part of it with --amount or --line; "
            "the VAT given back comes from what is pending, the rest from what was "
            "collected; nothing is deleted."
        ),
    )
    def cancel(
        number: InvoiceNumber,
        entity: HoldingEntity = None,
        amount: Annotated[
            str | None,
            optional(
                "--amount",
                help=N_(
                    "A partial credit note of this amount incl. VAT, spread over the invoice's "
                    "lines and rates."
                ),
            ),
        ] = None,
        line: Annotated[
            list[str] | None,
            optional(
                "--line",
                help=N_(
                    'A partial credit note "activity:amount[:vat]" (before VAT) on a line of '
                    "the invoice, repeatable."
                ),
            ),
        ] = None,
        reason: Annotated[
            str | None,
            optional("--reason", help=N_("Why the invoice is cancelled.")),
        ] = None,
        day: Annotated[
            str | None,
            optional("--date", help=N_("Credit note date (default: today).")),
        ] = None,
        dry_run: DryRun = False,
    ) -> None:
        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.sales.credit_notes import cancel_invoice

        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.sales.invoicing import locate_invoice
        from alusage_ledger.domains.sales.requests import (
            CancelRequest,
            parse_amount_arg,
            parse_line,
        )

        st = state.current()
        ws = st.workspace()
        lines = tuple(parse_line(text) for text in line or ())
        part = parse_amount_arg(amount, _("amount")) if amount is not None else None
        target = locate_invoice(ws, number, entity)
        request = CancelRequest(
            entity=target,
            number=number,
            day=_day(day),
            reason=reason,
            amount=part,
            lines=lines,
        )
        planned, files = cancel_invoice(ws, request, dry_run=dry_run)
        _report("credit-note", planned, files, dry_run)

    @invoice.command(
        "list",
        help=N_(
            "List invoices: number, date, client, amounts, received, due date and days overdue."
        ),
    )
    def list_(
        entity: OnlyEntityOrAll = None,
        unpaid: Annotated[
            bool, typer.Option("--unpaid", help=N_("Only invoices with something still due."))
        ] = False,
        client: Annotated[
            str | None,
            optional("--client", help=N_("Only clients whose name contains this.")),
        ] = None,
        period: Annotated[
            str | None,
            optional("--period", help=N_("Invoices dated in 2026, 2026-Q4, 2026-11 or FROM..TO.")),
        ] = None,
        as_of: Annotated[
            str | None,
            optional("--as-of", help=N_("Count days overdue at this date (default: today).")),
        ] = None,
        output: ListFormat = None,
        dialect: CsvDialect = "machine",
    ) -> None:
        # lazy: core.periods costs ~5 ms at start-up
        from alusage_ledger.core.periods import parse_period

        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.sales.index import invoice_rows, sales_index

        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.sales.totals import still_due

        st = state.current()
        fmt = list_format(output, dialect)
        ws = st.workspace()
        entities = chosen_entities(ws, entity)
        chosen = parse_period(period) if period else None
        day = _day(as_of)
        rows = []
        for name in entities:
            ledger = ws.load_checked(name)
            rows.extend(
                invoice_rows(
                    name,
                    sales_index(ws.config, ledger),
                    as_of=day,
                    unpaid=unpaid,
                    client=client,
                    period=chosen,
                )
            )
        if fmt == "csv":
            emit_csv(
                INVOICE_CSV,
                (
                    [
                        r.entity,
                        r.number,
                        r.issued,
                        r.client,
                        r.ht,
                        r.vat,
                        r.ttc,
                        r.received,
                        r.credited,
                        r.remaining,
                        r.due,
                        r.days_overdue,
                        r.status,
                        list(r.credit_notes),
                        r.project,
                    ]
                    for r in rows
                ),
                dialect,
            )
            return
        if fmt == "json":
            emit_json(
                {
                    "as_of": day.isoformat(),
                    "invoices": [
                        {
                            "entity": r.entity,
                            "number": r.number,
                            "date": r.issued.isoformat(),
                            "client": r.client,
                            "ht": machine(r.ht),
                            "vat": machine(r.vat),
                            "ttc": machine(r.ttc),
                            "received": machine(r.received),
                            "credited": machine(r.credited),
                            "remaining": machine(r.remaining),
                            "due_date": r.due.isoformat(),
                            "days_overdue": r.days_overdue,
                            "status": r.status,
                            "credit_notes": list(r.credit_notes),
                            "project": r.project,
                        }
                        for r in rows
                    ],
                }
            )
            return
        if not rows:
            say(_("No invoice matches."))
            return
        status_text = {
            "paid": _("paid"),
            "partial": _("partly paid"),
            "unpaid": _("unpaid"),
            "cancelled": _("cancelled"),
            "overpaid": _("overpaid"),
        }
        columns = [
            _("Entity"),
            _("Number"),
            _("Date"),
            _("Client"),
            _("Excl. VAT"),
            _("VAT"),
            _("Incl. VAT"),
            _("Received"),
            _("Due date"),
            _("Days overdue"),
            _("Status"),
        ]
        body = [
            [
                r.entity,
                r.number,
                r.issued.isoformat(),
                r.client,
                money(r.ht),
                money(r.vat),
                money(r.ttc),
                money(r.received),
                r.due.isoformat(),
                str(r.days_overdue) if r.days_overdue else "",
                status_text[r.status]
                + (f" ({', '.join(r.credit_notes)})" if r.credit_notes else ""),
            ]
            for r in rows
        ]
        # At 80 columns the number, date, client, total and status stay.
        table(None, columns, body, right=(4, 5, 6, 7, 9), free=(3, 10), drop=(5, 4, 9, 0, 8, 7))
        due_total = still_due(rows)
        say(
            _("{count} invoice(s); still due: {amount}.").format(
                count=len(rows), amount=money(due_total)
            )
        )
