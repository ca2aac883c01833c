"""``report corporate-tax``: the IS of an exercice from its annual accounts
(``domains.year.corporatetax``): the profit before tax, the SCIC's reserves deduction,
the taxable base, the part at each rate and the tax."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from alusage_ledger.core.fmt import money
from alusage_ledger.core.i18n import _
from alusage_ledger.domains.year.corporatetax import (
    CorporateTax,
    TaxRates,
    corporate_tax,
    reserves_share,
    scic_reserves,
)
from alusage_ledger.outputs.ledgerreports.annual import AnnualAccounts
from alusage_ledger.outputs.ledgerreports.tables import csv_text, formatter, md_escape, md_table

if TYPE_CHECKING:
    from alusage_ledger.books.config import Config


@dataclass(frozen=True)
class TaxReport:
    entity: str
    entity_name: str
    accounts: AnnualAccounts
    rates: TaxRates
    turnover: Decimal
    turnover_limit: Decimal
    holding_condition: bool  # the entity is listed in reduced_rate_entities
    reserves_share: Decimal | None  # SCIC: the percentage sent to the reserves
    reserves_voted: bool  # the deduction was given, not computed from the share
    tax: CorporateTax


def tax_report(
    config: Config, entity: str, accounts: AnnualAccounts, reserves: Decimal | None = None
) -> TaxReport:
    """The IS of ``accounts``'s exercice; ``reserves``: the sums voted to the indivisible
    reserves (a SCIC), else the share of the allocation rules."""
    settings = config.year.corporate_tax
    kind = config.entity(entity).kind
    rates = TaxRates(settings.normal_rate, settings.reduced_rate, settings.reduced_ceiling)
    column = accounts.current
    turnover = column.amount("production_vendue") + column.amount("ventes_marchandises")
    holding = entity in settings.reduced_rate_entities
    eligible = holding and turnover < settings.turnover_limit
    profit = column.result + column.amount("impot_benefices")
    share = None
    deduction = Decimal("0")
    if kind == "scic":
        rules = config.year.scic
        share = reserves_share(rules.legal_reserve_rate, rules.statutory_reserve_rate)
        if reserves is not None:
            deduction = reserves
        else:
            deduction = scic_reserves(profit, rates, reduced_eligible=eligible, share=share)
    tax = corporate_tax(profit, rates, reduced_eligible=eligible, reserves_deduction=deduction)
    return TaxReport(
        entity,
        accounts.entity_name,
        accounts,
        rates,
        turnover,
        settings.turnover_limit,
        holding,
        share,
        reserves is not None,
        tax,
    )


TAX_KEYS = (
    "profit",
    "reserves_deduction",
    "base",
    "reduced_base",
    "reduced_tax",
    "normal_base",
    "normal_tax",
    "total",
)


def _values(report: TaxReport) -> list[Decimal]:
    t = report.tax
    return [
        t.profit,
        t.reserves_deduction,
        t.base,
        t.reduced_base,
        t.reduced_tax,
        t.normal_base,
        t.normal_tax,
        t.total,
    ]


def tax_labels(report: TaxReport) -> list[str]:
    rates = report.rates
    return [
        _("Profit before tax"),
        _("Sums put to the indivisible reserves (CGI art. 209 VIII)"),
        _("Taxable profit (to the euro)"),
        _("Base at the reduced rate"),
        _("Tax at {rate} %").format(rate=rates.reduced_rate),
        _("Base at the normal rate"),
        _("Tax at {rate} %").format(rate=rates.normal_rate),
        _("Corporate tax"),
    ]


def tax_table_rows(report: TaxReport) -> list[list[str]]:
    fmt = formatter(True)
    rows = [[label, fmt(v)] for label, v in zip(tax_labels(report), _values(report), strict=True)]
    rows[-1][1] = money(report.tax.total)  # the tax shown even when it is nothing
    return rows


def tax_title(report: TaxReport) -> str:
    window = report.accounts.current.window
    return _("Corporate tax (IS) — {name} — {start} to {end}").format(
        name=report.entity_name, start=window.start.isoformat(), end=window.end.isoformat()
    )


def tax_notes(report: TaxReport) -> list[str]:
    fmt = formatter(True)
    notes = []
    if report.tax.reduced_eligible:
        notes.append(
            _("Reduced rate: {rate} % up to {ceiling} (CGI art. 219 I b).").format(
                rate=report.rates.reduced_rate, ceiling=fmt(report.rates.reduced_ceiling)
            )
        )
    elif not report.holding_condition:
        notes.append(
            _(
                "No reduced rate: the entity is not listed in "
                "[year.corporate_tax] reduced_rate_entities (capital paid up and held at "
                "75 % by natural persons, for its accountant to state)."
            )
        )
    else:
        notes.append(
            _("No reduced rate: the turnover {turnover} reaches {limit}.").format(
                turnover=fmt(report.turnover), limit=fmt(report.turnover_limit)
            )
        )
    if report.reserves_share is not None and not report.reserves_voted:
        notes.append(
            _(
                "Indivisible reserves: {share} % of the result after tax (the allocation "
                "rules' minimum); give the amount voted with --reserves."
            ).format(share=report.reserves_share)
        )
    notes.append(
        _(
            "The accounting profit without the tax adjustments of form 2058-A; to be "
            "checked by the accountant."
        )
    )
    return notes


def tax_markdown(report: TaxReport) -> str:
    rows = tax_table_rows(report)
    rows[-1] = [f"**{md_escape(c)}**" for c in rows[-1]]
    lines = [f"# {md_escape(tax_title(report))}", ""]
    lines.append(md_table([_("Line"), _("Amount")], rows, (1,)))
    lines += [f"- {md_escape(note)}" for note in tax_notes(report)]
    return "\n".join(lines) + "\n"


def tax_csv(report: TaxReport) -> str:
    fmt = formatter(False)
    return csv_text(
        [["key", "amount"], *([k, fmt(v)] for k, v in zip(TAX_KEYS, _values(report), strict=True))]
    )


def tax_json(report: TaxReport) -> dict[str, Any]:
    fmt = formatter(False)
    return {
        "entity": report.entity,
        "start": report.accounts.current.window.start,
        "end": report.accounts.current.window.end,
        "reduced_eligible": report.tax.reduced_eligible,
        "reserves_share": None if report.reserves_share is None else str(report.reserves_share),
        **{k: fmt(v) for k, v in zip(TAX_KEYS, _values(report), strict=True)},
    }
