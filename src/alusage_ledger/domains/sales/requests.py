"""What a sales command is asked: its requests, and the typed values they are parsed from.

Each parser gives one clear sentence (exit 2) for a wrong value: ``--vat``, ``--line``,
amounts, and the free texts written into the ledger (client, label, reason).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from alusage_ledger.books.entityconfig import VAT_RATES
from alusage_ledger.books.text import check_text
from alusage_ledger.core.errors import UsageError
from alusage_ledger.core.i18n import _
from alusage_ledger.core.money import MoneyError, parse_amount
from alusage_ledger.domains.sales.rates import EXEMPT, VatChoice


def clean_text(value: str | None, what: str) -> str | None:
    """User text for payee/narration/metadata: stripped, safe for the printer, or exit 2."""
    if value is None:
        return None
    stripped = value.strip()
    if not stripped:
        raise UsageError(_("The {what} is empty.").format(what=what))
    check_text(stripped, what)
    return stripped


def parse_vat(text: str) -> VatChoice:
    """``--vat``: ``20``, ``10``, ``5.5`` (or ``5,5``), ``2.1``, ``exempt`` or ``exempt:<basis>``."""
    value = text.strip()
    if value.lower().startswith(EXEMPT):
        rest = value[len(EXEMPT) :]
        if not rest:
            return VatChoice(EXEMPT)
        if not rest.startswith(":") or not rest[1:].strip():
            raise UsageError(
                _(
                    '--vat {value!r}: write exempt:<legal basis>, e.g. "exempt:CGI art. 261-4-4° a".'
                ).format(value=text)
            )
        basis = clean_text(rest[1:], _("exemption basis"))
        return VatChoice(EXEMPT, basis)
    rate = value.rstrip("%").strip().replace(",", ".")
    if rate.endswith(".0"):
        rate = rate[:-2]
    if rate not in VAT_RATES:
        raise UsageError(
            _(
                "--vat {value!r} is not a French VAT rate; use 20, 10, 5.5, 2.1 or "
                "exempt:<legal basis>."
            ).format(value=text)
        )
    return VatChoice(rate)


@dataclass(frozen=True)
class LineRequest:
    activity: str
    amount: Decimal
    vat: VatChoice | None = None


def parse_amount_arg(text: str, what: str) -> Decimal:
    try:
        return parse_amount(text, allow_negative=False, allow_zero=False)
    except MoneyError as exc:
        raise UsageError(
            _(
                "The {what} {value!r} is not a valid amount: use digits with at most 2 decimals, "
                "more than zero, e.g. 1200.00."
            ).format(what=what, value=exc.text)
        ) from None


def parse_line(text: str) -> LineRequest:
    """``--line "activity:amount[:vat]"`` (vat as for ``--vat``, e.g. ``exempt:CGI ...``)."""
    parts = text.split(":", 2)
    if len(parts) < 2 or not parts[0].strip() or not parts[1].strip():
        raise UsageError(
            _(
                '--line {value!r}: write "activity:amount[:vat]", e.g. "programmation:1200.00:20".'
            ).format(value=text)
        )
    vat = parse_vat(parts[2]) if len(parts) == 3 and parts[2].strip() else None
    return LineRequest(parts[0].strip(), parse_amount_arg(parts[1], _("amount")), vat)


@dataclass(frozen=True)
class InvoiceRequest:
    entity: str
    client: str
    lines: tuple[LineRequest, ...]
    day: date
    due: date | None = None
    client_siren: str | None = None
    project: str | None = None
    label: str | None = None
    number: str | None = None


@dataclass(frozen=True)
class PaymentRequest:
    entity: str
    number: str
    day: date
    amount: Decimal | None = None
    account: str | None = None
    method: str | None = None


PAYMENT_METHODS = ("virement", "cheque", "especes", "carte", "prelevement")


@dataclass(frozen=True)
class CancelRequest:
    """``invoice cancel``: all that is left of the invoice, or a part of it: ``amount``
    (incl. VAT, spread over the lines and rates) or ``lines`` (before VAT, per activity)."""

    entity: str
    number: str
    day: date
    reason: str | None = None
    amount: Decimal | None = None
    lines: tuple[LineRequest, ...] = ()
