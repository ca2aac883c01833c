"""The vetted loader: the only place that reads ledgers (RELIABILITY L1-L3, L5).

Every file is parsed with Beancount's parser (:mod:`alusage_ledger.books.parsing`), which
records plugins, includes and options without acting on them. The tool walks the
includes itself and refuses, *before* anything runs, plugins outside the allow-list,
options that run code or widen tolerances, and includes that leave the workspace, use
wildcards or are not regular ``.beancount`` files. Only then are the vetted parses
booked, transformed by the (allowed) plugins and validated
(:mod:`alusage_ledger.books.beanpipe`), the same pipeline as ``bean-check`` but without
Beancount's pickle cache and without a second parse. Clean loads are remembered by this
process and by the disk cache (:mod:`alusage_ledger.books.cache`).
"""

from __future__ import annotations

import copy
import gc
import hashlib
import os
import stat as stat_mod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from beancount import loader as bean_loader
from beancount.core import data
from beancount.parser import options as bean_options

from alusage_ledger.books import answers, beanpipe, cache
from alusage_ledger.books.parsing import PARSE_CACHE, parse_bytes
from alusage_ledger.core.errors import LedgerProblem
from alusage_ledger.core.i18n import _

ROOT_OPTIONS = ("name_assets", "name_liabilities", "name_equity", "name_income", "name_expenses")
DEFAULT_ROOTS = ("Assets", "Liabilities", "Equity", "Income", "Expenses")
MAX_FILE_BYTES = 64 * 1024 * 1024


def _disable_beancount_cache() -> None:
    # L2: never read or write a ``.picklecache`` (a planted one would run on load).
    bean_loader.initialize(False)


@dataclass
class ParsedFile:
    path: Path
    rel: str
    digest: str
    entries: list[Any]
    errors: list[Any]
    options: dict[str, Any]
    includes: list[Path] = field(default_factory=list)
    #: The path as the ledger wrote it (absolute, normalised, links not resolved): the
    #: ``filename`` of its entries and errors, as Beancount names it (``path`` is real).
    name: str = ""
    #: Errors Beancount reports right after this file's (a missing or repeated include).
    after: list[Any] = field(default_factory=list)

    @property
    def source(self) -> str:
        return self.name or str(self.path)


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
        return {e.account for e in self.entries if isinstance(e, data.Open)}

    def folder(self) -> Path:
        return self.main.parent


def relative(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` (as posix), or as given when it is outside."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def own_options(options: dict[str, Any]) -> dict[str, Any]:
    """A copy of a parsed file's options that a load may change: Beancount's
    ``aggregate_options_map`` adds the included files' counts to the main file's display
    context *in place*, and the parse is kept (in memory and on disk) for the next load."""
    mine = dict(options)
    mine["dcontext"] = copy.deepcopy(options["dcontext"])
    return mine


def _is_default(name: str, value: Any) -> bool:
    return bool(bean_options.OPTIONS_DEFAULTS.get(name) == value)


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

    # (path as written, the including file, its line, the include as written)
    queue: list[tuple[Path, ParsedFile | None, int | None, str | None]] = [
        (Path(os.path.normpath(main)), None, None, None)
    ]
    names: dict[str, Path] = {}  # path as written → real path, of the files parsed
    last: ParsedFile | None = None
    while queue:
        candidate, parent, from_line, written = queue.pop(0)
        name = str(candidate)
        from_file = None if parent is None else parent.name
        from_rel = None if parent is None else relative(Path(parent.name), root)
        if name in names and last is not None:
            # Beancount: 'Duplicate filename parsed' (a file included twice, or a cycle).
            last.after.append(
                _load_error(
                    from_file,
                    from_line,
                    _(
                        "the file {path!r} is included more than once; Beancount reads it "
                        "once: remove the other include."
                    ).format(path=written),
                )
            )
            continue
        real = Path(os.path.realpath(candidate))
        answers.observe("real", str(candidate), str(real))
        # Name a file as the ledger wrote it: an outside path is not shown resolved.
        shown = written if written is not None else relative(candidate, root)
        if real != root and root not in real.parents:
            refuse(
                from_rel,
                from_line,
                _("include {path!r} is refused: it leads outside the workspace.").format(
                    path=shown
                ),
            )
            continue
        if real in files:
            refuse(
                from_rel,
                from_line,
                _(
                    "include {path!r} is refused: it is {other!r} under another name (a "
                    "link); include each file once, by one name."
                ).format(path=shown, other=files[real].rel),
            )
            continue
        planned = overlay.get(real) if overlay is not None else None
        try:
            st = (
                real.stat()
                if planned is None
                else os.stat_result((0o100644, *[0] * 5, len(planned), 0, 0, 0))
            )
        except OSError:
            if parent is None:
                refuse(None, None, _("the file {path!r} does not exist.").format(path=shown))
            else:  # Beancount: 'File glob ... does not match any files', after the
                # including file's own errors; the rest is loaded and checked
                answers.observe("exists", str(candidate), "0")  # a replay sees it appear
                parent.after.append(
                    _load_error(
                        from_file,
                        from_line,
                        _(
                            "the included file {path!r} does not exist; create it or "
                            "remove the include."
                        ).format(path=shown),
                    )
                )
            continue
        if not stat_mod.S_ISREG(st.st_mode) or real.suffix != ".beancount":
            refuse(
                from_rel,
                from_line,
                _("include {path!r} is refused: only regular .beancount files are read.").format(
                    path=shown
                ),
            )
            continue
        if st.st_size > MAX_FILE_BYTES:
            refuse(
                from_rel,
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
        rel = relative(real, root)
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
        entries, errors, options_map = parse_bytes(raw, candidate, digest, known)
        parsed = ParsedFile(
            path=real,
            rel=rel,
            digest=digest,
            entries=entries,
            errors=errors,
            options=options_map,
            name=name,
        )
        files[real] = parsed
        names[name] = real
        last = parsed
        _vet_options(parsed, allowed_plugins, refuse)
        _vet_documents(parsed, root, refuse)
        pickle_cache = real.with_name(f".{real.name}.picklecache")
        answers.observe("exists", str(pickle_cache), "1" if pickle_cache.exists() else "0")
        if pickle_cache.exists():
            problems.append(
                LedgerProblem(
                    entity,
                    relative(pickle_cache, root),
                    None,
                    _(
                        "Beancount's pickle cache is never read by alusage-ledger (it could "
                        "run code); delete this file."
                    ),
                    "warning",
                )
            )
        occurrences: dict[str, int] = {}
        for include in options_map.get("include", []):
            seen = occurrences[include] = occurrences.get(include, 0) + 1
            line = _include_line(raw, include, seen)
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
            # Relative to the including file as written (a link's folder), as Beancount.
            target = Path(os.path.normpath(candidate.parent / include))
            parsed.includes.append(target)
            queue.append((target, parsed, line, include))
    return files, problems


def _include_line(raw: bytes, include: str, occurrence: int = 1) -> int | None:
    """The line of the ``occurrence``-th ``include`` of ``include`` in ``raw``."""
    needle = include.encode("utf-8")
    for number, line in enumerate(raw.split(b"\n"), start=1):
        if line.lstrip().startswith(b"include") and needle in line:
            occurrence -= 1
            if occurrence == 0:
                return number
    return None


def _load_error(filename: str | None, line: int | None, message: str) -> Any:
    """An error of the load itself, at the include that caused it (Beancount's are at
    ``<load>:0``)."""
    return bean_loader.LoadError(data.new_metadata(filename or "<load>", line or 0), message)


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
        file = relative(Path(filename), root)
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
    _disable_beancount_cache()
    root = root.resolve()
    gc_was_enabled = gc.isenabled()
    gc.disable()  # L5: Beancount allocates many small objects and frees none during a load
    try:
        where = cache.folder_for(root) if overlay is None else None
        # The disk's parses help the first load of a ledger in this process; later loads
        # find every unchanged file in the process's own memo (PARSE_CACHE).
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
        sources = [(f.source, f.digest) for f in files.values()]
        key = cache.full_key(root, main, allowed_plugins, sources)
        hit = _LOADED_MEMO.get(key) if cache.enabled() and overlay is None else None
        if hit is None and where is not None:
            record = cache.record(where, key)
            if record is not None:
                booked = cache.decode_booked([f.entries for f in files.values()], record, sources)
                if booked is not None:
                    hit = (booked, record["options"])
                    if known is not None and known.missed:  # e.g. a damaged parse file
                        cache.store_parses(
                            where,
                            [(*k, PARSE_CACHE[k]) for k in known.missed if k in PARSE_CACHE],
                        )
        if hit is not None:
            _remember(key, hit)
            options = dict(hit[1])
            options["input_hash"] = bean_loader.compute_input_hash(options["include"])
            return LoadedLedger(entity or "", root, main, files, list(hit[0]), problems, options)
        entries: list[Any] = []
        parse_errors: list[Any] = []
        for parsed in files.values():
            entries.extend(parsed.entries)
            parse_errors.extend(parsed.errors)
            parse_errors.extend(parsed.after)  # where Beancount reports them
        others = [p.options for p in files.values() if p is not top]
        options_map = bean_loader.aggregate_options_map(own_options(top.options), others)
        options_map["include"] = sorted(f.source for f in files.values())
        entries.sort(key=data.entry_sortkey)
        entries, errors = beanpipe.book_transform_validate(entries, parse_errors, options_map)
        options_map["input_hash"] = bean_loader.compute_input_hash(options_map["include"])
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
                    f.source,
                    f.digest,
                    PARSE_CACHE.get((f.source, f.digest)) or (f.entries, f.errors, f.options),
                )
                for f in files.values()
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
        found = cache.read_parse(self.where, *key)
        if found is None:
            self.missed.append(key)
        return found

    def __bool__(self) -> bool:
        return True


def _cacheable(files: dict[Path, ParsedFile], entries: list[Any], options: dict[str, Any]) -> bool:
    """A load depends on nothing but the files' bytes: no outside plugin, no documents."""
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
