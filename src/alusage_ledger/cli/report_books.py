"""``report trial-balance``, ``report ledger ACCOUNT``, ``report journal``: the books' reports.

Registered into the ``report`` sub-app through ``cli/report.py``'s ``REPORT_MODULES``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, TypeAlias

import typer

from alusage_ledger.cli import state
from alusage_ledger.cli.options import (
    BooksEntityId,
    CsvDialect,
    OutputFormat,
    check_csv_dialect,
    emit_report,
    optional,
    output_format,
)
from alusage_ledger.core.i18n import N_, _
from alusage_ledger.outputs.render.console import table

if TYPE_CHECKING:
    from alusage_ledger.books.entityconfig import EntityConfig
    from alusage_ledger.books.loader import LoadedLedger
    from alusage_ledger.outputs.ledgerreports.window import Window

Period: TypeAlias = Annotated[
    str | None,
    optional(
        "--period",
        "-p",
        help=N_(
            "A year (2026), a quarter (2026-Q4), a month or a range (default: the exercice "
            "of the latest entry)."
        ),
    ),
]
Exercice: TypeAlias = Annotated[
    str | None,
    optional("--exercice", help=N_("An exercice, by the year it ends in (instead of --period).")),
]


def _books(
    entity: str, period: str | None, exercice: str | None
) -> tuple[EntityConfig, LoadedLedger, Window]:
    """The entity's configuration, its checked ledger and the window the options name."""
    # lazy: reports and exports load only when the command runs
    from alusage_ledger.outputs import ledgerreports as lr

    ws = state.current().workspace()
    config = ws.config.entity(entity)
    ledger = ws.load_checked(entity)
    return config, ledger, lr.report_window(config, ledger.entries, period, exercice)


def register_report(report_app: typer.Typer) -> None:
    @report_app.command(
        "trial-balance",
        help=N_(
            "Trial balance (balance générale) by PCG number: opening balance, debits and "
            "credits of the period, closing balance."
        ),
    )
    def trial_balance(
        entity: BooksEntityId,
        period: Period = None,
        exercice: Exercice = None,
        detail: Annotated[
            bool,
            typer.Option("--detail", help=N_("One row per account (third parties apart).")),
        ] = False,
        output: OutputFormat = None,
        dialect: CsvDialect = "machine",
    ) -> None:
        # lazy: reports and exports load only when the command runs
        from alusage_ledger.outputs import ledgerreports as lr

        fmt = output_format(output)
        check_csv_dialect(dialect)
        config, ledger, window = _books(entity, period, exercice)
        tb = lr.trial_balance(
            ledger.entries, window, entity=entity, entity_name=config.name, detail=detail
        )

        def show() -> None:
            table(
                _("Trial balance — {name} — {start} to {end}").format(
                    name=config.name,
                    start=window.start.isoformat(),
                    end=window.end.isoformat(),
                ),
                lr.trial_headers(),
                lr.trial_rows(tb, True),
                right=range(3, 9),
                free=(2,),
                drop=(2, 3, 4, 5, 6),
            )

        emit_report(
            fmt,
            lambda: lr.trial_json(tb),
            lambda: lr.trial_markdown(tb),
            lambda: lr.trial_csv(tb, dialect),
            show,
        )

    @report_app.command(
        "ledger",
        help=N_(
            "General ledger (grand livre) of an account, a parent account or a PCG number or "
            "prefix: opening balance, each posting with its journal and piece, running balance."
        ),
    )
    def ledger_(
        account: Annotated[
            str, typer.Argument(help=N_("An account, a parent account or a PCG number."))
        ],
        entity: BooksEntityId,
        period: Period = None,
        exercice: Exercice = None,
        output: OutputFormat = None,
        dialect: CsvDialect = "machine",
    ) -> None:
        # lazy: reports and exports load only when the command runs
        from alusage_ledger.outputs import ledgerreports as lr

        fmt = output_format(output)
        check_csv_dialect(dialect)
        config, ledger, window = _books(entity, period, exercice)
        books = lr.general_ledger(
            ledger.entries, window, lr.select_accounts(ledger.entries, account)
        )

        def show() -> None:
            headers = lr.ledger_headers()
            for book in books:
                table(
                    " ".join(p for p in (book.pcg, book.account, book.label) if p),
                    headers,
                    [r[2:] for r in lr.ledger_rows([book], window, True)],
                    right=(4, 5, 6),
                    free=(3,),
                    drop=(1,),
                )

        emit_report(
            fmt,
            lambda: lr.ledger_json(books, window),
            lambda: lr.ledger_markdown(books, window, config.name),
            lambda: lr.ledger_csv(books, window, dialect),
            show,
        )

    @report_app.command(
        "journal",
        help=N_(
            "Journal (livre-journal): every entry of the period by journal (AN, BQ, VT, AC, "
            "OD, CL), numbered, with its lines and the journal's totals."
        ),
    )
    def journal(
        entity: BooksEntityId,
        period: Period = None,
        exercice: Exercice = None,
        code: Annotated[
            str | None,
            optional("--journal", "-j", help=N_("Only this journal, e.g. BQ.")),
        ] = None,
        output: OutputFormat = None,
        dialect: CsvDialect = "machine",
    ) -> None:
        # lazy: reports and exports load only when the command runs
        from alusage_ledger.outputs import ledgerreports as lr

        fmt = output_format(output)
        check_csv_dialect(dialect)
        config, ledger, window = _books(entity, period, exercice)
        book = lr.journal_book(ledger.entries, window, code)

        def show() -> None:
            table(
                _("Journal — {name} — {start} to {end}").format(
                    name=config.name,
                    start=window.start.isoformat(),
                    end=window.end.isoformat(),
                ),
                lr.journal_headers(),
                lr.journal_rows(book, True),
                right=(7, 8),
                free=(4,),
                drop=(0, 5, 1, 4),
            )

        emit_report(
            fmt,
            lambda: lr.journal_json(book, window),
            lambda: lr.journal_markdown(book, window, config.name),
            lambda: lr.journal_csv(book, dialect),
            show,
        )
