"""Whether month M can be closed: the entities whose months are closed, the ledgers
without error (``check``, before and after), and the preconditions, each failure named
(M is over, the previous month is closed, nothing flagged ``!``, and what the features
registered in ``books.monthend`` check, e.g. usage declared)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from alusage_ledger.books import monthend
from alusage_ledger.books.checks import problem_at, run_checks
from alusage_ledger.books.ledger import Workspace
from alusage_ledger.books.locks import (
    close_records,
    describe_entry,
    start_month,
)
from alusage_ledger.core.errors import LedgerErrors, LedgerProblem, RefusedError, UsageError
from alusage_ledger.core.i18n import _
from alusage_ledger.core.periods import Month


def kept_entities(ws: Workspace, entity: str | None = None) -> list[str]:
    """Entities whose months are closed: every one (a micro-entrepreneur's register too:
    its URSSAF declaration is made from it), or the one named."""
    if entity is not None:
        ws.config.entity(entity)
        return [entity]
    return list(ws.config.entities)


def check_preconditions(ws: Workspace, month: Month, entities: Sequence[str], today: date) -> None:
    """Raise, naming every failure, unless month ``month`` can be closed for ``entities``."""
    first, last = month.first_day, month.last_day
    if today <= last:
        raise UsageError(
            _("{month} is not over yet (today is {today}); it can be closed from {day}.").format(
                month=month, today=today.isoformat(), day=month.end
            )
        )
    problems: list[LedgerProblem] = []
    for entity in entities:
        ledger = ws.load_checked(entity)
        config = ws.config.entity(entity)
        start = start_month(config, ledger.parsed_entries()) or month
        if month < start:
            raise UsageError(
                _("{month} is before the books of {entity} start ({start}).").format(
                    month=month, entity=entity, start=start
                )
            )
        records, _dups = close_records(ledger.entries)
        later = sorted(m for m in records if m > month)
        if later:
            raise RefusedError(
                _(
                    "{month} cannot be closed for {entity}: a later month ({later}) is already "
                    "closed."
                ).format(month=month, entity=entity, later=later[0])
            )
        if month != start and month.prev() not in records:
            problems.append(
                LedgerProblem(
                    entity,
                    None,
                    None,
                    _(
                        "{previous} is not closed for {entity}; close it first "
                        "('alusage-ledger close {previous}')."
                    ).format(previous=month.prev(), entity=entity),
                )
            )
        for entry in ledger.parsed_entries():
            if (
                type(entry).__name__ == "Transaction"
                and entry.flag == "!"
                and first <= entry.date <= last
            ):
                problems.append(
                    problem_at(
                        ws,
                        entity,
                        entry,
                        _(
                            "this transaction of {month} is flagged '!' (to be checked): "
                            "{entry}; confirm it (flag '*') or correct it before closing."
                        ).format(month=month, entry=describe_entry(entry)),
                    )
                )
    for _name, check in monthend.checks():
        problems.extend(check(ws, month, entities))
    if problems:
        raise LedgerErrors(
            _(
                "{month} cannot be closed: {count} precondition(s) not met; nothing was written."
            ).format(month=month, count=len(problems)),
            problems,
        )


def check_all(
    ws: Workspace, *, after_close: bool = False, known: frozenset[str] = frozenset()
) -> dict[str, list[LedgerProblem]]:
    """Run ``check`` on every ledger: the errors of each entity (an entity with errors is
    not closed, the others are). An error that belongs to no entity refuses the close.

    ``after_close``: any error not in ``known`` (the rendered errors found before) undoes
    the close."""
    errors = [p for p in run_checks(ws) if p.severity == "error"]
    # What the rules cached (e.g. sales indexes) is not needed again before the ledgers
    # change (steps and locks read the ledgers): let it go now rather than with the
    # ledgers (memory).
    for _name, cleanup in monthend.cleanups():
        cleanup()
    if after_close:
        new = [p for p in errors if p.render() not in known]
        if new:
            raise LedgerErrors(
                _("After closing, 'check' found {count} error(s); everything was restored.").format(
                    count=len(new)
                ),
                new,
            )
        return {}
    if any(p.entity not in ws.config.entities for p in errors):
        refuse(errors)
    by_entity: dict[str, list[LedgerProblem]] = {}
    for problem in errors:
        by_entity.setdefault(str(problem.entity), []).append(problem)
    return by_entity


def refuse(errors: Sequence[LedgerProblem]) -> None:
    """The ledgers' errors refuse the whole close."""
    raise LedgerErrors(
        _(
            "The ledgers have {count} error(s); run 'alusage-ledger check' and fix them "
            "before closing; nothing was written."
        ).format(count=len(errors)),
        list(errors),
    )
