"""Supplier credit notes: a bill reversed in part or in whole (``bill credit``).

The supplier's credit note (its own number in ``piece-ref``, the bill's in ``bill``) is
one transaction linked to the bill: the payable in the debit, and, in the credit, what
is left of each of the bill's components in proportion to the amount (largest
remainder, to the cent): its charge accounts (with the VAT that was not deductible) and
its deductible VAT. The deductible VAT follows the bill's nature and exigibility: the
VAT still pending (services not paid yet, 4458x) is reduced first; VAT already deducted
(goods at the bill, services paid) is given back with ``vat-kind: "reversal"``, which
the return puts on line 15 ("TVA antérieurement déduite à reverser")::

    2026-06-20 * "Graines" "Avoir fournisseur AV-7 sur la facture S-1" ^reel-S-1
      piece-ref: "AV-7"
      bill: "S-1"
      supplier: "Graines"
      Passif:Fournisseurs:Graines       110.00 EUR
      Charges:Achats:Semences          -100.00 EUR
      Actif:Etat:TVADeductible          -10.00 EUR
        vat-kind: "reversal"

Only what is still unpaid on the bill can be credited (a refund of a paid bill is a bank
movement, outside this command).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from alusage_ledger.books.accounts import Opener, role_parent
from alusage_ledger.books.entries import is_under, ledger_text, transaction
from alusage_ledger.books.text import check_text
from alusage_ledger.core.errors import RefusedError, UsageError
from alusage_ledger.core.i18n import N_, _
from alusage_ledger.core.money import ZERO, split_exact
from alusage_ledger.domains.purchases.bills import settle_bill
from alusage_ledger.domains.purchases.deductible import vat_posting
from alusage_ledger.domains.purchases.documents import Document, Written

if TYPE_CHECKING:
    from alusage_ledger.books.config import Config
    from alusage_ledger.books.ledger import Workspace
    from alusage_ledger.books.loader import LoadedLedger

#: The metadata key naming the bill a supplier's credit note reverses.
BILL_KEY = "bill"


VAT = "vat"  # the bill's deductible VAT, pending or deducted, as one component


def _components(config: Config, ledger: LoadedLedger, doc: Document) -> dict[str, Decimal]:
    """What is left of the bill: its charge accounts and its deductible VAT (one
    component), minus what earlier credit notes gave back."""
    deductible = role_parent(config, ledger.entity, "vat-deductible")
    pending = role_parent(config, ledger.entity, "vat-deductible-pending")
    left: dict[str, Decimal] = {}

    def add(entry: Any) -> None:
        for p in entry.postings:
            if p.account == doc.account or p.units is None:
                continue
            vat = is_under(p.account, deductible) or is_under(p.account, pending)
            key = VAT if vat else p.account
            left[key] = left.get(key, ZERO) + p.units.number

    add(doc.entry)
    for entry in doc.payments:
        if (entry.meta or {}).get(BILL_KEY):
            add(entry)
    return {key: value for key, value in left.items() if value > 0}


def plan_bill_credit(
    config: Config,
    ledger: LoadedLedger,
    doc: Document,
    *,
    amount: Decimal | None,
    day: date,
    piece_ref: str | None,
) -> tuple[Opener, Any]:
    if doc.remaining <= 0:
        raise RefusedError(
            _(
                "The bill {piece} of {supplier} is paid or credited in full; a refund is a "
                "bank movement."
            ).format(piece=doc.piece_ref, supplier=doc.party)
        )
    give = doc.remaining if amount is None else amount
    if give > doc.remaining:
        raise RefusedError(
            _(
                "{amount} is more than is unpaid on the bill {piece} of {supplier} ({due}); "
                "nothing was written."
            ).format(amount=give, piece=doc.piece_ref, supplier=doc.party, due=doc.remaining)
        )
    if day < doc.date:
        raise UsageError(
            _("The credit note date {day} is before the bill's date {bill}.").format(
                day=day, bill=doc.date
            )
        )
    ref = (piece_ref or "").strip() or None
    if ref is not None:
        check_text(ref, _("piece reference"))
    left = _components(config, ledger, doc)
    total = sum(left.values(), ZERO)
    parts = dict(left) if give == total or not total else split_exact(give, left)
    opener = Opener(config, ledger, day)
    postings = [vat_posting(doc.account, give)]
    for account, part in sorted(parts.items()):
        if part and account != VAT:
            postings.append(vat_posting(account, -part))
    vat = parts.get(VAT, ZERO)
    from_pending = min(vat, max(doc.pending_left, ZERO))
    if from_pending:
        postings.append(
            vat_posting(opener.role("vat-deductible-pending"), -from_pending, "services")
        )
    if vat - from_pending:
        postings.append(vat_posting(opener.role("vat-deductible"), from_pending - vat, "reversal"))
    meta: dict[str, Any] = {"piece-ref": ref, BILL_KEY: doc.piece_ref}
    if (doc.entry.meta or {}).get("supplier"):
        meta["supplier"] = doc.entry.meta["supplier"]
    text = ledger_text(config, N_("Supplier credit note {piece} on the bill {bill}")).format(
        piece=ref or "", bill=doc.piece_ref
    )
    links = sorted(doc.entry.links or ())
    return opener, transaction(day, doc.entry.payee, text, links, meta, postings)


def credit_bill(
    ws: Workspace,
    piece: str,
    *,
    entity: str | None,
    supplier: str | None = None,
    amount: Decimal | None = None,
    day: date,
    piece_ref: str | None = None,
    dry_run: bool = False,
) -> tuple[Written, Document]:
    return settle_bill(
        ws,
        piece,
        entity,
        supplier,
        lambda config, ledger, doc: plan_bill_credit(
            config, ledger, doc, amount=amount, day=day, piece_ref=piece_ref
        ),
        "credited",
        dry_run=dry_run,
    )
