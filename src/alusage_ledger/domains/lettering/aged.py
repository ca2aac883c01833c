"""Aged balances: what each client, supplier, person or member owes or is owed, by age.

On a day D (``--as-of``), the open items of every third-party account (items booked on
or before D that no letter dated on or before D has matched, see :mod:`lettering`) are
netted per group of entries sharing a link: an invoice and its partial receipt leave
one row with what is still due. A group that nets to zero is settled even when it is
not lettered yet. Each remaining row is aged from the date of its oldest item of the
same sign (the invoice or bill, not the partial payment) and falls in one bucket:
0–30, 31–60, 61–90 or over 90 days.

Amounts are signed from the entity's point of view: positive when the third party owes
the entity (a client's unpaid invoice), negative when the entity owes it (an unpaid
bill, an expense claim not yet reimbursed).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from alusage_ledger.core.money import ZERO
from alusage_ledger.domains.lettering.letters import (
    Item,
    days_between,
    entry_id,
    kind_of,
    link_groups,
    open_items,
    third_party_accounts,
)

if TYPE_CHECKING:
    from alusage_ledger.books.config import Config
    from alusage_ledger.books.loader import LoadedLedger

#: (key, first day, last day) of each age bucket; ``None``: no upper bound.
BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-30", 0, 30),
    ("31-60", 31, 60),
    ("61-90", 61, 90),
    ("90+", 91, None),
)


def bucket_of(age: int) -> str:
    for key, low, high in BUCKETS:
        if age >= low and (high is None or age <= high):
            return key
    return BUCKETS[0][0]


@dataclass(frozen=True)
class AgedRow:
    """One open amount: a document not (fully) settled, or a payment not matched."""

    entity: str
    account: str
    kind: str  # client | supplier | person | member
    party: str
    day: date  # the age counts from this day
    age: int
    amount: Decimal  # + owed to the entity, - owed by it
    refs: tuple[str, ...]
    label: str
    items: int

    @property
    def bucket(self) -> str:
        return bucket_of(self.age)


@dataclass
class AgedBalance:
    """Per third-party account: the open rows summed by bucket."""

    entity: str
    account: str
    kind: str
    party: str
    buckets: dict[str, Decimal] = field(default_factory=lambda: {b[0]: ZERO for b in BUCKETS})
    rows: list[AgedRow] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum(self.buckets.values(), ZERO)


def _party(items: Sequence[Item], account: str) -> str:
    """The third party's name: as the documents name it, else the payee (a member's
    ``member`` metadata is an id, the last resort before the account's own name)."""
    for item in items:
        meta = item.entry.meta or {}
        for key in ("client", "supplier", "person"):
            if meta.get(key):
                return str(meta[key])
    for item in items:
        if item.entry.payee:
            return str(item.entry.payee)
    for item in items:
        if (item.entry.meta or {}).get("member"):
            return str(item.entry.meta["member"])
    return account.rsplit(":", 1)[-1]


def aged_rows(config: Config, ledger: LoadedLedger, as_of: date) -> list[AgedRow]:
    """Open amounts of every third-party account of the entity on ``as_of``."""
    rows: list[AgedRow] = []
    for account in third_party_accounts(config, ledger):
        items = open_items(ledger, account, as_of=as_of)
        if not items:
            continue
        kind = kind_of(config, ledger.entity, account)
        party = _party(items, account)
        for group in link_groups(items):
            net = sum((i.amount for i in group), ZERO)
            if net == 0:
                continue
            same_sign = [i for i in group if (i.amount > 0) == (net > 0)]
            origin = (same_sign or group)[0]
            links = sorted({link for i in group for link in i.links})
            refs = tuple(links) if links else tuple(entry_id(i.entry) for i in group)
            rows.append(
                AgedRow(
                    entity=ledger.entity,
                    account=account,
                    kind=kind,
                    party=party,
                    day=origin.date,
                    age=days_between(origin.date, as_of),
                    amount=net,
                    refs=refs,
                    label=str(origin.entry.narration or ""),
                    items=len(group),
                )
            )
    return rows


def aged_balances(rows: Sequence[AgedRow]) -> list[AgedBalance]:
    """Rows summed per third-party account, in account order."""
    out: dict[tuple[str, str], AgedBalance] = {}
    for row in rows:
        balance = out.get((row.entity, row.account))
        if balance is None:
            balance = AgedBalance(row.entity, row.account, row.kind, row.party)
            out[(row.entity, row.account)] = balance
        balance.buckets[row.bucket] += row.amount
        balance.rows.append(row)
    return [out[key] for key in sorted(out)]
