"""What each redistribution policy owed for a month, as the files of ``reports/<M>/``
(a Markdown table with each computation explained, and its CSV)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from alusage_ledger.core.errors import AlusageError
from alusage_ledger.core.fmt import machine, money
from alusage_ledger.core.i18n import _
from alusage_ledger.domains.commons.dues import explain
from alusage_ledger.domains.commons.redistribution import redistribute
from alusage_ledger.outputs.reports import csv_bytes, md_table

if TYPE_CHECKING:
    from alusage_ledger.books.ledger import Workspace
    from alusage_ledger.core.periods import Month


def redistribution_reports(ws: Workspace, month: Month) -> tuple[dict[str, bytes], list[str]]:
    """What each redistribution policy owed for the month (path → bytes), and notes."""
    if not ws.config.redistribution:
        return {}, [_("No redistribution policy is configured: no redistribution table.")]
    try:
        result = redistribute(ws, month)
    except AlusageError as exc:
        return {}, [_("Redistribution: not computed ({reason}).").format(reason=exc.message)]
    columns = [_("Policy"), _("From → to"), _("Due"), _("Recorded"), _("Owed, unpaid")]
    rows = []
    csv_rows = [["policy", "from", "to", "kind", "due", "recorded", "owed", "computation"]]
    for due in result.dues:
        p = due.policy
        rows.append(
            [p.id, f"{p.from_} → {p.to}", money(due.due), money(due.recorded), money(due.owed)]
        )
        csv_rows.append(
            [
                p.id,
                p.from_,
                p.to,
                p.kind,
                machine(due.due),
                machine(due.recorded),
                machine(due.owed),
                explain(due, machine),
            ]
        )
    text = [
        f"# {_('Redistribution for {month}').format(month=month)}",
        "",
        md_table(columns, rows, (2, 3, 4)),
    ]
    text.extend(f"- {due.policy.id}: {explain(due, money)}" for due in result.dues)
    text.append("")
    return {
        "redistribution.md": "\n".join(text).encode("utf-8"),
        "redistribution.csv": csv_bytes(csv_rows),
    }, []
