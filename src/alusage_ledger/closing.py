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
is reported as such and nothing is touched. ``--dry-run`` runs the whole close on a
temporary copy of the workspace and shows what would be written.

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
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import IOFailure, LedgerErrors, LedgerProblem, RefusedError, UsageError
from .i18n import _
from .locks import (
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

if TYPE_CHECKING:
    from .config import EntityConfig
    from .ledger import LoadedLedger, Workspace

REPORTS_DIR = "reports"
_IGNORED_NAMES = (".alusage.lock",)
_IGNORED_SUFFIXES = (".alusage-tmp", ".picklecache")


# --------------------------------------------------------------------------- today


def resolve_today(value: str | date | None = None) -> date:
    """``--today``, then ``ALUSAGE_TODAY`` (reproducible runs and tests), else the clock."""
    if isinstance(value, date):
        return value
    text = value or os.environ.get("ALUSAGE_TODAY")
    if not text:
        return date.today()
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(
            _("{value!r} is not a date; write it as YYYY-MM-DD.").format(value=text)
        ) from None


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
    from .places import all_places
    from .usage import usage_of

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
    from .checks import problem_at

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
        from .ledger import atomic_write

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


def run_steps(ws: Workspace, month: str, entities: Sequence[str]) -> list[tuple[str, list[str]]]:
    """Every registered month-end step, in order (each idempotent)."""
    from . import monthend

    done = []
    for name, step in monthend.steps():
        kwargs: dict[str, Any] = {"dry_run": False}
        with contextlib.suppress(TypeError, ValueError):
            params = inspect.signature(step).parameters
            if "entities" in params:
                kwargs["entities"] = tuple(entities)
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
            return result
        top = git_guard(ws.root) if commit else None
        check_preconditions(ws, month, pending, day)

        snapshot = Snapshot([*_ledger_folders(ws), ws.root / REPORTS_DIR / month])
        changed: list[Path] = []
        try:
            result.steps = run_steps(ws, month, pending)
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


def _closed(ledger: LoadedLedger) -> set[str]:
    records, _dups = close_records(ledger.entries)
    return set(records)


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _check_all(ws: Workspace, *, after_close: bool = False) -> None:
    from .checks import run_checks

    errors = [p for p in run_checks(ws) if p.severity == "error"]
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
    from .ledger import Append

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


def _dry_run(ws: Workspace, month: str, entity: str | None, day: date) -> CloseResult:
    """The whole close on a temporary copy; the real workspace is only read."""
    from .ledger import Workspace as WorkspaceCls

    with ws.lock():
        ledgers = {name: ws.load_checked(name) for name in ws.config.entities}
        with tempfile.TemporaryDirectory(prefix="alusage-close-") as tmp:
            copy_root = Path(tmp) / "ws"
            sources: set[Path] = set()
            for ledger in ledgers.values():
                sources.update(ledger.files)
            config_file = ws.root / "alusage.toml"
            if config_file.exists():
                sources.add(config_file.resolve())
            reports = ws.root / REPORTS_DIR / month
            if reports.is_dir():
                sources.update(p.resolve() for p in reports.rglob("*") if p.is_file())
            for source in sorted(sources):
                target = copy_root / source.relative_to(ws.root)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)
            copy = WorkspaceCls(copy_root, ws.config)
            result = close_month(copy, month, entity=entity, today=day)
            result.dry_run = True
            for rel in result.written:
                new = (copy_root / rel).read_bytes() if (copy_root / rel).exists() else b""
                original = ws.root / rel
                old = original.read_bytes() if original.exists() else b""
                if new.startswith(old):
                    result.planned[rel] = new[len(old) :].decode("utf-8", "replace")
                else:
                    result.planned[rel] = new.decode("utf-8", "replace")
    return result


# --------------------------------------------------------------------------- reports


def report_files(ws: Workspace, month: str) -> dict[str, bytes]:
    """Every file of ``reports/<M>/`` (relative to it), from the ledgers only."""
    from . import reports

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
    from .ledger import atomic_write

    folder = ws.root / REPORTS_DIR / month
    written = []
    for rel, content in sorted(report_files(ws, month).items()):
        path = folder / rel
        if not path.exists() or path.read_bytes() != content:
            atomic_write(path, content)
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
    from .errors import AlusageError

    if not ws.config.places:
        return {}, [_("No place is configured: no shares table and no member statement.")]
    try:
        from .places import all_places
        from .render.shares import allocation_json, allocation_tables, statement_markdown
        from .shares import compute_shares, member_statement
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
    from .errors import AlusageError

    if not ws.config.redistribution:
        return {}, [_("No redistribution policy is configured: no redistribution table.")]
    try:
        from .redistribution import explain, redistribute
        from .render.fmt import machine, money
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

    from .ledger import Append, check_text

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
