"""The only place that loads ledgers and writes ledger text.

Loading (RELIABILITY L1-L3, L5): every file is parsed with Beancount's parser, which
records plugins, includes and options without acting on them. The tool walks the
includes itself and refuses, *before* anything runs, plugins outside the allow-list,
options that run code or widen tolerances, and includes that leave the workspace, use
wildcards or are not regular ``.beancount`` files. Only then are the vetted parses
booked, transformed by the (allowed) plugins and validated, the same pipeline as
``bean-check`` but without Beancount's pickle cache and without a second parse.

Writing (W1-W8): append only, under one workspace-wide lock file; every file is
written to a temporary file, fsynced and moved into place with ``os.replace``; the
text is re-parsed and compared field by field with the intended entries before
anything is written, the ledger is reloaded afterwards and must have no error and
exactly the expected entries, otherwise the previous bytes of every touched file are
restored. A new month file is created with its header only, then included from
``main.beancount``, then appended to: a crash at any point leaves a loadable ledger,
and running the (idempotent) command again completes the work.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import gc
import hashlib
import os
import re
import time
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from alusage_ledger.books import answers
from alusage_ledger.books.config import Config, load_config
from alusage_ledger.books.exercice import inventory_window_open
from alusage_ledger.core.errors import (
    IOFailure,
    LedgerErrors,
    LedgerProblem,
    RefusedError,
    UsageError,
)
from alusage_ledger.core.i18n import _

# Beancount is imported lazily (start-up time of --help and friends, issue 13).

ROOT_OPTIONS = ("name_assets", "name_liabilities", "name_equity", "name_income", "name_expenses")
DEFAULT_ROOTS = ("Assets", "Liabilities", "Equity", "Income", "Expenses")
MAX_FILE_BYTES = 64 * 1024 * 1024
LOCK_NAME = ".alusage.lock"
TMP_SUFFIX = ".alusage-tmp"
MAX_TEXT = 500

_TAG_LINK = re.compile(r"^[A-Za-z0-9\-_/.]+$")
_META_KEY = re.compile(r"^[a-z][a-z0-9-]+$")
_SAFE_WORD = re.compile(r"^[A-Za-z0-9\-_/.:]*$")
_CLOSE_FILE_REL = re.compile(r"^\d{4}/(0[1-9]|1[0-2])\.close\.beancount$")
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _disable_beancount_cache() -> None:
    from beancount import loader

    # L2: never read or write a ``.picklecache`` (a planted one would run on load).
    loader.initialize(False)


# --------------------------------------------------------------------------- loading


@dataclass
class ParsedFile:
    path: Path
    rel: str
    digest: str
    entries: list[Any]
    errors: list[Any]
    options: dict[str, Any]
    includes: list[Path] = field(default_factory=list)


@dataclass
class LoadedLedger:
    """One entity's ledger after vetting, booking, plugins and validation."""

    entity: str
    root: Path
    main: Path
    files: dict[Path, ParsedFile]
    entries: list[Any]
    problems: list[LedgerProblem]
    options: dict[str, Any]

    @property
    def errors(self) -> list[LedgerProblem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def roots(self) -> tuple[str, str, str, str, str]:
        opts = self.options
        return tuple(opts.get(name, default) for name, default in zip(ROOT_OPTIONS, DEFAULT_ROOTS))  # type: ignore[return-value]

    def parsed_entries(self) -> list[Any]:
        """Entries as parsed (before booking and plugins), in file order."""
        out: list[Any] = []
        for parsed in self.files.values():
            out.extend(parsed.entries)
        return out

    def open_accounts(self) -> set[str]:
        from beancount.core import data

        return {e.account for e in self.entries if isinstance(e, data.Open)}

    def folder(self) -> Path:
        return self.main.parent


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _is_default(name: str, value: Any) -> bool:
    from beancount.parser import options

    return bool(options.OPTIONS_DEFAULTS.get(name) == value)


_PARSE_CACHE: dict[tuple[str, str], tuple[list[Any], list[Any], dict[str, Any]]] = {}


def _parse_bytes(
    raw: bytes,
    path: Path,
    digest: str | None = None,
    known: Any = None,
) -> tuple[list[Any], list[Any], dict[str, Any]]:
    """Beancount's parse of a file's bytes; reused when the same path has the same hash.

    ``known`` maps ``(real path, sha256)`` to a parse from the disk cache (cache.py): a
    dict, or anything with ``get`` (read only when the in-process memo misses).
    """
    key = (str(path), digest or hashlib.sha256(raw).hexdigest())
    hit = _PARSE_CACHE.get(key)
    if hit is None and known:
        hit = known.get(key)
        if hit is not None:
            _PARSE_CACHE[key] = hit
    if hit is not None:
        return hit
    result = parse_source(raw, str(path))
    _PARSE_CACHE[key] = result
    return result


def parse_source(raw: bytes, filename: str) -> tuple[list[Any], list[Any], dict[str, Any]]:
    """``beancount.parser.parser.parse_string(raw, report_filename=filename)``, with less
    memory: within the file, equal amounts, currencies, metadata keys and text values,
    payees, narrations, tags and links and transaction dates are one object each
    (Beancount already does so for account names). The entries, errors and options are
    equal to Beancount's (issue 13, peak memory)."""
    import io

    from beancount.parser import _parser

    builder = _sharing_builder()()
    _parser.Parser(builder).parse(io.BytesIO(raw), filename=filename, lineno=1)
    return builder.finalize()  # type: ignore[no-any-return]


_BUILDER: Any = None


def _sharing_builder() -> Any:
    """Beancount's parse builder, sharing equal immutable values (defined on first use)."""
    global _BUILDER
    if _BUILDER is None:
        import datetime

        from beancount.parser import grammar

        day = datetime.date
        base = grammar.Builder
        # The base methods, called directly (no super() lookup: ~80 000 calls at 10k).
        amount, key_value, transaction = base.amount, base.key_value, base.transaction
        finalize_tags_links = base._finalize_tags_links

        class SharingBuilder(base):  # type: ignore[misc, valid-type]
            def __init__(self) -> None:
                base.__init__(self)
                self._shared: dict[Any, Any] = {}

            def amount(self, filename: Any, lineno: Any, number: Any, currency: Any) -> Any:
                shared = self._shared
                if type(currency) is str:
                    currency = shared.setdefault(currency, currency)
                made = amount(self, filename, lineno, number, currency)  # counts precisions
                if type(number) is not Decimal or type(currency) is not str:
                    return made
                # str() tells 1.0 from 1.00 (equal numbers, another precision).
                return shared.setdefault((str(number), currency), made)

            def _finalize_tags_links(self, tags: Any, links: Any) -> Any:
                tags, links = finalize_tags_links(self, tags, links)
                return self._shared.setdefault(tags, tags), self._shared.setdefault(links, links)

            def key_value(self, filename: Any, lineno: Any, key: Any, value: Any) -> Any:
                shared = self._shared
                if type(key) is str:
                    key = shared.setdefault(key, key)
                if type(value) is str:
                    value = shared.setdefault(value, value)
                return key_value(self, filename, lineno, key, value)

            def transaction(
                self,
                filename: Any,
                lineno: Any,
                date: Any,
                flag: Any,
                txn_strings: Any,
                tags_links: Any,
                posting_or_kv_list: Any,
            ) -> Any:
                shared = self._shared
                if type(date) is day:
                    date = shared.setdefault(date, date)
                if type(txn_strings) is list:
                    txn_strings = [
                        shared.setdefault(text, text) if type(text) is str else text
                        for text in txn_strings
                    ]
                return transaction(
                    self, filename, lineno, date, flag, txn_strings, tags_links, posting_or_kv_list
                )

        _BUILDER = SharingBuilder
    return _BUILDER


def vet_files(
    entity: str | None,
    main: Path,
    root: Path,
    allowed_plugins: frozenset[str],
    known: Any = None,
    overlay: dict[Path, bytes] | None = None,
) -> tuple[dict[Path, ParsedFile], list[LedgerProblem]]:
    """Parse ``main`` and its includes without running anything; refuse what is unsafe.

    Every file is read and hashed on every call; ``known`` (the disk cache's parses by
    real path and hash) only saves parsing bytes already parsed. ``overlay`` (real path →
    bytes) stands for files as a write would leave them (``close --dry-run``).
    """
    root = root.resolve()
    files: dict[Path, ParsedFile] = {}
    problems: list[LedgerProblem] = []

    def refuse(file: str | None, line: int | None, message: str) -> None:
        problems.append(LedgerProblem(entity, file, line, message))

    queue: list[tuple[Path, str | None, int | None, str | None]] = [(main, None, None, None)]
    while queue:
        candidate, from_file, from_line, written = queue.pop(0)
        real = Path(os.path.realpath(candidate))
        answers.observe("real", str(candidate), str(real))
        # Name a file as the ledger wrote it: an outside path is not shown resolved.
        shown = written if written is not None else _rel(candidate, root)
        if real != root and root not in real.parents:
            refuse(
                from_file,
                from_line,
                _("include {path!r} is refused: it leads outside the workspace.").format(
                    path=shown
                ),
            )
            continue
        if real in files:
            continue
        planned = overlay.get(real) if overlay is not None else None
        try:
            st = (
                real.stat()
                if planned is None
                else os.stat_result((0o100644, *[0] * 5, len(planned), 0, 0, 0))
            )
        except OSError:
            refuse(
                from_file,
                from_line,
                _(
                    "the included file {path!r} does not exist; create it or remove the include."
                ).format(path=shown)
                if from_file is not None
                else _("the file {path!r} does not exist.").format(path=shown),
            )
            continue
        import stat as stat_mod

        if not stat_mod.S_ISREG(st.st_mode) or real.suffix != ".beancount":
            refuse(
                from_file,
                from_line,
                _("include {path!r} is refused: only regular .beancount files are read.").format(
                    path=shown
                ),
            )
            continue
        if st.st_size > MAX_FILE_BYTES:
            refuse(
                from_file,
                from_line,
                _("the file {path!r} is too large to be a ledger ({size} bytes).").format(
                    path=shown, size=st.st_size
                ),
            )
            continue
        try:
            raw = real.read_bytes() if planned is None else planned
        except OSError as exc:
            refuse(shown, None, _("cannot read this file: {reason}.").format(reason=exc.strerror))
            continue
        rel = _rel(real, root)
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad_line = raw[: exc.start].count(b"\n") + 1
            refuse(
                rel,
                bad_line,
                _(
                    "this file is not UTF-8 (byte 0x{byte:02x}); convert it to UTF-8, "
                    "e.g. with 'iconv -f latin1 -t utf-8'."
                ).format(byte=raw[exc.start]),
            )
            continue
        digest = hashlib.sha256(raw).hexdigest()
        if planned is None:  # what the disk holds (a dry run's planned bytes are not)
            answers.observe("file", str(real), digest)
        entries, errors, options_map = _parse_bytes(raw, real, digest, known)
        parsed = ParsedFile(
            path=real,
            rel=rel,
            digest=digest,
            entries=entries,
            errors=errors,
            options=options_map,
        )
        files[real] = parsed
        _vet_options(parsed, allowed_plugins, refuse)
        _vet_documents(parsed, root, refuse)
        cache = real.with_name(f".{real.name}.picklecache")
        answers.observe("exists", str(cache), "1" if cache.exists() else "0")
        if cache.exists():
            problems.append(
                LedgerProblem(
                    entity,
                    _rel(cache, root),
                    None,
                    _(
                        "Beancount's pickle cache is never read by alusage-ledger (it could "
                        "run code); delete this file."
                    ),
                    "warning",
                )
            )
        for include in options_map.get("include", []):
            line = _include_line(raw, include)
            if os.path.isabs(include) or any(ch in include for ch in "*?["):
                refuse(
                    rel,
                    line,
                    _(
                        "include {path!r} is refused: includes must be relative paths "
                        "inside the workspace, without wildcards."
                    ).format(path=include),
                )
                continue
            target = real.parent / include
            parsed.includes.append(Path(os.path.normpath(target)))
            queue.append((Path(os.path.normpath(target)), rel, line, include))
    return files, problems


def _include_line(raw: bytes, include: str) -> int | None:
    needle = include.encode("utf-8")
    for number, line in enumerate(raw.split(b"\n"), start=1):
        if line.lstrip().startswith(b"include") and needle in line:
            return number
    return None


def _option_line(parsed: ParsedFile, keyword: str, name: str) -> int | None:
    try:
        raw = parsed.path.read_bytes()
    except OSError:
        return None
    for number, line in enumerate(raw.split(b"\n"), start=1):
        text = line.decode("utf-8", "replace").strip()
        if text.startswith(keyword) and name in text:
            return number
    return None


def _vet_options(parsed: ParsedFile, allowed: frozenset[str], refuse: Any) -> None:
    opts = parsed.options
    for name, _config in opts.get("plugin", []):
        if name not in allowed:
            refuse(
                parsed.rel,
                _option_line(parsed, "plugin", name),
                _(
                    "plugin {name!r} is refused: it is not on the allow-list "
                    "(workspace.allowed_plugins in alusage.toml); it was not run."
                ).format(name=name),
            )
    if opts.get("insert_pythonpath"):
        refuse(
            parsed.rel,
            _option_line(parsed, "option", "insert_pythonpath"),
            _("option 'insert_pythonpath' is refused: it would run code from the ledger's folder."),
        )
    if opts.get("plugin_processing_mode") == "raw":
        refuse(
            parsed.rel,
            _option_line(parsed, "option", "plugin_processing_mode"),
            _(
                "option 'plugin_processing_mode' \"raw\" is refused: it turns off Beancount's checks."
            ),
        )
    for name in (
        "inferred_tolerance_default",
        "tolerance_multiplier",
        "inferred_tolerance_multiplier",
        "infer_tolerance_from_cost",
    ):
        if name in opts and not _is_default(name, opts[name]):
            refuse(
                parsed.rel,
                _option_line(parsed, "option", name),
                _(
                    "option {name!r} is refused: it widens the tolerance and would hide "
                    "unbalanced amounts."
                ).format(name=name),
            )


def _vet_documents(parsed: ParsedFile, root: Path, refuse: Any) -> None:
    """``option "documents"`` folders are walked by Beancount: they stay in the workspace."""
    for folder in parsed.options.get("documents", []):
        real = Path(os.path.realpath(parsed.path.parent / folder))
        if os.path.isabs(folder) or (real != root and root not in real.parents):
            refuse(
                parsed.rel,
                _option_line(parsed, "option", "documents"),
                _(
                    "option 'documents' {path!r} is refused: document folders must be "
                    "relative paths inside the workspace."
                ).format(path=folder),
            )


def _root_hint(
    files: dict[Path, ParsedFile], main: Path, entity: str | None
) -> list[LedgerProblem]:
    """Included files that lack the main file's root-name options get one clear hint."""
    top = files.get(Path(os.path.realpath(main)))
    if top is None:
        return []
    wanted = [(name, top.options.get(name)) for name in ROOT_OPTIONS]
    hints = []
    for parsed in files.values():
        if parsed is top:
            continue
        missing = [(n, v) for n, v in wanted if parsed.options.get(n) != v]
        if missing and any("Invalid account name" in str(e.message) for e in parsed.errors):
            lines = " ".join(f'option "{n}" "{v}"' for n, v in missing)
            hints.append(
                LedgerProblem(
                    entity,
                    parsed.rel,
                    1,
                    _(
                        "this file does not repeat the root account names of {main}; "
                        "add these lines at its top: {lines}"
                    ).format(main=top.rel, lines=lines),
                )
            )
            parsed.errors = [
                e for e in parsed.errors if "Invalid account name" not in str(e.message)
            ]
    return hints


def _problem(entity: str | None, root: Path, error: Any) -> LedgerProblem:
    source = getattr(error, "source", None) or {}
    filename = source.get("filename") if isinstance(source, dict) else None
    line = source.get("lineno") if isinstance(source, dict) else None
    file = None
    if filename and not str(filename).startswith("<"):
        file = _rel(Path(filename), root)
    message = str(getattr(error, "message", error)).strip().splitlines()[0]
    return LedgerProblem(entity, file, int(line) if line else None, message)


def load_ledger(
    entity: str | None,
    main: Path,
    root: Path,
    allowed_plugins: frozenset[str],
    overlay: dict[Path, bytes] | None = None,
) -> LoadedLedger:
    """Vet, then book, transform and validate, like ``bean-check`` (RELIABILITY L1-L3, L5).

    The vetting runs on every call, on the bytes just read. Parses and booked results
    come from the disk cache (cache.py) when every file's hash matches a clean record;
    the rest is computed with :mod:`beanpipe` (Beancount's pipeline, same results).
    The garbage collector is off during the load and the loaded objects are frozen
    after it (``gc.freeze``): they are never garbage, and later collections skip them.
    With an ``overlay`` (see :func:`vet_files`), neither cache is read nor written.
    """
    from alusage_ledger.books import cache

    _disable_beancount_cache()
    from beancount import loader
    from beancount.core import data

    from alusage_ledger.books.beanpipe import book_transform_validate

    root = root.resolve()
    gc_was_enabled = gc.isenabled()
    gc.disable()  # L5: Beancount allocates many small objects and frees none during a load
    try:
        where = cache.folder_for(root) if overlay is None else None
        # The disk's parses help the first load of a ledger in this process; later loads
        # find every unchanged file in the process's own memo (_PARSE_CACHE).
        slot = (str(root), os.path.realpath(main))
        first = slot not in _LOADED_SLOTS
        _LOADED_SLOTS.add(slot)
        known = _DiskParses(where) if where is not None and first else None
        files, problems = vet_files(entity, main, root, allowed_plugins, known, overlay)
        top = files.get(Path(os.path.realpath(main)))
        if any(p.severity == "error" for p in problems) or top is None:
            answers.taint("a ledger was refused")
            return LoadedLedger(entity or "", root, main, files, [], problems, {})
        problems.extend(_root_hint(files, main, entity))
        key = cache.full_key(
            root, main, allowed_plugins, [(str(p), f.digest) for p, f in files.items()]
        )
        hit = _LOADED_MEMO.get(key) if cache.enabled() and overlay is None else None
        if hit is None and where is not None:
            record = cache.record(where, key)
            if record is not None:
                booked = cache.decode_booked(
                    [f.entries for f in files.values()],
                    record,
                    [(str(p), f.digest) for p, f in files.items()],
                )
                if booked is not None:
                    hit = (booked, record["options"])
                    if known is not None and known.missed:  # e.g. a damaged parse file
                        cache.store_parses(
                            where,
                            [(*k, _PARSE_CACHE[k]) for k in known.missed if k in _PARSE_CACHE],
                        )
        if hit is not None:
            _remember(key, hit)
            return LoadedLedger(entity or "", root, main, files, list(hit[0]), problems, hit[1])
        entries: list[Any] = []
        parse_errors: list[Any] = []
        for parsed in files.values():
            entries.extend(parsed.entries)
            parse_errors.extend(parsed.errors)
        others = [p.options for p in files.values() if p is not top]
        options_map = loader.aggregate_options_map(dict(top.options), others)
        options_map["include"] = sorted(str(p) for p in files)
        entries.sort(key=data.entry_sortkey)
        entries, errors = book_transform_validate(entries, parse_errors, options_map)
        problems.extend(_problem(entity, root, e) for e in errors)
        if (
            cache.enabled()
            and overlay is None
            and not errors
            and _cacheable(files, entries, options_map)
        ):
            _remember(key, (entries, options_map))
        clean = not any(p.severity == "error" for p in problems)
        if where is not None and clean and _cacheable(files, entries, options_map):
            # The parses as parsed (the root-name hint above filters a file's errors).
            parses = [
                (
                    str(p),
                    f.digest,
                    _PARSE_CACHE.get((str(p), f.digest)) or (f.entries, f.errors, f.options),
                )
                for p, f in files.items()
            ]
            cache.store_record(where, root, main, key, parses, entries, options_map)
        return LoadedLedger(entity or "", root, main, files, list(entries), problems, options_map)
    finally:
        gc.freeze()  # everything loaded lives until the process ends
        if gc_was_enabled:
            gc.enable()


#: Clean loads of this process by cache key (the same as the disk cache's): a ledger read
#: again unchanged (a new Workspace, a fresh reload) is neither unpickled nor booked again.
_LOADED_MEMO: dict[str, tuple[list[Any], dict[str, Any]]] = {}
#: (root, main) of the ledgers loaded by this process.
_LOADED_SLOTS: set[tuple[str, str]] = set()


def _remember(key: str, loaded: tuple[list[Any], dict[str, Any]]) -> None:
    _LOADED_MEMO.pop(key, None)
    _LOADED_MEMO[key] = loaded
    while len(_LOADED_MEMO) > 8:
        del _LOADED_MEMO[next(iter(_LOADED_MEMO))]


class _DiskParses:
    """The parses stored by the disk cache, by real path and hash (read on a memo miss)."""

    def __init__(self, where: Path) -> None:
        self.where = where
        self.missed: list[tuple[str, str]] = []

    def get(self, key: tuple[str, str]) -> tuple[list[Any], list[Any], dict[str, Any]] | None:
        from alusage_ledger.books import cache

        found = cache.read_parse(self.where, *key)
        if found is None:
            self.missed.append(key)
        return found

    def __bool__(self) -> bool:
        return True


def _cacheable(files: dict[Path, ParsedFile], entries: list[Any], options: dict[str, Any]) -> bool:
    """A load depends on nothing but the files' bytes: no outside plugin, no documents."""
    from beancount.core import data

    from alusage_ledger.books import answers

    if options.get("documents") or any(p.options.get("documents") for p in files.values()):
        answers.taint("documents read from the disk")
        return False
    if any(not str(name).startswith("beancount.") for name, _c in options.get("plugin", [])):
        answers.taint("a plugin outside Beancount")
        return False
    if any(isinstance(e, data.Document) for e in entries):
        answers.taint("documents read from the disk")
        return False
    return True


# --------------------------------------------------------------------------- workspace


class Workspace:
    """A folder with ``alusage.toml``: its config, its ledgers, its lock and its writer."""

    def __init__(self, root: Path, config: Config) -> None:
        self.root = root.resolve()
        self.config = config
        self._loaded: dict[str, LoadedLedger] = {}
        self._lock_depth = 0
        self._lock_file: Any = None

    @classmethod
    def open(cls, root: Path) -> Workspace:
        from alusage_ledger.books.config import CONFIG_NAME

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
                    entity=entity, path=_rel(main, self.root)
                ),
                [
                    LedgerProblem(
                        entity,
                        _rel(main, self.root),
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

    def _unchanged(self, ledger: LoadedLedger) -> bool:
        return self._changed_file(ledger) is None

    def _changed_file(self, ledger: LoadedLedger) -> str | None:
        """The first file of ``ledger`` whose bytes changed since it was read, or None."""
        for path, parsed in ledger.files.items():
            try:
                if hashlib.sha256(path.read_bytes()).hexdigest() != parsed.digest:
                    return parsed.rel
            except OSError:
                return parsed.rel
        return None

    # ---- files (what the writer reads and replaces; ``close --dry-run`` keeps them in memory)

    def _file_exists(self, path: Path) -> bool:
        return path.exists()

    def _file_bytes(self, path: Path) -> bytes | None:
        """A file's bytes, or None if it does not exist."""
        return path.read_bytes() if path.exists() else None

    def _put_file(self, path: Path, data: bytes | None) -> None:
        """Replace a file atomically (W5), or remove it (``None``)."""
        if data is None:
            answers.taint("a file was removed")
            path.unlink()
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
            timeout = float(os.environ.get("ALUSAGE_LOCK_TIMEOUT", "10"))
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
            self._clean_stale_temp_files()
            yield
        finally:
            self._lock_depth = 0
            self._lock_file = None
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
            handle.close()

    def _clean_stale_temp_files(self) -> None:
        # Holding the lock, any temp file left is from a writer that died (W5).
        for entity in self.config.entities.values():
            folder = (self.root / entity.ledger).parent
            if folder.is_dir():
                for tmp in folder.rglob(f"*{TMP_SUFFIX}"):
                    with contextlib.suppress(OSError):
                        tmp.unlink()

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
            writer = _Writer(self, appends, allow_closed=allow_closed, skip_present=skip_present)
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
                    ).format(file=_rel(path, self.root), main=_rel(main, self.root))
                )
            raw_file = path.read_bytes()
            expected = Counter(_canonical(e) for e in before.parsed_entries())
            expected.subtract(_canonical(e) for e in parsed.entries)
            try:
                atomic_write(main, b"\n".join(kept))  # the include first: never a dangling one
                _crash_point("after-uninclude")
                path.unlink()
                _fsync_dir(path.parent)
                self.forget(entity)
                after = self.load(entity, fresh=True)
                got = Counter(_canonical(e) for e in after.parsed_entries())
                if not after.ok or +got != +expected:
                    raise LedgerErrors(
                        _(
                            "The ledger of {entity} did not read back as expected after "
                            "removing {file}; nothing was changed."
                        ).format(entity=entity, file=_rel(path, self.root)),
                        after.errors,
                    )
                if then:
                    _Writer(self, then, allow_closed=False).run(dry_run=False)
            except BaseException:
                atomic_write(main, raw_main)
                atomic_write(path, raw_file)
                self.forget(entity)
                raise


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
    return f"{day.year:04d}/{day.month:02d}.beancount"


def closed_months(entries: Iterable[Any]) -> set[str]:
    """Months locked by a ``custom "alusage-close"`` directive (the closing issue)."""
    from beancount.core import data

    months = set()
    for entry in entries:
        if isinstance(entry, data.Custom) and entry.type == "alusage-close" and entry.values:
            months.add(str(entry.values[0].value))
    return months


# --------------------------------------------------------------------------- validation


def check_text(value: str, what: str) -> str:
    """Refuse user text the printer cannot be trusted with (W2); return it unchanged."""
    if len(value) > MAX_TEXT:
        raise UsageError(
            _("The {what} is too long ({length} characters, at most {limit}).").format(
                what=what, length=len(value), limit=MAX_TEXT
            )
        )
    for char in value:
        category = unicodedata.category(char)
        # Cf: bidi controls, zero-width and other invisible format characters.
        if char in _BIDI or category in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
            raise UsageError(
                _(
                    "The {what} contains a control or invisible character (U+{code:04X}); "
                    "remove it."
                ).format(what=what, code=ord(char))
            )
    return value


def _check_word(value: str, what: str, pattern: re.Pattern[str] = _TAG_LINK) -> None:
    if not pattern.fullmatch(value):
        raise UsageError(
            _(
                "The {what} {value!r} can only contain letters, digits and - _ / . characters."
            ).format(what=what, value=value)
        )


def _check_meta(meta: dict[str, Any] | None) -> None:
    if not meta:
        return
    for key, value in meta.items():
        if key in ("filename", "lineno") or key.startswith("__"):
            continue
        if not _META_KEY.fullmatch(key):
            raise UsageError(
                _("The metadata key {key!r} must be lowercase letters, digits and dashes.").format(
                    key=key
                )
            )
        if isinstance(value, str):
            check_text(value, _("metadata {key!r}").format(key=key))
        elif isinstance(value, bool | date):
            pass
        elif isinstance(value, Decimal):
            # The printer writes str(Decimal): "1E-7" would read back as an amount.
            if not value.is_finite() or "E" in str(value).upper():
                raise UsageError(
                    _("The metadata value of {key!r} is not a plain number.").format(key=key)
                )
        else:
            raise UsageError(
                _("The metadata value of {key!r} has an unsupported type.").format(key=key)
            )


def _check_amount(number: Any, currency: str, what: str) -> None:
    if not isinstance(number, Decimal) or not number.is_finite():
        raise UsageError(_("The {what} has no explicit amount.").format(what=what))
    if currency == "EUR" and number.as_tuple().exponent != -2:
        raise UsageError(
            _("The {what} must have exactly 2 decimals ({value}).").format(what=what, value=number)
        )


def validate_entry(entry: Any, open_accounts: set[str], roots: Sequence[str]) -> None:
    """W2: what ``printer.format_entry`` does not escape is checked here."""
    from beancount.core import account as account_lib
    from beancount.core import data

    def check_account(name: str) -> None:
        if not account_lib.is_valid(name) or name.split(":")[0] not in roots:
            raise UsageError(
                _("The account {name!r} is not a valid account name.").format(name=name)
            )
        if name not in open_accounts:
            raise UsageError(
                _("The account {name!r} is not open in this ledger.").format(name=name)
            )

    _check_meta(entry.meta)
    if isinstance(entry, data.Transaction):
        if entry.flag not in ("*", "!"):
            raise UsageError(_("Only the flags '*' and '!' are written."))
        if entry.payee is not None:
            check_text(entry.payee, _("payee"))
        check_text(entry.narration or "", _("narration"))
        for tag in entry.tags or ():
            _check_word(tag, _("tag"))
        for link in entry.links or ():
            _check_word(link, _("link"))
        if len(entry.postings) < 2:
            raise UsageError(_("A transaction needs at least two postings."))
        total = Decimal(0)
        for posting in entry.postings:
            check_account(posting.account)
            if posting.units is None:
                raise UsageError(_("Every posting written by the tool has an explicit amount."))
            _check_amount(posting.units.number, posting.units.currency, _("posting amount"))
            _check_word(posting.units.currency, _("currency"))
            if posting.flag not in (None, "*", "!"):
                raise UsageError(_("Only the flags '*' and '!' are written."))
            _check_meta(posting.meta)
            if posting.cost is None and posting.price is None:
                total += posting.units.number
        if total != 0 and all(p.cost is None and p.price is None for p in entry.postings):
            raise UsageError(
                _("The transaction does not balance (off by {diff}).").format(diff=total)
            )
    elif isinstance(entry, data.Open):
        if not account_lib.is_valid(entry.account) or entry.account.split(":")[0] not in roots:
            raise UsageError(
                _("The account {name!r} is not a valid account name.").format(name=entry.account)
            )
        for currency in entry.currencies or ():
            _check_word(currency, _("currency"))
    elif isinstance(entry, data.Balance):
        check_account(entry.account)
        _check_amount(entry.amount.number, entry.amount.currency, _("balance amount"))
    elif isinstance(entry, data.Custom):
        _check_word(entry.type, _("custom type"), _SAFE_WORD)
        for value in entry.values:
            raw = value.value
            if isinstance(raw, str):
                if value.dtype is str:
                    _check_word(raw, _("custom value"), _SAFE_WORD)
                else:  # an account
                    check_account(raw)
            elif not isinstance(raw, Decimal | date | bool) and type(raw).__name__ != "Amount":
                raise UsageError(
                    _("A custom directive may only carry ids, dates, numbers and amounts.")
                )
    elif isinstance(entry, data.Close):
        check_account(entry.account)
    else:
        raise UsageError(
            _("The tool does not write {kind} directives.").format(kind=type(entry).__name__)
        )


# --------------------------------------------------------------------------- writer


def _header(ledger: LoadedLedger) -> str:
    lines = [
        f'option "{name}" "{value}"'
        for name, value, default in zip(ROOT_OPTIONS, ledger.roots(), DEFAULT_ROOTS)
        if value != default
    ]
    return "\n".join(lines) + "\n" if lines else ""


def format_entries(entries: Sequence[Any]) -> str:
    from beancount.parser import printer

    # No dcontext: the ledger's display context would silently round (RELIABILITY).
    return "\n".join(printer.format_entry(entry) for entry in entries)


def _canonical(entry: Any) -> str:
    from alusage_ledger.books.canonical import canonical_form

    return canonical_form(entry)


def roundtrip_check(text: str, header: str, entries: Sequence[Any]) -> None:
    """W1: the text must parse back to exactly the intended entries."""
    from beancount.parser import parser

    parsed, errors, _opts = parser.parse_string(header + text)
    intended = Counter(_canonical(e) for e in entries)
    got = Counter(_canonical(e) for e in parsed)
    if errors or got != intended:
        raise UsageError(
            _(
                "This text cannot be written safely: it would not read back as the same "
                "entries; remove quotes, backslashes or special characters and try again."
            )
        )


def _fsync_dir(folder: Path) -> None:
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
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}{TMP_SUFFIX}")
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise IOFailure(
            _("Cannot write {path}: {reason}.").format(path=path, reason=exc.strerror)
        ) from exc


def _crash_point(name: str) -> None:
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


class _Writer:
    def __init__(
        self,
        ws: Workspace,
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
        cached = self.ws._loaded.get(entity)
        if cached is not None:
            changed = self.ws._changed_file(cached)
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
        from beancount.core import data

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
                validate_entry(entry, opened | batch_opens, ledger.roots())
                month = f"{entry.date.year:04d}-{entry.date.month:02d}"
                if month in closed and not self._inventory_window(item.entity, ledger, entry):
                    raise RefusedError(
                        _(
                            "{month} is closed for {entity}: book this document at an open "
                            "date with the metadata piece-date: {day} (e.g. 'bill add --date "
                            "<today> --piece-date {day}'); correct an entry of {month} with a "
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
                        _rel(path, ledger.root),
                        "",
                        not self.ws._file_exists(path),
                        [],
                    )
                    plans[path] = plan
                plan.entries.append(entry)

        for plan in plans.values():
            ledger = ledgers[plan.entity]
            plan.text = format_entries(plan.entries)
            roundtrip_check(plan.text, _header(ledger), plan.entries)
        if dry_run or not plans:
            return list(plans.values())

        # Nothing was changed by hand since the ledgers were read (fava's guarded writer).
        for entity, ledger in ledgers.items():
            changed = self.ws._changed_file(ledger)
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
                snapshots[path] = self.ws._file_bytes(path)

        try:
            for plan in plans.values():
                ledger = ledgers[plan.entity]
                real_main = Path(os.path.realpath(ledger.main))
                included = plan.path in ledger.files
                if plan.created:
                    snapshot(plan.path)
                    self.ws._put_file(plan.path, _header(ledger).encode("utf-8"))
                    _crash_point("after-new-file")
                elif not included:
                    orphan = ledger_entries_in(plan.path, self.ws._file_bytes(plan.path))
                    if orphan:
                        raise RefusedError(
                            _(
                                "{file} exists but is not included from {main}; include it "
                                "or move its entries before writing to it."
                            ).format(file=plan.rel, main=_rel(real_main, ledger.root))
                        )
                if not included:
                    snapshot(real_main)
                    include_rel = os.path.relpath(plan.path, real_main.parent)
                    line = f'include "{Path(include_rel).as_posix()}"\n'
                    old_main = self.ws._file_bytes(real_main) or b""
                    self.ws._put_file(real_main, appended(old_main, line, blank_line=False))
                    _crash_point("after-include")
                snapshot(plan.path)
                old = self.ws._file_bytes(plan.path) or b""
                self.ws._put_file(plan.path, appended(old, plan.text))
                _crash_point("after-append")
            self._verify(ledgers, plans)
        except BaseException:
            for path, before in snapshots.items():
                with contextlib.suppress(OSError):
                    self.ws._put_file(path, before)
            for entity in ledgers:
                self.ws.forget(entity)
            raise
        return list(plans.values())

    def _verify(self, ledgers: dict[str, LoadedLedger], plans: dict[Path, PlannedFile]) -> None:
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
                _canonical(e)
                for p, f in before.files.items()
                if (p, f.digest) not in same
                for e in f.entries
            )
            for plan in plans.values():
                if plan.entity == entity:
                    expected.update(_canonical(e) for e in plan.entries)
            got = Counter(
                _canonical(e)
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


def ledger_entries_in(path: Path, raw: bytes | None = None) -> list[Any]:
    if raw is None:
        if not path.exists():
            return []
        raw = path.read_bytes()
    entries, _errors, _opts = _parse_bytes(raw, path)
    return list(entries)
