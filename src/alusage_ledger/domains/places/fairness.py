"""Fair cents over time: who pays the extra cent when the members' remainders tie.

A split to the cent leaves a few cents over (1 200.01 between six is 200.00 each and one
cent); :func:`~alusage_ledger.core.money.split_exact` gives them to the largest
remainders. When remainders tie (equal weights: every month with six equal members), a
fixed order would make the same member pay the extra cent every month. So the order of a
tie is:

1. **fewest extra cents so far this year first**: the extra cents each member paid in the
   place's earlier splits of the calendar year (months from January, in the order the
   shares are computed: month, group, covered month, part of a mix) are counted, and the
   member who paid fewest comes first. For a refund (a negative amount) an extra cent is
   one more cent given back, so the member who paid most extra cents comes first and the
   count goes down;
2. then a **rotation seeded by the month and the group**: the members sorted by id, the
   first being the one at position ``seed mod n``, where ``seed`` is the first 8 bytes of
   ``sha256("<covered month>/<group>")`` (``"2026-11/loyer"``, the same for every part
   of a mix) read as a big-endian integer.

A place's ``fair_cents_since`` (``"YYYY-MM"``) keeps the former rule (the smallest id
first) for the months before it, whose calls were posted under that rule; their extra
cents are counted all the same, so the first fair months even them out.

With ties every month among the same members, no member has paid more than one extra
cent more than another at any point of the year, and every split still sums exactly (the order only says who gets
the cents that split_exact hands out).

    >>> from decimal import Decimal
    >>> cents = CentCounter()
    >>> sorted(cents.split(Decimal("0.01"), {"a": 1, "b": 1}, label="2026-01/g").values())
    [Decimal('0.00'), Decimal('0.01')]
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction

from alusage_ledger.core.money import split_exact


def rotation_offset(label: str, count: int) -> int:
    """``seed mod count``: the seed is the first 8 bytes of sha256(label), big-endian."""
    if count <= 0:
        return 0
    seed = int.from_bytes(hashlib.sha256(label.encode("utf-8")).digest()[:8], "big")
    return seed % count


class CentCounter:
    """The extra cents each member paid so far (a refund's extra cents count down)."""

    def __init__(self, counts: Mapping[str, int] | None = None, *, fair: bool = True) -> None:
        self.counts: dict[str, int] = dict(counts or {})
        #: False before the place's ``fair_cents_since``: ties go to the smallest id (the
        #: former rule), and the extra cents are counted all the same.
        self.fair = fair

    def copy(self) -> CentCounter:
        return CentCounter(self.counts, fair=self.fair)

    def split(
        self, amount: Decimal, weights: Mapping[str, Fraction | Decimal | int], *, label: str
    ) -> dict[str, Decimal]:
        """``split_exact`` with the tie order of the module doc; counts what it gives."""
        ids = sorted(weights)
        offset = rotation_offset(label, len(ids))
        position = {m: (i - offset) % len(ids) for i, m in enumerate(ids)}
        sign = -1 if amount < 0 else 1

        def order(member: str) -> tuple[int, int]:
            if not self.fair:
                return (0, ids.index(member))
            return (sign * self.counts.get(member, 0), position[member])

        parts = split_exact(amount, weights, tie_break_key=order)
        total = sum((Fraction(w) for w in weights.values()), Fraction(0))
        if total > 0:
            cents = abs(Fraction(amount)) * 100
            for member, weight in weights.items():
                exact = cents * Fraction(weight) / total
                floor = exact.numerator // exact.denominator
                if abs(parts[member]) * 100 > floor:
                    self.counts[member] = self.counts.get(member, 0) + sign
        return {m: parts[m] for m in ids}
