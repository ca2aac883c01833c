"""``report ...``: the documents the books produce (transparency report, and more to come).

One Typer sub-app, ``report``; each report is a subcommand. To add one (``trial-balance``,
``balance-sheet``...), either define it below with ``@report_app.command(...)`` inside
:func:`register`, or put it in its own module ``cli/report_<name>.py`` with a function
``register_report(report_app)`` and add that module's name to :data:`REPORT_MODULES`.
Library work stays in the domain modules (``transparency.py``...), imported inside the
command functions so that ``--help`` stays fast.
"""

from __future__ import annotations

import importlib
from typing import Annotated

import typer

from alusage_ledger.cli import state
from alusage_ledger.cli.options import (
    CsvDialect,
    OutputFormat,
    check_csv_dialect,
    command_group,
    emit_report,
    output_format,
)
from alusage_ledger.core.i18n import N_

#: Modules (in ``cli/``) that contribute report subcommands with ``register_report(app)``.
REPORT_MODULES: tuple[str, ...] = ("report_books", "report_annual")


def register(app: typer.Typer) -> None:
    report_app = command_group(
        app, "report", N_("Reports from the ledgers: transparency report, and more.")
    )

    @report_app.command(
        "transparency",
        help=N_(
            "The transparency report a cooperative shows its general assembly: value "
            "created, paid to people, given back to the commons, le 97's costs and how they "
            "were shared; month by month, with bars."
        ),
    )
    def transparency(
        period: Annotated[
            str,
            typer.Option(
                "--period",
                "-p",
                help=N_("A year (2026), a quarter (2026-Q4), a month or a range."),
            ),
        ],
        output: OutputFormat = None,
        dialect: CsvDialect = "machine",
    ) -> None:
        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.commons.transparency import build_report

        # lazy: the report's rendering loads only when the command runs
        from alusage_ledger.outputs.transparency import (
            render_csv,
            render_markdown,
            render_terminal,
            report_json,
        )

        fmt = output_format(output)
        check_csv_dialect(dialect)
        report = build_report(state.current().workspace(), period)
        emit_report(
            fmt,
            lambda: report_json(report),
            lambda: render_markdown(report),
            lambda: render_csv(report, dialect),
            lambda: render_terminal(report),
        )

    for name in REPORT_MODULES:
        importlib.import_module(f"{__package__}.{name}").register_report(report_app)
