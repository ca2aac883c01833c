"""``init``: create a workspace."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer

from alusage_ledger.cli import state
from alusage_ledger.cli.interactive import interactive
from alusage_ledger.cli.options import optional
from alusage_ledger.core.errors import UsageError
from alusage_ledger.core.i18n import N_, _
from alusage_ledger.outputs.render.console import emit_json, say


def register(app: typer.Typer) -> None:
    @app.command(
        "init",
        help=N_(
            "Create a workspace: a commented alusage.toml with every section, one ledger per "
            "entity with the accounts it needs (French roots, PCG numbers), a git repository "
            "on main with a first commit. On a terminal without --entity, asks its questions. "
            "Never overwrites anything."
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
                    "An entity as id:kind:Name, kind sas, scic or micro (repeatable); default: "
                    "the four of the ecosystem, or the questionnaire on a terminal."
                ),
            ),
        ] = None,
        siren: Annotated[
            list[str] | None,
            optional("--siren", help=N_("An entity's SIREN as id:SIREN (checked with its key).")),
        ] = None,
        vat: Annotated[
            list[str] | None,
            optional(
                "--vat",
                help=N_(
                    "An entity's VAT regime as id:regime[:exigibility] (franchise, rsi, "
                    "reel-mensuel, reel-trimestriel; encaissements or debits)."
                ),
            ),
        ] = None,
        series: Annotated[
            list[str] | None,
            optional(
                "--series",
                help=N_("An entity's invoice numbers as id:pattern, e.g. F{year}-{seq:04}."),
            ),
        ] = None,
        activity: Annotated[
            list[str] | None,
            optional(
                "--activity",
                help=N_(
                    "An activity as entity:id:nature:rate[:legal basis] (nature services or "
                    "goods, rate 20, 10, 5.5, 2.1 or exempt), or entity:id:category for a "
                    "micro-entrepreneur (bnc, bic-services, bic-sales); repeatable."
                ),
            ),
        ] = None,
        place: Annotated[
            list[str] | None,
            optional("--place", help=N_("A shared place as id:host:Name (repeatable).")),
        ] = None,
        member: Annotated[
            list[str] | None,
            optional(
                "--member",
                help=N_("A member of a place as place:id:surface:desks[:Name] (repeatable)."),
            ),
        ] = None,
        charges: Annotated[
            list[str] | None,
            optional(
                "--charges",
                help=N_(
                    "A group of charges of a place as place:name:key:PCG numbers, e.g. "
                    "le97:loyer:surface:6132,614 (key equal, surface, desks or days)."
                ),
            ),
        ] = None,
        redistribution: Annotated[
            list[str] | None,
            optional(
                "--redistribution",
                help=N_(
                    "A redistribution policy as from:to:kind:base:rate, e.g. "
                    "alusage:myceliandre:don:revenue:0.05 (base fixed: an amount)."
                ),
            ),
        ] = None,
        books_start: Annotated[
            str, typer.Option("--books-start", help=N_("First month of the books, YYYY-MM."))
        ] = "2026-01",
        no_git: Annotated[
            bool, typer.Option("--no-git", help=N_("Do not run git init (nor the first commit)."))
        ] = False,
        git_hooks: Annotated[
            bool,
            typer.Option(
                "--git-hooks",
                help=N_("Also install a git pre-commit hook that runs 'alusage-ledger check'."),
            ),
        ] = False,
    ) -> None:
        # lazy: the books (pydantic, Beancount) load only when the command runs
        from alusage_ledger.books.workspace_init import build_workspace
        from alusage_ledger.books.workspace_spec import ECOSYSTEM, spec_from_flags

        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", books_start):
            raise UsageError(
                _("--books-start expects a month YYYY-MM (got {value!r}).").format(
                    value=books_start
                )
            )
        if git_hooks and no_git:
            raise UsageError(_("--git-hooks needs git; leave out --no-git."))
        details = [siren, vat, series, activity, place, member, charges, redistribution]
        if not entity and any(details):
            raise UsageError(_("Name the entities with --entity id:kind:Name first."))
        if not entity and interactive() and not state.current().json:
            # lazy: the questionnaire's module loads only when someone is asked
            from alusage_ledger.cli.init_questions import questionnaire

            spec = questionnaire(books_start)
        else:
            given = entity or [":".join(e) for e in ECOSYSTEM]
            spec = spec_from_flags(books_start, given, *[d or [] for d in details])
        created = build_workspace(directory, spec, git=not no_git)
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
