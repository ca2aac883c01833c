"""``vat``: the VAT return an entity's regime asks for; ``--post`` writes its settlement."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Annotated, Any

import typer

from alusage_ledger.cli import state
from alusage_ledger.cli.options import EntityId, PostDryRun
from alusage_ledger.core.fmt import machine, money
from alusage_ledger.core.i18n import N_, _, babel_locale
from alusage_ledger.outputs.render.console import emit_json, say

if TYPE_CHECKING:
    from alusage_ledger.books.ledger import Workspace
    from alusage_ledger.domains.sales.returns import VatReturn


def _rate_text(rate: str) -> str:
    """``20 %``, ``5,5 %`` (fr) / ``5.5 %`` (en); the rate as written when not a number."""
    # lazy: Babel loads only when a number is formatted
    from babel import numbers

    if rate == "?":
        return _("unknown rate")
    try:
        value = Decimal(rate)
    except InvalidOperation:
        return rate
    return f"{numbers.format_decimal(value, format='#,##0.##', locale=babel_locale())} %"


def as_json(ws: Workspace, result: VatReturn, status: str | None) -> dict[str, Any]:
    existing = result.existing
    where = None
    if existing is not None:
        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.sales.settlement import relative_path

        meta = existing.meta or {}
        where = f"{relative_path(ws, meta.get('filename'))}:{meta.get('lineno')}"
    return {
        "entity": result.entity,
        "regime": result.regime,
        "form": result.form,
        "exigibility": result.exigibility,
        "period": {
            "label": result.period.label,
            "from": result.period.start.isoformat(),
            "to": result.period.last_day.isoformat(),
        },
        "collected": [
            {"rate": line.rate, "base": machine(line.base), "vat": machine(line.vat)}
            for line in result.collected
        ],
        "taxable_base": machine(result.taxable_base),
        "collected_total": machine(result.collected_total),
        "exempt_operations": machine(result.exempt_base),
        "deductible": {kind: machine(value) for kind, value in result.deductible.items()},
        "deductible_total": machine(result.deductible_total),
        "previous_credit": machine(result.previous_credit),
        "instalments": machine(result.instalments),
        "instalment_base": machine(result.instalment_base),
        "due": machine(result.due),
        "credit": machine(result.credit),
        "settlement_date": result.settlement_date.isoformat() if result.settlement_date else None,
        "gen_id": result.gen_id or None,
        "settlement": where,
        "status": status,
    }


def render_text(ws: Workspace, result: VatReturn, status: str | None) -> str:
    # lazy: the domain (and Beancount) loads only when the command runs
    from alusage_ledger.domains.sales.totals import deductible_of

    lines: list[str] = []
    period = result.period.label
    if result.form == "none":
        return _(
            "{entity} is under the VAT franchise (art. 293 B du CGI) for {period}: it has no VAT "
            "return to file."
        ).format(entity=result.entity, period=period)
    header = {
        "CA3": _("VAT return CA3 of {entity} for {period} ({regime}, VAT on services: {exig})"),
        "CA12": _(
            "Annual VAT return CA12 of {entity} for {period} ({regime}, VAT on services: {exig})"
        ),
        "instalment": _("VAT instalment of {entity} for {period} ({regime})"),
    }[result.form]
    exig = _("on receipt") if result.exigibility == "encaissements" else _("on debits")
    lines.append(
        header.format(entity=result.entity, period=period, regime=result.regime, exig=exig)
    )
    if result.form == "instalment":
        share = "55 %" if result.period.start.month == 7 else "40 %"
        lines.append(
            _("Base (last year's net VAT): {base}; instalment {share}: {amount}.").format(
                base=money(result.instalment_base), share=share, amount=money(result.instalments)
            )
        )
        if not result.instalments:
            lines.append(_("No instalment is due when the base is under 1 000 €."))
    else:
        rows = [
            (_rate_text(line.rate), money(line.base), money(line.vat)) for line in result.collected
        ]
        rows.append(
            (_("Total collected"), money(result.taxable_base), money(result.collected_total))
        )
        head = (_("Rate"), _("Base excl. VAT"), _("VAT"))
        label_width = max(len(row[0]) for row in [head, *rows])
        amount_width = max(len(cell) for row in [head, *rows] for cell in row[1:])
        for row in [head, *rows]:
            lines.append(
                f"  {row[0]:<{label_width}}  {row[1]:>{amount_width}}  {row[2]:>{amount_width}}"
            )
        lines.append(
            _("Exempt operations (excl. VAT): {amount}").format(amount=money(result.exempt_base))
        )
        lines.append(
            _(
                "Deductible VAT: goods {goods}, services {services}, fixed assets {fixed} "
                "(total {total})"
            ).format(
                goods=money(deductible_of(result, "goods")),
                services=money(deductible_of(result, "services")),
                fixed=money(deductible_of(result, "fixed-assets")),
                total=money(result.deductible_total),
            )
        )
        lines.append(
            _("Credit carried from the previous return: {amount}").format(
                amount=money(result.previous_credit)
            )
        )
        if result.form == "CA12":
            lines.append(
                _("Instalments paid during the year: {amount}").format(
                    amount=money(result.instalments)
                )
            )
        if result.credit:
            lines.append(
                _("VAT credit to carry forward: {amount}").format(amount=money(result.credit))
            )
        else:
            lines.append(_("Net VAT due: {amount}").format(amount=money(result.due)))
    lines.append(_settlement_line(ws, result, status))
    return "\n".join(lines)


def _settlement_line(ws: Workspace, result: VatReturn, status: str | None) -> str:
    day = result.settlement_date.isoformat() if result.settlement_date else "-"
    if status == "posted":
        return _("Settlement entry posted on {day}.").format(day=day)
    if status == "would-post":
        return _("Dry run: the settlement entry would be posted on {day}.").format(day=day)
    if (
        status == "nothing"
        or (result.empty and result.form != "instalment")
        or (result.form == "instalment" and not result.instalments)
    ):
        return _("Nothing to settle.")
    if result.existing is not None:
        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.sales.settlement import relative_path

        meta = result.existing.meta or {}
        return _("Settlement already in the ledger: {where}.").format(
            where=f"{relative_path(ws, meta.get('filename'))}:{meta.get('lineno')}"
        )
    return _("Not settled yet: run with --post to write the entry dated {day}.").format(day=day)


def register(app: typer.Typer) -> None:
    @app.command(
        "vat",
        help=N_(
            "The VAT return of an entity for a period, as its regime asks: CA3 (reel-mensuel: "
            "a month, reel-trimestriel: a quarter), CA12 (rsi: a year) or an rsi instalment "
            "(2026-07, 2026-12). --post writes the settlement entry, once."
        ),
    )
    def vat(
        entity: EntityId,
        period: Annotated[
            str, typer.Option("--period", help=N_("2026-11, 2026-Q4 or 2026 (CA12)."))
        ],
        post: Annotated[
            bool, typer.Option("--post", help=N_("Write the settlement entry (idempotent)."))
        ] = False,
        dry_run: PostDryRun = False,
    ) -> None:
        # lazy: core.periods costs ~5 ms at start-up
        from alusage_ledger.core.periods import parse_period

        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.sales.returns import LedgerVat, compute_return

        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.sales.settlement import post_return

        st = state.current()
        ws = st.workspace()
        ws.config.entity(entity)
        chosen = parse_period(period)
        status = None
        if post:
            outcome = post_return(ws, entity, chosen, dry_run=dry_run)
            result = outcome.vat_return
            status = outcome.status
        else:
            ledger = ws.load_checked(entity)
            result = compute_return(ws.config, LedgerVat(ws.config, ledger), chosen)
        if st.json:
            emit_json(as_json(ws, result, status))
            return
        say(render_text(ws, result, status))
