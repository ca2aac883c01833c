"""``letter`` (lettrage: match invoices and bills with their payments) and ``aged``."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from alusage_ledger.cli import state
from alusage_ledger.cli.options import (
    CsvDialect,
    DryRun,
    ListFormat,
    OnlyEntity,
    chosen_entities,
    emit_csv,
    list_format,
    optional,
)
from alusage_ledger.core.errors import UsageError
from alusage_ledger.core.fmt import machine, money
from alusage_ledger.core.i18n import N_, _
from alusage_ledger.outputs.render.console import emit_json, say, table


def register(app: typer.Typer) -> None:
    @app.command(
        "letter",
        help=N_(
            "Match each invoice, bill or claim with the payments that settle it, per "
            "third-party account (by link, then by exact amount and reference), and record "
            "each match as an appended alusage-letter directive. --manual letters the "
            "entries named; --undo CODE undoes a letter by an appended directive."
        ),
    )
    def letter(
        refs: Annotated[
            list[str] | None,
            typer.Argument(
                help=N_("With --manual: the entries to letter together (links, numbers, ids)."),
                show_default=False,
            ),
        ] = None,
        entity: Annotated[
            str | None,
            optional("--entity", "-e", help=N_("Only this entity (required with --manual).")),
        ] = None,
        account: Annotated[
            str | None,
            optional("--account", help=N_("Only this third-party account.")),
        ] = None,
        manual: Annotated[
            bool, typer.Option("--manual", help=N_("Letter the entries named, together."))
        ] = False,
        undo: Annotated[
            str | None,
            optional(
                "--undo",
                help=N_(
                    "Undo the letter with this code (needs --entity), from --date on; "
                    "the letter stays on the record."
                ),
            ),
        ] = None,
        day: Annotated[
            str | None,
            optional("--date", help=N_("With --undo: from this day (default: today).")),
        ] = None,
        dry_run: DryRun = False,
    ) -> None:
        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.lettering.manual import (
            letter_entities,
            manual_letter,
            write_letters,
        )

        st = state.current()
        ws = st.workspace()
        if undo is not None:
            _undo(undo, entity, account, day, dry_run)
            return
        if manual:
            if not entity or not refs or len(refs) < 2:
                raise UsageError(
                    _("letter --manual needs --entity and at least two entries to match.")
                )
            ws.config.entity(entity)
            with ws.lock():
                ledger = ws.load_checked(entity)
                directive = manual_letter(ws.config, ledger, refs, account)
                write_letters(ws, entity, [directive], dry_run=dry_run)
            _report({entity: [directive]}, dry_run)
            return
        if refs:
            raise UsageError(_("Entries are named only with --manual."))
        names = chosen_entities(ws, entity)
        _report(letter_entities(ws, names, account=account, dry_run=dry_run), dry_run)

    @app.command(
        "aged",
        help=N_(
            "What each client, supplier, person or member owes or is owed, by age "
            "(0-30, 31-60, 61-90, over 90 days), with the unmatched items."
        ),
    )
    def aged(
        entity: OnlyEntity = None,
        as_of: Annotated[
            str | None,
            optional("--as-of", help=N_("On this day (default: today).")),
        ] = None,
        output: ListFormat = None,
        dialect: CsvDialect = "machine",
    ) -> None:
        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.lettering.aged import aged_balances, aged_rows

        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.purchases.input import date_arg

        st = state.current()
        fmt = list_format(output, dialect)
        ws = st.workspace()
        names = chosen_entities(ws, entity)
        day = date_arg(as_of, _("date"))
        rows = []
        for name in names:
            rows.extend(aged_rows(ws.config, ws.load_checked(name), day))
        if fmt == "csv":
            emit_csv(AGED_CSV, _aged_csv_rows(aged_balances(rows)), dialect)
            return
        _render_aged(names, aged_balances(rows), day)


def _undo(
    code: str, entity: str | None, account: str | None, day: str | None, dry_run: bool
) -> None:
    # lazy: the domain (and Beancount) loads only when the command runs
    from alusage_ledger.domains.lettering.settle import undo_letter, write_undo

    # lazy: the domain (and Beancount) loads only when the command runs
    from alusage_ledger.domains.purchases.input import date_arg

    st = state.current()
    ws = st.workspace()
    if not entity:
        raise UsageError(_("letter --undo needs --entity."))
    ws.config.entity(entity)
    when = date_arg(day, _("date"))
    with ws.lock():
        ledger = ws.load_checked(entity)
        directive = undo_letter(ledger, code, when, account)
        write_undo(ws, entity, directive, dry_run=dry_run)
    undone = {
        "entity": entity,
        "date": directive.date,
        "account": directive.values[0].value,
        "code": directive.values[1].value,
    }
    if st.json:
        emit_json({"ok": True, "dry_run": dry_run, "undone": undone})
        return
    message = _("Letter {code} on {account} undone from {day}.").format(
        code=undone["code"], account=undone["account"], day=directive.date.isoformat()
    )
    say(message + (" " + _("(dry run: nothing written)") if dry_run else ""))


#: The columns of ``aged --format csv``: one row per third party (the keys of its JSON).
AGED_CSV = (
    ("entity", N_("Entity")),
    ("account", N_("Account")),
    ("kind", N_("Kind")),
    ("party", N_("Third party")),
    ("0-30", N_("0-30 days")),
    ("31-60", N_("31-60 days")),
    ("61-90", N_("61-90 days")),
    ("90+", N_("over 90 days")),
    ("total", N_("Total")),
)


def _aged_csv_rows(balances: list[Any]) -> list[list[Any]]:
    # lazy: the domain (and Beancount) loads only when the command runs
    from alusage_ledger.domains.lettering.aged import BUCKETS

    return [
        [b.entity, b.account, b.kind, b.party]
        + [b.buckets[key] for key, _low, _high in BUCKETS]
        + [b.total]
        for b in balances
    ]


def _report(done: dict[str, list[Any]], dry_run: bool) -> None:
    st = state.current()
    letters = [
        (entity, d.date, d.values[0].value, d.values[1].value, [v.value for v in d.values[2:]])
        for entity, directives in done.items()
        for d in directives
    ]
    if st.json:
        emit_json(
            {
                "ok": True,
                "dry_run": dry_run,
                "letters": [
                    {"entity": e, "date": day, "account": a, "code": c, "refs": r}
                    for e, day, a, c, r in letters
                ],
            }
        )
        return
    if letters:
        table(
            None,
            [_("Entity"), _("Date"), _("Account"), _("Code"), _("References")],
            [[e, day.isoformat(), a, c, " ".join(r)] for e, day, a, c, r in letters],
        )
    if dry_run:
        say(_("{count} letter(s) would be recorded (dry run).").format(count=len(letters)))
    elif letters:
        say(_("{count} letter(s) recorded.").format(count=len(letters)))
    else:
        say(_("Nothing new to letter."))


def _render_aged(entities: list[str], balances: list[Any], day: Any) -> None:
    # lazy: the domain (and Beancount) loads only when the command runs
    from alusage_ledger.domains.lettering.aged import BUCKETS

    # lazy: the domain (and Beancount) loads only when the command runs
    from alusage_ledger.domains.lettering.totals import bucket_totals, grand_total

    st = state.current()
    if st.json:
        emit_json(
            {
                "as_of": day,
                "balances": [
                    {
                        "entity": b.entity,
                        "account": b.account,
                        "kind": b.kind,
                        "party": b.party,
                        "buckets": {k: machine(v) for k, v in b.buckets.items()},
                        "total": machine(b.total),
                        "items": [
                            {
                                "date": r.day,
                                "age": r.age,
                                "bucket": r.bucket,
                                "amount": machine(r.amount),
                                "refs": list(r.refs),
                                "label": r.label,
                            }
                            for r in b.rows
                        ],
                    }
                    for b in balances
                ],
            }
        )
        return
    kinds = {
        "client": _("client"),
        "supplier": _("supplier"),
        "person": _("person"),
        "member": _("member"),
        "other": _("other"),
    }
    headers = [_("0-30 days"), _("31-60 days"), _("61-90 days"), _("over 90 days")]
    for entity in entities:
        mine = [b for b in balances if b.entity == entity]
        title = _("Aged balances of {entity} on {day}").format(entity=entity, day=day.isoformat())
        if not mine:
            say(title)
            say(_("Nothing is owed either way."))
            say("")
            continue
        rows = [
            [b.party, kinds.get(b.kind, b.kind)]
            + [money(b.buckets[key]) for key, _low, _high in BUCKETS]
            + [money(b.total)]
            for b in mine
        ]
        totals = bucket_totals(mine)
        rows.append(["", _("Total")] + [money(t) for t in totals] + [money(grand_total(totals))])
        table(
            title,
            [_("Third party"), _("Kind"), *headers, _("Total")],
            rows,
            right=(2, 3, 4, 5, 6),
            free=(0,),
            drop=(1, 4, 3),
        )
        say(_("Positive: owed to {entity}; negative: owed by {entity}.").format(entity=entity))
        items = sorted((r for b in mine for r in b.rows), key=lambda r: (r.day, r.party, r.refs))
        table(
            _("Unmatched items"),
            [_("Date"), _("Age"), _("Third party"), _("References"), _("Label"), _("Amount")],
            [
                [
                    r.day.isoformat(),
                    str(r.age),
                    r.party,
                    " ".join(r.refs),
                    r.label,
                    money(r.amount),
                ]
                for r in items
            ],
            right=(1, 5),
            free=(2, 4),
            drop=(4, 1),
        )
        say("")
