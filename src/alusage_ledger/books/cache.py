"""A safe cache of loaded ledgers, outside the workspace (issue 13, RELIABILITY L2/L5).

Where: ``$XDG_CACHE_HOME/alusage-ledger`` (default ``~/.cache/alusage-ledger``), a folder
of the user's own (mode 0700, refused when another user owns it or others may write in
it), never the workspace or a folder inside it (then nothing is cached). Beancount's own
``.picklecache`` stays unused.

What: the parse of each vetted file, under ``parse/<key>`` (keyed by its real path and
the SHA-256 of its bytes: files unchanged between two loads share it, and a load after a
one-file change parses only that file), and for each ledger (a ``main.beancount`` in a
workspace) a *record* of its booked, validated entries under ``full/<key>``, keyed by the
hashes of every vetted file in vetting order plus the versions of Python, Beancount and
the tool (and a digest of the loader's own source, so that a changed loader never reads
an older record). A record refers to the parsed entries instead of repeating them: a
booked entry that is a parsed entry, or a parsed transaction with Beancount's tolerances
in its metadata (what booking does to plain postings), is stored as its place in the
parses (:func:`encode_booked`), and rebuilt from them (:func:`decode_booked`) sharing
the same objects as a load without the cache; any other entry is stored whole. Each file
is unpickled on its own, so that unpickling never holds more than one file's
intermediate objects (issue 13, peak memory).

Only clean loads are stored: no error, no plugin outside Beancount's own, no
``document`` directive nor ``documents`` option (those depend on other files of the
disk). The vetting (RELIABILITY L1) runs on every load, on the bytes just read, which
are also what is hashed: a hand edit of any file, a closed month included, changes a
key and is never served from the cache.

Verified before use: each cache file starts with a header naming the format, its own
key, the code tag, the SHA-256 of the pickled payload and an HMAC-SHA256 of the header's
fields and the payload, keyed by the user's own secret (:mod:`cachetrust`); the payload is
unpickled only when all five match. Only the user's own private folders and files are
read or written, checked on every read (:mod:`cachetrust`: issue 22). Any doubt (missing,
truncated, corrupted, forged, another version, a folder or file others may use, a link)
means: recompute, and the bad file is removed when it is ours. Writes are atomic (a new
0600 temporary file, ``os.replace``); a failed write is ignored (the cache is never
needed).

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
import sys
from pathlib import Path
from typing import Any

import alusage_ledger
from alusage_ledger.books import cachetrust

FORMAT = 3
MAGIC = b"alusage-ledger-cache"
#: Records kept per ledger (older ones are removed when a new one is written).
KEEP_PER_LEDGER = 3
#: Records and slot files kept in all (the oldest go first: e.g. temporary copies).
KEEP_RECORDS = 32
KEEP_SLOTS = 512
#: Parses kept in all, besides those of the kept records (a backstop: the others go).
KEEP_PARSES = 4096
#: Write records from a detached child process (set by the command line's entry point).
BACKGROUND = False

_disabled = False
_tag: str | None = None
#: Source files whose code decides what a record contains (the parse, the vetted loader,
#: the booking pipeline, the record's encoding).
_CODE_FILES = ("parsing.py", "loader.py", "beanpipe.py", "cache.py", "cachetrust.py")


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


def resolved_folder() -> Path:
    """:func:`folder` with its parent resolved, and itself not: a link there is refused."""
    where = folder()
    return Path(os.path.realpath(where.parent)) / where.name


def folder_for(workspace: Path) -> Path | None:
    """The cache folder, or None when it cannot be used safely for this workspace."""
    if not enabled():
        return None
    try:
        where = resolved_folder()
        ws = Path(os.path.realpath(workspace))
    except (OSError, RuntimeError):
        return None
    if where == ws or ws in where.parents:
        return None  # never inside the workspace (it could be committed, or come with it)
    return where


def usable(where: Path) -> bool:
    """The folder exists (made 0700 if not), is the user's own and private (0700, not a
    link) and holds the user's key (made if not): see :mod:`cachetrust`."""
    with contextlib.suppress(OSError):
        where.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    return cachetrust.make_folder(where) and cachetrust.secret(where, create=True) is not None


def code_tag() -> str:
    """Versions of the cache format, Python, Beancount and the tool, and the loader's code."""
    global _tag
    if _tag is None:
        # lazy: --help and the replay path (answers.py) import this module before Beancount
        import beancount

        digest = hashlib.sha256()
        for part in (
            str(FORMAT),
            sys.version,
            sys.implementation.cache_tag or "",
            str(getattr(beancount, "__version__", "?")),
            alusage_ledger.__version__,
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


def _fields(kind: str, key: str) -> tuple[bytes, ...]:
    """The header's fields that the HMAC covers (with the payload)."""
    return (
        b"%s %d" % (MAGIC, FORMAT),
        kind.encode("ascii"),
        key.encode("ascii"),
        code_tag().encode("ascii"),
    )


def read(where: Path, kind: str, key: str) -> Any:
    """The object stored under ``key``, or None (missing, damaged, forged, from another
    version, or in a folder or file that is not the user's own private one).

    The payload is hashed and authenticated, then unpickled, from the same open file (a
    concurrent writer replaces the file, never changes it), in chunks: no copy of it is
    held in memory. Nothing is unpickled before the HMAC is found right.
    """
    path = _path(where, kind, key)
    if not cachetrust.trusted_folders(where, path.parent):
        return None
    secret = cachetrust.secret(where, create=False)
    if secret is None:
        return None
    handle = cachetrust.open_private(path)
    if handle is None:
        return None
    fields = _fields(kind, key)
    why = "another format, key or version"
    try:
        with handle:
            head = [handle.readline(200).rstrip(b"\n") for _line in range(5)]
            if (head[0], head[1], head[2]) == (fields[0], fields[2], fields[3]):
                start = handle.tell()
                digest = hashlib.sha256()
                signer = cachetrust.mac(secret, *fields)
                for chunk in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(chunk)
                    signer.update(chunk)
                why = "wrong checksum"
                if cachetrust.same(digest.hexdigest(), head[3]):
                    why = "wrong HMAC (not written by this user's tool)"
                    if cachetrust.same(signer.hexdigest(), head[4]):
                        handle.seek(start)
                        try:
                            return pickle.load(handle)
                        except Exception:  # any doubt: recompute
                            why = "cannot be unpickled"
    except OSError:
        return None
    cachetrust.discard(path, why)
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
        if not write_now(where, kind, key, obj):
            return


def write_now(where: Path, kind: str, key: str, obj: Any) -> bool:
    """Pickle ``obj`` straight into a new private temporary file (no copy of the payload
    in memory), then fill in the header's checksum and HMAC and move the file into place."""
    if not usable(where):
        return False
    secret = cachetrust.secret(where, create=False)
    path = _path(where, kind, key)
    if secret is None or not cachetrust.make_folder(path.parent):
        return False
    tmp = path.with_name(f".{key}.{os.getpid()}.tmp")
    try:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()  # left by a killed writer of the same process id
        with cachetrust.create_private(tmp) as handle:
            fields = _fields(kind, key)
            header = b"\n".join([fields[0], *fields[2:], b"0" * 64, b"0" * 64]) + b"\n"
            handle.write(header)
            digest = hashlib.sha256()
            signer = cachetrust.mac(secret, *fields)
            sink = _Hashing(handle, digest, signer)
            pickle.Pickler(sink, protocol=pickle.HIGHEST_PROTOCOL).dump(obj)
            handle.seek(len(header) - 130)
            handle.write(b"%s\n%s" % (digest.hexdigest().encode(), signer.hexdigest().encode()))
        os.replace(tmp, path)
        return True
    except Exception:  # the cache is never needed: give up quietly
        with contextlib.suppress(OSError):
            tmp.unlink()
        return False


class _Hashing:
    """A file that hashes and signs what is written to it (the pickler's output)."""

    def __init__(self, handle: Any, digest: Any, signer: Any) -> None:
        self.handle, self.digest, self.signer = handle, digest, signer

    def write(self, data: Any) -> int:
        self.digest.update(data)
        self.signer.update(data)
        return int(self.handle.write(data))


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


def parse_key(path: str, digest: str) -> str:
    """The key of a file's parse: its real path and the SHA-256 of its bytes."""
    return key_of("parse", path, digest)


def read_parse(where: Path, path: str, digest: str) -> tuple[Any, Any, Any] | None:
    """The stored parse ``(entries, errors, options)`` of these bytes, or None."""
    found = read(where, "parse", parse_key(path, digest))
    if not isinstance(found, tuple) or len(found) != 4 or found[0] != (path, digest):
        return None
    return found[1], found[2], found[3]


def record(where: Path, key: str) -> dict[str, Any] | None:
    found = read(where, "full", key)
    if not isinstance(found, dict) or found.get("key") != key:
        return None
    return found


def store_record(
    where: Path,
    root: Path,
    main: Path,
    key: str,
    parses: list[tuple[str, str, tuple[Any, Any, Any]]],
    entries: list[Any],
    options: dict[str, Any],
) -> None:
    """Store a ledger's record (and the parses it refers to that are not stored yet).

    ``parses`` are ``(real path, sha256, (entries, errors, options))`` in vetting order,
    as parsed; ``entries`` the booked, validated entries. The record is encoded in the
    writing process (the detached one for the command line). Old records are pruned, and
    the parses no kept record refers to.
    """
    slot = slot_key(root, main)
    index_key = key_of("index", slot)

    def job() -> None:
        if not usable(where):
            return
        for path, digest, parse in parses:
            pkey = parse_key(path, digest)
            if not _path(where, "parse", pkey).exists():
                write_now(where, "parse", pkey, ((path, digest), *parse))
        booked = encode_booked([parse[0] for _path_, _digest, parse in parses], entries)
        payload = {
            "key": key,
            "files": [(path, digest) for path, digest, _parse in parses],
            "options": options,
            "booked": booked,
        }
        previous = read(where, "slots", index_key)
        keys = [k for k in previous if isinstance(k, str)] if isinstance(previous, list) else []
        keys = [k for k in keys if k != key] + [key]
        for old in keys[:-KEEP_PER_LEDGER]:
            remove(where, "full", old)
        if not write_now(where, "full", key, payload):
            return
        # The parses of a record are never older than it: see _prune_parses.
        for path, digest, _parse in parses:
            with contextlib.suppress(OSError):
                os.utime(_path(where, "parse", parse_key(path, digest)))
        write_now(where, "slots", index_key, keys[-KEEP_PER_LEDGER:])
        _prune(where / "full", KEEP_RECORDS)
        _prune(where / "slots", KEEP_SLOTS)
        _prune_parses(where)

    if _background():
        _detached(job)
    else:
        job()


def store_parses(where: Path, parses: list[tuple[str, str, tuple[Any, Any, Any]]]) -> None:
    """Store parses missing from the cache (a record was served without them)."""

    def job() -> None:
        for path, digest, parse in parses:
            write_now(where, "parse", parse_key(path, digest), ((path, digest), *parse))

    if parses:
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


def _prune_parses(where: Path) -> None:
    """Remove the parses no kept record refers to: those older than the oldest record.

    A record's parses are touched after the record is written. A parse removed by a
    concurrent writer is only parsed again: a record never depends on it.
    """
    try:
        oldest = min(entry.stat().st_mtime_ns for entry in os.scandir(where / "full"))
        parses = [(entry.stat().st_mtime_ns, entry.path) for entry in os.scandir(where / "parse")]
    except (OSError, ValueError):
        return
    for mtime, path in parses:
        if mtime < oldest:
            with contextlib.suppress(OSError):
                os.unlink(path)
    _prune(where / "parse", KEEP_PARSES)


# --------------------------------------------------------------------------- booked entries

#: How a booked entry is stored (the two low bits of its reference).
_SAME = 0  # the parsed entry itself
_BOOKED = 1  # the parsed transaction with tolerances in its metadata, postings in order
_REORDERED = 2  # the same, with its postings in another order (grouped by currency)
_WHOLE = 3  # stored whole (made by Beancount's booking or a plugin)


def encode_booked(parses: list[list[Any]], entries: list[Any]) -> dict[str, Any]:
    """The booked ``entries`` as references to the ``parses`` (lists of parsed entries).

    An entry is referred to only when :func:`decode_booked` rebuilds it exactly: every
    field but the metadata and the postings *is* the parsed entry's, the metadata holds
    the same keys in the same order and the same values plus the tolerances, last, and
    the postings are the parsed ones. Anything else is stored whole.
    """
    # lazy: --help and the replay path (answers.py) import this module before Beancount
    from beancount.core import data, interpolate

    transaction = data.Transaction
    tolerance_key = interpolate.AUTOMATIC_TOLERANCES
    place: dict[int, int] = {}
    owner: dict[int, int] = {}
    for number, parsed in enumerate(parses):
        for index, entry in enumerate(parsed):
            where = (number << 32 | index) << 2
            place[id(entry)] = where
            if type(entry) is transaction:
                for posting in entry.postings:
                    owner[id(posting)] = where
    refs: list[int] = []
    tolerance_of: list[int] = []
    orders: list[tuple[int, ...]] = []
    whole: list[Any] = []
    shared: list[Any] = []
    table: dict[int, int] = {}
    for entry in entries:
        same = place.get(id(entry))
        if same is not None:
            refs.append(same | _SAME)
            continue
        postings = entry.postings if type(entry) is transaction else None
        code = owner.get(id(postings[0])) if postings else None
        if code is not None:
            parsed = parses[code >> 34][(code >> 2) & 0xFFFFFFFF]
            order = _booked_from(entry, parsed, tolerance_key)
            if order is not None:
                tolerances = entry.meta[tolerance_key]
                found = table.setdefault(id(tolerances), len(shared))
                if found == len(shared):
                    shared.append(tolerances)
                tolerance_of.append(found)
                if order == tuple(range(len(order))):
                    refs.append(code | _BOOKED)
                else:
                    refs.append(code | _REORDERED)
                    orders.append(order)
                continue
        refs.append(_WHOLE)
        whole.append(entry)
    return {
        "refs": refs,
        "tolerances": shared,
        "tolerance_of": tolerance_of,
        "orders": orders,
        "whole": whole,
    }


def _booked_from(entry: Any, parsed: Any, tolerance_key: str) -> tuple[int, ...] | None:
    """The order of ``parsed``'s postings in ``entry`` if ``entry`` is ``parsed`` booked."""
    if type(entry) is not type(parsed) or type(entry.postings) is not list:
        return None
    if any(mine is not theirs for mine, theirs in zip(entry[1:7], parsed[1:7], strict=True)):
        return None
    meta, before = entry.meta, parsed.meta
    if type(meta) is not dict or type(before) is not dict or tolerance_key in before:
        return None
    if list(meta) != [*before, tolerance_key]:
        return None
    if any(meta[name] is not value for name, value in before.items()):
        return None
    if len(entry.postings) != len(parsed.postings):
        return None
    positions = {id(posting): n for n, posting in enumerate(parsed.postings)}
    order = tuple(positions.get(id(posting), -1) for posting in entry.postings)
    if sorted(order) != list(range(len(order))):
        return None
    return order


def decode_booked(
    parses: list[list[Any]], stored: dict[str, Any], files: list[tuple[str, str]]
) -> list[Any] | None:
    """The booked entries of a record, rebuilt from the ``parses`` of its ``files``.

    None when the record does not fit (another list of files, a reference out of range).
    """
    # lazy: --help and the replay path (answers.py) import this module before Beancount
    from beancount.core import data, interpolate

    if stored.get("files") != files:
        return None
    transaction = data.Transaction
    tolerance_key = interpolate.AUTOMATIC_TOLERANCES
    booked = stored["booked"]
    shared = booked["tolerances"]
    tolerance_of = iter(booked["tolerance_of"])
    orders = iter(booked["orders"])
    whole = iter(booked["whole"])
    out: list[Any] = []
    append = out.append
    try:
        for code in booked["refs"]:
            kind = code & 3
            if kind == _WHOLE:
                append(next(whole))
                continue
            parsed = parses[code >> 34][(code >> 2) & 0xFFFFFFFF]
            if kind == _SAME:
                append(parsed)
                continue
            meta = parsed.meta.copy()
            meta[tolerance_key] = shared[next(tolerance_of)]
            postings = parsed.postings
            append(
                transaction(
                    meta,
                    parsed.date,
                    parsed.flag,
                    parsed.payee,
                    parsed.narration,
                    parsed.tags,
                    parsed.links,
                    list(postings) if kind == _BOOKED else [postings[n] for n in next(orders)],
                )
            )
    except (IndexError, StopIteration, AttributeError, TypeError):
        return None
    if any(True for _ in whole) or any(True for _ in tolerance_of) or any(True for _ in orders):
        return None
    return out
