"""Options and arguments that several commands share, each with one help text; and
the few steps their bodies share (``--format``, ``--entity`` or all).

A command declares ``dry_run: DryRun = False`` instead of spelling the ``Annotated[...]``
again. Typer copies the option of an annotation when it builds a command, so one alias
serves many. A command whose option means something else (another help text, another
default) keeps its own ``Annotated[...]``; when that option may be left out, it is
``Annotated[str | None, optional("--name", help=N_(...))] = None``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias

import typer

from alusage_ledger.cli import state
from alusage_ledger.core.errors import UsageError
from alusage_ledger.core.i18n import N_, _
from alusage_ledger.outputs.render.console import emit_json, say

if TYPE_CHECKING:
    from alusage_ledger.books.ledger import Workspace


def optional(*names: str, help: str) -> Any:
    """The ``typer.Option`` of a value that may be left out: ``names``, ``help``, and no
    default shown in ``--help`` (the help says what leaving it out means)."""
    return typer.Option(*names, help=help, show_default=False)


DRY_RUN_HELP = N_("Show what would be written, write nothing.")
FORMAT_HELP = N_("Output: table (default), md, csv or json.")
PLACE_HELP = N_("The place id, e.g. le97.")
MONTH_HELP = N_("The month, YYYY-MM.")

#: ``--dry-run`` of a command that writes.
DryRun: TypeAlias = Annotated[bool, typer.Option("--dry-run", help=DRY_RUN_HELP)]
#: ``--dry-run`` of a command that writes only with ``--post``.
PostDryRun: TypeAlias = Annotated[
    bool, typer.Option("--dry-run", help=N_("With --post: show, write nothing."))
]
#: ``--entity``, required.
EntityId: TypeAlias = Annotated[
    str, typer.Option("--entity", "-e", help=N_("The entity id, e.g. alusage."))
]
#: ``--entity``, required, of an entity that keeps double-entry books (reports, the year).
BooksEntityId: TypeAlias = Annotated[
    str, typer.Option("--entity", "-e", help=N_("The entity id, e.g. myceliandre."))
]
#: ``--entity`` that narrows a listing to one entity.
OnlyEntity: TypeAlias = Annotated[
    str | None,
    optional("--entity", "-e", help=N_("Only this entity.")),
]
#: The same, saying that the default is every entity.
OnlyEntityOrAll: TypeAlias = Annotated[
    str | None,
    optional("--entity", "-e", help=N_("Only this entity (default: all).")),
]
#: ``--format`` of a report: table, md, csv or json (see :func:`output_format`).
OutputFormat: TypeAlias = Annotated[str | None, optional("--format", "-f", help=FORMAT_HELP)]
#: ``--format`` of a list: table, csv or json (see :func:`list_format`).
ListFormat: TypeAlias = Annotated[
    str | None, optional("--format", "-f", help=N_("Output: table (default), csv or json."))
]
#: ``--csv-dialect`` of a command with ``--format csv`` (outputs/render/csvout.py).
CsvDialect: TypeAlias = Annotated[
    str,
    typer.Option(
        "--csv-dialect",
        envvar="ALUSAGE_CSV_DIALECT",
        help=N_(
            "With --format csv: machine (comma, dot decimals, English keys) or fr "
            "(semicolon, decimal comma, UTF-8 with BOM, French headings: for a spreadsheet)."
        ),
    ),
]
#: ``--date`` of a payment made by the entity.
PaymentDate: TypeAlias = Annotated[
    str | None,
    optional("--date", help=N_("Payment date (default: today).")),
]
#: ``--account`` a payment made by the entity comes from.
PaidFrom: TypeAlias = Annotated[
    str | None,
    optional("--account", help=N_("Paid from this account or role (default: the bank role).")),
]
#: ``--allow-future`` of a command that records a document (books/sanity.py).
AllowFuture: TypeAlias = Annotated[
    bool,
    typer.Option(
        "--allow-future",
        help=N_("Accept a date after today (a scheduled document); refused otherwise."),
    ),
]
#: Hidden ``--today`` of the commands that date what they write from today (tests, replays).
Today: TypeAlias = Annotated[
    str | None,
    typer.Option("--today", hidden=True, help=N_("Pretend today is this date.")),
]
#: A place of shared premises, as the first argument.
PlaceArg: TypeAlias = Annotated[str, typer.Argument(help=PLACE_HELP)]
#: ``--month``, required.
MonthOption: TypeAlias = Annotated[str, typer.Option("--month", "-m", help=MONTH_HELP)]


def output_format(output: str | None) -> str:
    """``--format`` as given, else ``json`` under ``--json``, else ``table``; checked."""
    fmt = output or ("json" if state.current().json else "table")
    if fmt not in ("table", "md", "csv", "json"):
        raise UsageError(
            _("Unknown format {value!r}; use table, md, csv or json.").format(value=output)
        )
    return fmt


def list_format(output: str | None, dialect: str = "machine") -> str:
    """``--format`` of a list as given, else ``json`` under ``--json``, else ``table``;
    checked, and ``--csv-dialect`` with it."""
    fmt = output or ("json" if state.current().json else "table")
    if fmt not in ("table", "csv", "json"):
        raise UsageError(
            _("Unknown format {value!r}; use table, csv or json.").format(value=output)
        )
    check_csv_dialect(dialect)
    return fmt


def check_csv_dialect(dialect: str) -> None:
    """``--csv-dialect`` is machine or fr; a :class:`UsageError` otherwise."""
    # lazy: csv and decimal are loaded only for a CSV
    from alusage_ledger.outputs.render.csvout import check_dialect

    check_dialect(dialect)


def emit_csv(
    columns: Sequence[tuple[str, str]], rows: Iterable[Sequence[Any]], dialect: str
) -> None:
    """Print ``rows`` as CSV in ``dialect`` (outputs/render/csvout.py): ``columns`` are
    ``(key, heading)``, the rows machine values (Decimal, date, text)."""
    # lazy: csv and decimal are loaded only for a CSV
    from alusage_ledger.outputs.render import csvout

    csvout.emit_csv(columns, rows, dialect)


def chosen_entities(ws: Workspace, entity: str | None) -> list[str]:
    """``--entity`` as a list of one, else every entity of the workspace; each checked."""
    names = [entity] if entity else list(ws.config.entities)
    for name in names:
        ws.config.entity(name)
    return names


def emit_report(
    fmt: str,
    as_json: Callable[[], Any],
    markdown: Callable[[], str],
    csv: Callable[[], str],
    as_table: Callable[[], None],
) -> None:
    """Print a report in ``fmt`` (from :func:`output_format`), calling only its renderer."""
    if fmt == "json":
        emit_json(as_json())
    elif fmt == "md":
        typer.echo(markdown(), nl=False)
    elif fmt == "csv":
        # lazy: csv and decimal are loaded only for a CSV
        from alusage_ledger.outputs.render.csvout import write_utf8

        write_utf8(csv())
    else:
        as_table()


def say_dry_run(text: str) -> None:
    """What a ``--dry-run`` would have written, then that nothing was."""
    say(text.rstrip("\n"))
    say(_("Dry run: nothing was written."))


def command_group(app: typer.Typer, name: str, help: str) -> typer.Typer:
    """The group ``alusage-ledger NAME`` of subcommands, added to ``app``; without a
    subcommand it prints its help."""
    group = typer.Typer(help=help, no_args_is_help=True, rich_markup_mode=None)
    app.add_typer(group, name=name)
    return group
