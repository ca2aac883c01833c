"""beanquery over a vetted, loaded ledger; results as plain strings for rendering."""

from __future__ import annotations

from typing import Any

from beanquery import query as bq

from alusage_ledger.books.loader import LoadedLedger
from alusage_ledger.core.errors import UsageError
from alusage_ledger.core.i18n import _


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "is_empty") and hasattr(value, "get_positions"):  # Inventory
        return ", ".join(f"{p.units.number} {p.units.currency}" for p in value.get_positions())
    if hasattr(value, "number") and hasattr(value, "currency"):  # Amount
        return f"{value.number} {value.currency}"
    if isinstance(value, set | frozenset):
        return ",".join(sorted(str(v) for v in value))
    return str(value)


def run_query(ledger: LoadedLedger, bql: str) -> tuple[list[str], list[list[str]]]:
    """Run a BQL query; a syntax or compile error is a usage error (exit 2)."""
    try:
        rtypes, rrows = bq.run_query(ledger.entries, ledger.options, bql)
    except Exception as exc:  # beanquery raises its own error types for bad queries
        raise UsageError(
            _("The query is invalid: {detail}").format(detail=str(exc).strip())
        ) from exc
    columns = [getattr(c, "name", str(c)) for c in rtypes]
    return columns, [[_cell(v) for v in row] for row in rrows]
