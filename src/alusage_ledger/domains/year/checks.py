"""``check`` rules of the year: the exercice locks and the allocations of the result.

Registered in :mod:`alusage_ledger.books.checks` when this module is imported
(``RULE_MODULES``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alusage_ledger.books.canonical import chain_digest
from alusage_ledger.books.checks import entity_rule, parsed_rule, problem_at
from alusage_ledger.books.exercice import (
    ALLOCATE_GEN_PREFIX,
    ALLOCATION_TAG,
    EXERCICE_CLOSE_TYPE,
    LOCK_HASH_KEY,
    close_file_rel,
    closed_exercices,
    exercice_year,
    gen_id,
    is_transaction,
)
from alusage_ledger.books.locks import close_records, lock_hash
from alusage_ledger.core.errors import LedgerProblem
from alusage_ledger.core.i18n import _
from alusage_ledger.core.periods import Exercice
from alusage_ledger.domains.year.allocation import (
    Allocation,
    allocation_state,
    read_allocation,
    state_minimums,
    violations,
)
from alusage_ledger.domains.year.closing import covered_entries

if TYPE_CHECKING:
    from alusage_ledger.books.ledger import Workspace
    from alusage_ledger.books.loader import LoadedLedger


_DIGEST = re.compile(r"^[0-9a-f]{64}$")


def _exercice_file(ledger: LoadedLedger, year: int) -> Any:
    folder = Path(os.path.realpath(ledger.main)).parent
    path = Path(os.path.normpath(folder / close_file_rel(year)))
    return ledger.files.get(path)


@parsed_rule
def exercice_locks(ws: Workspace, ledger: LoadedLedger) -> Iterable[LedgerProblem]:
    """Closed exercices: the digest over their closing, inventory and opening entries, and
    their lock file as written (docs/year.md)."""
    entity = ledger.entity
    if entity not in ws.config.entities:
        return []
    config = ws.config.entity(entity)
    parsed = ledger.parsed_entries()
    problems: list[LedgerProblem] = []
    records, _dups = close_records(parsed)
    seen: set[int] = set()
    for entry in parsed:
        if type(entry).__name__ != "Custom" or entry.type != EXERCICE_CLOSE_TYPE:
            continue
        year = exercice_year(entry)
        values = [v.value for v in entry.values]
        digest = str(values[1]) if len(values) > 1 else ""
        if year is None or not _DIGEST.fullmatch(digest):
            problems.append(
                problem_at(
                    ws,
                    entity,
                    entry,
                    _(
                        "this alusage-close-exercice directive is malformed (the year, then a "
                        "SHA-256 digest)."
                    ),
                )
            )
            continue
        if year in seen:
            problems.append(
                problem_at(
                    ws,
                    entity,
                    entry,
                    _("the exercice {year} is closed twice.").format(year=year),
                )
            )
            continue
        seen.add(year)
        exercice = Exercice.ending_in(year, config.exercice_start)
        end = exercice.last_day
        last = records.get(exercice.last_month)
        if last is None:
            problems.append(
                problem_at(
                    ws,
                    entity,
                    entry,
                    _(
                        "the exercice {year} is closed but its last month {month} is not; "
                        "restore the month's close file from git."
                    ).format(year=year, month=exercice.last_month),
                )
            )
            continue
        if chain_digest(last.digest, covered_entries(parsed, year, end)) != digest:
            problems.append(
                problem_at(
                    ws,
                    entity,
                    entry,
                    _(
                        "the exercice {year} is closed, but its closing, inventory or opening "
                        "entries no longer match the lock: one was added, removed or changed "
                        "by hand; undo that change (book corrections in an open month)."
                    ).format(year=year),
                )
            )
        parsed_file = _exercice_file(ledger, year)
        stored = (entry.meta or {}).get(LOCK_HASH_KEY)
        if parsed_file is None or entry not in parsed_file.entries:
            problems.append(
                problem_at(
                    ws,
                    entity,
                    entry,
                    _(
                        "the lock of the exercice {year} must be in {file}; it was moved by hand."
                    ).format(year=year, file=close_file_rel(year)),
                )
            )
        elif stored != lock_hash(parsed_file.entries):
            problems.append(
                problem_at(
                    ws,
                    entity,
                    entry,
                    _(
                        "the lock file of the exercice {year} was edited by hand (it no longer "
                        "matches its lock-hash); restore it with 'git checkout -- {file}'."
                    ).format(year=year, file=parsed_file.rel),
                )
            )
    return problems


@entity_rule
def allocation_rules(ws: Workspace, ledger: LoadedLedger) -> Iterable[LedgerProblem]:
    """Allocations of a result (``#affectation``): the law's minimums of reserves."""
    entity = ledger.entity
    if entity not in ws.config.entities:
        return []
    config = ws.config.entity(entity)
    rules = ws.config.year.rules(config.kind)
    if rules is None:
        return []
    problems: list[LedgerProblem] = []
    for entry in ledger.entries:
        if not is_transaction(entry):
            continue
        if ALLOCATION_TAG not in (entry.tags or ()) and not gen_id(entry).startswith(
            ALLOCATE_GEN_PREFIX
        ):
            continue
        raw_year = str((entry.meta or {}).get("exercice") or "")
        if not re.fullmatch(r"\d{4}", raw_year):
            problems.append(
                problem_at(
                    ws,
                    entity,
                    entry,
                    _(
                        "this allocation does not say which exercice it allocates (metadata "
                        'exercice: "YYYY").'
                    ),
                )
            )
            continue
        year = int(raw_year)
        if year not in closed_exercices(ledger.entries):
            problems.append(
                problem_at(
                    ws,
                    entity,
                    entry,
                    _("this allocation is for the exercice {year}, which is not closed.").format(
                        year=year
                    ),
                )
            )
            continue
        allocated, alloc, absorbed = read_allocation(ledger, entry)
        state = allocation_state(ws, ledger, year, entry.date)
        mins = state_minimums(ws, ledger, state)
        if mins.absorbed > absorbed:  # absorbed from a debit balance on 110
            alloc = Allocation(
                alloc.legal_reserve,
                alloc.statutory_reserve,
                alloc.carry_forward - (mins.absorbed - absorbed),
                alloc.interest,
            )
        broken = violations(rules, mins, alloc)
        if allocated != state.result:
            broken.insert(
                0,
                _(
                    "it allocates {allocated} but the result of the exercice {year} is {result}."
                ).format(allocated=allocated, year=year, result=state.result),
            )
        for message in broken:
            problems.append(
                problem_at(
                    ws,
                    entity,
                    entry,
                    _("allocation of the result of {year}: {problem}").format(
                        year=year, problem=message
                    ),
                )
            )
    return problems
