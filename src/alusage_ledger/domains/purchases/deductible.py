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


#: ``--nature`` and the account's ``vat-nature`` metadata: what a purchase line is for VAT.
NATURES = ("goods", "services", "fixed-asset")

#: PCG numbers of class 60 that are services, not deliveries of goods: 604 (achats
#: d'études et prestations de services) and 605 (achats de matériel, équipements et
#: travaux, billed with their installation). Source: PCG 2025 art. 946-60; exigibility of
#: services on payment: CGI art. 269-2-c, BOI-TVA-BASE-20-20 § 1 (see docs/sales-and-vat.md).
SERVICE_PURCHASES = ("604", "605")


def check_nature(text: str | None) -> str | None:
    """``--nature``: goods, services or fixed-asset (``fixed-assets`` accepted); None if not given."""
    if text is None:
        return None
    value = text.strip().lower()
    if value in ("fixed-assets", "immobilisation", "immobilisations"):
        value = "fixed-asset"
    if value not in NATURES:
        raise UsageError(_("--nature must be goods, services or fixed-asset."))
    return value


def nature_of(pcg: str | None, configured: Any = None) -> str:
    """Goods, services or fixed-asset: the account's ``vat-nature``, else its PCG class.

    Fixed assets (class 2) are ``fixed-asset`` (CA3 line 19); purchases of class 60
    (stocks, supplies, water and energy) are goods, except 604 and 605 which are services;
    every other charge (61, 62...) is a service.
    """
    if isinstance(configured, str) and configured.strip():
        found = check_nature(configured)
        if found is not None:
            return found
    if pcg and pcg.startswith("2"):
        return "fixed-asset"
    if pcg and pcg.startswith(SERVICE_PURCHASES):
        return "services"
    if pcg and pcg.startswith("60"):
        return "goods"
    return "services"


def deducted_on_payment(nature: str, exigibility: str) -> bool:
    """Whether the VAT of a purchase waits for its payment (services, supplier not on débits).

    Goods and fixed assets: deductible when the invoice is received (CGI art. 269-2-a and
    271-I-2); services: when paid, unless the supplier opted for débits (CGI art. 269-2-c).
    """
    return nature == "services" and exigibility != "debits"


def vat_kind(nature: str, pcg: str | None = None) -> str:
    """The ``vat-kind`` of a deductible VAT posting, as the VAT return sorts it."""
    if nature == "fixed-asset" or (nature == "goods" and pcg and pcg.startswith("2")):
        return "fixed-assets"
    return nature


def vat_posting(account: str, number: Decimal, kind: str | None = None) -> Any:
    """A posting with an explicit amount; ``kind`` sets ``vat-kind`` on a VAT posting."""
    meta = None
    if kind is not None:
        meta = data.new_metadata("<alusage>", 0)
        meta["vat-kind"] = kind
    return posting(account, number, meta)
