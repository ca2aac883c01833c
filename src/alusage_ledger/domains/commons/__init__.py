"""The commons: what the entities of the ecosystem give back and show.

Modules: ``intercompany`` (flows between entities, matched on both sides; a check rule),
``redistribution`` (``[[redistribution]]`` policies: ``redistribute``, planning and posting
a month on both sides; the month-end step), ``flows`` (a policy's flows and links, the
figures its base is computed from), ``dues`` (what each policy owes, explained),
``flowentries`` (the entries of a flow on each side), ``transparency`` (the transparency
report, computed; ``outputs.transparency`` shows it).

May import: books, core, and the lower domains sales and purchases (``flowentries``:
``purchases.bills.posting``, ``purchases.bills.vat_in``, ``sales.invoices.sales_index``,
``sales.invoices.series_numbers``, ``sales.invoices.series_of``).

Public names (for outputs and the CLI): :func:`redistribute`, :class:`MonthResult`,
:class:`PolicyDue`, :func:`explain`, :func:`percent`, :func:`build_report`,
:class:`Report`, :class:`Section`, :class:`Line`. They are loaded on first use: the check
rules load ``intercompany`` (and with it this package) in a set order, and importing
redistribution there would register the sales and purchases rules early.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from alusage_ledger.domains.commons.dues import PolicyDue, explain, percent
    from alusage_ledger.domains.commons.redistribution import MonthResult, redistribute
    from alusage_ledger.domains.commons.transparency import Line, Report, Section, build_report

__all__ = [
    "Line",
    "MonthResult",
    "PolicyDue",
    "Report",
    "Section",
    "build_report",
    "explain",
    "percent",
    "redistribute",
]

_HOME = {
    "Line": "transparency",
    "MonthResult": "redistribution",
    "PolicyDue": "dues",
    "Report": "transparency",
    "Section": "transparency",
    "build_report": "transparency",
    "explain": "dues",
    "percent": "dues",
    "redistribute": "redistribution",
}


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    # lazy: see the docstring (the check rules' registration order)
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
