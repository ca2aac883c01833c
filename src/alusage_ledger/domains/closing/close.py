"""Month-end closing: one command closes month M for every entity, idempotently.

``close 2026-10`` does, for every entity that keeps double-entry books (not ``micro``),
all or nothing:

1. load and check every ledger (any error: exit 1, nothing written);
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

If any step fails, every file is restored to its previous bytes. A month already closed
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
import subprocess
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alusage_ledger.books.ledger import Workspace
from alusage_ledger.books.locks import (
    CLOSED_ON_KEY,
    EXERCICE_CLOSE_TYPE,
    LOCK_HASH_KEY,
    REOPEN_TYPE,
    close_file_rel,
    close_records,
    describe_entry,
    exercice_bounds,
    exercice_end,
    exercice_end_in,
    lock_hash,
    locked_entries,
    month_bounds,
    month_digest,
    month_of,
    parse_month,
    prev_month,
    start_month,
)
from alusage_ledger.core.errors import (
    IOFailure,
    LedgerErrors,
    LedgerProblem,
    RefusedError,
    UsageError,
)
from alusage_ledger.core.i18n import _
from alusage_ledger.core.periods import resolve_today

if TYPE_CHECKING:
    from alusage_ledger.books.config import EntityConfig
    from alusage_ledger.books.ledger import LoadedLedger, ParsedFile, PlannedFile

REPORTS_DIR = "reports"
_IGNORED_NAMES = (".alusage.lock",)
_IGNORED_SUFFIXES = (".alusage-tmp", ".picklecache")


# --------------------------------------------------------------------------- today


# --------------------------------------------------------------------------- results


@dataclass
class EntityClose:
    entity: str
    # "closed", "already-closed", "not-started" (before books_start), "not-kept" (micro),
    # "skipped" (another entity was named)
    status: str
    file: str | None = None
    digest: str | None = None
    assertions: int = 0


@dataclass
class CloseResult:
    month: str
    dry_run: bool = False
    already_closed: bool = False
    entities: list[EntityClose] = field(default_factory=list)
    steps: list[tuple[str, list[str]]] = field(default_factory=list)
    reports: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    planned: dict[str, str] = field(default_factory=dict)
    commit: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "month": self.month,
            "dry_run": self.dry_run,
            "already_closed": self.already_closed,
            "entities": [
                {
                    "entity": e.entity,
                    "status": e.status,
                    "file": e.file,
                    "digest": e.digest,
                    "assertions": e.assertions,
                }
                for e in self.entities
            ],
            "steps": [{"name": name, "lines": lines} for name, lines in self.steps],
            "reports": self.reports,
            "written": self.written,
            "planned": self.planned if self.dry_run else {},
            "commit": self.commit,
        }


@dataclass
class ReopenResult:
    month: str
    reason: str
    entities: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- entities


def kept_entities(ws: Workspace, entity: str | None = None) -> list[str]:
    """Entities whose months are closed: every double-entry one, or the one named."""
    if entity is not None:
        config = ws.config.entity(entity)
        if config.kind == "micro":
            raise UsageError(
                _(
                    "{entity} is a micro-entrepreneur: its books are a revenue register, "
                    "not closed month by month."
                ).format(entity=entity)
            )
        return [entity]
    return [name for name, cfg in ws.config.entities.items() if cfg.kind != "micro"]


# --------------------------------------------------------------------------- preconditions


def _needs_days(group: Any) -> bool:
    """A charge group whose key (or mix, or rest after fixed amounts) uses declared days."""
    key = group.key
    if isinstance(key, str):
        return key == "days" or (key == "fixed" and group.rest_key == "days")
    return "days" in key


def _missing_usage(ws: Workspace, month: str, entities: Sequence[str]) -> list[LedgerProblem]:
    """Active members of a place without declared days, when one of its keys needs them."""
    from alusage_ledger.domains.places.place import all_places
    from alusage_ledger.domains.places.usage import usage_of

    problems = []
    for place in all_places(ws.config):
        if not any(_needs_days(group) for group in place.config.charges):
            continue
        concerned = place.host in entities or any(m.entity in entities for m in place.members)
        if not concerned:
            continue
        declared = usage_of(ws.load_checked(place.host), place.id)
        for member in place.active_members(month):
            if (member.id, month) not in declared:
                problems.append(
                    LedgerProblem(
                        place.host,
                        None,
                        None,
                        _(
                            "{member} has no usage declaration for {month} at {place}, whose "
                            "charges are shared by days of use; record it with 'alusage-ledger "
                            "usage set {place} {member} --month {month} --days N'."
                        ).format(member=member.id, month=month, place=place.id),
                    )
                )
    return problems


def check_preconditions(ws: Workspace, month: str, entities: Sequence[str], today: date) -> None:
    """Raise, naming every failure, unless month ``month`` can be closed for ``entities``."""
    from alusage_ledger.books.checks import problem_at

    first, last = month_bounds(month)
    if today <= last:
        raise UsageError(
            _("{month} is not over yet (today is {today}); it can be closed from {day}.").format(
                month=month, today=today.isoformat(), day=(last + timedelta(days=1))
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
        if month != start and prev_month(month) not in records:
            problems.append(
                LedgerProblem(
                    entity,
                    None,
                    None,
                    _(
                        "{previous} is not closed for {entity}; close it first "
                        "('alusage-ledger close {previous}')."
                    ).format(previous=prev_month(month), entity=entity),
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
    problems.extend(_missing_usage(ws, month, entities))
    if problems:
        raise LedgerErrors(
            _(
                "{month} cannot be closed: {count} precondition(s) not met; nothing was written."
            ).format(month=month, count=len(problems)),
            problems,
        )


# --------------------------------------------------------------------------- the lock


def _leaf(account: str, accounts: set[str]) -> bool:
    prefix = account + ":"
    return not any(other.startswith(prefix) for other in accounts)


def build_lock(
    ledger: LoadedLedger,
    config: EntityConfig,
    month: str,
    closed_on: date,
    previous: str | None,
) -> tuple[list[Any], str]:
    """The entries of month ``month``'s close file, and its digest (pure)."""
    from beancount.core import data
    from beancount.core.amount import Amount
    from beancount.parser.grammar import ValueType

    first, last = month_bounds(month)
    first_next = last + timedelta(days=1)
    roots = ledger.roots()[:3]
    opened: set[str] = set()
    closed: set[str] = set()
    balances: dict[tuple[str, str], Decimal] = {}
    moved: set[tuple[str, str]] = set()
    asserted: set[tuple[str, str]] = set()
    for entry in ledger.entries:
        kind = type(entry).__name__
        if kind == "Open" and entry.date <= last:
            opened.add(entry.account)
        elif kind == "Close" and entry.date <= first_next:
            closed.add(entry.account)
        elif kind == "Balance" and entry.date == first_next:
            asserted.add((entry.account, entry.amount.currency))
        elif kind == "Transaction" and entry.date <= last:
            for posting in entry.postings:
                key = (posting.account, posting.units.currency)
                balances[key] = balances.get(key, Decimal(0)) + posting.units.number
                if entry.date >= first:
                    moved.add(key)

    assertions: list[Any] = []
    # The last month of an exercice stays open to inventory entries dated its last day
    # until the exercice is closed: its exact assertions would refuse them (see docs).
    if exercice_end_in(config, month) is None:
        candidates = {key for key, value in balances.items() if value != 0} | moved
        for account, currency in sorted(candidates):
            if (
                account.split(":")[0] not in roots
                or account not in opened
                or account in closed
                or not _leaf(account, opened)
                or (account, currency) in asserted
            ):
                continue
            number = balances.get((account, currency), Decimal(0))
            if currency == "EUR":
                number = number.quantize(Decimal("0.01"))
            tolerance = Decimal("0.00") if currency == "EUR" else Decimal("0")
            assertions.append(
                data.Balance(
                    data.new_metadata("<alusage>", 0),
                    first_next,
                    account,
                    Amount(number, currency),
                    tolerance,
                    None,
                )
            )

    covered = locked_entries(
        ledger.parsed_entries(),
        month,
        first=previous is None,
        inventory_day=exercice_end_in(config, month),
    )
    digest = month_digest(previous, covered)
    meta = data.new_metadata("<alusage>", 0)
    meta[CLOSED_ON_KEY] = closed_on
    close = data.Custom(
        meta,
        first_next,
        "alusage-close",
        [ValueType(month, str), ValueType(digest, str)],
    )
    meta[LOCK_HASH_KEY] = lock_hash([*assertions, close])
    return [*assertions, close], digest


# --------------------------------------------------------------------------- snapshots


def _ignored(path: Path) -> bool:
    return path.name in _IGNORED_NAMES or path.name.endswith(_IGNORED_SUFFIXES)


class Snapshot:
    """Every file under some folders, to restore them all if a multi-step job fails."""

    def __init__(self, folders: Iterable[Path]) -> None:
        self.folders = sorted({Path(os.path.realpath(f)) for f in folders})
        self.files: dict[Path, bytes] = {}
        self.dirs: set[Path] = set()
        # Folders that do not exist yet (e.g. reports/ and reports/<M>/): removed again,
        # if empty, by restore().
        self.absent = sorted(
            {p for f in self.folders for p in (f, *f.parents) if not p.exists()},
            key=lambda p: len(p.parts),
            reverse=True,
        )
        for path in self._walk():
            if path.is_dir():
                self.dirs.add(path)
            else:
                self.files[path] = path.read_bytes()

    def _walk(self) -> Iterator[Path]:
        for folder in self.folders:
            if not folder.exists():
                continue
            yield folder
            for path in sorted(folder.rglob("*")):
                if ".git" in path.parts or _ignored(path):
                    continue
                yield path

    def changed(self) -> list[Path]:
        """Files created, modified or deleted since the snapshot."""
        now = {p for p in self._walk() if p.is_file()}
        out = {p for p in now if p not in self.files or p.read_bytes() != self.files[p]}
        out |= set(self.files) - now
        return sorted(out)

    def restore(self) -> None:
        from alusage_ledger.books.ledger import atomic_write

        now = list(self._walk())
        for path in now:
            if path.is_file() and path not in self.files:
                with contextlib.suppress(OSError):
                    path.unlink()
        for path, old in self.files.items():
            if not path.exists() or path.read_bytes() != old:
                atomic_write(path, old)
        for path in sorted((p for p in now if p.is_dir()), reverse=True):
            if path not in self.dirs:
                with contextlib.suppress(OSError):
                    path.rmdir()
        for path in self.absent:
            with contextlib.suppress(OSError):
                path.rmdir()


def _ledger_folders(ws: Workspace) -> list[Path]:
    return [(ws.root / cfg.ledger).parent for cfg in ws.config.entities.values()]


# --------------------------------------------------------------------------- git


def _git(top: Path, *args: str, check: bool = True) -> str:
    from alusage_ledger.books import answers

    answers.taint("git was called")
    try:
        done = subprocess.run(
            ["git", "-C", str(top), *args], capture_output=True, timeout=60, check=False
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise IOFailure(_("Cannot run git: {reason}.").format(reason=exc)) from exc
    if check and done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise IOFailure(
            _("git {command} failed: {detail}.").format(
                command=args[0], detail=detail[-1] if detail else done.returncode
            )
        )
    return done.stdout.decode("utf-8", "replace") if done.returncode == 0 else ""


def git_guard(root: Path) -> Path:
    """The repository's top folder, if committing is possible and nothing else is pending."""
    top = _git(root, "rev-parse", "--show-toplevel", check=False).strip()
    if not top:
        raise RefusedError(
            _("--commit needs a git repository; {folder} is not in one (run 'git init').").format(
                folder=root
            )
        )
    top_path = Path(top)
    for key in ("user.name", "user.email"):
        if not _git(top_path, "config", key, check=False).strip():
            raise RefusedError(
                _(
                    "git does not know who commits ({key} is not set); run 'git config "
                    "{key} ...' first."
                ).format(key=key)
            )
    status = _git(top_path, "status", "--porcelain", "--untracked-files=all")
    pending = []
    for line in status.splitlines():
        name = line[3:].strip().strip('"')
        if name and not _ignored(Path(name)):
            pending.append(name)
    if pending:
        shown = ", ".join(pending[:5]) + (" …" if len(pending) > 5 else "")
        raise RefusedError(
            _(
                "--commit refused: the repository has uncommitted changes unrelated to this "
                "close ({files}); commit or put them aside first."
            ).format(files=shown)
        )
    return top_path


def git_commit(top: Path, paths: Sequence[Path], message: str) -> str:
    rels = [os.path.relpath(p, top) for p in paths]
    _git(top, "add", "--all", "--", *rels)
    _git(top, "commit", "-q", "-m", message)
    return _git(top, "rev-parse", "HEAD").strip()


# --------------------------------------------------------------------------- steps


def run_steps(
    ws: Workspace, month: str, entities: Sequence[str], today: date | None = None
) -> list[tuple[str, list[str]]]:
    """Every registered month-end step, in order (each idempotent); a step that takes
    ``today`` gets the close's (``--today``, ``ALUSAGE_TODAY``)."""
    from alusage_ledger.books import monthend

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
    month: str,
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
    month = parse_month(month)
    day = resolve_today(today)
    targets = kept_entities(ws, entity)
    if dry_run:
        return _dry_run(ws, month, entity, day)

    result = CloseResult(month)
    with ws.lock():
        if precheck:
            _check_all(ws)
        pending = _pending(ws, month, entity, targets, result)
        if not pending:
            return result
        top = git_guard(ws.root) if commit else None
        check_preconditions(ws, month, pending, day)

        snapshot = Snapshot([*_ledger_folders(ws), ws.root / REPORTS_DIR / month])
        changed: list[Path] = []
        try:
            result.steps = run_steps(ws, month, pending, day)
            _write_locks(ws, month, pending, day, result)
            result.reports = write_reports(ws, month)
            if postcheck:
                _check_all(ws, after_close=True)
            changed = snapshot.changed()
            result.written = [_rel(p, ws.root) for p in changed]
            if top is not None:
                message = _("Close {month} ({entities})").format(
                    month=month, entities=", ".join(pending)
                )
                result.commit = git_commit(top, changed, message)
        except BaseException:
            snapshot.restore()
            ws.forget()
            if top is not None and changed:
                with contextlib.suppress(IOFailure):
                    _git(top, "reset", "-q", "--", *[str(p) for p in changed])
            raise
    return result


def _pending(
    ws: Workspace, month: str, entity: str | None, targets: Sequence[str], result: CloseResult
) -> list[str]:
    """The entities to close (each one's status goes to ``result``); none: already closed."""
    pending = []
    for name, config in ws.config.entities.items():
        if name not in targets:
            status = "not-kept" if config.kind == "micro" else "skipped"
        else:
            ledger = ws.load_checked(name)
            start = start_month(config, ledger.parsed_entries()) or month
            if month in _closed(ledger):
                status = "already-closed"
            elif entity is None and month < start:
                status = "not-started"
            else:
                status = "closed"
                pending.append(name)
        result.entities.append(EntityClose(name, status))
    if not pending:
        if not any(e.status == "already-closed" for e in result.entities):
            raise UsageError(
                _("{month} is before the books of every entity start.").format(month=month)
            )
        result.already_closed = True
        _describe_locks(ws, month, result)
    return pending


def _closed(ledger: LoadedLedger) -> set[str]:
    records, _dups = close_records(ledger.entries)
    return set(records)


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _check_all(ws: Workspace, *, after_close: bool = False) -> None:
    from alusage_ledger.books.checks import run_checks
    from alusage_ledger.domains.sales import invoices as sales

    errors = [p for p in run_checks(ws) if p.severity == "error"]
    # The rules' sales indexes are not needed again before the ledgers change (steps and
    # locks read the ledgers): let them go now rather than with the ledgers (memory).
    sales.forget_indexes()
    if errors:
        if after_close:
            message = _(
                "After closing, 'check' found {count} error(s); everything was restored."
            ).format(count=len(errors))
        else:
            message = _(
                "The ledgers have {count} error(s); run 'alusage-ledger check' and fix them "
                "before closing; nothing was written."
            ).format(count=len(errors))
        raise LedgerErrors(message, errors)


def _write_locks(
    ws: Workspace, month: str, entities: Sequence[str], day: date, result: CloseResult
) -> None:
    from alusage_ledger.books.ledger import Append

    appends = []
    for name in entities:
        ledger = ws.load_checked(name)
        config = ws.config.entity(name)
        records, _dups = close_records(ledger.entries)
        start = start_month(config, ledger.parsed_entries()) or month
        previous = None if month == start else records[prev_month(month)].digest
        entries, digest = build_lock(ledger, config, month, day, previous)
        appends.append(Append(name, tuple(entries), file=close_file_rel(month)))
        for item in result.entities:
            if item.entity == name:
                item.digest = digest
                item.assertions = len(entries) - 1
                item.file = _rel(ledger.folder() / close_file_rel(month), ws.root)
    ws.write(appends)


def _describe_locks(ws: Workspace, month: str, result: CloseResult) -> None:
    for item in result.entities:
        if item.status != "already-closed":
            continue
        ledger = ws.load_checked(item.entity)
        records, _dups = close_records(ledger.entries)
        record = records[month]
        item.digest = record.digest
        item.file = _rel(ledger.folder() / close_file_rel(month), ws.root)
        item.assertions = sum(
            1
            for e in ledger.entries
            if type(e).__name__ == "Balance" and e.date == record.entry.date
        )


def _dry_run(
    ws: Workspace, month: str, entity: str | None, day: date, *, exact: bool | None = None
) -> CloseResult:
    """What the close would do, computed in memory (:class:`PlannedWorkspace`).

    The same code as the real close runs, on the real workspace's ledgers: the checks, the
    preconditions, the steps, the writer (its validation, the text read back, W6's
    verification), the lock, the reports and the final check; only the files stay in
    memory. Nothing is written, not even the lock file (taken if it exists, as writers
    do; read-only commands do not create it either).

    ``exact``: None (the command) runs the fast pass, then the exact one if the fast one
    failed or could not vouch for its result; True or False runs only that pass (tests:
    the fast pass raises :class:`_Inexact` where it gives up).
    """
    from alusage_ledger.books.ledger import LOCK_NAME

    result = CloseResult(month, dry_run=True)
    targets = kept_entities(ws, entity)
    held = ws.lock() if (ws.root / LOCK_NAME).exists() else contextlib.nullcontext()
    with held:
        _check_all(ws)
        pending = _pending(ws, month, entity, targets, result)
        if not pending:
            return result
        check_preconditions(ws, month, pending, day)
        if exact is not None:
            _close_planned(ws, month, pending, day, result, exact=exact)
            return result
        statuses = [EntityClose(e.entity, e.status) for e in result.entities]
        try:
            _close_planned(ws, month, pending, day, result, exact=False)
        except (Exception, _Inexact):
            # The fast pass could not vouch for its result, or something failed: the
            # exact pass decides (it fails the same way, or succeeds).
            result.entities = statuses
            _close_planned(ws, month, pending, day, result, exact=True)
    return result


def _close_planned(
    ws: Workspace,
    month: str,
    pending: Sequence[str],
    day: date,
    result: CloseResult,
    *,
    exact: bool,
) -> None:
    """Steps, lock, reports and final check of the real close, on a planned workspace."""
    planned = PlannedWorkspace(ws, exact=exact)
    result.steps = run_steps(planned, month, pending, day)
    _write_locks(planned, month, pending, day, result)
    planned.settle()
    result.reports = write_reports(planned, month)
    _check_all(planned, after_close=True)
    folders = [*_ledger_folders(ws), ws.root / REPORTS_DIR / month]
    result.written, result.planned = [], {}
    for path, old, new in planned.changes(folders):
        rel = _rel(path, ws.root)
        result.written.append(rel)
        result.planned[rel] = (new[len(old) :] if new.startswith(old) else new).decode(
            "utf-8", "replace"
        )


class _Inexact(BaseException):
    """The fast dry run cannot vouch for an exact result; the exact pass runs instead.

    A BaseException, so that no step's ``except Exception`` can swallow it.
    """


class PlannedWorkspace(Workspace):
    """The workspace as a write (here, a close) would leave it, kept in memory.

    Its ledgers start as the real workspace's loads. The writer runs as usual, but the
    files it replaces are kept in ``overlay`` (real path → bytes) and a ledger read again
    is read from there; nothing is written, not even a lock file.

    ``exact``: a ledger written to is loaded again exactly as the real writer's
    verification loads it (every changed file parsed, then the whole ledger booked,
    transformed and validated). Otherwise (the fast pass), only the changed files are
    parsed; the entries of the others keep their booked form (a posting with its number
    and currency, without cost nor price, is booked the same whatever else the ledger
    holds) and validation waits for :meth:`settle`, which loads each ledger written to
    once, exactly, and compares. Whatever the fast pass cannot vouch for raises
    :class:`_Inexact`.
    """

    def __init__(self, real: Workspace, *, exact: bool) -> None:
        super().__init__(real.root, real.config)
        self.real = real
        self.exact = exact
        self.overlay: dict[Path, bytes] = {}
        self._booked: dict[str, dict[int, tuple[Any, Any]]] = {}
        self._new: dict[str, list[tuple[int, PlannedFile]]] = {}  # (write, file written)
        self._writes = 0
        self._parses: dict[Path, tuple[bytes, ParsedFile]] = {}
        self._header_options: dict[bytes, dict[str, Any]] = {}

    # ---- files

    def _file_exists(self, path: Path) -> bool:
        return path in self.overlay or path.exists()

    def _file_bytes(self, path: Path) -> bytes | None:
        found = self.overlay.get(path)
        return found if found is not None else super()._file_bytes(path)

    def _put_file(self, path: Path, data: bytes | None) -> None:
        if data is None:
            self.overlay.pop(path, None)
            return
        # Where atomic_write's mkdir would fail (a file in the way), fail the same way.
        folder = path.parent
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        if not folder.is_dir():
            import errno

            code = errno.EEXIST if folder == path.parent else errno.ENOTDIR
            raise OSError(
                code, os.strerror(code), str(folder if code == errno.EEXIST else path.parent)
            )
        self.overlay[path] = data

    def changes(self, folders: Iterable[Path]) -> list[tuple[Path, bytes, bytes]]:
        """(real path, bytes now, bytes planned) of each file that would change under
        ``folders``, sorted like :meth:`Snapshot.changed`."""
        roots = {Path(os.path.realpath(f)) for f in folders}
        out = []
        for path, data in self.overlay.items():
            real = Path(os.path.realpath(path))
            if _ignored(real) or not any(r == real or r in real.parents for r in roots):
                continue
            old = real.read_bytes() if real.is_file() else b""
            if data != old or not real.is_file():
                out.append((real, old, data))
        return sorted(out, key=lambda item: item[0])

    # ---- ledgers

    @contextlib.contextmanager
    def lock(self, timeout: float | None = None) -> Iterator[None]:
        yield  # nothing is written: no lock file is needed (nor created)

    def remove_close_file(self, entity: str, rel: str, then: Sequence[Any] = ()) -> None:
        raise NotImplementedError("close --dry-run plans no removal")  # no step removes

    def _changed_file(self, ledger: LoadedLedger) -> str | None:
        import hashlib

        for path, parsed in ledger.files.items():
            try:
                data = self._file_bytes(path)
            except OSError:
                return parsed.rel
            if data is None or hashlib.sha256(data).hexdigest() != parsed.digest:
                return parsed.rel
        return None

    def load(self, entity: str, *, fresh: bool = False) -> LoadedLedger:
        ledger = self._loaded.get(entity)
        if ledger is not None and not fresh:
            return ledger
        base = self.real.load(entity)
        if ledger is None and not any(path in self.overlay for path in base.files):
            ledger = base
        elif ledger is not None and not any(path in self.overlay for path in ledger.files):
            ledger = ledger if ledger.files.keys() == base.files.keys() else self._reload(entity)
        else:
            ledger = self._reload(entity)
        self._loaded[entity] = ledger
        return ledger

    def write(
        self,
        appends: Sequence[Any],
        *,
        allow_closed: bool = False,
        dry_run: bool = False,
        skip_present: str | None = None,
    ) -> list[Any]:
        from alusage_ledger.books.ledger import _Writer

        # Workspace.write, without the lock (nothing is written).
        writer = _Writer(self, appends, allow_closed=allow_closed, skip_present=skip_present)
        if not self.exact:
            # The fast pass reloads what was written; W6's verification (no error, the
            # entries read back as intended) waits for settle(), once for every write.
            writer._verify = self._reload_written  # type: ignore[method-assign]
        plans = writer.run(dry_run=dry_run)
        if not dry_run:
            self._writes += 1
            for plan in plans:
                self._new.setdefault(plan.entity, []).append((self._writes, plan))
        return plans

    def _reload_written(self, ledgers: dict[str, Any], plans: dict[Path, Any]) -> None:
        for entity in ledgers:
            self.load(entity, fresh=True)

    def _reload(self, entity: str) -> LoadedLedger:
        from alusage_ledger.books.ledger import load_ledger

        main = self.ledger_main(entity)
        if self.exact:
            return load_ledger(entity, main, self.root, self.config.allowed_plugins(), self.overlay)
        return self._fast_load(entity, main)

    def _booked_memo(self, entity: str) -> dict[int, tuple[Any, Any]]:
        """id(parsed entry) → (parsed entry, booked entry), from the real load."""
        from beancount.core import data

        memo = self._booked.get(entity)
        if memo is not None:
            return memo
        ledger = self.real.load(entity)
        parsed = sorted(ledger.parsed_entries(), key=data.entry_sortkey)
        if not ledger.ok or len(parsed) != len(ledger.entries):
            raise _Inexact
        memo = {}
        for before, after in zip(parsed, ledger.entries):
            if (
                type(before) is not type(after)
                or before.date != after.date
                or before.meta.get("lineno") != after.meta.get("lineno")
                or before.meta.get("filename") != after.meta.get("filename")
                or not _plain(before)
            ):
                raise _Inexact
            memo[id(before)] = (before, after)
        self._booked[entity] = memo
        return memo

    def _fast_load(self, entity: str, main: Path) -> LoadedLedger:
        from beancount import loader
        from beancount.core import data

        from alusage_ledger.books.beanpipe import book
        from alusage_ledger.books.ledger import LoadedLedger

        memo = self._booked_memo(entity)
        real = self.real.load(entity)
        before = self._loaded.get(entity) or real
        # The files, walked like vet_files does (breadth first from main.beancount).
        files: dict[Path, ParsedFile] = {}
        queue = [Path(os.path.realpath(main))]
        while queue:
            path = queue.pop(0)
            if path not in files:
                files[path] = self._planned_parse(path, before, real)
                queue.extend(Path(os.path.realpath(p)) for p in files[path].includes)
        top = files[Path(os.path.realpath(main))]
        problems = list(before.problems)  # warnings only (the ledger is clean)
        others = [f.options for f in files.values() if f is not top]
        options = loader.aggregate_options_map(dict(top.options), others)
        options["include"] = sorted(str(p) for p in files)
        if (
            options.get("plugin")
            or options.get("documents")
            or options.get("plugin_processing_mode", "default") != "default"
        ):
            raise _Inexact
        parsed = [e for f in files.values() for e in f.entries]
        parsed.sort(key=data.entry_sortkey)
        fresh = [e for e in parsed if memo.get(id(e), (None,))[0] is not e]
        if not all(_plain(e) for e in fresh):
            raise _Inexact
        booked = book(fresh, options)
        if booked is None:
            raise _Inexact
        memo.update((id(e), (e, b)) for e, b in zip(fresh, booked))
        entries = [memo[id(e)][1] for e in parsed]
        return LoadedLedger(entity, self.root, main, files, entries, problems, options)

    def _planned_parse(self, path: Path, before: LoadedLedger, real: LoadedLedger) -> ParsedFile:
        """The parse of a file as planned. A file the writer appended to is its last parse
        plus the parse of the appended text alone, numbered from the line where it starts
        and read after the ledger's header (the root names), when the file's own options
        are nothing but that header's: the text of a file after a complete entry is parsed
        the same whatever came before, but for the options and the pushed tags and
        metadata (unbalanced ones are errors, the ledger has none). Otherwise, the whole
        planned bytes are parsed."""
        import hashlib

        from beancount.core import data as bdata
        from beancount.parser import parser

        from alusage_ledger.books.ledger import ParsedFile, _header, parse_source

        data = self.overlay.get(path)
        known = before.files.get(path) or real.files.get(path)
        if data is None:
            if known is None:
                raise _Inexact  # a file no load read, and nothing planned: let vet_files say
            return known
        digest = hashlib.sha256(data).hexdigest()
        last = self._parses.get(path)
        if last is None and known is not None:
            now = path.read_bytes() if path.is_file() else b""
            if hashlib.sha256(now).hexdigest() != known.digest:
                raise _Inexact  # changed on the disk since it was read
            last = (now, known)
        if last is not None and last[1].digest == digest:
            return last[1]
        header = _header(before).encode("utf-8")
        if last is not None and data.startswith(last[0]) and self._header_only(last[1], header):
            old_bytes, old = last
            first = old_bytes.count(b"\n") + 1 - header.count(b"\n")
            if first < 1:
                raise _Inexact
            added, errors, more = parser.parse_string(
                header + data[len(old_bytes) :], report_filename=str(path), report_firstline=first
            )
            if errors:
                raise _Inexact
            # The display context is left as it was (nothing here prints with it).
            options = {**old.options, "include": [*old.options["include"], *more["include"]]}
            # Beancount's parser gives a file's entries sorted (date, kind, line).
            entries = sorted([*old.entries, *added], key=bdata.entry_sortkey)
            includes = [*old.includes, *self._includes(path, more["include"])]
        else:
            if path.with_name(f".{path.name}.picklecache").exists() or len(data) > (64 << 20):
                raise _Inexact  # vet_files would warn or refuse
            entries, errors, options = parse_source(data, str(path))
            # Options as vetted before (or a new file's: the header's), includes aside.
            if errors or not self._same_options(
                options, last[1].options if last is not None else self._header_parse(header)
            ):
                raise _Inexact
            includes = self._includes(path, options["include"])
        rel = known.rel if known is not None else _rel(path, self.root)
        parsed = ParsedFile(path, rel, digest, entries, [], options, includes)
        self._parses[path] = (data, parsed)
        return parsed

    def _header_only(self, parsed: ParsedFile, header: bytes) -> bool:
        """The file's options are those of the ledger's header alone (includes aside)."""
        return self._same_options(parsed.options, self._header_parse(header))

    def _header_parse(self, header: bytes) -> dict[str, Any]:
        from beancount.parser import parser

        if header not in self._header_options:
            self._header_options[header] = parser.parse_string(header)[2]
        return self._header_options[header]

    @staticmethod
    def _same_options(one: dict[str, Any], other: dict[str, Any]) -> bool:
        ignored = ("include", "dcontext", "filename")
        return {k: v for k, v in one.items() if k not in ignored} == {
            k: v for k, v in other.items() if k not in ignored
        }

    def _includes(self, path: Path, names: Sequence[str]) -> list[Path]:
        out = []
        for name in names:
            target = Path(os.path.realpath(path.parent / name))
            if (
                os.path.isabs(name)
                or any(ch in name for ch in "*?[")
                or self.root not in target.parents
                or target.suffix != ".beancount"
                or not (target in self.overlay or target.is_file())
            ):
                raise _Inexact  # vet_files would refuse it
            out.append(Path(os.path.normpath(path.parent / name)))
        return out

    def settle(self) -> None:
        """End of the fast pass: every ledger written to is loaded again exactly, and must
        pass W6's verification for all the writes at once (no error, the entries read back
        as intended) and equal what the fast pass computed. And no balance assertion
        already there may cover a posting of the steps: a write in between could have
        broken it (only the end was validated). Otherwise :class:`_Inexact`."""
        from beancount.core import data

        from alusage_ledger.books.ledger import PlannedFile, _Writer

        if self.exact:
            return
        fast = {entity: self.load(entity) for entity in self._new}
        merged: dict[Path, PlannedFile] = {}
        for plans in self._new.values():
            for _write, plan in plans:
                known = merged.get(plan.path)
                if known is None:
                    merged[plan.path] = PlannedFile(
                        plan.entity, plan.path, plan.rel, "", plan.created, list(plan.entries)
                    )
                else:
                    known.entries.extend(plan.entries)
        self.exact = True  # from now on, a ledger read again is loaded exactly
        try:
            before = {entity: self.real.load(entity) for entity in self._new}
            _Writer(self, (), allow_closed=False)._verify(before, merged)
        except LedgerErrors:
            raise _Inexact from None
        for entity, plans in self._new.items():
            exact = self.load(entity)
            if (
                exact.entries != fast[entity].entries
                or exact.problems != fast[entity].problems
                or list(exact.files) != list(fast[entity].files)
                or exact.parsed_entries() != fast[entity].parsed_entries()
            ):
                raise _Inexact
            # The same ledger; the fast one shares the real load's objects (less memory).
            self._loaded[entity] = fast[entity]
            # A balance assertion (already there: write 0) is checked after every later
            # write; only the ledger after the last one was validated. One of the postings
            # of a write in between, dated before it, on its account or a sub-account, in
            # its currency, could have broken it on the way (and a later one mended it).
            last = max(write for write, _plan in plans)
            balances = [(0, e) for e in self.real.load(entity).entries]
            balances += [(write, e) for write, plan in plans for e in plan.entries]
            postings = [
                (write, entry.date, posting.account, posting.units.currency)
                for write, plan in plans
                if write < last
                for entry in plan.entries
                if isinstance(entry, data.Transaction)
                for posting in entry.postings
            ]
            for since, entry in balances:
                if not isinstance(entry, data.Balance):
                    continue
                prefix = entry.account + ":"
                for write, day, account, currency in postings:
                    if (
                        write > since
                        and day < entry.date
                        and currency == entry.amount.currency
                        and (account == entry.account or account.startswith(prefix))
                    ):
                        raise _Inexact


def _plain(entry: Any) -> bool:
    """Neither a pad nor a document, and a transaction's postings have their number and
    currency, no cost, no price (booked the same whatever else the ledger holds)."""
    if not _PLAIN_TYPES:
        from beancount.core import data
        from beancount.core.amount import Amount

        _PLAIN_TYPES.extend((data.Transaction, (data.Pad, data.Document), Amount))
    transaction, odd, amount = _PLAIN_TYPES
    kind = type(entry)
    if kind is not transaction:
        return not isinstance(entry, (transaction, *odd))
    for posting in entry.postings:
        units = posting.units
        if (
            posting.cost is not None
            or posting.price is not None
            or type(units) is not amount
            or type(units.number) is not Decimal
            or type(units.currency) is not str
        ):
            return False
    return True


_PLAIN_TYPES: list[Any] = []


# --------------------------------------------------------------------------- reports


def report_files(ws: Workspace, month: str) -> dict[str, bytes]:
    """Every file of ``reports/<M>/`` (relative to it), from the ledgers only."""
    from alusage_ledger.outputs import reports

    files: dict[str, bytes] = {}
    summaries = []
    notes: list[str] = []
    for name, config in ws.config.entities.items():
        if config.kind == "micro":
            summaries.append(reports.EntitySummary(name, config.name, "not-kept"))
            continue
        ledger = ws.load_checked(name)
        records, _dups = close_records(ledger.entries)
        record = records.get(month)
        if record is None:
            summaries.append(reports.EntitySummary(name, config.name, "open"))
            continue
        start = exercice_bounds(config, month_bounds(month)[0])[0]
        income = reports.income_statement(
            ledger.entries, ledger.roots(), month, start, name, config.name
        )
        balance = reports.balance_sheet(ledger.entries, ledger.roots(), month, name, config.name)
        files[f"{name}/income-statement.md"] = reports.to_markdown(income).encode("utf-8")
        files[f"{name}/income-statement.csv"] = reports.to_csv(income).encode("utf-8")
        files[f"{name}/balance-sheet.md"] = reports.to_markdown(balance).encode("utf-8")
        files[f"{name}/balance-sheet.csv"] = reports.to_csv(balance).encode("utf-8")
        summaries.append(
            reports.EntitySummary(
                name,
                config.name,
                "closed",
                closed_on=record.closed_on,
                digest=record.digest,
                month_result=income.result[0],
                exercice_result=income.result[1],
                total_assets=balance.result[0],
            )
        )
    for produce in _EXTRA_REPORTS:
        extra, lines = produce(ws, month)
        files.update(extra)
        notes.extend(lines)
    files["README.md"] = reports.readme(month, summaries, sorted(files), notes).encode("utf-8")
    return files


def write_reports(ws: Workspace, month: str) -> list[str]:
    """Write ``reports/<M>/``; files already identical are left untouched."""
    folder = ws.root / REPORTS_DIR / month
    written = []
    for rel, content in sorted(report_files(ws, month).items()):
        path = folder / rel
        if ws._file_bytes(path) != content:
            ws._put_file(path, content)
        written.append(_rel(path, ws.root))
    return written


def _md_table(columns: Sequence[str], rows: Sequence[Sequence[str]], right: Iterable[int]) -> str:
    aligned = set(right)

    def cell(text: str) -> str:
        return str(text).replace("|", "\\|").replace("\n", " ")

    out = ["| " + " | ".join(cell(c) for c in columns) + " |"]
    out.append(
        "| " + " | ".join("---:" if i in aligned else "---" for i in range(len(columns))) + " |"
    )
    out.extend("| " + " | ".join(cell(c) for c in row) + " |" for row in rows)
    return "\n".join(out) + "\n"


def _csv(rows: Sequence[Sequence[str]]) -> bytes:
    import csv
    import io

    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _shares_reports(ws: Workspace, month: str) -> tuple[dict[str, bytes], list[str]]:
    """Each place's shares table and one statement per member (the Shares issue's code)."""
    from alusage_ledger.core.errors import AlusageError

    if not ws.config.places:
        return {}, [_("No place is configured: no shares table and no member statement.")]
    try:
        from alusage_ledger.domains.places.place import all_places
        from alusage_ledger.domains.places.shares import compute_shares, member_statement
        from alusage_ledger.outputs.render.shares import (
            allocation_json,
            allocation_tables,
            statement_markdown,
        )
    except ImportError:  # pragma: no cover - depends on what is installed
        return {}, [_("Shares tables and member statements are not available yet.")]
    files: dict[str, bytes] = {}
    notes: list[str] = []
    first, last = month_bounds(month)
    for place in all_places(ws.config):
        try:
            allocation = compute_shares(ws, place, month, today=last + timedelta(days=1))
        except AlusageError as exc:
            notes.append(
                _("Shares of {place}: not computed ({reason}).").format(
                    place=place.id, reason=exc.message
                )
            )
            continue
        title = _("Shares of {place} for {month}").format(place=place.name, month=month)
        parts = [f"# {title}\n"]
        for title, columns, rows, right in allocation_tables(place, allocation):
            parts.append(f"## {title}\n\n{_md_table(columns, rows, right)}")
        files[f"{place.id}/shares.md"] = ("\n".join(parts)).encode("utf-8")
        document = allocation_json(place, allocation)
        groups = [g["name"] for g in document["groups"]]
        rows = [["member", *groups, "total"]]
        for item in document["shares"]:
            member = item["member"]
            rows.append(
                [member, *(g["shares"][member] for g in document["groups"]), item["amount"]]
            )
        rows.append(["total", *(g["amount"] for g in document["groups"]), document["total"]])
        files[f"{place.id}/shares.csv"] = _csv(rows)
        active = {m.id for m in place.active_members(month)}
        for member in place.members:
            if member.entity == place.host:
                continue
            statement = member_statement(ws, place, member, start=first, end=last)
            if member.id not in active and not statement.lines and not statement.closing:
                continue
            files[f"{place.id}/statements/{member.id}.md"] = statement_markdown(statement).encode(
                "utf-8"
            )
    return files, notes


def _redistribution_reports(ws: Workspace, month: str) -> tuple[dict[str, bytes], list[str]]:
    """What each redistribution policy owed for the month (the Redistribution issue's code)."""
    from alusage_ledger.core.errors import AlusageError

    if not ws.config.redistribution:
        return {}, [_("No redistribution policy is configured: no redistribution table.")]
    try:
        from alusage_ledger.core.fmt import machine, money
        from alusage_ledger.domains.commons.redistribution import explain, redistribute
    except ImportError:  # pragma: no cover - depends on what is installed
        return {}, [_("The redistribution table is not available yet.")]
    try:
        result = redistribute(ws, month)
    except AlusageError as exc:
        return {}, [_("Redistribution: not computed ({reason}).").format(reason=exc.message)]
    columns = [_("Policy"), _("From → to"), _("Due"), _("Recorded"), _("Owed, unpaid")]
    rows = []
    csv_rows = [["policy", "from", "to", "kind", "due", "recorded", "owed", "computation"]]
    for due in result.dues:
        p = due.policy
        rows.append(
            [p.id, f"{p.from_} → {p.to}", money(due.due), money(due.recorded), money(due.owed)]
        )
        csv_rows.append(
            [
                p.id,
                p.from_,
                p.to,
                p.kind,
                machine(due.due),
                machine(due.recorded),
                machine(due.owed),
                explain(due, machine),
            ]
        )
    text = [
        f"# {_('Redistribution for {month}').format(month=month)}",
        "",
        _md_table(columns, rows, (2, 3, 4)),
    ]
    text.extend(f"- {due.policy.id}: {explain(due, money)}" for due in result.dues)
    text.append("")
    return {
        "redistribution.md": "\n".join(text).encode("utf-8"),
        "redistribution.csv": _csv(csv_rows),
    }, []


_EXTRA_REPORTS: list[Callable[[Workspace, str], tuple[dict[str, bytes], list[str]]]] = [
    _shares_reports,
    _redistribution_reports,
]


# --------------------------------------------------------------------------- reopen


def _exercice_closed(ledger: LoadedLedger, config: EntityConfig, month: str) -> bool:
    """``custom "alusage-close-exercice"`` for the exercice of ``month`` or a later one."""
    end_year = exercice_end(config, month_bounds(month)[0]).year
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
    month: str,
    reason: str,
    *,
    entity: str | None = None,
    today: date | str | None = None,
) -> ReopenResult:
    """Lift the lock of ``month`` (the last closed month) and record why."""
    from beancount.core import data
    from beancount.parser.grammar import ValueType

    from alusage_ledger.books.ledger import Append, check_text

    month = parse_month(month)
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
        snapshot = Snapshot(_ledger_folders(ws))
        try:
            for name in concerned:
                meta = data.new_metadata("<alusage>", 0)
                meta["reason"] = reason
                meta["reopened-on"] = day
                record = data.Custom(
                    meta, month_bounds(month)[1], REOPEN_TYPE, [ValueType(month, str)]
                )
                ws.remove_close_file(name, close_file_rel(month), then=[Append(name, (record,))])
                result.entities.append(name)
                result.removed.append(
                    _rel(ws.load_checked(name).folder() / close_file_rel(month), ws.root)
                )
        except BaseException:
            snapshot.restore()
            ws.forget()
            raise
    return result


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


def months_to_close(ws: Workspace, today: date) -> list[str]:
    """Every month from the earliest books start to the last month that is over."""
    starts = []
    for name in kept_entities(ws):
        ledger = ws.load_checked(name)
        start = start_month(ws.config.entity(name), ledger.parsed_entries())
        if start:
            starts.append(start)
    if not starts:
        return []
    last_over = month_of(today.replace(day=1) - timedelta(days=1))
    months = []
    current = min(starts)
    while current <= last_over:
        months.append(current)
        current = month_of(month_bounds(current)[1] + timedelta(days=1))
    return months
