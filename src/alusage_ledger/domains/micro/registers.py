"""Registers of a micro-entrepreneur: the livre des recettes and URSSAF turnover.

A micro-entrepreneur (``kind = "micro"``) is taxed on what it *receives*: its books are a
chronological register of receipts (livre des recettes: date, client, nature, amount,
payment method, invoice reference, art. L123-28 Code de commerce and 50-0 CGI) and the
turnover it declares to URSSAF each month or quarter, split by category:

- ``bic-sales``: sales of goods (ventes de marchandises, BIC);
- ``bic-services``: commercial or craft services (prestations de services BIC);
- ``bnc``: liberal services (prestations de services BNC).

Each activity's category is ``urssaf`` in ``[entities.<id>.activities.<a>]`` (default:
``bnc`` for services, ``bic-sales`` for goods). A receipt of an invoice with several
activities is split between their categories in proportion, to the cent.

Receipts are read from the ledger: payments of invoices (linked by ``invoice``) and
income received without an invoice (a bank or cash posting against a turnover account).
The payment method is the receipt's ``payment-method`` metadata (written by
``invoice pay --method`` and by the bank import when the bank's label names it:
``VIR``, ``CHQ``, ``CB``, ``PRLV``...), ``especes`` for money into the cash box, else
``unknown``: a method is never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from alusage_ledger.books.entries import is_under
from alusage_ledger.core.errors import UsageError
from alusage_ledger.core.i18n import _
from alusage_ledger.core.money import ZERO, split_exact
from alusage_ledger.domains.sales import (
    Accounts,
    activities_of,
    activity_of_account,
    revenue_account_set,
    sales_index,
    urssaf_category,
)

if TYPE_CHECKING:
    from alusage_ledger.books.config import Config
    from alusage_ledger.books.loader import LoadedLedger
    from alusage_ledger.core.periods import Period

CATEGORIES = ("bic-sales", "bic-services", "bnc")


def require_micro(config: Config, entity: str) -> None:
    if config.entity(entity).kind != "micro":
        raise UsageError(
            _(
                "{entity} is not a micro-entrepreneur (kind {kind}): it keeps double-entry "
                "books, not a livre des recettes; use 'revenue' or 'report' instead."
            ).format(entity=entity, kind=config.entity(entity).kind)
        )


@dataclass(frozen=True)
class Recette:
    date: date
    client: str
    nature: str
    amount: Decimal
    method: str
    invoice: str | None
    categories: tuple[tuple[str, Decimal], ...]  # the amount split by URSSAF category


UNKNOWN = "unknown"


def _method(entry: Any, acc: Accounts) -> str:
    """The receipt's ``payment-method`` (``invoice pay --method``, the bank import), else
    ``especes`` for money into the cash box (53), else ``unknown``: never guessed."""
    given = (entry.meta or {}).get("payment-method")
    if isinstance(given, str) and given:
        return given
    if any(
        is_under(p.account, acc.cash) and p.units is not None and p.units.number > 0
        for p in entry.postings
    ):
        return "especes"
    return UNKNOWN


def recettes(config: Config, ledger: LoadedLedger, period: Period) -> list[Recette]:
    """Every receipt dated in ``period``, in date order (cash basis)."""
    acc = Accounts.of(config, ledger)
    acts = activities_of(config, ledger.entity)
    by_account = activity_of_account(config, ledger.entity)
    index = sales_index(config, ledger)
    rows: list[Recette] = []
    for invoice in index.invoices.values():
        weights: dict[str, Decimal] = {}
        for line in invoice.lines:
            category = urssaf_category(acts.get(line.activity))
            weights[category] = weights.get(category, ZERO) + abs(line.ht)
        nature = ", ".join(invoice.activities())
        for receipt in invoice.receipts:
            if receipt.date not in period or not receipt.amount:
                continue
            split = _split(receipt.amount, weights)
            rows.append(
                Recette(
                    receipt.date,
                    invoice.client,
                    nature,
                    receipt.amount,
                    _method(receipt.entry, acc),
                    invoice.number,
                    split,
                )
            )
    accounts = revenue_account_set(config, ledger)
    for entry in index.cash_sales:
        if entry.date not in period:
            continue
        weights = {}
        natures: list[str] = []
        amount = ZERO
        for p in entry.postings:
            if p.units is None:
                continue
            if p.account in accounts:
                activity = by_account.get(p.account, p.account)
                if activity not in natures:
                    natures.append(activity)
                category = urssaf_category(acts.get(activity))
                weights[category] = weights.get(category, ZERO) + abs(p.units.number)
            if p.account in accounts or acc.is_vat_out(p.account):
                amount -= p.units.number
        if not amount:
            continue
        meta = entry.meta or {}
        client = meta.get("client") if isinstance(meta.get("client"), str) else None
        rows.append(
            Recette(
                entry.date,
                client or entry.payee or entry.narration or "",
                ", ".join(natures),
                amount,
                _method(entry, acc),
                None,
                _split(amount, weights),
            )
        )
    rows.sort(key=lambda r: (r.date, r.invoice or "", r.client))
    return rows


def _split(amount: Decimal, weights: dict[str, Decimal]) -> tuple[tuple[str, Decimal], ...]:
    if not weights or not any(weights.values()):
        return (("bnc", amount),)
    return tuple(split_exact(amount, weights).items())


def urssaf_turnover(config: Config, ledger: LoadedLedger, period: Period) -> dict[str, Decimal]:
    """Turnover received in ``period`` per URSSAF category (all three, zero included)."""
    totals = dict.fromkeys(CATEGORIES, ZERO)
    for row in recettes(config, ledger, period):
        for category, amount in row.categories:
            totals[category] = totals.get(category, ZERO) + amount
    return totals
