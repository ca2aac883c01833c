"""The workspace: a folder with ``alusage.toml``, its ledgers, its lock and its writer.

Commands start here: :meth:`Workspace.open` reads the configuration,
:meth:`Workspace.load` reads an entity's ledger through the vetted loader
(:mod:`alusage_ledger.books.loader`, RELIABILITY L1-L5), :meth:`Workspace.write` appends
entries through the safe writer (:mod:`alusage_ledger.books.writer`, W1-W8) under the
workspace-wide lock (W4, W7). :meth:`Workspace.remove_close_file` is the one sanctioned
exception to append-only (``reopen``).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
import re
import shutil
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from alusage_ledger.books import journal
from alusage_ledger.books.canonical import canonical_form
from alusage_ledger.books.config import CONFIG_NAME, Config, load_config
from alusage_ledger.books.loader import LoadedLedger, load_ledger, relative
from alusage_ledger.books.writer import (
    TMP_SUFFIX,
    Append,
    PlannedFile,
    Writer,
    atomic_write,
    crash_point,
)
from alusage_ledger.core.errors import (
    IOFailure,
    LedgerErrors,
    LedgerProblem,
    RefusedError,
    UsageError,
)
from alusage_ledger.core.i18n import _

__all__ = ["LOCK_NAME", "Workspace"]

LOCK_NAME = ".alusage.lock"

_CLOSE_FILE_REL = re.compile(r"^\d{4}/(0[1-9]|1[0-2])\.close\.beancount$")


class Workspace:
    """A folder with ``alusage.toml``: its config, its ledgers, its lock and its writer."""

    def __init__(self, root: Path, config: Config) -> None:
        self.root = root.resolve()
        self.config = config
        self._loaded: dict[str, LoadedLedger] = {}
        self._lock_depth = 0
        self._lock_file: Any = None
        #: The jobs of interrupted commands this workspace finished (books/journal.py).
        self.finished: list[str] = []

    @classmethod
    def open(cls, root: Path) -> Workspace:
        return cls(root, load_config(root / CONFIG_NAME))

    # ---- ledgers

    def ledger_main(self, entity: str) -> Path:
        return self.root / self.config.entity(entity).ledger

    def load(self, entity: str, *, fresh: bool = False) -> LoadedLedger:
        """Load (once per process, unless ``fresh`` or a write happened) an entity's ledger."""
        if not fresh and entity in self._loaded and self._unchanged(self._loaded[entity]):
            return self._loaded[entity]
        main = self.ledger_main(entity)
        if not main.exists():
            raise LedgerErrors(
                _("The ledger of {entity} is missing: {path} does not exist.").format(
                    entity=entity, path=relative(main, self.root)
                ),
                [
                    LedgerProblem(
                        entity,
                        relative(main, self.root),
                        None,
                        _(
                            "this file does not exist; create it or fix the 'ledger' of "
                            "[entities.{entity}] in alusage.toml."
                        ).format(entity=entity),
                    )
                ],
            )
        ledger = load_ledger(entity, main, self.root, self.config.allowed_plugins())
        self._loaded[entity] = ledger
        return ledger

    def load_checked(self, entity: str) -> LoadedLedger:
        """Load a ledger that must have no error (every write and most reports start here)."""
        ledger = self.load(entity)
        if not ledger.ok:
            raise LedgerErrors(
                _(
                    "The ledger of {entity} has {count} error(s); run 'alusage-ledger check' "
                    "and fix them first."
                ).format(entity=entity, count=len(ledger.errors)),
                ledger.errors,
            )
        return ledger

    def last_read(self, entity: str) -> LoadedLedger | None:
        """The ledger of ``entity`` as last read through this workspace, if it was."""
        return self._loaded.get(entity)

    def remember(self, entity: str, ledger: LoadedLedger) -> None:
        """Take ``ledger`` as the last read of ``entity`` (``close --dry-run``'s overlay)."""
        self._loaded[entity] = ledger

    def _unchanged(self, ledger: LoadedLedger) -> bool:
        return self.changed_file(ledger) is None

    def changed_file(self, ledger: LoadedLedger) -> str | None:
        """The first file of ``ledger`` whose bytes changed since it was read, or None."""
        for path, parsed in ledger.files.items():
            try:
                if hashlib.sha256(path.read_bytes()).hexdigest() != parsed.digest:
                    return parsed.rel
            except OSError:
                return parsed.rel
        return None

    # ---- files (what the writer reads and replaces; ``close --dry-run`` keeps them in memory)

    def file_exists(self, path: Path) -> bool:
        return path.exists()

    def file_bytes(self, path: Path) -> bytes | None:
        """A file's bytes, or None if it does not exist."""
        return path.read_bytes() if path.exists() else None

    def put_file(self, path: Path, data: bytes | None) -> None:
        """Replace a file atomically (W5), or remove it (``None``)."""
        if data is None:
            journal.remove_file(path)
        else:
            atomic_write(path, data)

    def forget(self, entity: str | None = None) -> None:
        if entity is None:
            self._loaded.clear()
        else:
            self._loaded.pop(entity, None)

    # ---- lock

    @contextlib.contextmanager
    def lock(self, timeout: float | None = None) -> Iterator[None]:
        """The workspace-wide lock (a separate lock file, W4/W7), re-entrant in a process."""
        if self._lock_depth:
            self._lock_depth += 1
            try:
                yield
            finally:
                self._lock_depth -= 1
            return
        if timeout is None:
            text = os.environ.get("ALUSAGE_LOCK_TIMEOUT", "10")
            try:
                timeout = float(text)
            except ValueError:
                timeout = -1.0
            if not 0 <= timeout < float("inf"):
                raise UsageError(
                    _(
                        "ALUSAGE_LOCK_TIMEOUT={value!r} is not a number of seconds; write e.g. 10."
                    ).format(value=text)
                )
        path = self.root / LOCK_NAME
        try:
            handle = open(path, "a+b")  # noqa: SIM115 - held for the whole block
        except OSError as exc:
            raise IOFailure(
                _("Cannot open the lock file {path}: {reason}.").format(
                    path=path, reason=exc.strerror
                )
            ) from exc
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    handle.close()
                    raise
                if time.monotonic() >= deadline:
                    handle.close()
                    raise RefusedError(
                        _(
                            "Another alusage-ledger command is writing to this workspace "
                            "(lock {path} held for {seconds:.0f} s); try again when it is done."
                        ).format(path=LOCK_NAME, seconds=timeout)
                    ) from None
                time.sleep(0.02)
        self._lock_file = handle
        self._lock_depth = 1
        try:
            self._finish_journal()
            self._clean_stale_temp_files()
            yield
        finally:
            self._lock_depth = 0
            self._lock_file = None
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
            handle.close()

    def pending_job(self) -> str | None:
        """The job an interrupted command left unfinished (its journal), if any."""
        return journal.pending_job(self.root)

    def finish_interrupted(self) -> list[str]:
        """Finish the job an interrupted command left (taking the lock, which does it)."""
        if journal.pending_job(self.root) is None:
            return []
        with self.lock():
            return list(self.finished)

    def _finish_journal(self) -> None:
        # Holding the lock, a journal left is from a job that died (books/journal.py).
        job = journal.recover(self.root)
        if job is not None:
            self.finished.append(job)
            self.forget()

    def _clean_stale_temp_files(self) -> None:
        # Holding the lock, any temp file or folder left anywhere in the workspace is from
        # a writer that died (W5, the journal's folders).
        for dirpath, dirnames, filenames in os.walk(self.root):
            # Hidden folders (.git, a .venv...) hold no ledger nor report: not walked,
            # but for the writers' own temporary folders, removed below.
            dirnames[:] = [d for d in dirnames if not d.startswith(".") or d.endswith(TMP_SUFFIX)]
            for name in [*dirnames, *filenames]:
                if not name.endswith(TMP_SUFFIX):
                    continue
                path = Path(dirpath) / name
                with contextlib.suppress(OSError):
                    if path.is_dir() and not path.is_symlink():
                        shutil.rmtree(path)
                    else:
                        path.unlink()
            dirnames[:] = [d for d in dirnames if not d.endswith(TMP_SUFFIX)]

    # ---- writing

    def write(
        self,
        appends: Sequence[Append],
        *,
        allow_closed: bool = False,
        dry_run: bool = False,
        skip_present: str | None = None,
    ) -> list[PlannedFile]:
        """Append entries to ledgers, safely (see the module docstring).

        The ledgers are those last read through this workspace (``load``/``load_checked``):
        if a file changed since, the write is refused (:class:`RefusedError`), because the
        entries were computed from a stale read; hold :meth:`lock` across the read, the
        computation and the write. Code that changes a ledger file by other means calls
        :meth:`forget` afterwards.

        An ``Open`` of an account already open (or opened earlier in the batch) is skipped.
        ``skip_present`` names a metadata key (e.g. ``"gen-id"``): entries whose value for it
        is already in the target ledger are skipped, so running an operation again after a
        crash completes it without duplicating anything.
        """
        with self.lock():
            writer = Writer(self, appends, allow_closed=allow_closed, skip_present=skip_present)
            return writer.run(dry_run=dry_run)

    def remove_close_file(self, entity: str, rel: str, then: Sequence[Append] = ()) -> None:
        """Delete a month's generated close file and its ``include``, then append ``then``.

        The one sanctioned exception to append-only (``reopen``, reviewed through git):
        only a file named ``<YYYY>/<MM>.close.beancount``, included exactly once from
        ``main.beancount``. Under the lock: snapshot, remove the include line, delete the
        file, reload (no error, exactly the old entries minus the file's), append ``then``;
        on any failure both files get their previous bytes back.
        """
        if not _CLOSE_FILE_REL.fullmatch(rel):
            raise UsageError(_("Only a generated close file can be removed."))
        with self.lock():
            before = self.load_checked(entity)
            main = Path(os.path.realpath(before.main))
            path = Path(os.path.normpath(main.parent / rel))
            parsed = before.files.get(path)
            raw_main = main.read_bytes()
            lines = raw_main.split(b"\n")
            include = f'include "{rel}"'.encode()
            kept = [line for line in lines if line.strip() != include]
            if parsed is None or len(lines) - len(kept) != 1:
                raise RefusedError(
                    _(
                        "{file} is not included exactly once from {main}; fix that by hand "
                        "before reopening."
                    ).format(file=relative(path, self.root), main=relative(main, self.root))
                )
            raw_file = path.read_bytes()
            expected = Counter(canonical_form(e) for e in before.parsed_entries())
            expected.subtract(canonical_form(e) for e in parsed.entries)
            try:
                atomic_write(main, b"\n".join(kept))  # the include first: never a dangling one
                crash_point("after-uninclude")
                journal.remove_file(path)
                self.forget(entity)
                after = self.load(entity, fresh=True)
                got = Counter(canonical_form(e) for e in after.parsed_entries())
                if not after.ok or +got != +expected:
                    raise LedgerErrors(
                        _(
                            "The ledger of {entity} did not read back as expected after "
                            "removing {file}; nothing was changed."
                        ).format(entity=entity, file=relative(path, self.root)),
                        after.errors,
                    )
                if then:
                    Writer(self, then, allow_closed=False).run(dry_run=False)
            except BaseException:
                atomic_write(main, raw_main)
                atomic_write(path, raw_file)
                self.forget(entity)
                raise
