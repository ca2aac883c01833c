"""What marks the end of an exercice in a ledger: the exercice lock, closing and opening
entries, the inventory window.

``year close`` (:mod:`alusage_ledger.domains.year`) writes these marks; the books read
them: the writer accepts an ``#inventaire`` entry dated the exercice's last day while the
exercice is open (:func:`inventory_window_open`), reports of a period's activity leave out
the closing entries (:func:`is_year_end_entry`), the FEC its closings.

    2026-12-31 custom "alusage-close-exercice" 2026-12-31
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from alusage_ledger.core.periods import Exercice

if TYPE_CHECKING:
    from alusage_ledger.books.entityconfig import EntityConfig

#: ``gen-id`` prefix of what ``year close`` writes after the exercice's months are closed:
#: the closing entries, the accounts they open, the next exercice's à-nouveaux (dated its
#: first day, in a month that may be closed already). The exercice lock covers
#: them, not their month's digest.
YEAR_CLOSE_GEN_PREFIX = "year-close/"

EXERCICE_CLOSE_TYPE = "alusage-close-exercice"
INVENTORY_TAG = "inventaire"
CLOSING_TAG = "cloture"
OPENING_TAG = "ouverture"
ALLOCATION_TAG = "affectation"
OPENING_JOURNAL = "AN"
CLOSING_JOURNAL = "CL"
YEAR_OPEN_GEN_PREFIX = "year-open/"
ALLOCATE_GEN_PREFIX = "year-allocate/"
CLOSED_ON_KEY = "closed-on"
LOCK_HASH_KEY = "lock-hash"


def close_file_rel(year: int) -> str:
    """The exercice lock file, relative to the folder of the entity's main file."""
    return f"{year:04d}/exercice.close.beancount"


def open_file_rel(year: int) -> str:
    """The next exercice's opening file (its à-nouveaux)."""
    return f"{year:04d}/exercice.open.beancount"


# --------------------------------------------------------------------------- entries


def gen_id(entry: Any) -> str:
    return str((entry.meta or {}).get("gen-id") or "")


def is_opening(entry: Any) -> bool:
    """An opening entry (à-nouveaux): ``journal: "AN"`` or ``#ouverture`` (as the FEC reads)."""
    return (entry.meta or {}).get("journal") == OPENING_JOURNAL or OPENING_TAG in (
        getattr(entry, "tags", None) or ()
    )


def is_closing(entry: Any) -> bool:
    """A closing entry: ``journal: "CL"`` or ``#cloture`` (left out of the FEC)."""
    return (entry.meta or {}).get("journal") == CLOSING_JOURNAL or CLOSING_TAG in (
        getattr(entry, "tags", None) or ()
    )


def is_year_end_entry(entry: Any) -> bool:
    """A closing entry (``#cloture``/``CL``) or anything ``year close`` wrote (its à-nouveaux):
    bookkeeping of the exercice's end, not activity. Reports of a period's activity (revenue,
    VAT, transparency, redistribution bases) leave them out, as the FEC leaves out closings."""
    meta = entry.meta
    if (not meta or ("journal" not in meta and "gen-id" not in meta)) and not getattr(
        entry, "tags", None
    ):
        return False  # what most entries are, answered without the two calls below
    return is_closing(entry) or gen_id(entry).startswith(YEAR_CLOSE_GEN_PREFIX)


def is_transaction(entry: Any) -> bool:
    return type(entry).__name__ == "Transaction"


def exercice_year(entry: Any) -> int | None:
    """The exercice an ``alusage-close-exercice`` directive closes (the year it ends in)."""
    value = entry.values[0].value if entry.values else None
    if isinstance(value, date):
        return value.year
    if value is not None and str(value)[:4].isdigit():
        return int(str(value)[:4])
    return (entry.date - timedelta(days=1)).year  # type: ignore[no-any-return]


def closed_exercices(entries: Iterable[Any]) -> dict[int, Any]:
    """``{2026: directive}`` for every ``custom "alusage-close-exercice"``."""
    found: dict[int, Any] = {}
    for entry in entries:
        if type(entry).__name__ == "Custom" and entry.type == EXERCICE_CLOSE_TYPE:
            year = exercice_year(entry)
            if year is not None:
                found.setdefault(year, entry)
    return found


def inventory_window_open(config: EntityConfig, entries: Iterable[Any], entry: Any) -> bool:
    """True for an ``#inventaire`` transaction dated the last day of an exercice that is
    not closed yet: the writer accepts it although that month is closed."""
    if not is_transaction(entry) or INVENTORY_TAG not in (entry.tags or ()):
        return False
    day: date = entry.date
    if Exercice.containing(day, config.exercice_start).last_day != day:
        return False
    return day.year not in closed_exercices(entries)
