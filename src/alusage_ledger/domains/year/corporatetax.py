"""The corporate tax (*impôt sur les sociétés*, IS) of an exercice, from its accounting
profit before tax.

- Rates (``[year.corporate_tax]``, ``books.config.CorporateTaxRules``): the reduced rate
  (15 %, CGI art. 219 I b) on the taxable profit up to the ceiling (42 500 €) when the
  entity is eligible, the normal rate (25 %, art. 219 I) on the rest.
- Eligibility: turnover of the exercice under the limit (10 M€, computed) and the capital
  fully paid up and at least 75 % held by natural persons (the accountant's statement:
  ``reduced_rate_entities``).
- A SCIC deducts the sums put to its indivisible reserves (CGI art. 209 VIII). They are a
  share of the result *after* tax, so the tax and the deduction depend on each other:
  with a share ``r`` of the result going to the reserves and ``f`` the tax of a base,
  ``IS = f(P − r·(P − IS))``. :func:`scic_reserves` solves it exactly on each bracket of
  ``f``. An amount the general assembly voted may be given instead.
- The taxable base and the tax are rounded to the nearest euro, 0.50 counting as one
  (CGI art. 1724).

Not included: the tax adjustments of the 2058-A form (reintegrated charges, deductions
other than the SCIC's reserves) and the carry-back or carry-forward of losses; a loss pays
no tax.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0")
CENT = Decimal("0.01")
EURO = Decimal("1")
HUNDRED = Decimal("100")


@dataclass(frozen=True)
class TaxRates:
    """Percentages (``15``) and the reduced rate's ceiling in euros."""

    normal_rate: Decimal
    reduced_rate: Decimal
    reduced_ceiling: Decimal


@dataclass(frozen=True)
class CorporateTax:
    profit: Decimal  # the accounting profit before tax
    reserves_deduction: Decimal  # CGI 209 VIII (SCIC), else zero
    base: Decimal  # the taxable profit, whole euros, never negative
    reduced_eligible: bool
    reduced_base: Decimal
    normal_base: Decimal
    reduced_tax: Decimal
    normal_tax: Decimal

    @property
    def total(self) -> Decimal:
        return self.reduced_tax + self.normal_tax


def to_euro(value: Decimal) -> Decimal:
    return value.quantize(EURO, rounding=ROUND_HALF_UP)


def _brackets(base: Decimal, rates: TaxRates, eligible: bool) -> tuple[Decimal, Decimal]:
    """(the part of ``base`` at the reduced rate, the part at the normal rate)."""
    reduced = min(base, rates.reduced_ceiling) if eligible else ZERO
    return reduced, base - reduced


def corporate_tax(
    profit: Decimal,
    rates: TaxRates,
    *,
    reduced_eligible: bool,
    reserves_deduction: Decimal = ZERO,
) -> CorporateTax:
    """The IS of ``profit`` (before tax) less ``reserves_deduction``."""
    base = max(to_euro(profit - reserves_deduction), ZERO)
    reduced, normal = _brackets(base, rates, reduced_eligible)
    return CorporateTax(
        profit=profit,
        reserves_deduction=reserves_deduction,
        base=base,
        reduced_eligible=reduced_eligible,
        reduced_base=reduced,
        normal_base=normal,
        reduced_tax=to_euro(reduced * rates.reduced_rate / HUNDRED),
        normal_tax=to_euro(normal * rates.normal_rate / HUNDRED),
    )


def scic_reserves(
    profit: Decimal, rates: TaxRates, *, reduced_eligible: bool, share: Decimal
) -> Decimal:
    """The sums a SCIC puts to its indivisible reserves when ``share`` percent of its
    result after tax goes there: ``r·(P − IS)`` with ``IS = f(P − r·(P − IS))``, to the
    cent. With ``B = P(1 − r) + r·IS``: on the reduced bracket ``IS = t₁·B`` gives
    ``IS = t₁·P(1 − r) / (1 − t₁·r)``; above it ``IS = t₁·C + t₂·(B − C)`` gives
    ``IS = (t₁·C − t₂·C + t₂·P(1 − r)) / (1 − t₂·r)``."""
    if profit <= 0 or share <= 0:
        return ZERO
    r = share / HUNDRED
    t2 = rates.normal_rate / HUNDRED
    t1 = rates.reduced_rate / HUNDRED if reduced_eligible else t2
    ceiling = rates.reduced_ceiling if reduced_eligible else ZERO
    kept = profit * (1 - r)
    tax = t1 * kept / (1 - t1 * r)
    if kept + r * tax > ceiling:
        tax = (t1 * ceiling - t2 * ceiling + t2 * kept) / (1 - t2 * r)
    return (r * (profit - tax)).quantize(CENT, rounding=ROUND_HALF_UP)


def reserves_share(legal_rate: Decimal, statutory_rate: Decimal) -> Decimal:
    """The percentage of a result the allocation rules send to the reserves: the legal
    reserve, then the statutory reserve's share of the rest (SCIC: 15 + 50 % × 85 =
    57.5)."""
    return legal_rate + statutory_rate * (HUNDRED - legal_rate) / HUNDRED
