"""``bank-ref``: the stable reference that makes importing a statement idempotent.

Each line gets the bank's own reference, or a SHA-256 of the account, date, amount, label
and rank among identical lines of that day (:func:`bank_refs`). What the ledger already
holds on a bank account is read back (:func:`present_refs`, :func:`hand_entries`), and the
``check`` rule :func:`bank_refs_unique` reports a line booked twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from beancount.core import data

from alusage_ledger.books import checks
from alusage_ledger.core.errors import LedgerProblem
from alusage_ledger.core.i18n import _
from alusage_ledger.integrations.bank.entries import posts_to, units_on
from alusage_ledger.integrations.bank.statement import BankLine

if TYPE_CHECKING:
    from alusage_ledger.books.ledger import Workspace
    from alusage_ledger.books.loader import LoadedLedger


def bank_refs(lines: Sequence[BankLine], account: str) -> list[str]:
    """A stable reference for each line (same order).

    The bank's reference when the line has one (a repeated reference gets ``#2``, ``#3``);
    else ``sha256:`` and 24 hex digits of the account, date, amount, label and the rank of
    the line among identical lines of that day, so an overlapping statement gives the
    same references and two identical purchases of one day two different ones.
    """
    seen: dict[tuple[Any, ...], int] = {}
    out = []
    for line in lines:
        if line.reference:
            key: tuple[Any, ...] = ("ref", line.reference)
            rank = seen.get(key, 0)
            seen[key] = rank + 1
            out.append(line.reference if rank == 0 else f"{line.reference}#{rank + 1}")
            continue
        amount = f"{line.amount:.2f}"
        key = ("hash", line.date, amount, line.label)
        rank = seen.get(key, 0)
        seen[key] = rank + 1
        text = "\n".join((account, line.date.isoformat(), amount, line.label, str(rank)))
        out.append("sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:24])
    return out


def present_refs(entries: Iterable[Any], account: str) -> set[str]:
    """``bank-ref`` values of the transactions already on ``account``."""
    return {
        str(e.meta["bank-ref"])
        for e in entries
        if isinstance(e, data.Transaction) and "bank-ref" in (e.meta or {}) and posts_to(e, account)
    }


def hand_entries(entries: Iterable[Any], account: str) -> list[tuple[date, Decimal, Any]]:
    """Transactions on ``account`` booked without a ``bank-ref`` (by hand or a command)."""
    out = []
    for entry in entries:
        if not isinstance(entry, data.Transaction) or "bank-ref" in (entry.meta or {}):
            continue
        if posts_to(entry, account):
            out.append((entry.date, units_on(entry, account), entry))
    return out


@checks.entity_rule
def bank_refs_unique(ws: Workspace, ledger: LoadedLedger) -> Iterable[LedgerProblem]:
    """A ``bank-ref`` appears once per bank account: a second one is a duplicated line."""
    seen: dict[tuple[str, str], Any] = {}
    for entry in ledger.entries:
        if not isinstance(entry, data.Transaction):
            continue
        ref = (entry.meta or {}).get("bank-ref")
        if not isinstance(ref, str):
            continue
        banks = {p.account for p in entry.postings if p.account.split(":")[0] == ledger.roots()[0]}
        for bank in sorted(banks):
            first = seen.setdefault((bank, ref), entry)
            if first is not entry:
                yield checks.problem_at(
                    ws,
                    ledger.entity,
                    entry,
                    _(
                        "the bank line {ref} of {account} is booked twice (first on {day}); "
                        "remove one with a reversal."
                    ).format(ref=ref, account=bank, day=first.date.isoformat()),
                )
