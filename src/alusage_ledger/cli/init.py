"""``init``: create a workspace."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer

from alusage_ledger.cli import state
from alusage_ledger.cli.options import optional
from alusage_ledger.core.errors import UsageError
from alusage_ledger.core.i18n import N_, _
from alusage_ledger.outputs.render.console import emit_json, say


def register(app: typer.Typer) -> None:
    @app.command(
        "init",
        help=N_(
            "Create a workspace: a commented alusage.toml and one empty ledger per entity "
            "(French roots, PCG numbers). Never overwrites anything."
        ),
    )
    def init(
        directory: Annotated[
            Path, typer.Argument(help=N_("Folder to create the workspace in."))
        ] = Path("."),
        entity: Annotated[
            list[str] | None,
            optional(
                "--entity",
                help=N_(
                    "An entity as id:kind:Name (repeatable); default: the four of the ecosystem."
                ),
            ),
        ] = None,
        books_start: Annotated[
            str, typer.Option("--books-start", help=N_("First month of the books, YYYY-MM."))
        ] = "2026-01",
        no_git: Annotated[bool, typer.Option("--no-git", help=N_("Do not run git init."))] = False,
        git_hooks: Annotated[
            bool,
            typer.Option(
                "--git-hooks",
                help=N_("Also install a git pre-commit hook that runs 'alusage-ledger check'."),
            ),
        ] = False,
    ) -> None:
        # lazy: the books (pydantic, Beancount) load only when the command runs
        from alusage_ledger.books.workspace_init import (
            DEFAULT_ENTITIES,
            create_workspace,
            parse_entity_spec,
        )

        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", books_start):
            raise UsageError(
                _("--books-start expects a month YYYY-MM (got {value!r}).").format(
                    value=books_start
                )
            )
        entities = tuple(parse_entity_spec(s) for s in entity) if entity else DEFAULT_ENTITIES
        if git_hooks and no_git:
            raise UsageError(_("--git-hooks needs git; leave out --no-git."))
        created = create_workspace(directory, entities, books_start, git=not no_git)
        hook = None
        if git_hooks:
            # lazy: the integration loads only when the command runs
            from alusage_ledger.integrations.review.git_sides import install_pre_commit

            hook, _status = install_pre_commit(directory)
        if state.current().json:
            emit_json(
                {"workspace": str(directory.resolve()), "files": [str(p) for p in created]}
                | ({"hook": str(hook)} if hook else {})
            )
        else:
            say(
                _("Workspace created in {folder} ({count} files).").format(
                    folder=directory.resolve(), count=len(created)
                )
            )
            if hook:
                say(_("Pre-commit hook installed: {path}").format(path=hook))
