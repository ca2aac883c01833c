"""The totals of a micro-entrepreneur's registers: of the livre des recettes, and of the
turnover declared to the URSSAF over its categories."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from alusage_ledger.domains.micro.registers import Recette


def recettes_total(rows: Sequence[Recette]) -> Decimal | None:
    """The sum of the receipts of the register; ``None`` when it is empty."""
    return sum((r.amount for r in rows), start=rows[0].amount * 0) if rows else None


def turnover_total(totals: Mapping[str, Decimal]) -> Decimal:
    """The turnover of every category together (``totals`` has each category)."""
    return sum(totals.values(), start=next(iter(totals.values())) * 0)
