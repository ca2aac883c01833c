"""VAT on a sale: the rates an invoice line may carry and the VAT they make.

``EXEMPT`` lines cite a legal basis; ``NO_VAT`` is the franchise (art. 293 B du CGI), no
VAT at all. VAT is computed on the total of a rate, rounded half-up to the cent.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from alusage_ledger.core.money import ZERO, quantize_cents

EXEMPT = "exempt"
NO_VAT = "none"  # franchise: no VAT at all (the 293 B mention)


def rate_fraction(rate: str) -> Fraction:
    return Fraction(Decimal(rate)) / 100


def vat_on(base: Decimal, rate: str) -> Decimal:
    """VAT of ``base`` at ``rate`` ("20", "5.5"...), rounded half-up to the cent."""
    if rate in (EXEMPT, NO_VAT):
        return ZERO
    return quantize_cents(Fraction(base) * rate_fraction(rate))


@dataclass(frozen=True)
class VatChoice:
    rate: str  # "20" | "10" | "5.5" | "2.1" | "exempt"
    exemption: str | None = None


def share(total: Decimal, part: Decimal, whole: Decimal) -> Decimal:
    """``total * part / whole``, rounded half-up to the cent (zero when ``whole`` is zero)."""
    if whole == 0:
        return ZERO
    return quantize_cents(Fraction(total) * Fraction(part) / Fraction(whole))
