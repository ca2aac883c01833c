"""The PDF of a document: the page made by Typst (``invoice.typ``), then the CII XML
embedded by ``factur-x`` as PDF/A-3 with its XMP metadata.

The same content gives the same bytes: Typst uses only the fonts it ships (system fonts
ignored) and a fixed timestamp (the document's date at noon UTC); ``factur-x`` stamps the
clock's time in a few fixed-width places (PDF and XMP dates), which are then set to that
same timestamp, width for width, so that no offset of the file moves.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, time
from decimal import Decimal
from importlib import resources
from typing import TYPE_CHECKING, Any

from alusage_ledger.domains.sales.rates import EXEMPT, NO_VAT

if TYPE_CHECKING:
    from alusage_ledger.outputs.documents.content import Content, Party

#: A PDF date as ``factur-x`` writes it (pypdf escapes ":", "+" and "'" as octal codes).
_PDF_DATE = re.compile(rb"(D(?::|\\072))\d{14}((?:\+|\\053)00(?:'|\\047)00(?:'|\\047))")
_XMP_DATE = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00")
NARROW_SPACE = "\u202f"
_KINDS = {"goods": "livraison de biens", "services": "prestation de services"}


def _euros(value: Decimal) -> str:
    """French money: 1 234,50 €."""
    whole, cents = f"{value.quantize(Decimal('0.01')):,.2f}".split(".")
    return whole.replace(",", NARROW_SPACE) + f",{cents} €"


def _day(value: Any) -> str:
    return str(value.strftime("%d/%m/%Y"))


def _rate(rate: str) -> str:
    if rate == NO_VAT:
        return "—"
    if rate == EXEMPT:
        return "exonéré"
    return f"{rate.replace('.', ',')} %"


def _party(party: Party) -> dict[str, Any]:
    lines = [party.line1, *([party.line2] if party.line2 else [])]
    country = "" if party.country == "FR" else f" ({party.country})"
    lines.append(f"{party.postcode} {party.city}{country}")
    ids = [f"SIREN {party.siren}"] if party.siren else []
    if party.vat_number:
        ids.append(f"N° TVA intracommunautaire {party.vat_number}")
    return {"name": party.name, "lines": lines, "ids": ids}


def page_data(content: Content) -> dict[str, Any]:
    """What ``invoice.typ`` prints, every string final (French, as the law asks)."""
    credit = content.type_code == "381"
    title = "Avoir" if credit else "Facture"
    dates = [f"Date d'émission : {_day(content.issued)}"]
    label = "Date de la livraison" if content.category == "goods" else "Date de la prestation"
    dates.append(f"{label} : {_day(content.delivered)}")
    if content.due is not None and not credit:
        dates.append(f"Date d'échéance : {_day(content.due)}")
    if content.refers_to:
        dates.append(f"Avoir sur la facture n° {content.refers_to}")
    category = (
        "livraison de biens et prestation de services"
        if content.category == "both"
        else _KINDS[content.category]
    )
    dates.append(f"Catégorie de l'opération : {category}")
    if content.debits:
        dates.append("Option pour le paiement de la taxe d'après les débits")
    totals = [{"label": "Total HT", "amount": _euros(content.ht)}]
    totals.append({"label": "Total TVA", "amount": _euros(content.vat)})
    totals.append({"label": "Total TTC", "amount": _euros(content.ttc)})
    terms = [content.penalties]
    if content.professional:
        terms.append(content.indemnity)
    terms.append(content.discount)
    return {
        "title": title,
        "heading": f"N° {content.number}",
        "seller": _party(content.seller),
        "buyer": _party(content.buyer),
        "dates": dates,
        "lines": [
            {
                "designation": line.designation,
                "quantity": "1",
                "price": _euros(line.ht),
                "amount": _euros(line.ht),
            }
            for line in content.lines
        ],
        "taxes": [
            {"rate": _rate(t.rate), "base": _euros(t.base), "vat": _euros(t.vat)}
            for t in content.taxes
        ],
        "totals": totals,
        "mentions": list(content.mentions),
        "terms": terms,
    }


def _moment(content: Content) -> datetime:
    return datetime.combine(content.issued, time(12, 0), tzinfo=UTC)


def page_pdf(content: Content) -> bytes:
    """The visible page, PDF/A-3b, by Typst with its own fonts only."""
    # lazy: Typst loads only when a document is made
    import typst

    template = resources.files(__package__).joinpath("invoice.typ").read_bytes()
    data = json.dumps(page_data(content), ensure_ascii=False, sort_keys=True)
    pdf = typst.compile(
        template,
        sys_inputs={"data": data},
        pdf_standards="a-3b",
        timestamp=_moment(content),
        ignore_system_fonts=True,
    )
    assert isinstance(pdf, bytes)
    return pdf


def facturx_pdf(content: Content, xml: bytes) -> bytes:
    """The Factur-X PDF: the page with ``xml`` embedded, the same bytes every time."""
    # lazy: factur-x loads only when a document is made
    from facturx import generate_from_binary

    out: bytes = generate_from_binary(
        page_pdf(content),
        xml,
        flavor="factur-x",
        level="en16931",
        check_xsd=True,
        lang="fr-FR",
        xmp_compression=False,
    )
    moment = _moment(content)
    digits = moment.strftime("%Y%m%d%H%M%S").encode()
    xmp_date = moment.strftime("%Y-%m-%dT%H:%M:%S+00:00").encode()
    out = _PDF_DATE.sub(lambda m: m.group(1) + digits + m.group(2), out)
    return _XMP_DATE.sub(xmp_date, out)
