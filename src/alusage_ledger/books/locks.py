"""Month locks: the digest chain over closed months, and the ``check`` rule that verifies it.

A closed month M of an entity is locked by the generated file ``<YYYY>/<MM>.close.beancount``
(see ``closing.py``), which holds exact balance assertions dated the first day of M+1 and::

    2026-12-01 custom "alusage-close" "2026-11" "<digest>"
      closed-on: 2026-12-03
      lock-hash: "<sha256 of the close file's own entries>"

``digest`` is :func:`canonical.chain_digest` of the previous close's digest and of every
entry dated in M, in every file of the ledger, hashed as *parsed* (before booking, so the
hash is what is written). The first closed month of an entity (its ``books_start``) has
no previous digest and also covers every entry dated before it. Because each close
chains the *stored* digest of the one before, a change is reported on the month it
touches, not on every later month.

``lock-hash`` covers the close file itself (its assertions and the close directive
without that key): a close file edited by hand is caught even though its entries are
dated in the next, still open, month.

One documented exception, for the exercice's inventory window (the Year issue): entries
dated the last day of an exercice and tagged ``#inventaire`` (inventory entries) or
``#cloture`` (the closing of income and expenses into the result) are not part of that
month's digest; the exercice lock covers them.

``check`` recomputes every digest and the chain. When a digest no longer matches and the
workspace is a git repository, the month's entries are compared with the last revision
whose entries still give the stored digest, so the error names the entry that was added,
removed or changed, not only the month.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import subprocess
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from beancount.parser import parser

from alusage_ledger.books import answers, cache
from alusage_ledger.books.canonical import (
    CANONICAL_VERSION,
    canonical_form,
    chain_digest,
    entry_hash,
)
from alusage_ledger.books.checks import parsed_rule, problem_at
from alusage_ledger.books.exercice import YEAR_CLOSE_GEN_PREFIX
from alusage_ledger.core.errors import LedgerProblem
from alusage_ledger.core.i18n import _
from alusage_ledger.core.periods import Month

if TYPE_CHECKING:
    from alusage_ledger.books.entityconfig import EntityConfig
    from alusage_ledger.books.ledger import Workspace
    from alusage_ledger.books.loader import LoadedLedger

CLOSE_TYPE = "alusage-close"
REOPEN_TYPE = "alusage-reopen"
EXERCICE_CLOSE_TYPE = "alusage-close-exercice"
INVENTORY_TAG = "inventaire"
#: Tags of the entries dated the exercice's last day that the exercice lock covers (the
#: inventory entries, and the closing of the income and expense accounts into the result).
EXERCICE_END_TAGS = frozenset({INVENTORY_TAG, "cloture"})
CLOSED_ON_KEY = "closed-on"
LOCK_HASH_KEY = "lock-hash"

_CLOSE_FILE = re.compile(r"^(\d{4})/(0[1-9]|1[0-2])\.close\.beancount$")
_DIGEST = re.compile(r"^[0-9a-f]{64}$")
_GIT_TIMEOUT = 20


# --------------------------------------------------------------------------- months


def close_file_rel(month: Month) -> str:
    """The lock file of a month, relative to the folder of the entity's main file."""
    return f"{month.year:04d}/{month.number:02d}.close.beancount"


def exercice_end_in(entity: EntityConfig, month: Month) -> date | None:
    """The exercice's last day when it falls in ``month`` (the inventory window), else None."""
    end = entity.exercice_of(month.first_day).last_day
    return end if end in month else None


def start_month(entity: EntityConfig, parsed_entries: Iterable[Any]) -> Month | None:
    """The first month of the entity's books: ``books_start``, else its earliest entry's."""
    if entity.books_start:
        return entity.books_start_month()
    dates = [e.date for e in parsed_entries if hasattr(e, "date")]
    return Month.of(min(dates)) if dates else None


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class CloseRecord:
    """One ``custom "alusage-close"`` directive: its month as written (``text``) and read
    (``month``, None when malformed; ``check`` reports it)."""

    text: str
    month: Month | None
    digest: str
    closed_on: date | None
    lock_hash: str | None
    entry: Any


def _custom_values(entry: Any) -> list[Any]:
    return [v.value for v in entry.values]


def is_close(entry: Any) -> bool:
    return type(entry).__name__ == "Custom" and entry.type == CLOSE_TYPE


def close_records(entries: Iterable[Any]) -> tuple[dict[Month, CloseRecord], list[CloseRecord]]:
    """The close directives by month, and any duplicates (a month closed twice); a
    directive whose month is malformed is left out (``check`` reports it)."""
    records, duplicates = _close_records(entries)
    return {r.month: r for r in records.values() if r.month is not None}, duplicates


def _month_or_none(text: str) -> Month | None:
    try:
        return Month.from_text(text)
    except ValueError:
        return None


def _close_records(entries: Iterable[Any]) -> tuple[dict[str, CloseRecord], list[CloseRecord]]:
    """The close directives by month as written, and any duplicates."""
    records: dict[str, CloseRecord] = {}
    duplicates: list[CloseRecord] = []
    for entry in entries:
        if not is_close(entry):
            continue
        values = _custom_values(entry)
        month = str(values[0]) if values else ""
        digest = str(values[1]) if len(values) > 1 else ""
        meta = entry.meta or {}
        closed_on = meta.get(CLOSED_ON_KEY)
        lock = meta.get(LOCK_HASH_KEY)
        record = CloseRecord(
            month,
            _month_or_none(month),
            digest,
            closed_on if isinstance(closed_on, date) else None,
            lock if isinstance(lock, str) else None,
            entry,
        )
        if month in records:
            duplicates.append(record)
        else:
            records[month] = record
    return records, duplicates


# --------------------------------------------------------------------------- digests


def is_inventory(entry: Any, inventory_day: date | None) -> bool:
    """An inventory (or result-closing) entry of the exercice's last day, or an entry
    written by ``year close`` (outside the month's digest)."""
    if str((entry.meta or {}).get("gen-id", "")).startswith(YEAR_CLOSE_GEN_PREFIX):
        return True
    return (
        inventory_day is not None
        and entry.date == inventory_day
        and bool(EXERCICE_END_TAGS & set(getattr(entry, "tags", None) or ()))
    )


def locked_entries(
    parsed_entries: Iterable[Any], month: Month, *, first: bool, inventory_day: date | None
) -> list[Any]:
    """The entries a month's digest covers (all before it too for the first closed month)."""
    start, end = month.first_day, month.last_day
    out = []
    for entry in parsed_entries:
        day = getattr(entry, "date", None)
        if day is None or day > end or (day < start and not first):
            continue
        if is_inventory(entry, inventory_day):
            continue
        out.append(entry)
    return out


def month_digest(previous: str | None, entries: Iterable[Any]) -> str:
    return chain_digest(previous, entries)


def lock_hash(entries: Iterable[Any]) -> str:
    """SHA-256 over a close file's entries (the close directive without ``lock-hash``)."""
    exclude = frozenset({LOCK_HASH_KEY})
    hashes = sorted(entry_hash(e, exclude_keys=exclude) for e in entries)
    return hashlib.sha256("\n".join(hashes).encode("utf-8")).hexdigest()


def describe_entry(entry: Any) -> str:
    """A short, human description of a directive, for messages."""
    kind = type(entry).__name__
    head = entry.date.isoformat()
    if kind == "Transaction":
        words = " – ".join(part for part in (entry.payee, entry.narration) if part)
        return f'{head} {entry.flag} "{words}"'
    if kind in ("Balance",):
        return f"{head} balance {entry.account} {entry.amount}"
    if kind in ("Open", "Close", "Pad", "Note", "Document"):
        return f"{head} {kind.lower()} {entry.account}"
    if kind == "Custom":
        values = " ".join(f'"{v}"' if isinstance(v, str) else str(v) for v in _custom_values(entry))
        return f'{head} custom "{entry.type}" {values}'.rstrip()
    return f"{head} {kind.lower()}"


# --------------------------------------------------------------------------- check rule


#: Month digests computed or read in this process, by :func:`_digest_key`.
_DIGESTS: dict[str, str] = {}
#: The digests kept between runs (``cache.py``, one file for every ledger), as read once
#: from that cache folder.
_STORED: tuple[Path, dict[str, str]] | None = None
#: Digests kept between runs (the most recently used first to stay).
KEEP_DIGESTS = 2048
_DIGESTS_KIND = "digests"
_CODE: list[str] = []
#: The files whose code decides a month's digest (what a cached digest is keyed by).
_CODE_FILES = ("canonical.py", "locks.py", "exercice.py")


def _code_digest() -> str:
    """A digest of the code that decides a month's digest: the canonical form, this file and
    the marks of the exercice's end (which entries a month covers)."""
    if not _CODE:
        digest = hashlib.sha256(f"canonical {CANONICAL_VERSION}\0".encode())
        here = Path(__file__).resolve().parent
        for name in _CODE_FILES:
            try:
                digest.update((here / name).read_bytes())
            except OSError:
                digest.update(b"?")
            digest.update(b"\0")
        _CODE.append(digest.hexdigest())
    return _CODE[0]


def _digest_key(
    month: Month,
    first: bool,
    previous: str | None,
    inventory_day: date | None,
    files: list[tuple[str, str]],
) -> str:
    """What decides :func:`month_digest` of a month: the previous digest, which entries are
    covered (the month, or everything up to it for the first one; the inventory day) and
    the bytes of every file holding an entry dated in that span (path and SHA-256, as the
    load just read and vetted them). A file with no such entry adds none; one that gets
    one, or loses its last one, changes the list. Plus the versions of the code."""
    return cache.key_of(
        "month-digest",
        _code_digest(),
        str(month),
        "first" if first else "next",
        previous or "",
        inventory_day.isoformat() if inventory_day else "",
        sorted(files),
    )


class _MonthDigests:
    """Month digests of one check of a ledger: from this process, from the cache outside
    the workspace (``cache.py``: verified before use, off with ``--no-cache``), or computed.

    Computing a closed month's digest hashes the canonical form of each of its entries;
    a month whose files did not change since the last check is not hashed again."""

    def __init__(self, ws: Workspace, ledger: LoadedLedger) -> None:
        self.ws = ws
        self.ledger = ledger
        self.computed: dict[str, str] = {}
        self._spans: list[tuple[str, str, str, str]] | None = None

    def _file_spans(self) -> list[tuple[str, str, str, str]]:
        """``(path, sha256, first month, months)`` of each file with a dated entry."""
        if self._spans is None:
            spans = []
            for path, parsed in self.ledger.files.items():
                months = sorted(
                    {
                        str(Month.of(d))
                        for d in {getattr(e, "date", None) for e in parsed.entries}
                        if d
                    }
                )
                if months:
                    spans.append((str(path), parsed.digest, months[0], "\0".join(months)))
            self._spans = spans
        return self._spans

    def files_of(self, month: Month, first: bool) -> list[tuple[str, str]]:
        """The files holding an entry dated in ``month`` (or before it, for the first)."""
        text = str(month)
        out = []
        for path, digest, earliest, months in self._file_spans():
            if (earliest <= text) if first else (text in months.split("\0")):
                out.append((path, digest))
        return out

    def digest(
        self,
        month: Month,
        first: bool,
        previous: str | None,
        inventory_day: date | None,
        covered: Callable[[], Sequence[Any]],
    ) -> str:
        """:func:`month_digest` of ``previous`` and ``covered()`` (called on a miss only)."""
        key = _digest_key(month, first, previous, inventory_day, self.files_of(month, first))
        found = _DIGESTS.get(key) or _stored(self.ws).get(key)
        if not (isinstance(found, str) and _DIGEST.fullmatch(found)):
            found = month_digest(previous, covered())
            self.computed[key] = found
        _DIGESTS[key] = found
        return found

    def save(self) -> None:
        """Keep what was computed for the next runs: a small file, written at once (atomically:
        a temporary file moved into place) rather than by a detached process."""
        if not self.computed:
            return
        where = cache.folder_for(self.ws.root)
        if where is None:
            return
        stored = _stored(self.ws)
        if _STORED is None or _STORED[1] is not stored:
            return
        for key, value in self.computed.items():
            stored.pop(key, None)
            stored[key] = value
        for key in list(stored)[: max(0, len(stored) - KEEP_DIGESTS)]:
            del stored[key]
        cache.write_now(where, _DIGESTS_KIND, cache.key_of(_DIGESTS_KIND), dict(stored))


def _stored(ws: Workspace) -> dict[str, str]:
    """The month digests kept between runs, read once per process and cache folder ({} when
    the cache is off or none is kept): only from a folder that may be used for this
    workspace (never inside it) and is the user's own (not writable by others)."""
    global _STORED
    where = cache.folder_for(ws.root)
    if where is None:
        return {}
    if _STORED is None or _STORED[0] != where:
        found: Any = None
        if cache.usable(where):
            found = cache.read(where, _DIGESTS_KIND, cache.key_of(_DIGESTS_KIND))
        kept = (
            {k: v for k, v in found.items() if isinstance(k, str) and isinstance(v, str)}
            if isinstance(found, dict)
            else {}
        )
        _STORED = (where, kept)
    return _STORED[1]


def _folder_rel(path: Path, folder: Path) -> str | None:
    try:
        return path.relative_to(folder).as_posix()
    except ValueError:
        return None


def verify_ledger(ws: Workspace, ledger: LoadedLedger) -> list[LedgerProblem]:
    """Every close digest, the chain, and every close file of one entity's ledger."""
    entity = ledger.entity
    config = ws.config.entity(entity)
    parsed = ledger.parsed_entries()
    records, duplicates = _close_records(parsed)
    folder = Path(os.path.realpath(ledger.main)).parent
    problems: list[LedgerProblem] = []

    for dup in duplicates:
        problems.append(
            problem_at(
                ws,
                entity,
                dup.entry,
                _("{month} is closed twice (two alusage-close directives).").format(month=dup.text),
            )
        )

    # Close files: each holds its month's directive and assertions, as written.
    for path, parsed_file in ledger.files.items():
        rel = _folder_rel(path, folder)
        match = _CLOSE_FILE.fullmatch(rel or "")
        if match is None:
            continue
        month = Month(int(match.group(1)), int(match.group(2)))
        problems.extend(_verify_close_file(ws, entity, month, parsed_file))

    start = start_month(config, parsed)
    grouped: list[dict[Month, list[Any]]] = []  # _by_month(parsed), when a month needs it
    digests = _MonthDigests(ws, ledger)
    for text in sorted(records):
        record = records[text]
        if record.month is None or not _DIGEST.fullmatch(record.digest):
            problems.append(
                problem_at(
                    ws,
                    entity,
                    record.entry,
                    _("this alusage-close directive is malformed (month, then a SHA-256 digest)."),
                )
            )
            continue
        month = record.month
        where = _folder_rel(Path(os.path.realpath(str(record.entry.meta.get("filename")))), folder)
        if where != close_file_rel(month):
            problems.append(
                problem_at(
                    ws,
                    entity,
                    record.entry,
                    _(
                        "the alusage-close directive of {month} must be in its close file "
                        "{file}; it was moved by hand."
                    ).format(month=month, file=close_file_rel(month)),
                )
            )
        if start is not None and month < start:
            problems.append(
                problem_at(
                    ws,
                    entity,
                    record.entry,
                    _("{month} is closed, but the books of {entity} start in {start}.").format(
                        month=month, entity=entity, start=start
                    ),
                )
            )
            continue
        first = month == start
        previous: str | None = None
        if not first:
            before = records.get(str(month.prev()))
            if before is None:
                problems.append(
                    problem_at(
                        ws,
                        entity,
                        record.entry,
                        _(
                            "{month} is closed but {previous} is not: the chain of month locks "
                            "is broken (a close file removed by hand?); restore it from git."
                        ).format(month=month, previous=month.prev()),
                    )
                )
                continue
            previous = before.digest
        inventory_day = exercice_end_in(config, month)
        covered_entries = functools.partial(_covered, parsed, grouped, month, first, inventory_day)
        if digests.digest(month, first, previous, inventory_day, covered_entries) == record.digest:
            continue
        covered = covered_entries()
        problems.append(
            problem_at(
                ws,
                entity,
                record.entry,
                _(
                    "{month} is closed, but its entries no longer match the close: an entry dated "
                    "in {month} was added, removed or changed by hand; undo that change (book "
                    "corrections in an open month)."
                ).format(month=month),
            )
        )
        problems.extend(
            explain_change(
                ws, ledger, month, previous, record.digest, covered, first, inventory_day
            )
        )
    digests.save()
    return problems


def _covered(
    parsed: list[Any],
    grouped: list[dict[Month, list[Any]]],
    month: Month,
    first: bool,
    inventory_day: date | None,
) -> list[Any]:
    """The entries a closed month's digest covers (``grouped`` holds ``_by_month(parsed)``
    once a month asked for it)."""
    if first:
        return locked_entries(parsed, month, first=True, inventory_day=inventory_day)
    if not grouped:
        grouped.append(_by_month(parsed))
    return [e for e in grouped[0].get(month, []) if not is_inventory(e, inventory_day)]


def _by_month(entries: Iterable[Any]) -> dict[Month, list[Any]]:
    grouped: dict[Month, list[Any]] = {}
    months: dict[date, list[Any]] = {}  # day → its month's list (days repeat)
    for entry in entries:
        day = getattr(entry, "date", None)
        if day is not None:
            bucket = months.get(day)
            if bucket is None:
                bucket = months[day] = grouped.setdefault(Month.of(day), [])
            bucket.append(entry)
    return grouped


def _verify_close_file(
    ws: Workspace, entity: str, month: Month, parsed_file: Any
) -> list[LedgerProblem]:
    first_next = month.end
    closes = [e for e in parsed_file.entries if is_close(e)]
    rel = parsed_file.rel
    if not parsed_file.entries:
        # Created, not written yet: a close interrupted before closes kept a journal.
        return [
            LedgerProblem(
                entity,
                rel,
                None,
                _(
                    "the close file of {month} holds no entry yet (an interrupted close?); "
                    "run 'alusage-ledger close {month}' to finish it."
                ).format(month=month),
                "warning",
            )
        ]
    directive = len(closes) == 1 and str(_custom_values(closes[0])[0]) == str(month)
    if not directive:
        return [
            LedgerProblem(
                entity,
                rel,
                None,
                _(
                    "the close file of {month} has no alusage-close directive for {month}: it "
                    "was edited by hand; {restore}."
                ).format(month=month, restore=_restore_hint(ws, rel, month, directive)),
            )
        ]
    close = closes[0]
    stored = (close.meta or {}).get(LOCK_HASH_KEY)
    odd = [
        e
        for e in parsed_file.entries
        if e is not close and (type(e).__name__ != "Balance" or e.date != first_next)
    ]
    if odd or close.date != first_next or stored != lock_hash(parsed_file.entries):
        culprit = odd[0] if odd else close
        return [
            problem_at(
                ws,
                entity,
                culprit,
                _(
                    "the close file of {month} was edited by hand (it no longer matches its "
                    "lock-hash); {restore}."
                ).format(month=month, restore=_restore_hint(ws, rel, month, directive)),
            )
        ]
    return []


def _restore_hint(ws: Workspace, rel: str, month: Month, directive: bool) -> str:
    """How to put a close file edited by hand right: from git when git knows it."""
    if _git(ws.root, "ls-files", "--error-unmatch", "--", rel) is not None:
        return _("restore it with 'git checkout -- {file}' or reopen the month properly").format(
            file=rel
        )
    if directive:
        return _(
            "git does not know it: reopen the month ('alusage-ledger reopen {month} --reason "
            "...') and close it again"
        ).format(month=month)
    return _(
        "git does not know it: remove it and its include line, then run 'alusage-ledger "
        "close {month}'"
    ).format(month=month)


@parsed_rule
def month_locks(ws: Workspace, ledger: LoadedLedger) -> Iterable[LedgerProblem]:
    """Closed months: digests, chain and close files (issue: month-end closing)."""
    return verify_ledger(ws, ledger)


# --------------------------------------------------------------------------- which entry


def _git(root: Path, *args: str) -> str | None:
    answers.taint("git was called")
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True,
            timeout=_GIT_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.decode("utf-8", "replace")


def _git_bytes(root: Path, spec: str) -> bytes | None:
    answers.taint("git was called")
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "cat-file", "blob", spec],
            capture_output=True,
            timeout=_GIT_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def _entries_at(top: Path, rev: str, main_rel: str) -> list[tuple[str, Any]] | None:
    """Every parsed entry of a ledger at a git revision, following its includes (no plugin
    runs: Beancount's parser only records them)."""
    out: list[tuple[str, Any]] = []
    seen: set[str] = set()
    queue = [main_rel]
    while queue:
        rel = queue.pop(0)
        if rel in seen or len(seen) > 5000:
            continue
        seen.add(rel)
        raw = _git_bytes(top, f"{rev}:{rel}")
        if raw is None:
            return None
        entries, _errors, options = parser.parse_string(raw, report_filename=rel)
        out.extend((rel, e) for e in entries)
        for include in options.get("include", []):
            target = os.path.normpath(os.path.join(os.path.dirname(rel), include))
            if target.startswith("..") or os.path.isabs(target):
                continue
            queue.append(Path(target).as_posix())
    return out


def explain_change(
    ws: Workspace,
    ledger: LoadedLedger,
    month: Month,
    previous: str | None,
    stored: str,
    covered: Sequence[Any],
    first: bool,
    inventory_day: date | None,
) -> list[LedgerProblem]:
    """Name the entries that changed, against the last git revision matching the close."""
    top_text = _git(ws.root, "rev-parse", "--show-toplevel")
    if not top_text:
        return []
    top = Path(top_text.strip()).resolve()
    main = Path(os.path.realpath(ledger.main))
    try:
        main_rel = main.relative_to(top).as_posix()
        close_rel = (main.parent / close_file_rel(month)).relative_to(top).as_posix()
    except ValueError:
        return []
    revisions = ["HEAD"]
    log = _git(top, "log", "--format=%H", "-n", "5", "--", close_rel)
    revisions.extend(line for line in (log or "").split() if line)
    for rev in dict.fromkeys(revisions):
        found = _entries_at(top, rev, main_rel)
        if found is None:
            continue
        entries = [e for _rel, e in found]
        reference = (
            locked_entries(entries, month, first=True, inventory_day=inventory_day)
            if first
            else locked_entries(entries, month, first=False, inventory_day=inventory_day)
        )
        if month_digest(previous, reference) != stored:
            continue
        where = {id(e): rel for rel, e in found}
        return _differences(ws, ledger.entity, month, rev, covered, reference, where)
    return []


def _postings(entry: Any) -> list[tuple[str, str]]:
    return sorted((p.account, str(p.units)) for p in getattr(entry, "postings", None) or ())


def _similar(a: Any, b: Any) -> bool:
    """Two versions of one entry: same kind and date, and the same links, text or postings."""
    if type(a) is not type(b) or a.date != b.date:
        return False
    if type(a).__name__ != "Transaction":
        return str(getattr(a, "account", getattr(a, "type", ""))) == str(
            getattr(b, "account", getattr(b, "type", ""))
        )
    return bool(
        (a.links and a.links == b.links)
        or (a.narration == b.narration and a.payee == b.payee)
        or _postings(a) == _postings(b)
    )


def _differences(
    ws: Workspace,
    entity: str,
    month: Month,
    rev: str,
    current: Sequence[Any],
    reference: Sequence[Any],
    where: dict[int, str],
) -> list[LedgerProblem]:
    now = Counter(canonical_form(e) for e in current)
    then = Counter(canonical_form(e) for e in reference)
    added_forms = now - then
    removed_forms = then - now
    added = []
    for entry in current:
        form = canonical_form(entry)
        if added_forms[form] > 0:
            added_forms[form] -= 1
            added.append(entry)
    removed = []
    for entry in reference:
        form = canonical_form(entry)
        if removed_forms[form] > 0:
            removed_forms[form] -= 1
            removed.append(entry)
    problems: list[LedgerProblem] = []
    short = rev if rev == "HEAD" else rev[:10]
    for entry in added:
        match = next((r for r in removed if _similar(r, entry)), None)
        if match is not None:
            removed.remove(match)
            message = _(
                "entry of the closed month {month} changed by hand after its close: {entry}."
            )
        else:
            message = _("entry added to the closed month {month} after its close: {entry}.")
        problems.append(
            problem_at(ws, entity, entry, message.format(month=month, entry=describe_entry(entry)))
        )
    for entry in removed:
        rel = where.get(id(entry), "?")
        line = (entry.meta or {}).get("lineno")
        problems.append(
            LedgerProblem(
                entity,
                None,
                None,
                _(
                    "entry removed from the closed month {month} after its close: {entry} "
                    "(it was at {file}:{line} in git revision {rev})."
                ).format(month=month, entry=describe_entry(entry), file=rel, line=line, rev=short),
            )
        )
    return problems
