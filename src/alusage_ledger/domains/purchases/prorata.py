"""The coefficient of deduction of a mixed entity (taxable and exempt sales).

An entity that sells both taxable and exempt operations (e.g. training exempt under CGI
art. 261-4-4°) deducts the VAT of its mixed-use purchases by its coefficient of deduction
(CGI ann. II art. 206; BOI-TVA-DED-20-10-20). Its taxation coefficient is the turnover
that gives a right to deduction over the whole turnover, rounded up to the next whole
percent (ann. II art. 212). During year N the coefficient is provisional, from year N-1's
turnover (ann. II art. 209, the ``coefficient`` setting in the first year); the final one
is computed from year N's turnover, and the difference of the VAT deducted is regularised
by 25 April N+1 (ann. II art. 207-III; BOI-TVA-DED-60-10). Turnover here: the class-70
income of the ledger (sales of goods and services), exempt when its ``vat-rate`` is
``exempt``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import TYPE_CHECKING, Any

from beancount.core import data

from alusage_ledger.books.accounts import account_meta
from alusage_ledger.books.vatregime import regime_on
from alusage_ledger.core.errors import ConfigError
from alusage_ledger.core.i18n import _
from alusage_ledger.core.money import ZERO, quantize_cents

if TYPE_CHECKING:
    from datetime import date

    from alusage_ledger.books.config import Config
    from alusage_ledger.books.loader import LoadedLedger

PERCENT = Decimal("0.01")


@dataclass(frozen=True)
class Turnover:
    taxable: Decimal
    exempt: Decimal

    @property
    def coefficient(self) -> Decimal | None:
        """Taxable / total, rounded up to the whole percent; None without turnover."""
        total = self.taxable + self.exempt
        if total <= 0:
            return None
        return (self.taxable / total).quantize(PERCENT, rounding=ROUND_CEILING)


def turnover(ledger: LoadedLedger, year: int) -> Turnover:
    """The class-70 turnover of ``year``, taxable and exempt."""
    income_root = ledger.roots()[3]
    pcg = {a: str(m.get("pcg") or "") for a, m in account_meta(ledger).items()}
    taxable = exempt = ZERO
    for entry in ledger.entries:
        if not isinstance(entry, data.Transaction) or entry.date.year != year:
            continue
        txn_rate = (entry.meta or {}).get("vat-rate")
        for p in entry.postings:
            if p.units is None or p.account.split(":", 1)[0] != income_root:
                continue
            if not pcg.get(p.account, "").startswith("70"):
                continue
            rate = (p.meta or {}).get("vat-rate") or txn_rate
            if rate == "exempt":
                exempt -= p.units.number
            else:
                taxable -= p.units.number
    return Turnover(taxable, exempt)


def provisional(config: Config, ledger: LoadedLedger, day: date) -> Decimal | None:
    """The coefficient applied to the purchases of ``day``; None when not a mixed entity."""
    regime = regime_on(config, ledger.entity, day)
    if not regime.prorata:
        return None
    found = turnover(ledger, day.year - 1).coefficient
    if found is None:
        found = regime.coefficient
    if found is None:
        raise ConfigError(
            _(
                "{entity} deducts VAT by a coefficient (prorata) but has no turnover in {year} "
                "and no 'coefficient' in its VAT settings: give the provisional one."
            ).format(entity=ledger.entity, year=day.year - 1)
        )
    return found


def apply(vat: Decimal, coefficient: Decimal | None) -> Decimal:
    """The deductible part of ``vat`` by the coefficient (all of it when None)."""
    if coefficient is None:
        return vat
    return quantize_cents(vat * coefficient)


def coefficient_meta(coefficient: Decimal | None, full: Decimal) -> dict[str, Any]:
    """What a VAT posting records of the coefficient: the VAT before it, and the rate."""
    if coefficient is None:
        return {}
    return {"vat-coefficient": str(coefficient), "vat-before-coefficient": str(full)}
