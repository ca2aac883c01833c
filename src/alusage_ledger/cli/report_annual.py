"""``report annual``, ``report sig``, ``report auxiliary``: the annual accounts (bilan and
compte de résultat), the soldes intermédiaires de gestion and the auxiliary balances.

Registered into the ``report`` sub-app through ``cli/report.py``'s ``REPORT_MODULES``.
"""

from __future__ import annotations

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
from alusage_ledger.outputs.render.console import table

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
