"""``report annual``: the annual accounts (bilan and compte de résultat) of an exercice.

Registered into the ``report`` sub-app through ``cli/report.py``'s ``REPORT_MODULES``.
"""

from __future__ import annotations

from typing import Annotated, TypeAlias

import typer

from alusage_ledger.cli import state
from alusage_ledger.cli.options import (
    BooksEntityId,
    OutputFormat,
    emit_report,
    optional,
    output_format,
)
from alusage_ledger.core.errors import UsageError
from alusage_ledger.core.i18n import N_, _
from alusage_ledger.outputs.render.console import table

Exercice: TypeAlias = Annotated[
    str | None,
    optional(
        "--exercice",
        help=N_("An exercice, by the year it ends in (default: the exercice of the latest entry)."),
    ),
]


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
        ws = state.current().workspace()
        config = ws.config.entity(entity)
        if config.kind == "micro":
            raise UsageError(
                _(
                    "{entity} is a micro-entrepreneur: it keeps registers, not double-entry "
                    "books, and has no annual accounts."
                ).format(entity=entity)
            )
        ledger = ws.load_checked(entity)
        window = lr.report_window(config, ledger.entries, None, exercice)
        accounts = lr.annual_accounts(
            ledger.entries, window, entity=entity, entity_name=config.name
        )

        def show() -> None:
            rows = lr.annual_rows(accounts)
            for statement, heading in lr.statement_headings().items():
                table(
                    f"{config.name} — {heading}",
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
