"""``vat``: the VAT return an entity's regime asks for; ``--post`` writes its settlement."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from alusage_ledger.cli import state
from alusage_ledger.cli.options import EntityId, PostDryRun
from alusage_ledger.core.errors import UsageError
from alusage_ledger.core.fmt import machine, money
from alusage_ledger.core.i18n import N_, _
from alusage_ledger.outputs.render.console import emit_json, say


def register(app: typer.Typer) -> None:
    @app.command(
        "vat",
        help=N_(
            "The VAT return of an entity for a period, as its regime asks, by the form's "
            "boxes rounded to the euro: 3310-CA3 (reel-mensuel: a month, reel-trimestriel: a "
            "quarter), 3517-S CA12 (rsi: a year) or an rsi instalment (2026-07, 2026-12). "
            "--post writes the settlement entry, once (the rounding to 658/758); a period "
            "with nothing to declare writes nothing."
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
        detail: Annotated[
            bool,
            typer.Option(
                "--detail", help=N_("List the invoices, receipts and bills behind each box.")
            ),
        ] = False,
        coefficient: Annotated[
            bool,
            typer.Option(
                "--coefficient",
                help=N_(
                    "A mixed entity (prorata): the final coefficient of deduction of the "
                    "year given as --period, against the provisional one, and the "
                    "regularisation of the VAT deducted (--post writes it, dated --date, "
                    "default 31 March of the next year)."
                ),
            ),
        ] = False,
        day: Annotated[
            str | None,
            typer.Option("--date", help=N_("Date of the regularisation (with --coefficient).")),
        ] = None,
        dry_run: PostDryRun = False,
    ) -> None:
        # lazy: core.periods costs ~5 ms at start-up
        from alusage_ledger.core.periods import parse_period

        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.sales.returns import LedgerVat, compute_return

        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.sales.settlement import post_return

        # lazy: the printout loads with the domain, only when the command runs
        from alusage_ledger.outputs.render.vatreturn import as_json, render_detail, render_text

        st = state.current()
        ws = st.workspace()
        ws.config.entity(entity)
        chosen = parse_period(period)
        if coefficient:
            _coefficient(ws, entity, chosen, day, post=post, dry_run=dry_run, json_out=st.json)
            return
        status = None
        if post:
            outcome = post_return(ws, entity, chosen, dry_run=dry_run)
            status = outcome.status
        ledger = ws.load_checked(entity)
        vat_ledger = LedgerVat(ws.config, ledger)
        result = compute_return(ws.config, vat_ledger, chosen)
        details = vat_ledger.details(chosen) if detail and result.form in ("CA3", "CA12") else []
        if st.json:
            data = as_json(ws, result, vat_ledger.acc, status)
            if detail:
                data["detail"] = [
                    {
                        "box": (
                            result.boxes.rate_box.get(d.key, "?")
                            if d.what == "rate"
                            else result.boxes.kind_box.get(d.key, "?")
                            if d.what == "deductible"
                            else ("05" if result.form == "CA12" else "E2")
                        ).removeprefix("CA12-"),
                        "date": d.entry.date.isoformat(),
                        "narration": d.entry.narration,
                        "what": d.what,
                        "key": d.key,
                        "base": str(d.base),
                        "tax": str(d.tax),
                    }
                    for d in details
                ]
            emit_json(data)
            return
        say(render_text(ws, result, vat_ledger.acc, status))
        if detail and details:
            say(render_detail(ws, result, details))


def _coefficient(
    ws: Any, entity: str, chosen: Any, day: str | None, *, post: bool, dry_run: bool, json_out: bool
) -> None:
    # lazy: the domain (and Beancount) loads only when the command runs
    from alusage_ledger.domains.purchases.input import date_arg
    from alusage_ledger.domains.purchases.prorata import post_regularisation

    if chosen.kind != "year":
        raise UsageError(_("--coefficient is for a year: give --period 2026."))
    when = date_arg(day, _("date")) if day else None
    found, status = post_regularisation(
        ws, entity, chosen.start.year, when, post=post, dry_run=dry_run
    )
    if json_out:
        emit_json(
            {
                "entity": entity,
                "year": found.year,
                "provisional": str(found.provisional) if found.provisional is not None else None,
                "final": str(found.final) if found.final is not None else None,
                "turnover": {
                    "taxable": machine(found.turnover.taxable),
                    "exempt": machine(found.turnover.exempt),
                },
                "vat_before_coefficient": machine(found.before),
                "deducted": machine(found.deducted),
                "regularisation": machine(found.amount),
                "status": status,
            }
        )
        return
    say(
        _(
            "Coefficient of deduction of {entity} for {year}: provisional {provisional}, final "
            "{final} (turnover: taxable {taxable}, exempt {exempt})."
        ).format(
            entity=entity,
            year=found.year,
            provisional=found.provisional if found.provisional is not None else "-",
            final=found.final if found.final is not None else "-",
            taxable=money(found.turnover.taxable),
            exempt=money(found.turnover.exempt),
        )
    )
    say(
        _(
            "VAT of the purchases: {before}; deducted by the provisional coefficient {deducted}; "
            "regularisation {amount} (line 21 when positive, line 15 when negative)."
        ).format(
            before=money(found.before), deducted=money(found.deducted), amount=money(found.amount)
        )
    )
    say(
        {
            "computed": _("Run with --post to write the regularisation."),
            "posted": _("Regularisation written."),
            "would-post": _("Dry run: the regularisation would be written."),
            "already": _("The regularisation of this year is already in the ledger."),
            "nothing": _("Nothing to regularise."),
        }[status]
    )
