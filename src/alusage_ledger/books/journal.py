"""The journal of a multi-file write (``close``): its plan on disk before the first write,
so that a process killed half-way leaves work the next run finishes (issue 22).

A job that changes several files at once (the ledgers of several entities, their close
files, ``reports/<M>/``) computes every file's bytes first (``close`` plans in memory, as
``close --dry-run`` does), then:

1. writes the journal ``.alusage-journal.json`` at the workspace root (atomically): the
   job's name, the command that finishes it, and for each file its path relative to the
   root, the SHA-256 and size of its bytes before and after, and what it needs to go from
   one to the other (the text appended, or the whole new bytes; and the old bytes when they
   are not a prefix of the new ones); for a folder replaced as a whole (``reports/<M>/``),
   every file it will hold and, if it existed, every file it held;
2. replaces each file (atomically, one by one), then builds the folder next to its place
   (``.<name>.alusage-tmp``) and moves it into place with one rename;
3. removes the journal: the job is done.

Whoever takes the workspace lock next (every command that writes, ``check``, ``close``)
finds an unfinished journal and completes it: each file is either as before (it is
written) or as after (left alone), so the files end exactly as the uninterrupted job
leaves them. A job that failed on its own (the check after it, a full disk) is rolled
back instead: the journal is first marked so (``"state": "rollback"``), then every file
gets its old bytes back, and a run that finds such a journal finishes the rollback. A file
that is in neither state (changed by hand since) stops the recovery with one sentence that
names it; nothing is touched.

``ALUSAGE_FAULT_AFTER=k`` (a test hook, see :func:`file_op`) kills the process with
SIGKILL right after its k-th file operation; ``ALUSAGE_FAULT_LOG=FILE`` appends one line
per operation to FILE.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import shutil
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alusage_ledger.books import answers
from alusage_ledger.core.errors import IOFailure, RefusedError
from alusage_ledger.core.i18n import _

JOURNAL_NAME = ".alusage-journal.json"
TMP_SUFFIX = ".alusage-tmp"
FORMAT = 1

_ops = 0


def file_op(what: str, path: Path | str) -> None:
    """Count one file operation (a temporary file written, a rename, a removal).

    Test hook (documented in docs/loading-and-writing.md): with ``ALUSAGE_FAULT_AFTER=k``
    the process is killed (SIGKILL) right after its k-th operation; with
    ``ALUSAGE_FAULT_LOG=FILE`` each operation appends a line to FILE.
    """
    global _ops
    _ops += 1
    log = os.environ.get("ALUSAGE_FAULT_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(f"{_ops} {what} {path}\n")
    limit = os.environ.get("ALUSAGE_FAULT_AFTER", "")
    if limit.isdigit() and _ops >= int(limit):
        os.kill(os.getpid(), signal.SIGKILL)


def fsync_dir(folder: Path) -> None:
    """Make a rename or removal in ``folder`` durable (best effort)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes) -> None:
    """W5: temp file in the same folder, fsync, ``os.replace``, fsync the folder."""
    answers.taint("a file was written")
    tmp = path.with_name(f".{path.name}.{os.getpid()}{TMP_SUFFIX}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        file_op("temp", tmp)
        os.replace(tmp, path)
        fsync_dir(path.parent)
        file_op("replace", path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise IOFailure(
            _("Cannot write {path}: {reason}.").format(path=path, reason=exc.strerror)
        ) from exc


def remove_file(path: Path) -> None:
    """Remove a file (durably); nothing if it is not there."""
    answers.taint("a file was removed")
    try:
        path.unlink()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise IOFailure(
            _("Cannot remove {path}: {reason}.").format(path=path, reason=exc.strerror)
        ) from exc
    fsync_dir(path.parent)
    file_op("remove", path)


def _sha(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha256(data).hexdigest()


def _pack(data: bytes) -> dict[str, str]:
    try:
        return {"text": data.decode("utf-8")}
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(data).decode("ascii")}


def _unpack(packed: dict[str, str]) -> bytes:
    if "text" in packed:
        return packed["text"].encode("utf-8")
    return base64.b64decode(packed["base64"])


@dataclass
class FileChange:
    """One file, from ``before`` to ``after`` (None: absent)."""

    rel: str
    before: bytes | None
    after: bytes | None
    #: The SHA-256 of ``before`` and ``after`` as the journal recorded them.
    want: tuple[str | None, str | None] = (None, None)

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "path": self.rel,
            "before": {"sha256": _sha(self.before), "size": len(self.before)}
            if self.before is not None
            else None,
            "after": {"sha256": _sha(self.after), "size": len(self.after)}
            if self.after is not None
            else None,
        }
        old, new = self.before or b"", self.after
        if new is not None and new.startswith(old):
            out["append"] = _pack(new[len(old) :])
        else:
            if new is not None:
                out["content"] = _pack(new)
            if self.before is not None:
                out["old_content"] = _pack(self.before)
        return out

    @classmethod
    def from_json(cls, item: dict[str, Any], root: Path) -> FileChange:
        rel = str(item["path"])
        want = (
            item["before"]["sha256"] if item["before"] else None,
            item["after"]["sha256"] if item["after"] else None,
        )
        before = after = None
        if "append" in item:
            # The old bytes are a prefix of the new: from the file, in whichever state.
            added = _unpack(item["append"])
            now = _read(root / rel)
            if _sha(now) == want[0]:
                before = now
                after = (now or b"") + added
            elif _sha(now) == want[1] and now is not None:
                after = now
                before = now[: item["before"]["size"]] if item["before"] else None
        else:
            if "content" in item:
                after = _unpack(item["content"])
            if "old_content" in item:
                before = _unpack(item["old_content"])
        return cls(rel, before, after, want)


@dataclass
class FolderSwap:
    """A folder replaced as a whole by one rename (``reports/<M>/``)."""

    rel: str
    files: dict[str, bytes]
    before: dict[str, bytes] | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "path": self.rel,
            "files": {name: _pack(data) for name, data in sorted(self.files.items())},
            "before": None
            if self.before is None
            else {name: _pack(data) for name, data in sorted(self.before.items())},
        }

    @classmethod
    def from_json(cls, item: dict[str, Any]) -> FolderSwap:
        before = item.get("before")
        return cls(
            str(item["path"]),
            {name: _unpack(packed) for name, packed in item["files"].items()},
            None if before is None else {n: _unpack(p) for n, p in before.items()},
        )


@dataclass
class Journal:
    """A job's plan: its name (``close 2026-11``), the files and folders it changes."""

    job: str
    files: list[FileChange] = field(default_factory=list)
    folders: list[FolderSwap] = field(default_factory=list)
    state: str = "apply"

    def as_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "job": self.job,
            "state": self.state,
            "files": [change.as_json() for change in self.files],
            "folders": [folder.as_json() for folder in self.folders],
        }


def folder_files(folder: Path) -> dict[str, bytes] | None:
    """Every file under ``folder`` (relative path → bytes), or None if it does not exist."""
    if not folder.is_dir():
        return None
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.endswith(TMP_SUFFIX)
    }


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        return b"\0<a folder>"


def _save(root: Path, journal: Journal) -> None:
    text = json.dumps(journal.as_json(), ensure_ascii=False, indent=1) + "\n"
    atomic_write(root / JOURNAL_NAME, text.encode("utf-8"))


def pending_job(root: Path) -> str | None:
    """The job of the unfinished journal of the workspace at ``root``, if there is one."""
    path = root / JOURNAL_NAME
    if not path.exists():
        answers.observe("exists", str(path), "0")
        return None
    try:
        return str(json.loads(path.read_bytes())["job"])
    except (OSError, ValueError, KeyError, TypeError):
        return "?"


def run(root: Path, journal: Journal) -> None:
    """Write the journal, then the files and folders; remove it when all is done."""
    _save(root, journal)
    _apply(root, journal)
    remove_file(root / JOURNAL_NAME)


def undo(root: Path, journal: Journal) -> None:
    """Roll a journal back (after a failure of its job): every file as before."""
    journal.state = "rollback"
    _save(root, journal)
    _rollback(root, journal)
    remove_file(root / JOURNAL_NAME)


def _apply(root: Path, journal: Journal) -> None:
    for change in journal.files:
        path = root / change.rel
        if _read(path) != change.after:
            if change.after is None:
                remove_file(path)
            else:
                atomic_write(path, change.after)
    for folder in journal.folders:
        _swap(root / folder.rel, folder.files)


def _rollback(root: Path, journal: Journal) -> None:
    for folder in reversed(journal.folders):
        if folder.before is None:
            _remove_folder(root / folder.rel)
        else:
            _swap(root / folder.rel, folder.before)
    for change in reversed(journal.files):
        path = root / change.rel
        if _read(path) != change.before:
            if change.before is None:
                remove_file(path)
            else:
                atomic_write(path, change.before)


def _remove_folder(folder: Path) -> None:
    if folder.exists():
        answers.taint("a folder was removed")
        shutil.rmtree(folder)
        fsync_dir(folder.parent)
        file_op("remove", folder)
    with contextlib.suppress(OSError):
        folder.parent.rmdir()  # reports/ itself, when the job created it


def _swap(folder: Path, files: dict[str, bytes]) -> None:
    """Make ``folder`` hold exactly ``files``: built beside it, moved in with one rename."""
    if folder_files(folder) == files:
        return
    answers.taint("a folder was written")
    tmp = folder.with_name(f".{folder.name}{TMP_SUFFIX}")
    old = folder.with_name(f".{folder.name}.old{TMP_SUFFIX}")
    try:
        for stale in (tmp, old):
            if stale.exists():
                shutil.rmtree(stale)
        tmp.mkdir(parents=True)
        for name, data in sorted(files.items()):
            path = tmp / name
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            file_op("temp", path)
        if folder.exists():
            os.rename(folder, old)
            file_op("rename", old)
        os.rename(tmp, folder)
        fsync_dir(folder.parent)
        file_op("rename", folder)
        if old.exists():
            shutil.rmtree(old)
            file_op("remove", old)
    except OSError as exc:
        raise IOFailure(
            _("Cannot write {path}: {reason}.").format(path=folder, reason=exc.strerror)
        ) from exc


def _load(root: Path) -> Journal:
    path = root / JOURNAL_NAME
    try:
        raw = json.loads(path.read_bytes())
        if raw.get("format") != FORMAT:
            raise ValueError(raw.get("format"))
        journal = Journal(str(raw["job"]), state=str(raw.get("state", "apply")))
        journal.files = [FileChange.from_json(item, root) for item in raw["files"]]
        journal.folders = [FolderSwap.from_json(item) for item in raw["folders"]]
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise RefusedError(
            _(
                "The journal of an interrupted job ({file}) cannot be read ({reason}); "
                "nothing was changed: restore the workspace from git, then remove {file}."
            ).format(file=JOURNAL_NAME, reason=exc)
        ) from exc
    return journal


def recover(root: Path) -> str | None:
    """Finish the unfinished journal of ``root``, if there is one (the caller holds the
    workspace lock); its job, or None. A file changed since the journal was written (in
    neither of its two states) stops it: :class:`RefusedError`, nothing touched."""
    if not (root / JOURNAL_NAME).exists():
        return None
    journal = _load(root)
    for change in journal.files:
        now = _sha(_read(root / change.rel))
        if now not in change.want:
            raise RefusedError(
                _(
                    "The interrupted job '{job}' cannot be finished: {file} changed since it "
                    "started; put that file back as it was, then run 'alusage-ledger {job}' "
                    "again."
                ).format(job=journal.job, file=change.rel)
            )
    if journal.state == "rollback":
        _rollback(root, journal)
        message = _("The failed job '{job}' was undone: every file is as before it.")
    else:
        _apply(root, journal)
        message = _("The interrupted job '{job}' was finished: every file is as it planned.")
    remove_file(root / JOURNAL_NAME)
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.write(message.format(job=journal.job) + "\n")
    return journal.job
