"""``demo``: the main job on the embedded example workspace."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import typer

from alusage_ledger.cli import state
from alusage_ledger.core.i18n import N_, _
from alusage_ledger.outputs.render.console import emit_json, say


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
        if not errors:
            # lazy: the domain (and Beancount) loads only when the command runs
            from alusage_ledger.domains.closing.close import close_through

            closed = [str(r.month) for r in close_through(ws, checked=True) if not r.already_closed]
            if closed:
                readme = folder / "reports" / closed[-1] / "README.md"
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
            say(_("Try: alusage-ledger --workspace {folder} check").format(folder=folder))
        if errors:
            raise typer.Exit(1)
