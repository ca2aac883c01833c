"""``year open/close/allocate``: opening balances, the exercice close, the allocation."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeAlias

import typer

from alusage_ledger.cli import state
from alusage_ledger.cli.options import (
    BooksEntityId,
    DryRun,
    Today,
    command_group,
    optional,
    say_dry_run,
)
from alusage_ledger.core.errors import UsageError
from alusage_ledger.core.fmt import machine, money
from alusage_ledger.core.i18n import N_, _
from alusage_ledger.outputs.render.console import emit_json, say, table
from alusage_ledger.outputs.render.progress import working

if TYPE_CHECKING:
    from decimal import Decimal

    from alusage_ledger.domains.year.allocation import Minimums

Exercice: TypeAlias = Annotated[
    str,
    typer.Option("--exercice", help=N_("The exercice, named by the year it ends in, e.g. 2026.")),
]


def register(app: typer.Typer) -> None:
    year = command_group(
        app,
        "year",
        N_(
            "The year's bookends: opening balances, the exercice close (inventory window, "
            "result, à-nouveaux), the allocation of the result voted by the general assembly."
        ),
    )

    @year.command(
        "open",
        help=N_(
            "Book a trial balance (CSV: compte;libellé;débit;crédit, French or English "
            "headers, decimal comma or point) as the opening entry at books_start; client and "
            "supplier items may be listed one per line (tiers, pièce columns)."
        ),
    )
    def open_(
        file: Annotated[str, typer.Argument(help=N_("The trial balance, a CSV file."))],
        entity: BooksEntityId,
        day: Annotated[
            str | None,
            optional(
                "--date", help=N_("The opening date (default: the first day of books_start).")
            ),
        ] = None,
        encoding: Annotated[
            str,
            typer.Option("--encoding", help=N_("The file's encoding, e.g. cp1252.")),
        ] = "utf-8",
        dry_run: DryRun = False,
    ) -> None:
        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.purchases.input import date_arg

        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.year.opening import open_books

        st = state.current()
        ws = st.workspace()
        ws.config.entity(entity)
        path = Path(file)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise UsageError(
                _("Cannot read {file}: {reason}.").format(file=file, reason=exc.strerror)
            ) from None
        when = date_arg(day, _("date")) if day else None
        result = open_books(
            ws, entity, raw, path.name, day=when, encoding=encoding, dry_run=dry_run
        )
        if st.json:
            emit_json(
                {
                    "entity": result.entity,
                    "date": result.day,
                    "postings": result.lines,
                    "total": machine(result.total),
                    "opened": result.opened,
                    "already_recorded": result.already,
                    "dry_run": result.dry_run,
                    "files": result.files,
                }
            )
            return
        if result.already:
            say(
                _("The opening balances of {entity} at {day} are already recorded.").format(
                    entity=entity, day=result.day.isoformat()
                )
            )
            return
        if dry_run:
            say_dry_run(result.text)
            return
        say(
            _(
                "Opening balances of {entity} at {day}: {count} lines, {total} in debits and "
                "in credits; {opened} account(s) opened."
            ).format(
                entity=entity,
                day=result.day.isoformat(),
                count=result.lines,
                total=money(result.total),
                opened=len(result.opened),
            )
        )

    @year.command(
        "inventory",
        help=N_(
            "Book an inventory entry (accruals 408/418, prepaid 486/487, depreciation "
            "681/28x, provisions, corporate tax 695/444) dated the exercice's last day, tagged "
            "#inventaire: accepted after December is closed, until the exercice is closed."
        ),
    )
    def inventory(
        entity: BooksEntityId,
        exercice: Exercice,
        line: Annotated[
            list[str],
            typer.Option(
                "--line",
                help=N_(
                    'A line "ACCOUNT:AMOUNT" (account or PCG number; debit positive, credit '
                    "negative), at least two."
                ),
            ),
        ],
        label: Annotated[str, typer.Option("--label", help=N_("What the entry is."))],
        payee: Annotated[
            str | None,
            optional("--payee", help=N_("The third party, if any.")),
        ] = None,
        piece_ref: Annotated[
            str | None,
            optional("--piece-ref", help=N_("The supporting document.")),
        ] = None,
        accrual: Annotated[
            bool,
            typer.Option(
                "--accrual",
                help=N_(
                    "An accrual to reverse (charges à payer, produits à recevoir, charges "
                    "constatées d'avance): tagged #extourne, reversed on the next exercice's "
                    "first day."
                ),
            ),
        ] = False,
        dry_run: DryRun = False,
    ) -> None:
        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.year.exercices import parse_exercice
        from alusage_ledger.domains.year.inventory import book_inventory

        st = state.current()
        ws = st.workspace()
        parsed = []
        for text in line:
            account, sep, amount = text.rpartition(":")
            if not sep or not account:
                raise UsageError(_("The line {value!r} is not ACCOUNT:AMOUNT.").format(value=text))
            parsed.append((account.strip(), _signed(amount, _("amount"))))
        result = book_inventory(
            ws,
            entity,
            parse_exercice(exercice),
            parsed,
            label,
            payee=payee,
            piece_ref=piece_ref,
            accrual=accrual,
            dry_run=dry_run,
        )
        if st.json:
            emit_json(
                {
                    "entity": result.entity,
                    "date": result.day,
                    "total": machine(result.total),
                    "dry_run": result.dry_run,
                    "files": result.files,
                }
            )
            return
        if dry_run:
            say_dry_run(result.text)
            return
        say(
            _("Inventory entry of {entity} booked on {day} ({total}).").format(
                entity=entity, day=result.day.isoformat(), total=money(result.total)
            )
        )

    @year.command(
        "close",
        help=N_(
            "Close the exercice once every month is closed: close the income and expense "
            "accounts into the result (120/129), lock the exercice, write the next "
            "exercice's à-nouveaux. Safe to run twice."
        ),
    )
    def close(
        entity: BooksEntityId,
        exercice: Exercice,
        dry_run: DryRun = False,
        today: Today = None,
    ) -> None:
        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.year.closing import close_exercice

        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.year.exercices import parse_exercice

        st = state.current()
        ws = st.workspace()
        with working(
            _("Closing the exercice {year} of {entity}…").format(year=exercice, entity=entity)
        ):
            result = close_exercice(
                ws, entity, parse_exercice(exercice), dry_run=dry_run, today=today
            )
        if st.json:
            emit_json(result.as_json())
            return
        if result.already_closed:
            say(
                _("The exercice {year} of {entity} is already closed; nothing was changed.").format(
                    year=result.exercice, entity=entity
                )
            )
            return
        if dry_run:
            say(
                _(
                    "Dry run: closing the exercice {year} would write this (nothing was written)."
                ).format(year=result.exercice)
            )
            for rel, text in result.planned.items():
                say(f"--- {rel}")
                say(text.rstrip("\n"))
            return
        if result.result >= 0:
            outcome = _("profit of {amount}").format(amount=money(result.result))
        else:
            outcome = _("loss of {amount}").format(amount=money(-result.result))
        say(
            _(
                "Exercice {year} of {entity} closed ({start} to {end}): {outcome}; "
                "{count} balance-sheet account(s) carried forward."
            ).format(
                year=result.exercice,
                entity=entity,
                start=result.start.isoformat(),
                end=result.end.isoformat(),
                outcome=outcome,
                count=result.accounts,
            )
        )
        for rel in result.files:
            say(_("  written: {file}").format(file=rel))
        say(
            _(
                "Next: the general assembly votes the allocation ('alusage-ledger year "
                "allocate --entity {entity} --exercice {year} --propose')."
            ).format(entity=entity, year=result.exercice)
        )

    @year.command(
        "allocate",
        help=N_(
            "Book the allocation of the result voted by the general assembly (legal and "
            "statutory reserves, carry-forward, interest on shares); refused below the law's "
            "minimums. --propose prints those minimums."
        ),
    )
    def allocate_(
        entity: BooksEntityId,
        exercice: Exercice,
        legal_reserve: Annotated[
            str | None,
            optional("--legal-reserve", help=N_("Amount to the legal reserve (1061).")),
        ] = None,
        statutory_reserve: Annotated[
            str | None,
            optional("--statutory-reserve", help=N_("Amount to the statutory reserve (1063).")),
        ] = None,
        carry_forward: Annotated[
            str | None,
            optional(
                "--carry-forward",
                help=N_("Amount to the carry-forward (110; negative for a loss: 119)."),
            ),
        ] = None,
        interest: Annotated[
            str | None,
            optional("--interest", help=N_("Interest on shares to pay to the members (457).")),
        ] = None,
        day: Annotated[
            str | None,
            optional("--date", help=N_("Date of the general assembly's vote.")),
        ] = None,
        propose: Annotated[
            bool,
            typer.Option("--propose", help=N_("Print the minimum the law asks; write nothing.")),
        ] = False,
        dry_run: DryRun = False,
    ) -> None:
        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.purchases.input import date_arg

        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.year.allocation import Allocation, allocate

        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.year.allocation import propose as propose_minimums

        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.year.exercices import parse_exercice

        st = state.current()
        ws = st.workspace()
        year_number = parse_exercice(exercice)
        if propose:
            when = date_arg(day, _("date")) if day else None
            mins = propose_minimums(ws, entity, year_number, when)
            if st.json:
                emit_json(_minimums_json(mins))
            else:
                _show_minimums(entity, year_number, mins, day)
            return
        if day is None:
            raise UsageError(
                _("Give the date of the general assembly's vote with --date YYYY-MM-DD.")
            )
        voted = Allocation(
            _signed(legal_reserve, _("legal reserve")),
            _signed(statutory_reserve, _("statutory reserve")),
            _signed(carry_forward, _("carry-forward")),
            _signed(interest, _("interest on shares")),
        )
        result = allocate(ws, entity, year_number, voted, date_arg(day, _("date")), dry_run=dry_run)
        if st.json:
            document = _minimums_json(result.minimums)
            document.update(
                {
                    "date": result.day,
                    "already_recorded": result.already,
                    "dry_run": result.dry_run,
                    "files": result.files,
                }
            )
            emit_json(document)
            return
        if result.already:
            say(
                _("The allocation of the result of {year} is already recorded.").format(
                    year=year_number
                )
            )
            return
        if dry_run:
            say_dry_run(result.text)
            return
        say(
            _("Allocation of the result of {year} of {entity} booked on {day}.").format(
                year=year_number, entity=entity, day=result.day.isoformat()
            )
        )


def _signed(text: str | None, what: str) -> Decimal:
    # lazy: core.money (fractions) costs a few ms at start-up
    from alusage_ledger.core.money import MoneyError, parse_amount

    if text is None:
        return Decimal("0.00")
    try:
        return parse_amount(text)
    except MoneyError:
        raise UsageError(
            _("The {what} {value!r} is not an amount (e.g. 1200.00 or 1 200,00).").format(
                what=what, value=text
            )
        ) from None


def _minimums_json(mins: Minimums) -> dict[str, object]:
    def opt(value: Decimal | None) -> str | None:
        return None if value is None else machine(value)

    return {
        "kind": mins.kind,
        "result": machine(mins.result),
        "absorbed": machine(mins.absorbed),
        "base": machine(mins.base),
        "legal_reserve_now": machine(mins.legal_reserve),
        "legal_reserve_cap": opt(mins.legal_cap),
        "legal_reserve_min": machine(mins.legal_min),
        "statutory_reserve_min": machine(mins.statutory_min),
        "reserves_min": machine(mins.reserves_min),
        "free": machine(mins.free),
        "interest_max": opt(mins.interest_max),
    }


def _show_minimums(entity: str, year: int, mins: Minimums, day: str | None) -> None:
    if mins.result <= 0:
        say(
            _(
                "The exercice {year} of {entity} ends with a loss of {amount}: no reserve is "
                "required; carry it forward ('--carry-forward -{plain}') or charge it to the "
                "reserves."
            ).format(
                year=year, entity=entity, amount=money(-mins.result), plain=machine(-mins.result)
            )
        )
        return
    rows = [
        [_("Result of the exercice {year}").format(year=year), money(mins.result)],
        [_("Debit carry-forward absorbed first"), money(mins.absorbed)],
        [_("Result to allocate"), money(mins.base)],
        [_("Legal reserve (1061), at least"), money(mins.legal_min)],
        [_("Statutory reserve (1063), at least"), money(mins.statutory_min)],
        [_("Reserves, at least"), money(mins.reserves_min)],
        [_("Left for interest on shares or the carry-forward"), money(mins.free)],
    ]
    if mins.legal_cap is not None:
        rows.insert(
            4,
            [
                _("Legal reserve now / its cap"),
                f"{money(mins.legal_reserve)} / {money(mins.legal_cap)}",
            ],
        )
    if mins.interest_max is not None:
        rows.append([_("Interest on shares, at most"), money(mins.interest_max)])
    table(
        _("Minimum allocation the law asks ({entity}, {year})").format(entity=entity, year=year),
        [_("Item"), _("Amount")],
        rows,
        right=(1,),
    )
    say(
        _("To book it: alusage-ledger year allocate --entity {entity} --exercice {year} ").format(
            entity=entity, year=year
        )
        + f"--legal-reserve {machine(mins.legal_min)} "
        + f"--statutory-reserve {machine(mins.statutory_min)} "
        + f"--carry-forward {machine(mins.free)} --date {day or 'YYYY-MM-DD'}"
    )
