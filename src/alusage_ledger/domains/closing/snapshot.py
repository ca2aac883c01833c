"""A snapshot of every file under some folders, to restore them all if a multi-step job
(a close, a reopen) fails; and the names such a job ignores (the lock, temporary files)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from alusage_ledger.books.writer import atomic_write

if TYPE_CHECKING:
    from alusage_ledger.books.ledger import Workspace

_IGNORED_NAMES = (".alusage.lock",)
_IGNORED_SUFFIXES = (".alusage-tmp", ".picklecache")


def ignored(path: Path) -> bool:
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
                if ".git" in path.parts or ignored(path):
                    continue
                yield path

    def changed(self) -> list[Path]:
        """Files created, modified or deleted since the snapshot."""
        now = {p for p in self._walk() if p.is_file()}
        out = {p for p in now if p not in self.files or p.read_bytes() != self.files[p]}
        out |= set(self.files) - now
        return sorted(out)

    def restore(self) -> None:
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


def ledger_folders(ws: Workspace) -> list[Path]:
    return [(ws.root / cfg.ledger).parent for cfg in ws.config.entities.values()]


def rel_path(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)
