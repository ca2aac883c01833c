"""The VAT franchise thresholds, followed entry by entry (art. 293 B CGI).

An entity under the franchise (``regime = "franchise"``: the micro-entrepreneurs, and the
SCIC in the example) stays under it while its turnover of the calendar year stays below
the threshold (37 500 € for services, 85 000 € for all activities by default); above
it, the franchise ends on January 1st of the next year; above the *seuil majoré*
(41 250 € / 93 500 €) it ends **on the day** it is crossed: the invoice that crosses it
already carries VAT (french-accounting.md §3 **[S]**; the figures are the dated regime's
``services_threshold``, ``services_threshold_major``... in ``alusage.toml``).

:func:`turnover_steps` gives the year's turnover after each entry with revenue (invoiced,
by date, as the ``check`` rule ``franchise_thresholds`` reads it; that rule uses it), and
:func:`door_notes` what a command that adds revenue says at once: over 80 % of a
threshold, above it, and past the seuil majoré from which day VAT is due and what the
invoice must then carry.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from beancount.core import data

from alusage_ledger.books.vatregime import regime_finder
from alusage_ledger.core.fmt import money
from alusage_ledger.core.i18n import _
from alusage_ledger.core.money import ZERO
from alusage_ledger.domains.sales.activities import (
    activities_of,
    activity_of_account,
    revenue_account_set,
)

if TYPE_CHECKING:
    from alusage_ledger.books.config import Config
    from alusage_ledger.books.entityconfig import VatRegimeConfig
    from alusage_ledger.books.loader import LoadedLedger

WARN_AT = Decimal("0.8")  # "passes 80 % of a threshold"


@dataclass(frozen=True)
class TurnoverStep:
    """The calendar year's turnover after one entry with revenue."""

    entry: Any
    year: int
    services: Decimal  # the year's services turnover so far
    total: Decimal  # all activities
    regime: VatRegimeConfig  # the VAT regime on the entry's date


def turnover_steps(
    config: Config, ledger: LoadedLedger, planned: Iterable[Any] = ()
) -> list[TurnoverStep]:
    """Each transaction with turnover (income on a turnover account), in date order, with
    the year's cumulative turnover; ``planned`` entries not written yet come after the
    ledger's entries of their date."""
    entity = ledger.entity
    acts = activities_of(config, entity)
    by_account = activity_of_account(config, entity)
    accounts = revenue_account_set(config, ledger)
    regime_of = regime_finder(config, entity)
    entries = [e for e in ledger.entries if isinstance(e, data.Transaction)]
    for extra in planned:
        at = next((i for i, e in enumerate(entries) if e.date > extra.date), len(entries))
        entries.insert(at, extra)
    steps: list[TurnoverStep] = []
    totals: dict[int, tuple[Decimal, Decimal]] = {}
    for entry in entries:
        services = total = ZERO
        for p in entry.postings:
            if p.units is None or p.account not in accounts:
                continue
            activity = acts.get(str((p.meta or {}).get("activity") or "")) or acts.get(
                by_account.get(p.account, "")
            )
            total -= p.units.number
            if activity is None or activity.kind == "services":
                services -= p.units.number
        if not total:
            continue
        year = entry.date.year
        before = totals.get(year, (ZERO, ZERO))
        totals[year] = (before[0] + services, before[1] + total)
        steps.append(TurnoverStep(entry, year, *totals[year], regime_of(entry.date)))
    return steps


def limits(regime: VatRegimeConfig) -> tuple[tuple[str, Decimal, Decimal], ...]:
    """(key, threshold, seuil majoré) for services and for all activities."""
    return (
        ("services", regime.services_threshold, regime.services_threshold_major),
        ("all", regime.sales_threshold, regime.sales_threshold_major),
    )


def what(key: str) -> str:
    return _("services") if key == "services" else _("all activities")


def crossing_day(steps: Iterable[TurnoverStep], year: int, key: str) -> date | None:
    """The day the year's turnover went past the seuil majoré (under the franchise)."""
    for step in steps:
        if step.year != year or step.regime.regime != "franchise":
            continue
        value = step.services if key == "services" else step.total
        major = dict((k, m) for k, _b, m in limits(step.regime))[key]
        if value > major:
            crossed: date = step.entry.date
            return crossed
    return None


def under_franchise(config: Config, entity: str, day: date) -> bool:
    """Whether ``entity`` is under the franchise on ``day`` (nothing to watch otherwise)."""
    return regime_finder(config, entity)(day).regime == "franchise"


def door_notes(
    config: Config, ledger: LoadedLedger, entry: Any, *, planned: bool = True
) -> list[str]:
    """What to say when ``entry`` (an invoice just planned or written) adds turnover to an
    entity under the franchise; nothing when it is not under it or far below."""
    if not under_franchise(config, ledger.entity, entry.date):
        return []
    steps = turnover_steps(config, ledger, [entry] if planned else ())
    step = next((s for s in steps if s.entry is entry), None)
    if step is None:
        number = (entry.meta or {}).get("invoice")
        step = next(
            (s for s in steps if number and (s.entry.meta or {}).get("invoice") == number), None
        )
    if step is None or step.regime.regime != "franchise":
        return []
    return _notes(steps, step, ledger.entity, invoice=True)


def year_notes(config: Config, ledger: LoadedLedger, day: date) -> list[str]:
    """The same for a command that wrote revenue dated up to ``day`` other than one
    invoice (shares' calls, a retribution invoice...): where the year stands after it."""
    steps = turnover_steps(config, ledger)
    step = next((s for s in reversed(steps) if s.year == day.year and s.entry.date <= day), None)
    if step is None or step.regime.regime != "franchise":
        return []
    return _notes(steps, step, ledger.entity, invoice=False)


def _notes(
    steps: list[TurnoverStep], step: TurnoverStep, entity: str, *, invoice: bool
) -> list[str]:
    notes: list[str] = []
    for key, base, major in limits(step.regime):
        value = step.services if key == "services" else step.total
        if value > major and not invoice:
            day = crossing_day(steps, step.year, key) or step.entry.date
            notes.append(
                _(
                    "warning: the turnover of {entity} for {year} ({what}) is {value}, past "
                    "the seuil majoré of {limit}: the franchise ended on {day} and VAT is due "
                    "from that day. From {day} an invoice carries the VAT rate and amount of "
                    "each line, the totals excluding and including VAT and the seller's VAT "
                    "number, and no longer the mention {mention!r}: add a VAT regime from {day} "
                    "to [[entities.{entity}.vat]] in alusage.toml."
                ).format(
                    entity=entity,
                    year=step.year,
                    what=what(key),
                    value=money(value),
                    limit=money(major),
                    day=day.isoformat(),
                    mention=step.regime.mention,
                )
            )
        elif value > major:
            day = crossing_day(steps, step.year, key) or step.entry.date
            notes.append(
                _(
                    "warning: the turnover of {year} ({what}) is {value}, past the seuil "
                    "majoré of {limit}: the franchise ended on {day} and VAT is due from that "
                    "day, this invoice included. From {day} an invoice carries the VAT rate "
                    "and amount of each line, the totals excluding and including VAT and the "
                    "seller's VAT number, and no longer the mention {mention!r}: add a VAT "
                    "regime from {day} to [[entities.{entity}.vat]] in alusage.toml, then "
                    "cancel this invoice ('invoice cancel') and issue it again."
                ).format(
                    year=step.year,
                    what=what(key),
                    value=money(value),
                    limit=money(major),
                    day=day.isoformat(),
                    mention=step.regime.mention,
                    entity=entity,
                )
            )
        elif value > base:
            notes.append(
                _(
                    "warning: the turnover of {year} ({what}) is {value}, above the franchise "
                    "threshold of {limit}: the franchise ends on January 1st, {next_year} "
                    "(at once past {major}, the seuil majoré)."
                ).format(
                    year=step.year,
                    what=what(key),
                    value=money(value),
                    limit=money(base),
                    next_year=step.year + 1,
                    major=money(major),
                )
            )
        elif value >= base * WARN_AT:
            notes.append(
                _(
                    "warning: the turnover of {year} ({what}) is {value}, over 80 % of the "
                    "franchise threshold of {limit} (the franchise ends on January 1st, "
                    "{next_year} above it, and at once past {major}, the seuil majoré)."
                ).format(
                    year=step.year,
                    what=what(key),
                    value=money(value),
                    limit=money(base),
                    next_year=step.year + 1,
                    major=money(major),
                )
            )
    return notes
