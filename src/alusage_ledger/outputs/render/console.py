"""Where output goes: Rich on a terminal, plain text when piped, JSON with ``--json``."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from typing import Any

from alusage_ledger.core.i18n import _
from alusage_ledger.outputs.render.settings import current


def is_terminal() -> bool:
    return sys.stdout.isatty()


def use_color() -> bool:
    return current().color and "NO_COLOR" not in os.environ and is_terminal()


def _default(value: Any) -> Any:
    # lazy: decimal is not needed at start-up; a Decimal being written has loaded it already
    from decimal import Decimal

    if isinstance(value, Decimal):
        return f"{value:f}"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def emit_json(document: Any) -> None:
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2, default=_default) + "\n")


def say(message: str) -> None:
    if not current().quiet:
        sys.stdout.write(message + "\n")


RED = "31"
YELLOW = "33"


def paint(text: str, colour: str, stream: Any = None) -> str:
    """``text`` in ``colour`` (an ANSI code) when ``stream`` is a terminal and colours are on
    (not ``--no-color``, no ``NO_COLOR``); unchanged otherwise."""
    stream = sys.stderr if stream is None else stream
    if not current().color or "NO_COLOR" in os.environ or not stream.isatty():
        return text
    return f"\x1b[{colour}m{text}\x1b[0m"


def warn(message: str) -> None:
    """A warning on stderr, in yellow on a terminal."""
    sys.stderr.write(paint(message, YELLOW) + "\n")


def error(message: str) -> None:
    """An error on stderr, in red on a terminal."""
    sys.stderr.write(paint(message, RED) + "\n")


PIPE_WIDTH = 100
"""Width of a table when the output is not a terminal (a pipe, a file), unless ``--wide``."""

MIN_FREE = 12
"""A free-text column (a client's name, a label) is never shortened below this."""

ELLIPSIS = "…"


def available_width() -> int | None:
    """The width tables must fit: the terminal's, 100 when piped, none with ``--wide``."""
    if current().wide:
        return None
    if is_terminal():
        # lazy: shutil is needed only on a terminal
        import shutil

        return max(shutil.get_terminal_size((PIPE_WIDTH, 24)).columns, 40)
    return PIPE_WIDTH


def fit(
    widths: Sequence[int],
    limit: int | None,
    *,
    gap: int,
    free: Sequence[int] = (),
    drop: Sequence[int] = (),
) -> tuple[list[int], dict[int, int]]:
    """Which columns to show and how wide each free-text column may be, to fit ``limit``.

    Identifiers, dates and amounts are never cut: first the free-text columns (``free``)
    shrink down to :data:`MIN_FREE` characters, then whole columns are left out in the
    order of ``drop`` (lowest priority first), then the free-text columns take back what
    is left. A table that still does not fit is shown whole (nothing else may be cut).
    """
    columns = list(range(len(widths)))
    if limit is None:
        return columns, {}
    dropped: list[int] = []
    for step in range(len(drop) + 1):
        dropped = list(drop[:step])
        kept = [i for i in columns if i not in dropped]
        shrunk = {i: min(widths[i], MIN_FREE) for i in free if i in kept}
        total = sum(shrunk.get(i, widths[i]) for i in kept) + gap * (len(kept) - 1)
        if total <= limit:
            spare = limit - total
            for i in (i for i in free if i in kept):
                extra = min(widths[i] - shrunk[i], spare)
                shrunk[i] += extra
                spare -= extra
            return kept, {i: w for i, w in shrunk.items() if w < widths[i]}
    kept = [i for i in columns if i not in dropped]
    return kept, {i: min(widths[i], MIN_FREE) for i in free if i in kept and widths[i] > MIN_FREE}


def shorten(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters, with an ellipsis when cut."""
    return text if len(text) <= width else text[: max(width - 1, 0)] + ELLIPSIS


def header_lines(name: str, width: int) -> list[str]:
    """A column's name folded on its words to ``width`` (a long heading never widens a column
    of short amounts: "Solde de clôture débiteur" takes three short lines)."""
    lines: list[str] = []
    for word in name.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _negative(cell: str) -> bool:
    return cell.lstrip().startswith(("-", "−"))


def table(
    title: str | None,
    columns: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    right: Sequence[int] = (),
    free: Sequence[int] = (),
    drop: Sequence[int] = (),
) -> None:
    """A table that fits: a Rich table on a terminal, aligned plain text otherwise.

    ``right``: the columns aligned right (amounts). ``free``: free-text columns, which may
    be shortened with an ellipsis; every other cell is shown whole on one line. ``drop``:
    the columns that may be left out when the table does not fit, lowest priority first;
    a footer names them and ``--wide`` shows them.
    """
    cells_width = [0] * len(columns)
    for row in rows:
        for index, cell in enumerate(row):
            cells_width[index] = max(cells_width[index], len(cell))
    rich = use_color()
    limit = available_width()
    # A Rich table draws a border and pads each cell: 3 characters between columns, 4 more.
    room = None if limit is None else limit - (4 if rich else 0)
    gap = 3 if rich else 2
    # Headings on one line when everything fits so; else a heading folds on its words (its
    # longest word is its least width) before anything else gives way.
    widths = [max(len(c), w) for c, w in zip(columns, cells_width, strict=True)]
    if room is not None and sum(widths) + gap * (len(widths) - 1) > room:
        widths = [
            max(max((len(word) for word in c.split()), default=0), w)
            for c, w in zip(columns, cells_width, strict=True)
        ]
    kept, narrow = fit(widths, room, gap=gap, free=free, drop=drop)

    def cells(row: Sequence[str]) -> list[str]:
        return [shorten(row[i], narrow[i]) if i in narrow else row[i] for i in kept]

    if rich:
        # lazy: Rich costs tens of milliseconds; only a terminal needs it
        from rich.console import Console

        # lazy: Rich costs tens of milliseconds; only a terminal needs it
        from rich.markup import escape

        # lazy: Rich costs tens of milliseconds; only a terminal needs it
        from rich.table import Table

        tbl = Table(title=escape(title) if title else None)
        for index in kept:
            heading = "\n".join(header_lines(columns[index], narrow.get(index, widths[index])))
            tbl.add_column(
                escape(heading), justify="right" if index in right else "left", no_wrap=True
            )
        for row in rows:
            tbl.add_row(
                *(
                    f"[red]{escape(cell)}[/red]" if i in right and _negative(cell) else escape(cell)
                    for i, cell in zip(kept, cells(row), strict=True)
                )
            )
        console = Console() if limit is None else Console(width=limit)
        console.print(tbl)
    else:
        shown_widths = {i: narrow.get(i, widths[i]) for i in kept}

        def line(values: Sequence[str]) -> str:
            parts = [
                cell.rjust(shown_widths[i]) if i in right else cell.ljust(shown_widths[i])
                for i, cell in zip(kept, values, strict=True)
            ]
            return "  ".join(parts).rstrip()

        out = []
        if title:
            out.append(title)
        headings = {i: header_lines(columns[i], shown_widths[i]) for i in kept}
        height = max((len(lines) for lines in headings.values()), default=1)
        for level in range(height):
            # Headings sit on the last line, like a spreadsheet's wrapped header row.
            out.append(line([([""] * (height - len(h)) + h)[level] for h in headings.values()]))
        out.append("  ".join("-" * shown_widths[i] for i in kept))
        out.extend(line(cells(row)) for row in rows)
        sys.stdout.write("\n".join(out) + "\n")
    left_out = [columns[i] for i in range(len(columns)) if i not in kept]
    if left_out:
        # lazy: textwrap only for this footer
        import textwrap

        footer = _("Columns left out to fit {width} characters: {names} (--wide shows them).")
        text = footer.format(width=limit, names=", ".join(left_out))
        say(textwrap.fill(text, width=limit or PIPE_WIDTH, break_long_words=False))
