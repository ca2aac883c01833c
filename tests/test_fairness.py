"""Fair cents over time: the extra cents of le 97's ties rotate over the year.

Before: a tie always gave the cent to the member whose id sorts first, so the same member
paid the extra cent every month. Now (``domains/places/fairness.py``, docs/shares.md) the
member who paid the fewest extra cents so far in the year comes first, then a rotation
seeded by the month and the group.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from alusage_ledger.core.periods import Month
from alusage_ledger.domains.places.allocation import (
    ChargeLine,
    GroupSpec,
    MemberSpec,
    PeriodSpec,
    allocate,
    allocate_in_year,
)
from alusage_ledger.domains.places.fairness import CentCounter, rotation_offset

D = Decimal
SIX = [MemberSpec(f"m{i}", (PeriodSpec(date(2026, 1, 1), None, D("10"), 1),)) for i in range(6)]
MONTHS = [Month.of(date(2026, number, 1)) for number in range(1, 13)]


def _extra_cents(amount: Decimal, shares: dict[str, Decimal], weights: dict[str, int]) -> dict:
    """Who got a cent above the floor of its exact share (one split)."""
    total = sum(weights.values())
    out = {}
    for member, weight in weights.items():
        exact = abs(Fraction(amount)) * 100 * weight / total
        out[member] = int(abs(shares[member]) * 100) - exact.numerator // exact.denominator
    return out


@settings(max_examples=60, deadline=None)
@given(
    amounts=st.lists(
        st.integers(min_value=1, max_value=500_000).filter(lambda c: c % 6 != 0),
        min_size=12,
        max_size=12,
    ),
    groups=st.sampled_from([["loyer"], ["loyer", "energie"]]),
)
def test_twelve_months_six_members_extra_cents_differ_by_at_most_one(
    amounts: list[int], groups: list[str]
) -> None:
    """Ties every month (six equal members, an amount not divisible by six): over the
    year each member's count of extra cents differs by at most one, and every month's
    calls sum exactly to what it calls."""
    specs = [GroupSpec(name, "surface") for name in groups]
    lines = [
        ChargeLine(name, D(cents) / 100, month.first_day, (month,), "test")
        for month, cents in zip(MONTHS, amounts, strict=True)
        for name in groups
    ]
    counts = {m.id: 0 for m in SIX}
    for month, cents in zip(MONTHS, amounts, strict=True):
        result = allocate_in_year(month, specs, lines, SIX, {})
        for group in result.groups:
            amount = D(cents) / 100
            assert sum(group.shares.values(), D(0)) == amount
            for member, extra in _extra_cents(amount, group.shares, {m.id: 1 for m in SIX}).items():
                counts[member] += extra
        assert result.total == sum(result.shares.values(), D(0))
        assert result.total == D(cents) / 100 * len(groups)
        assert max(counts.values()) - min(counts.values()) <= 1, (month, counts)


def test_before_the_same_member_paid_every_month_now_the_cents_rotate() -> None:
    """99.97 between six every month: one extra cent a month, twelve over the year, two
    for each member (the old rule gave all twelve to m0)."""
    lines = [ChargeLine("loyer", D("99.97"), month.first_day, (month,), "test") for month in MONTHS]
    payers = []
    for month in MONTHS:
        shares = allocate_in_year(month, [GroupSpec("loyer", "equal")], lines, SIX, {}).shares
        payers += [m for m, v in shares.items() if v == D("16.67")]
        assert sum(shares.values(), D(0)) == D("99.97")
    assert sorted(payers) == sorted([m.id for m in SIX] * 2)


def test_the_tie_order_is_the_documented_seed() -> None:
    """A fresh count: the first of the rotation is ``sha256("<month>/<group>") mod n``."""
    offset = rotation_offset("2026-11/loyer", 6)
    first = sorted(m.id for m in SIX)[offset]
    shares = allocate(
        Month.of(date(2026, 11, 1)),
        [GroupSpec("loyer", "equal")],
        [ChargeLine("loyer", D("0.01"), date(2026, 11, 5), (Month.of(date(2026, 11, 1)),))],
        SIX,
        {},
    ).shares
    assert [m for m, v in shares.items() if v] == [first]


def test_a_refund_gives_the_extra_cent_back_to_who_paid_most() -> None:
    cents = CentCounter({"a": 1, "b": 0})
    parts = cents.split(D("-0.01"), {"a": 1, "b": 1}, label="2026-03/g")
    assert parts == {"a": D("-0.01"), "b": D("0.00")}
    assert cents.counts == {"a": 0, "b": 0}


def test_months_before_fair_cents_since_keep_the_former_rule() -> None:
    """Calls posted under the former rule stay as they were: before ``fair_cents_since``
    a tie's cent goes to the smallest id; from it on, the fewest extra cents first (the
    former months' cents counted)."""
    lines = [ChargeLine("loyer", D("99.97"), month.first_day, (month,), "test") for month in MONTHS]
    since = MONTHS[10]  # 2026-11
    payers = {}
    for month in MONTHS:
        shares = allocate_in_year(
            month, [GroupSpec("loyer", "equal")], lines, SIX, {}, fair_since=since
        ).shares
        payers[month] = [m for m, v in shares.items() if v == D("16.67")]
    assert all(payers[m] == ["m0"] for m in MONTHS[:10])
    assert payers[MONTHS[10]] != ["m0"] and payers[MONTHS[11]] != ["m0"]
    assert payers[MONTHS[10]] != payers[MONTHS[11]]


def test_a_bad_fair_cents_since_is_a_configuration_error(tmp_path, example_ws) -> None:  # type: ignore[no-untyped-def]
    from conftest import Cli, snapshot

    config = example_ws / "alusage.toml"
    config.write_text(
        config.read_text("utf-8").replace(
            'fair_cents_since = "2026-12"', 'fair_cents_since = "2026-13"'
        ),
        "utf-8",
    )
    before = snapshot(example_ws)
    result = Cli(example_ws)("shares", "le97", "--month", "2026-11")
    assert result.exit_code == 3, result.output
    assert "fair_cents_since" in result.output and 'expected a month "YYYY-MM"' in result.output
    assert snapshot(example_ws) == before
