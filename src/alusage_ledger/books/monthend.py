"""What other features contribute to month-end closing (``close``), registered by name.

``close`` (``domains.closing``) knows none of the features it runs: each registers here
what it contributes, in a module named in one of the lists below (imported, as Beancount
loads plugins by name, the first time ``close`` asks):

* a **step** posts, idempotently, what month M needs (recurring entries, le 97's shares,
  redistribution, VAT settlement); ``close`` runs them in ``ORDER`` for every entity that
  keeps double-entry books, then locks the month::

      @month_step("shares")
      def post_shares_for_close(ws, month, *, dry_run): -> list[str] (one line per thing written)

* a **check** names what must be done before M can be closed (e.g. usage declared)::

      @month_check("usage")
      def missing_usage(ws, month, entities): -> list[LedgerProblem]

* a **cleanup** lets go of what a feature cached for the check rules (memory), once
  ``close`` has run ``check``: the steps and locks read the ledgers again::

      @month_cleanup("sales-indexes")
      def forget_indexes() -> None

* a **report** gives the files of ``reports/<M>/`` (path relative to it → bytes)::

      @month_report("reports")
      def report_files(ws, month): -> dict[str, bytes]
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alusage_ledger.books.ledger import Workspace
    from alusage_ledger.core.errors import LedgerProblem
    from alusage_ledger.core.periods import Month

#: ``month`` is a :class:`~alusage_ledger.core.periods.Month` everywhere below.
Step = Callable[["Workspace", "Month"], list[str]]
Check = Callable[["Workspace", "Month", Sequence[str]], list["LedgerProblem"]]
Cleanup = Callable[[], None]
Report = Callable[["Workspace", "Month"], dict[str, bytes]]

ORDER = ("accruals", "recurring", "shares", "redistribution", "vat")
#: Modules that register a step when imported.
STEP_MODULES: tuple[str, ...] = (
    "alusage_ledger.domains.commons.redistribution",
    "alusage_ledger.domains.purchases.recurring",
    "alusage_ledger.domains.sales.settlement",
    "alusage_ledger.domains.places.monthend",
    "alusage_ledger.domains.year.reversal",
)
#: Modules that register a check, a cleanup or a report when imported.
CHECK_MODULES: tuple[str, ...] = ("alusage_ledger.domains.places.monthend",)
CLEANUP_MODULES: tuple[str, ...] = ("alusage_ledger.domains.sales.monthend",)
REPORT_MODULES: tuple[str, ...] = ("alusage_ledger.outputs.monthreports",)

STEPS: dict[str, Callable[..., list[str]]] = {}
CHECKS: dict[str, Check] = {}
CLEANUPS: dict[str, Cleanup] = {}
REPORTS: dict[str, Report] = {}


def month_step(name: str) -> Callable[[Callable[..., list[str]]], Callable[..., list[str]]]:
    def register(step: Callable[..., list[str]]) -> Callable[..., list[str]]:
        STEPS[name] = step
        return step

    return register


def month_check(name: str) -> Callable[[Check], Check]:
    def register(check: Check) -> Check:
        CHECKS[name] = check
        return check

    return register


def month_cleanup(name: str) -> Callable[[Cleanup], Cleanup]:
    def register(cleanup: Cleanup) -> Cleanup:
        CLEANUPS[name] = cleanup
        return cleanup

    return register


def month_report(name: str) -> Callable[[Report], Report]:
    def register(report: Report) -> Report:
        REPORTS[name] = report
        return report

    return register


def _load(modules: Sequence[str]) -> None:
    for name in modules:
        importlib.import_module(name)


def steps() -> list[tuple[str, Callable[..., list[str]]]]:
    _load(STEP_MODULES)
    return [(name, STEPS[name]) for name in ORDER if name in STEPS]


def checks() -> list[tuple[str, Check]]:
    """The pre-close checks, in the order their modules registered them."""
    _load(CHECK_MODULES)
    return list(CHECKS.items())


def cleanups() -> list[tuple[str, Cleanup]]:
    _load(CLEANUP_MODULES)
    return list(CLEANUPS.items())


def reports() -> list[tuple[str, Report]]:
    """The producers of ``reports/<M>/``, in the order their modules registered them."""
    _load(REPORT_MODULES)
    return list(REPORTS.items())
