"""The accounting meaning of a change between two revisions of the ledgers.

Why this module exists: a text diff shows lines; a reviewer needs transactions, balances
and risks. This module is the pure part of ``review``: it takes the plain data that
:mod:`alusage_ledger.integrations.review.worker` returns for each side (BASE and HEAD) and computes,
per entity,

* the entries unchanged (same canonical hash, :func:`alusage_ledger.books.canonical.entry_hash`),
  added, removed and modified, a modified entry being a removed and an added one paired by
  ``gen-id``, then invoice number, then link, then date and narration (or date and
  postings); other directives are paired likewise (an ``open`` by its account, a
  ``balance`` by account and date, a ``custom`` by type, date and first value);
* the change of every account's balance, the accounts opened and closed;
* the findings: **errors** (an entry of a closed month added, removed or changed; a close
  file changed or removed without a reopen; a balance assertion removed or changed; a
  plugin, include or option added; a generated entry whose ``gen-hash`` no longer
  matches; HEAD failing ``check``) and **warnings** (a new account, an amount above
  ``[review] amount_warning``). Changed lines of ``alusage.toml`` are *info* findings.

For example, a branch that books one invoice::

    2026-11-06 * "Coop des Tilleuls" "Facture F2026-0051" ^F2026-0051
      invoice: "F2026-0051"
      Actif:Clients:CoopDesTilleuls   1200.00 EUR
      Produits:Prestations:Formation -1200.00 EUR

reviews as one added transaction, ``Actif:Clients:CoopDesTilleuls`` +1200.00 and
``Produits:Prestations:Formation`` -1200.00, and no finding.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from alusage_ledger.core.i18n import _

__all__ = [
    "BalanceChange",
    "EntityReview",
    "EntitySide",
    "Entry",
    "Finding",
    "Modified",
    "Review",
    "Side",
    "compare",
    "match_entries",
    "review_document",
]

SEVERITIES = ("error", "warning", "info")

#: Files written by ``close``: ``<YYYY>/<MM>.close.beancount``.
CLOSE_FILE = re.compile(r"(?:^|/)(\d{4})/(0[1-9]|1[0-2])\.close\.beancount$")
#: Includes the tool itself adds: month files and close files, next to main.beancount.
TOOL_INCLUDE = re.compile(
    r"^\d{4}/((0[1-9]|1[0-2])(\.close)?|exercice\.close|exercice\.open)\.beancount$"
)
#: Options ``init`` writes into a new ledger (accepted for an entity new in HEAD).
INIT_OPTIONS = frozenset(
    {
        "name_assets",
        "name_liabilities",
        "name_equity",
        "name_income",
        "name_expenses",
        "title",
        "operating_currency",
        "account_previous_balances",
        "account_previous_earnings",
        "account_current_earnings",
        "account_previous_conversions",
        "account_current_conversions",
        "account_unrealized_gains",
    }
)
ROOT_OPTIONS = ("name_assets", "name_liabilities", "name_equity", "name_income", "name_expenses")
_CANDIDATES_PER_ENTRY = 200  # bounds the pairing work when many entries share a key


# --------------------------------------------------------------------------- input data


def _decimal(value: Any) -> Decimal | None:
    return Decimal(value) if isinstance(value, str) else None


@dataclass(frozen=True)
class Posting:
    account: str
    number: Decimal | None
    currency: str | None


def _exercice_end_entry(entry: Entry) -> bool:
    """Sanctioned in a closed month (docs/year.md): what ``year close`` writes (``gen-id``
    ``year-close/...``), and inventory or closing entries (``#inventaire``, ``#cloture``)
    dated the last day of a month (the exercice's, which only ``check`` knows; the month and
    exercice locks verify them)."""
    if str(entry.meta.get("gen-id", "")).startswith("year-close/"):
        return True
    if entry.kind != "transaction" or not {"inventaire", "cloture"} & set(entry.tags):
        return False
    from datetime import date, timedelta

    try:
        day = date.fromisoformat(entry.date)
    except ValueError:
        return False
    return (day + timedelta(days=1)).day == 1


@dataclass(frozen=True)
class Entry:
    """One directive of one side, as the worker described it."""

    hash: str
    kind: str
    date: str
    file: str
    line: int | None
    meta: Mapping[str, str] = field(default_factory=dict)
    flag: str | None = None
    payee: str | None = None
    narration: str | None = None
    tags: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    postings: tuple[Posting, ...] = ()
    account: str | None = None
    amount: tuple[Decimal | None, str] | None = None
    type: str | None = None
    values: tuple[str, ...] = ()
    text: str | None = None
    gen_ok: bool | None = None

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Entry:
        amount = data.get("amount")
        return cls(
            hash=str(data["hash"]),
            kind=str(data["kind"]),
            date=str(data["date"]),
            file=str(data["file"]),
            line=data.get("line"),
            meta=dict(data.get("meta") or {}),
            flag=data.get("flag"),
            payee=data.get("payee"),
            narration=data.get("narration"),
            tags=tuple(data.get("tags") or ()),
            links=tuple(data.get("links") or ()),
            postings=tuple(
                Posting(str(a), _decimal(n), c) for a, n, c in data.get("postings") or ()
            ),
            account=data.get("account"),
            amount=(_decimal(amount[0]), str(amount[1])) if amount else None,
            type=data.get("type"),
            values=tuple(str(v) for v in data.get("values") or ()),
            text=data.get("text"),
            gen_ok=data.get("gen_ok"),
        )

    @property
    def month(self) -> str:
        return self.date[:7]

    def summary(self) -> str:
        """One line, close to the ledger's own text (language-independent)."""
        if self.kind == "transaction":
            parts = [self.date, self.flag or "*"]
            if self.payee is not None:
                parts.append(_quoted(self.payee))
            parts.append(_quoted(self.narration or ""))
            parts += [f"#{t}" for t in self.tags] + [f"^{link}" for link in self.links]
            return " ".join(parts)
        if self.kind == "balance" and self.amount:
            number = "" if self.amount[0] is None else f"{self.amount[0]:f}"
            return f"{self.date} balance {self.account} {number} {self.amount[1]}"
        if self.kind == "custom":
            return " ".join([self.date, "custom", _quoted(self.type or ""), *self.values])
        tail = [x for x in (self.account, self.type, self.text) if x]
        return " ".join([self.date, self.kind, *tail])


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass(frozen=True)
class Directive:
    """An ``option``, ``plugin`` or ``include`` line of a ledger file."""

    file: str
    line: int | None
    kind: str
    args: tuple[str, ...]


@dataclass(frozen=True)
class Mark:
    """A ``custom "alusage-close"`` (kind ``close``) or ``"alusage-reopen"`` directive."""

    kind: str
    month: str
    date: str
    file: str
    line: int | None


@dataclass(frozen=True)
class Problem:
    severity: str
    entity: str | None
    file: str | None
    line: int | None
    message: str

    @classmethod
    def from_data(cls, data: Sequence[Any]) -> Problem:
        severity, entity, file, line, message = data
        return cls(str(severity), entity, file, line, str(message))


@dataclass
class EntitySide:
    """One entity's ledger at one side."""

    entity: str
    found: bool = True
    booked: bool = True
    problems: list[Problem] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)
    entries: list[Entry] = field(default_factory=list)
    directives: list[Directive] = field(default_factory=list)
    balances: dict[tuple[str, str], Decimal] = field(default_factory=dict)
    marks: list[Mark] = field(default_factory=list)
    roots: tuple[str, ...] = ()

    @classmethod
    def from_data(cls, entity: str, data: Mapping[str, Any]) -> EntitySide:
        return cls(
            entity=entity,
            found=bool(data.get("found", True)),
            booked=bool(data.get("booked", True)),
            problems=[Problem.from_data(p) for p in data.get("problems") or ()],
            files=dict(data.get("files") or {}),
            entries=[Entry.from_data(e) for e in data.get("entries") or ()],
            directives=[
                Directive(str(f), line, str(kind), tuple(args))
                for f, line, kind, args in data.get("directives") or ()
            ],
            balances={(str(a), str(c)): Decimal(n) for a, c, n in data.get("balances") or ()},
            marks=[Mark(*m) for m in data.get("marks") or ()],
            roots=tuple(data.get("roots") or ()),
        )


@dataclass
class Side:
    """BASE or HEAD: its label, config text, entities, HEAD's check, and what went wrong."""

    label: str
    config_text: str | None = None
    config_error: str | None = None
    entities: dict[str, EntitySide] = field(default_factory=dict)
    check: list[Problem] = field(default_factory=list)
    check_ran: bool = False
    failure: str | None = None
    skipped: list[str] = field(default_factory=list)

    @classmethod
    def from_data(
        cls,
        label: str,
        data: Mapping[str, Any],
        *,
        config_text: str | None = None,
        failure: str | None = None,
        skipped: Iterable[str] = (),
    ) -> Side:
        return cls(
            label=label,
            config_text=config_text,
            config_error=data.get("config_error"),
            entities={
                name: EntitySide.from_data(name, value)
                for name, value in (data.get("entities") or {}).items()
            },
            check=[Problem.from_data(p) for p in data.get("check") or ()],
            check_ran=bool(data.get("check_ran")),
            failure=failure,
            skipped=list(skipped),
        )

    @property
    def usable(self) -> bool:
        return self.failure is None and self.config_error is None


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class PostingChange:
    account: str
    currency: str
    old: Decimal | None
    new: Decimal | None

    @property
    def changed(self) -> bool:
        return self.old != self.new


@dataclass(frozen=True)
class Modified:
    old: Entry
    new: Entry
    fields: tuple[str, ...]
    postings: tuple[PostingChange, ...]


@dataclass(frozen=True)
class BalanceChange:
    account: str
    currency: str
    old: Decimal
    new: Decimal

    @property
    def delta(self) -> Decimal:
        return self.new - self.old


@dataclass(frozen=True)
class Finding:
    severity: str
    entity: str | None
    file: str | None
    line: int | None
    message: str

    def location(self) -> str:
        if self.file is None:
            return ""
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass
class EntityReview:
    entity: str
    added: list[Entry] = field(default_factory=list)
    removed: list[Entry] = field(default_factory=list)
    modified: list[Modified] = field(default_factory=list)
    balances: list[BalanceChange] = field(default_factory=list)

    @property
    def opened(self) -> list[str]:
        return [e.account for e in self.added if e.kind == "open" and e.account]

    @property
    def closed(self) -> list[str]:
        return [e.account for e in self.added if e.kind == "close" and e.account]

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed or self.modified or self.balances)


@dataclass(frozen=True)
class ConfigLine:
    sign: str  # "+" (in HEAD) or "-" (in BASE)
    line: int
    text: str


@dataclass
class Review:
    base: str
    head: str
    entities: list[EntityReview] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    config_lines: list[ConfigLine] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def changed(self) -> list[EntityReview]:
        return [e for e in self.entities if e.changed]


# --------------------------------------------------------------------------- matching

Key = Hashable
KeyFunction = Callable[[Entry], list[Key]]


def _postings_signature(entry: Entry) -> tuple[tuple[str, str, str], ...]:
    return tuple(
        sorted(
            (p.account, "" if p.number is None else f"{p.number:f}", p.currency or "")
            for p in entry.postings
        )
    )


def _gen_keys(entry: Entry) -> list[Key]:
    gen_id = entry.meta.get("gen-id")
    return [(entry.kind, "gen", gen_id)] if gen_id else []


def _invoice_keys(entry: Entry) -> list[Key]:
    invoice = entry.meta.get("invoice")
    if not invoice:
        return []
    return [(entry.kind, "invoice", invoice, entry.meta.get("credit-note", ""))]


def _link_keys(entry: Entry) -> list[Key]:
    return [(entry.kind, "link", link) for link in entry.links]


def _identity_keys(entry: Entry) -> list[Key]:
    kind = entry.kind
    if kind == "transaction":
        return [(kind, entry.date, entry.narration)]
    if kind in ("open", "close", "commodity"):
        return [(kind, entry.account)]
    if kind == "balance":
        return [(kind, entry.account, entry.date, entry.amount[1] if entry.amount else None)]
    if kind == "custom":
        return [(kind, entry.type, entry.date, entry.values[0] if entry.values else None)]
    if kind in ("note", "document", "pad", "price"):
        return [(kind, entry.account, entry.date)]
    return [(kind, entry.type, entry.date)]


def _postings_keys(entry: Entry) -> list[Key]:
    if entry.kind != "transaction":
        return []
    return [(entry.kind, entry.date, _postings_signature(entry))]


#: Pairing stages, in order: the first key two entries share pairs them.
STAGES: tuple[KeyFunction, ...] = (
    _gen_keys,
    _invoice_keys,
    _link_keys,
    _identity_keys,
    _postings_keys,
)


def _similarity(a: Entry, b: Entry) -> int:
    """How alike two entries are: picks the best pair among several sharing a key."""
    score = 4 * (a.date == b.date) + 3 * (a.narration == b.narration) + 2 * (a.payee == b.payee)
    score += 3 * (_postings_signature(a) == _postings_signature(b))
    score += 2 * len({p.account for p in a.postings} & {p.account for p in b.postings})
    score += len(set(a.links) & set(b.links))
    score += len(set(a.meta.items()) & set(b.meta.items()))
    score += 3 * (a.account is not None and a.account == b.account)
    score += 2 * (a.values == b.values) + 2 * (a.amount == b.amount)
    return score


def match_entries(
    old: Sequence[Entry], new: Sequence[Entry]
) -> tuple[list[Entry], list[Entry], list[tuple[Entry, Entry]]]:
    """``(added, removed, modified pairs)``; entries with equal hashes are unchanged.

    Hashes are compared as multisets: two identical cash sales on one side and one on the
    other is one removed entry.
    """
    pool: dict[str, list[int]] = defaultdict(list)
    for index, entry in enumerate(new):
        pool[entry.hash].append(index)
    for indexes in pool.values():
        indexes.reverse()
    free_old: list[int] = []
    for index, entry in enumerate(old):
        bucket = pool.get(entry.hash)
        if bucket:
            bucket.pop()
        else:
            free_old.append(index)
    left_new = sorted(i for bucket in pool.values() for i in bucket)
    free_r = set(free_old)
    free_a = set(left_new)
    pairs: list[tuple[int, int]] = []
    for keys in STAGES:
        if not free_r or not free_a:
            break
        index_a: dict[Key, list[int]] = defaultdict(list)
        for j in sorted(free_a):
            for key in keys(new[j]):
                index_a[key].append(j)
        candidates: list[tuple[int, int, int]] = []
        for i in sorted(free_r):
            seen: set[int] = set()
            for key in keys(old[i]):
                for j in index_a.get(key, ())[:_CANDIDATES_PER_ENTRY]:
                    if j not in seen:
                        seen.add(j)
                        candidates.append((-_similarity(old[i], new[j]), i, j))
        candidates.sort()
        for _score, i, j in candidates:
            if i in free_r and j in free_a:
                pairs.append((i, j))
                free_r.discard(i)
                free_a.discard(j)
    added = [new[j] for j in sorted(free_a)]
    removed = [old[i] for i in sorted(free_r)]
    modified = [(old[i], new[j]) for i, j in sorted(pairs, key=lambda p: p[1])]
    return added, removed, modified


_FIELDS = (
    "date",
    "flag",
    "payee",
    "narration",
    "tags",
    "links",
    "meta",
    "postings",
    "account",
    "amount",
    "type",
    "values",
    "text",
)


def posting_changes(old: Entry, new: Entry) -> tuple[PostingChange, ...]:
    """Amounts per account and currency, before and after (unknown amounts are None)."""

    def totals(entry: Entry) -> dict[tuple[str, str], Decimal | None]:
        out: dict[tuple[str, str], Decimal | None] = {}
        for posting in entry.postings:
            key = (posting.account, posting.currency or "")
            known = out.get(key, Decimal(0))
            out[key] = None if known is None or posting.number is None else known + posting.number
        return out

    before, after = totals(old), totals(new)
    keys = list(before) + [k for k in after if k not in before]
    return tuple(PostingChange(a, c, before.get((a, c)), after.get((a, c))) for a, c in keys)


def modified_entry(old: Entry, new: Entry) -> Modified:
    fields = tuple(name for name in _FIELDS if getattr(old, name) != getattr(new, name))
    return Modified(old, new, fields, posting_changes(old, new))


# --------------------------------------------------------------------------- findings


def _short(entry: Entry, limit: int = 120) -> str:
    text = entry.summary()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _money(value: Decimal, currency: str) -> str:
    from alusage_ledger.core.fmt import money

    try:
        return money(value, currency)
    except Exception:  # an unusual commodity Babel does not know
        return f"{value:f} {currency}"


def _close_months(sides: Iterable[EntitySide | None]) -> dict[str, str]:
    """Close file → the month it locks (from its directive, else from its name)."""
    out: dict[str, str] = {}
    for side in sides:
        if side is None:
            continue
        for rel in side.files:
            match = CLOSE_FILE.search(rel)
            if match:
                out.setdefault(rel, f"{match.group(1)}-{match.group(2)}")
        for mark in side.marks:
            if mark.kind == "close":
                out[mark.file] = mark.month
    return out


class _EntityFindings:
    """The findings of one entity (see the module docstring)."""

    def __init__(
        self,
        entity: str,
        base: EntitySide | None,
        head: EntitySide | None,
        threshold: Decimal,
    ) -> None:
        self.entity = entity
        self.base = base
        self.head = head
        self.threshold = threshold
        self.out: list[Finding] = []
        base_marks = base.marks if base else []
        head_marks = head.marks if head else []
        closed = {m.month for m in base_marks if m.kind == "close"}
        old_reopens = {(m.month, m.date) for m in base_marks if m.kind == "reopen"}
        self.reopened = {
            m.month
            for m in head_marks
            if m.kind == "reopen" and (m.month, m.date) not in old_reopens
        }
        self.locked = closed - self.reopened
        self.close_files = _close_months([base, head])
        # A reopened month's close file may go (reopen) and come back (close again).
        self.sanctioned = {f for f, month in self.close_files.items() if month in self.reopened}

    def add(
        self, severity: str, entry: Entry | None, message: str, file: str | None = None
    ) -> None:
        if entry is not None:
            self.out.append(Finding(severity, self.entity, entry.file, entry.line, message))
        else:
            self.out.append(Finding(severity, self.entity, file, None, message))

    def entries(self, review: EntityReview) -> None:
        for entry in review.added:
            self._closed_month(
                entry, _("an entry dated in the closed month {month} was added: {entry}")
            )
            self._generated(entry)
            self._amount(entry, None)
            if entry.kind == "open":
                self.add(
                    "warning", entry, _("new account {account}.").format(account=entry.account)
                )
        for entry in review.removed:
            self._closed_month(
                entry, _("an entry of the closed month {month} was removed: {entry}")
            )
            if entry.kind == "balance" and entry.file not in self.sanctioned:
                self.add(
                    "error",
                    entry,
                    _("a balance assertion was removed: {entry}").format(entry=_short(entry)),
                )
        for change in review.modified:
            old, new = change.old, change.new
            if old.month in self.locked and old.file not in self.sanctioned:
                self.add(
                    "error",
                    new,
                    _("an entry of the closed month {month} was changed: {entry}").format(
                        month=old.month, entry=_short(old)
                    ),
                )
            elif new.month in self.locked and new.file not in self.sanctioned:
                self.add(
                    "error",
                    new,
                    _("an entry was moved into the closed month {month}: {entry}").format(
                        month=new.month, entry=_short(new)
                    ),
                )
            if new.kind == "balance" and not {old.file, new.file} <= self.sanctioned:
                self.add(
                    "error",
                    new,
                    _("a balance assertion was changed: {old} became {new}").format(
                        old=_short(old), new=_short(new)
                    ),
                )
            self._generated(new)
            self._amount(new, change)

    def _closed_month(self, entry: Entry, message: str) -> None:
        if _exercice_end_entry(entry):
            return
        if entry.month in self.locked and entry.file not in self.sanctioned:
            self.add("error", entry, message.format(month=entry.month, entry=_short(entry)))

    def _generated(self, entry: Entry) -> None:
        if entry.gen_ok is False:
            self.add(
                "error",
                entry,
                _(
                    "the generated entry {gen_id} no longer matches its gen-hash: it was edited "
                    "by hand; book a correction as a new entry instead."
                ).format(gen_id=entry.meta.get("gen-id", entry.summary())),
            )

    def _amount(self, entry: Entry, change: Modified | None) -> None:
        if entry.kind != "transaction":
            return
        changed = (
            None
            if change is None
            else {(p.account, p.currency) for p in change.postings if p.changed}
        )
        biggest: Posting | None = None
        for posting in entry.postings:
            if posting.number is None or abs(posting.number) <= self.threshold:
                continue
            if changed is not None and (posting.account, posting.currency or "") not in changed:
                continue
            if biggest is None or abs(posting.number) > abs(biggest.number or Decimal(0)):
                biggest = posting
        if biggest is not None and biggest.number is not None:
            currency = biggest.currency or ""
            self.add(
                "warning",
                entry,
                _("{account}: {amount} is above the review threshold of {threshold}.").format(
                    account=biggest.account,
                    amount=_money(biggest.number, currency),
                    threshold=_money(self.threshold, currency),
                ),
            )

    def close_files_kept(self) -> None:
        if self.base is None:
            return
        head_files = self.head.files if self.head else {}
        for rel, digest in sorted(self.base.files.items()):
            month = self.close_files.get(rel)
            if month is None or month in self.reopened:
                continue
            if rel not in head_files:
                self.add(
                    "error",
                    None,
                    _(
                        "the close file of {month} was removed without a reopen; only "
                        "'alusage-ledger reopen {month} --reason ...' may remove it."
                    ).format(month=month),
                    rel,
                )
            elif head_files[rel] != digest:
                self.add(
                    "error",
                    None,
                    _(
                        "the close file of {month} was changed by hand; only 'close' writes it."
                    ).format(month=month),
                    rel,
                )

    def directives(self) -> None:
        """Plugins, includes and options that HEAD has and BASE had not."""
        if self.head is None:
            return
        old = self.base.directives if self.base else []
        left: dict[tuple[str, tuple[str, ...]], int] = defaultdict(int)
        for item in old:
            left[(item.kind, item.args)] += 1
        old_options = {item.args for item in old if item.kind == "option"}
        old_includes = {item.args for item in old if item.kind == "include"}
        roots = dict(zip(ROOT_OPTIONS, self.head.roots))
        for item in self.head.directives:
            key = (item.kind, item.args)
            if left[key] > 0:
                left[key] -= 1
                continue
            name = item.args[0] if item.args else ""
            if item.kind == "plugin":
                message = _("plugin {name!r} was added; a plugin is code run on every load.")
            elif item.kind == "include":
                if (
                    TOOL_INCLUDE.fullmatch(name)
                    or item.args in old_includes
                    or (self.base is None and name == "accounts.beancount")
                ):
                    continue
                message = _(
                    "include {name!r} was added; the tool only includes month and close files."
                )
            else:
                value = item.args[1] if len(item.args) > 1 else ""
                if (
                    item.args in old_options
                    or roots.get(name) == value
                    or (self.base is None and name in INIT_OPTIONS)
                ):
                    continue
                message = _("option {name!r} was added; options change how the ledger is read.")
            self.out.append(
                Finding("error", self.entity, item.file, item.line, message.format(name=name))
            )


def _balance_changes(base: EntitySide | None, head: EntitySide | None) -> list[BalanceChange]:
    if (base is not None and not base.booked) or (head is not None and not head.booked):
        return []
    old = base.balances if base else {}
    new = head.balances if head else {}
    out = []
    for key in sorted(set(old) | set(new)):
        before, after = old.get(key, Decimal(0)), new.get(key, Decimal(0))
        if before != after:
            out.append(BalanceChange(key[0], key[1], before, after))
    return out


def config_changes(base: str | None, head: str | None) -> list[ConfigLine]:
    """The lines of ``alusage.toml`` removed (BASE line numbers) and added (HEAD's)."""
    old = (base or "").splitlines()
    new = (head or "").splitlines()
    out: list[ConfigLine] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("replace", "delete"):
            out += [ConfigLine("-", i + 1, old[i]) for i in range(i1, i2)]
        if tag in ("replace", "insert"):
            out += [ConfigLine("+", j + 1, new[j]) for j in range(j1, j2)]
    return out


def _allowed_plugins(text: str | None) -> set[str]:
    try:
        data = tomllib.loads(text or "")
    except tomllib.TOMLDecodeError:
        return set()
    workspace = data.get("workspace")
    plugins = workspace.get("allowed_plugins") if isinstance(workspace, dict) else None
    return {str(p) for p in plugins} if isinstance(plugins, list) else set()


def _config_line(text: str | None, needle: str) -> int | None:
    for number, line in enumerate((text or "").splitlines(), start=1):
        if needle in line:
            return number
    return None


def compare(base: Side, head: Side, *, amount_warning: Decimal = Decimal("5000.00")) -> Review:
    """The review of HEAD against BASE (pure; see the module docstring)."""
    review = Review(base.label, head.label)
    findings = review.findings
    for side in (base, head):
        if side.failure is not None:
            findings.append(
                Finding(
                    "error",
                    None,
                    None,
                    None,
                    _("{side} could not be loaded: {reason}").format(
                        side=side.label, reason=side.failure
                    ),
                )
            )
        for rel in side.skipped:
            findings.append(
                Finding(
                    "warning",
                    None,
                    rel,
                    None,
                    _("{side}: this file is a symbolic link; review does not follow links.").format(
                        side=side.label
                    ),
                )
            )
    if head.config_error is not None:
        findings.append(
            Finding(
                "error",
                None,
                "alusage.toml",
                None,
                _("{side}: {message}").format(side=head.label, message=head.config_error),
            )
        )
    if base.config_error is not None:
        findings.append(
            Finding(
                "warning",
                None,
                "alusage.toml",
                None,
                _("{side}: {message} The entries were not compared.").format(
                    side=base.label, message=base.config_error
                ),
            )
        )

    review.config_lines = config_changes(base.config_text, head.config_text)
    for line in review.config_lines:
        if not line.text.strip():
            continue  # blank lines carry no meaning
        template = _("line added: {text}") if line.sign == "+" else _("line removed: {text}")
        findings.append(
            Finding(
                "info", None, "alusage.toml", line.line, template.format(text=line.text.strip())
            )
        )
    for name in sorted(_allowed_plugins(head.config_text) - _allowed_plugins(base.config_text)):
        findings.append(
            Finding(
                "error",
                None,
                "alusage.toml",
                _config_line(head.config_text, name),
                _(
                    "{name!r} was added to the plugin allow-list; a plugin is code run on "
                    "every load (this review still refused it)."
                ).format(name=name),
            )
        )

    if head.usable and head.check_ran:
        findings.extend(
            Finding("error", p.entity, p.file, p.line, p.message)
            for p in head.check
            if p.severity == "error"
        )

    if base.usable and head.usable:
        names = list(head.entities) + [n for n in base.entities if n not in head.entities]
        for name in names:
            old, new = base.entities.get(name), head.entities.get(name)
            review.entities.append(_entity_review(name, old, new, amount_warning, findings))
            if old is not None and any(p.severity == "error" for p in old.problems):
                findings.append(
                    Finding(
                        "warning",
                        name,
                        None,
                        None,
                        _(
                            "the ledger of {entity} at {side} has errors; its comparison may "
                            "be incomplete."
                        ).format(entity=name, side=base.label),
                    )
                )

    rank = {severity: index for index, severity in enumerate(SEVERITIES)}
    findings.sort(
        key=lambda f: (
            rank.get(f.severity, 9),
            f.entity or "",
            f.file or "",
            f.line or 0,
            f.message,
        )
    )
    return review


def _entity_review(
    name: str,
    old: EntitySide | None,
    new: EntitySide | None,
    threshold: Decimal,
    findings: list[Finding],
) -> EntityReview:
    added, removed, pairs = match_entries(old.entries if old else [], new.entries if new else [])

    def order(entry: Entry) -> tuple[str, str, int]:
        return (entry.date, entry.file, entry.line or 0)

    review = EntityReview(
        name,
        added=sorted(added, key=order),
        removed=sorted(removed, key=order),
        modified=sorted((modified_entry(a, b) for a, b in pairs), key=lambda m: order(m.new)),
        balances=_balance_changes(old, new),
    )
    rules = _EntityFindings(name, old, new, threshold)
    rules.entries(review)
    rules.close_files_kept()
    rules.directives()
    findings.extend(rules.out)
    return review


# --------------------------------------------------------------------------- JSON


def _amount_text(value: Decimal | None) -> str | None:
    if value is None:
        return None
    from alusage_ledger.core.fmt import machine

    cents = value.quantize(Decimal("0.01"))
    return machine(value) if cents == value else f"{value:f}"


def entry_document(entry: Entry) -> dict[str, Any]:
    out: dict[str, Any] = {
        "kind": entry.kind,
        "date": entry.date,
        "file": entry.file,
        "line": entry.line,
        "summary": entry.summary(),
        "hash": entry.hash,
    }
    if entry.kind == "transaction":
        out.update(
            flag=entry.flag,
            payee=entry.payee,
            narration=entry.narration,
            tags=list(entry.tags),
            links=list(entry.links),
            postings=[
                {"account": p.account, "amount": _amount_text(p.number), "currency": p.currency}
                for p in entry.postings
            ],
        )
    if entry.account is not None:
        out["account"] = entry.account
    if entry.amount is not None:
        out["amount"] = _amount_text(entry.amount[0])
        out["currency"] = entry.amount[1]
    if entry.type is not None:
        out["type"] = entry.type
    if entry.kind == "custom":
        out["values"] = list(entry.values)
    out["meta"] = dict(entry.meta)
    return out


def review_document(review: Review) -> dict[str, Any]:
    """``{"entities": [{"entity", "added", "removed", "modified", "balances"}], "findings": [...]}``."""
    return {
        "entities": [
            {
                "entity": e.entity,
                "added": [entry_document(x) for x in e.added],
                "removed": [entry_document(x) for x in e.removed],
                "modified": [
                    {
                        "old": entry_document(m.old),
                        "new": entry_document(m.new),
                        "changed": list(m.fields),
                        "postings": [
                            {
                                "account": p.account,
                                "currency": p.currency,
                                "old": _amount_text(p.old),
                                "new": _amount_text(p.new),
                            }
                            for p in m.postings
                        ],
                    }
                    for m in e.modified
                ],
                "balances": [
                    {
                        "account": b.account,
                        "currency": b.currency,
                        "old": _amount_text(b.old),
                        "new": _amount_text(b.new),
                        "change": _amount_text(b.delta),
                    }
                    for b in e.balances
                ],
            }
            for e in review.changed
        ],
        "findings": [
            {
                "severity": f.severity,
                "entity": f.entity,
                "file": f.file,
                "line": f.line,
                "message": f.message,
            }
            for f in review.findings
        ],
    }
