"""``close --dry-run``: the close computed in memory (:class:`PlannedWorkspace`).

The same code as the real close runs on the real workspace's ledgers; the files it would
write are kept in an overlay. A fast pass parses only what changed and vouches for its
result with :meth:`PlannedWorkspace.settle`; whatever it cannot vouch for raises
:class:`Inexact`, and the exact pass (every write loaded again, like the real writer's
verification) decides.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from beancount import loader
from beancount.core import data
from beancount.core import data as bdata
from beancount.parser import parser

from alusage_ledger.books.beanpipe import book, plain_postings
from alusage_ledger.books.ledger import Workspace
from alusage_ledger.books.loader import LoadedLedger, ParsedFile, load_ledger
from alusage_ledger.books.parsing import parse_source
from alusage_ledger.books.writer import PlannedFile, Writer, file_header
from alusage_ledger.core.errors import LedgerErrors
from alusage_ledger.domains.closing.snapshot import ignored, rel_path


class Inexact(BaseException):
    """The fast dry run cannot vouch for an exact result; the exact pass runs instead.

    A BaseException, so that no step's ``except Exception`` can swallow it.
    """


class PlannedWorkspace(Workspace):
    """The workspace as a write (here, a close) would leave it, kept in memory.

    Its ledgers start as the real workspace's loads. The writer runs as usual, but the
    files it replaces are kept in ``overlay`` (real path → bytes) and a ledger read again
    is read from there; nothing is written, not even a lock file.

    ``exact``: a ledger written to is loaded again exactly as the real writer's
    verification loads it (every changed file parsed, then the whole ledger booked,
    transformed and validated). Otherwise (the fast pass), only the changed files are
    parsed; the entries of the others keep their booked form (a posting with its number
    and currency, without cost nor price, is booked the same whatever else the ledger
    holds) and validation waits for :meth:`settle`, which loads each ledger written to
    once, exactly, and compares. Whatever the fast pass cannot vouch for raises
    :class:`Inexact`.
    """

    def __init__(self, real: Workspace, *, exact: bool) -> None:
        super().__init__(real.root, real.config)
        self.real = real
        self.exact = exact
        self.overlay: dict[Path, bytes] = {}
        self._booked: dict[str, dict[int, tuple[Any, Any]]] = {}
        self._new: dict[str, list[tuple[int, PlannedFile]]] = {}  # (write, file written)
        self._writes = 0
        self._parses: dict[Path, tuple[bytes, ParsedFile]] = {}
        self._header_options: dict[bytes, dict[str, Any]] = {}

    # ---- files

    def file_exists(self, path: Path) -> bool:
        return path in self.overlay or path.exists()

    def file_bytes(self, path: Path) -> bytes | None:
        found = self.overlay.get(path)
        return found if found is not None else super().file_bytes(path)

    def put_file(self, path: Path, data: bytes | None) -> None:
        if data is None:
            self.overlay.pop(path, None)
            return
        # Where atomic_write's mkdir would fail (a file in the way), fail the same way.
        folder = path.parent
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        if not folder.is_dir():
            code = errno.EEXIST if folder == path.parent else errno.ENOTDIR
            raise OSError(
                code, os.strerror(code), str(folder if code == errno.EEXIST else path.parent)
            )
        self.overlay[path] = data

    def changes(self, folders: Iterable[Path]) -> list[tuple[Path, bytes, bytes]]:
        """(real path, bytes now, bytes planned) of each file that would change under
        ``folders``, sorted like :meth:`Snapshot.changed`."""
        roots = {Path(os.path.realpath(f)) for f in folders}
        out = []
        for path, content in self.overlay.items():
            real = Path(os.path.realpath(path))
            if ignored(real) or not any(r == real or r in real.parents for r in roots):
                continue
            old = real.read_bytes() if real.is_file() else b""
            if content != old or not real.is_file():
                out.append((real, old, content))
        return sorted(out, key=lambda item: item[0])

    # ---- ledgers

    @contextlib.contextmanager
    def lock(self, timeout: float | None = None) -> Iterator[None]:
        yield  # nothing is written: no lock file is needed (nor created)

    def remove_close_file(self, entity: str, rel: str, then: Sequence[Any] = ()) -> None:
        raise NotImplementedError("close --dry-run plans no removal")  # no step removes

    def changed_file(self, ledger: LoadedLedger) -> str | None:
        for path, parsed in ledger.files.items():
            try:
                data = self.file_bytes(path)
            except OSError:
                return parsed.rel
            if data is None or hashlib.sha256(data).hexdigest() != parsed.digest:
                return parsed.rel
        return None

    def load(self, entity: str, *, fresh: bool = False) -> LoadedLedger:
        ledger = self.last_read(entity)
        if ledger is not None and not fresh:
            return ledger
        base = self.real.load(entity)
        if ledger is None and not any(path in self.overlay for path in base.files):
            ledger = base
        elif ledger is not None and not any(path in self.overlay for path in ledger.files):
            ledger = ledger if ledger.files.keys() == base.files.keys() else self._reload(entity)
        else:
            ledger = self._reload(entity)
        self.remember(entity, ledger)
        return ledger

    def write(
        self,
        appends: Sequence[Any],
        *,
        allow_closed: bool = False,
        dry_run: bool = False,
        skip_present: str | None = None,
    ) -> list[Any]:

        # Workspace.write, without the lock (nothing is written).
        writer = Writer(self, appends, allow_closed=allow_closed, skip_present=skip_present)
        if not self.exact:
            # The fast pass reloads what was written; W6's verification (no error, the
            # entries read back as intended) waits for settle(), once for every write.
            writer.verify = self._reload_written  # type: ignore[method-assign]
        plans = writer.run(dry_run=dry_run)
        if not dry_run:
            self._writes += 1
            for plan in plans:
                self._new.setdefault(plan.entity, []).append((self._writes, plan))
        return plans

    def _reload_written(self, ledgers: dict[str, Any], plans: dict[Path, Any]) -> None:
        for entity in ledgers:
            self.load(entity, fresh=True)

    def _reload(self, entity: str) -> LoadedLedger:
        main = self.ledger_main(entity)
        if self.exact:
            return load_ledger(entity, main, self.root, self.config.allowed_plugins(), self.overlay)
        return self._fast_load(entity, main)

    def _booked_memo(self, entity: str) -> dict[int, tuple[Any, Any]]:
        """id(parsed entry) → (parsed entry, booked entry), from the real load."""

        memo = self._booked.get(entity)
        if memo is not None:
            return memo
        ledger = self.real.load(entity)
        parsed = sorted(ledger.parsed_entries(), key=data.entry_sortkey)
        if not ledger.ok or len(parsed) != len(ledger.entries):
            raise Inexact
        memo = {}
        for before, after in zip(parsed, ledger.entries):
            if (
                type(before) is not type(after)
                or before.date != after.date
                or before.meta.get("lineno") != after.meta.get("lineno")
                or before.meta.get("filename") != after.meta.get("filename")
                or not _plain(before)
            ):
                raise Inexact
            memo[id(before)] = (before, after)
        self._booked[entity] = memo
        return memo

    def _fast_load(self, entity: str, main: Path) -> LoadedLedger:

        memo = self._booked_memo(entity)
        real = self.real.load(entity)
        before = self.last_read(entity) or real
        # The files, walked like vet_files does (breadth first from main.beancount).
        files: dict[Path, ParsedFile] = {}
        queue = [Path(os.path.realpath(main))]
        while queue:
            path = queue.pop(0)
            if path not in files:
                files[path] = self._planned_parse(path, before, real)
                queue.extend(Path(os.path.realpath(p)) for p in files[path].includes)
        top = files[Path(os.path.realpath(main))]
        problems = list(before.problems)  # warnings only (the ledger is clean)
        others = [f.options for f in files.values() if f is not top]
        options = loader.aggregate_options_map(dict(top.options), others)
        options["include"] = sorted(str(p) for p in files)
        if (
            options.get("plugin")
            or options.get("documents")
            or options.get("plugin_processing_mode", "default") != "default"
        ):
            raise Inexact
        parsed = [e for f in files.values() for e in f.entries]
        parsed.sort(key=data.entry_sortkey)
        fresh = [e for e in parsed if memo.get(id(e), (None,))[0] is not e]
        if not all(_plain(e) for e in fresh):
            raise Inexact
        booked = book(fresh, options)
        if booked is None:
            raise Inexact
        memo.update((id(e), (e, b)) for e, b in zip(fresh, booked))
        entries = [memo[id(e)][1] for e in parsed]
        return LoadedLedger(entity, self.root, main, files, entries, problems, options)

    def _planned_parse(self, path: Path, before: LoadedLedger, real: LoadedLedger) -> ParsedFile:
        """The parse of a file as planned. A file the writer appended to is its last parse
        plus the parse of the appended text alone, numbered from the line where it starts
        and read after the ledger's header (the root names), when the file's own options
        are nothing but that header's: the text of a file after a complete entry is parsed
        the same whatever came before, but for the options and the pushed tags and
        metadata (unbalanced ones are errors, the ledger has none). Otherwise, the whole
        planned bytes are parsed."""

        data = self.overlay.get(path)
        known = before.files.get(path) or real.files.get(path)
        if data is None:
            if known is None:
                raise Inexact  # a file no load read, and nothing planned: let vet_files say
            return known
        digest = hashlib.sha256(data).hexdigest()
        last = self._parses.get(path)
        if last is None and known is not None:
            now = path.read_bytes() if path.is_file() else b""
            if hashlib.sha256(now).hexdigest() != known.digest:
                raise Inexact  # changed on the disk since it was read
            last = (now, known)
        if last is not None and last[1].digest == digest:
            return last[1]
        header = file_header(before).encode("utf-8")
        if last is not None and data.startswith(last[0]) and self._header_only(last[1], header):
            old_bytes, old = last
            first = old_bytes.count(b"\n") + 1 - header.count(b"\n")
            if first < 1:
                raise Inexact
            added, errors, more = parser.parse_string(
                header + data[len(old_bytes) :], report_filename=str(path), report_firstline=first
            )
            if errors:
                raise Inexact
            # The display context is left as it was (nothing here prints with it).
            options = {**old.options, "include": [*old.options["include"], *more["include"]]}
            # Beancount's parser gives a file's entries sorted (date, kind, line).
            entries = sorted([*old.entries, *added], key=bdata.entry_sortkey)
            includes = [*old.includes, *self._includes(path, more["include"])]
        else:
            if path.with_name(f".{path.name}.picklecache").exists() or len(data) > (64 << 20):
                raise Inexact  # vet_files would warn or refuse
            entries, errors, options = parse_source(data, str(path))
            # Options as vetted before (or a new file's: the header's), includes aside.
            if errors or not self._same_options(
                options, last[1].options if last is not None else self._header_parse(header)
            ):
                raise Inexact
            includes = self._includes(path, options["include"])
        rel = known.rel if known is not None else rel_path(path, self.root)
        parsed = ParsedFile(path, rel, digest, entries, [], options, includes)
        self._parses[path] = (data, parsed)
        return parsed

    def _header_only(self, parsed: ParsedFile, header: bytes) -> bool:
        """The file's options are those of the ledger's header alone (includes aside)."""
        return self._same_options(parsed.options, self._header_parse(header))

    def _header_parse(self, header: bytes) -> dict[str, Any]:

        if header not in self._header_options:
            self._header_options[header] = parser.parse_string(header)[2]
        return self._header_options[header]

    @staticmethod
    def _same_options(one: dict[str, Any], other: dict[str, Any]) -> bool:
        ignored = ("include", "dcontext", "filename")
        return {k: v for k, v in one.items() if k not in ignored} == {
            k: v for k, v in other.items() if k not in ignored
        }

    def _includes(self, path: Path, names: Sequence[str]) -> list[Path]:
        out = []
        for name in names:
            target = Path(os.path.realpath(path.parent / name))
            if (
                os.path.isabs(name)
                or any(ch in name for ch in "*?[")
                or self.root not in target.parents
                or target.suffix != ".beancount"
                or not (target in self.overlay or target.is_file())
            ):
                raise Inexact  # vet_files would refuse it
            out.append(Path(os.path.normpath(path.parent / name)))
        return out

    def settle(self) -> None:
        """End of the fast pass: every ledger written to is loaded again exactly, and must
        pass W6's verification for all the writes at once (no error, the entries read back
        as intended) and equal what the fast pass computed. And no balance assertion
        already there may cover a posting of the steps: a write in between could have
        broken it (only the end was validated). Otherwise :class:`Inexact`."""

        if self.exact:
            return
        fast = {entity: self.load(entity) for entity in self._new}
        merged: dict[Path, PlannedFile] = {}
        for plans in self._new.values():
            for _write, plan in plans:
                known = merged.get(plan.path)
                if known is None:
                    merged[plan.path] = PlannedFile(
                        plan.entity, plan.path, plan.rel, "", plan.created, list(plan.entries)
                    )
                else:
                    known.entries.extend(plan.entries)
        self.exact = True  # from now on, a ledger read again is loaded exactly
        try:
            before = {entity: self.real.load(entity) for entity in self._new}
            Writer(self, (), allow_closed=False).verify(before, merged)
        except LedgerErrors:
            raise Inexact from None
        for entity, plans in self._new.items():
            exact = self.load(entity)
            if (
                exact.entries != fast[entity].entries
                or exact.problems != fast[entity].problems
                or list(exact.files) != list(fast[entity].files)
                or exact.parsed_entries() != fast[entity].parsed_entries()
            ):
                raise Inexact
            # The same ledger; the fast one shares the real load's objects (less memory).
            self.remember(entity, fast[entity])
            # A balance assertion (already there: write 0) is checked after every later
            # write; only the ledger after the last one was validated. One of the postings
            # of a write in between, dated before it, on its account or a sub-account, in
            # its currency, could have broken it on the way (and a later one mended it).
            last = max(write for write, _plan in plans)
            balances = [(0, e) for e in self.real.load(entity).entries]
            balances += [(write, e) for write, plan in plans for e in plan.entries]
            postings = [
                (write, entry.date, posting.account, posting.units.currency)
                for write, plan in plans
                if write < last
                for entry in plan.entries
                if isinstance(entry, data.Transaction)
                for posting in entry.postings
            ]
            for since, entry in balances:
                if not isinstance(entry, data.Balance):
                    continue
                prefix = entry.account + ":"
                for write, day, account, currency in postings:
                    if (
                        write > since
                        and day < entry.date
                        and currency == entry.amount.currency
                        and (account == entry.account or account.startswith(prefix))
                    ):
                        raise Inexact


def _plain(entry: Any) -> bool:
    """Neither a pad nor a document, and a transaction's postings are plain (booked the
    same whatever else the ledger holds)."""
    if type(entry) is not data.Transaction:
        return not isinstance(entry, (data.Transaction, data.Pad, data.Document))
    return plain_postings(entry.postings)
