"""Deductible VAT: the rates a bill may carry, the entity's VAT treatment, goods or services.

Deductible VAT follows the supplier's exigibility (CGI art. 269 and 271): VAT on goods
is deductible at the invoice, VAT on services when the service is paid, unless the
supplier opted for débits. A ``franchise`` or ``micro`` entity deducts nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from beancount.core import data

from alusage_ledger.books.entries import posting
from alusage_ledger.books.vatregime import regime_on
from alusage_ledger.core.errors import UsageError
from alusage_ledger.core.i18n import _
from alusage_ledger.core.money import quantize_cents

if TYPE_CHECKING:
    from alusage_ledger.books.config import Config


#: VAT rates a bill or an expense claim may carry (France métropolitaine and DOM).
VAT_RATES = ("20", "10", "8.5", "5.5", "2.1", "1.05", "0.9")


def parse_vat_rate(text: str | None) -> tuple[Decimal | None, str | None]:
    """``"20"``, ``"5,5"``, ``"0"``, ``"exempt"`` → (rate, the text written as ``vat-rate``)."""
    if text is None:
        return None, None
    cleaned = text.strip().replace(",", ".").removesuffix("%").strip()
    if cleaned in ("0", "0.0", "exempt", "none", ""):
        return None, "exempt"
    if cleaned.endswith(".0"):
        cleaned = cleaned[:-2]
    if cleaned not in VAT_RATES:
        raise UsageError(
            _("Unknown VAT rate {value!r}; use one of {rates} or exempt.").format(
                value=text, rates=", ".join(VAT_RATES)
            )
        )
    return Decimal(cleaned), cleaned


def vat_of(ht: Decimal, rate: Decimal) -> Decimal:
    """VAT on an amount before tax, rounded half-up to the cent (as on an invoice)."""
    return quantize_cents(ht * rate / Decimal(100))


def vat_in(ttc: Decimal, rate: Decimal) -> Decimal:
    """The VAT contained in an amount including tax, rounded half-up to the cent."""
    return quantize_cents(ttc * rate / (Decimal(100) + rate))


@dataclass(frozen=True)
class VatTreatment:
    """How an entity handles VAT on a day: its regime and its suppliers' exigibility."""

    regime: str  # franchise | rsi | reel-mensuel | reel-trimestriel
    exigibility: str  # encaissements | debits

    @property
    def deducts(self) -> bool:
        return self.regime != "franchise"


def vat_treatment(config: Config, entity: str, day: date) -> VatTreatment:
    """The entity's VAT regime on ``day`` (``[[entities.<id>.vat]]``, see vat.py).

    A ``micro`` entity is always under the franchise; without any setting a company is
    ``reel-mensuel`` with ``encaissements``.
    """
    if config.entity(entity).kind == "micro":
        return VatTreatment("franchise", "encaissements")
    setting = regime_on(config, entity, day)
    return VatTreatment(str(setting.regime), str(setting.exigibility))


def nature_of(pcg: str | None) -> str:
    """Goods or services, from the PCG number of the expense account.

    Purchases of class 60 (stocks, supplies, water and energy: deliveries of goods for
    VAT) and fixed assets (class 2) are goods; everything else is a service.
    """
    if pcg and (pcg.startswith("60") or pcg.startswith("2")):
        return "goods"
    return "services"


def vat_kind(nature: str, pcg: str | None) -> str:
    """The ``vat-kind`` of a deductible VAT posting, as the VAT return sorts it."""
    if pcg and pcg.startswith("2"):
        return "fixed-assets"
    return nature


def vat_posting(account: str, number: Decimal, kind: str | None = None) -> Any:
    """A posting with an explicit amount; ``kind`` sets ``vat-kind`` on a VAT posting."""
    meta = None
    if kind is not None:
        meta = data.new_metadata("<alusage>", 0)
        meta["vat-kind"] = kind
    return posting(account, number, meta)
