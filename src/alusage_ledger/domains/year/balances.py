"""Euro amounts of the year's work: account balances read from the books, the highest
capital reached, and the postings and transactions the year writes (amounts rounded to the
cent, tags and links given)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from beancount.core import data
from beancount.core.amount import Amount

from alusage_ledger.books.exercice import is_transaction
from alusage_ledger.domains.year.accounts import accounts_with_pcg

if TYPE_CHECKING:
    from alusage_ledger.books.loader import LoadedLedger

CURRENCY = "EUR"
ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def balances(
    entries: Iterable[Any],
    *,
    until: date | None = None,
    before: date | None = None,
    skip: Callable[[Any], bool] | None = None,
) -> dict[str, Decimal]:
    """Euro balance of every account from the transactions dated up to ``until``
    (included) or ``before`` (excluded)."""
    out: dict[str, Decimal] = {}
    for entry in entries:
        if not is_transaction(entry):
            continue
        if until is not None and entry.date > until:
            continue
        if before is not None and entry.date >= before:
            continue
        if skip is not None and skip(entry):
            continue
        for posting in entry.postings:
            units = posting.units
            if units is None or units.currency != CURRENCY:
                continue
            out[posting.account] = out.get(posting.account, ZERO) + units.number
    return out


def balances_of(entries: Iterable[Any], accounts: set[str]) -> dict[str, Decimal]:
    """:func:`balances` of ``entries`` restricted to ``accounts`` (the same sums, in the same
    order), without a dictionary update for every posting of the ledger."""
    out: dict[str, Decimal] = {}
    if not accounts:
        return out
    for entry in entries:
        if type(entry).__name__ != "Transaction":
            continue
        for line in entry.postings:
            if line.account not in accounts:
                continue
            units = line.units
            if units is None or units.currency != CURRENCY:
                continue
            out[line.account] = out.get(line.account, ZERO) + units.number
    return out


def total(balances_map: dict[str, Decimal], accounts: Iterable[str]) -> Decimal:
    return sum((balances_map.get(a, ZERO) for a in accounts), ZERO)


def highest_capital(ledger: LoadedLedger, until: date | None = None) -> Decimal:
    """The highest capital (PCG 101x, credit balance) reached at the end of any day."""
    accounts = set(accounts_with_pcg(ledger, "101"))
    by_day: dict[date, Decimal] = {}
    for entry in ledger.entries:
        if not is_transaction(entry) or (until is not None and entry.date > until):
            continue
        for posting in entry.postings:
            if posting.account in accounts and posting.units.currency == CURRENCY:
                by_day[entry.date] = by_day.get(entry.date, ZERO) - posting.units.number
    running = ZERO
    best = ZERO
    for day in sorted(by_day):
        running += by_day[day]
        best = max(best, running)
    return best


def posting(account: str, number: Decimal, meta: dict[str, Any] | None = None) -> Any:
    return data.Posting(account, Amount(number.quantize(CENT), CURRENCY), None, None, None, meta)


def transaction(
    day: date,
    payee: str | None,
    narration: str,
    postings: Sequence[Any],
    *,
    meta: dict[str, Any],
    tags: Iterable[str] = (),
    links: Iterable[str] = (),
) -> Any:
    return data.Transaction(
        meta, day, "*", payee, narration, frozenset(tags), frozenset(links), list(postings)
    )
