"""``capital subscribe/pay/withdraw/refund/register``: the register of members' shares."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, TypeAlias

import typer

from alusage_ledger.cli import state
from alusage_ledger.cli.options import (
    DryRun,
    command_group,
    emit_report,
    optional,
    output_format,
    say_dry_run,
)
from alusage_ledger.core.fmt import machine, money
from alusage_ledger.core.i18n import N_, _
from alusage_ledger.outputs.render.console import emit_json, say, table, warn

if TYPE_CHECKING:
    from datetime import date

ENTITY_HELP = N_("The cooperative (default: the workspace's only SCIC).")
BOOKED_HELP = N_(
    "The movement is already in the books (opening balances, an entry made by hand): "
    "record it in the register only, with no amount moved."
)

Coop: TypeAlias = Annotated[str | None, optional("--entity", "-e", help=ENTITY_HELP)]
MovementDate: TypeAlias = Annotated[
    str | None,
    optional("--date", help=N_("Date of the movement (default: today).")),
]
PieceDate: TypeAlias = Annotated[
    str | None,
    optional(
        "--piece-date",
        help=N_("Date of the document (bulletin de souscription...), when booked later."),
    ),
]
MoneyAccount: TypeAlias = Annotated[
    str | None,
    optional(
        "--account",
        help=N_("Bank account or role the money goes through (default: the bank role)."),
    ),
]
Booked: TypeAlias = Annotated[bool, typer.Option("--booked", help=BOOKED_HELP)]
MemberId: TypeAlias = Annotated[str, typer.Argument(help=N_("The member's id."))]
Shares: TypeAlias = Annotated[int, typer.Option("--shares", help=N_("Number of shares."))]


def register(app: typer.Typer) -> None:
    capital = command_group(
        app,
        "capital",
        N_(
            "Members' capital of the cooperative: subscriptions, payments, withdrawals, "
            "refunds, and the register of members."
        ),
    )

    @capital.command(
        "subscribe",
        help=N_(
            "A member subscribes N shares at a unit value (1011/109; the part paid at once "
            "with --paid goes to 1013 and the bank)."
        ),
    )
    def subscribe(
        member: Annotated[str, typer.Argument(help=N_("The member's id, e.g. membre-a."))],
        shares: Shares,
        unit: Annotated[str, typer.Option("--unit", help=N_("Value of one share, e.g. 20.00."))],
        entity: Coop = None,
        day: MovementDate = None,
        category: Annotated[
            str | None,
            optional(
                "--category", help=N_("The member's category, e.g. salaries, usagers, soutiens.")
            ),
        ] = None,
        name: Annotated[
            str | None,
            optional("--name", help=N_("The member's name.")),
        ] = None,
        paid: Annotated[
            str | None,
            optional(
                "--paid", help=N_("Amount paid at subscription (default: none; all with --booked).")
            ),
        ] = None,
        piece_date: PieceDate = None,
        account: MoneyAccount = None,
        booked: Booked = False,
        dry_run: DryRun = False,
    ) -> None:
        _run(
            "subscribe",
            member,
            entity,
            day,
            piece_date,
            booked,
            dry_run,
            shares=shares,
            unit=unit,
            paid=paid,
            category=category,
            name=name,
            account=account,
        )

    @capital.command(
        "pay", help=N_("A member pays (part of) the shares subscribed: 1011 → 1013, bank.")
    )
    def pay(
        member: MemberId,
        amount: Annotated[str, typer.Argument(help=N_("Amount paid."))],
        entity: Coop = None,
        day: MovementDate = None,
        piece_date: PieceDate = None,
        account: MoneyAccount = None,
        booked: Booked = False,
        dry_run: DryRun = False,
    ) -> None:
        _run(
            "pay", member, entity, day, piece_date, booked, dry_run, amount=amount, account=account
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
        member: MemberId,
        shares: Shares,
        entity: Coop = None,
        day: MovementDate = None,
        piece_date: PieceDate = None,
        booked: Booked = False,
        dry_run: DryRun = False,
    ) -> None:
        _run("withdraw", member, entity, day, piece_date, booked, dry_run, shares=shares)

    @capital.command(
        "refund", help=N_("Refund a former member what is due for withdrawn shares (4567).")
    )
    def refund(
        member: MemberId,
        amount: Annotated[str, typer.Argument(help=N_("Amount refunded."))],
        entity: Coop = None,
        day: MovementDate = None,
        piece_date: PieceDate = None,
        account: MoneyAccount = None,
        booked: Booked = False,
        dry_run: DryRun = False,
    ) -> None:
        _run(
            "refund",
            member,
            entity,
            day,
            piece_date,
            booked,
            dry_run,
            amount=amount,
            account=account,
        )

    @capital.command(
        "register",
        help=N_(
            "The register of members: each member's category, shares, amounts subscribed "
            "and paid, dates; the movements; and how it ties to the capital accounts."
        ),
    )
    def register_(
        entity: Coop = None,
        as_of: Annotated[
            str | None,
            optional("--as-of", help=N_("The register at the end of this day.")),
        ] = None,
        output: Annotated[
            str | None,
            optional("--format", "-f", help=N_("table (default), md, csv or json.")),
        ] = None,
    ) -> None:
        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.year.register import capital_entity, register_of
        from alusage_ledger.domains.year.register_report import (
            COLUMNS,
            register_csv,
            register_json,
            register_markdown,
            register_rows,
        )

        ws = state.current().workspace()
        name = capital_entity(ws.config, entity)
        fmt = output_format(output)
        reg = register_of(ws, name, _day(as_of) if as_of else None)

        def show() -> None:
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

        emit_report(
            fmt,
            lambda: register_json(reg),
            lambda: register_markdown(reg, ws.config.entity(name).name),
            lambda: register_csv(reg),
            show,
        )


def _day(text: str | None) -> date:
    # lazy: core.periods costs ~5 ms at start-up
    from alusage_ledger.core.periods import resolve_today

    # lazy: the domain (and Beancount) loads only when the command runs
    from alusage_ledger.domains.purchases.input import date_arg

    return date_arg(text, _("date"), default=resolve_today())


def _run(
    op: str,
    member: str,
    entity: str | None,
    day: str | None,
    piece_date: str | None,
    booked: bool,
    dry_run: bool,
    *,
    shares: int = 0,
    unit: str | None = None,
    paid: str | None = None,
    amount: str | None = None,
    category: str | None = None,
    name: str | None = None,
    account: str | None = None,
) -> None:
    """Record movement ``op`` from the command's options (read in the order of the fields)."""
    # lazy: the domain (and Beancount) loads only when the command runs
    from alusage_ledger.domains.purchases.input import amount_arg

    # lazy: the domain (and Beancount) loads only when the command runs
    from alusage_ledger.domains.year.capital_movements import CapitalRequest, record_movement

    # lazy: the domain (and Beancount) loads only when the command runs
    from alusage_ledger.domains.year.register import capital_entity

    moved = _day(day)
    unit_value = amount_arg(unit, _("unit value")) if unit is not None else None
    amount_value = amount_arg(amount, _("amount")) if amount is not None else None
    paid_value = amount_arg(paid, _("amount paid"), allow_zero=True) if paid else None
    piece_day = _day(piece_date) if piece_date else None
    st = state.current()
    ws = st.workspace()
    request = CapitalRequest(
        entity=capital_entity(ws.config, entity or None),
        op=op,
        member=member,
        day=moved,
        shares=shares,
        unit=unit_value,
        amount=amount_value,
        paid=paid_value,
        category=category,
        name=name,
        piece_date=piece_day,
        account=account,
        booked=booked,
    )
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
        say_dry_run(result.text)
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
