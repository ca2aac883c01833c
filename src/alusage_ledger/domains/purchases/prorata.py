"""The coefficient of deduction of a mixed entity (taxable and exempt sales).

An entity that sells both taxable and exempt operations (e.g. training exempt under CGI
art. 261-4-4°) deducts the VAT of its mixed-use purchases by its coefficient of deduction
(CGI ann. II art. 206; BOI-TVA-DED-20-10-20). Its taxation coefficient is the turnover
that gives a right to deduction over the whole turnover, rounded up to the next whole
percent (ann. II art. 212). During year N the coefficient is provisional, from year N-1's
turnover (ann. II art. 209, the ``coefficient`` setting in the first year); the final one
is computed from year N's turnover, and the difference of the VAT deducted is regularised
by 25 April N+1 (ann. II art. 207-III; BOI-TVA-DED-60-10). Turnover here: the class-70
income of the ledger (sales of goods and services), exempt when its ``vat-rate`` is
``exempt``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date as date_of
from decimal import ROUND_CEILING, Decimal
from typing import TYPE_CHECKING, Any

from beancount.core import data

from alusage_ledger.books.accounts import Opener, account_meta
from alusage_ledger.books.entries import ledger_text, stamp, transaction
from alusage_ledger.books.vatregime import regime_on
from alusage_ledger.core.errors import ConfigError
from alusage_ledger.core.i18n import N_, _
from alusage_ledger.core.money import ZERO, quantize_cents
from alusage_ledger.domains.purchases.deductible import vat_posting

if TYPE_CHECKING:
    from datetime import date

    from alusage_ledger.books.config import Config
    from alusage_ledger.books.ledger import Workspace
    from alusage_ledger.books.loader import LoadedLedger

PERCENT = Decimal("0.01")


@dataclass(frozen=True)
class Turnover:
    taxable: Decimal
    exempt: Decimal

    @property
    def coefficient(self) -> Decimal | None:
        """Taxable / total, rounded up to the whole percent; None without turnover."""
        total = self.taxable + self.exempt
        if total <= 0:
            return None
        return (self.taxable / total).quantize(PERCENT, rounding=ROUND_CEILING)


def turnover(ledger: LoadedLedger, year: int) -> Turnover:
    """The class-70 turnover of ``year``, taxable and exempt."""
    income_root = ledger.roots()[3]
    pcg = {a: str(m.get("pcg") or "") for a, m in account_meta(ledger).items()}
    taxable = exempt = ZERO
    for entry in ledger.entries:
        if not isinstance(entry, data.Transaction) or entry.date.year != year:
            continue
        txn_rate = (entry.meta or {}).get("vat-rate")
        for p in entry.postings:
            if p.units is None or p.account.split(":", 1)[0] != income_root:
                continue
            if not pcg.get(p.account, "").startswith("70"):
                continue
            rate = (p.meta or {}).get("vat-rate") or txn_rate
            if rate == "exempt":
                exempt -= p.units.number
            else:
                taxable -= p.units.number
    return Turnover(taxable, exempt)


def provisional(config: Config, ledger: LoadedLedger, day: date) -> Decimal | None:
    """The coefficient applied to the purchases of ``day``; None when not a mixed entity."""
    regime = regime_on(config, ledger.entity, day)
    if not regime.prorata:
        return None
    found = turnover(ledger, day.year - 1).coefficient
    if found is None:
        found = regime.coefficient
    if found is None:
        raise ConfigError(
            _(
                "{entity} deducts VAT by a coefficient (prorata) but has no turnover in {year} "
                "and no 'coefficient' in its VAT settings: give the provisional one."
            ).format(entity=ledger.entity, year=day.year - 1)
        )
    return found


def apply(vat: Decimal, coefficient: Decimal | None) -> Decimal:
    """The deductible part of ``vat`` by the coefficient (all of it when None)."""
    if coefficient is None:
        return vat
    return quantize_cents(vat * coefficient)


def coefficient_meta(coefficient: Decimal | None, full: Decimal) -> dict[str, Any]:
    """What a VAT posting records of the coefficient: the VAT before it, and the rate."""
    if coefficient is None:
        return {}
    return {"vat-coefficient": str(coefficient), "vat-before-coefficient": str(full)}


@dataclass(frozen=True)
class Regularisation:
    """The final coefficient of a year against the provisional one, and what it changes."""

    entity: str
    year: int
    provisional: Decimal | None  # the coefficient applied during the year
    final: Decimal | None
    turnover: Turnover
    before: Decimal  # VAT of the year's purchases the coefficient applied to
    deducted: Decimal  # what the provisional coefficient deducted
    amount: Decimal  # final deduction - deducted: > 0 more to deduct, < 0 to give back


def regularisation(config: Config, ledger: LoadedLedger, year: int) -> Regularisation:
    """The regularisation of ``year`` by its final coefficient (CGI ann. II art. 207-III)."""
    before = deducted = ZERO
    applied: Decimal | None = None
    for entry in ledger.entries:
        if not isinstance(entry, data.Transaction) or entry.date.year != year:
            continue
        meta = entry.meta or {}
        if meta.get("vat-coefficient") is None or meta.get("vat-before-coefficient") is None:
            continue
        coefficient = Decimal(str(meta["vat-coefficient"]))
        full = Decimal(str(meta["vat-before-coefficient"]))
        applied = coefficient
        before += full
        deducted += apply(full, coefficient)
    sales = turnover(ledger, year)
    final = sales.coefficient
    amount = ZERO if final is None else apply(before, final) - deducted
    return Regularisation(ledger.entity, year, applied, final, sales, before, deducted, amount)


def regularisation_entry(
    config: Config, ledger: LoadedLedger, found: Regularisation, day: date
) -> tuple[Any, Any] | None:
    """The entry of a regularisation (None when nothing changes), and its opener."""
    if not found.amount:
        return None
    opener = Opener(config, ledger, day)
    kind = "regularisation" if found.amount > 0 else "reversal"
    other = opener.role(
        "vat-regularisation-income" if found.amount > 0 else "vat-regularisation-charge"
    )
    gen_id = f"prorata/{found.year}"
    text = ledger_text(
        config,
        N_("VAT deduction of {year} by its final coefficient {final} (provisional {provisional})"),
    ).format(year=found.year, final=found.final, provisional=found.provisional)
    entry = transaction(
        day,
        None,
        text,
        [],
        {"gen-id": gen_id, "period": str(found.year)},
        [
            vat_posting(opener.role("vat-deductible"), found.amount, kind),
            vat_posting(other, -found.amount),
        ],
    )
    return opener, stamp(entry, gen_id)


def post_regularisation(
    ws: Workspace, entity: str, year: int, day: date | None, *, post: bool, dry_run: bool
) -> tuple[Regularisation, str]:
    """Compute (and with ``post`` write, once) the regularisation of ``year``; the status is
    computed | posted | would-post | already | nothing. Dated 31 March of the next year by
    default: it goes in the return filed in April (before the 25th)."""
    with ws.lock():
        ledger = ws.load_checked(entity)
        found = regularisation(ws.config, ledger, year)
        gen_id = f"prorata/{year}"
        if any((getattr(e, "meta", None) or {}).get("gen-id") == gen_id for e in ledger.entries):
            return found, "already"
        if not post:
            return found, "computed"
        planned = regularisation_entry(ws.config, ledger, found, day or date_of(year + 1, 3, 31))
        if planned is None:
            return found, "nothing"
        opener, entry = planned
        ws.write(opener.appends([entry]), dry_run=dry_run)
        return found, "would-post" if dry_run else "posted"
