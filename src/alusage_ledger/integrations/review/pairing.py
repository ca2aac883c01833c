"""Pairing the entries of two sides: unchanged, added, removed, modified.

Entries with the same canonical hash are unchanged (compared as multisets); a modified
entry is a removed and an added one paired by ``gen-id``, then invoice number, then link,
then date and narration (or date and postings); other directives are paired likewise (an
``open`` by its account, a ``balance`` by account and date, a ``custom`` by type, date and
first value).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from decimal import Decimal

from alusage_ledger.integrations.review.results import Modified, PostingChange
from alusage_ledger.integrations.review.sides import Entry

_CANDIDATES_PER_ENTRY = 200  # bounds the pairing work when many entries share a key

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
