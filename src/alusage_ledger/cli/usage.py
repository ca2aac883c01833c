"""``usage set/import/list``: members' declared days of use of a place, month by month."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from alusage_ledger.cli import state
from alusage_ledger.cli.options import (
    CsvDialect,
    ListFormat,
    MonthOption,
    PlaceArg,
    command_group,
    emit_csv,
    list_format,
)
from alusage_ledger.core.i18n import N_, _
from alusage_ledger.core.periods import Month
from alusage_ledger.outputs.render.console import emit_json, say, table

#: The columns of ``usage list --format csv`` (the keys of its JSON).
USAGE_CSV = (
    ("member", N_("member")),
    ("name", N_("name")),
    ("active_days", N_("active days")),
    ("declared_days", N_("declared days")),
)


def register(app: typer.Typer) -> None:
    usage = command_group(
        app,
        "usage",
        N_(
            "Members' days of use of a place, per month (the weights of the 'days' key), "
            "kept in the host's ledger."
        ),
    )

    @usage.command(
        "set",
        help=N_(
            "Record a member's days of use for a month; a later record replaces it. "
            "Refused once the month is closed."
        ),
    )
    def set_(
        place: PlaceArg,
        member: Annotated[str, typer.Argument(help=N_("The member id, e.g. nicolas-jeudy."))],
        month: MonthOption,
        days: Annotated[str, typer.Option("--days", help=N_("Days of use, e.g. 12 or 12.5."))],
    ) -> None:
        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.places.compute import today
        from alusage_ledger.domains.places.place import get_place

        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.places.usage import parse_days, record_usage

        st = state.current()
        ws = st.workspace()
        the_place = get_place(ws.config, place)
        the_month = Month.parse(month)
        the_member = the_place.member(member)
        value = parse_days(days, the_month)
        result = record_usage(ws, the_place, the_month, [(the_member.id, value)], today=today())
        _report(st, the_place.id, the_month, result)

    @usage.command(
        "import",
        help=N_(
            "Import a month's days of use from a CSV file with the columns member;days "
            "(or membre;jours); unchanged values are not written again."
        ),
    )
    def import_(
        place: PlaceArg,
        file: Annotated[Path, typer.Argument(help=N_("The CSV file (UTF-8, ; or , separated)."))],
        month: MonthOption,
    ) -> None:
        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.places.compute import today
        from alusage_ledger.domains.places.place import get_place

        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.places.usage import read_usage_csv, record_usage

        st = state.current()
        ws = st.workspace()
        the_place = get_place(ws.config, place)
        the_month = Month.parse(month)
        rows = read_usage_csv(file, the_month, the_place)
        result = record_usage(ws, the_place, the_month, rows, today=today())
        _report(st, the_place.id, the_month, result)

    @usage.command(
        "list", help=N_("Each member's active days and declared days of use in a month.")
    )
    def list_(
        place: PlaceArg,
        month: MonthOption,
        output: ListFormat = None,
        dialect: CsvDialect = "machine",
    ) -> None:
        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.places.place import get_place

        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.places.usage import usage_of

        st = state.current()
        fmt = list_format(output, dialect)
        ws = st.workspace()
        the_place = get_place(ws.config, place)
        the_month = Month.parse(month)
        declared = usage_of(ws.load_checked(the_place.host), the_place.id)
        rows = []
        for member in the_place.members:
            active = member.active_days(the_month)
            days = declared.get((member.id, the_month))
            if active == 0 and days is None:
                continue
            rows.append((member, active, days))
        if fmt == "csv":
            emit_csv(
                USAGE_CSV,
                ([m.id, m.name, active, days] for m, active, days in rows),
                dialect,
            )
            return
        if fmt == "json":
            emit_json(
                {
                    "place": the_place.id,
                    "month": str(the_month),
                    "days_in_month": the_month.days,
                    "members": [
                        {
                            "member": m.id,
                            "active_days": active,
                            "declared_days": None if days is None else f"{days:f}",
                        }
                        for m, active, days in rows
                    ],
                }
            )
            return
        table(
            _("{place}: days of use in {month} ({days} days)").format(
                place=the_place.name, month=the_month, days=the_month.days
            ),
            [_("member"), _("name"), _("active days"), _("declared days")],
            [
                (m.id, m.name, str(active), _("(none)") if days is None else f"{days:f}")
                for m, active, days in rows
            ],
            right=(2, 3),
        )


def _report(st: state.State, place: str, month: Month, result: object) -> None:
    # lazy: the domain (and Beancount) loads only when the command runs
    from alusage_ledger.domains.places.usage import UsageWrite

    assert isinstance(result, UsageWrite)
    if st.json:
        emit_json(
            {
                "place": place,
                "month": str(month),
                "written": [{"member": m, "days": f"{d:f}"} for m, d in result.written],
                "unchanged": [{"member": m, "days": f"{d:f}"} for m, d in result.unchanged],
            }
        )
        return
    for member, days in result.written:
        say(
            _("{member}: {days} day(s) of use recorded for {month}.").format(
                member=member, days=f"{days:f}", month=month
            )
        )
    for member, days in result.unchanged:
        say(
            _("{member}: {days} day(s) already recorded for {month}, nothing written.").format(
                member=member, days=f"{days:f}", month=month
            )
        )
