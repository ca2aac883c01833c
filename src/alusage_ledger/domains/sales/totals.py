"""Totals the sales commands show under their tables, summed here rather than in the CLI:
what is still due on a list of invoices, a VAT return's deductible VAT of one kind."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from alusage_ledger.domains.sales.index import InvoiceRow
from alusage_ledger.domains.sales.returns import VatReturn


def still_due(rows: Sequence[InvoiceRow]) -> Decimal:
    """What is still due on the unpaid and partly paid invoices of ``rows`` (not empty)."""
    return sum(
        (r.remaining for r in rows if r.status in ("partial", "unpaid")), start=rows[0].ht * 0
    )


def deductible_of(result: VatReturn, kind: str) -> Decimal:
    """The deductible VAT of ``kind`` (goods, services, fixed-assets) of a return; zero if none."""
    return result.deductible.get(kind, result.deductible_total * 0)
