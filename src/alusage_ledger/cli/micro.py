"""``micro recettes`` and ``micro urssaf``: the registers of a micro-entrepreneur."""

from __future__ import annotations

from typing import Annotated

import typer

from alusage_ledger.cli import state
from alusage_ledger.cli.options import (
    CsvDialect,
    ListFormat,
    command_group,
    emit_csv,
    list_format,
)
from alusage_ledger.core.errors import UsageError
from alusage_ledger.core.fmt import machine, money
from alusage_ledger.core.i18n import N_, _
from alusage_ledger.outputs.render.console import emit_json, say, table

#: The columns of ``micro recettes --format csv`` (the keys of its JSON).
RECETTES_CSV = (
    ("date", N_("Date")),
    ("client", N_("Client")),
    ("nature", N_("Nature")),
    ("amount", N_("Amount")),
    ("method", N_("Method")),
    ("invoice", N_("Invoice")),
)
#: The columns of ``micro urssaf --format csv``: one row per category, then the total.
URSSAF_CSV = (("category", N_("Category")), ("turnover", N_("Turnover received")))

METHOD_WORDS = {
    "virement": N_("transfer"),
    "cheque": N_("cheque"),
    "especes": N_("cash"),
    "carte": N_("card"),
    "prelevement": N_("direct debit"),
    "unknown": N_("unknown"),
}
CATEGORY_WORDS = {
    "bic-sales": N_("Sales of goods (BIC)"),
    "bic-services": N_("Services (BIC)"),
    "bnc": N_("Services (BNC)"),
}


def register(app: typer.Typer) -> None:
    micro = command_group(
        app, "micro", N_("Micro-entrepreneurs: the livre des recettes and the URSSAF turnover.")
    )

    @micro.command(
        "recettes",
        help=N_(
            "The livre des recettes of a year: every receipt in date order (date, client, "
            "nature, amount, payment method, invoice), cash basis."
        ),
    )
    def recettes_cmd(
        entity: Annotated[
            str, typer.Option("--entity", "-e", help=N_("The micro-entrepreneur's entity id."))
        ],
        year: Annotated[int, typer.Option("--year", help=N_("The calendar year, e.g. 2026."))],
        output: ListFormat = None,
        dialect: CsvDialect = "machine",
    ) -> None:
        # lazy: core.periods costs ~5 ms at start-up
        from alusage_ledger.core.periods import year_period

        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.micro.registers import recettes, require_micro

        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.micro.totals import recettes_total

        st = state.current()
        fmt = list_format(output, dialect)
        ws = st.workspace()
        require_micro(ws.config, entity)
        if not 1900 <= year <= 2999:
            raise UsageError(_("--year {year} is not a valid year.").format(year=year))
        rows = recettes(ws.config, ws.load_checked(entity), year_period(year))
        total = recettes_total(rows)
        if fmt == "csv":
            emit_csv(
                RECETTES_CSV,
                ([r.date, r.client, r.nature, r.amount, r.method, r.invoice] for r in rows),
                dialect,
            )
            return
        if fmt == "json":
            emit_json(
                {
                    "entity": entity,
                    "year": year,
                    "recettes": [
                        {
                            "date": r.date.isoformat(),
                            "client": r.client,
                            "nature": r.nature,
                            "amount": machine(r.amount),
                            "method": r.method,
                            "invoice": r.invoice,
                        }
                        for r in rows
                    ],
                    "total": machine(total) if total is not None else "0.00",
                }
            )
            return
        title = _("Livre des recettes {year} - {name}").format(
            year=year, name=ws.config.entity(entity).name
        )
        if not rows:
            say(title)
            say(_("No receipt in {year}.").format(year=year))
            return
        body = [
            [
                r.date.isoformat(),
                r.client,
                r.nature,
                money(r.amount),
                _(METHOD_WORDS[r.method]) if r.method in METHOD_WORDS else r.method,
                r.invoice or "",
            ]
            for r in rows
        ]
        assert total is not None
        body.append([_("Total"), "", "", money(total), "", ""])
        table(
            title,
            [_("Date"), _("Client"), _("Nature"), _("Amount"), _("Method"), _("Invoice")],
            body,
            right=(3,),
        )

    @micro.command(
        "urssaf",
        help=N_(
            "Turnover received in a period per URSSAF category (sales BIC, services BIC, "
            "services BNC), as the monthly or quarterly declaration asks."
        ),
    )
    def urssaf_cmd(
        entity: Annotated[
            str, typer.Option("--entity", "-e", help=N_("The micro-entrepreneur's entity id."))
        ],
        period: Annotated[
            str,
            typer.Option("--period", help=N_("A month (2026-11), a quarter (2026-Q4) or a year.")),
        ],
        output: ListFormat = None,
        dialect: CsvDialect = "machine",
    ) -> None:
        # lazy: core.periods costs ~5 ms at start-up
        from alusage_ledger.core.periods import parse_period

        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.micro.registers import (
            CATEGORIES,
            require_micro,
            urssaf_turnover,
        )

        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.micro.totals import turnover_total

        st = state.current()
        fmt = list_format(output, dialect)
        ws = st.workspace()
        require_micro(ws.config, entity)
        chosen = parse_period(period)
        totals = urssaf_turnover(ws.config, ws.load_checked(entity), chosen)
        total = turnover_total(totals)
        if fmt == "csv":
            emit_csv(
                URSSAF_CSV,
                [*([key, totals[key]] for key in CATEGORIES), ["total", total]],
                dialect,
            )
            return
        if fmt == "json":
            emit_json(
                {
                    "entity": entity,
                    "period": {
                        "label": chosen.label,
                        "from": chosen.start.isoformat(),
                        "to": chosen.last_day.isoformat(),
                    },
                    "categories": {key: machine(totals[key]) for key in CATEGORIES},
                    "total": machine(total),
                }
            )
            return
        rows = [[_(CATEGORY_WORDS[key]), money(totals[key])] for key in CATEGORIES]
        rows.append([_("Total"), money(total)])
        table(
            _("URSSAF turnover {period} - {name}").format(
                period=chosen.label, name=ws.config.entity(entity).name
            ),
            [_("Category"), _("Turnover received")],
            rows,
            right=(1,),
        )
