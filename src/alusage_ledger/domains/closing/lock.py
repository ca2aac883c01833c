"""The lock of month M: its close file (exact balance assertions dated the first day of
M+1 and the chained digest, see ``books.locks``), built and written for each entity."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from beancount.core import data
from beancount.core.amount import Amount
from beancount.parser.grammar import ValueType

from alusage_ledger.books.ledger import Workspace
from alusage_ledger.books.locks import (
    CLOSED_ON_KEY,
    LOCK_HASH_KEY,
    close_file_rel,
    close_records,
    exercice_end_in,
    lock_hash,
    locked_entries,
    month_digest,
    start_month,
)
from alusage_ledger.books.writer import Append
from alusage_ledger.core.periods import Month
from alusage_ledger.domains.closing.results import CloseResult
from alusage_ledger.domains.closing.snapshot import rel_path

if TYPE_CHECKING:
    from alusage_ledger.books.entityconfig import EntityConfig
    from alusage_ledger.books.loader import LoadedLedger


def _leaf(account: str, accounts: set[str]) -> bool:
    prefix = account + ":"
    return not any(other.startswith(prefix) for other in accounts)


def build_lock(
    ledger: LoadedLedger,
    config: EntityConfig,
    month: Month,
    closed_on: date,
    previous: str | None,
) -> tuple[list[Any], str]:
    """The entries of month ``month``'s close file, and its digest (pure)."""

    first, last, first_next = month.first_day, month.last_day, month.end
    roots = ledger.roots()[:3]
    opened: set[str] = set()
    closed: set[str] = set()
    balances: dict[tuple[str, str], Decimal] = {}
    moved: set[tuple[str, str]] = set()
    asserted: set[tuple[str, str]] = set()
    for entry in ledger.entries:
        kind = type(entry).__name__
        if kind == "Open" and entry.date <= last:
            opened.add(entry.account)
        elif kind == "Close" and entry.date <= first_next:
            closed.add(entry.account)
        elif kind == "Balance" and entry.date == first_next:
            asserted.add((entry.account, entry.amount.currency))
        elif kind == "Transaction" and entry.date <= last:
            for posting in entry.postings:
                key = (posting.account, posting.units.currency)
                balances[key] = balances.get(key, Decimal(0)) + posting.units.number
                if entry.date >= first:
                    moved.add(key)

    assertions: list[Any] = []
    # The last month of an exercice stays open to inventory entries dated its last day
    # until the exercice is closed: its exact assertions would refuse them (see docs).
    if exercice_end_in(config, month) is None:
        candidates = {key for key, value in balances.items() if value != 0} | moved
        for account, currency in sorted(candidates):
            if (
                account.split(":")[0] not in roots
                or account not in opened
                or account in closed
                or not _leaf(account, opened)
                or (account, currency) in asserted
            ):
                continue
            number = balances.get((account, currency), Decimal(0))
            if currency == "EUR":
                number = number.quantize(Decimal("0.01"))
            tolerance = Decimal("0.00") if currency == "EUR" else Decimal("0")
            assertions.append(
                data.Balance(
                    data.new_metadata("<alusage>", 0),
                    first_next,
                    account,
                    Amount(number, currency),
                    tolerance,
                    None,
                )
            )

    covered = locked_entries(
        ledger.parsed_entries(),
        month,
        first=previous is None,
        inventory_day=exercice_end_in(config, month),
    )
    digest = month_digest(previous, covered)
    meta = data.new_metadata("<alusage>", 0)
    meta[CLOSED_ON_KEY] = closed_on
    close = data.Custom(
        meta,
        first_next,
        "alusage-close",
        [ValueType(str(month), str), ValueType(digest, str)],
    )
    meta[LOCK_HASH_KEY] = lock_hash([*assertions, close])
    return [*assertions, close], digest


def write_locks(
    ws: Workspace, month: Month, entities: Sequence[str], day: date, result: CloseResult
) -> None:
    """Append the close file of ``month`` to each entity's ledger (one write)."""
    appends = []
    for name in entities:
        ledger = ws.load_checked(name)
        config = ws.config.entity(name)
        records, _dups = close_records(ledger.entries)
        start = start_month(config, ledger.parsed_entries()) or month
        previous = None if month == start else records[month.prev()].digest
        entries, digest = build_lock(ledger, config, month, day, previous)
        appends.append(Append(name, tuple(entries), file=close_file_rel(month)))
        for item in result.entities:
            if item.entity == name:
                item.digest = digest
                item.assertions = len(entries) - 1
                item.file = rel_path(ledger.folder() / close_file_rel(month), ws.root)
    ws.write(appends)


def describe_locks(ws: Workspace, month: Month, result: CloseResult) -> None:
    """The lock of each entity that had already closed ``month``, into ``result``."""
    for item in result.entities:
        if item.status != "already-closed":
            continue
        ledger = ws.load(item.entity)  # with errors too: it is not closed again
        records, _dups = close_records(ledger.entries)
        record = records[month]
        item.digest = record.digest
        item.file = rel_path(ledger.folder() / close_file_rel(month), ws.root)
        item.assertions = sum(
            1
            for e in ledger.entries
            if type(e).__name__ == "Balance" and e.date == record.entry.date
        )


def closed_months(ledger: LoadedLedger) -> set[Month]:
    records, _dups = close_records(ledger.entries)
    return set(records)
