"""``shares``, ``pay``, ``statement``, ``balances``: each member's share of a place."""

from __future__ import annotations

import re
import sys
from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

from alusage_ledger.cli import state
from alusage_ledger.cli.options import (
    PLACE_HELP,
    CsvDialect,
    DryRun,
    ListFormat,
    MonthOption,
    PlaceArg,
    PostDryRun,
    emit_csv,
    list_format,
    optional,
)
from alusage_ledger.core.errors import UsageError
from alusage_ledger.core.fmt import money
from alusage_ledger.core.i18n import N_, _
from alusage_ledger.core.periods import Month
from alusage_ledger.outputs.render.console import emit_json, say, table

if TYPE_CHECKING:
    from datetime import date
    from decimal import Decimal

MEMBER_HELP = N_("The member id, e.g. nicolas-jeudy.")

#: The columns of ``balances --format csv`` (the keys of its JSON).
BALANCES_CSV = (
    ("member", N_("member")),
    ("name", N_("name")),
    ("account", N_("Account")),
    ("called", N_("called")),
    ("paid", N_("Paid")),
    ("balance", N_("Balance")),
)


def _date(text: str | None, what: str) -> date:
    if text is None:
        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.places.compute import today

        return today()
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(
            _("{what} {value!r} is not a date; write it as YYYY-MM-DD.").format(
                what=what, value=text
            )
        ) from None


def _amount(text: str) -> Decimal:
    # lazy: core.money (fractions) costs a few ms at start-up
    from alusage_ledger.core.money import MoneyError, parse_amount

    try:
        return parse_amount(text, allow_negative=False, allow_zero=False)
    except MoneyError:
        raise UsageError(
            _("{value!r} is not a positive amount in euros; write e.g. 180 or 180,50.").format(
                value=text
            )
        ) from None


def period_bounds(text: str | None) -> tuple[date | None, date]:
    """``2026``, ``2026-03`` or ``2026-01..2026-06`` → (first day, last day)."""
    # lazy: the domain (and Beancount) loads only when the command runs
    from alusage_ledger.domains.places.allocation import parse_period

    if text is None:
        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.places.compute import today

        return None, today()
    value = text.strip()
    if re.fullmatch(r"\d{4}", value):
        return date(int(value), 1, 1), date(int(value), 12, 31)
    try:
        months = parse_period(value)
    except ValueError:
        raise UsageError(
            _(
                "{value!r} is not a period; write a year (2026), a month (2026-03) or a range "
                "(2026-01..2026-06)."
            ).format(value=text)
        ) from None
    return months[0].first_day, months[-1].last_day


def register(app: typer.Typer) -> None:
    @app.command(
        "shares",
        help=N_(
            "Each member's share of a place's rent and charges for a month, exact to the cent, "
            "with the weights and the reasons; --post writes the calls (and the members' "
            "mirror entries), once."
        ),
    )
    def shares(
        place: PlaceArg,
        month: MonthOption,
        post: Annotated[
            bool,
            typer.Option("--post", help=N_("Write the calls (idempotent).")),
        ] = False,
        replace: Annotated[
            bool,
            typer.Option(
                "--replace",
                help=N_("With --post: reverse calls whose amounts changed and post new ones."),
            ),
        ] = False,
        assume_zero: Annotated[
            bool,
            typer.Option(
                "--assume-zero",
                help=N_("A member without declared days of use counts zero days."),
            ),
        ] = False,
        dry_run: PostDryRun = False,
    ) -> None:
        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.places.calls import post_shares

        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.places.compute import compute_shares

        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.places.compute import today as current_day
        from alusage_ledger.domains.places.place import get_place

        # lazy: reports and exports load only when the command runs
        from alusage_ledger.outputs.render.shares import allocation_json, allocation_tables

        st = state.current()
        ws = st.workspace()
        the_place = get_place(ws.config, place)
        the_month = Month.parse(month)
        if replace and not post:
            raise UsageError(_("--replace goes with --post."))
        today = current_day()
        if post:
            result = post_shares(
                ws,
                the_place,
                the_month,
                today=today,
                replace=replace,
                assume_zero=assume_zero,
                dry_run=dry_run,
            )
            allocation = result.allocation
        else:
            allocation = compute_shares(
                ws, the_place, the_month, today=today, assume_zero=assume_zero
            )
        if st.json:
            emit_json(allocation_json(the_place, allocation))
        else:
            for title, columns, rows, right in allocation_tables(the_place, allocation):
                table(title, columns, rows, right=right)
        if not post:
            return
        messages = []
        for action in result.actions:
            messages.append(_action_text(action, dry_run))
        if not result.actions:
            messages.append(
                _("Nothing to write: the shares of {month} are already posted.").format(
                    month=the_month
                )
            )
        elif not dry_run:
            # lazy: the domain (and Beancount) loads only when the command runs
            from alusage_ledger.domains.sales.thresholds import year_notes

            # The calls are turnover of the host (708): the franchise thresholds.
            host = ws.load_checked(the_place.host)
            messages += year_notes(ws.config, host, the_month.last_day)
        for message in messages:
            if st.json:
                sys.stderr.write(message + "\n")
            else:
                say(message)

    @app.command(
        "pay",
        help=N_(
            "Record a member's payment to the host of a place (and its mirror in the member's "
            "own ledger), lettered with the calls it settles."
        ),
    )
    def pay(
        member: Annotated[str, typer.Argument(help=MEMBER_HELP)],
        amount: Annotated[str, typer.Argument(help=N_("The amount paid, e.g. 180 or 180,50."))],
        place: Annotated[str, typer.Option("--place", "-p", help=PLACE_HELP)],
        day: Annotated[
            str | None,
            optional("--date", help=N_("Date of the payment (default: today).")),
        ] = None,
        account: Annotated[
            str | None,
            optional(
                "--account",
                help=N_("The host's account that receives it (default: its bank role)."),
            ),
        ] = None,
        member_account: Annotated[
            str | None,
            optional(
                "--member-account",
                help=N_("The member entity's account that pays (default: its bank role)."),
            ),
        ] = None,
        dry_run: DryRun = False,
    ) -> None:
        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.places.compute import today

        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.places.payments import pay_member
        from alusage_ledger.domains.places.place import get_place

        st = state.current()
        ws = st.workspace()
        the_place = get_place(ws.config, place)
        the_member = the_place.member(member)
        value = _amount(amount)
        when = _date(day, _("The date"))
        result = pay_member(
            ws,
            the_place,
            the_member,
            value,
            day=when,
            today=today(),
            account=account,
            member_account=member_account,
            dry_run=dry_run,
        )
        if st.json:
            emit_json(
                {
                    "place": the_place.id,
                    "member": the_member.id,
                    "date": when.isoformat(),
                    "amount": f"{value:f}",
                    "links": result.links,
                    "letters": [a.number for a in result.actions if a.kind == "letter"],
                    "dry_run": dry_run,
                }
            )
            return
        for action in result.actions:
            say(_action_text(action, dry_run))

    @app.command(
        "statement",
        help=N_(
            "A member's account with the host of a place: opening balance, calls with their "
            "groups and covered months, payments, closing balance; --format md gives the "
            "charges call to send."
        ),
    )
    def statement(
        member: Annotated[str, typer.Argument(help=MEMBER_HELP)],
        place: Annotated[str, typer.Option("--place", "-p", help=PLACE_HELP)],
        period: Annotated[
            str | None,
            optional(
                "--period",
                help=N_("2026, 2026-03 or 2026-01..2026-06 (default: everything to today)."),
            ),
        ] = None,
        output_format: Annotated[
            str, typer.Option("--format", help=N_("table or md (Markdown)."))
        ] = "table",
    ) -> None:
        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.places.place import get_place

        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.places.statement import member_statement

        # lazy: reports and exports load only when the command runs
        from alusage_ledger.outputs.render.shares import (
            statement_columns,
            statement_json,
            statement_markdown,
            statement_rows,
        )

        st = state.current()
        ws = st.workspace()
        if output_format not in ("table", "md"):
            raise UsageError(
                _("Unknown format {value!r}; use table or md.").format(value=output_format)
            )
        the_place = get_place(ws.config, place)
        the_member = the_place.member(member)
        start, end = period_bounds(period)
        result = member_statement(ws, the_place, the_member, start=start, end=end)
        if st.json:
            emit_json(statement_json(result))
        elif output_format == "md":
            sys.stdout.write(statement_markdown(result))
        else:
            table(
                _("{member} at {place} ({account})").format(
                    member=the_member.name, place=the_place.name, account=result.account
                ),
                statement_columns(),
                statement_rows(result),
                right=(3, 4, 5),
            )

    @app.command(
        "balances",
        help=N_(
            "What each member of a place owes the host (or is owed), everyone settling with "
            "the host."
        ),
    )
    def balances(
        place: PlaceArg,
        as_of: Annotated[
            str | None,
            optional("--as-of", help=N_("Balances on this day (default: today).")),
        ] = None,
        output: ListFormat = None,
        dialect: CsvDialect = "machine",
    ) -> None:
        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.places.place import get_place

        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.places.statement import place_balances

        # lazy: reports and exports load only when the command runs
        from alusage_ledger.outputs.render.shares import balances_rows, machine

        st = state.current()
        fmt = list_format(output, dialect)
        ws = st.workspace()
        the_place = get_place(ws.config, place)
        day = _date(as_of, _("The date"))
        items = place_balances(ws, the_place, as_of=day)
        if fmt == "csv":
            emit_csv(
                BALANCES_CSV,
                (
                    [b.member.id, b.member.name, b.account, b.called, b.paid, b.balance]
                    for b in items
                ),
                dialect,
            )
            return
        if fmt == "json":
            emit_json(
                {
                    "place": the_place.id,
                    "as_of": day.isoformat(),
                    "members": [
                        {
                            "member": b.member.id,
                            "account": b.account,
                            "called": machine(b.called),
                            "paid": machine(b.paid),
                            "balance": machine(b.balance),
                        }
                        for b in items
                    ],
                }
            )
            return
        table(
            _("{place}: members' balances with {host} on {day}").format(
                place=the_place.name, host=the_place.host, day=day.isoformat()
            ),
            [_("member"), _("name"), _("called"), _("paid"), _("balance"), _("status")],
            balances_rows(items),
            right=(2, 3, 4),
        )


def _action_text(action: object, dry_run: bool) -> str:
    # lazy: the domain (and Beancount) loads only when the command runs
    from alusage_ledger.domains.places.writes import Action

    assert isinstance(action, Action)
    texts = {
        "call": _("{entity}: call {number} to {member}, {amount}."),
        "reversal": _("{entity}: reversal of call {number} to {member}, {amount}."),
        "mirror": _("{entity}: mirror of {number} for {member}, {amount}."),
        "mirror-reversal": _(
            "{entity}: mirror of the reversal of {number} for {member}, {amount}."
        ),
        "mirror-payment": _("{entity}: mirror of the payment of {member}, {amount}."),
        "payment": _("{entity}: payment of {member}, {amount} ({number})."),
        "letter": _("{entity}: letter {number} on the account of {member}."),
        "vat": _("{entity}: VAT of the calls lettered {number} of {member} now due."),
    }
    text = texts.get(action.kind, "{entity}: {number}").format(
        entity=action.entity,
        number=action.number,
        member=action.member,
        amount=money(action.amount),
    )
    return (_("(dry run) ") + text) if dry_run else text
