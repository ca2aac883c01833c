"""The pure core of le 97's shares: hand-computed months and Hypothesis properties.

The expected amounts of the four hand-computed months are worked out in the comments
below with the rules of issue 5 (largest remainder on whole cents, ties to the smallest
member id, mix parts ties to the smallest key name), not with the code under test.
"""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from alusage_ledger.core.periods import Month
from alusage_ledger.domains.places.allocation import (
    AllocationError,
    ChargeLine,
    GroupSpec,
    MemberSpec,
    PeriodSpec,
    allocate,
    format_months,
    parse_period,
    portions,
)

D = Decimal


def member(
    member_id: str,
    since: str = "2026-01-01",
    until: str | None = None,
    surface: str = "0",
    desks: int = 0,
    fixed: str | None = None,
) -> MemberSpec:
    return MemberSpec(
        member_id,
        (
            PeriodSpec(
                date.fromisoformat(since),
                date.fromisoformat(until) if until else None,
                D(surface),
                desks,
                D(fixed) if fixed is not None else None,
            ),
        ),
    )


def line(group: str, amount: str, day: str, months: tuple[str, ...] = ()) -> ChargeLine:
    booked = date.fromisoformat(day)
    covered = tuple(Month.parse(m) for m in months) or (Month.of(booked),)
    return ChargeLine(group, D(amount), booked, covered, "test")


def as_text(shares: dict[str, Decimal]) -> dict[str, str]:
    return {k: f"{v:f}" for k, v in shares.items()}


# --------------------------------------------------------------------------- hand-computed


def test_mid_month_arrival() -> None:
    """November 2026 (30 days), rent 1 234.57, key surface.

    A: 20 m² all month → 20 × 30 = 600; B: 10 m² from the 16th → 10 × 15 = 150;
    C: 15 m² all month → 15 × 30 = 450. Σ = 1200. In cents (123457):
      A = 123457 × 600/1200 = 61728.5   → 61728, remainder .5
      B = 123457 × 150/1200 = 15432.125 → 15432, remainder .125
      C = 123457 × 450/1200 = 46296.375 → 46296, remainder .375
    Floors sum to 123456: one cent left, to the largest remainder (A).
    → A 617.29, B 154.32, C 462.96 (sum 1234.57).
    """
    members = [
        member("a", surface="20"),
        member("b", since="2026-11-16", surface="10"),
        member("c", surface="15"),
    ]
    result = allocate(
        Month.parse("2026-11"),
        [GroupSpec("loyer", "surface")],
        [line("loyer", "1234.57", "2026-11-01")],
        members,
        {},
    )
    assert as_text(result.shares) == {"a": "617.29", "b": "154.32", "c": "462.96"}
    assert result.total == D("1234.57")
    split = result.groups[0].splits[0]
    assert split.parts[0].weights == {"a": 600, "b": 150, "c": 450}


def test_mix_key() -> None:
    """February 2026 (28 days), energy 100.01, key {surface = 0.5, days = 0.5}.

    Parts: 10001 cents × ½ = 5000.5 each → 5000 + 5000, one cent left, equal remainders:
    the key name ascending wins, "days" < "surface" → days 50.01, surface 50.00.
    Days part 50.01 (5001 cents), declared days A 12, B 3, C 0 (Σ 15):
      A = 5001 × 12/15 = 4000.8 → 4000 (.8); B = 5001 × 3/15 = 1000.2 → 1000 (.2); C 0.
      One cent left → A. → A 40.01, B 10.00, C 0.00.
    Surface part 50.00 (5000 cents), A 20 m² × 28 = 560, B 10 × 28 = 280, C 280 (Σ 1120):
      A 2500, B 1250, C 1250 exactly → 25.00, 12.50, 12.50.
    → A 65.01, B 22.50, C 12.50 (sum 100.01).
    """
    members = [
        member("a", surface="20"),
        member("b", surface="10"),
        member("c", surface="10"),
    ]
    usage = {
        ("a", Month.parse("2026-02")): D(12),
        ("b", Month.parse("2026-02")): D(3),
        ("c", Month.parse("2026-02")): D(0),
    }
    group = GroupSpec("energie", (("surface", D("0.5")), ("days", D("0.5"))))
    result = allocate(
        Month.parse("2026-02"), [group], [line("energie", "100.01", "2026-02-27")], members, usage
    )
    assert as_text(result.shares) == {"a": "65.01", "b": "22.50", "c": "12.50"}
    parts = {p.key: p for p in result.groups[0].splits[0].parts}
    assert parts["days"].amount == D("50.01")
    assert parts["surface"].amount == D("50.00")
    assert as_text(parts["days"].shares) == {"a": "40.01", "b": "10.00", "c": "0.00"}


def test_fixed_key_with_remainder() -> None:
    """April 2026 (30 days), internet 90.00, key fixed then equal.

    A: fixed 20.00, all month → 20 × 30/30 = 20.00.
    B: fixed 25.00, from the 11th (20 days) → 25 × 20/30 = 16.666… → half-up 16.67.
    Rest = 90.00 − 20.00 − 16.67 = 53.33, split equally by active days among the others:
    C 30 days, D 30 days, E until the 10th (10 days); Σ 70. In cents (5333):
      C = 5333 × 30/70 = 2285.571… → 2285 (.571); D the same; E = 5333 × 10/70 =
      761.857… → 761 (.857). Floors 5331: two cents left → E (.857), then the tie
      C/D (.571) goes to the smallest id, C.
    → A 20.00, B 16.67, C 22.86, D 22.85, E 7.62 (sum 90.00).
    """
    members = [
        member("a", fixed="20.00"),
        member("b", since="2026-04-11", fixed="25.00"),
        member("c"),
        member("d"),
        member("e", until="2026-04-10"),
    ]
    result = allocate(
        Month.parse("2026-04"),
        [GroupSpec("internet", "fixed", "equal")],
        [line("internet", "90.00", "2026-04-03")],
        members,
        {},
    )
    assert as_text(result.shares) == {
        "a": "20.00",
        "b": "16.67",
        "c": "22.86",
        "d": "22.85",
        "e": "7.62",
    }
    split = result.groups[0].splits[0]
    assert as_text(split.fixed) == {"a": "20.00", "b": "16.67"}
    assert split.parts[0].amount == D("53.33")


def test_late_bill_shared_by_members_who_were_there() -> None:
    """An energy bill of 310.00 booked 2026-05-05 for 2026-02..2026-04, key equal.

    Portions by calendar days (28 + 31 + 30 = 89), in cents (31000):
      Feb 31000 × 28/89 = 9752.808…, Mar × 31/89 = 10797.752…, Apr × 30/89 = 10449.438…
      Floors 30998, two cents left → Feb (.808), Mar (.752): 97.53, 107.98, 104.49.
    All three are called in May (max(K, May)), each split among month K's members:
      A all year; B left on 2026-03-15; C arrived on 2026-04-01.
      Feb: A 28 days, B 28 → 9753 / 2 = 4876.5 each → tie → A: A 48.77, B 48.76.
      Mar: A 31, B 15 (Σ 46) → A 10798 × 31/46 = 7276.91 (.91), B 3521.09 (.09);
           one cent left → A: A 72.77, B 35.21.
      Apr: A 30, C 30 → 10449 / 2 = 5224.5 → tie → C, who paid no extra cent yet (A paid
           two: Feb and Mar; docs/shares.md, fair cents): A 52.24, C 52.25.
    → May's calls: A 173.78, B 83.97 (gone since March, still pays its part), C 52.25.
    """
    members = [
        member("a"),
        member("b", until="2026-03-15"),
        member("c", since="2026-04-01"),
    ]
    bill = line("energie", "310.00", "2026-05-05", ("2026-02", "2026-03", "2026-04"))
    result = allocate(Month.parse("2026-05"), [GroupSpec("energie", "equal")], [bill], members, {})
    assert as_text(result.shares) == {"a": "173.78", "b": "83.97", "c": "52.25"}
    assert [(str(s.covered), f"{s.amount:f}") for s in result.groups[0].splits] == [
        ("2026-02", "97.53"),
        ("2026-03", "107.98"),
        ("2026-04", "104.49"),
    ]
    assert result.members == ("a", "b", "c")
    # Nothing of that bill is called in April: it was booked in May.
    april = allocate(Month.parse("2026-04"), [GroupSpec("energie", "equal")], [bill], members, {})
    assert april.total == 0


def test_bill_paid_in_advance_is_called_month_by_month() -> None:
    """Insurance 365.00 booked in January for the whole year: January calls 31.00."""
    bill = line("assurance", "365.00", "2026-01-09", tuple(f"2026-{n:02d}" for n in range(1, 13)))
    members = [member("a"), member("b")]
    jan = allocate(Month.parse("2026-01"), [GroupSpec("assurance", "equal")], [bill], members, {})
    feb = allocate(Month.parse("2026-02"), [GroupSpec("assurance", "equal")], [bill], members, {})
    assert jan.total == D("31.00")
    assert feb.total == D("28.00")
    assert as_text(feb.shares) == {"a": "14.00", "b": "14.00"}


def test_fixed_amount_is_charged_once_per_month() -> None:
    """A late adjustment for a month already called goes to the members without fixed."""
    members = [member("a", fixed="30.00"), member("b"), member("c")]
    lines = [
        line("internet", "90.00", "2026-04-03"),
        line("internet", "10.00", "2026-05-02", ("2026-04",)),
    ]
    group = GroupSpec("internet", "fixed")
    april = allocate(Month.parse("2026-04"), [group], lines, members, {})
    may = allocate(Month.parse("2026-05"), [group], lines, members, {})
    assert as_text(april.shares) == {"a": "30.00", "b": "30.00", "c": "30.00"}
    assert as_text(may.shares) == {"a": "0.00", "b": "5.00", "c": "5.00"}


def test_errors() -> None:
    members = [member("a", surface="0"), member("b", surface="0")]
    bill = [line("loyer", "100.00", "2026-03-01")]
    with pytest.raises(AllocationError, match="every weight"):
        allocate(Month.parse("2026-03"), [GroupSpec("loyer", "surface")], bill, members, {})
    with pytest.raises(AllocationError, match="no declared days"):
        allocate(Month.parse("2026-03"), [GroupSpec("loyer", "days")], bill, [member("a")], {})
    zero = allocate(
        Month.parse("2026-03"),
        [GroupSpec("loyer", "days")],
        bill,
        [member("a"), member("b")],
        {("b", Month.parse("2026-03")): D(2)},
        assume_zero=True,
    )
    assert as_text(zero.shares) == {"a": "0.00", "b": "100.00"}
    with pytest.raises(AllocationError, match="above the amount"):
        allocate(
            Month.parse("2026-03"),
            [GroupSpec("loyer", "fixed")],
            bill,
            [member("a", fixed="80.00"), member("b", fixed="30.00")],
            {},
        )


def test_periods() -> None:
    assert tuple(map(str, parse_period("2026-11"))) == ("2026-11",)
    assert tuple(map(str, parse_period("2026-11..2027-01"))) == ("2026-11", "2026-12", "2027-01")
    for bad in ("2026-13", "2026-11..2026-10", "nov", "2026-1"):
        with pytest.raises(ValueError):
            parse_period(bad)
    assert format_months(map(Month.parse, ["2026-02", "2026-01", "2026-03"])) == "2026-01..2026-03"
    assert format_months(map(Month.parse, ["2026-01", "2026-03"])) == "2026-01, 2026-03"
    assert Month.parse("2028-02").days == 29
    spread = portions(line("x", "1.00", "2026-01-05", ("2026-01", "2026-02", "2026-03")))
    assert [f"{p.amount:f}" for p in spread] == ["0.35", "0.31", "0.34"]


# --------------------------------------------------------------------------- properties

MONTHS = (Month(2026, 1), Month(2026, 2), Month(2026, 3))
KEYS = ("equal", "surface", "desks", "days")


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[list[GroupSpec], list[ChargeLine], list[MemberSpec], dict]:
    count = draw(st.integers(1, 6))
    members = [member("m0", surface="12", desks=1, fixed=draw(st.sampled_from([None, "5.00"])))]
    for index in range(1, count):
        since_day = draw(st.integers(1, 28))
        since = f"2026-{draw(st.integers(1, 3)):02d}-{since_day:02d}"
        leave = draw(st.booleans())
        until = f"2026-03-{draw(st.integers(since_day, 31)):02d}" if leave else None
        members.append(
            member(
                f"m{index}",
                since=since,
                until=until,
                surface=str(draw(st.integers(0, 40))),
                desks=draw(st.integers(0, 3)),
                fixed=draw(st.sampled_from([None, None, "3.50", "10.00"])),
            )
        )
    usage = {
        (m.id, month): D(draw(st.integers(0, 20)))
        for m in members
        for month in MONTHS
        if draw(st.booleans()) or m.id == "m0"
    }
    usage.update({("m0", month): D(draw(st.integers(1, 20))) for month in MONTHS})
    groups = []
    for index in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from([*KEYS, "mix", "fixed"]))
        if kind == "mix":
            names = draw(st.lists(st.sampled_from(KEYS), min_size=1, max_size=4, unique=True))
            key: object = tuple((n, D(draw(st.integers(1, 5)))) for n in names)
        else:
            key = kind
        groups.append(GroupSpec(f"g{index}", key, draw(st.sampled_from(KEYS))))  # type: ignore[arg-type]
    lines = []
    for _ in range(draw(st.integers(1, 6))):
        group = draw(st.sampled_from(groups)).name
        cents = draw(st.integers(1, 500_000))
        start = draw(st.sampled_from(MONTHS))
        end = draw(st.sampled_from([m for m in MONTHS if m >= start]))
        booked = draw(st.sampled_from(MONTHS))
        lines.append(
            ChargeLine(
                group,
                D(cents).scaleb(-2),
                date.fromisoformat(f"{booked}-{draw(st.integers(1, 28)):02d}"),
                tuple(start.until(end)),
                "p",
            )
        )
    return groups, lines, members, usage


def _allocate(month: Month, groups, lines, members, usage):  # type: ignore[no-untyped-def]
    try:
        return allocate(month, groups, lines, members, usage, assume_zero=True)
    except AllocationError:
        reject()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(scenarios(), st.sampled_from(MONTHS))
def test_calls_sum_exactly_to_the_charges_called(scenario, month) -> None:  # type: ignore[no-untyped-def]
    groups, lines, members, usage = scenario
    result = _allocate(month, groups, lines, members, usage)
    called = sum(
        (p.amount for ln in lines for p in portions(ln) if p.called == month), Decimal("0.00")
    )
    assert result.total == called
    assert sum(result.shares.values(), Decimal("0.00")) == called
    for group in result.groups:
        assert sum(group.shares.values(), Decimal("0.00")) == group.amount
    assert all(v == v.quantize(Decimal("0.01")) for v in result.shares.values())


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(scenarios(), st.sampled_from(MONTHS), st.randoms(use_true_random=False))
def test_input_order_does_not_change_the_result(scenario, month, rnd) -> None:  # type: ignore[no-untyped-def]
    groups, lines, members, usage = scenario
    first = _allocate(month, groups, lines, members, usage)
    shuffled_lines, shuffled_members = list(lines), list(members)
    rnd.shuffle(shuffled_lines)
    rnd.shuffle(shuffled_members)
    usage_items = list(usage.items())
    rnd.shuffle(usage_items)
    second = _allocate(month, groups, shuffled_lines, shuffled_members, dict(usage_items))
    assert second.shares == first.shares
    assert second.group_shares == first.group_shares
    assert second.members == first.members


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 10_000_000),
    st.lists(st.tuples(st.integers(0, 60), st.integers(1, 30)), min_size=1, max_size=8),
    st.sampled_from(["surface", "equal", "desks"]),
)
def test_single_key_shares_are_within_a_cent_of_exact(cents, rows, key) -> None:  # type: ignore[no-untyped-def]
    amount = D(cents).scaleb(-2)
    members = [
        member(f"m{i}", since=f"2026-04-{day:02d}", surface=str(size), desks=size)
        for i, (size, day) in enumerate(rows)
    ]
    weights = {
        m.id: Fraction({"surface": size, "desks": size, "equal": 1}[key] * (30 - day + 1))
        for m, (size, day) in zip(members, rows)
    }
    if sum(weights.values()) == 0:
        reject()
    result = allocate(
        Month.parse("2026-04"),
        [GroupSpec("g", key)],
        [line("g", f"{amount:f}", "2026-04-02")],
        members,
        {},
    )
    total = sum(weights.values())
    for member_id, share in result.shares.items():
        exact = Fraction(amount) * weights[member_id] / total
        assert abs(Fraction(share) - exact) < Fraction(1, 100)


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 1_000_000), st.integers(0, 30), st.sampled_from(["surface", "desks", "days"]))
def test_zero_weight_pays_nothing(cents, other, key) -> None:  # type: ignore[no-untyped-def]
    members = [member("a", surface="0"), member("b", surface=str(other + 1), desks=other + 1)]
    usage = {("a", Month.parse("2026-04")): D(0), ("b", Month.parse("2026-04")): D(other + 1)}
    amount = f"{D(cents).scaleb(-2):f}"
    if key == "desks":
        members[0] = member("a", desks=0)
    result = allocate(
        Month.parse("2026-04"),
        [GroupSpec("g", key)],
        [line("g", amount, "2026-04-02")],
        members,
        usage,
    )
    assert result.shares["a"] == 0
    assert result.shares["b"] == D(amount)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(scenarios(), st.sampled_from(MONTHS), st.sampled_from(KEYS), st.integers(1, 9))
def test_a_mix_of_one_key_equals_that_key(scenario, month, key, ratio) -> None:  # type: ignore[no-untyped-def]
    _groups, lines, members, usage = scenario
    lines = [ChargeLine("g", ln.amount, ln.day, ln.months, ln.source) for ln in lines]
    plain = _allocate(month, [GroupSpec("g", key)], lines, members, usage)
    mixed = _allocate(month, [GroupSpec("g", ((key, D(ratio)),))], lines, members, usage)
    assert mixed.shares == plain.shares


def test_order_independence_on_a_fixed_example() -> None:
    members = [member("b", surface="7"), member("a", surface="7"), member("c", surface="7")]
    lines = [line("g", "100.00", "2026-04-02")]
    results = set()
    for _ in range(5):
        random.shuffle(members)
        result = allocate(Month.parse("2026-04"), [GroupSpec("g", "surface")], lines, members, {})
        results.add(tuple(sorted(as_text(result.shares).items())))
    # The tie's cent goes by the rotation seeded by "2026-04/g" (docs/shares.md): to c.
    assert results == {(("a", "33.33"), ("b", "33.33"), ("c", "33.34"))}


def test_a_period_in_year_zero_is_malformed() -> None:
    """``period: "0000-01"`` is no month: refused like any other malformed period."""
    for bad in ("0000-01", "0000-12..0001-01"):
        with pytest.raises(ValueError):
            parse_period(bad)
