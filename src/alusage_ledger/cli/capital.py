"""``capital subscribe/pay/withdraw/refund/register``: the register of members' shares."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from ..i18n import N_, _
from . import state

if TYPE_CHECKING:
    from datetime import date

    from ..capital import CapitalRequest

ENTITY_HELP = N_("The cooperative (default: the workspace's only SCIC).")
DATE_HELP = N_("Date of the movement (default: today).")
BOOKED_HELP = N_(
    "The movement is already in the books (opening balances, an entry made by hand): "
    "record it in the register only, with no amount moved."
)
PIECE_DATE_HELP = N_("Date of the document (bulletin de souscription...), when booked later.")
ACCOUNT_HELP = N_("Bank account or role the money goes through (default: the bank role).")
DRY_RUN_HELP = N_("Show what would be written, write nothing.")


def register(app: typer.Typer) -> None:
    capital = typer.Typer(
        help=N_(
            "Members' capital of the cooperative: subscriptions, payments, withdrawals, "
            "refunds, and the register of members."
        ),
        no_args_is_help=True,
        rich_markup_mode=None,
    )
    app.add_typer(capital, name="capital")

    @capital.command(
        "subscribe",
        help=N_(
            "A member subscribes N shares at a unit value (1011/109; the part paid at once "
            "with --paid goes to 1013 and the bank)."
        ),
    )
    def subscribe(
        member: Annotated[str, typer.Argument(help=N_("The member's id, e.g. membre-a."))],
        shares: Annotated[int, typer.Option("--shares", help=N_("Number of shares."))],
        unit: Annotated[str, typer.Option("--unit", help=N_("Value of one share, e.g. 20.00."))],
        entity: Annotated[
            str | None,
            typer.Option("--entity", "-e", help=ENTITY_HELP, show_default=False),
        ] = None,
        day: Annotated[
            str | None, typer.Option("--date", help=DATE_HELP, show_default=False)
        ] = None,
        category: Annotated[
            str | None,
            typer.Option(
                "--category",
                help=N_("The member's category, e.g. salaries, usagers, soutiens."),
                show_default=False,
            ),
        ] = None,
        name: Annotated[
            str | None,
            typer.Option("--name", help=N_("The member's name."), show_default=False),
        ] = None,
        paid: Annotated[
            str | None,
            typer.Option(
                "--paid",
                help=N_("Amount paid at subscription (default: none; all with --booked)."),
                show_default=False,
            ),
        ] = None,
        piece_date: Annotated[
            str | None, typer.Option("--piece-date", help=PIECE_DATE_HELP, show_default=False)
        ] = None,
        account: Annotated[
            str | None, typer.Option("--account", help=ACCOUNT_HELP, show_default=False)
        ] = None,
        booked: Annotated[bool, typer.Option("--booked", help=BOOKED_HELP)] = False,
        dry_run: Annotated[bool, typer.Option("--dry-run", help=DRY_RUN_HELP)] = False,
    ) -> None:
        from ..capital import CapitalRequest
        from ..purchases import amount_arg

        _run(
            CapitalRequest(
                entity=entity or "",
                op="subscribe",
                member=member,
                day=_day(day),
                shares=shares,
                unit=amount_arg(unit, _("unit value")),
                paid=amount_arg(paid, _("amount paid"), allow_zero=True) if paid else None,
                category=category,
                name=name,
                piece_date=_day(piece_date) if piece_date else None,
                account=account,
                booked=booked,
            ),
            dry_run,
        )

    @capital.command(
        "pay", help=N_("A member pays (part of) the shares subscribed: 1011 → 1013, bank.")
    )
    def pay(
        member: Annotated[str, typer.Argument(help=N_("The member's id."))],
        amount: Annotated[str, typer.Argument(help=N_("Amount paid."))],
        entity: Annotated[
            str | None,
            typer.Option("--entity", "-e", help=ENTITY_HELP, show_default=False),
        ] = None,
        day: Annotated[
            str | None, typer.Option("--date", help=DATE_HELP, show_default=False)
        ] = None,
        piece_date: Annotated[
            str | None, typer.Option("--piece-date", help=PIECE_DATE_HELP, show_default=False)
        ] = None,
        account: Annotated[
            str | None, typer.Option("--account", help=ACCOUNT_HELP, show_default=False)
        ] = None,
        booked: Annotated[bool, typer.Option("--booked", help=BOOKED_HELP)] = False,
        dry_run: Annotated[bool, typer.Option("--dry-run", help=DRY_RUN_HELP)] = False,
    ) -> None:
        from ..capital import CapitalRequest
        from ..purchases import amount_arg

        _run(
            CapitalRequest(
                entity=entity or "",
                op="pay",
                member=member,
                day=_day(day),
                amount=amount_arg(amount, _("amount")),
                piece_date=_day(piece_date) if piece_date else None,
                account=account,
                booked=booked,
            ),
            dry_run,
        )

    @capital.command(
        "withdraw",
        help=N_(
            "A member withdraws N shares: their paid value becomes due to the member (4567), "
            "the part not paid is cancelled. Warns when the capital would fall below a "
            "quarter of the highest reached."
        ),
    )
    def withdraw(
        member: Annotated[str, typer.Argument(help=N_("The member's id."))],
        shares: Annotated[int, typer.Option("--shares", help=N_("Number of shares."))],
        entity: Annotated[
            str | None,
            typer.Option("--entity", "-e", help=ENTITY_HELP, show_default=False),
        ] = None,
        day: Annotated[
            str | None, typer.Option("--date", help=DATE_HELP, show_default=False)
        ] = None,
        piece_date: Annotated[
            str | None, typer.Option("--piece-date", help=PIECE_DATE_HELP, show_default=False)
        ] = None,
        booked: Annotated[bool, typer.Option("--booked", help=BOOKED_HELP)] = False,
        dry_run: Annotated[bool, typer.Option("--dry-run", help=DRY_RUN_HELP)] = False,
    ) -> None:
        from ..capital import CapitalRequest

        _run(
            CapitalRequest(
                entity=entity or "",
                op="withdraw",
                member=member,
                day=_day(day),
                shares=shares,
                piece_date=_day(piece_date) if piece_date else None,
                booked=booked,
            ),
            dry_run,
        )

    @capital.command(
        "refund", help=N_("Refund a former member what is due for withdrawn shares (4567).")
    )
    def refund(
        member: Annotated[str, typer.Argument(help=N_("The member's id."))],
        amount: Annotated[str, typer.Argument(help=N_("Amount refunded."))],
        entity: Annotated[
            str | None,
            typer.Option("--entity", "-e", help=ENTITY_HELP, show_default=False),
        ] = None,
        day: Annotated[
            str | None, typer.Option("--date", help=DATE_HELP, show_default=False)
        ] = None,
        piece_date: Annotated[
            str | None, typer.Option("--piece-date", help=PIECE_DATE_HELP, show_default=False)
        ] = None,
        account: Annotated[
            str | None, typer.Option("--account", help=ACCOUNT_HELP, show_default=False)
        ] = None,
        booked: Annotated[bool, typer.Option("--booked", help=BOOKED_HELP)] = False,
        dry_run: Annotated[bool, typer.Option("--dry-run", help=DRY_RUN_HELP)] = False,
    ) -> None:
        from ..capital import CapitalRequest
        from ..purchases import amount_arg

        _run(
            CapitalRequest(
                entity=entity or "",
                op="refund",
                member=member,
                day=_day(day),
                amount=amount_arg(amount, _("amount")),
                piece_date=_day(piece_date) if piece_date else None,
                account=account,
                booked=booked,
            ),
            dry_run,
        )

    @capital.command(
        "register",
        help=N_(
            "The register of members: each member's category, shares, amounts subscribed "
            "and paid, dates; the movements; and how it ties to the capital accounts."
        ),
    )
    def register_(
        entity: Annotated[
            str | None,
            typer.Option("--entity", "-e", help=ENTITY_HELP, show_default=False),
        ] = None,
        as_of: Annotated[
            str | None,
            typer.Option(
                "--as-of", help=N_("The register at the end of this day."), show_default=False
            ),
        ] = None,
        output: Annotated[
            str | None,
            typer.Option(
                "--format", "-f", help=N_("table (default), md, csv or json."), show_default=False
            ),
        ] = None,
    ) -> None:
        from ..capital import (
            COLUMNS,
            capital_entity,
            register_csv,
            register_json,
            register_markdown,
            register_of,
            register_rows,
        )
        from ..errors import UsageError
        from ..render.console import emit_json, say, table

        st = state.current()
        ws = st.workspace()
        name = capital_entity(ws.config, entity)
        fmt = output or ("json" if st.json else "table")
        if fmt not in ("table", "md", "csv", "json"):
            raise UsageError(
                _("Unknown format {value!r}; use table, md, csv or json.").format(value=output)
            )
        reg = register_of(ws, name, _day(as_of) if as_of else None)
        if fmt == "json":
            emit_json(register_json(reg))
        elif fmt == "md":
            typer.echo(register_markdown(reg, ws.config.entity(name).name), nl=False)
        elif fmt == "csv":
            typer.echo(register_csv(reg), nl=False)
        else:
            table(
                _("Register of members — {name}").format(name=ws.config.entity(name).name),
                [_(title) for _key, title in COLUMNS],
                register_rows(reg, True),
                right=(3, 4, 5, 6, 7),
            )
            for key, mine, books in reg.ties():
                say(
                    _(
                        "Does not tie: {what} is {register} in the register, {books} in the books."
                    ).format(what=key, register=mine, books=books)
                )


def _day(text: str | None) -> date:
    from ..closing import resolve_today
    from ..purchases import date_arg

    return date_arg(text, _("date"), default=resolve_today())


def _run(request: CapitalRequest, dry_run: bool) -> None:
    from dataclasses import replace

    from ..capital import capital_entity, record_movement
    from ..render.console import emit_json, say, warn
    from ..render.fmt import machine, money

    st = state.current()
    ws = st.workspace()
    request = replace(request, entity=capital_entity(ws.config, request.entity or None))
    result = record_movement(ws, request, dry_run=dry_run)
    if st.json:
        emit_json(
            {
                "entity": result.entity,
                "movement": result.op,
                "member": result.member,
                "name": result.name,
                "date": result.day,
                "shares": f"{result.shares:f}",
                "amount": machine(result.amount),
                "paid": machine(result.paid),
                "booked": result.booked,
                "already_recorded": result.already,
                "dry_run": result.dry_run,
                "files": result.files,
                "warnings": result.warnings,
            }
        )
        return
    for message in result.warnings:
        warn(_("warning: {problem}").format(problem=message))
    if result.already:
        say(_("This movement is already recorded; nothing was written."))
        return
    if dry_run:
        say(result.text.rstrip("\n"))
        say(_("Dry run: nothing was written."))
        return
    labels = {
        "subscribe": _("{name} ({member}) subscribes {shares} shares: {amount}, {paid} paid."),
        "pay": _("{name} ({member}) pays {amount} of subscribed shares."),
        "withdraw": _(
            "{name} ({member}) withdraws {shares} shares worth {amount}; {paid} is due to them."
        ),
        "refund": _("{name} ({member}) is refunded {amount}."),
    }
    say(
        labels[result.op].format(
            name=result.name,
            member=result.member,
            shares=f"{result.shares:f}",
            amount=money(result.amount),
            paid=money(result.paid),
        )
        + (" " + _("(recorded in the register only)") if result.booked else "")
    )
