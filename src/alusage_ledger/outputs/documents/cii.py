"""The CII XML of a document, profile EN 16931, made by the ``factur-x`` library.

The library builds the XML from a dict keyed by the norm's business terms (BT-n, BG-n)
and checks it against the profile's XSD; this module only fills that dict.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from alusage_ledger.domains.sales.rates import EXEMPT, NO_VAT

if TYPE_CHECKING:
    from alusage_ledger.outputs.documents.content import Content, Party

PROFILE = "en16931"
PROFILE_URN = "urn:cen.eu:en16931:2017"
#: VATEX codes (CEF list) of the French exemptions the tool issues.
FRANCHISE_CODE = "VATEX-FR-FRANCHISE"
EXEMPT_CODE = "VATEX-EU-132"


def _cents(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))


def _rate(rate: str) -> str:
    return "0.00" if rate in (EXEMPT, NO_VAT) else _cents(Decimal(rate))


def _category(rate: str) -> str:
    return "E" if rate in (EXEMPT, NO_VAT) else "S"


def _party(party: Party) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": party.name,
        "addr_l1": party.line1,
        "postcode": party.postcode,
        "city": party.city,
        "country_code": party.country,
    }
    if party.line2:
        out["addr_l2"] = party.line2
    if party.siren:
        out["legal_identifier"] = party.siren
        out["legal_identifier_schemeid"] = "0002"
    if party.vat_number:
        out["vat_identifier"] = party.vat_number
    return out


def data_dict(content: Content) -> dict[str, Any]:
    """The business terms of ``content`` as the ``factur-x`` library reads them."""
    taxes = []
    for tax in content.taxes:
        item = {
            "BT-116": _cents(tax.base),
            "BT-117": _cents(tax.vat),
            "BT-118": _category(tax.rate),
            "BT-119": _rate(tax.rate),
        }
        if tax.mention:
            item["BT-120"] = tax.mention
            item["BT-121"] = FRANCHISE_CODE if tax.rate == NO_VAT else EXEMPT_CODE
        taxes.append(item)
    lines = [
        {
            "BT-126": str(position),
            "BT-129": "1.00",
            "BT-130": "C62",
            "BT-131": _cents(line.ht),
            "BT-146": _cents(line.ht),
            "BT-151": _category(line.rate),
            "BT-152": _rate(line.rate),
            "BT-153": line.designation,
        }
        for position, line in enumerate(content.lines, start=1)
    ]
    notes = [{"BT-21": "PMD", "BT-22": content.penalties}]
    if content.professional:
        notes.append({"BT-21": "PMT", "BT-22": content.indemnity})
    notes.append({"BT-21": "AAB", "BT-22": content.discount})
    out: dict[str, Any] = {
        "BT-1": content.number,
        "BT-2": content.issued,
        "BT-3": content.type_code,
        "BT-5": "EUR",
        "BT-24": PROFILE_URN,
        "BT-72": content.delivered,
        "BG-1": notes,
        "BG-4": _party(content.seller),
        "BG-7": _party(content.buyer),
        "BG-23": taxes,
        "BG-25": lines,
        "BT-106": _cents(content.ht),
        "BT-109": _cents(content.ht),
        "BT-110": _cents(content.vat),
        "BT-112": _cents(content.ttc),
        "BT-115": _cents(content.ttc),
    }
    if content.due is not None:
        out["BT-9"] = content.due
    if content.refers_to:
        out["BG-3"] = [{"BT-25": content.refers_to}]
    return out


def cii_xml(content: Content) -> bytes:
    """The CII XML (EN 16931) of ``content``, checked against the XSD by the library."""
    # lazy: factur-x (lxml, its schemas) loads only when a document is made
    from facturx.generate_xml import generate_xml

    xml: bytes = generate_xml(
        data_dict(content), flavor="factur-x", level=PROFILE, check_schematron=False
    )
    return xml
