"""Revenue (chiffre d'affaires) of a period, by activity, client, month or project.

Revenue is read from the turnover accounts: every income account whose PCG number
starts with 70 (sales, services, ancillary income such as le 97's re-invoicing) and every
configured activity's account; donations (7582) and other income are not turnover. Each
posting is dated by its transaction (invoice date: accrual basis, credit notes
subtracted). Its VAT is the VAT of the same transaction at the same rate, shared between
the postings of that rate by exact split (largest remainder), so group totals add up to
the ledger's totals to the cent::

    HT  = - sum(postings on turnover accounts dated in the period)
    VAT = - sum(postings on 44571/44588 of the transactions that carry that turnover)

``revenue --json`` totals therefore equal a beanquery ``sum(number)`` over the same
accounts and dates (tested).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from beancount.core import data

from alusage_ledger.books.exercice import is_year_end_entry
from alusage_ledger.core.money import ZERO, split_exact
from alusage_ledger.core.periods import Month
from alusage_ledger.domains.sales.activities import activity_of_account, revenue_account_set
from alusage_ledger.domains.sales.index import Accounts, meta_rate, meta_text
from alusage_ledger.domains.sales.rates import NO_VAT

if TYPE_CHECKING:
    from alusage_ledger.books.config import Config
    from alusage_ledger.books.loader import LoadedLedger
    from alusage_ledger.core.periods import Period

GROUPINGS = ("activity", "client", "month", "project")


@dataclass
class RevenueGroup:
    key: str
    ht: Decimal = ZERO
    vat: Decimal = ZERO

    @property
    def ttc(self) -> Decimal:
        return self.ht + self.vat


@dataclass
class RevenueReport:
    entity: str
    period: Period
    by: str
    groups: list[RevenueGroup] = field(default_factory=list)
    accounts: list[str] = field(default_factory=list)

    @property
    def total(self) -> RevenueGroup:
        out = RevenueGroup("")
        for group in self.groups:
            out.ht += group.ht
            out.vat += group.vat
        return out


NONE_KEY = "-"


def revenue_report(config: Config, ledger: LoadedLedger, period: Period, by: str) -> RevenueReport:
    """Group the turnover postings of ``period`` by ``by`` (one pass over the ledger)."""
    accounts = revenue_account_set(config, ledger)
    acc = Accounts.of(config, ledger)
    by_account = activity_of_account(config, ledger.entity)
    groups: dict[str, RevenueGroup] = {}
    for entry in ledger.entries:
        if not isinstance(entry, data.Transaction) or entry.date not in period:
            continue
        if is_year_end_entry(entry):
            continue
        revenue = [p for p in entry.postings if p.units is not None and p.account in accounts]
        if not revenue:
            continue
        meta = entry.meta or {}
        txn_rate = meta_rate(meta)
        rates = [(meta_rate(p.meta) or txn_rate or NO_VAT) for p in revenue]
        vat_by_rate: dict[str, Decimal] = {}
        single = rates[0] if len(set(rates)) == 1 else None
        for p in entry.postings:
            if p.units is not None and acc.is_vat_out(p.account):
                rate = meta_rate(p.meta) or txn_rate or single or "?"
                vat_by_rate[rate] = vat_by_rate.get(rate, ZERO) - p.units.number
        vat_of = [ZERO] * len(revenue)
        for rate, tax in vat_by_rate.items():
            members = [i for i, r in enumerate(rates) if r == rate] or list(range(len(revenue)))
            weights = {i: abs(revenue[i].units.number) for i in members}
            if not any(weights.values()):
                weights = {i: Decimal(1) for i in members}
            for i, part in split_exact(tax, weights).items():
                vat_of[i] += part
        for i, p in enumerate(revenue):
            key = _group_key(by, entry, p, by_account)
            group = groups.setdefault(key, RevenueGroup(key))
            group.ht -= p.units.number
            group.vat += vat_of[i]
    ordered = sorted(groups.values(), key=lambda g: (g.key == NONE_KEY, sort_key(g.key)))
    return RevenueReport(ledger.entity, period, by, ordered, sorted(accounts))


def sort_key(text: str) -> str:
    """Alphabetical order as a French reader expects it: accents and case ignored."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in folded if not unicodedata.combining(c))


def _group_key(by: str, entry: Any, p: Any, by_account: dict[str, str]) -> str:
    meta = entry.meta or {}
    if by == "month":
        return str(Month.of(entry.date))
    if by == "client":
        return meta_text(meta, "client") or entry.payee or NONE_KEY
    if by == "project":
        return meta_text(p.meta, "project") or meta_text(meta, "project") or NONE_KEY
    activity = meta_text(p.meta, "activity")
    txn_activity = meta_text(meta, "activity")
    if activity is None and txn_activity is not None and "," not in txn_activity:
        activity = txn_activity
    return activity or by_account.get(p.account) or p.account
