"""``expense add/reimburse/list``: expense claims (notes de frais) and their reimbursement."""

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
    command_group,
    list_format,
    optional,
)
from alusage_ledger.core.fmt import machine, money
from alusage_ledger.core.i18n import N_, _

if TYPE_CHECKING:
    from alusage_ledger.domains.purchases.documents import Document


def register(app: typer.Typer) -> None:
    expense = command_group(
        app,
        "expense",
        N_("Expense claims: what a person paid for the entity, and its reimbursement."),
    )

    @expense.command(
        "add",
        help=N_(
            "Book an expense claim paid by a person: the expense, its deductible VAT, and "
            "what is owed to that person (467) until reimbursed."
        ),
    )
    def add(
        entity: EntityId,
        person: Annotated[str, typer.Option("--person", help=N_("Who paid."))],
        account: Annotated[
            str, typer.Option("--account", help=N_("Expense account (name or PCG number)."))
        ],
        amount: Annotated[
            str, typer.Option("--amount", help=N_("What the person paid, VAT included."))
        ],
        vat: Annotated[
            str | None,
            optional("--vat", help=N_("VAT rate on the receipt: 20, 10, 5.5, 2.1 or exempt.")),
        ] = None,
        vat_amount: Annotated[
            str | None,
            optional(
                "--vat-amount",
                help=N_("The VAT amount printed on the receipt (default: from the rate)."),
            ),
        ] = None,
        day: Annotated[
            str | None,
            optional("--date", help=N_("Date of the expense (default: today).")),
        ] = None,
        piece_ref: Annotated[
            str | None,
            optional(
                "--piece-ref", help=N_("Number of the claim (default: NDF-<year>-<sequence>).")
            ),
        ] = None,
        label: Annotated[
            str | None,
            optional("--label", help=N_("What was bought.")),
        ] = None,
        nature: Annotated[
            str | None,
            optional(
                "--nature",
                help=N_(
                    "goods, services or fixed-asset (default: from the account): the "
                    "return's line 20 or 19."
                ),
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
        from alusage_ledger.domains.purchases.expenses import ClaimRequest, add_claim
        from alusage_ledger.domains.purchases.input import amount_arg, date_arg

        ws = state.current().workspace()
        ws.config.entity(entity)
        request = ClaimRequest(
            entity=entity,
            person=person,
            account=account,
            amount=amount_arg(amount, _("amount")),
            day=date_arg(day, _("date")),
            vat=vat,
            vat_amount=amount_arg(vat_amount, _("VAT amount"), allow_zero=True)
            if vat_amount is not None
            else None,
            piece_ref=piece_ref,
            label=label,
            nature=nature,
            category=category,
        )
        refuse_future(request.day, _("date"), allow_future=allow_future)
        written = add_claim(ws, request, dry_run=dry_run)
        entry = written.entries[0]
        report_written(
            written,
            dry_run,
            {
                "entity": entity,
                "piece_ref": written.piece_ref,
                "link": written.link,
                "person": entry.payee,
                "amount": machine(request.amount),
                "postings": postings_json(entry),
            },
            _("Expense claim {piece} of {person} booked in {entity}: {amount} owed.").format(
                piece=written.piece_ref,
                person=entry.payee,
                entity=entity,
                amount=money(request.amount),
            ),
        )

    @expense.command(
        "reimburse",
        help=N_(
            "Reimburse a person's open expense claims (all of them, or the ones named) "
            "in one payment linked to each claim."
        ),
    )
    def reimburse(
        entity: EntityId,
        person: Annotated[str, typer.Option("--person", help=N_("Who is reimbursed."))],
        pieces: Annotated[
            list[str] | None,
            typer.Argument(
                help=N_("Claims to reimburse (default: all open ones)."), show_default=False
            ),
        ] = None,
        amount: Annotated[
            str | None,
            optional(
                "--amount", help=N_("Amount paid (default: everything owed on these claims).")
            ),
        ] = None,
        day: PaymentDate = None,
        account: PaidFrom = None,
        dry_run: DryRun = False,
    ) -> None:
        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.purchases.expenses import reimburse as do_reimburse
        from alusage_ledger.domains.purchases.input import amount_arg, date_arg

        ws = state.current().workspace()
        ws.config.entity(entity)
        written, chosen = do_reimburse(
            ws,
            entity,
            person,
            pieces or [],
            day=date_arg(day, _("date")),
            account=account,
            amount=amount_arg(amount, _("amount")) if amount is not None else None,
            dry_run=dry_run,
        )
        paid = written.amounts["amount"]
        report_written(
            written,
            dry_run,
            {
                "entity": entity,
                "person": written.entries[0].payee,
                "claims": [d.piece_ref for d in chosen],
                "amount": machine(paid),
            },
            _("{person} reimbursed {amount} ({claims}).").format(
                person=written.entries[0].payee,
                amount=money(paid),
                claims=", ".join(d.piece_ref for d in chosen),
            ),
        )

    @expense.command("list", help=N_("Expense claims with what was reimbursed and what is owed."))
    def list_(
        entity: OnlyEntity = None,
        unpaid: Annotated[
            bool, typer.Option("--unpaid", help=N_("Only claims not fully reimbursed."))
        ] = False,
        output: ListFormat = None,
        dialect: CsvDialect = "machine",
    ) -> None:
        # lazy: core.periods costs ~5 ms at start-up
        from alusage_ledger.core.periods import resolve_today

        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.purchases.expenses import claims

        fmt = list_format(output, dialect)
        ws = state.current().workspace()
        names = [entity] if entity else list(ws.config.entities)
        docs: list[Document] = []
        for name in names:
            ledger = ws.load_checked(name)
            docs.extend(d for d in claims(ws.config, ledger) if not unpaid or d.remaining > 0)
        docs.sort(key=lambda d: (d.entity, d.date, d.piece_ref))
        render_documents(docs, resolve_today(), _("Expense claims"), fmt, dialect)
