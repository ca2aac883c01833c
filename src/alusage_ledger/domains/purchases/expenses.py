"""Expense claims (notes de frais): a person paid for the entity and is owed it back.

A volunteer or an employee pays a small bill with their own money; the entity books the
expense and owes that person the amount (a sub-account of the role ``persons``, PCG 467,
one per person) until it reimburses them::

    2026-11-12 * "Camille Perrin" "Note de frais NDF-2026-0001 - train Besançon-Dijon" ^alusage-NDF-2026-0001
      piece-ref: "NDF-2026-0001"
      person: "Camille Perrin"
      vat-rate: "10"
      Charges:Deplacements                        60.00 EUR
      Actif:Etat:TVADeductible                     6.00 EUR
      Passif:NotesDeFrais:CamillePerrin          -66.00 EUR

``--amount`` is what the person paid (VAT included, as on the receipt). The VAT shown on
the receipt is deductible at once (the supplier was paid), unless the entity is under
the franchise, which books the whole amount as the expense. A reimbursement carries
the links of every claim it settles, so ``letter`` matches them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from alusage_ledger.books.accounts import (
    Opener,
    account_meta,
    resolve_account,
    resolve_payment_account,
)
from alusage_ledger.books.entries import ledger_text, link_part, transaction
from alusage_ledger.books.text import check_text
from alusage_ledger.core.chart import account_component
from alusage_ledger.core.errors import UsageError
from alusage_ledger.core.i18n import N_, _
from alusage_ledger.core.money import ZERO
from alusage_ledger.domains.lettering import settlement_letters
from alusage_ledger.domains.purchases.deductible import (
    check_nature,
    nature_of,
    parse_vat_rate,
    vat_in,
    vat_kind,
    vat_posting,
    vat_treatment,
)
from alusage_ledger.domains.purchases.documents import (
    Document,
    Written,
    documents,
    write_one,
    written_of,
)
from alusage_ledger.domains.purchases.input import check_name
from alusage_ledger.domains.purchases.nondeductible import category, deductible_part
from alusage_ledger.domains.purchases.prorata import apply, coefficient_meta, provisional

if TYPE_CHECKING:
    from alusage_ledger.books.config import Config
    from alusage_ledger.books.ledger import Workspace
    from alusage_ledger.books.loader import LoadedLedger


@dataclass(frozen=True)
class ClaimRequest:
    entity: str
    person: str
    account: str
    amount: Decimal  # what the person paid, VAT included
    day: date
    vat: str | None = None
    vat_amount: Decimal | None = None
    piece_ref: str | None = None
    label: str | None = None
    nature: str | None = None  # goods | services | fixed-asset: overrides the account's
    category: str | None = None  # a non-deductible VAT category: overrides the account's


def claims(config: Config, ledger: LoadedLedger) -> list[Document]:
    return documents(config, ledger, "persons")


def _next_claim_number(existing: Sequence[Document], year: int) -> str:
    used = {d.piece_ref for d in existing}
    number = 1 + sum(1 for ref in used if ref.startswith(f"NDF-{year}-"))
    while f"NDF-{year}-{number:04d}" in used:
        number += 1
    return f"NDF-{year}-{number:04d}"


def plan_claim(config: Config, ledger: LoadedLedger, request: ClaimRequest) -> tuple[Opener, Any]:
    person = check_name(request.person, _("person's name"))
    opener = Opener(config, ledger, request.day)
    account = resolve_account(ledger, request.account, _("account"), opener=opener)
    person_account = opener.third_party("persons", person)
    rate, rate_text = parse_vat_rate(request.vat)
    treatment = vat_treatment(config, ledger.entity, request.day)
    vat = ZERO
    if request.vat_amount is not None:
        vat = request.vat_amount
    elif rate is not None:
        vat = vat_in(request.amount, rate)
    if vat >= request.amount:
        raise UsageError(
            _("The VAT {vat} must be less than the amount {amount}.").format(
                vat=vat, amount=request.amount
            )
        )
    if not treatment.deducts:
        vat = ZERO
    account_config = account_meta(ledger).get(account, {})
    found = category(config, ledger.entity, request.day, request.category, account_config)
    coefficient = provisional(config, ledger, request.day) if treatment.deducts else None
    deductible = apply(deductible_part(vat, found, request.amount), coefficient)
    kept = vat - deductible
    existing = claims(config, ledger)
    piece_ref = (request.piece_ref or "").strip() or _next_claim_number(existing, request.day.year)
    check_text(piece_ref, _("piece reference"))
    for doc in existing:
        if doc.account == person_account and doc.piece_ref == piece_ref:
            raise UsageError(
                _("The expense claim {piece} of {person} is already booked ({day}).").format(
                    piece=piece_ref, person=person, day=doc.date
                )
            )
    part = link_part(piece_ref)
    if not part:
        raise UsageError(
            _("The piece reference {value!r} needs letters or digits.").format(value=piece_ref)
        )
    link = f"{ledger.entity}-{part}"
    if any(link in (getattr(e, "links", None) or ()) for e in ledger.entries):
        raise UsageError(
            _("The link ^{link} is already used; give another --piece-ref.").format(link=link)
        )
    postings = [vat_posting(account, request.amount - deductible)]
    if deductible:
        pcg = account_config.get("pcg")
        nature = check_nature(request.nature) or nature_of(pcg, account_config.get("vat-nature"))
        kind = vat_kind(nature, pcg)
        postings.append(vat_posting(opener.role("vat-deductible"), deductible, kind))
    postings.append(vat_posting(person_account, -request.amount))
    label = ledger_text(config, N_("Expense claim {piece}")).format(piece=piece_ref)
    if request.label:
        label = f"{label} - {request.label}"
    meta: dict[str, Any] = {
        "piece-ref": piece_ref,
        "person": person,
        "vat-rate": rate_text if treatment.deducts and rate_text else None,
        "vat-category": found.name if found is not None and treatment.deducts else None,
        "vat-non-deductible": kept if kept else None,
        **coefficient_meta(coefficient, deductible_part(vat, found, request.amount)),
    }
    return opener, transaction(request.day, person, label, [link], meta, postings)


def add_claim(ws: Workspace, request: ClaimRequest, *, dry_run: bool = False) -> Written:
    entry, planned = write_one(
        ws,
        request.entity,
        lambda ledger: plan_claim(ws.config, ledger, request),
        dry_run=dry_run,
    )
    written = written_of(request.entity, entry, planned, dry_run)
    written.amounts = {"amount": request.amount}
    return written


def plan_reimbursement(
    config: Config,
    ledger: LoadedLedger,
    person: str,
    pieces: Sequence[str],
    *,
    day: date,
    account: str | None,
    amount: Decimal | None = None,
) -> tuple[Opener, Any, list[Document]]:
    """One payment settling the person's open claims (or the ones named)."""
    name = check_name(person, _("person's name"))
    component = account_component(name)
    mine = [d for d in claims(config, ledger) if d.account.rsplit(":", 1)[-1] == component]
    if pieces:
        wanted = {p.strip().lstrip("^") for p in pieces}
        chosen = [d for d in mine if wanted & {d.piece_ref, d.link}]
        missing = wanted - {d.piece_ref for d in chosen} - {d.link for d in chosen}
        if missing:
            raise UsageError(
                _("No expense claim {pieces} for {person}.").format(
                    pieces=", ".join(sorted(missing)), person=name
                )
            )
    else:
        chosen = [d for d in mine if d.remaining > 0]
    chosen = [d for d in chosen if d.remaining > 0]
    if not chosen:
        raise UsageError(_("{person} has no expense claim left to reimburse.").format(person=name))
    due = sum((d.remaining for d in chosen), ZERO)
    pay = due if amount is None else amount
    if pay > due:
        raise UsageError(
            _("{amount} is more than is owed to {person} ({due}); nothing was written.").format(
                amount=pay, person=name, due=due
            )
        )
    if pay < due and len(chosen) > 1:
        raise UsageError(
            _("A partial reimbursement settles one claim at a time; name it.").format()
        )
    latest = max(d.date for d in chosen)
    if day < latest:
        raise UsageError(
            _("The reimbursement date {day} is before the claim's date {claim}.").format(
                day=day, claim=latest
            )
        )
    opener = Opener(config, ledger, day)
    bank = resolve_payment_account(config, ledger, account)
    person_account = chosen[0].account
    refs = ", ".join(d.piece_ref for d in chosen)
    text = ledger_text(config, N_("Reimbursement of expense claims {pieces}")).format(pieces=refs)
    links = sorted({link for d in chosen for link in (d.entry.links or ())})
    entry = transaction(
        day,
        chosen[0].entry.payee or name,
        text,
        links,
        {"person": (chosen[0].entry.meta or {}).get("person") or name},
        [vat_posting(person_account, pay), vat_posting(bank, -pay)],
    )
    return opener, entry, chosen


def reimburse(
    ws: Workspace,
    entity: str,
    person: str,
    pieces: Sequence[str],
    *,
    day: date,
    account: str | None = None,
    amount: Decimal | None = None,
    dry_run: bool = False,
) -> tuple[Written, list[Document]]:
    with ws.lock():
        ledger = ws.load_checked(entity)
        opener, entry, chosen = plan_reimbursement(
            ws.config, ledger, person, pieces, day=day, account=account, amount=amount
        )
        letters = settlement_letters(ledger.entries, [entry], [chosen[0].account])
        planned = ws.write(opener.appends([entry, *letters]), dry_run=dry_run)
    written = Written(
        entity=entity,
        entries=[entry],
        files=[p.rel for p in planned],
        link=None,
        piece_ref=", ".join(d.piece_ref for d in chosen),
        amounts={"amount": entry.postings[0].units.number},
        dry_run_text="\n".join(p.text for p in planned) if dry_run else "",
    )
    return written, chosen
