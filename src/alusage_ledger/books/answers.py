"""Answers of read-only commands, replayed while nothing they read has changed (issue 13).

A volunteer accountant runs ``check``, ``aged`` or ``revenue`` many times a day on books
that did not change in between. Loading a ledger from the cache (cache.py) still costs
Python's start-up, Typer, pydantic, Beancount's modules and the rules: more than half a
second. This module answers such a run *before* any of that is imported, by replaying
what the same command printed last time, when everything it depended on is the same.

What an answer depends on, and how each is checked at replay:

- the **key** of the run (the name of the answer file): the command line, the current
  folder, the environment variables that can change an output (``ALUSAGE_*``, ``LANG``,
  ``LC_*``, ``TZ``, ``NO_COLOR``, ``COLUMNS``, ``TERM``...), whether each standard stream is
  a terminal and its size, today's date, the versions of Python, of the tool (its files'
  sizes and modification times, catalogs included) and of its libraries;
- the **observations** the run made, recorded as it ran: every file it read, with the
  SHA-256 of the bytes it read (the configuration, each ledger file); where each path led
  (``realpath``: a symbolic link changed is seen); each ``alusage.toml`` looked for and not
  found while searching for the workspace; each Beancount pickle cache looked for. At
  replay, each is checked again on the disk: every file is read and hashed again (a hand
  edit with the same size and modification time is seen), never trusted by its date.

What is never recorded (the run is *tainted* and its answer not kept): a run that wrote
anything or took the workspace lock, called git, asked a question on the terminal, met a
ledger it refused to load or one whose load depends on other files of the disk
(``documents``, a plugin outside Beancount), read a file twice with different bytes,
ended with an exit code other than 0 or 1, or was run with ``--debug``, ``--no-cache``
or ``--help`` (or with ``ALUSAGE_DEBUG`` set). Only the commands of :data:`COMMANDS` are ever considered, and never with
an option that writes.

Answers are stored under the cache folder (``$XDG_CACHE_HOME/alusage-ledger/answers``,
the user's own, never inside the workspace), as a header (format, key, SHA-256 of the
body, HMAC-SHA256 of the format, key and body keyed by the user's secret) and a JSON body.
The folders and the file must be the user's own and private, checked on every read, and
the HMAC right before the JSON is parsed (:mod:`cachetrust`, issue 22): another local user
cannot feed an answer. Anything unexpected (truncated, corrupted, forged, another format,
a folder or file others may use, a link) is a miss, the file is removed when it is ours,
and the run is computed as usual. ``--no-cache`` and
``ALUSAGE_NO_CACHE=1`` turn answers off with the rest of the cache.
``ALUSAGE_ANSWERS_LOG=FILE`` appends one line per run to FILE (``hit``, ``miss``,
``stored``, ``not stored: <why>``, ``off: <why>``), for tests and benchmarks.

This module imports nothing heavy: it runs before the command line is built.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from importlib.util import find_spec
from pathlib import Path
from typing import Any, TextIO

from alusage_ledger.books import cache, cachetrust

FORMAT = 2
MAGIC = b"alusage-ledger-answer"
#: Answers kept in all (the oldest go first).
KEEP = 200

#: Commands whose output depends only on what they read: the command path, then the
#: options that must be present, the options that make it write (never replayed), and
#: whether the answer also depends on every file of the workspace (``close --dry-run``
#: compares its plan with the files already there: reports, close files...).
COMMANDS: dict[tuple[str, ...], tuple[tuple[str, ...], tuple[str, ...], bool]] = {
    ("close",): (("--dry-run",), ("--commit",), True),
    ("check",): ((), (), False),
    ("revenue",): ((), (), False),
    ("aged",): ((), (), False),
    ("statement",): ((), (), False),
    ("balances",): ((), (), False),
    ("shares",): ((), ("--post", "--replace", "--dry-run"), False),
    ("vat",): ((), ("--post", "--dry-run"), False),
    ("report", "transparency"): ((), (), False),
    ("report", "trial-balance"): ((), (), False),
    ("report", "ledger"): ((), (), False),
    ("report", "journal"): ((), (), False),
    ("invoice", "list"): ((), (), False),
    ("bill", "list"): ((), (), False),
    ("expense", "list"): ((), (), False),
    ("usage", "list"): ((), (), False),
    ("micro", "recettes"): ((), (), False),
    ("micro", "urssaf"): ((), (), False),
    ("capital", "register"): ((), (), False),
}
#: Groups whose subcommand is the next word.
GROUPS = frozenset(path[0] for path in COMMANDS if len(path) > 1)
#: Global options taking a value (they may appear anywhere on the line).
GLOBAL_VALUES = ("--workspace", "--lang")
GLOBAL_FLAGS = ("--json", "--no-color", "--quiet", "-q")
#: Never replayed nor recorded with one of these.
NEVER = (
    "--help",
    "-h",
    "--debug",
    "--no-cache",
    "--version",
    "-V",
    "--install-completion",
    "--show-completion",
)
#: Environment variables that can change an output (exact names, then prefixes).
ENV_NAMES = frozenset(
    {
        "LANG",
        "LANGUAGE",
        "TZ",
        "NO_COLOR",
        "FORCE_COLOR",
        "CLICOLOR",
        "CLICOLOR_FORCE",
        "TERM",
        "COLORTERM",
        "COLUMNS",
        "LINES",
        "HOME",
    }
)
ENV_PREFIXES = ("ALUSAGE_", "LC_", "PYTHON", "XDG_", "BEANCOUNT", "TYPER", "_TYPER", "TTY_")
#: ... except these, which change how the tool works, never what it prints.
ENV_IGNORED = frozenset({"ALUSAGE_ANSWERS_LOG", "ALUSAGE_CACHE_SYNC", "ALUSAGE_LOCK_TIMEOUT"})
#: Libraries whose version can change an output.
LIBRARIES = ("beancount", "beanquery", "typer", "click", "rich", "pydantic", "babel")


# --------------------------------------------------------------------------- recording


class _Recorder:
    """What one run observed and printed."""

    def __init__(self) -> None:
        self.inputs: dict[tuple[str, str], str] = {}
        self.tainted: str | None = None
        self.chunks: list[tuple[int, str]] = []
        self.root: str | None = None
        self.tree = False  # observe every file of the workspace (see COMMANDS)
        self.tree_seen: str | None = None
        self.lock = threading.Lock()


_recorder: _Recorder | None = None


def recording() -> bool:
    return _recorder is not None


def observe(kind: str, path: str, value: str) -> None:
    """The run saw ``value`` at ``path`` (``file``: SHA-256 of its bytes; ``real``: where
    the path leads; ``isfile``/``exists``: "1" or "0"). Nothing when not recording."""
    rec = _recorder
    if rec is None:
        return
    known = rec.inputs.setdefault((kind, path), value)
    if known != value:
        rec.tainted = f"{path} changed while the command ran"


def observe_bytes(path: Path | str, data: bytes) -> None:
    """The run read ``data`` from the file ``path``."""
    if _recorder is not None:
        observe("file", os.path.realpath(path), hashlib.sha256(data).hexdigest())
        observe("real", str(path), os.path.realpath(path))


def found_workspace(root: Path) -> None:
    """The run works on the workspace at ``root``."""
    rec = _recorder
    if rec is not None:
        if rec.root not in (None, str(root)):
            rec.tainted = "two workspaces were read"
        if rec.tree and rec.root is None:
            rec.tree_seen = tree_digest(str(root))
        rec.root = str(root)


def taint(reason: str) -> None:
    """The run depends on something not recorded (or changed something): keep no answer."""
    rec = _recorder
    if rec is not None and rec.tainted is None:
        rec.tainted = reason


class _Tee:
    """A standard stream that also keeps what is written to it."""

    def __init__(self, stream: TextIO, number: int, rec: _Recorder) -> None:
        self._stream = stream
        self._number = number
        self._rec = rec

    def write(self, text: str) -> int:
        if not isinstance(text, str):  # click probes with b"" whether a stream is binary
            written = self._stream.write(text)
            if text:
                taint("bytes written to a text stream")
            return written
        with self._rec.lock:
            self._rec.chunks.append((self._number, text))
        return self._stream.write(text)

    def writelines(self, lines: Sequence[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def real_stderr() -> TextIO:
    """Standard error as it was before recording (for transient progress displays)."""
    err = sys.stderr
    return err._stream if isinstance(err, _Tee) else err


# --------------------------------------------------------------------------- the run


def _log(message: str) -> None:
    target = os.environ.get("ALUSAGE_ANSWERS_LOG")
    if target:
        with contextlib.suppress(OSError), open(target, "a", encoding="utf-8") as handle:
            handle.write(message + "\n")


def command_of(args: Sequence[str]) -> tuple[str, ...] | None:
    """The command path of a command line when its answer may be replayed, else None."""
    words: list[str] = []
    skip = False
    for token in args:
        if skip:
            skip = False
            continue
        name = token.split("=", 1)[0]
        if name in NEVER:
            return None
        if token in GLOBAL_VALUES:
            skip = True
            continue
        if name in GLOBAL_VALUES or token in GLOBAL_FLAGS:
            continue
        words.append(token)
    if not words:
        return None
    path: tuple[str, ...] = (words[0],)
    if words[0] in GROUPS:
        if len(words) < 2:
            return None
        path = (words[0], words[1])
    rule = COMMANDS.get(path)
    if rule is None:
        return None
    required, forbidden, _tree = rule
    names = {token.split("=", 1)[0] for token in args}
    if any(option not in names for option in required):
        return None
    if any(option in names for option in forbidden):
        return None
    return path


def _folder() -> Path | None:
    """The answers' folder (in the cache folder), or None when the cache is off or unsafe."""
    if not cache.enabled():
        return None
    return cache.resolved_folder() / "answers"


def _code_fingerprint() -> list[object]:
    """The tool's own files (sizes and modification times) and its libraries' versions."""
    here = Path(__file__).resolve().parents[1]  # the whole package, not only books/
    parts: list[object] = [str(FORMAT), sys.version, sys.executable, str(here)]
    stack = [str(here)]
    files: list[tuple[str, int, int]] = []
    while stack:
        with os.scandir(stack.pop()) as listing:
            for item in listing:
                if item.is_dir(follow_symlinks=False):
                    if item.name != "__pycache__":
                        stack.append(item.path)
                elif not item.name.endswith((".pyc", ".pyo")):
                    info = item.stat()
                    files.append((item.path, info.st_size, info.st_mtime_ns))
    parts.append(sorted(files))
    for name in LIBRARIES:
        try:
            spec = find_spec(name)
        except (ImportError, ValueError):
            spec = None
        origin = spec.origin if spec is not None else None
        if origin and os.path.exists(origin):
            info = os.stat(origin)
            parts.append((name, origin, info.st_size, info.st_mtime_ns))
        else:
            parts.append((name, None))
    return parts


def _terminal(number: int) -> object:
    try:
        if not os.isatty(number):
            return "-"
        size = os.get_terminal_size(number)
        return (size.columns, size.lines)
    except OSError:
        return "?"


def key_of(args: Sequence[str]) -> str:
    """The key of a run: what, besides the files it reads, its output may depend on."""
    env = sorted(
        (name, value)
        for name, value in os.environ.items()
        if (name in ENV_NAMES or name.startswith(ENV_PREFIXES)) and name not in ENV_IGNORED
    )
    parts: list[object] = [
        list(args),
        os.path.realpath(os.getcwd()),
        env,
        [_terminal(n) for n in (0, 1, 2)],
        time.strftime("%Y-%m-%d"),
        _code_fingerprint(),
    ]
    text = json.dumps(parts, ensure_ascii=True, default=str)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def tree_digest(root: str) -> str:
    """SHA-256 of every file, folder and link under ``root`` (but ``.git``, the lock file
    and the writer's temporary files): names, kinds and the bytes of every file."""
    digest = hashlib.sha256()
    for folder, folders, files in os.walk(root):
        links = sorted(d for d in folders if os.path.islink(os.path.join(folder, d)))
        folders[:] = sorted(d for d in folders if d != ".git" and d not in links)
        digest.update(b"D" + os.path.relpath(folder, root).encode("utf-8", "surrogateescape"))
        for name in sorted(files) + links:
            if name in (".alusage.lock",) or name.endswith(".alusage-tmp"):
                continue
            path = os.path.join(folder, name)
            info = os.lstat(path)
            digest.update(b"\0N" + name.encode("utf-8", "surrogateescape"))
            if stat.S_ISLNK(info.st_mode):
                digest.update(b"L" + os.readlink(path).encode("utf-8", "surrogateescape"))
            elif stat.S_ISREG(info.st_mode):
                part = hashlib.sha256()
                with open(path, "rb") as handle:
                    for chunk in iter(lambda: handle.read(1 << 20), b""):
                        part.update(chunk)
                digest.update(b"F" + part.hexdigest().encode("ascii"))
            else:
                digest.update(b"O%d" % stat.S_IFMT(info.st_mode))
        digest.update(b"\n")
    return digest.hexdigest()


def _still_true(kind: str, path: str, value: str) -> bool:
    """Is an observation still what the disk says now?"""
    try:
        if kind == "file":
            info = os.stat(path)
            if not stat.S_ISREG(info.st_mode):
                return False
            digest = hashlib.sha256()
            with open(path, "rb") as handle:
                for chunk in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(chunk)
            return digest.hexdigest() == value
        if kind == "real":
            return os.path.realpath(path) == value
        if kind == "isfile":
            return ("1" if os.path.isfile(path) else "0") == value
        if kind == "exists":
            return ("1" if os.path.exists(path) else "0") == value
        if kind == "tree":
            return tree_digest(path) == value
    except OSError:
        return False
    return False


def _fields(key: str) -> tuple[bytes, bytes]:
    """The header's fields that the HMAC covers (with the body)."""
    return b"%s %d" % (MAGIC, FORMAT), key.encode("ascii")


def _read(where: Path, key: str) -> dict[str, Any] | None:
    """The stored answer of ``key`` when its folders and file are the user's own and
    private, and its header, checksum and HMAC hold (checked before the JSON is read)."""
    path = where / key
    if not cachetrust.trusted_folders(where.parent, where):
        return None
    secret = cachetrust.secret(where.parent, create=False)
    handle = cachetrust.open_private(path) if secret is not None else None
    if secret is None or handle is None:
        return None
    try:
        with handle:
            head = [handle.readline(200).rstrip(b"\n") for _line in range(4)]
            body = handle.read()
    except OSError:
        return None
    fields = _fields(key)
    if (head[0], head[1]) != fields:
        cachetrust.discard(path, "another format or key")
        return None
    if not cachetrust.same(hashlib.sha256(body).hexdigest(), head[2]):
        cachetrust.discard(path, "wrong checksum")
        return None
    signer = cachetrust.mac(secret, *fields)
    signer.update(body)
    if not cachetrust.same(signer.hexdigest(), head[3]):
        cachetrust.discard(path, "wrong HMAC (not written by this user's tool)")
        return None
    try:
        answer = json.loads(body.decode("utf-8"))
    except ValueError:
        return None
    if (
        not isinstance(answer, dict)
        or not isinstance(answer.get("inputs"), list)
        or not isinstance(answer.get("chunks"), list)
        or not isinstance(answer.get("code"), int)
    ):
        return None
    return answer


def _write(where: Path, key: str, answer: dict[str, Any]) -> bool:
    if not cache.usable(where.parent) or not cachetrust.make_folder(where):
        return False
    secret = cachetrust.secret(where.parent, create=False)
    if secret is None:
        return False
    body = json.dumps(answer, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    fields = _fields(key)
    signer = cachetrust.mac(secret, *fields)
    signer.update(body)
    head = b"\n".join(
        [*fields, hashlib.sha256(body).hexdigest().encode(), signer.hexdigest().encode(), b""]
    )
    tmp = where / f".{key}.{os.getpid()}.tmp"
    try:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()  # left by a killed writer of the same process id
        with cachetrust.create_private(tmp) as handle:
            handle.write(head + body)
        os.replace(tmp, where / key)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()
        return False
    _prune(where)
    return True


def _prune(where: Path) -> None:
    try:
        with os.scandir(where) as listing:
            found = [(item.stat().st_mtime_ns, item.path) for item in listing if item.is_file()]
    except OSError:
        return
    if len(found) <= KEEP:
        return
    found.sort()
    for _mtime, path in found[: len(found) - KEEP]:
        with contextlib.suppress(OSError):
            os.unlink(path)


def _replay(answer: dict[str, Any]) -> int:
    streams = {1: sys.stdout, 2: sys.stderr}
    for number, text in answer["chunks"]:
        streams[int(number)].write(text)
    for stream in streams.values():
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    return int(answer["code"])


def _stale(answer: dict[str, Any]) -> str | None:
    """Why the answer no longer holds (an observation that changed), or None."""
    for item in answer["inputs"]:
        if not (isinstance(item, list) and len(item) == 3):
            return "a damaged answer"
        kind, path, value = item
        if not _still_true(str(kind), str(path), str(value)):
            return f"{kind} {path}"
    return None if _root_ok(answer.get("root")) else "the cache folder is inside the workspace"


def _root_ok(root: object) -> bool:
    """The workspace of the answer is not where the cache lives (cache.folder_for)."""
    return isinstance(root, str) and cache.folder_for(Path(root)) is not None


@contextlib.contextmanager
def _recording() -> Iterator[_Recorder]:
    global _recorder
    rec = _Recorder()
    saved = sys.stdout, sys.stderr
    _recorder = rec
    sys.stdout = _Tee(sys.stdout, 1, rec)  # type: ignore[assignment]
    sys.stderr = _Tee(sys.stderr, 2, rec)  # type: ignore[assignment]
    try:
        yield rec
    finally:
        sys.stdout, sys.stderr = saved
        _recorder = None


def run(args: Sequence[str], compute: Any) -> None:
    """Run ``compute(args)`` (the command line), replaying or recording its answer."""
    path = command_of(args) if not cachetrust.debugging() else None
    where = _folder() if path is not None else None
    if path is None or where is None:
        if path is not None:
            _log("off: cache disabled")
        compute(args)
        return
    key = key_of(args)
    answer = _read(where, key)
    why = "no answer" if answer is None else _stale(answer)
    if answer is not None and why is None:
        _log(f"hit {key}")
        raise SystemExit(_replay(answer))
    _log(f"miss {key} ({why})")
    code: object = 0
    with _recording() as rec:
        rec.tree = COMMANDS[path][2]
        try:
            compute(args)
        except SystemExit as exc:
            code = exc.code
            raise
        finally:
            _keep(where, key, rec, code)


def _keep(where: Path, key: str, rec: _Recorder, code: object) -> None:
    code = 0 if code is None else code
    reason = rec.tainted
    root = rec.root
    if reason is None and code not in (0, 1):
        reason = f"exit code {code}"
    if reason is None and root is None:
        reason = "no workspace was read"
    if reason is None and not _root_ok(root):
        reason = "the cache folder is inside the workspace"
    if reason is None and rec.tree and root is not None:
        tree = tree_digest(root)
        if tree != rec.tree_seen:
            reason = "a file of the workspace changed while the command ran"
        rec.inputs[("tree", root)] = tree
    if reason is None:
        # A file read by the run must still hold what was read: a writer elsewhere may
        # have changed it meanwhile (then the answer would be stale at once).
        for (kind, path), value in rec.inputs.items():
            if not _still_true(kind, path, value):
                reason = f"{path} changed while the command ran"
                break
    if reason is not None:
        _log(f"not stored: {reason}")
        return
    answer = {
        "root": root,
        "code": code,
        "inputs": [[kind, path, value] for (kind, path), value in sorted(rec.inputs.items())],
        "chunks": [[number, text] for number, text in rec.chunks],
    }
    _log("stored" if _write(where, key, answer) else "not stored: the cache folder was refused")
