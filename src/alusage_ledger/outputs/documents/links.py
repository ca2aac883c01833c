"""Where documents go and how the ledger links them.

A document of ``F2026-0051`` issued by ``alusage`` in 2026 is
``documents/alusage/2026/F2026-0051.pdf``. The ledger links it by a new directive, never by
editing the invoice's entry (whose month may be closed)::

    2026-12-02 custom "alusage-document" "F2026-0051"
      document: "documents/alusage/2026/F2026-0051.pdf"
      sha256: "9f2c…"
      gen-id: "document/F2026-0051/9f2c0d1e7a6b"

dated the day it is made (or the entry's, if later), so that it lands in an open month.
Beancount's own ``document`` directive was not chosen: it names an account rather than an
invoice, and a ledger that holds one is read from the disk on every load (no cache).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from beancount.core import data
from beancount.parser.grammar import ValueType

from alusage_ledger.books.entries import new_meta, stamp
from alusage_ledger.books.journal import atomic_write
from alusage_ledger.books.writer import Append
from alusage_ledger.core.errors import LedgerErrors, RefusedError, UsageError
from alusage_ledger.core.i18n import _
from alusage_ledger.domains.sales.index import sales_index
from alusage_ledger.outputs.documents.cii import cii_xml
from alusage_ledger.outputs.documents.content import document_content
from alusage_ledger.outputs.documents.pdf import facturx_pdf

if TYPE_CHECKING:
    from alusage_ledger.books.ledger import Workspace

LINK_TYPE = "alusage-document"


@dataclass(frozen=True)
class Issued:
    number: str
    path: str  # relative to the workspace
    sha256: str
    linked: bool  # a new link entry was written (False: the ledger already had it)
    unchanged: bool  # the file was already there with the same bytes


def document_path(entity: str, issued: date, number: str) -> str:
    return f"documents/{entity}/{issued.year:04d}/{number}.pdf"


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def link_entry(number: str, rel: str, digest: str, day: date) -> Any:
    meta = new_meta(document=rel, sha256=digest)
    entry = data.Custom(meta, day, LINK_TYPE, [ValueType(number, str)])
    return stamp(entry, f"document/{number}/{digest[:12]}")


def links_of(entries: list[Any]) -> dict[str, Any]:
    """The last link of each document number (a regenerated document supersedes)."""
    out: dict[str, Any] = {}
    for entry in entries:
        if isinstance(entry, data.Custom) and entry.type == LINK_TYPE and entry.values:
            out[str(entry.values[0].value)] = entry
    return out


def locate_document(ws: Workspace, number: str, entity: str | None) -> str:
    """The entity whose ledger holds invoice or credit note ``number``."""
    if entity is not None:
        ws.config.entity(entity)
        return entity
    found = []
    for candidate in ws.config.entities:
        try:
            ledger = ws.load_checked(candidate)
        except LedgerErrors:  # a ledger with errors is searched once it is fixed
            continue
        index = sales_index(ws.config, ledger)
        if number in index.invoices or number in index.credit_notes:
            found.append(candidate)
    if not found:
        raise UsageError(
            _("No invoice nor credit note numbered {number} in any ledger.").format(number=number)
        )
    if len(found) > 1:
        raise UsageError(
            _("The number {number} exists in {entities}; pass --entity.").format(
                number=number, entities=", ".join(found)
            )
        )
    return found[0]


def issue_document(ws: Workspace, entity: str, number: str, today: date) -> Issued:
    """Make the document of invoice or credit note ``number``, write it, link it."""
    with ws.lock():
        ledger = ws.load_checked(entity)
        content = document_content(ws.config, ledger, number)
        pdf = facturx_pdf(content, cii_xml(content))
        digest = sha256(pdf)
        rel = document_path(entity, content.issued, number)
        target = ws.root / rel
        previous = links_of(list(ledger.entries)).get(number)
        linked = previous is None or previous.meta.get("sha256") != digest
        appends = [Append(entity, (link_entry(number, rel, digest, max(today, content.issued)),))]
        if linked:  # refused (a closed month...) before the file is written
            ws.write(appends, dry_run=True)
        unchanged = False
        if target.exists():
            if sha256(target.read_bytes()) != digest:
                raise RefusedError(
                    _(
                        "{path} exists and differs from the document the ledger gives now; "
                        "an issued document is not overwritten: move it away to issue a new one."
                    ).format(path=rel)
                )
            unchanged = True
        else:
            atomic_write(target, pdf)
        if linked:
            ws.write(appends)
        return Issued(number, rel, digest, linked, unchanged)
