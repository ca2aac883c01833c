"""VAT settlement: the entry that books a return, and the month-end step that posts it.

A return's settlement (or instalment) is dated ``settlement_day`` of the month the return
is filed in, idempotent by ``gen-id`` (an existing one is never doubled, and one with
other amounts is refused). ``close`` of a month posts the returns filed in that month.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alusage_ledger.books.accounts import Opener
from alusage_ledger.books.entityconfig import VatRegimeConfig
from alusage_ledger.books.entries import ledger_language, ledger_text, stamp, transaction
from alusage_ledger.books.monthend import month_step
from alusage_ledger.books.vatregime import regime_on, regimes_of
from alusage_ledger.books.writer import Append
from alusage_ledger.core.errors import RefusedError
from alusage_ledger.core.fmt import money
from alusage_ledger.core.i18n import N_, _
from alusage_ledger.core.periods import Month, Period, quarter_period, year_period
from alusage_ledger.domains.sales.index import Accounts
from alusage_ledger.domains.sales.returns import (
    LedgerVat,
    VatReturn,
    compute_return,
    matches_return,
    posting_totals,
    settlement_postings,
)

if TYPE_CHECKING:
    from alusage_ledger.books.config import Config
    from alusage_ledger.books.ledger import Workspace


_MONTHS_FR = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def period_words(config: Config, period: Period) -> str:
    """``novembre 2026`` / ``November 2026``, ``2026-Q4``, ``2026``: the ledger's language."""
    if period.kind == "month":
        if ledger_language(config) == "fr":
            return f"{_MONTHS_FR[period.start.month - 1]} {period.start.year}"
        return period.start.strftime("%B %Y")
    return period.label


def settlement_entry(config: Config, vat_return: VatReturn, acc: Accounts) -> Any | None:
    """The settlement (or instalment) transaction of a return; None when nothing moves."""
    assert vat_return.settlement_date is not None
    postings = settlement_postings(vat_return, acc)
    if postings is None:
        return None
    if vat_return.form == "instalment":
        narration = ledger_text(config, N_("VAT instalment of {period} (simplified regime)"))
    else:
        narration = ledger_text(config, N_("VAT return of {period} ({form})"))
    text = narration.format(period=period_words(config, vat_return.period), form=vat_return.form)
    entry = transaction(
        vat_return.settlement_date,
        ledger_text(config, N_("Tax office")),
        text,
        [vat_return.link],
        {"period": vat_return.period.label, "gen-id": vat_return.gen_id},
        postings,
    )
    return stamp(entry, vat_return.gen_id)


def same_amounts(entry: Any, planned: Any) -> bool:
    return posting_totals(entry.postings) == posting_totals(planned.postings)


@dataclass
class PostResult:
    vat_return: VatReturn
    entry: Any | None
    status: str  # posted | already | nothing | franchise | would-post


def post_return(ws: Workspace, entity: str, period: Period, *, dry_run: bool = False) -> PostResult:
    """Write the settlement of a return (idempotent: an existing one is never doubled)."""
    with ws.lock():
        ledger = ws.load_checked(entity)
        vat_ledger = LedgerVat(ws.config, ledger)
        result = compute_return(ws.config, vat_ledger, period)
        if result.form == "none":
            return PostResult(result, None, "franchise")
        planned = settlement_entry(ws.config, result, vat_ledger.acc)
        if result.existing is not None:
            if planned is None or matches_return(result.existing, result, vat_ledger.acc):
                return PostResult(result, result.existing, "already")
            meta = result.existing.meta or {}
            raise RefusedError(
                _(
                    "A settlement for {period} already exists ({file}:{line}) with other "
                    "amounts than the return; correct it with a new entry, nothing was written."
                ).format(
                    period=period.label,
                    file=relative_path(ws, meta.get("filename")),
                    line=meta.get("lineno"),
                )
            )
        if planned is None:
            return PostResult(result, None, "nothing")
        opened = ledger.open_accounts()
        missing = sorted({p.account for p in planned.postings} - opened)
        opens = []
        if missing:
            opener = Opener(ws.config, ledger, planned.date)
            roles = {
                vat_ledger.acc.collected: "vat-collected",
                vat_ledger.acc.deductible: "vat-deductible",
                vat_ledger.acc.due: "vat-due",
                vat_ledger.acc.credit: "vat-credit",
                vat_ledger.acc.instalment: "vat-instalment",
                vat_ledger.acc.rounding_charge: "vat-rounding-charge",
                vat_ledger.acc.rounding_income: "vat-rounding-income",
            }
            for account in missing:
                opener.role(roles[account])
            opens = opener.appends([planned])
        appends = opens or [Append(entity, (planned,))]
        ws.write(appends, dry_run=dry_run)
        return PostResult(result, planned, "would-post" if dry_run else "posted")


def relative_path(ws: Workspace, filename: Any) -> str:
    """A ledger file's path relative to the workspace root (for messages); ``?`` if none."""
    if not filename:
        return "?"
    try:
        return Path(str(filename)).resolve().relative_to(ws.root).as_posix()
    except ValueError:
        return str(filename)


def declared_in(regime: VatRegimeConfig, month: Month) -> list[Period]:
    """The returns a regime files in ``month`` (the month the settlement is dated in)."""
    previous = month.prev()
    if regime.regime == "reel-mensuel":
        return [previous.period]
    if regime.regime == "reel-trimestriel":
        if month.number in (1, 4, 7, 10):
            return [quarter_period(previous.year, (previous.number - 1) // 3 + 1)]
        return []
    if regime.regime == "rsi":
        out = []
        if month.number == 5:
            out.append(year_period(month.year - 1))
        if month.number in (7, 12):
            out.append(month.period)
        return out
    return []


@month_step("vat")
def post_vat_for_close(ws: Workspace, month: Month, *, dry_run: bool = False) -> list[str]:
    """Close of a month: post the returns filed in that month (idempotent)."""
    lines: list[str] = []
    for entity in ws.config.entities:
        start = ws.config.entity(entity).books_start_date()
        candidates: dict[str, Period] = {}
        for item in regimes_of(ws.config, entity):
            for period in declared_in(item, month):
                candidates.setdefault(period.label, period)
        for period in sorted(candidates.values(), key=lambda p: (p.start, p.end)):
            regime = regime_on(ws.config, entity, period.last_day)
            if regime.regime == "franchise" or (start is not None and period.end <= start):
                continue
            if period.label not in {p.label for p in declared_in(regime, month)}:
                continue
            result = post_return(ws, entity, period, dry_run=dry_run)
            vat_return = result.vat_return
            if result.status == "posted":
                lines.append(
                    _("{entity}: VAT {form} {period} posted: {due} due, {credit} credit.").format(
                        entity=entity,
                        form=vat_return.form,
                        period=period.label,
                        due=money(vat_return.due),
                        credit=money(vat_return.credit),
                    )
                )
            elif result.status == "would-post":
                lines.append(
                    _("{entity}: VAT {form} {period} would be posted.").format(
                        entity=entity, form=vat_return.form, period=period.label
                    )
                )
            elif result.status == "already":
                lines.append(
                    _("{entity}: VAT {form} {period} already posted.").format(
                        entity=entity, form=vat_return.form, period=period.label
                    )
                )
    return lines
