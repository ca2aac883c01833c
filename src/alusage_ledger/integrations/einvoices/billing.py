"""A received e-invoice booked as a bill (``bill import``).

The supplier is the invoice's seller (its SIREN kept as ``supplier-siren``); all lines go
to one charge account (``--account``), one bill line per VAT rate with the invoice's base.
French VAT is deducted as ``bill add`` does; VAT of another country is not deductible on a
French return and goes into the charge. The bill's total must equal the invoice's to the
cent. Importing the same invoice again adds nothing; the same number from the same
supplier with other amounts is an error. The file is kept as
``documents/<entity>/received/<YYYY>/<supplier>-<number>.<ext>`` and linked by ``document``
and ``sha256`` metadata on the bill.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from beancount.core import data
from beancount.core.amount import Amount

from alusage_ledger.books.entries import ledger_text, link_part
from alusage_ledger.books.journal import atomic_write
from alusage_ledger.core.errors import UsageError
from alusage_ledger.core.i18n import N_, _
from alusage_ledger.core.money import ZERO
from alusage_ledger.domains.purchases.bills import BillLine, BillRequest, plan_bill
from alusage_ledger.domains.purchases.deductible import parse_vat_rate
from alusage_ledger.integrations.einvoices.reading import Received, read_received

if TYPE_CHECKING:
    from alusage_ledger.books.ledger import Workspace
    from alusage_ledger.books.loader import LoadedLedger

#: VAT categories (UNTDID 5305) without French VAT to deduct: exempt, zero-rated,
#: reverse charge, intra-community, export, outside scope.
NO_VAT_CATEGORIES = frozenset({"E", "Z", "AE", "K", "G", "O"})


@dataclass(frozen=True)
class Imported:
    received: Received
    entry: Any  # the bill (planned or written), None when already booked
    files: list[str]
    text: str  # what was (or would be) appended
    document: str  # the kept copy, relative to the workspace


def _lines(received: Received, account: str) -> tuple[BillLine, ...]:
    """The bill's lines, positive (a credit note is the reversal of its bill)."""
    sign = Decimal(1)
    french = (received.supplier_country or "FR") == "FR"
    lines = []
    for tax in received.taxes:
        if not french or tax.category != "S":
            # no French VAT to deduct: what was paid (VAT of another country included)
            amount = tax.base + (tax.vat if tax.category not in NO_VAT_CATEGORIES else ZERO)
            lines.append(BillLine(account, sign * amount, None, "exempt"))
            continue
        text = f"{tax.rate:f}"
        rate, written = parse_vat_rate(text.rstrip("0").rstrip(".") if "." in text else text)
        lines.append(BillLine(account, sign * tax.base, rate, written))
    return tuple(lines)


def _reversed(entry: Any, narration: str) -> Any:
    """A supplier's credit note: the exact reversal of the bill it would be."""
    postings = [p._replace(units=Amount(-p.units.number, p.units.currency)) for p in entry.postings]
    return entry._replace(postings=postings, narration=narration)


def _booked(ledger: LoadedLedger, received: Received) -> Any:
    for entry in ledger.entries:
        if not isinstance(entry, data.Transaction):
            continue
        meta = entry.meta or {}
        if meta.get("piece-ref") != received.number:
            continue
        siren = meta.get("supplier-siren")
        if (siren and siren == received.supplier_siren) or meta.get(
            "supplier"
        ) == received.supplier:
            return entry
    return None


def _owed(entry: Any) -> Decimal:
    """What a bill makes the entity owe: minus its payable's posting (the last one)."""
    return Decimal(-entry.postings[-1].units.number)


def kept_path(entity: str, received: Received, source: Path) -> str:
    supplier = link_part(received.supplier) or "supplier"
    number = link_part(received.number) or "invoice"
    suffix = source.suffix.lower() or ".xml"
    return f"documents/{entity}/received/{received.issued.year:04d}/{supplier}-{number}{suffix}"


def import_bill(
    ws: Workspace,
    entity: str,
    source: Path,
    account: str,
    *,
    day: date | None = None,
    dry_run: bool = False,
) -> Imported:
    """Book the e-invoice in ``source`` as a bill of ``entity`` (see the module doc)."""
    received = read_received(source)
    body = source.read_bytes()
    if received.currency != "EUR":
        raise UsageError(
            _("{file} is in {currency}; only invoices in euros are imported.").format(
                file=source.name, currency=received.currency
            )
        )
    config = ws.config.entity(entity)
    if received.buyer_siren and config.siren and received.buyer_siren != config.siren:
        raise UsageError(
            _("{file} is addressed to SIREN {buyer}, not to {entity} (SIREN {siren}).").format(
                file=source.name, buyer=received.buyer_siren, entity=entity, siren=config.siren
            )
        )
    rel = kept_path(entity, received, source)
    digest = hashlib.sha256(body).hexdigest()
    with ws.lock():
        ledger = ws.load_checked(entity)
        signed = -received.ttc if received.credit else received.ttc
        booked = _booked(ledger, received)
        if booked is not None:
            if _owed(booked) != signed:
                raise UsageError(
                    _(
                        "{supplier} invoice {number} is already booked with a total of {booked}, "
                        "not {total}: two documents with one number."
                    ).format(
                        supplier=received.supplier,
                        number=received.number,
                        booked=_owed(booked),
                        total=signed,
                    )
                )
            return Imported(received, None, [], "", rel)
        extra = (("supplier-siren", received.supplier_siren), ("document", rel), ("sha256", digest))
        request = BillRequest(
            entity=entity,
            supplier=received.supplier,
            lines=_lines(received, account),
            day=day or received.issued,
            piece_ref=received.number,
            piece_date=received.issued,
            due=received.due,
            extra_meta=tuple((k, v) for k, v in extra if v is not None),
        )
        opener, entry = plan_bill(ws.config, ledger, request)
        if received.credit:
            label = ledger_text(ws.config, N_("Supplier credit note {piece}"))
            entry = _reversed(entry, label.format(piece=received.number))
        if _owed(entry) != signed:
            raise UsageError(
                _(
                    "{file}: the bill would total {ours}, the invoice says {theirs}; "
                    "book it by hand with bill add."
                ).format(file=source.name, ours=_owed(entry), theirs=signed)
            )
        planned = ws.write(opener.appends([entry]), dry_run=True)
        if not dry_run:
            target = ws.root / rel
            if not target.exists() or target.read_bytes() != body:
                atomic_write(target, body)
            planned = ws.write(opener.appends([entry]))
    return Imported(
        received, entry, [p.rel for p in planned], "\n".join(p.text for p in planned), rel
    )
