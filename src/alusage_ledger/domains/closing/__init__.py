"""Month-end closing: ``close M`` closes month M for every entity (checks, month-end
steps, the lock, ``reports/<M>/``, optionally a git commit) — an entity whose ledger has
errors is not closed, the others are — planned in memory, then written as one journaled
job (``books.journal``) that the next command finishes if it is killed; ``close
--dry-run`` computes the same in memory; ``reopen M`` lifts the lock of the last closed
month, on the record.

Modules: ``close`` (the close, the dry run's two passes, closing every month through
today), ``preconditions`` (which entities, ``check`` before and after, the named
preconditions), ``lock`` (the close file), ``planned`` (:class:`PlannedWorkspace`, the
dry run's in-memory workspace), ``reports`` (writing ``reports/<M>/``), ``snapshot``
(restoring every file if ``reopen`` fails), ``git`` (``--commit``), ``reopen``, ``results``.

Closing knows none of the features it runs: the month-end steps, the pre-close checks,
the cache cleanups and the report files come from the registries of ``books.monthend``,
filled by the modules it names (recurring, shares, redistribution, VAT; places' usage
check; sales' indexes; ``outputs.monthreports``).

May import: books and core only (no other domain, no output). Public names (for the CLI
and ``demo``): :func:`close_month`, :func:`close_through`, :func:`reopen_month`,
:class:`CloseResult`, :class:`ReopenResult`, :class:`PlannedWorkspace`.
"""

from alusage_ledger.domains.closing.close import close_month, close_through
from alusage_ledger.domains.closing.planned import PlannedWorkspace
from alusage_ledger.domains.closing.reopen import reopen_month
from alusage_ledger.domains.closing.results import CloseResult, ReopenResult

__all__ = [
    "CloseResult",
    "PlannedWorkspace",
    "ReopenResult",
    "close_month",
    "close_through",
    "reopen_month",
]
