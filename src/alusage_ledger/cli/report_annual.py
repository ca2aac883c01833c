"""``report annual``, ``report sig``, ``report auxiliary``, ``report corporate-tax``: the
annual accounts (bilan and compte de résultat), the soldes intermédiaires de gestion, the
auxiliary balances and the corporate tax.

Registered into the ``report`` sub-app through ``cli/report.py``'s ``REPORT_MODULES``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, TypeAlias

import typer

from alusage_ledger.cli import state
from alusage_ledger.cli.options import (
    BooksEntityId,
    OutputFormat,
    emit_report,
    optional,
    output_format,
)
from alusage_ledger.cli.report_books import Period
from alusage_ledger.core.errors import UsageError
from alusage_ledger.core.i18n import N_, _
from alusage_ledger.outputs.render.console import say, table

if TYPE_CHECKING:
    from alusage_ledger.books.entityconfig import EntityConfig
    from alusage_ledger.books.loader import LoadedLedger
    from alusage_ledger.outputs.ledgerreports import AnnualAccounts

Exercice: TypeAlias = Annotated[
    str | None,
    optional(
        "--exercice",
        help=N_("An exercice, by the year it ends in (default: the exercice of the latest entry)."),
    ),
]


def _books(entity: str) -> tuple[EntityConfig, LoadedLedger]:
    """The configuration and checked ledger of an entity that keeps double-entry books."""
    ws = state.current().workspace()
    config = ws.config.entity(entity)
    if config.kind == "micro":
        raise UsageError(
            _(
                "{entity} is a micro-entrepreneur: it keeps registers, not double-entry "
                "books, and has no annual accounts."
            ).format(entity=entity)
        )
    return config, ws.load_checked(entity)


def _accounts(entity: str, exercice: str | None) -> AnnualAccounts:
    # lazy: reports and exports load only when the command runs
    from alusage_ledger.outputs import ledgerreports as lr

    config, ledger = _books(entity)
    window = lr.report_window(config, ledger.entries, None, exercice)
    return lr.annual_accounts(ledger.entries, window, entity=entity, entity_name=config.name)


def _reserves(text: str) -> Decimal:
    # lazy: core.money (fractions) costs a few ms at start-up
    from alusage_ledger.core.money import MoneyError, parse_amount

    try:
        return parse_amount(text, allow_negative=False)
    except MoneyError:
        raise UsageError(
            _(
                "--reserves {value!r} is not an amount in euros; write e.g. 12000 or 12 000,50."
            ).format(value=text)
        ) from None


def register_report(report_app: typer.Typer) -> None:
    @report_app.command(
        "annual",
        help=N_(
            "Annual accounts (comptes annuels) of an exercice in the French abridged "
            "presentation: balance sheet and income statement by PCG number, with the "
            "previous exercice beside."
        ),
    )
    def annual(
        entity: BooksEntityId,
        exercice: Exercice = None,
        output: OutputFormat = None,
    ) -> None:
        # lazy: reports and exports load only when the command runs
        from alusage_ledger.outputs import ledgerreports as lr

        fmt = output_format(output)
        accounts = _accounts(entity, exercice)

        def show() -> None:
            rows = lr.annual_rows(accounts)
            for statement, heading in lr.statement_headings().items():
                table(
                    f"{accounts.entity_name} — {heading}",
                    [_("Line"), *lr.annual_column_names(accounts)],
                    lr.annual_table_rows(rows, statement, accounts.previous is not None),
                    right=(1, 2),
                    free=(0,),
                )

        emit_report(
            fmt,
            lambda: lr.annual_json(accounts),
            lambda: lr.annual_markdown(accounts),
            lambda: lr.annual_csv(accounts),
            show,
        )

    @report_app.command(
        "sig",
        help=N_(
            "Soldes intermédiaires de gestion of an exercice: marge commerciale, production, "
            "valeur ajoutée, EBE, résultat d'exploitation, courant avant impôts, "
            "exceptionnel and net, with the previous exercice beside."
        ),
    )
    def sig(
        entity: BooksEntityId,
        exercice: Exercice = None,
        output: OutputFormat = None,
    ) -> None:
        # lazy: reports and exports load only when the command runs
        from alusage_ledger.outputs.ledgerreports import sig as sg

        fmt = output_format(output)
        accounts = _accounts(entity, exercice)

        def show() -> None:
            table(
                sg.sig_title(accounts),
                sg.sig_headers(accounts),
                sg.sig_table_rows(accounts),
                right=(2, 3),
                free=(1,),
            )

        emit_report(
            fmt,
            lambda: sg.sig_json(accounts),
            lambda: sg.sig_markdown(accounts),
            lambda: sg.sig_csv(accounts),
            show,
        )

    @report_app.command(
        "auxiliary",
        help=N_(
            "Auxiliary balances (balances auxiliaires) of the clients and the suppliers: "
            "per third party, the opening balance, the debits and credits of the period "
            "and the balance."
        ),
    )
    def auxiliary(
        entity: BooksEntityId,
        period: Period = None,
        exercice: Exercice = None,
        output: OutputFormat = None,
    ) -> None:
        # lazy: reports and exports load only when the command runs
        from alusage_ledger.outputs import ledgerreports as lr
        from alusage_ledger.outputs.ledgerreports import auxiliary as ax

        fmt = output_format(output)
        config, ledger = _books(entity)
        window = lr.report_window(config, ledger.entries, period, exercice)
        aux = ax.auxiliary_balance(ledger.entries, window, entity=entity, entity_name=config.name)

        def show() -> None:
            for name, _prefix in ax.LEDGERS:
                table(
                    f"{ax.auxiliary_title(aux)} — {ax.ledger_title(name)}",
                    ax.auxiliary_headers(),
                    ax.auxiliary_table_rows(aux, name),
                    right=range(2, 6),
                    free=(0,),
                    drop=(1, 2),
                )

        emit_report(
            fmt,
            lambda: ax.auxiliary_json(aux),
            lambda: ax.auxiliary_markdown(aux),
            lambda: ax.auxiliary_csv(aux),
            show,
        )

    @report_app.command(
        "corporate-tax",
        help=N_(
            "Corporate tax (IS) of an exercice from its accounts: the reduced rate up to its "
            "ceiling, the normal rate above, a SCIC's deduction of its indivisible reserves "
            "(rates in [year.corporate_tax])."
        ),
    )
    def corporate_tax(
        entity: BooksEntityId,
        exercice: Exercice = None,
        reserves: Annotated[
            str | None,
            optional(
                "--reserves",
                help=N_(
                    "SCIC: the sums voted to the indivisible reserves (default: the "
                    "allocation rules' minimum share of the result after tax)."
                ),
            ),
        ] = None,
        output: OutputFormat = None,
    ) -> None:
        # lazy: reports and exports load only when the command runs
        from alusage_ledger.outputs.ledgerreports import taxreport as tr

        fmt = output_format(output)
        ws = state.current().workspace()
        if reserves is not None and ws.config.entity(entity).kind != "scic":
            raise UsageError(_("--reserves is for a SCIC (CGI art. 209 VIII)."))
        voted = None if reserves is None else _reserves(reserves)
        report = tr.tax_report(ws.config, entity, _accounts(entity, exercice), voted)

        def show() -> None:
            table(
                tr.tax_title(report),
                [_("Line"), _("Amount")],
                tr.tax_table_rows(report),
                right=(1,),
            )
            for note in tr.tax_notes(report):
                say(note)

        emit_report(
            fmt,
            lambda: tr.tax_json(report),
            lambda: tr.tax_markdown(report),
            lambda: tr.tax_csv(report),
            show,
        )
