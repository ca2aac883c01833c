"""The pure core of le 97's shares: which amounts a month calls, and who pays what.

No I/O here: inputs are plain values (charge lines read from the host's ledger, members
with their dated periods, declared days of use), outputs are exact amounts with the
reasons behind them. The rules (issue 5, docs/shares.md) in the order they apply:

1. **Covered months.** A charge posting covers the months of its ``period`` metadata
   (``2026-11`` or ``2026-09..2026-11``), else the month of its date. Its amount is
   spread over those months in proportion to their calendar days with
   :func:`~alusage_ledger.core.money.split_exact` (tie-break: month ascending). Each piece is
   a *portion* (a posting's share for covered month K).
2. **Which call.** A portion is called in month ``max(K, month of the posting's date)``
   and split among the members of month K with month K's weights. Portions of one group
   for the same K called in the same month are summed before splitting.
3. **Weights for month K.** ``equal`` → active days; ``surface`` → m² × active days;
   ``desks`` → desks × active days; ``days`` → declared days of use in K. ``fixed``: a
   member with a ``fixed`` amount pays fixed × active days / days in K (rounded half-up)
   and nothing more; the rest is split by ``then`` (default ``equal``) among the others.
   A mix ``{k1 = r1, k2 = r2}`` first splits the amount into parts by the ratios
   (tie-break: key name ascending), then each part by its own key.
4. Every split is ``split_exact`` on exact rationals (:class:`fractions.Fraction`); ties
   go first to the member who paid the fewest extra cents so far in the year, then by a
   rotation seeded by the month and the group (:mod:`fairness`); a member's share of a
   group is the sum of its shares of the group's amounts, its call the sum over groups:
   the calls sum exactly to the charges called. :func:`allocate_in_year` counts the
   extra cents of the year's earlier months.

Example: 1 200.00 of rent for November (30 days), key ``surface``; A has 20 m² all month,
B 10 m² from the 16th (15 days): weights 20×30 = 600 and 10×15 = 150, so A pays
1200 × 600/750 = 960.00 and B 240.00.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

from alusage_ledger.core.errors import UsageError
from alusage_ledger.core.i18n import _
from alusage_ledger.core.money import MoneyError, quantize_cents, split_exact
from alusage_ledger.core.periods import Month
from alusage_ledger.domains.places.fairness import CentCounter

ZERO = Decimal("0.00")
KEY_NAMES = ("equal", "surface", "desks", "days")
_PERIOD = re.compile(r"^\s*(\d{4}-(?:0[1-9]|1[0-2]))\s*(?:\.\.\s*(\d{4}-(?:0[1-9]|1[0-2]))\s*)?$")


# --------------------------------------------------------------------------- months


def parse_period(text: str) -> tuple[Month, ...]:
    """A ``period`` read from the ledger: ``"2026-11"`` → one month, ``"2026-09..2026-11"``
    → three (at most 120). ValueError otherwise, a month that is no month included."""
    match = _PERIOD.fullmatch(text)
    if not match:
        raise ValueError(text)
    try:
        first = Month.from_text(match.group(1))
        last = Month.from_text(match.group(2) or match.group(1))
    except ValueError:
        raise ValueError(text) from None
    if last < first or _index(last) - _index(first) >= 120:
        raise ValueError(text)
    return tuple(first.until(last))


def _index(month: Month) -> int:
    return month.year * 12 + month.number


def format_months(covered: Iterable[Month]) -> str:
    """``2026-09..2026-11`` for a run of months, else the months joined by commas."""
    ordered = sorted(set(covered))
    if not ordered:
        return ""
    if len(ordered) > 1 and ordered == list(ordered[0].until(ordered[-1])):
        return f"{ordered[0]}..{ordered[-1]}"
    return ", ".join(str(month) for month in ordered)


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class PeriodSpec:
    """One period of membership (``since`` and ``until`` inclusive)."""

    since: date
    until: date | None = None
    surface: Decimal = Decimal(0)
    desks: int = 0
    fixed: Decimal | None = None

    def days_in(self, month: Month) -> int:
        start = max(month.first_day, self.since)
        end = month.last_day if self.until is None else min(month.last_day, self.until)
        return (end - start).days + 1 if end >= start else 0


@dataclass(frozen=True)
class MemberSpec:
    """A member for the allocation: an id and its periods."""

    id: str
    periods: tuple[PeriodSpec, ...]

    def periods_in(self, month: Month) -> list[tuple[PeriodSpec, int]]:
        out = []
        for period in self.periods:
            days = period.days_in(month)
            if days:
                out.append((period, days))
        return out

    def active_days(self, month: Month) -> int:
        return sum(days for _p, days in self.periods_in(month))

    def is_fixed(self, month: Month) -> bool:
        return any(p.fixed is not None for p, _d in self.periods_in(month))


@dataclass(frozen=True)
class GroupSpec:
    """A group of charge accounts and its key.

    ``key`` is a key name (``equal``, ``surface``, ``desks``, ``days``, ``fixed``) or a
    mix: a tuple of (key name, ratio) pairs. ``then`` splits what fixed amounts leave.
    """

    name: str
    key: str | tuple[tuple[str, Decimal | Fraction], ...]
    then: str = "equal"


@dataclass(frozen=True)
class ChargeLine:
    """One charge posting: its group, amount (debit positive), date and covered months."""

    group: str
    amount: Decimal
    day: date
    months: tuple[Month, ...]
    source: str = ""


# --------------------------------------------------------------------------- outputs


@dataclass(frozen=True)
class Portion:
    """A posting's share for one covered month, and the month that calls it."""

    group: str
    covered: Month
    called: Month
    amount: Decimal
    line: ChargeLine


@dataclass(frozen=True)
class PartSplit:
    """One key's split of an amount (a whole amount, or one part of a mix)."""

    key: str
    ratio: Fraction | None
    amount: Decimal
    weights: dict[str, Fraction]
    shares: dict[str, Decimal]


@dataclass(frozen=True)
class MonthSplit:
    """A group's amount for covered month K, called in the month computed, and its split."""

    group: str
    covered: Month
    amount: Decimal
    portions: tuple[Portion, ...]
    fixed: dict[str, Decimal]
    fixed_applied: bool
    parts: tuple[PartSplit, ...]
    shares: dict[str, Decimal]


@dataclass(frozen=True)
class GroupResult:
    name: str
    key: str | tuple[tuple[str, Decimal | Fraction], ...]
    then: str
    amount: Decimal
    splits: tuple[MonthSplit, ...]
    shares: dict[str, Decimal]


@dataclass(frozen=True)
class Allocation:
    """Month M's shares: per group and per member; ``members`` lists every member shown."""

    month: Month
    groups: tuple[GroupResult, ...]
    shares: dict[str, Decimal]
    members: tuple[str, ...]
    total: Decimal
    group_shares: dict[str, dict[str, Decimal]] = field(default_factory=dict)


# --------------------------------------------------------------------------- errors


class AllocationError(UsageError):
    """The month cannot be split: a missing declaration, all-zero weights, fixed too high."""


def _missing_usage(member: str, month: Month, group: str) -> AllocationError:
    return AllocationError(
        _(
            "{member} was a member in {month} but has no declared days of use (needed by the "
            "group {group}); record them with 'usage set' or pass --assume-zero."
        ).format(member=member, month=month, group=group)
    )


def _zero_weights(group: str, month: Month, amount: Decimal, key: str) -> AllocationError:
    return AllocationError(
        _(
            "The group {group} has {amount} to share for {month} but every weight of the key "
            "{key} is zero (no member, no surface, no desk or no declared day); fix the "
            "members in alusage.toml or the declared days."
        ).format(group=group, amount=f"{amount:f}", month=month, key=key)
    )


# --------------------------------------------------------------------------- the rules


def portions(line: ChargeLine) -> list[Portion]:
    """Spread a charge over its covered months by calendar days (``split_exact``)."""
    booked = Month.of(line.day)
    months = sorted(set(line.months)) or [booked]
    spread = split_exact(line.amount, {m: m.days for m in months})
    return [
        Portion(line.group, month, max(month, booked), amount, line)
        for month, amount in spread.items()
    ]


def key_weights(
    key: str,
    month: Month,
    members: Iterable[MemberSpec],
    usage: Mapping[tuple[str, Month], Decimal],
    *,
    group: str,
    assume_zero: bool = False,
) -> dict[str, Fraction]:
    """Each active member's weight in ``month`` for ``key`` (exact, never rounded)."""
    weights: dict[str, Fraction] = {}
    for member in members:
        periods = member.periods_in(month)
        if not periods:
            continue
        if key == "equal":
            weight = Fraction(sum(days for _p, days in periods))
        elif key == "surface":
            weight = sum((Fraction(p.surface) * days for p, days in periods), Fraction(0))
        elif key == "desks":
            weight = Fraction(sum(p.desks * days for p, days in periods))
        elif key == "days":
            declared = usage.get((member.id, month))
            if declared is None:
                if not assume_zero:
                    raise _missing_usage(member.id, month, group)
                declared = Decimal(0)
            weight = Fraction(declared)
        else:  # pragma: no cover - keys are validated by the configuration
            raise ValueError(f"unknown key {key!r}")
        weights[member.id] = weight
    return weights


def _split(
    amount: Decimal,
    weights: Mapping[str, Fraction],
    *,
    group: str,
    month: Month,
    key: str,
    cents: CentCounter,
    label: str,
) -> dict[str, Decimal]:
    try:
        return cents.split(amount, weights, label=label)
    except MoneyError as exc:
        if exc.reason in ("zero-weights", "no-weights"):
            raise _zero_weights(group, month, amount, key) from None
        raise


def fixed_amounts(month: Month, members: Iterable[MemberSpec]) -> dict[str, Decimal]:
    """fixed × active days / days in the month, half-up to the cent, per fixed member."""
    total_days = month.days
    out: dict[str, Decimal] = {}
    for member in members:
        periods = [(p, d) for p, d in member.periods_in(month) if p.fixed is not None]
        if periods:
            exact = sum((Fraction(p.fixed or 0) * d for p, d in periods), Fraction(0))
            out[member.id] = quantize_cents(exact / total_days)
    return out


def split_month(
    group: GroupSpec,
    covered: Month,
    amount: Decimal,
    members: Sequence[MemberSpec],
    usage: Mapping[tuple[str, Month], Decimal],
    *,
    portions_: tuple[Portion, ...] = (),
    apply_fixed: bool = True,
    assume_zero: bool = False,
    cents: CentCounter | None = None,
) -> MonthSplit:
    """Split one group's amount for covered month ``covered`` among that month's members
    (``cents``: the extra cents paid so far, which order the ties; updated)."""
    counter = cents if cents is not None else CentCounter()
    label = f"{covered}/{group.name}"
    shares: dict[str, Decimal] = {}
    parts: list[PartSplit] = []
    fixed: dict[str, Decimal] = {}

    def add(values: Mapping[str, Decimal]) -> None:
        for member_id, value in values.items():
            shares[member_id] = shares.get(member_id, ZERO) + value

    if amount == 0:
        return MonthSplit(group.name, covered, amount, portions_, {}, False, (), {})
    if isinstance(group.key, tuple):
        ratios = {name: Fraction(ratio) for name, ratio in group.key}
        for name, part in split_exact(amount, ratios).items():
            weights = key_weights(
                name, covered, members, usage, group=group.name, assume_zero=assume_zero
            )
            split = (
                _split(
                    part,
                    weights,
                    group=group.name,
                    month=covered,
                    key=name,
                    cents=counter,
                    label=label,
                )
                if part != 0
                else {m: ZERO for m in weights}
            )
            parts.append(PartSplit(name, ratios[name], part, weights, split))
            add(split)
    elif group.key == "fixed":
        rest = amount
        fixed_members = {m.id for m in members if m.is_fixed(covered)}
        if apply_fixed:
            fixed = fixed_amounts(covered, members)
            total_fixed = sum(fixed.values(), ZERO)
            if total_fixed > amount:
                raise AllocationError(
                    _(
                        "The fixed amounts of the group {group} for {month} ({fixed}) are "
                        "above the amount to share ({amount}); lower them in alusage.toml."
                    ).format(
                        group=group.name,
                        month=covered,
                        fixed=f"{total_fixed:f}",
                        amount=f"{amount:f}",
                    )
                )
            rest = amount - total_fixed
            add(fixed)
        others = [m for m in members if m.id not in fixed_members]
        weights = key_weights(
            group.then, covered, others, usage, group=group.name, assume_zero=assume_zero
        )
        split = (
            _split(
                rest,
                weights,
                group=group.name,
                month=covered,
                key=group.then,
                cents=counter,
                label=label,
            )
            if rest != 0
            else {m: ZERO for m in weights}
        )
        parts.append(PartSplit(group.then, None, rest, weights, split))
        add(split)
        for member_id in fixed_members:
            shares.setdefault(member_id, ZERO)
    else:
        weights = key_weights(
            group.key, covered, members, usage, group=group.name, assume_zero=assume_zero
        )
        split = _split(
            amount,
            weights,
            group=group.name,
            month=covered,
            key=group.key,
            cents=counter,
            label=label,
        )
        parts.append(PartSplit(group.key, None, amount, weights, split))
        add(split)
    return MonthSplit(
        group.name,
        covered,
        amount,
        portions_,
        fixed,
        apply_fixed and bool(fixed),
        tuple(parts),
        dict(sorted(shares.items())),
    )


def allocate(
    month: Month,
    groups: Sequence[GroupSpec],
    lines: Iterable[ChargeLine],
    members: Sequence[MemberSpec],
    usage: Mapping[tuple[str, Month], Decimal],
    *,
    assume_zero: bool = False,
    cents: CentCounter | None = None,
) -> Allocation:
    """Month ``month``'s shares of every group, from every charge line of the host.

    ``lines`` may hold the whole ledger's charges: only portions called in ``month`` are
    split. For a ``fixed`` group, a fixed member pays its fixed amount for month K once,
    in the first month that calls an amount of that group for K; later calls for K (a
    late adjustment) go entirely to the other members. ``cents`` are the extra cents
    paid earlier in the year (they order the ties; updated); none: a fresh count.
    """
    every = [portion for line in lines for portion in portions(line)]
    return _allocate(month, groups, every, members, usage, assume_zero, cents or CentCounter())


def allocate_in_year(
    month: Month,
    groups: Sequence[GroupSpec],
    lines: Iterable[ChargeLine],
    members: Sequence[MemberSpec],
    usage: Mapping[tuple[str, Month], Decimal],
    *,
    assume_zero: bool = False,
    fair_since: Month | None = None,
) -> Allocation:
    """:func:`allocate`, the ties ordered by the extra cents of the year's earlier months.

    The months from January to the month before ``month`` are split first (missing days
    of use count as zero there; a month that cannot be split counts no cent), only to
    count who paid extra cents (:mod:`fairness`). Months before ``fair_since`` break
    ties by the smallest id (the former rule)."""
    every = [portion for line in lines for portion in portions(line)]
    cents = CentCounter()
    earlier = Month.of(date(month.year, 1, 1))
    while earlier < month:
        cents.fair = fair_since is None or earlier >= fair_since
        trial = cents.copy()
        try:
            _allocate(earlier, groups, every, members, usage, True, trial)
        except AllocationError:
            trial = cents
        cents = trial
        earlier = earlier.next()
    cents.fair = fair_since is None or month >= fair_since
    return _allocate(month, groups, every, members, usage, assume_zero, cents)


def _allocate(
    month: Month,
    groups: Sequence[GroupSpec],
    every: Sequence[Portion],
    members: Sequence[MemberSpec],
    usage: Mapping[tuple[str, Month], Decimal],
    assume_zero: bool,
    cents: CentCounter,
) -> Allocation:
    by_group: dict[tuple[str, Month], list[Portion]] = {}
    first_call: dict[tuple[str, Month], Month] = {}
    for portion in every:
        key = (portion.group, portion.covered)
        if portion.amount != 0:
            current = first_call.get(key)
            if current is None or portion.called < current:
                first_call[key] = portion.called
        if portion.called == month:
            by_group.setdefault(key, []).append(portion)

    results: list[GroupResult] = []
    shares: dict[str, Decimal] = {}
    group_shares: dict[str, dict[str, Decimal]] = {}
    for group in groups:
        splits: list[MonthSplit] = []
        group_total: dict[str, Decimal] = {}
        covered_months = sorted(k for g, k in by_group if g == group.name)
        for covered in covered_months:
            chunk = tuple(
                sorted(
                    by_group[(group.name, covered)],
                    key=lambda p: (p.line.day, p.line.source, p.amount),
                )
            )
            amount = sum((p.amount for p in chunk), ZERO)
            split = split_month(
                group,
                covered,
                amount,
                members,
                usage,
                portions_=chunk,
                apply_fixed=first_call.get((group.name, covered)) == month,
                assume_zero=assume_zero,
                cents=cents,
            )
            splits.append(split)
            for member_id, value in split.shares.items():
                group_total[member_id] = group_total.get(member_id, ZERO) + value
        amount = sum((s.amount for s in splits), ZERO)
        results.append(
            GroupResult(
                group.name,
                group.key,
                group.then,
                amount,
                tuple(splits),
                dict(sorted(group_total.items())),
            )
        )
        group_shares[group.name] = dict(sorted(group_total.items()))
        for member_id, value in group_total.items():
            shares[member_id] = shares.get(member_id, ZERO) + value

    shown = {m.id for m in members if m.active_days(month) > 0}
    shown |= {member_id for member_id, value in shares.items() if value != 0}
    listed = tuple(sorted(shown))
    full = {member_id: shares.get(member_id, ZERO) for member_id in listed}
    total = sum((r.amount for r in results), ZERO)
    return Allocation(month, tuple(results), full, listed, total, group_shares)
