"""``close`` and ``reopen``: month-end closing of every entity, and lifting a lock."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from alusage_ledger.cli import state
from alusage_ledger.cli.options import Today, optional
from alusage_ledger.core.i18n import N_, _
from alusage_ledger.core.periods import Month
from alusage_ledger.outputs.render.console import emit_json, say
from alusage_ledger.outputs.render.progress import working

if TYPE_CHECKING:
    from alusage_ledger.domains.closing.results import CloseResult


def register(app: typer.Typer) -> None:
    @app.command(
        "close",
        help=N_(
            "Close month M (YYYY-MM) for every entity that keeps double-entry books: check, "
            "post the month-end entries, lock the month, write reports/M/. Safe to run twice."
        ),
    )
    def close(
        month: Annotated[str, typer.Argument(help=N_("The month to close, e.g. 2026-10."))],
        entity: Annotated[
            str | None,
            optional("--entity", "-e", help=N_("Close only this entity.")),
        ] = None,
        dry_run: Annotated[
            bool,
            typer.Option("--dry-run", help=N_("Show what would be written; write nothing.")),
        ] = False,
        commit: Annotated[
            bool,
            typer.Option(
                "--commit",
                help=N_("Commit what was written with git (refused if other changes are pending)."),
            ),
        ] = False,
        today: Today = None,
    ) -> None:
        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.closing.close import close_month

        the_month = Month.parse(month)
        st = state.current()
        ws = st.workspace()
        with working(_("Closing {month}…").format(month=the_month)):
            result = close_month(
                ws, the_month, entity=entity, dry_run=dry_run, commit=commit, today=today
            )
        _show_close(result)

    @app.command(
        "reopen",
        help=N_(
            "Reopen month M, the last closed month, on the record: removes its close file and "
            "records the reason. Refused once the exercice is closed."
        ),
    )
    def reopen(
        month: Annotated[str, typer.Argument(help=N_("The month to reopen, e.g. 2026-10."))],
        reason: Annotated[
            str,
            typer.Option("--reason", help=N_("Why the month is reopened (kept in the ledger).")),
        ],
        entity: Annotated[
            str | None,
            optional("--entity", "-e", help=N_("Reopen only this entity.")),
        ] = None,
        today: Today = None,
    ) -> None:
        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.closing.reopen import reopen_month

        st = state.current()
        ws = st.workspace()
        result = reopen_month(ws, Month.parse(month), reason, entity=entity, today=today)
        if st.json:
            emit_json(
                {
                    "month": str(result.month),
                    "reason": result.reason,
                    "entities": result.entities,
                    "removed": result.removed,
                }
            )
            return
        for name, removed in zip(result.entities, result.removed):
            say(
                _("{entity}: {month} reopened ({file} removed).").format(
                    entity=name, month=result.month, file=removed
                )
            )
        say(
            _("Close it again with 'alusage-ledger close {month}' once corrected.").format(
                month=result.month
            )
        )


#: What each month-end step is called for people (``--json`` keeps the names).
STEP_LABELS = {
    "recurring": N_("recurring bills"),
    "shares": N_("shares of the places"),
    "redistribution": N_("redistribution"),
    "vat": N_("VAT settlement"),
    "accruals": N_("reversal of accruals"),
}

_STATUS = {
    "closed": N_("closed"),
    "already-closed": N_("already closed"),
    "not-started": N_("books not started yet"),
    "not-closed": N_("NOT closed"),
    "skipped": N_("not asked"),
}


def _show_close(result: CloseResult) -> None:
    st = state.current()
    if st.json:
        emit_json(result.as_json())
        if result.not_closed:
            raise typer.Exit(1)
        return
    # A close finished from its journal (the notice is on stderr) is now simply closed.
    if result.already_closed and not result.resumed:
        say(_("{month} is already closed; nothing was changed.").format(month=result.month))
    elif result.dry_run:
        say(
            _("Dry run: closing {month} would write this (nothing was written).").format(
                month=result.month
            )
        )
    elif result.not_closed:
        say(_("{month} closed, but not for every entity:").format(month=result.month))
    elif not result.already_closed:
        say(_("{month} closed.").format(month=result.month))
    for name, lines in result.steps:
        label = _(STEP_LABELS[name]) if name in STEP_LABELS else name
        if not lines:
            say(_("step {name}: nothing to post").format(name=label))
            continue
        say(_("step {name}:").format(name=label))
        for line in lines:
            say(f"  {line}")
    for item in result.entities:
        status = _(_STATUS.get(item.status, item.status))
        if item.status in ("closed", "already-closed"):
            say(
                _("  {entity}: {status}, {count} balance assertion(s), {file}").format(
                    entity=item.entity, status=status, count=item.assertions, file=item.file
                )
            )
        elif item.reason:
            say(
                _("  {entity}: {status}: {reason}").format(
                    entity=item.entity, status=status, reason=item.reason
                )
            )
        else:
            say(_("  {entity}: {status}").format(entity=item.entity, status=status))
    if result.dry_run:
        for rel, text in result.planned.items():
            say(f"--- {rel}")
            if rel.startswith("reports/"):
                continue  # the reports' text is in --json; their names are enough here
            say(text.rstrip("\n"))
        _refuse_if_not_closed(result)
        return
    if result.reports:
        readme = next((r for r in result.reports if r.endswith("README.md")), result.reports[0])
        say(_("Reports: {file}").format(file=readme))
    if result.commit:
        say(_("Committed as {sha}.").format(sha=result.commit[:10]))
    _refuse_if_not_closed(result)


def _refuse_if_not_closed(result: CloseResult) -> None:
    """Exit 1 when an entity asked for was not closed (its ledger has errors)."""
    missing = result.not_closed
    if not missing:
        return
    say(
        _(
            "{month} was not closed for {entities} (errors in their ledgers, above); run "
            "'alusage-ledger check', fix them, then 'alusage-ledger close {month}' again."
        ).format(month=result.month, entities=", ".join(e.entity for e in missing))
    )
    raise typer.Exit(1)
