"""``reopen M --reason``: lift the lock of the last closed month, on the record.

The one sanctioned exception to append-only: the close file is deleted, and why is
recorded as a ``custom "alusage-reopen"`` directive dated the last day of the month.
Refused once the exercice of M is closed.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from beancount.core import data
from beancount.parser.grammar import ValueType

from alusage_ledger.books.ledger import Workspace
from alusage_ledger.books.locks import (
    EXERCICE_CLOSE_TYPE,
    REOPEN_TYPE,
    close_file_rel,
    close_records,
)
from alusage_ledger.books.text import check_text
from alusage_ledger.books.writer import Append
from alusage_ledger.core.errors import RefusedError, UsageError
from alusage_ledger.core.i18n import _
from alusage_ledger.core.periods import Month, resolve_today
from alusage_ledger.domains.closing.preconditions import kept_entities
from alusage_ledger.domains.closing.results import ReopenResult
from alusage_ledger.domains.closing.snapshot import Snapshot, ledger_folders, rel_path

if TYPE_CHECKING:
    from alusage_ledger.books.entityconfig import EntityConfig
    from alusage_ledger.books.loader import LoadedLedger


def _exercice_closed(ledger: LoadedLedger, config: EntityConfig, month: Month) -> bool:
    """``custom "alusage-close-exercice"`` for the exercice of ``month`` or a later one."""
    end_year = config.exercice_of(month.first_day).last_day.year
    for entry in ledger.entries:
        if type(entry).__name__ != "Custom" or entry.type != EXERCICE_CLOSE_TYPE:
            continue
        value = entry.values[0].value if entry.values else None
        year: int | None = None
        if isinstance(value, date):
            year = value.year
        elif value is not None and str(value)[:4].isdigit():
            year = int(str(value)[:4])
        if year is None:
            year = (entry.date - timedelta(days=1)).year
        if year >= end_year:
            return True
    return False


def reopen_month(
    ws: Workspace,
    month: Month,
    reason: str,
    *,
    entity: str | None = None,
    today: date | str | None = None,
) -> ReopenResult:
    """Lift the lock of ``month`` (the last closed month) and record why."""

    reason = check_text(reason.strip(), _("reason"))
    if not reason:
        raise UsageError(_("Say why the month is reopened with --reason."))
    day = resolve_today(today)
    targets = kept_entities(ws, entity)
    result = ReopenResult(month, reason)
    with ws.lock():
        concerned = []
        for name in targets:
            ledger = ws.load_checked(name)
            records, _dups = close_records(ledger.entries)
            if month not in records:
                continue
            last = max(records)
            if last != month:
                raise RefusedError(
                    _(
                        "Only the last closed month of {entity} can be reopened ({last}); "
                        "reopen {last} first."
                    ).format(entity=name, last=last)
                )
            if _exercice_closed(ledger, ws.config.entity(name), month):
                raise RefusedError(
                    _(
                        "The exercice of {month} is closed for {entity}; its months can no "
                        "longer be reopened: book corrections in the next exercice."
                    ).format(month=month, entity=name)
                )
            concerned.append(name)
        if not concerned:
            raise UsageError(
                _("{month} is not closed for {entities}; there is nothing to reopen.").format(
                    month=month, entities=", ".join(targets)
                )
            )
        snapshot = Snapshot(ledger_folders(ws))
        try:
            for name in concerned:
                meta = data.new_metadata("<alusage>", 0)
                meta["reason"] = reason
                meta["reopened-on"] = day
                record = data.Custom(
                    meta, month.last_day, REOPEN_TYPE, [ValueType(str(month), str)]
                )
                ws.remove_close_file(name, close_file_rel(month), then=[Append(name, (record,))])
                result.entities.append(name)
                result.removed.append(
                    rel_path(ws.load_checked(name).folder() / close_file_rel(month), ws.root)
                )
        except BaseException:
            snapshot.restore()
            ws.forget()
            raise
    return result
