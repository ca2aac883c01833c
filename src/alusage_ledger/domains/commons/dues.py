"""What each redistribution policy owes for a month (pure), and the computation in words."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from babel import numbers

from alusage_ledger.core.i18n import _, babel_locale
from alusage_ledger.core.money import ZERO, quantize_cents
from alusage_ledger.core.periods import Month
from alusage_ledger.domains.commons.flows import (
    FlowState,
    expenses,
    flow_month,
    flows_of,
    revenue,
    transactions,
    treasury,
)

if TYPE_CHECKING:
    from alusage_ledger.books.config import Config, RedistributionPolicy
    from alusage_ledger.books.loader import LoadedLedger

ONE = Decimal(1)


# --------------------------------------------------------------------------- dues


@dataclass(frozen=True)
class PolicyDue:
    """One policy for one month: the computation, what is due and what is recorded."""

    policy: RedistributionPolicy
    month: Month
    figures: tuple[tuple[str, Decimal], ...]  # the terms of the computation, in order
    base_amount: Decimal  # what the rate applies to (the amount for ``fixed``)
    rate: Decimal | None
    due: Decimal
    flows: tuple[FlowState, ...]

    @property
    def recorded(self) -> Decimal:
        return sum((f.value for f in self.flows), ZERO)

    @property
    def owed(self) -> Decimal:
        return sum((f.owed for f in self.flows), ZERO)

    @property
    def to_record(self) -> Decimal:
        return max(ZERO, self.due - self.recorded)

    @property
    def excess(self) -> Decimal:
        return max(ZERO, self.recorded - self.due)

    def figure(self, name: str) -> Decimal:
        return dict(self.figures).get(name, ZERO)


def active_in(policy: RedistributionPolicy, month: Month) -> bool:
    first, last = month.first_day, month.last_day
    return (policy.since is None or policy.since <= last) and (
        policy.until is None or policy.until >= first
    )


def run_order(policies: Sequence[RedistributionPolicy]) -> list[RedistributionPolicy]:
    """Config order, ``surplus`` policies last (they see what the others took)."""
    return [p for p in policies if p.base != "surplus"] + [
        p for p in policies if p.base == "surplus"
    ]


def compute_month(
    config: Config,
    month: Month,
    ledgers: dict[str, LoadedLedger],
    policies: Sequence[RedistributionPolicy] | None = None,
) -> list[PolicyDue]:
    """What each active policy owes for ``month``, in run order (pure)."""
    chosen = list(config.redistribution if policies is None else policies)
    first, last = month.first_day, month.last_day
    dues: list[PolicyDue] = []
    for policy in run_order([p for p in chosen if active_in(p, month)]):
        source = ledgers[policy.from_]
        start = max(first, policy.since) if policy.since else first
        end = min(last, policy.until) if policy.until else last
        rate = policy.rate
        figures: list[tuple[str, Decimal]] = []
        if policy.base == "revenue":
            base = revenue(config, source, start, end)
            figures.append(("revenue", base))
        elif policy.base == "project":
            base = revenue(config, source, start, end, project=policy.project)
            figures.append(("project-revenue", base))
        elif policy.base == "margin":
            income = revenue(config, source, start, end)
            spent = expenses(config, source, start, end)
            base = income - spent
            figures += [("revenue", income), ("expenses", spent), ("margin", base)]
        elif policy.base == "fixed":
            base = policy.amount or ZERO
            rate = None
            figures.append(("amount", base))
        else:  # surplus: after the other policies of the same entity this month
            same = [p for p in config.redistribution if p.from_ == policy.from_]
            skip = {
                link
                for p in same
                for ledger in (source, ledgers.get(p.to))
                if ledger is not None
                for e in transactions(ledger)
                for link in (e.links or ())
                if flow_month(link, p.id) == month
            }
            cash = treasury(config, source, last, skip)
            others = sum((d.due for d in dues if d.policy.from_ == policy.from_), ZERO)
            floor = policy.floor or ZERO
            base = cash - others - floor
            rate = policy.rate if policy.rate is not None else ONE
            figures += [("treasury", cash), ("other-policies", others), ("floor", floor)]
            figures.append(("surplus", base))
        due = ZERO
        if base > 0:
            due = base if rate is None else quantize_cents(base * rate)
        flows = tuple(flows_of(config, policy, month, source, ledgers[policy.to]))
        dues.append(PolicyDue(policy, month, tuple(figures), base, rate, due, flows))
    return dues


def percent(rate: Decimal) -> str:
    """``0.05`` → ``5 %`` (``2,5 %`` in French)."""

    value = (rate * 100).normalize()
    text = numbers.format_decimal(value, format="#,##0.######", locale=babel_locale())
    return f"{text}\u00a0%"


def explain(due: PolicyDue, money: Callable[[Decimal], str]) -> str:
    """The computation in words, e.g. ``revenue 8 650,00 € × 5 % = 432,50 €``."""
    p = due.policy
    result = money(due.due)
    if p.base == "revenue":
        return _("revenue {base} × {rate} = {due}").format(
            base=money(due.base_amount), rate=percent(due.rate or ZERO), due=result
        )
    if p.base == "project":
        return _("revenue of project {project} {base} × {rate} = {due}").format(
            project=p.project,
            base=money(due.base_amount),
            rate=percent(due.rate or ZERO),
            due=result,
        )
    if p.base == "margin":
        text = _("(revenue {income} − expenses {spent}) = {margin}").format(
            income=money(due.figure("revenue")),
            spent=money(due.figure("expenses")),
            margin=money(due.base_amount),
        )
        if due.base_amount <= 0:
            return text + _(": no margin, nothing is due")
        return text + _(" × {rate} = {due}").format(rate=percent(due.rate or ZERO), due=result)
    if p.base == "fixed":
        return _("fixed amount {due}").format(due=result)
    text = _("bank and cash {cash} − other policies {others} − floor {floor} = {surplus}").format(
        cash=money(due.figure("treasury")),
        others=money(due.figure("other-policies")),
        floor=money(due.figure("floor")),
        surplus=money(due.base_amount),
    )
    if due.base_amount <= 0:
        return text + _(": below the floor, nothing is due")
    if due.rate is not None and due.rate != ONE:
        return text + _(" × {rate} = {due}").format(rate=percent(due.rate), due=result)
    return text
