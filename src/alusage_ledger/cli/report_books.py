"""``report trial-balance``, ``report ledger ACCOUNT``, ``report journal``: the books' reports.

Registered into the ``report`` sub-app through ``cli/report.py``'s ``REPORT_MODULES``.
"""

from __future__ import annotations

from typing import Annotated

import typer

from ..i18n import N_, _
from . import state

ENTITY_HELP = N_("The entity id, e.g. myceliandre.")
PERIOD_HELP = N_(
    "A year (2026), a quarter (2026-Q4), a month or a range (default: the exercice of the "
    "latest entry)."
)
EXERCICE_HELP = N_("An exercice, by the year it ends in (instead of --period).")
FORMAT_HELP = N_("Output: table (default), md, csv or json.")


def _format(output: str | None) -> str:
    from ..errors import UsageError

    fmt = output or ("json" if state.current().json else "table")
    if fmt not in ("table", "md", "csv", "json"):
        raise UsageError(
            _("Unknown format {value!r}; use table, md, csv or json.").format(value=output)
        )
    return fmt


def register_report(report_app: typer.Typer) -> None:
    @report_app.command(
        "trial-balance",
        help=N_(
            "Trial balance (balance générale) by PCG number: opening balance, debits and "
            "credits of the period, closing balance."
        ),
    )
    def trial_balance(
        entity: Annotated[str, typer.Option("--entity", "-e", help=ENTITY_HELP)],
        period: Annotated[
            str | None, typer.Option("--period", "-p", help=PERIOD_HELP, show_default=False)
        ] = None,
        exercice: Annotated[
            str | None, typer.Option("--exercice", help=EXERCICE_HELP, show_default=False)
        ] = None,
        detail: Annotated[
            bool,
            typer.Option("--detail", help=N_("One row per account (third parties apart).")),
        ] = False,
        output: Annotated[
            str | None, typer.Option("--format", "-f", help=FORMAT_HELP, show_default=False)
        ] = None,
    ) -> None:
        from .. import ledgerreports as lr
        from ..render.console import emit_json, table

        fmt = _format(output)
        ws = state.current().workspace()
        config = ws.config.entity(entity)
        ledger = ws.load_checked(entity)
        window = lr.report_window(config, ledger.entries, period, exercice)
        tb = lr.trial_balance(
            ledger.entries, window, entity=entity, entity_name=config.name, detail=detail
        )
        if fmt == "json":
            emit_json(lr.trial_json(tb))
        elif fmt == "md":
            typer.echo(lr.trial_markdown(tb), nl=False)
        elif fmt == "csv":
            typer.echo(lr.trial_csv(tb), nl=False)
        else:
            table(
                _("Trial balance — {name} — {start} to {end}").format(
                    name=config.name,
                    start=window.start.isoformat(),
                    end=window.end.isoformat(),
                ),
                lr.trial_headers(),
                lr.trial_rows(tb, True),
                right=range(3, 9),
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
        entity: Annotated[str, typer.Option("--entity", "-e", help=ENTITY_HELP)],
        period: Annotated[
            str | None, typer.Option("--period", "-p", help=PERIOD_HELP, show_default=False)
        ] = None,
        exercice: Annotated[
            str | None, typer.Option("--exercice", help=EXERCICE_HELP, show_default=False)
        ] = None,
        output: Annotated[
            str | None, typer.Option("--format", "-f", help=FORMAT_HELP, show_default=False)
        ] = None,
    ) -> None:
        from .. import ledgerreports as lr
        from ..render.console import emit_json, table

        fmt = _format(output)
        ws = state.current().workspace()
        config = ws.config.entity(entity)
        ledger = ws.load_checked(entity)
        window = lr.report_window(config, ledger.entries, period, exercice)
        books = lr.general_ledger(
            ledger.entries, window, lr.select_accounts(ledger.entries, account)
        )
        if fmt == "json":
            emit_json(lr.ledger_json(books, window))
        elif fmt == "md":
            typer.echo(lr.ledger_markdown(books, window, config.name), nl=False)
        elif fmt == "csv":
            typer.echo(lr.ledger_csv(books, window), nl=False)
        else:
            headers = [
                _("Date"),
                _("Journal"),
                _("Piece"),
                _("Label"),
                _("Debit"),
                _("Credit"),
                _("Balance"),
            ]
            for book in books:
                table(
                    " ".join(p for p in (book.pcg, book.account, book.label) if p),
                    headers,
                    [r[2:] for r in lr.ledger_rows([book], window, True)],
                    right=(4, 5, 6),
                )

    @report_app.command(
        "journal",
        help=N_(
            "Journal (livre-journal): every entry of the period by journal (AN, BQ, VT, AC, "
            "OD, CL), numbered, with its lines and the journal's totals."
        ),
    )
    def journal(
        entity: Annotated[str, typer.Option("--entity", "-e", help=ENTITY_HELP)],
        period: Annotated[
            str | None, typer.Option("--period", "-p", help=PERIOD_HELP, show_default=False)
        ] = None,
        exercice: Annotated[
            str | None, typer.Option("--exercice", help=EXERCICE_HELP, show_default=False)
        ] = None,
        code: Annotated[
            str | None,
            typer.Option(
                "--journal", "-j", help=N_("Only this journal, e.g. BQ."), show_default=False
            ),
        ] = None,
        output: Annotated[
            str | None, typer.Option("--format", "-f", help=FORMAT_HELP, show_default=False)
        ] = None,
    ) -> None:
        from .. import ledgerreports as lr
        from ..render.console import emit_json, table

        fmt = _format(output)
        ws = state.current().workspace()
        config = ws.config.entity(entity)
        ledger = ws.load_checked(entity)
        window = lr.report_window(config, ledger.entries, period, exercice)
        book = lr.journal_book(ledger.entries, window, code)
        if fmt == "json":
            emit_json(lr.journal_json(book, window))
        elif fmt == "md":
            typer.echo(lr.journal_markdown(book, window, config.name), nl=False)
        elif fmt == "csv":
            typer.echo(lr.journal_csv(book), nl=False)
        else:
            table(
                _("Journal — {name} — {start} to {end}").format(
                    name=config.name,
                    start=window.start.isoformat(),
                    end=window.end.isoformat(),
                ),
                [
                    _("Journal"),
                    _("Number"),
                    _("Date"),
                    _("Piece"),
                    _("Label"),
                    _("PCG"),
                    _("Account"),
                    _("Debit"),
                    _("Credit"),
                ],
                lr.journal_rows(book, True),
                right=(7, 8),
            )
