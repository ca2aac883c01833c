"""Month-end closing: one command closes month M for every entity, idempotently.

``close 2026-10`` does, for every entity (a micro-entrepreneur's register too):

1. load and check every ledger (an entity with errors is not closed, and says why; the
   others are; exit 1 if any was not);
2. check the preconditions and name each failure: M is over; the entity's previous month
   is closed unless M is its first month (``books_start``); no transaction flagged ``!``
   in M; every active member of a place has declared its days of use in M when one of
   the place's keys needs them;
3. run the month-end steps other features register in ``monthend`` (recurring entries,
   le 97's shares, redistribution, VAT settlement), each idempotent;
4. lock M: append the generated file ``<YYYY>/<MM>.close.beancount`` (exact balance
   assertions dated the first day of M+1 and the chained digest, see ``locks``);
5. write ``reports/<M>/`` (statements, tables, README), byte-identical when regenerated;
6. with ``--commit``, commit what it wrote (refused while unrelated changes are pending).

The close is computed in memory first (as ``--dry-run``), then written as one journaled
job (``books.journal``): its plan is on disk before the first write, so that a close
killed half-way is finished by the next command that takes the lock, and a failure once
writing started restores every file's previous bytes. A month already closed
is reported as such and nothing is touched. ``--dry-run`` runs the same close with the
files kept in memory (:class:`PlannedWorkspace`) and shows what would be written; it
writes nothing.

Example of a lock file::

    2026-11-01 balance Actif:Banque:CreditCooperatif      12480.35 ~ 0.00 EUR
    2026-11-01 custom "alusage-close" "2026-10" "9f2c…"
      closed-on: 2026-11-03
      lock-hash: "41ab…"

``reopen 2026-10 --reason "…"`` lifts the lock of the last closed month (the one sanctioned
exception to append-only: the close file is deleted) and records why, as a ``custom
"alusage-reopen"`` directive dated the last day of the month.
"""

from __future__ import annotations

import contextlib
import inspect
import os
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from alusage_ledger.books import journal, monthend
from alusage_ledger.books.ledger import LOCK_NAME, Workspace
from alusage_ledger.books.locks import start_month
from alusage_ledger.core.errors import (
    IOFailure,
    LedgerErrors,
    LedgerProblem,
    RefusedError,
    UsageError,
)
from alusage_ledger.core.i18n import _
from alusage_ledger.core.periods import Month, resolve_today
from alusage_ledger.domains.closing.git import git, git_commit, git_guard
from alusage_ledger.domains.closing.lock import closed_months, describe_locks, write_locks
from alusage_ledger.domains.closing.planned import Inexact, PlannedWorkspace
from alusage_ledger.domains.closing.preconditions import (
    check_all,
    check_preconditions,
    kept_entities,
    refuse,
)
from alusage_ledger.domains.closing.reports import REPORTS_DIR, report_files, write_reports
from alusage_ledger.domains.closing.results import CloseResult, EntityClose
from alusage_ledger.domains.closing.snapshot import ledger_folders, rel_path

__all__ = [
    "CloseResult",
    "close_month",
    "close_through",
    "months_to_close",
    "run_steps",
]


def run_steps(
    ws: Workspace, month: Month, entities: Sequence[str], today: date | None = None
) -> list[tuple[str, list[str]]]:
    """Every registered month-end step, in order (each idempotent); a step that takes
    ``today`` gets the close's (``--today``, ``ALUSAGE_TODAY``)."""
    done = []
    for name, step in monthend.steps():
        kwargs: dict[str, Any] = {"dry_run": False}
        with contextlib.suppress(TypeError, ValueError):
            params = inspect.signature(step).parameters
            if "entities" in params:
                kwargs["entities"] = tuple(entities)
            if "today" in params and today is not None:
                kwargs["today"] = today
            if "dry_run" not in params and not any(
                p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()
            ):
                kwargs.pop("dry_run")
        lines = step(ws, month, **kwargs) or []
        done.append((name, [str(line) for line in lines]))
    return done


# --------------------------------------------------------------------------- close


def close_month(
    ws: Workspace,
    month: Month,
    *,
    entity: str | None = None,
    dry_run: bool = False,
    commit: bool = False,
    today: date | str | None = None,
    precheck: bool = True,
    postcheck: bool = True,
) -> CloseResult:
    """Close ``month`` for every double-entry entity (or ``entity``); see the module doc.

    ``precheck=False`` skips the first full ``check`` when the caller has just checked the
    same ledgers, ``postcheck=False`` the one after closing (closing several months in a
    row checks before the first and after the last; every write is still verified).
    """
    day = resolve_today(today)
    targets = kept_entities(ws, entity)
    if dry_run:
        return _dry_run(ws, month, entity, day)

    result = CloseResult(month)
    with ws.lock():
        result.resumed = f"close {month}" in ws.finished
        failed = check_all(ws) if precheck else {}
        pending = _pending(ws, month, entity, targets, result, failed)
        if not pending:
            return result
        top = git_guard(ws.root) if commit else None
        check_preconditions(ws, month, pending, day)

        # The whole close is computed in memory first (as --dry-run does), then its plan
        # is journaled and applied: killed at any point, the next command finishes it.
        known = frozenset(p.render() for problems in failed.values() for p in problems)
        planned = _plan(ws, month, pending, day, result, postcheck=postcheck, known=known)
        job = journal.Journal(f"close {month}")
        folder = ws.root / REPORTS_DIR / str(month)
        real_folder = Path(os.path.realpath(folder))
        # Every file the plan changes in the workspace (the ledgers, and whatever a step
        # writes), but reports/<M>/, which is moved into place as a whole.
        for path, _old, new in planned.changes([ws.root]):
            if real_folder == path or real_folder in path.parents:
                continue
            job.files.append(journal.FileChange(rel_path(path, ws.root), ws.file_bytes(path), new))
        job.folders.append(
            journal.FolderSwap(
                rel_path(folder, ws.root), result.report_bytes, journal.folder_files(folder)
            )
        )
        result.reports = [rel_path(folder / rel, ws.root) for rel in sorted(result.report_bytes)]
        changed = [ws.root / c.rel for c in job.files]
        changed += [folder / rel for rel in sorted(result.report_bytes)]
        try:
            journal.run(ws.root, job)
            result.written = [rel_path(p, ws.root) for p in changed]
            if top is not None:
                message = _("Close {month} ({entities})").format(
                    month=month, entities=", ".join(pending)
                )
                result.commit = git_commit(top, changed, message)
        except Exception:
            # Not a kill (that leaves the journal to the next command): undo it all now.
            journal.undo(ws.root, job)
            if top is not None:
                with contextlib.suppress(IOFailure):
                    git(top, "reset", "-q", "--", *[str(p) for p in changed])
            raise
        finally:
            ws.forget()
    return result


def _pending(
    ws: Workspace,
    month: Month,
    entity: str | None,
    targets: Sequence[str],
    result: CloseResult,
    failed: dict[str, list[LedgerProblem]],
) -> list[str]:
    """The entities to close (each one's status goes to ``result``); none: already closed.

    An entity with errors (``failed``) is not closed, and says why; the others are. When
    none of the entities asked for can be closed because of errors, the close is refused
    with every error."""
    pending = []
    blocked: list[LedgerProblem] = []
    for name in ws.config.entities:
        reason = None
        if name not in targets:
            result.entities.append(EntityClose(name, "skipped"))
            continue
        config = ws.config.entity(name)
        try:
            ledger = ws.load(name) if name in failed else ws.load_checked(name)
        except LedgerErrors:
            if name not in failed:
                raise
            ledger = None  # e.g. its main file is missing: not closed, said below
        start = (start_month(config, ledger.parsed_entries()) if ledger else None) or month
        if ledger is not None and month in closed_months(ledger):
            status = "already-closed"
        elif entity is None and month < start:
            status = "not-started"
        elif name in failed:
            status = "not-closed"
            problems = failed[name]
            blocked.extend(problems)
            reason = _("{count} error(s) in its ledger, first: {problem}").format(
                count=len(problems), problem=problems[0].render()
            )
        else:
            status = "closed"
            pending.append(name)
        result.entities.append(EntityClose(name, status, reason=reason))
    if not pending:
        if blocked:
            refuse(blocked)
        if not any(e.status == "already-closed" for e in result.entities):
            raise UsageError(
                _("{month} is before the books of every entity start.").format(month=month)
            )
        result.already_closed = True
    describe_locks(ws, month, result)
    return pending


def _dry_run(
    ws: Workspace, month: Month, entity: str | None, day: date, *, exact: bool | None = None
) -> CloseResult:
    """What the close would do, computed in memory (:class:`PlannedWorkspace`).

    The same code as the real close runs, on the real workspace's ledgers: the checks, the
    preconditions, the steps, the writer (its validation, the text read back, W6's
    verification), the lock, the reports and the final check; only the files stay in
    memory. Nothing is written, not even the lock file (taken if it exists, as writers
    do; read-only commands do not create it either).

    ``exact``: None (the command) runs the fast pass, then the exact one if the fast one
    failed or could not vouch for its result; True or False runs only that pass (tests:
    the fast pass raises :class:`Inexact` where it gives up).
    """
    result = CloseResult(month, dry_run=True)
    targets = kept_entities(ws, entity)
    job = ws.pending_job()
    if job is not None:
        raise RefusedError(
            _(
                "An interrupted command left its work unfinished; run 'alusage-ledger {job}' "
                "to finish it first."
            ).format(job=job)
        )
    held = ws.lock() if (ws.root / LOCK_NAME).exists() else contextlib.nullcontext()
    with held:
        failed = check_all(ws)
        pending = _pending(ws, month, entity, targets, result, failed)
        if not pending:
            return result
        check_preconditions(ws, month, pending, day)
        known = frozenset(p.render() for problems in failed.values() for p in problems)
        if exact is not None:
            _close_planned(ws, month, pending, day, result, exact=exact, known=known)
            return result
        # The fast pass, else (it could not vouch for its result, or something failed) the
        # exact pass decides (it fails the same way, or succeeds).
        _plan(ws, month, pending, day, result, postcheck=True, known=known)
    return result


def _plan(
    ws: Workspace,
    month: Month,
    pending: Sequence[str],
    day: date,
    result: CloseResult,
    *,
    postcheck: bool,
    known: frozenset[str] = frozenset(),
) -> PlannedWorkspace:
    """The close, computed in memory: the fast pass, else the exact one."""
    statuses = [EntityClose(e.entity, e.status, reason=e.reason) for e in result.entities]
    try:
        return _close_planned(
            ws, month, pending, day, result, exact=False, postcheck=postcheck, known=known
        )
    except (Exception, Inexact):
        result.entities = statuses
        return _close_planned(
            ws, month, pending, day, result, exact=True, postcheck=postcheck, known=known
        )


def _close_planned(
    ws: Workspace,
    month: Month,
    pending: Sequence[str],
    day: date,
    result: CloseResult,
    *,
    exact: bool,
    postcheck: bool = True,
    known: frozenset[str] = frozenset(),
) -> PlannedWorkspace:
    """Steps, lock, reports and final check of the real close, on a planned workspace."""
    planned = PlannedWorkspace(ws, exact=exact)
    result.steps = run_steps(planned, month, pending, day)
    write_locks(planned, month, pending, day, result)
    planned.settle()
    result.report_bytes = report_files(planned, month)
    result.reports = write_reports(planned, month, result.report_bytes)
    if postcheck:
        check_all(planned, after_close=True, known=known)
    folders = [*ledger_folders(ws), ws.root / REPORTS_DIR / str(month)]
    result.written, result.planned = [], {}
    for path, old, new in planned.changes(folders):
        rel = rel_path(path, ws.root)
        result.written.append(rel)
        result.planned[rel] = (new[len(old) :] if new.startswith(old) else new).decode(
            "utf-8", "replace"
        )
    return planned


# --------------------------------------------------------------------------- demo


def close_through(
    ws: Workspace, today: date | str | None = None, *, checked: bool = False
) -> list[CloseResult]:
    """Close, in order, every month from the books' start to the last month that is over.

    ``checked``: the caller has just run ``check`` on these ledgers (``demo``).
    """
    day = resolve_today(today)
    months = months_to_close(ws, day)
    results = []
    for index, month in enumerate(months):
        results.append(
            close_month(
                ws,
                month,
                today=day,
                precheck=index == 0 and not checked,
                postcheck=index == len(months) - 1,
            )
        )
    return results


def months_to_close(ws: Workspace, today: date) -> list[Month]:
    """Every month from the earliest books start to the last month that is over."""
    starts = []
    for name in kept_entities(ws):
        ledger = ws.load_checked(name)
        start = start_month(ws.config.entity(name), ledger.parsed_entries())
        if start:
            starts.append(start)
    if not starts:
        return []
    return list(min(starts).until(Month.of(today).prev()))
