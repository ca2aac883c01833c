"""``demo``: the main job on the embedded example workspace."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from alusage_ledger.cli import state
from alusage_ledger.core.fmt import machine, money
from alusage_ledger.core.i18n import N_, _
from alusage_ledger.outputs.render.console import emit_json, say

if TYPE_CHECKING:
    from alusage_ledger.outputs.monthsummary import MonthSummary


def register(app: typer.Typer) -> None:
    @app.command(
        "demo",
        help=N_(
            "Copy the example workspace into DIR (default: a new temporary folder), check it "
            "and run the month-end job on it; says where the results are."
        ),
    )
    def demo(
        directory: Annotated[
            Path | None,
            typer.Argument(help=N_("Folder to create (must be new or empty)."), show_default=False),
        ] = None,
    ) -> None:
        # lazy: the books (pydantic, Beancount) load only when the command runs
        from alusage_ledger.books.checks import run_checks

        # lazy: the books (pydantic, Beancount) load only when the command runs
        from alusage_ledger.books.demo import materialize

        # lazy: the books (pydantic, Beancount) load only when the command runs
        from alusage_ledger.books.ledger import Workspace

        st = state.current()
        folder = directory or Path(tempfile.mkdtemp(prefix="alusage-demo-"))
        materialize(folder)
        ws = Workspace.open(folder)
        st.workspace_path = folder
        st._workspace = ws
        say(_("Example workspace copied to {folder}.").format(folder=folder))
        problems = run_checks(ws)
        errors = [p for p in problems if p.severity == "error"]
        for problem in errors:
            say(problem.render())
        # Month-end closing of every month that is over (the closing issue), in order.
        closed: list[str] = []
        readme = None
        summary_of_last = None
        if not errors:
            # lazy: the domain (and Beancount) loads only when the command runs
            from alusage_ledger.domains.closing.close import close_through

            results = [r for r in close_through(ws, checked=True) if not r.already_closed]
            closed = [str(r.month) for r in results]
            if closed:
                readme = folder / "reports" / closed[-1] / "README.md"
                last = results[-1]
                # lazy: the summary recomputes with the domains, only after a close
                from alusage_ledger.outputs.monthsummary import month_summary

                summary_of_last = month_summary(
                    ws,
                    last.month,
                    [e.entity for e in last.entities if e.status in ("closed", "already-closed")],
                    [e.entity for e in last.entities if e.status == "not-closed"],
                )
        summary = {}
        for entity in ws.config.entities:
            ledger = ws.load(entity)
            summary[entity] = sum(1 for e in ledger.entries if type(e).__name__ == "Transaction")
        if st.json:
            emit_json(
                {
                    "workspace": str(folder),
                    "ok": not errors,
                    "transactions": summary,
                    "closed": closed,
                    "reports": str(readme) if readme else None,
                    "last_month": _summary_json(summary_of_last) if summary_of_last else None,
                }
            )
        else:
            if closed:
                say(
                    _("Closed {first}..{last}; reports of the last month: {readme}").format(
                        first=closed[0], last=closed[-1], readme=readme
                    )
                )
            say(_("check: {count} error(s).").format(count=len(errors)))
            for entity, count in summary.items():
                say(_("  {entity}: {count} transactions").format(entity=entity, count=count))
            if summary_of_last is not None:
                _say_summary(summary_of_last)
            month = summary_of_last.month if summary_of_last else None
            say(_("Three things to try next:"))
            say(f"  alusage-ledger --workspace {folder} invoice list --entity alusage")
            if month is not None:
                say(f"  alusage-ledger --workspace {folder} shares le97 --month {month}")
                say(f"  alusage-ledger --workspace {folder} vat --entity alusage --period {month}")
            else:
                say(f"  alusage-ledger --workspace {folder} check")
            say(
                _(
                    "The demo workspace is {folder} (the demo writes nothing outside it but the "
                    "tool's cache); remove it with 'rm -r {folder}' when done."
                ).format(folder=folder)
            )
        if errors:
            raise typer.Exit(1)


def _say_summary(summary: MonthSummary) -> None:
    """What the last month-end did, in a few lines."""
    say(_("What the close of {month} did:").format(month=summary.month))
    say(
        "  "
        + _("entities closed: {names}").format(names=", ".join(summary.closed) or "-")
        + (
            "; " + _("not closed: {names}").format(names=", ".join(summary.not_closed))
            if summary.not_closed
            else ""
        )
    )
    for place, total in summary.shares:
        say("  " + _("shares of {place} called: {amount}").format(place=place, amount=money(total)))
    for policy, due in summary.redistribution:
        say("  " + _("redistribution {policy}: {amount}").format(policy=policy, amount=money(due)))
    for entity, form, due, credit in summary.vat:
        if credit:
            text = _("VAT of {entity} ({form}): a credit of {amount} carried forward")
            say("  " + text.format(entity=entity, form=form, amount=money(credit)))
        else:
            text = _("VAT of {entity} ({form}): {amount} due")
            say("  " + text.format(entity=entity, form=form, amount=money(due)))


def _summary_json(summary: MonthSummary) -> dict[str, object]:
    return {
        "month": str(summary.month),
        "closed": summary.closed,
        "not_closed": summary.not_closed,
        "shares": [{"place": p, "total": machine(t)} for p, t in summary.shares],
        "redistribution": [{"policy": p, "due": machine(d)} for p, d in summary.redistribution],
        "vat": [
            {"entity": e, "form": f, "due": machine(d), "credit": machine(c)}
            for e, f, d, c in summary.vat
        ],
    }
