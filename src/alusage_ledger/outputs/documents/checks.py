"""The ``check`` rule of issued documents: each linked document is still the one made.

An error, at the link's file and line, when the file is missing, when its SHA-256 is not
the one linked (edited after it was made), or when the XML it embeds no longer agrees with
the ledger entry (number, type, dates, parties, amounts and VAT per rate).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from beancount.core import data

from alusage_ledger.books import answers
from alusage_ledger.books.checks import entity_rule, problem_at
from alusage_ledger.core.errors import AlusageError, LedgerProblem
from alusage_ledger.core.i18n import N_, _
from alusage_ledger.outputs.documents.cii import data_dict
from alusage_ledger.outputs.documents.content import document_content
from alusage_ledger.outputs.documents.links import links_of, sha256

if TYPE_CHECKING:
    from alusage_ledger.books.ledger import Workspace
    from alusage_ledger.books.loader import LoadedLedger

#: Business terms compared between the embedded XML and the entry, with what they mean.
COMPARED = {
    "BT-1": N_("number"),
    "BT-2": N_("issue date"),
    "BT-3": N_("type"),
    "BT-9": N_("due date"),
    "BT-109": N_("total before VAT"),
    "BT-110": N_("VAT"),
    "BT-112": N_("total"),
}
AMOUNTS = frozenset({"BT-109", "BT-110", "BT-112"})


def embedded_terms(pdf: bytes) -> dict[str, Any]:
    """The business terms of the XML embedded in a Factur-X PDF."""
    # lazy: factur-x loads only when a ledger links documents
    from facturx import get_xml_from_pdf
    from facturx.parse_xml import parse_ubl_cii_xml

    _name, xml = get_xml_from_pdf(pdf, check_xsd=False)
    if not xml:
        raise ValueError("no Factur-X XML")
    terms: dict[str, Any] = parse_ubl_cii_xml(xml, check_xsd=False)
    return terms


def _amount(value: Any) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def _same(key: str, found: Any, wanted: Any) -> bool:
    if key in AMOUNTS:
        return _amount(found) == _amount(wanted)
    return bool(found == wanted)


def _taxes(terms: dict[str, Any]) -> list[tuple[str, Decimal | None, Decimal | None]]:
    rows = terms.get("BG-23") or []
    if isinstance(rows, dict):
        rows = [rows]
    return sorted(
        (str(_amount(r.get("BT-119"))), _amount(r.get("BT-116")), _amount(r.get("BT-117")))
        for r in rows
    )


def disagreements(found: dict[str, Any], wanted: dict[str, Any]) -> list[str]:
    """What the embedded terms ``found`` say differently from the entry's ``wanted``."""
    out = [
        _(what)
        for key, what in COMPARED.items()
        if key in wanted and not _same(key, found.get(key), wanted.get(key))
    ]
    if _taxes(found) != _taxes(wanted):
        out.append(_("VAT per rate"))
    for group, what in (("BG-4", N_("seller")), ("BG-7", N_("buyer"))):
        mine, theirs = found.get(group) or {}, wanted.get(group) or {}
        if any(mine.get(k) != theirs.get(k) for k in ("name", "vat_identifier")):
            out.append(_(what))
    return out


@entity_rule
def kept_documents_match(ws: Workspace, ledger: LoadedLedger) -> Iterable[LedgerProblem]:
    """A received document kept by ``bill import`` (``document`` and ``sha256`` metadata
    on the bill) is still there, unchanged."""
    for entry in ledger.entries:
        meta = getattr(entry, "meta", None) or {}
        rel, digest = meta.get("document"), meta.get("sha256")
        if not isinstance(entry, data.Transaction) or not isinstance(rel, str) or not digest:
            continue
        path = ws.root / rel
        present = path.is_file()
        answers.observe("isfile", str(path), "1" if present else "0")
        if not present:
            message = _("The document {path} of this entry is missing.").format(path=rel)
            yield problem_at(ws, ledger.entity, entry, message)
            continue
        body = path.read_bytes()
        answers.observe_bytes(path, body)
        if sha256(body) != digest:
            message = _(
                "The document {path} was changed after it was linked (its SHA-256 is not the "
                "one in the entry)."
            ).format(path=rel)
            yield problem_at(ws, ledger.entity, entry, message)


@entity_rule
def documents_match(ws: Workspace, ledger: LoadedLedger) -> Iterable[LedgerProblem]:
    links = links_of(list(ledger.entries))
    for number, link in links.items():
        rel = str(link.meta.get("document", ""))
        path = ws.root / rel
        present = bool(rel) and path.is_file()
        answers.observe("isfile", str(path), "1" if present else "0")  # replays see edits
        if not present:
            yield problem_at(
                ws,
                ledger.entity,
                link,
                _("The document {path} of {number} is missing.").format(path=rel, number=number),
            )
            continue
        pdf = path.read_bytes()
        answers.observe_bytes(path, pdf)
        if sha256(pdf) != link.meta.get("sha256"):
            yield problem_at(
                ws,
                ledger.entity,
                link,
                _(
                    "The document {path} was changed after it was made (its SHA-256 is not "
                    "the one linked)."
                ).format(path=rel),
            )
            continue
        try:
            found = embedded_terms(pdf)
            wanted = data_dict(document_content(ws.config, ledger, number))
        except (AlusageError, ValueError) as exc:
            yield problem_at(
                ws,
                ledger.entity,
                link,
                _("The document {path} cannot be compared with its entry: {why}").format(
                    path=rel, why=str(exc)
                ),
            )
            continue
        differing = disagreements(found, wanted)
        if differing:
            yield problem_at(
                ws,
                ledger.entity,
                link,
                _("The document {path} disagrees with the entry of {number}: {what}.").format(
                    path=rel, number=number, what=", ".join(differing)
                ),
            )
