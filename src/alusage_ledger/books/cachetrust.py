"""Who may feed the caches: the user's own private folders, files and key (issue 22).

The threat: another local user who can write in the cache folder (a shared
``XDG_CACHE_HOME``, a 0777 folder, a folder owned by someone else) plants a pickle (code
run as the victim when it is unpickled) or an answer (a broken ledger replayed as valid).
A checksum in a file's own header proves nothing against that: anyone can compute it.

The rules, checked on every read and before every write (:mod:`cache`, :mod:`answers`):

- a folder is used only when ``os.lstat`` says it is a real folder (a symbolic link is
  refused, never followed), owned by the current user, with no group or other bit (0700):
  the cache root and each of its sub-folders on the path to a file;
- a file is opened without following links (``O_NOFOLLOW``) and used only when it is a
  regular file owned by the current user with no group or other bit (0600); one that
  fails is ignored, and removed when it is ours;
- every file carries an HMAC-SHA256 of its header and payload, keyed by a per-user secret
  (:func:`secret`: 32 random bytes in ``<cache>/key``, created 0600, itself under these
  rules); the HMAC is compared (``hmac.compare_digest``) before anything is unpickled or
  trusted;
- what the tool creates is private whatever the umask: folders ``mkdir`` 0700 then
  ``chmod`` 0700, files ``os.open(..., 0o600)`` then ``fchmod`` 0600.

Each refusal prints a note on standard error with ``--debug`` (or ``ALUSAGE_DEBUG=1``).
This module imports nothing heavy: the answers' replay uses it before the command line is
built.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import hmac
import os
import stat
import sys
from pathlib import Path
from typing import BinaryIO

#: Name of the per-user secret in the cache root.
KEY_NAME = "key"
KEY_SIZE = 32

_debug = False
#: Keys read by this process, by path, with the file's identity (checked again each time).
_secrets: dict[str, tuple[tuple[int, int, int], bytes]] = {}
#: Key files refused by this process: the cache stays off until the process ends.
_refused: set[str] = set()


def set_debug(on: bool) -> None:
    """``--debug``: print a note for each refused cache folder or file."""
    global _debug
    _debug = on


def debugging() -> bool:
    return _debug or os.environ.get("ALUSAGE_DEBUG", "") not in ("", "0")


def note(message: str) -> None:
    """A line on standard error, only with ``--debug`` (or ``ALUSAGE_DEBUG=1``)."""
    if debugging():
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.write(f"cache: {message}\n")


def _uid() -> int | None:
    return os.getuid() if hasattr(os, "getuid") else None


def _private(info: os.stat_result, kind: int) -> str | None:
    """Why ``info`` (of a folder or a file) is not the user's own private one, or None."""
    if stat.S_ISLNK(info.st_mode):
        return "a symbolic link"
    if stat.S_IFMT(info.st_mode) != kind:
        return "not a folder" if kind == stat.S_IFDIR else "not a regular file"
    uid = _uid()
    if uid is not None and info.st_uid != uid:
        return f"owned by user {info.st_uid}"
    if info.st_mode & 0o077:
        return f"mode {stat.S_IMODE(info.st_mode):04o} (group or others may use it)"
    return None


def folder_refused(path: Path) -> str | None:
    """Why the folder ``path`` may not be used (``lstat``: a link is refused), or None."""
    try:
        info = os.lstat(path)
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    return _private(info, stat.S_IFDIR)


def trusted_folders(*paths: Path) -> bool:
    """Every folder is the user's own and private (a note for the first that is not)."""
    for path in paths:
        why = folder_refused(path)
        if why is not None:
            if not why.startswith("cannot be read"):
                note(f"folder {path} not used: {why}")
            return False
    return True


def make_folder(path: Path) -> bool:
    """``path`` exists as the user's own private folder, made 0700 if missing."""
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass
    except OSError:
        return False
    else:
        with contextlib.suppress(OSError):
            os.chmod(path, 0o700, follow_symlinks=False)  # whatever the umask
    return trusted_folders(path)


def discard(path: Path, why: str) -> None:
    """Ignore a cache file: a note, and remove it when it is ours (never through a link)."""
    note(f"file {path} ignored and removed: {why}")
    with contextlib.suppress(OSError):
        if os.lstat(path).st_uid == _uid() or _uid() is None:
            os.unlink(path)


def open_private(path: Path) -> BinaryIO | None:
    """``path`` opened for reading when it is the user's own private regular file.

    Checked with ``lstat`` before opening and ``fstat`` after (what is read is what was
    checked); a link is never followed. A missing file is None without a note; a refused
    one is discarded (:func:`discard`).
    """
    try:
        before = os.lstat(path)
    except OSError:
        return None
    why = _private(before, stat.S_IFREG)
    if why is not None:
        discard(path, why)
        return None
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            discard(path, "a symbolic link")
        return None
    try:
        info = os.fstat(fd)
        why = _private(info, stat.S_IFREG)
        if why is None and (info.st_dev, info.st_ino) != (before.st_dev, before.st_ino):
            why = "replaced while it was opened"
    except OSError:
        why = "cannot be read"
    if why is not None:
        os.close(fd)
        discard(path, why)
        return None
    return os.fdopen(fd, "rb")


def create_private(path: Path) -> BinaryIO:
    """A new file ``path`` (never an existing one, never through a link), mode 0600."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0), 0o600)
    try:
        os.fchmod(fd, 0o600)  # whatever the umask
        return os.fdopen(fd, "w+b")
    except BaseException:
        os.close(fd)
        raise


def secret(root: Path, *, create: bool) -> bytes | None:
    """The user's HMAC key, kept in ``<root>/key`` (``root`` already checked private).

    Created when missing and ``create``: 32 random bytes written to a new private
    temporary file, then linked to its name (``os.link`` fails if another process won the
    race: then that one's key is read back). A key file that is not the user's own private
    file of 32 bytes is not used: the cache is off for the rest of the process, and the
    file is removed when it is ours (the next run makes a new key, so that what the old
    one signed is never trusted again).
    """
    path = root / KEY_NAME
    if str(path) in _refused:
        return None
    known = _secrets.get(str(path))
    if known is not None:
        with contextlib.suppress(OSError):
            info = os.lstat(path)
            if _private(info, stat.S_IFREG) is None and known[0] == _identity(info):
                return known[1]
    present = os.path.lexists(path)
    handle = open_private(path)
    if handle is None and present:
        _refused.add(str(path))  # refused (and removed if ours) by open_private
        return None
    if handle is None and create:
        tmp = root / f".{KEY_NAME}.{os.getpid()}.tmp"
        try:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            with create_private(tmp) as out:
                out.write(os.urandom(KEY_SIZE))
                out.flush()
                os.fsync(out.fileno())
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)
        except OSError:
            return None
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        handle = open_private(path)
    if handle is None:
        return None
    with handle:
        try:
            value = handle.read(KEY_SIZE + 1)
            identity = _identity(os.fstat(handle.fileno()))
        except OSError:
            return None
    if len(value) != KEY_SIZE:
        discard(path, "not a key of 32 bytes")
        _refused.add(str(path))
        return None
    _secrets[str(path)] = (identity, value)
    return value


def _identity(info: os.stat_result) -> tuple[int, int, int]:
    return (info.st_dev, info.st_ino, info.st_mtime_ns)


def forget_secrets() -> None:
    """Forget the keys read or refused by this process (tests: as a new process)."""
    _secrets.clear()
    _refused.clear()


def mac(key: bytes, *fields: bytes) -> hmac.HMAC:
    """An HMAC-SHA256 fed with ``fields`` (each with its length: no ambiguity)."""
    signer = hmac.new(key, digestmod=hashlib.sha256)
    for field in fields:
        signer.update(b"%d:" % len(field) + field)
    return signer


def same(expected: str, found: bytes) -> bool:
    """Constant-time comparison of a hex digest with the one read from a file."""
    return hmac.compare_digest(expected.encode("ascii"), found)
