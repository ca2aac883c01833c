"""``reports/<M>/``: written once month M is locked, from what the features registered in
``books.monthend`` (``month_report``) give; files already identical are left untouched."""

from __future__ import annotations

from alusage_ledger.books import monthend
from alusage_ledger.books.ledger import Workspace
from alusage_ledger.core.periods import Month
from alusage_ledger.domains.closing.snapshot import rel_path

REPORTS_DIR = "reports"


def report_files(ws: Workspace, month: Month) -> dict[str, bytes]:
    """Every file of ``reports/<M>/`` (relative to it), from the ledgers only."""
    files: dict[str, bytes] = {}
    for _name, produce in monthend.reports():
        files.update(produce(ws, month))
    return files


def write_reports(ws: Workspace, month: Month, files: dict[str, bytes] | None = None) -> list[str]:
    """Write ``reports/<M>/`` (``files``: already computed); files already identical are
    left untouched. The real close moves the folder into place instead (``close``)."""
    folder = ws.root / REPORTS_DIR / str(month)
    written = []
    if files is None:
        files = report_files(ws, month)
    for rel, content in sorted(files.items()):
        path = folder / rel
        if ws.file_bytes(path) != content:
            ws.put_file(path, content)
        written.append(rel_path(path, ws.root))
    return written
