"""The safe writer: append only, atomic, verified (RELIABILITY W1-W8).

Append only, under the workspace-wide lock (:meth:`alusage_ledger.books.ledger.Workspace.lock`);
every file is written to a temporary file, fsynced and moved into place with
``os.replace`` (:func:`atomic_write`); the text is re-parsed and compared field by field
with the intended entries before anything is written (:mod:`alusage_ledger.books.validate`),
the ledger is reloaded afterwards and must have no error and exactly the expected
entries, otherwise the previous bytes of every touched file are restored. A new month
file is created with its header only, then included from ``main.beancount``, then
appended to: a crash at any point leaves a loadable ledger, and running the
(idempotent) command again completes the work.

The writer reads and replaces files through its workspace (:class:`WriterWorkspace`):
``close --dry-run`` keeps them in memory.
"""

from __future__ import annotations

import contextlib
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from beancount.core import data

from alusage_ledger.books.canonical import canonical_form
from alusage_ledger.books.exercice import inventory_window_open
from alusage_ledger.books.journal import TMP_SUFFIX, atomic_write, fsync_dir
from alusage_ledger.books.loader import DEFAULT_ROOTS, ROOT_OPTIONS, LoadedLedger, relative
from alusage_ledger.books.parsing import ledger_entries_in
from alusage_ledger.books.sanity import refuse_over_ceiling
from alusage_ledger.books.validate import format_entries, roundtrip_check, validate_entry
from alusage_ledger.core.errors import LedgerErrors, RefusedError, UsageError
from alusage_ledger.core.i18n import _
from alusage_ledger.core.periods import Month

if TYPE_CHECKING:
    from alusage_ledger.books.config import Config

__all__ = ["TMP_SUFFIX", "Append", "PlannedFile", "Writer", "atomic_write", "fsync_dir"]


class WriterWorkspace(Protocol):
    """What the writer needs of its workspace: the ledgers as last read, and the files."""

    config: Config

    def last_read(self, entity: str) -> LoadedLedger | None: ...

    def changed_file(self, ledger: LoadedLedger) -> str | None: ...

    def forget(self, entity: str | None = None) -> None: ...

    def load(self, entity: str, *, fresh: bool = False) -> LoadedLedger: ...

    def load_checked(self, entity: str) -> LoadedLedger: ...

    def file_exists(self, path: Path) -> bool: ...

    def file_bytes(self, path: Path) -> bytes | None: ...

    def put_file(self, path: Path, data: bytes | None) -> None: ...


@dataclass(frozen=True)
class Append:
    """Entries to append to an entity's ledger.

    ``file`` is relative to the folder of the entity's ``main.beancount``; by default each
    entry goes to ``<YYYY>/<MM>.beancount`` of its date.
    """

    entity: str
    entries: tuple[Any, ...]
    file: str | None = None


@dataclass
class PlannedFile:
    entity: str
    path: Path
    rel: str
    text: str  # the text appended
    created: bool
    entries: list[Any]


def month_file(day: date) -> str:
    month = Month.of(day)
    return f"{month.year:04d}/{month.number:02d}.beancount"


def closed_months(entries: Iterable[Any]) -> set[Month]:
    """Months locked by a ``custom "alusage-close"`` directive (the closing issue); a
    directive whose month is malformed locks nothing (``check`` reports it)."""
    months = set()
    for entry in entries:
        if isinstance(entry, data.Custom) and entry.type == "alusage-close" and entry.values:
            try:
                months.add(Month.from_text(str(entry.values[0].value)))
            except ValueError:
                continue
    return months


def file_header(ledger: LoadedLedger) -> str:
    """The first lines of a new ledger file: the root-name options that differ from Beancount's."""
    lines = [
        f'option "{name}" "{value}"'
        for name, value, default in zip(ROOT_OPTIONS, ledger.roots(), DEFAULT_ROOTS)
        if value != default
    ]
    return "\n".join(lines) + "\n" if lines else ""


def crash_point(name: str) -> None:
    """Test hook: a real process dies here (``ALUSAGE_TEST_CRASH=<name>``)."""
    if os.environ.get("ALUSAGE_TEST_CRASH") == name:
        os._exit(137)


def appended(old: bytes, text: str, *, blank_line: bool = True) -> bytes:
    """W3: old bytes stay an exact prefix; a final newline (and a blank line) first."""
    out = old
    if out and not out.endswith(b"\n"):
        out += b"\n"
    if blank_line and out.strip():
        out += b"\n"
    return out + text.encode("utf-8") + (b"" if text.endswith("\n") else b"\n")


class Writer:
    """One write: plan the files, check the text, append, verify, or restore (W1-W8)."""

    def __init__(
        self,
        ws: WriterWorkspace,
        appends: Sequence[Append],
        *,
        allow_closed: bool,
        skip_present: str | None = None,
    ) -> None:
        self.ws = ws
        self.appends = [a for a in appends if a.entries]
        self.allow_closed = allow_closed
        self.skip_present = skip_present

    def _present(self, ledger: LoadedLedger) -> set[Any]:
        if not self.skip_present:
            return set()
        key = self.skip_present
        return {(e.meta or {})[key] for e in ledger.parsed_entries() if key in (e.meta or {})}

    def _inventory_window(self, entity: str, ledger: LoadedLedger, entry: Any) -> bool:
        """An ``#inventaire`` entry dated the exercice's last day is still accepted once that
        month is closed, until the exercice is closed (the Year issue, docs/year.md)."""
        return inventory_window_open(self.ws.config.entity(entity), ledger.entries, entry)

    def _ledger(self, entity: str) -> LoadedLedger:
        """The ledger as the caller last read it in this workspace, if it did (W6, fava's
        guarded writer): entries computed from a read that is now stale are refused."""
        cached = self.ws.last_read(entity)
        if cached is not None:
            changed = self.ws.changed_file(cached)
            if changed is not None:
                self.ws.forget(entity)
                raise RefusedError(
                    _(
                        "{file} changed since it was read; nothing was written, run the "
                        "command again."
                    ).format(file=changed)
                )
        return self.ws.load_checked(entity)

    def run(self, *, dry_run: bool) -> list[PlannedFile]:
        plans: dict[Path, PlannedFile] = {}
        ledgers: dict[str, LoadedLedger] = {}
        opening: dict[str, set[str]] = {}
        for item in self.appends:
            ledger = ledgers.get(item.entity) or self._ledger(item.entity)
            ledgers[item.entity] = ledger
            opened = ledger.open_accounts()
            batch_opens = {
                e.account
                for a in self.appends
                if a.entity == item.entity
                for e in a.entries
                if isinstance(e, data.Open)
            }
            present = self._present(ledger)
            closed = set() if self.allow_closed else closed_months(ledger.entries)
            for entry in item.entries:
                if isinstance(entry, data.Open):
                    # Opening on first use is idempotent: an account already open (or
                    # opened earlier in this batch) is not opened twice.
                    seen = opening.setdefault(item.entity, set())
                    if entry.account in opened or entry.account in seen:
                        continue
                    seen.add(entry.account)
                if self.skip_present and (entry.meta or {}).get(self.skip_present) in present:
                    continue
                refuse_over_ceiling(
                    (entry,), self.ws.config.entity(item.entity).max_amount, item.entity
                )
                validate_entry(entry, opened | batch_opens, ledger.roots())
                month = Month.of(entry.date)
                if month in closed and not self._inventory_window(item.entity, ledger, entry):
                    raise RefusedError(
                        _(
                            "{month} is closed for {entity}: date this entry in an open month "
                            "(a bill or a capital payment received late keeps its own date "
                            "{day} with --piece-date); correct an entry of {month} with a "
                            "reversal and a new entry in an open month; or reopen {month} "
                            "('alusage-ledger reopen {month} --reason ...')."
                        ).format(month=month, entity=item.entity, day=entry.date.isoformat())
                    )
                rel = item.file or month_file(entry.date)
                path = Path(os.path.normpath(ledger.folder() / rel))
                if ledger.root not in path.parents or path.suffix != ".beancount":
                    raise UsageError(
                        _("A ledger file must be a .beancount file inside the workspace.")
                    )
                plan = plans.get(path)
                if plan is None:
                    plan = PlannedFile(
                        item.entity,
                        path,
                        relative(path, ledger.root),
                        "",
                        not self.ws.file_exists(path),
                        [],
                    )
                    plans[path] = plan
                plan.entries.append(entry)

        for plan in plans.values():
            ledger = ledgers[plan.entity]
            plan.text = format_entries(plan.entries)
            roundtrip_check(plan.text, file_header(ledger), plan.entries)
        if dry_run or not plans:
            return list(plans.values())

        # Nothing was changed by hand since the ledgers were read (fava's guarded writer).
        for entity, ledger in ledgers.items():
            changed = self.ws.changed_file(ledger)
            if changed is not None:
                self.ws.forget(entity)
                raise RefusedError(
                    _(
                        "{file} changed since it was read; nothing was written, run the "
                        "command again."
                    ).format(file=changed)
                )

        snapshots: dict[Path, bytes | None] = {}

        def snapshot(path: Path) -> None:
            if path not in snapshots:
                snapshots[path] = self.ws.file_bytes(path)

        try:
            for plan in plans.values():
                ledger = ledgers[plan.entity]
                real_main = Path(os.path.realpath(ledger.main))
                included = plan.path in ledger.files
                if plan.created:
                    snapshot(plan.path)
                    self.ws.put_file(plan.path, file_header(ledger).encode("utf-8"))
                    crash_point("after-new-file")
                elif not included:
                    orphan = ledger_entries_in(plan.path, self.ws.file_bytes(plan.path))
                    if orphan:
                        raise RefusedError(
                            _(
                                "{file} exists but is not included from {main}; include it "
                                "or move its entries before writing to it."
                            ).format(file=plan.rel, main=relative(real_main, ledger.root))
                        )
                if not included:
                    snapshot(real_main)
                    include_rel = os.path.relpath(plan.path, real_main.parent)
                    line = f'include "{Path(include_rel).as_posix()}"\n'
                    old_main = self.ws.file_bytes(real_main) or b""
                    self.ws.put_file(real_main, appended(old_main, line, blank_line=False))
                    crash_point("after-include")
                snapshot(plan.path)
                old = self.ws.file_bytes(plan.path) or b""
                self.ws.put_file(plan.path, appended(old, plan.text))
                crash_point("after-append")
            self.verify(ledgers, plans)
        except BaseException:
            for path, before in snapshots.items():
                with contextlib.suppress(OSError):
                    self.ws.put_file(path, before)
            for entity in ledgers:
                self.ws.forget(entity)
            raise
        return list(plans.values())

    def verify(self, ledgers: dict[str, LoadedLedger], plans: dict[Path, PlannedFile]) -> None:
        """W6: the reloaded ledger has no error and exactly the old entries plus the new."""
        for entity, before in ledgers.items():
            after = self.ws.load(entity, fresh=True)
            if not after.ok:
                raise LedgerErrors(
                    _(
                        "Writing would have introduced an error in the ledger of {entity}; "
                        "nothing was changed."
                    ).format(entity=entity),
                    after.errors,
                )
            # Files read back with the same path and bytes parse to the same entries:
            # comparing the other files' entries is comparing the whole ledgers (issue 13).
            same = {(p, f.digest) for p, f in before.files.items()} & {
                (p, f.digest) for p, f in after.files.items()
            }
            expected = Counter(
                canonical_form(e)
                for p, f in before.files.items()
                if (p, f.digest) not in same
                for e in f.entries
            )
            for plan in plans.values():
                if plan.entity == entity:
                    expected.update(canonical_form(e) for e in plan.entries)
            got = Counter(
                canonical_form(e)
                for p, f in after.files.items()
                if (p, f.digest) not in same
                for e in f.entries
            )
            if got != expected:
                raise LedgerErrors(
                    _(
                        "The ledger of {entity} did not read back as expected after writing; "
                        "nothing was changed."
                    ).format(entity=entity)
                )
