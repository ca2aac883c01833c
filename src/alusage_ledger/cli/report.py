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

from ..i18n import N_, _
from . import state

#: Modules (in ``cli/``) that contribute report subcommands with ``register_report(app)``.
REPORT_MODULES: tuple[str, ...] = ("report_books",)

FORMAT_HELP = N_("Output: table (default), md, csv or json.")


def register(app: typer.Typer) -> None:
    report_app = typer.Typer(
        help=N_("Reports from the ledgers: transparency report, and more."),
        no_args_is_help=True,
        rich_markup_mode=None,
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
        output: Annotated[
            str | None,
            typer.Option("--format", "-f", help=FORMAT_HELP, show_default=False),
        ] = None,
    ) -> None:
        from ..errors import UsageError
        from ..transparency import build_report, render_csv, render_markdown, report_json

        st = state.current()
        fmt = output or ("json" if st.json else "table")
        if fmt not in ("table", "md", "csv", "json"):
            raise UsageError(
                _("Unknown format {value!r}; use table, md, csv or json.").format(value=output)
            )
        ws = st.workspace()
        report = build_report(ws, period)
        if fmt == "json":
            from ..render.console import emit_json

            emit_json(report_json(report))
        elif fmt == "md":
            typer.echo(render_markdown(report), nl=False)
        elif fmt == "csv":
            typer.echo(render_csv(report), nl=False)
        else:
            from ..transparency import render_terminal

            render_terminal(report)

    for name in REPORT_MODULES:
        importlib.import_module(f"{__package__}.{name}").register_report(report_app)
    app.add_typer(report_app, name="report")
