"""Read a received e-invoice (Factur-X PDF, CII XML, UBL 2.1 XML) with ``factur-x``.

The file is checked against its syntax's XSD, then for consistency: the VAT breakdown
sums to the totals, and total before VAT plus VAT is the grand total. Anything else is
refused with one sentence (:class:`UsageError`), before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from alusage_ledger.core.errors import UsageError
from alusage_ledger.core.i18n import _

#: Invoice, corrective, prepayment and self-billed invoices (UNTDID 1001).
INVOICE_TYPES = frozenset({"380", "384", "386", "389"})
CREDIT_TYPES = frozenset({"381", "396"})  # credit notes


@dataclass(frozen=True)
class Tax:
    rate: Decimal
    category: str  # UNTDID 5305: S, Z, E, AE, K...
    base: Decimal
    vat: Decimal


@dataclass(frozen=True)
class Received:
    number: str
    issued: date
    credit: bool
    due: date | None
    supplier: str
    supplier_siren: str | None
    supplier_vat: str | None
    supplier_country: str | None
    buyer: str | None
    buyer_siren: str | None
    taxes: tuple[Tax, ...]
    ht: Decimal
    vat: Decimal
    ttc: Decimal
    currency: str


def _refuse(path: Path, why: str) -> UsageError:
    return UsageError(
        _("{file} is not a Factur-X, CII or UBL invoice the tool can read: {why}.").format(
            file=path.name, why=why
        )
    )


def _decimal(value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ValueError(_("{value!r} is not an amount").format(value=value)) from None


def _siren(party: dict[str, Any]) -> str | None:
    """A French SIREN from the party's legal identifier (a SIREN, or a SIRET's first 9)."""
    for value in (party.get("legal_identifier"), *(party.get("identifiers") or {}).values()):
        digits = str(value or "").replace(" ", "")
        if digits.isdigit() and len(digits) in (9, 14):
            return digits[:9]
    return None


def xml_of(path: Path, body: bytes) -> bytes:
    """The invoice XML of a file: embedded in a PDF, or the file itself."""
    # lazy: factur-x loads only when a file is read
    from facturx import get_xml_from_pdf

    if body.startswith(b"%PDF"):
        try:
            _name, xml = get_xml_from_pdf(body, check_xsd=False)
        except Exception as exc:  # pypdf's many errors on a broken PDF
            raise _refuse(path, _("its PDF cannot be read ({error})").format(error=exc)) from None
        if not xml:
            raise _refuse(path, _("the PDF carries no Factur-X XML"))
        return bytes(xml)
    return body


def read_received(path: Path) -> Received:
    """The invoice in ``path``, or a UsageError saying in one sentence why not."""
    # lazy: factur-x loads only when a file is read
    from facturx.parse_xml import parse_ubl_cii_xml
    from lxml import etree

    try:
        body = path.read_bytes()
    except OSError as exc:
        raise UsageError(
            _("Cannot read {file}: {error}.").format(file=path, error=exc.strerror)
        ) from None
    xml = xml_of(path, body)
    try:
        etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        raise _refuse(path, _("it is neither a PDF nor well-formed XML")) from None
    try:
        terms: dict[str, Any] = parse_ubl_cii_xml(xml, check_xsd=True)
    except Exception:  # factur-x's errors: an unknown syntax, an XSD failure
        raise _refuse(path, _("it does not pass the XSD check of its syntax")) from None
    try:
        return _received(terms)
    except (KeyError, ValueError, TypeError) as exc:
        raise _refuse(path, str(exc).strip("'")) from None


def _received(terms: dict[str, Any]) -> Received:
    kind = str(terms.get("BT-3") or "")
    if kind not in INVOICE_TYPES | CREDIT_TYPES:
        raise ValueError(
            _("its type code {code} is neither an invoice nor a credit note").format(
                code=kind or "?"
            )
        )
    rows = terms.get("BG-23") or []
    rows = [rows] if isinstance(rows, dict) else rows
    taxes = tuple(
        Tax(
            _decimal(row.get("BT-119") or "0"),
            str(row.get("BT-118") or ""),
            _decimal(row["BT-116"]),
            _decimal(row.get("BT-117") or "0"),
        )
        for row in rows
    )
    if not taxes:
        raise ValueError(_("it has no VAT breakdown"))
    ht, vat, ttc = (_decimal(terms[k]) for k in ("BT-109", "BT-110", "BT-112"))
    if sum((t.base for t in taxes), Decimal(0)) != ht:
        raise ValueError(_("its VAT breakdown does not add up to its total before VAT"))
    if sum((t.vat for t in taxes), Decimal(0)) != vat:
        raise ValueError(_("its VAT breakdown does not add up to its VAT total"))
    if ht + vat != ttc:
        raise ValueError(_("its total before VAT plus VAT is not its grand total"))
    seller = terms.get("BG-4") or {}
    buyer = terms.get("BG-7") or {}
    if not seller.get("name"):
        raise ValueError(_("it names no seller"))
    number = str(terms.get("BT-1") or "").strip()
    if not number:
        raise ValueError(_("it has no number"))
    issued = terms.get("BT-2")
    due = terms.get("BT-9")
    return Received(
        number=number,
        issued=issued if isinstance(issued, date) else date.fromisoformat(str(issued)),
        credit=kind in CREDIT_TYPES,
        due=due if isinstance(due, date) else None,
        supplier=str(seller["name"]).strip(),
        supplier_siren=_siren(seller),
        supplier_vat=seller.get("vat_identifier"),
        supplier_country=seller.get("country_code"),
        buyer=buyer.get("name"),
        buyer_siren=_siren(buyer),
        taxes=taxes,
        ht=ht,
        vat=vat,
        ttc=ttc,
        currency=str(terms.get("BT-5") or "EUR"),
    )
