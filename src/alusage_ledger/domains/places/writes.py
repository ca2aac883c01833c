"""What le 97's writes share: the accounts they open, how they build and stamp entries,
and the report line of one thing written (:class:`Action`).

Calls (:mod:`calls`), payments and letters (:mod:`payments`) all write tagged
transactions (``#le97``) in EUR, stamped with ``gen-hash`` when generated, and open the
accounts they use numbered like their neighbours (:class:`~alusage_ledger.books.accounts.Opener`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from beancount.core import data

from alusage_ledger.books.accounts import Opener
from alusage_ledger.books.entries import stamp
from alusage_ledger.books.roles import role_account

if TYPE_CHECKING:
    from alusage_ledger.domains.places.place import Place

ZERO = Decimal("0.00")

#: Default PCG numbers and labels of the accounts the tool opens (PCG 2025).
RECEIVABLE_PCG = ("411", "Clients")
INCOME_PCG = ("708", "Produits des activités annexes")
EXPENSE_PCG = ("6132", "Locations immobilières")
PAYABLE_PCG = ("401", "Fournisseurs")


@dataclass(frozen=True)
class Action:
    """One thing a post did or would do, for the report."""

    kind: str  # call | reversal | mirror | letter | vat
    entity: str
    member: str
    number: str
    amount: Decimal


def units(entry: Any, account: str) -> Decimal:
    """The sum of ``entry``'s postings to ``account`` exactly."""
    return sum(
        (p.units.number for p in entry.postings if p.account == account and p.units is not None),
        ZERO,
    )


def place_transaction(
    day: date,
    payee: str | None,
    narration: str,
    tags: Iterable[str],
    links: Iterable[str],
    meta: dict[str, Any],
    postings: Sequence[Any],
) -> Any:
    """A ``*`` transaction with tags (``#le97``); ``meta`` is kept as given."""
    full = data.new_metadata("<alusage>", 0)
    full.update(meta)
    return data.Transaction(
        full, day, "*", payee, narration, frozenset(tags), frozenset(links), list(postings)
    )


def stamp_generated(entry: Any) -> Any:
    """Add ``gen-hash`` (the canonical hash of the entry without it) to an entry that
    already carries its ``gen-id``."""
    return stamp(entry, entry.meta["gen-id"])


def open_role(opener: Opener, role: str) -> str:
    """The account of ``role``, opened on first use numbered like its neighbours."""
    found = role_account(opener.config, opener.ledger.entity, role)
    return opener.need_like(found.account, (found.pcg, found.label))


def place_links(entry: Any, place: Place) -> set[str]:
    """The entry's links that belong to ``place`` (``^le97-…``)."""
    return {link for link in entry.links or () if link.startswith(place.id + "-")}
