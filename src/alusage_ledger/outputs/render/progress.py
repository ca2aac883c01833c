"""Progress for long work, on a terminal only.

A person waiting at a terminal sees a Rich spinner (or a bar when the amount of work is
known) on **stderr**; a script, a pipe, ``--json`` or ``--quiet`` sees nothing, so the
output stays exactly what was asked for. The bar is transient: once the work is done it
disappears and only the command's result is left on the screen.

    with working(_("Closing {month}…").format(month=month)):
        result = close_month(...)

    with steps(_("Ledgers"), total=len(entities)) as advance:
        for entity in entities:
            ...
            advance()
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from alusage_ledger.books.answers import real_stderr
from alusage_ledger.outputs.render.settings import current


def show_progress() -> bool:
    """Only for a person: stderr is a terminal, and neither ``--json`` nor ``--quiet``."""
    st = current()
    if st.json or st.quiet:
        return False
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def _console() -> Any:
    # lazy: Rich costs tens of milliseconds; only a person at a terminal sees progress
    from rich.console import Console

    # Rich reads NO_COLOR itself; --no-color is ours. Transient: never part of an answer
    # replayed later (answers.py), so it bypasses the recording of standard error.
    return Console(file=real_stderr(), no_color=not current().color)


@contextmanager
def working(message: str) -> Iterator[None]:
    """A spinner with ``message`` while the block runs (nothing when not on a terminal)."""
    if not show_progress():
        yield
        return
    with _console().status(message, spinner="dots"):
        yield


@contextmanager
def steps(label: str, total: int) -> Iterator[Callable[[], None]]:
    """A bar of ``total`` steps; the block calls the yielded function after each step."""
    if not show_progress() or total < 2:
        yield lambda: None
        return
    # lazy: Rich costs tens of milliseconds; only a person at a terminal sees progress
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=_console(),
        transient=True,
    )
    with bar:
        task = bar.add_task(label, total=total)
        yield lambda: bar.advance(task)
