"""A safe cache of loaded ledgers, outside the workspace (issue 13, RELIABILITY L2/L5).

Where: ``$XDG_CACHE_HOME/alusage-ledger`` (default ``~/.cache/alusage-ledger``), a folder
of the user's own (mode 0700, refused when another user owns it or others may write in
it), never the workspace or a folder inside it (then nothing is cached). Beancount's own
``.picklecache`` stays unused.

What: for each ledger (a ``main.beancount`` in a workspace), one *record* holding the
parse of every vetted file (keyed by its real path and the SHA-256 of its bytes) and the
booked, validated entries, keyed by the hashes of every vetted file in vetting order plus
the versions of Python, Beancount and the tool (and a digest of the loader's own source,
so that a changed loader never reads an older record). Records live under
``full/<key>``; ``slots/<ledger>`` names the latest record of a ledger, so that a load
after a one-file change finds the parses of the other files there and re-parses only
the changed one.

Only clean loads are stored: no error, no plugin outside Beancount's own, no
``document`` directive nor ``documents`` option (those depend on other files of the
disk). The vetting (RELIABILITY L1) runs on every load, on the bytes just read, which
are also what is hashed: a hand edit of any file, a closed month included, changes a
key and is never served from the cache.

Verified before use: each cache file starts with a header naming the format, its own
key, the code tag and the SHA-256 of the pickled payload; the payload is unpickled only
when all four match. Any doubt (missing, truncated, corrupted, another version, an
unreadable folder) means: recompute, and the bad file is removed. Writes are atomic
(temporary file, ``os.replace``); a failed write is ignored (the cache is never needed).

``--no-cache`` or ``ALUSAGE_NO_CACHE=1`` turn it off. The command line writes records in
a detached child process (:data:`BACKGROUND`), so that pickling never delays an answer
(``ALUSAGE_CACHE_SYNC=1`` makes it wait, e.g. for benchmarks); the library writes them
synchronously.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import stat
import sys
from pathlib import Path
from typing import Any

FORMAT = 1
MAGIC = b"alusage-ledger-cache"
#: Records kept per ledger (older ones are removed when a new one is written).
KEEP_PER_LEDGER = 3
#: Records and slot files kept in all (the oldest go first: e.g. temporary copies).
KEEP_RECORDS = 32
KEEP_SLOTS = 512
#: Write records from a detached child process (set by the command line's entry point).
BACKGROUND = False

_disabled = False
_tag: str | None = None
#: Source files whose code decides what a record contains.
_CODE_FILES = ("ledger.py", "beanpipe.py", "cache.py")


def _background() -> bool:
    """Write in a detached process (``ALUSAGE_CACHE_SYNC=1`` waits for the write)."""
    return BACKGROUND and hasattr(os, "fork") and os.environ.get("ALUSAGE_CACHE_SYNC") != "1"


def set_enabled(enabled: bool) -> None:
    """``--no-cache`` (the environment variable ``ALUSAGE_NO_CACHE`` also turns it off)."""
    global _disabled
    _disabled = not enabled


def enabled() -> bool:
    return not _disabled and os.environ.get("ALUSAGE_NO_CACHE", "") in ("", "0")


def folder() -> Path:
    """``$XDG_CACHE_HOME/alusage-ledger``, default ``~/.cache/alusage-ledger``."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".cache"
    return root / "alusage-ledger"


def folder_for(workspace: Path) -> Path | None:
    """The cache folder, or None when it cannot be used safely for this workspace."""
    if not enabled():
        return None
    try:
        where = Path(os.path.realpath(folder()))
        ws = Path(os.path.realpath(workspace))
    except (OSError, RuntimeError):
        return None
    if where == ws or ws in where.parents:
        return None  # never inside the workspace (it could be committed, or come with it)
    return where


def _usable(where: Path) -> bool:
    """The folder exists (made 0700 if not) and is the user's own, not writable by others."""
    try:
        where.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = os.stat(where)
    except OSError:
        return False
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        return False
    return not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def code_tag() -> str:
    """Versions of the cache format, Python, Beancount and the tool, and the loader's code."""
    global _tag
    if _tag is None:
        import beancount

        from . import __version__

        digest = hashlib.sha256()
        for part in (
            str(FORMAT),
            sys.version,
            sys.implementation.cache_tag or "",
            str(getattr(beancount, "__version__", "?")),
            __version__,
        ):
            digest.update(part.encode("utf-8") + b"\0")
        here = Path(__file__).resolve().parent
        for name in _CODE_FILES:
            try:
                digest.update((here / name).read_bytes())
            except OSError:
                digest.update(b"?")
            digest.update(b"\0")
        _tag = digest.hexdigest()
    return _tag


def key_of(*parts: object) -> str:
    """A SHA-256 key of the code tag and ``parts`` (strings, numbers, nested sequences)."""
    digest = hashlib.sha256(code_tag().encode("ascii"))

    def feed(part: object) -> None:
        if isinstance(part, list | tuple):
            digest.update(b"[")
            for item in part:
                feed(item)
            digest.update(b"]")
        else:
            text = str(part).encode("utf-8", "surrogateescape")
            digest.update(str(len(text)).encode("ascii") + b":" + text)

    for part in parts:
        feed(part)
    return digest.hexdigest()


def _path(where: Path, kind: str, key: str) -> Path:
    return where / kind / key


def _header(key: str, payload_digest: str) -> bytes:
    return b"%s %d\n%s\n%s\n%s\n" % (
        MAGIC,
        FORMAT,
        key.encode("ascii"),
        code_tag().encode("ascii"),
        payload_digest.encode("ascii"),
    )


def read(where: Path, kind: str, key: str) -> Any:
    """The object stored under ``key``, or None (missing, damaged or from another version).

    The payload is hashed, then unpickled, from the same open file (a concurrent writer
    replaces the file, never changes it), in chunks: no copy of it is held in memory.
    """
    path = _path(where, kind, key)
    expected = (b"%s %d" % (MAGIC, FORMAT), key.encode("ascii"), code_tag().encode("ascii"))
    try:
        with open(path, "rb") as handle:
            head = [handle.readline(200).rstrip(b"\n") for _line in range(4)]
            if tuple(head[:3]) == expected:
                start = handle.tell()
                digest = hashlib.sha256()
                for chunk in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(chunk)
                if digest.hexdigest().encode("ascii") == head[3]:
                    handle.seek(start)
                    try:
                        return pickle.load(handle)
                    except Exception:  # any doubt: recompute
                        pass
    except OSError:
        return None
    with contextlib.suppress(OSError):
        path.unlink()
    return None


def write(where: Path, kind: str, key: str, obj: Any) -> None:
    """Store ``obj`` under ``key`` (atomically; failures are ignored)."""
    write_all(where, [(kind, key, obj)])


def write_all(where: Path, items: list[tuple[str, str, Any]]) -> None:
    """Store several objects, in order, in the background when :data:`BACKGROUND` is set."""
    if _background():
        _detached(lambda: _write_items(where, items))
    else:
        _write_items(where, items)


def _write_items(where: Path, items: list[tuple[str, str, Any]]) -> None:
    for kind, key, obj in items:
        if not _write_now(where, kind, key, obj):
            return


def _write_now(where: Path, kind: str, key: str, obj: Any) -> bool:
    if not _usable(where):
        return False
    path = _path(where, kind, key)
    tmp = path.with_name(f".{key}.{os.getpid()}.tmp")
    try:
        payload = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
        path.parent.mkdir(mode=0o700, exist_ok=True)
        with open(tmp, "wb") as handle:
            handle.write(_header(key, hashlib.sha256(payload).hexdigest()))
            handle.write(payload)
        os.replace(tmp, path)
        return True
    except Exception:  # the cache is never needed: give up quietly
        with contextlib.suppress(OSError):
            tmp.unlink()
        return False


def _detached(job: Any) -> None:
    """Run ``job`` in a grandchild process that nobody waits for (no answer is delayed)."""
    try:
        pid = os.fork()
    except OSError:
        job()
        return
    if pid:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)  # the child exits at once, after forking the writer
        return
    try:  # the child
        if os.fork() == 0:  # the grandchild: no inherited descriptor (locks...), then write
            os.closerange(3, 1 << 16)
            job()
    finally:
        os._exit(0)


def remove(where: Path, kind: str, key: str) -> None:
    with contextlib.suppress(OSError):
        _path(where, kind, key).unlink()


# --------------------------------------------------------------------------- ledger records


def slot_key(root: Path, main: Path) -> str:
    return key_of("slot", os.path.realpath(root), os.path.realpath(main))


def full_key(
    root: Path, main: Path, allowed_plugins: frozenset[str], files: list[tuple[str, str]]
) -> str:
    """The key of a loaded ledger: where it is, what may run, every file's path and hash."""
    return key_of(
        "full",
        os.path.realpath(root),
        os.path.realpath(main),
        sorted(allowed_plugins),
        [list(item) for item in files],
    )


def latest_record(where: Path, root: Path, main: Path) -> dict[str, Any] | None:
    """The last record stored for this ledger (its files' parses help after a change)."""
    pointer = read(where, "slots", slot_key(root, main))
    if not isinstance(pointer, str):
        return None
    return record(where, pointer)


def record(where: Path, key: str) -> dict[str, Any] | None:
    found = read(where, "full", key)
    if not isinstance(found, dict) or found.get("key") != key:
        return None
    return found


def store_record(where: Path, root: Path, main: Path, record_: dict[str, Any]) -> None:
    """Store a ledger's record and make it the latest of its ledger; prune old ones."""
    slot = slot_key(root, main)
    key = str(record_["key"])
    index_key = key_of("index", slot)

    def job() -> None:
        previous = read(where, "slots", index_key)
        keys = [k for k in previous if isinstance(k, str)] if isinstance(previous, list) else []
        keys = [k for k in keys if k != key] + [key]
        for old in keys[:-KEEP_PER_LEDGER]:
            remove(where, "full", old)
        _write_items(
            where,
            [
                ("full", key, record_),
                ("slots", slot, key),
                ("slots", index_key, keys[-KEEP_PER_LEDGER:]),
            ],
        )
        _prune(where / "full", KEEP_RECORDS)
        _prune(where / "slots", KEEP_SLOTS)

    if _background():
        _detached(job)
    else:
        job()


def _prune(folder: Path, keep: int) -> None:
    """Remove the files of ``folder`` beyond the ``keep`` most recently written."""
    try:
        files = [(entry.stat().st_mtime_ns, entry.path) for entry in os.scandir(folder)]
    except OSError:
        return
    if len(files) <= keep:
        return
    files.sort()
    for _mtime, path in files[: len(files) - keep]:
        with contextlib.suppress(OSError):
            os.unlink(path)
