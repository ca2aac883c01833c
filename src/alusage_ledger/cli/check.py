"""``check``: load and validate every ledger and every domain rule."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from alusage_ledger.cli import state
from alusage_ledger.cli.options import optional
from alusage_ledger.core.i18n import N_, _
from alusage_ledger.outputs.render.console import RED, YELLOW, emit_json, paint, say


def register(app: typer.Typer) -> None:
    @app.command(
        "check",
        help=N_(
            "Load every ledger and check every rule; print each problem as file:line: message. "
            "Exit 1 on any error."
        ),
    )
    def check(
        entity: Annotated[
            str | None,
            optional("--entity", "-e", help=N_("Check only this entity.")),
        ] = None,
    ) -> None:
        # lazy: the books (pydantic, Beancount) load only when the command runs
        from alusage_ledger.books.checks import run_checks

        st = state.current()
        ws = st.workspace()  # finishes what a command killed half-way left (its journal)
        problems = run_checks(ws, [entity] if entity else None)
        errors = [p for p in problems if p.severity == "error"]
        warnings = [p for p in problems if p.severity != "error"]
        if st.json:
            emit_json(
                {
                    "ok": not errors,
                    "errors": [_as_dict(p) for p in errors],
                    "warnings": [_as_dict(p) for p in warnings],
                }
            )
        else:
            for problem in errors:
                say(paint(problem.render(), RED, sys.stdout))
            for problem in warnings:
                say(
                    paint(
                        _("warning: {problem}").format(problem=problem.render()), YELLOW, sys.stdout
                    )
                )
            if errors:
                say(_("{count} error(s) found.").format(count=len(errors)))
            else:
                say(
                    _("All ledgers are valid (entities checked: {count}).").format(
                        count=1 if entity else len(ws.config.entities)
                    )
                )
        if errors:
            raise typer.Exit(1)


def _as_dict(problem: object) -> dict[str, object]:
    return {
        "entity": getattr(problem, "entity", None),
        "file": getattr(problem, "file", None),
        "line": getattr(problem, "line", None),
        "message": getattr(problem, "message", None),
    }
