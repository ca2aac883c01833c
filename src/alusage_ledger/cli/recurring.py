"""``recurring post/list``: monthly bills from the ``[[recurring]]`` templates of alusage.toml."""

from __future__ import annotations

from typing import Annotated

import typer

from alusage_ledger.cli import state
from alusage_ledger.cli.options import DryRun, OnlyEntity, command_group
from alusage_ledger.core.fmt import machine, money
from alusage_ledger.core.i18n import N_, _
from alusage_ledger.outputs.render.console import emit_json, say, table


def register(app: typer.Typer) -> None:
    recurring = command_group(
        app,
        "recurring",
        N_("Recurring bills (rent, subscriptions) from the templates in alusage.toml."),
    )

    @recurring.command(
        "post",
        help=N_(
            "Post the month's instance of every active template, once: running it again "
            "changes nothing."
        ),
    )
    def post(
        month: Annotated[str, typer.Option("--month", help=N_("The month, YYYY-MM."))],
        entity: OnlyEntity = None,
        dry_run: DryRun = False,
    ) -> None:
        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.purchases.recurring import parse_month, post_month

        st = state.current()
        ws = st.workspace()
        instances = post_month(ws, parse_month(month), entity=entity, dry_run=dry_run)
        statuses = {
            "posted": _("posted"),
            "paid": _("payment posted"),
            "already": _("already posted"),
            "by-hand": _("already booked by hand"),
            "inactive": _("not active this month"),
        }
        if st.json:
            emit_json(
                {
                    "ok": True,
                    "dry_run": dry_run,
                    "month": month,
                    "instances": [
                        {
                            "template": i.template,
                            "entity": i.entity,
                            "status": i.status,
                            "date": i.day,
                            "piece_ref": i.piece_ref,
                            "amount": machine(i.amount) if i.amount is not None else None,
                            "entries": len(i.entries),
                        }
                        for i in instances
                    ],
                }
            )
            return
        if not instances:
            table(None, [_("Template")], [[_("No recurring template in alusage.toml.")]])
            return
        if dry_run:
            # lazy: the books (pydantic, Beancount) load only when the command runs
            from alusage_ledger.books.validate import format_entries

            planned = [e for i in instances for e in i.entries]
            if planned:
                say(format_entries(planned))
        table(
            _("Recurring bills of {month}").format(month=month)
            + (" " + _("(dry run: nothing written)") if dry_run else ""),
            [_("Template"), _("Entity"), _("Date"), _("Piece"), _("Before tax"), _("Status")],
            [
                [
                    i.template,
                    i.entity,
                    i.day.isoformat() if i.day else "",
                    i.piece_ref or "",
                    money(i.amount) if i.amount is not None else "",
                    statuses[i.status],
                ]
                for i in instances
            ],
            right=(4,),
        )

    @recurring.command("list", help=N_("The recurring templates of alusage.toml."))
    def list_() -> None:
        st = state.current()
        ws = st.workspace()
        templates = ws.config.recurring
        if st.json:
            emit_json({"templates": [t.model_dump(mode="json") for t in templates]})
            return
        table(
            _("Recurring templates"),
            [
                _("Template"),
                _("Entity"),
                _("Supplier"),
                _("Account"),
                _("Amount"),
                _("VAT"),
                _("Day"),
                _("Since"),
                _("Until"),
            ],
            [
                [
                    t.id,
                    t.entity,
                    t.supplier,
                    t.account,
                    t.amount,
                    t.vat or "",
                    str(t.day),
                    t.since.isoformat() if t.since else "",
                    t.until.isoformat() if t.until else "",
                ]
                for t in templates
            ],
        )
