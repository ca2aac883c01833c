"""The Typer command line: a thin shell that parses options, calls the library, renders.

:func:`main` is the console entry point: it answers ``--version`` before importing Typer
(a tenth of a second, issue 13), replays the answer of a read-only command when nothing it
read has changed (:mod:`alusage_ledger.books.answers`), and otherwise hands over to
:func:`alusage_ledger.cli.app.main`.

Owns: the command line and nothing else: one module per command group (``register(app)``),
the global options (:mod:`.state`), the options and steps commands share (:mod:`.options`),
what several commands print alike (:mod:`.documents`). No arithmetic and no ledger text here:
a command parses, calls the library, renders.

May import: every layer below it (integrations, outputs, domains, books, core), Typer and
click; never :mod:`alusage_ledger.docgen`. The library and Beancount are imported inside
the command functions (``# lazy:``), so that start-up and ``--help`` stay fast (issue 13).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from alusage_ledger import __version__


def main(argv: Sequence[str] | None = None) -> None:
    """Console entry point (``alusage-ledger`` and ``alusage``)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args in (["--version"], ["-V"]):
        sys.stdout.write(f"alusage-ledger {__version__}\n")
        return
    # lazy: --version answers before the answers cache is loaded (issue 13)
    from alusage_ledger.books import answers

    def compute(line: list[str]) -> None:
        # lazy: Typer and every command module load only when a command runs
        from alusage_ledger.cli.app import main as run

        run(line)

    answers.run(args, compute)
