"""The total lines of the aged balance: each age bucket, and all of them."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from alusage_ledger.core.money import ZERO
from alusage_ledger.domains.lettering.aged import BUCKETS, AgedBalance


def bucket_totals(balances: Sequence[AgedBalance]) -> list[Decimal]:
    """The total of each age bucket (in the order of ``BUCKETS``) over ``balances``."""
    return [sum((b.buckets[key] for b in balances), ZERO) for key, _low, _high in BUCKETS]


def grand_total(totals: Sequence[Decimal]) -> Decimal:
    """The sum of the bucket totals."""
    return sum(totals, ZERO)
