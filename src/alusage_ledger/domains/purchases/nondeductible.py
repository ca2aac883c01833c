"""VAT that is never (or only partly) deductible, by category of expense.

Some purchases carry VAT that the law excludes from deduction whatever the entity does
with them (CGI annexe II art. 206 IV-2, and art. 298-4 for fuels). A purchase line is in a
category when its account says so (``vat-category`` metadata on the account's ``open``)
or when ``--category`` names it; the VAT of that line is then booked into the charge (all
of it, or the part that is not deductible) and the entry says so (``vat-category``,
``vat-non-deductible``). The defaults below follow the sources cited; the deductible
share of a category can be changed per entity (``deductible_shares`` of
``[[entities.<id>.vat]]``) when the law changes or a case differs, see
docs/sales-and-vat.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from alusage_ledger.books import checks
from alusage_ledger.books.accounts import account_meta, role_parent
from alusage_ledger.books.entries import is_under
from alusage_ledger.books.vatregime import regime_on
from alusage_ledger.core.errors import ConfigError, LedgerProblem, UsageError
from alusage_ledger.core.fmt import money
from alusage_ledger.core.i18n import N_, _
from alusage_ledger.core.money import ZERO, quantize_cents

if TYPE_CHECKING:
    from datetime import date

    from alusage_ledger.books.config import Config
    from alusage_ledger.books.ledger import Workspace
    from alusage_ledger.books.loader import LoadedLedger


@dataclass(frozen=True)
class Category:
    name: str
    share: Decimal  # the deductible share of the VAT: 0, 0.8, 1
    source: str
    ceiling: Decimal | None = None  # gifts: deductible up to this amount incl. VAT


#: The defaults, with their sources (BOFiP: bofip.impots.gouv.fr).
CATEGORIES: dict[str, Category] = {
    c.name: c
    for c in (
        Category(
            "passenger-transport",
            ZERO,
            "CGI ann. II art. 206 IV-2-4° ; BOI-TVA-DED-30-30-40",
        ),
        Category(
            "passenger-vehicle",
            ZERO,
            "CGI ann. II art. 206 IV-2-6° (rental, car-sharing, upkeep, parking of vehicles "
            "built to carry people) ; BOI-TVA-DED-30-30-50",
        ),
        Category(
            "lodging",
            ZERO,
            "CGI ann. II art. 206 IV-2-1° (lodging of managers and staff) ; BOI-TVA-DED-30-30-20",
        ),
        Category(
            "gift",
            ZERO,
            "CGI ann. II art. 206 IV-2-3° ; CGI ann. IV art. 28-00 A (73 € incl. VAT per "
            "beneficiary and year) ; BOI-TVA-DED-30-30-30",
            ceiling=Decimal("73"),
        ),
        Category(
            "fuel-diesel",
            Decimal("0.8"),
            "CGI art. 298-4-1° (passenger vehicles: 80 %) ; BOI-TVA-DED-30-30-50",
        ),
        Category(
            "fuel-petrol",
            Decimal("0.8"),
            "CGI art. 298-4-1° (passenger vehicles: 80 % since 2022) ; BOI-TVA-DED-30-30-50",
        ),
        Category(
            "fuel-electricity",
            Decimal("1"),
            "CGI art. 298-4-1° (electricity for vehicles: deductible) ; BOI-TVA-DED-30-30-50",
        ),
        Category(
            "exempt-activity",
            ZERO,
            "CGI art. 271-I-1 and ann. II art. 205 (used only for exempt operations, e.g. "
            "training exempt under CGI art. 261-4-4°) ; BOI-TVA-DED-20-10-10",
        ),
    )
}


#: What each category is called for people (the ledger's ``vat-category`` keeps its name).
LABELS = {
    "passenger-transport": N_("passenger transport"),
    "passenger-vehicle": N_("passenger vehicle"),
    "lodging": N_("lodging"),
    "gift": N_("gift"),
    "fuel-diesel": N_("diesel fuel"),
    "fuel-petrol": N_("petrol"),
    "fuel-electricity": N_("electricity for vehicles"),
    "exempt-activity": N_("exempt activity"),
}


def category_label(name: str) -> str:
    """A category's name in the user's language: ``passenger-transport`` → ``transport de
    personnes``; an unknown name as it is."""
    return _(LABELS[name]) if name in LABELS else name


def category(
    config: Config, entity: str, day: date, name: Any, account_config: dict[str, Any]
) -> Category | None:
    """The category of a purchase line: ``name`` (``--category``), else the account's
    ``vat-category``; the entity's ``deductible_shares`` override the default share."""
    chosen = name if isinstance(name, str) and name.strip() else account_config.get("vat-category")
    if not isinstance(chosen, str) or not chosen.strip():
        return None
    key = chosen.strip().lower()
    found = CATEGORIES.get(key)
    if found is None:
        raise UsageError(
            _("Unknown VAT category {value!r}; use one of {known}.").format(
                value=chosen, known=", ".join(CATEGORIES)
            )
        )
    shares = regime_on(config, entity, day).deductible_shares
    if key in shares:
        return Category(found.name, shares[key], found.source, found.ceiling)
    return found


def deductible_part(vat: Decimal, found: Category | None, ttc: Decimal) -> Decimal:
    """The part of ``vat`` that may be deducted (the rest goes into the charge)."""
    if found is None or not vat:
        return vat
    if found.ceiling is not None:
        return vat if ttc <= found.ceiling else ZERO
    return quantize_cents(vat * found.share)


@checks.entity_rule
def non_deductible_vat_deducted(ws: Workspace, ledger: LoadedLedger) -> Iterable[LedgerProblem]:
    """VAT deducted on a purchase of a non-deductible category (the account's
    ``vat-category`` or the entry's), unless a later ``vat-correction`` entry carries its
    link (the correction of an existing ledger, docs/sales-and-vat.md)."""
    try:
        deductible = role_parent(ws.config, ledger.entity, "vat-deductible")
        pending = role_parent(ws.config, ledger.entity, "vat-deductible-pending")
    except (ConfigError, UsageError):
        return
    configured = {a: m for a, m in account_meta(ledger).items() if m.get("vat-category")}
    entries = checks.transactions(ledger)
    corrected = {
        link for e in entries if (e.meta or {}).get("vat-correction") for link in (e.links or ())
    }
    if not configured and not any((e.meta or {}).get("vat-category") for e in entries):
        return
    for entry in entries:
        meta = entry.meta or {}
        if meta.get("vat-correction") or set(entry.links or ()) & corrected:
            continue
        vat = sum(
            (
                p.units.number
                for p in entry.postings
                if p.units is not None
                and (is_under(p.account, deductible) or is_under(p.account, pending))
                and p.units.number > 0
            ),
            ZERO,
        )
        if not vat:
            continue
        names = [meta.get("vat-category")] if meta.get("vat-category") else []
        names += [
            configured[p.account]["vat-category"] for p in entry.postings if p.account in configured
        ]
        for name in names:
            try:
                found = category(ws.config, ledger.entity, entry.date, name, {})
            except UsageError as exc:
                yield checks.problem_at(ws, ledger.entity, entry, exc.message)
                break
            if found is None or found.share or found.ceiling is not None:
                continue
            yield checks.problem_at(
                ws,
                ledger.entity,
                entry,
                _(
                    "{amount} of VAT is deducted on a purchase of the category {category}, "
                    "whose VAT is not deductible ({source}); book it into the charge with a "
                    "correcting entry (vat-correction)."
                ).format(amount=money(vat), category=found.name, source=found.source),
            )
            break
