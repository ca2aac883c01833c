"""``reverse``: contre-passation — an entry's exact opposite in an open month."""

from __future__ import annotations

from typing import Annotated

import typer

from alusage_ledger.cli import state
from alusage_ledger.cli.options import BooksEntityId, DryRun, optional, say_dry_run
from alusage_ledger.core.i18n import N_, _
from alusage_ledger.outputs.render.console import emit_json, say


def register(app: typer.Typer) -> None:
    @app.command(
        "reverse",
        help=N_(
            "Reverse an entry (contre-passation): write its exact opposite, dated in an open "
            "month, with its links and 'reverses' naming it, and letter what it settles. "
            "ENTRY is a gen-id, an entry id (as 'aged' shows it), a document number or a link."
        ),
    )
    def reverse(
        entry: Annotated[
            str,
            typer.Argument(
                help=N_("The entry to reverse: gen-id, id-..., document number or link."),
                show_default=False,
            ),
        ],
        entity: BooksEntityId,
        day: Annotated[
            str | None,
            optional("--date", help=N_("The reversal's date, in an open month (default: today).")),
        ] = None,
        reason: Annotated[
            str | None,
            optional("--reason", help=N_("Why the entry is reversed (kept in the ledger).")),
        ] = None,
        dry_run: DryRun = False,
    ) -> None:
        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.purchases.input import date_arg

        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.year.reversal import reverse_entry

        st = state.current()
        ws = st.workspace()
        done = reverse_entry(
            ws, entity, entry, date_arg(day, _("date")), reason=reason, dry_run=dry_run
        )
        if st.json:
            emit_json(
                {
                    "ok": True,
                    "dry_run": dry_run,
                    "entity": entity,
                    "date": done.entry.date,
                    "reverses": done.entry.meta["reverses"],
                    "gen_id": done.entry.meta["gen-id"],
                    "letters": [
                        {"account": d.values[0].value, "code": d.values[1].value}
                        for d in done.letters
                    ],
                    "files": done.files,
                }
            )
            return
        if dry_run:
            say_dry_run(done.text)
            return
        say(
            _("Entry of {original} reversed on {day} ({ref}).").format(
                original=done.original.date.isoformat(),
                day=done.entry.date.isoformat(),
                ref=done.entry.meta["reverses"],
            )
        )
        for letter in done.letters:
            say(
                _("Lettered {code} on {account}.").format(
                    code=letter.values[1].value, account=letter.values[0].value
                )
            )
