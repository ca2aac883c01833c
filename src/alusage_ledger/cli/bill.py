"""``bill add/pay/list``: supplier bills with deductible VAT by exigibility, and their payments."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from alusage_ledger.cli import state
from alusage_ledger.cli.documents import postings_json, render_documents, report_written
from alusage_ledger.cli.options import (
    AllowFuture,
    CsvDialect,
    DryRun,
    EntityId,
    ListFormat,
    OnlyEntity,
    PaidFrom,
    PaymentDate,
    chosen_entities,
    command_group,
    list_format,
    optional,
)
from alusage_ledger.core.errors import UsageError
from alusage_ledger.core.fmt import machine, money
from alusage_ledger.core.i18n import N_, _

if TYPE_CHECKING:
    from alusage_ledger.domains.purchases.documents import Document, Written


def register(app: typer.Typer) -> None:
    bill = command_group(app, "bill", N_("Supplier bills: book them, pay them, list what is due."))

    @bill.command(
        "add",
        help=N_(
            "Book a supplier bill: expense line(s), deductible VAT (pending until paid for "
            "services under encaissements), the supplier's payable (401); link ^<entity>-<piece>."
        ),
    )
    def add(
        entity: EntityId,
        supplier: Annotated[str, typer.Option("--supplier", help=N_("The supplier's name."))],
        supplier_account: Annotated[
            str | None,
            optional(
                "--supplier-account",
                help=N_(
                    "The supplier's payable when it already exists under another name "
                    "(default: found from earlier bills, or derived from the name)."
                ),
            ),
        ] = None,
        account: Annotated[
            str | None,
            optional(
                "--account", help=N_("Expense account (name or PCG number) of a one-line bill.")
            ),
        ] = None,
        amount_ht: Annotated[
            str | None,
            optional("--amount-ht", help=N_("Amount before tax of a one-line bill.")),
        ] = None,
        vat: Annotated[
            str | None,
            optional("--vat", help=N_("VAT rate: 20, 10, 5.5, 2.1 or exempt (default: no VAT).")),
        ] = None,
        line: Annotated[
            list[str] | None,
            optional("--line", help=N_('A bill line "account:amount[:vat]", repeatable.')),
        ] = None,
        day: Annotated[
            str | None,
            optional("--date", help=N_("Booking date (default: today).")),
        ] = None,
        piece_ref: Annotated[
            str | None,
            optional("--piece-ref", help=N_("The supplier's document number.")),
        ] = None,
        piece_date: Annotated[
            str | None,
            optional("--piece-date", help=N_("The document's own date, when booked later.")),
        ] = None,
        period: Annotated[
            str | None,
            optional("--period", help=N_("Months the charge covers: YYYY-MM or YYYY-MM..YYYY-MM.")),
        ] = None,
        due: Annotated[
            str | None,
            optional("--due", help=N_("Due date of the bill.")),
        ] = None,
        label: Annotated[
            str | None,
            optional("--label", help=N_("Narration of the entry.")),
        ] = None,
        nature: Annotated[
            str | None,
            optional(
                "--nature",
                help=N_(
                    "goods, services or fixed-asset (default: the account's vat-nature, else "
                    "its PCG number: 2 fixed asset, 60 goods except 604/605, others services)."
                ),
            ),
        ] = None,
        debits: Annotated[
            bool,
            typer.Option(
                "--debits",
                help=N_(
                    "The supplier opted for VAT on debits (printed on the bill): the VAT of "
                    "services is deductible at the bill, not at its payment."
                ),
            ),
        ] = False,
        exigibility: Annotated[
            str | None,
            optional(
                "--exigibility",
                help=N_("encaissements or debits (default: the entity's VAT setting)."),
            ),
        ] = None,
        category: Annotated[
            str | None,
            optional(
                "--category",
                help=N_(
                    "A category of non-deductible VAT (default: the account's vat-category): "
                    "passenger-transport, passenger-vehicle, lodging, gift, fuel-diesel, "
                    "fuel-petrol, fuel-electricity, exempt-activity."
                ),
            ),
        ] = None,
        allow_future: AllowFuture = False,
        dry_run: DryRun = False,
    ) -> None:
        # lazy: the books (pydantic, Beancount) load only when the command runs
        from alusage_ledger.books.sanity import refuse_future

        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.purchases.bills import (
            BillLine,
            BillRequest,
            add_bill,
            parse_line,
        )

        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.purchases.deductible import parse_vat_rate

        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.purchases.input import amount_arg, date_arg

        st = state.current()
        ws = st.workspace()
        ws.config.entity(entity)
        lines = [parse_line(text, vat) for text in line or ()]
        if account is not None or amount_ht is not None:
            if account is None or amount_ht is None:
                raise UsageError(_("--account and --amount-ht go together (or use --line)."))
            rate, rate_text = parse_vat_rate(vat)
            lines.insert(
                0, BillLine(account, amount_arg(amount_ht, _("amount before tax")), rate, rate_text)
            )
        request = BillRequest(
            entity=entity,
            supplier=supplier,
            lines=tuple(lines),
            day=date_arg(day, _("date")),
            piece_ref=piece_ref,
            piece_date=date_arg(piece_date, _("piece date")) if piece_date else None,
            period=period,
            due=date_arg(due, _("due date")) if due else None,
            label=label,
            nature=nature,
            exigibility="debits" if debits else exigibility,
            category=category,
            supplier_account=supplier_account,
        )
        refuse_future(request.day, _("date"), allow_future=allow_future)
        refuse_future(request.piece_date, _("piece date"), allow_future=allow_future)
        written = add_bill(ws, request, dry_run=dry_run)
        _report_bill(written, dry_run)

    @bill.command(
        "pay",
        help=N_(
            "Pay a bill, in full or in part (--amount); moves its pending VAT to deductible "
            "in proportion. More than is due is refused."
        ),
    )
    def pay(
        piece: Annotated[
            str, typer.Argument(help=N_("The bill's piece-ref or link, e.g. QUIT-2026-11."))
        ],
        entity: Annotated[
            str | None,
            optional("--entity", "-e", help=N_("The entity (default: search all).")),
        ] = None,
        supplier: Annotated[
            str | None,
            optional("--supplier", help=N_("The supplier, when two share the number.")),
        ] = None,
        amount: Annotated[
            str | None,
            optional("--amount", help=N_("Amount paid (default: all that is due).")),
        ] = None,
        day: PaymentDate = None,
        account: PaidFrom = None,
        dry_run: DryRun = False,
    ) -> None:
        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.purchases.bills import pay_bill
        from alusage_ledger.domains.purchases.input import amount_arg, date_arg

        ws = state.current().workspace()
        if entity is not None:
            ws.config.entity(entity)
        written, doc = pay_bill(
            ws,
            piece,
            entity=entity,
            supplier=supplier,
            amount=amount_arg(amount, _("amount")) if amount is not None else None,
            day=date_arg(day, _("date")),
            account=account,
            dry_run=dry_run,
        )
        paid, left = written.amounts["paid"], written.amounts["remaining"]
        report_written(
            written,
            dry_run,
            {
                "entity": written.entity,
                "piece_ref": doc.piece_ref,
                "supplier": doc.party,
                "paid": machine(paid),
                "remaining": machine(left),
            },
            _(
                "Payment of {amount} on the bill {piece} of {supplier} ({entity}); {left} left."
            ).format(
                amount=money(paid),
                piece=doc.piece_ref,
                supplier=doc.party,
                entity=written.entity,
                left=money(left),
            ),
        )

    @bill.command(
        "credit",
        help=N_(
            "Book a supplier's credit note on a bill, in part (--amount, incl. VAT) or for "
            "all that is unpaid: its charges and deductible VAT in proportion; VAT still "
            "pending is reduced first, VAT already deducted is given back (return line 15)."
        ),
    )
    def credit(
        piece: Annotated[
            str, typer.Argument(help=N_("The bill's piece-ref or link, e.g. QUIT-2026-11."))
        ],
        entity: Annotated[
            str | None,
            optional("--entity", "-e", help=N_("The entity (default: search all).")),
        ] = None,
        supplier: Annotated[
            str | None,
            optional("--supplier", help=N_("The supplier, when two share the number.")),
        ] = None,
        amount: Annotated[
            str | None,
            optional(
                "--amount", help=N_("Amount of the credit note incl. VAT (default: all unpaid).")
            ),
        ] = None,
        piece_ref: Annotated[
            str | None,
            optional("--piece-ref", help=N_("The supplier's credit note number.")),
        ] = None,
        day: Annotated[
            str | None,
            optional("--date", help=N_("Booking date (default: today).")),
        ] = None,
        dry_run: DryRun = False,
    ) -> None:
        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.purchases.credit_notes import credit_bill
        from alusage_ledger.domains.purchases.input import amount_arg, date_arg

        ws = state.current().workspace()
        if entity is not None:
            ws.config.entity(entity)
        written, doc = credit_bill(
            ws,
            piece,
            entity=entity,
            supplier=supplier,
            amount=amount_arg(amount, _("amount")) if amount is not None else None,
            day=date_arg(day, _("date")),
            piece_ref=piece_ref,
            dry_run=dry_run,
        )
        given, left = written.amounts["credited"], written.amounts["remaining"]
        report_written(
            written,
            dry_run,
            {
                "entity": written.entity,
                "piece_ref": doc.piece_ref,
                "credit_note": piece_ref,
                "supplier": doc.party,
                "credited": machine(given),
                "remaining": machine(left),
                "postings": postings_json(written.entries[0]),
            },
            _(
                "Credit note of {amount} on the bill {piece} of {supplier} ({entity}); "
                "{left} left to pay."
            ).format(
                amount=money(given),
                piece=doc.piece_ref,
                supplier=doc.party,
                entity=written.entity,
                left=money(left),
            ),
        )

    @bill.command("list", help=N_("Bills with what was paid and what is still due."))
    def list_(
        entity: OnlyEntity = None,
        unpaid: Annotated[
            bool, typer.Option("--unpaid", help=N_("Only bills not fully paid."))
        ] = False,
        supplier: Annotated[
            str | None,
            optional("--supplier", help=N_("Only suppliers whose name contains this.")),
        ] = None,
        period: Annotated[
            str | None,
            optional(
                "--period", help=N_("Only bills dated in 2026, 2026-11, 2026-Q4 or FROM..TO.")
            ),
        ] = None,
        as_of: Annotated[
            str | None,
            optional("--as-of", help=N_("Overdue days counted on this day (default: today).")),
        ] = None,
        output: ListFormat = None,
        dialect: CsvDialect = "machine",
    ) -> None:
        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.purchases.documents import documents
        from alusage_ledger.domains.purchases.input import date_arg, period_range

        fmt = list_format(output, dialect)
        ws = state.current().workspace()
        names = chosen_entities(ws, entity)
        today = date_arg(as_of, _("date"))
        span = period_range(period) if period else None
        docs: list[Document] = []
        for name in names:
            ledger = ws.load_checked(name)
            for doc in documents(ws.config, ledger):
                if unpaid and doc.remaining <= 0:
                    continue
                if supplier and supplier.casefold() not in doc.party.casefold():
                    continue
                if span and not span[0] <= doc.date <= span[1]:
                    continue
                docs.append(doc)
        docs.sort(key=lambda d: (d.entity, d.date, d.piece_ref))
        render_documents(docs, today, _("Bills"), fmt, dialect)


def _report_bill(written: Written, dry_run: bool) -> None:
    # lazy: the domain (and Beancount) loads only when the command runs
    from alusage_ledger.domains.purchases.amounts import bill_total

    entry = written.entries[0]
    ttc = bill_total(entry)
    report_written(
        written,
        dry_run,
        {
            "entity": written.entity,
            "date": entry.date,
            "piece_ref": written.piece_ref,
            "link": written.link,
            "supplier": entry.payee,
            "total": machine(ttc),
            "postings": postings_json(entry),
        },
        _("Bill {piece} of {supplier} booked in {entity}: {total}, link ^{link}.").format(
            piece=written.piece_ref,
            supplier=entry.payee,
            entity=written.entity,
            total=money(ttc),
            link=written.link,
        ),
    )
