"""The period of a books report, and where a transaction counts in it: in the opening
balance, in the period's movements, or out (the package docstring says why)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from alusage_ledger.books.exercice import is_closing, is_opening, is_transaction
from alusage_ledger.core.errors import UsageError
from alusage_ledger.core.i18n import _
from alusage_ledger.core.periods import Exercice, parse_period, resolve_today
from alusage_ledger.domains.year.exercices import parse_exercice

if TYPE_CHECKING:
    from alusage_ledger.books.entityconfig import EntityConfig


@dataclass(frozen=True)
class Window:
    """A period, both days included."""

    start: date
    end: date

    @property
    def label(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


def report_window(
    config: EntityConfig, entries: Sequence[Any], period: str | None, exercice: str | None
) -> Window:
    """``--period`` (2026, 2026-Q4, 2026-11, a range) or ``--exercice``; by default the
    exercice of the latest transaction."""
    if period is not None and exercice is not None:
        raise UsageError(_("Give --period or --exercice, not both."))
    if period is not None:
        parsed = parse_period(period)
        return Window(parsed.start, parsed.last_day)
    if exercice is not None:
        chosen = Exercice.ending_in(parse_exercice(exercice), config.exercice_start)
        return Window(chosen.first_day, chosen.last_day)
    days = [e.date for e in entries if is_transaction(e)]
    latest = Exercice.containing(max(days) if days else resolve_today(), config.exercice_start)
    return Window(latest.first_day, latest.last_day)


def entry_role(entry: Any, window: Window) -> str:
    """Where a transaction counts: ``opening``, ``movement`` or ``out``."""
    if entry.date < window.start or (entry.date == window.start and is_opening(entry)):
        return "opening"
    if entry.date > window.end or (entry.date == window.end and is_closing(entry)):
        return "out"
    return "movement"
