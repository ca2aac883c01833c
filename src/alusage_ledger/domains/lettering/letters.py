"""Lettrage: matching each invoice or bill with the payments that settle it.

Per third-party account (sub-accounts of the roles ``clients``, ``suppliers``,
``persons`` and ``members``), the postings of the entries that touch it are *items*.
A set of items whose amounts sum to zero is *lettered*: the tool appends a directive
carrying the account, a letter code and the references of the matched entries, and
never edits a past entry::

    2026-03-27 custom "alusage-letter" Actif:Clients:CoopDesTilleuls "AC" "F2026-0009"

A reference is a link (without ``^``) or, for an entry without links, its id
``id-<16 hex digits>`` (the start of the entry's canonical hash, see canonical.py).

Meaning of a directive (what ``check``, ``aged`` and the FEC rely on): processed in date
order, a letter dated D on account A claims every item on A, not claimed by an earlier
letter, dated on or before D, whose entry carries one of its references. Its items must
sum to zero; its code and date are the FEC's ``EcritureLet`` and ``DateLet``.

``letter`` matches automatically: first by link (entries sharing a link form a group;
a group summing to zero is lettered, so a bill paid in two parts is lettered once the
second payment is booked), then a debit and a credit of exactly opposite amounts
sharing a reference (``invoice``, ``piece-ref``, ``credit-note`` metadata or a link, or
one's reference in the other's narration). ``letter --manual`` letters what remains.

A letter is dated the day its last item was booked (the day the match became
complete), or the first open day when that month is closed.

A letter claims only items of its own *segment* of the books, between two exercice
closes (:func:`segment_starts`): what a closed exercice left open goes on as one
à-nouveaux line per open item (posting metadata ``item-link``, an item of its own). A
lower-case code is a *partial* letter (a document paid in part, see ``settle``): it
claims nothing, the FEC shows it on the items it names. ``alusage-unletter`` undoes a
letter from its date on.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from beancount.core import account as account_lib
from beancount.core import data
from beancount.parser.grammar import ValueType

from alusage_ledger.books import checks
from alusage_ledger.books.canonical import entry_hash
from alusage_ledger.books.exercice import closed_exercices, is_closing, is_opening
from alusage_ledger.books.roles import DEFAULT_ROLES, role_account
from alusage_ledger.books.writer import closed_months
from alusage_ledger.core.errors import LedgerProblem
from alusage_ledger.core.i18n import _
from alusage_ledger.core.money import ZERO

if TYPE_CHECKING:
    from alusage_ledger.books.config import Config
    from alusage_ledger.books.ledger import Workspace
    from alusage_ledger.books.loader import LoadedLedger

LETTER_TYPE = "alusage-letter"
UNLETTER_TYPE = "alusage-unletter"
#: Posting metadata of an à-nouveaux line that carries one open item (its reference).
ITEM_LINK_KEY = "item-link"
#: Roles whose accounts (and sub-accounts) hold third parties' balances.
THIRD_PARTY_ROLES = ("clients", "suppliers", "persons", "members")
_CODE = re.compile(r"^(?:[A-Z]{1,4}|[a-z]{1,4})$")
REFERENCE_KEYS = ("invoice", "piece-ref", "credit-note")


# --------------------------------------------------------------------------- items


@dataclass(frozen=True)
class Item:
    """What one entry puts on one third-party account.

    An opening entry's posting that carries ``item-link`` (one line per open item in the
    à-nouveaux) is an item of its own: ``part`` is its index in the entry's postings, and
    its links are that one reference (``part`` is -1 for a whole entry's item).
    """

    entry: Any
    account: str
    amount: Decimal
    part: int = -1

    @property
    def date(self) -> date:
        return self.entry.date  # type: ignore[no-any-return]

    @property
    def meta(self) -> dict[str, Any]:
        if self.part >= 0:
            return dict(self.entry.postings[self.part].meta or {})
        return dict(self.entry.meta or {})

    @property
    def links(self) -> frozenset[str]:
        if self.part >= 0:
            return frozenset({str(self.meta[ITEM_LINK_KEY])})
        return frozenset(self.entry.links or ())

    @property
    def key(self) -> tuple[int, str, int]:
        return (id(self.entry), self.account, self.part)

    def references(self) -> set[str]:
        meta = self.meta
        refs = {str(meta[k]) for k in REFERENCE_KEYS if meta.get(k)}
        return refs | set(self.links)

    def text(self) -> str:
        return f"{self.entry.payee or ''} {self.entry.narration or ''}"


def entry_id(entry: Any) -> str:
    """A stable id for an entry without links (its canonical hash, shortened)."""
    return "id-" + entry_hash(entry)[:16]


def items_on(entries: Iterable[Any], account: str) -> list[Item]:
    """The items of ``account``: one per entry, or per posting for the à-nouveaux lines
    that carry ``item-link``; closing entries (``#cloture``) are no items (they leave the
    books of the exercice, the à-nouveaux bring its open items into the next one)."""
    found = []
    for entry in entries:
        if not isinstance(entry, data.Transaction) or is_closing(entry):
            continue
        total = ZERO
        touched = False
        opening = is_opening(entry)
        for index, posting in enumerate(entry.postings):
            if posting.account != account or posting.units is None:
                continue
            if opening and (posting.meta or {}).get(ITEM_LINK_KEY):
                if posting.units.number:
                    found.append(Item(entry, account, posting.units.number, index))
                continue
            total += posting.units.number
            touched = True
        if touched and total:
            found.append(Item(entry, account, total))
    return found


def segment_starts(entries: Iterable[Any]) -> list[date]:
    """The first day of every exercice that follows a closed one (its à-nouveaux' date).

    Lettering is kept per segment of books between two exercice closes: a letter claims
    only items of its own segment, so a closed exercice's letters never change and an
    item still open at its close goes on in the next exercice as an à-nouveaux line.
    """
    return sorted(e.date for e in closed_exercices(entries).values())


def segment_of(day: date, starts: Sequence[date]) -> date:
    """The first day of the segment holding ``day`` (``date.min`` before any close)."""
    index = bisect.bisect_right(starts, day)
    return starts[index - 1] if index else date.min


def third_party_parents(config: Config, entity: str) -> list[tuple[str, str]]:
    """(parent account, kind) of every third-party family of an entity's books.

    The roles ``clients``, ``suppliers``, ``persons`` (and ``members`` when configured),
    plus, for a place the entity hosts, the place's ``receivable`` (its members), and for a
    place it uses, the ``mirror_payable`` it owes the host on.
    """
    kinds = {"clients": "client", "suppliers": "supplier", "persons": "person"}
    parents: list[tuple[str, str]] = []
    for role in THIRD_PARTY_ROLES:
        if role in DEFAULT_ROLES or role in config.entity(entity).accounts:
            parents.append((role_account(config, entity, role).account, kinds.get(role, "member")))
    for place in config.places.values():
        receivable = getattr(place, "receivable", None)
        if getattr(place, "host", None) == entity and receivable:
            parents.append((str(receivable), "member"))
        payable = getattr(place, "mirror_payable", None)
        members = {getattr(m, "entity", None) for m in getattr(place, "members", ())}
        if payable and entity in members:
            parents.append((str(payable), "supplier"))
    return parents


def third_party_accounts(config: Config, ledger: LoadedLedger) -> list[str]:
    """Open accounts that hold third parties: the families' accounts and sub-accounts."""
    parents = [parent for parent, _kind in third_party_parents(config, ledger.entity)]
    return sorted(
        a for a in ledger.open_accounts() if any(a == p or a.startswith(p + ":") for p in parents)
    )


def kind_of(config: Config, entity: str, account: str) -> str:
    """client, supplier, person or member: the family of a third-party account."""
    best = ("", "other")
    for parent, kind in third_party_parents(config, entity):
        if (account == parent or account.startswith(parent + ":")) and len(parent) > len(best[0]):
            best = (parent, kind)
    return best[1]


# --------------------------------------------------------------------------- letters


@dataclass
class Letter:
    entry: Any  # the custom directive
    account: str
    code: str
    refs: tuple[str, ...]
    items: list[Item] = field(default_factory=list)

    @property
    def date(self) -> date:
        return self.entry.date  # type: ignore[no-any-return]

    @property
    def total(self) -> Decimal:
        return sum((i.amount for i in self.items), ZERO)

    @property
    def partial(self) -> bool:
        """A partial letter (lower-case code): a document settled in part."""
        return self.code.islower()


def read_undos(entries: Iterable[Any]) -> dict[tuple[str, str], date]:
    """``{(account, code): day}``: the letters undone (``alusage-unletter``), and when."""
    out: dict[tuple[str, str], date] = {}
    for entry in entries:
        if isinstance(entry, data.Custom) and entry.type == UNLETTER_TYPE:
            values = [v.value for v in entry.values]
            if len(values) == 2 and all(isinstance(v, str) for v in values):
                key = (str(values[0]), str(values[1]))
                out[key] = min(entry.date, out.get(key, entry.date))
    return out


def read_letters(
    entries: Iterable[Any], *, as_of: date | None = None, partial: bool = False
) -> tuple[list[Letter], list[Any]]:
    """Every ``alusage-letter`` directive, in date order; the malformed ones apart.

    Final letters (capital codes), or with ``partial`` the partial ones (lower-case codes:
    a document settled in part). A letter undone (``alusage-unletter``) on or before
    ``as_of`` (at any date without it) is left out: it no longer letters anything.
    """
    entries = list(entries)
    undos = read_undos(entries)
    letters, bad = [], []
    for entry in entries:
        if not isinstance(entry, data.Custom) or entry.type != LETTER_TYPE:
            continue
        values = [v.value for v in entry.values]
        if (
            len(values) < 3
            or not all(isinstance(v, str) for v in values)
            or entry.values[0].dtype is str
            or not _CODE.fullmatch(values[1])
        ):
            bad.append(entry)
            continue
        if values[1].islower() != partial:
            continue
        undone = undos.get((values[0], values[1]))
        if undone is not None and (as_of is None or undone <= as_of):
            continue
        letters.append(Letter(entry, values[0], values[1], tuple(values[2:])))
    letters.sort(key=lambda lt: (lt.date, lt.account, lt.code))
    return letters, bad


class _RefIndex:
    """Items of one account by reference (link, and entry id when a letter uses ids)."""

    def __init__(self, items: Sequence[Item]) -> None:
        self.items = items
        self.by_ref: dict[str, list[int]] = {}
        for index, item in enumerate(items):
            for link in item.links:
                self.by_ref.setdefault(link, []).append(index)
        self._ids_done = False

    def lookup(self, ref: str) -> list[int]:
        if ref.startswith("id-") and not self._ids_done:
            self._ids_done = True
            for index, item in enumerate(self.items):
                self.by_ref.setdefault(entry_id(item.entry), []).append(index)
        return self.by_ref.get(ref, [])


def assign(
    entries: Sequence[Any],
    account: str,
    letters: Sequence[Letter] | None = None,
    *,
    as_of: date | None = None,
    items: Sequence[Item] | None = None,
    starts: Sequence[date] | None = None,
) -> tuple[list[Item], list[Letter]]:
    """Items of ``account`` and the letters of that account with the items they claim.

    Returns the open items (claimed by no letter) and the letters (dated on or before
    ``as_of`` when given), each with ``items`` filled. A letter claims only items of its
    own segment (:func:`segment_starts`, given as ``starts`` when the caller has them);
    with ``as_of``, the open items are those of the segment holding that day. ``items``
    spares a scan of ``entries`` when the caller already has the account's items. Linear
    in the number of items and references (an index by reference, no scan per letter).
    """
    if starts is None:
        starts = segment_starts(entries)
    if letters is None:
        letters = read_letters(entries, as_of=as_of)[0]
    mine = [
        Letter(lt.entry, lt.account, lt.code, lt.refs)
        for lt in letters
        if lt.account == account and (as_of is None or lt.date <= as_of)
    ]
    if items is None:
        items = items_on(entries, account)
    items = [i for i in items if as_of is None or i.date <= as_of]
    index = _RefIndex(items)
    claimed: set[int] = set()
    for letter in mine:
        found = sorted({i for ref in letter.refs for i in index.lookup(ref)})
        segment = segment_of(letter.date, starts)
        for i in found:
            item = items[i]
            if i not in claimed and item.date <= letter.date:
                if starts and segment_of(item.date, starts) != segment:
                    continue
                letter.items.append(item)
                claimed.add(i)
    open_now = [item for i, item in enumerate(items) if i not in claimed]
    if as_of is not None and starts:
        current = segment_of(as_of, starts)
        open_now = [i for i in open_now if segment_of(i.date, starts) == current]
    return open_now, mine


def open_items(ledger: LoadedLedger, account: str, *, as_of: date | None = None) -> list[Item]:
    """The items of a third-party account that no letter has matched (yet), on ``as_of``
    or, without it, in the books since the last exercice close (what a closed exercice
    left open goes on as its à-nouveaux lines)."""
    starts = segment_starts(ledger.entries)
    found = assign(ledger.entries, account, as_of=as_of, starts=starts)[0]
    if as_of is None and starts:
        found = [i for i in found if i.date >= starts[-1]]
    return found


def partial_claims(
    entries: Sequence[Any],
    account: str,
    open_now: Sequence[Item],
    *,
    as_of: date | None = None,
    starts: Sequence[date] = (),
) -> dict[tuple[int, str, int], Letter]:
    """The open items of ``account`` a partial letter names: the latest such letter
    (dated on or before ``as_of``), of the item's segment, dated on or after the item."""
    out: dict[tuple[int, str, int], Letter] = {}
    partials = [
        lt
        for lt in read_letters(entries, as_of=as_of, partial=True)[0]
        if lt.account == account and (as_of is None or lt.date <= as_of)
    ]
    if not partials:
        return out
    index = _RefIndex(open_now)
    for letter in partials:
        segment = segment_of(letter.date, starts)
        for i in sorted({i for ref in letter.refs for i in index.lookup(ref)}):
            item = open_now[i]
            if item.date <= letter.date and segment_of(item.date, starts) == segment:
                out[item.key] = letter
    return out


class LetterIndex:
    """Which letter (code, date) matched an entry's posting on an account (for the FEC).

    With ``until`` (an exercice's last day), only what is dated on or before it counts:
    what happens later never changes the answer for a closed period. An item no final
    letter claims but a partial letter names gets the partial letter (lower-case code).
    """

    def __init__(self, entries: Sequence[Any], *, until: date | None = None) -> None:
        entries = [e for e in entries if until is None or e.date <= until] if until else entries
        starts = segment_starts(entries)
        letters = read_letters(entries, as_of=until)[0]
        partial_accounts = {lt.account for lt in read_letters(entries, partial=True)[0]}
        self._by_item: dict[tuple[int, str, int], Letter] = {}
        for account in sorted({lt.account for lt in letters} | partial_accounts):
            open_now, claimed = assign(entries, account, letters, starts=starts)
            for letter in claimed:
                for item in letter.items:
                    self._by_item[item.key] = letter
            if account in partial_accounts:
                self._by_item.update(
                    partial_claims(entries, account, open_now, as_of=until, starts=starts)
                )

    def get(self, entry: Any, account: str, part: int = -1) -> Letter | None:
        """The letter of ``entry`` on ``account`` (``part``: the posting's index, for an
        à-nouveaux line that is an item of its own)."""
        found = self._by_item.get((id(entry), account, part))
        if found is None and part >= 0:
            found = self._by_item.get((id(entry), account, -1))
        return found


# --------------------------------------------------------------------------- codes


def code_index(code: str) -> int:
    """``AA`` → 0, ``AB`` → 1 ... ``ZZ`` → 675, ``AAA`` → 676 (codes of 1 letter: -26..-1)."""
    value = 0
    for ch in code:
        value = value * 26 + (ord(ch) - 65)
    offset: int = sum(26**n for n in range(2, len(code)))
    return offset + value - (26 if len(code) == 1 else 0)


def code_for(index: int) -> str:
    length, offset = 2, 0
    while index - offset >= 26**length:
        offset += 26**length
        length += 1
    value = index - offset
    letters = []
    for _i in range(length):
        letters.append(chr(65 + value % 26))
        value //= 26
    return "".join(reversed(letters))


# --------------------------------------------------------------------------- matching


def first_open_day(entries: Iterable[Any]) -> date | None:
    closed = sorted(closed_months(entries))
    if not closed:
        return None
    return closed[-1].end


def letter_directive(day: date, account: str, code: str, refs: Sequence[str]) -> Any:
    values = [ValueType(account, account_lib.TYPE), ValueType(code, str)]
    values += [ValueType(ref, str) for ref in refs]
    return data.Custom(data.new_metadata("<alusage>", 0), day, LETTER_TYPE, values)


class _Groups:
    """Union-find of items joined by a shared link."""

    def __init__(self, items: Sequence[Item]) -> None:
        self.parent = list(range(len(items)))
        first: dict[str, int] = {}
        for index, item in enumerate(items):
            for link in sorted(item.links):
                if link in first:
                    self.union(first[link], index)
                else:
                    first[link] = index

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def components(self) -> list[list[int]]:
        out: dict[int, list[int]] = {}
        for i in range(len(self.parent)):
            out.setdefault(self.find(i), []).append(i)
        return list(out.values())


def link_groups(items: Sequence[Item]) -> list[list[Item]]:
    """Items joined by shared links (transitively), each group and the groups oldest first."""
    components = [sorted(c, key=lambda i: (items[i].date, i)) for c in _Groups(items).components()]
    components.sort(key=lambda c: (items[c[0]].date, c[0]))
    return [[items[i] for i in c] for c in components]


def _same_reference(a: Item, b: Item) -> bool:
    refs_a, refs_b = a.references(), b.references()
    if refs_a & refs_b:
        return True
    return any(len(r) >= 4 and r in b.text() for r in refs_a) or any(
        len(r) >= 4 and r in a.text() for r in refs_b
    )


@dataclass
class _Planner:
    """Proposes letters for one account and proves each one against :func:`assign`."""

    entries: list[Any]
    account: str
    floor: date | None
    letters: list[Letter]
    items: list[Item]
    next_index: int
    new: list[Any] = field(default_factory=list)
    starts: Sequence[date] = ()
    _open_for: Sequence[Item] | None = None
    _open_by_link: dict[str, set[tuple[int, str, int]]] | None = None

    def refs_for(self, chosen: Sequence[Item], open_now: Sequence[Item]) -> list[str]:
        """Links when they name exactly ``chosen`` among the open items, else entry ids."""
        keys = {i.key for i in chosen}
        if self._open_by_link is None or self._open_for is not open_now:
            self._open_for = open_now
            self._open_by_link = {}
            for item in open_now:
                for link in item.links:
                    self._open_by_link.setdefault(link, set()).add(item.key)
        by_link = self._open_by_link

        def names_chosen(link: str) -> bool:
            return by_link.get(link, set()) <= keys

        common = frozenset.intersection(*(i.links for i in chosen))
        for link in sorted(common):
            if names_chosen(link):
                return [link]
        refs: set[str] = set()
        for item in chosen:
            usable = [link for link in sorted(item.links) if names_chosen(link)]
            if usable:
                refs.update(usable)
            else:
                refs.add(entry_id(item.entry))
        return sorted(refs)

    def day_for(self, chosen: Sequence[Item]) -> date:
        day = max(i.date for i in chosen)
        return max(day, self.floor) if self.floor else day

    def _item_refs(self, index: int) -> set[str]:
        item = self.items[index]
        if index not in self._ids:
            self._ids[index] = entry_id(item.entry)
        return {*item.links, self._ids[index]}

    def _contenders(self, trial: Letter) -> tuple[list[Letter], list[Item]]:
        """The letters that compete with ``trial`` for items, transitively, and those items.

        Letters outside this closure share no item with it, so their claims cannot change:
        proving the trial on the closure alone keeps the whole run linear.
        """
        chosen: dict[int, Letter] = {id(trial): trial}
        seen_items: set[int] = set()
        queue = [trial]
        while queue:
            letter = queue.pop()
            for ref in letter.refs:
                for index in self._index.lookup(ref):
                    if index in seen_items:
                        continue
                    seen_items.add(index)
                    for item_ref in self._item_refs(index):
                        for other in self._by_ref.get(item_ref, ()):
                            if id(other) not in chosen:
                                chosen[id(other)] = other
                                queue.append(other)
        letters = sorted(chosen.values(), key=lambda lt: (lt.date, lt.account, lt.code))
        return letters, [self.items[i] for i in sorted(seen_items)]

    def _accept(self, letter: Letter) -> None:
        self.letters.append(letter)
        for ref in letter.refs:
            self._by_ref.setdefault(ref, []).append(letter)

    def propose(
        self, chosen: Sequence[Item], open_now: Sequence[Item], code: str | None = None
    ) -> Any | None:
        """A directive lettering exactly ``chosen`` (with ``code``, else the next free
        one), or None when none can be proved."""
        day = self.day_for(chosen)
        fresh = code is None
        code = code or code_for(self.next_index)
        wanted = {i.key for i in chosen}
        for refs in (
            self.refs_for(chosen, open_now),
            sorted({entry_id(i.entry) for i in chosen}),
        ):
            entry = letter_directive(day, self.account, code, refs)
            trial = Letter(entry, self.account, code, tuple(refs))
            letters, items = self._contenders(trial)
            _open, result = assign(
                self.entries, self.account, letters, items=items, starts=self.starts
            )
            if not all(lt.total == 0 and lt.items for lt in result):
                continue
            got = next(lt for lt in result if lt.entry is entry)
            if {i.key for i in got.items} == wanted:
                self._accept(trial)
                self.new.append(entry)
                if fresh:
                    self.next_index += 1
                return entry
        return None

    def __post_init__(self) -> None:
        self._index = _RefIndex(self.items)
        self._ids: dict[int, str] = {}
        self._by_ref: dict[str, list[Letter]] = {}
        letters, self.letters = self.letters, []
        for letter in letters:
            self._accept(letter)


def used_codes(entries: Iterable[Any], account: str) -> int:
    """The index after the highest code ever used on ``account`` (final, partial or undone
    letters alike: a code is never given twice)."""
    highest = -1
    for entry in entries:
        if isinstance(entry, data.Custom) and entry.type in (LETTER_TYPE, UNLETTER_TYPE):
            values = [v.value for v in entry.values]
            if (
                len(values) >= 2
                and values[0] == account
                and isinstance(values[1], str)
                and _CODE.fullmatch(values[1])
            ):
                highest = max(highest, code_index(values[1].upper()))
    return highest + 1


def planner_for(entries: list[Any], account: str) -> tuple[_Planner, list[Item]]:
    """A planner of new letters on ``account`` and its open items of the current segment
    (an item left open by a closed exercice goes on as an à-nouveaux line)."""
    starts = segment_starts(entries)
    letters = [lt for lt in read_letters(entries)[0] if lt.account == account]
    items = items_on(entries, account)
    open_now, _mine = assign(entries, account, letters, items=items, starts=starts)
    if starts:
        open_now = [i for i in open_now if i.date >= starts[-1]]
    planner = _Planner(
        entries, account, first_open_day(entries), letters, items, used_codes(entries, account)
    )
    planner.starts = starts
    return planner, open_now


def letter_account(ledger: LoadedLedger, account: str) -> list[Any]:
    """New ``alusage-letter`` directives for ``account`` (pure: nothing is written).

    By link first (groups summing to zero), then by exact amount and shared reference.
    """
    planner, open_now = planner_for(list(ledger.entries), account)
    singles = []
    for group in link_groups(open_now):
        if len(group) > 1 and sum((i.amount for i in group), ZERO) == 0:
            planner.propose(group, open_now)
        elif len(group) == 1:
            singles.append(group[0])
    used: set[tuple[int, str, int]] = set()
    credits: dict[Decimal, list[Item]] = {}
    for item in singles:
        if item.amount < 0:
            credits.setdefault(-item.amount, []).append(item)
    for debit in singles:
        if debit.amount <= 0 or debit.key in used:
            continue
        for credit in credits.get(debit.amount, ()):
            if credit.key not in used and _same_reference(debit, credit):
                if planner.propose([debit, credit], open_now) is not None:
                    used.update((debit.key, credit.key))
                break
    return sorted(planner.new, key=lambda e: (e.date, e.values[1].value))


def letter_ledger(
    config: Config, ledger: LoadedLedger, accounts: Sequence[str] | None = None
) -> list[Any]:
    """``letter_account`` over every third-party account of the entity (or those named)."""
    out: list[Any] = []
    for account in accounts or third_party_accounts(config, ledger):
        out.extend(letter_account(ledger, account))
    return out


# --------------------------------------------------------------------------- check rules


@checks.entity_rule
def letters_balance(ws: Workspace, ledger: LoadedLedger) -> Iterable[LedgerProblem]:
    """Each letter code names items that sum to zero, once per account; a partial letter
    or an undo names a letter's items or code that exist."""
    entries = list(ledger.entries)
    letters, bad = read_letters(entries)
    starts = segment_starts(entries)
    yield from _partials_and_undos(ws, ledger, entries)
    for entry in bad:
        yield checks.problem_at(
            ws,
            ledger.entity,
            entry,
            _(
                'a "{type}" directive needs an account, a code of capital letters and at '
                "least one reference."
            ).format(type=LETTER_TYPE),
        )
    seen: dict[tuple[str, str], Letter] = {}
    for account in sorted({lt.account for lt in letters}):
        for letter in assign(entries, account, letters, starts=starts)[1]:
            first = seen.get((account, letter.code))
            if first is not None:
                yield checks.problem_at(
                    ws,
                    ledger.entity,
                    letter.entry,
                    _("the letter code {code} is used twice on {account}.").format(
                        code=letter.code, account=account
                    ),
                )
            seen[(account, letter.code)] = letter
            if not letter.items:
                yield checks.problem_at(
                    ws,
                    ledger.entity,
                    letter.entry,
                    _("the letter {code} on {account} matches no entry ({refs}).").format(
                        code=letter.code, account=account, refs=", ".join(letter.refs)
                    ),
                )
            elif letter.total != 0:
                yield checks.problem_at(
                    ws,
                    ledger.entity,
                    letter.entry,
                    _(
                        "the items of letter {code} on {account} do not sum to zero "
                        "(off by {diff})."
                    ).format(code=letter.code, account=account, diff=letter.total),
                )


def _partials_and_undos(
    ws: Workspace, ledger: LoadedLedger, entries: list[Any]
) -> Iterable[LedgerProblem]:
    codes = {
        (str(e.values[0].value), str(e.values[1].value))
        for e in entries
        if isinstance(e, data.Custom) and e.type == LETTER_TYPE and len(e.values) >= 2
    }
    indexes: dict[str, _RefIndex] = {}
    for letter in read_letters(entries, partial=True, as_of=date.min)[0]:
        if letter.account not in indexes:
            indexes[letter.account] = _RefIndex(items_on(entries, letter.account))
        if not any(indexes[letter.account].lookup(ref) for ref in letter.refs):
            yield checks.problem_at(
                ws,
                ledger.entity,
                letter.entry,
                _("the partial letter {code} on {account} matches no entry ({refs}).").format(
                    code=letter.code, account=letter.account, refs=", ".join(letter.refs)
                ),
            )
    for entry in entries:
        if isinstance(entry, data.Custom) and entry.type == UNLETTER_TYPE:
            values = tuple(str(v.value) for v in entry.values)
            if len(values) != 2 or values not in codes:
                yield checks.problem_at(
                    ws,
                    ledger.entity,
                    entry,
                    _(
                        'this "{type}" undoes no letter (it needs an account and a code in use).'
                    ).format(type=UNLETTER_TYPE),
                )


def days_between(a: date, b: date) -> int:
    return (b - a) // timedelta(days=1)
