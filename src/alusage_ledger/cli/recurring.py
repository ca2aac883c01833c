"""``recurring post/list``: monthly bills from the ``[[recurring]]`` templates of alusage.toml."""

from __future__ import annotations

from typing import Annotated

import typer

from alusage_ledger.cli import state
from alusage_ledger.cli.options import (
    CsvDialect,
    DryRun,
    ListFormat,
    OnlyEntity,
    command_group,
    emit_csv,
    list_format,
)
from alusage_ledger.core.fmt import machine, money
from alusage_ledger.core.i18n import N_, _
from alusage_ledger.outputs.render.console import emit_json, say, table

#: The columns of ``recurring list --format csv`` (the keys of its JSON).
RECURRING_CSV = (
    ("id", N_("Template")),
    ("entity", N_("Entity")),
    ("supplier", N_("Supplier")),
    ("account", N_("Account")),
    ("amount", N_("Amount")),
    ("vat", N_("VAT")),
    ("day", N_("Day")),
    ("since", N_("Since")),
    ("until", N_("Until")),
)


def _number_or_word(text: str | None) -> object:
    """A template's amount or VAT for a CSV: a number when it is one (``1200.00``), else
    the word as written (``last``, ``none``)."""
    # lazy: decimal only for a CSV's amounts
    from decimal import Decimal, InvalidOperation

    if text is None:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return text


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
    def list_(output: ListFormat = None, dialect: CsvDialect = "machine") -> None:
        st = state.current()
        fmt = list_format(output, dialect)
        ws = st.workspace()
        templates = ws.config.recurring
        if fmt == "csv":
            emit_csv(
                RECURRING_CSV,
                (
                    [
                        t.id,
                        t.entity,
                        t.supplier,
                        t.account,
                        _number_or_word(t.amount),
                        _number_or_word(t.vat),
                        t.day,
                        t.since,
                        t.until,
                    ]
                    for t in templates
                ),
                dialect,
            )
            return
        if fmt == "json":
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
