"""The files of ``reports/<M>/``, written by ``close`` once month M is locked.

For every entity that keeps double-entry books and has closed M: its income statement
and balance sheet (Markdown and CSV) (a micro-entrepreneur's register is locked too, and
listed with its lock, without statements); then each place's shares table and member
statements, the redistribution table; and the README that sums them up (each entity's
status, results and lock digest, the files, the notes). Read from the ledgers only, so a
folder regenerated from the same ledgers is byte-identical.

Registered with ``books.monthend`` (``month_report``): closing writes what it is given.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from alusage_ledger.books.locks import close_records
from alusage_ledger.books.monthend import month_report
from alusage_ledger.core.errors import LedgerErrors
from alusage_ledger.outputs import reports
from alusage_ledger.outputs.render.redistribution import redistribution_reports
from alusage_ledger.outputs.render.shares import shares_reports

if TYPE_CHECKING:
    from alusage_ledger.books.ledger import Workspace
    from alusage_ledger.core.periods import Month

#: The reports other features add to the month's folder (files, notes for the README).
SECTIONS: tuple[Callable[[Workspace, Month], tuple[dict[str, bytes], list[str]]], ...] = (
    shares_reports,
    redistribution_reports,
)


@month_report("reports")
def report_files(ws: Workspace, month: Month) -> dict[str, bytes]:
    """Every file of ``reports/<M>/`` (relative to it), from the ledgers only."""
    files: dict[str, bytes] = {}
    summaries = []
    notes: list[str] = []
    for name, config in ws.config.entities.items():
        try:
            ledger = ws.load(name)
        except LedgerErrors:
            ledger = None
        if ledger is None or not ledger.ok:  # not closed (``close`` said why)
            summaries.append(reports.EntitySummary(name, config.name, "open"))
            continue
        records, _dups = close_records(ledger.entries)
        record = records.get(month)
        if record is None:
            summaries.append(reports.EntitySummary(name, config.name, "open"))
            continue
        if config.kind == "micro":
            # A revenue register: locked like any closed month, no statements.
            summaries.append(
                reports.EntitySummary(
                    name,
                    config.name,
                    "register-closed",
                    closed_on=record.closed_on,
                    digest=record.digest,
                )
            )
            continue
        start = config.exercice_of(month.first_day).first_day
        income = reports.income_statement(
            ledger.entries, ledger.roots(), month, start, name, config.name
        )
        balance = reports.balance_sheet(ledger.entries, ledger.roots(), month, name, config.name)
        files[f"{name}/income-statement.md"] = reports.to_markdown(income).encode("utf-8")
        files[f"{name}/income-statement.csv"] = reports.to_csv(income).encode("utf-8")
        files[f"{name}/balance-sheet.md"] = reports.to_markdown(balance).encode("utf-8")
        files[f"{name}/balance-sheet.csv"] = reports.to_csv(balance).encode("utf-8")
        summaries.append(
            reports.EntitySummary(
                name,
                config.name,
                "closed",
                closed_on=record.closed_on,
                digest=record.digest,
                month_result=income.result[0],
                exercice_result=income.result[1],
                total_assets=balance.result[0],
            )
        )
    for produce in SECTIONS:
        extra, lines = produce(ws, month)
        files.update(extra)
        notes.extend(lines)
    files["README.md"] = reports.readme(month, summaries, sorted(files), notes).encode("utf-8")
    return files
