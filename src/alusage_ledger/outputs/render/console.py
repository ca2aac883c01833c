"""Where output goes: Rich on a terminal, plain text when piped, JSON with ``--json``."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from typing import Any

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


def warn(message: str) -> None:
    sys.stderr.write(message + "\n")


def table(
    title: str | None,
    columns: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    right: Sequence[int] = (),
) -> None:
    """A Rich table on a terminal; tab-free aligned plain text otherwise."""
    if use_color():
        # lazy: Rich costs tens of milliseconds; only a terminal needs it
        from rich.console import Console

        # lazy: Rich costs tens of milliseconds; only a terminal needs it
        from rich.table import Table

        tbl = Table(title=title)
        for index, name in enumerate(columns):
            tbl.add_column(name, justify="right" if index in right else "left")
        for row in rows:
            tbl.add_row(*row)
        Console().print(tbl)
        return
    widths = [len(c) for c in columns]
    for row in rows:
        for index, cell in enumerate(row):
            widths[index] = max(widths[index], len(cell))

    def line(cells: Sequence[str]) -> str:
        parts = [
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(cells)
        ]
        return "  ".join(parts).rstrip()

    out = []
    if title:
        out.append(title)
    out.append(line(columns))
    out.append("  ".join("-" * w for w in widths))
    out.extend(line(row) for row in rows)
    sys.stdout.write("\n".join(out) + "\n")
