"""``init``: a new workspace with a commented config and empty ledgers, one per entity.

:func:`build_workspace` is what the command does (the complete workspace of a
:class:`~alusage_ledger.books.workspace_spec.WorkspaceSpec`); :func:`create_workspace`
makes the bare workspaces the tests start from (entity blocks only).

Every file gets the five root-name options at its top (Beancount 3.2.3 does not pass
them to included files), ``main.beancount`` names the earnings and conversion accounts
in French, and every ``open`` carries its PCG number and label. Nothing existing is ever
overwritten: if any target exists, nothing is written at all.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from alusage_ledger.books.config import parse_config
from alusage_ledger.books.entityconfig import ENTITY_ID
from alusage_ledger.books.text import check_text
from alusage_ledger.books.workspace_spec import WorkspaceSpec, check_complete
from alusage_ledger.books.workspace_toml import config_document, planned_accounts
from alusage_ledger.core.chart import BASE_BY_KIND, BY_KIND, FRENCH_ROOTS, ChartAccount
from alusage_ledger.core.errors import ConfigError, IOFailure, RefusedError, UsageError
from alusage_ledger.core.i18n import _

ROOT_LINES = "".join(
    f'option "{name}" "{root}"\n'
    for name, root in zip(
        ("name_assets", "name_liabilities", "name_equity", "name_income", "name_expenses"),
        FRENCH_ROOTS,
    )
)

MAIN_OPTIONS = """option "operating_currency" "EUR"
option "account_previous_balances" "Ouverture"
option "account_previous_earnings" "Resultat:Anterieur"
option "account_current_earnings" "Resultat:Courant"
option "account_previous_conversions" "Conversions:Anterieures"
option "account_current_conversions" "Conversions:Courantes"
option "account_unrealized_gains" "Resultat:Latent"
"""

GITIGNORE = """# alusage-ledger: the workspace lock, interrupted temp files, Beancount's pickle cache
.alusage.lock
*.alusage-tmp
*.picklecache
"""


@dataclass(frozen=True)
class NewEntity:
    id: str
    kind: str
    name: str


DEFAULT_ENTITIES = (
    NewEntity("alusage", "sas", "Alusage SAS"),
    NewEntity("myceliandre", "scic", "Mycéliandre SCIC"),
    NewEntity("nicolas-jeudy", "micro", "Nicolas Jeudy"),
    NewEntity("christine-dornier", "micro", "Christine Dornier"),
)


def parse_entity_spec(spec: str) -> NewEntity:
    """``id:kind:Name`` as given to ``init --entity``."""
    parts = spec.split(":", 2)
    if len(parts) != 3 or parts[1] not in BY_KIND or not parts[0] or not parts[2]:
        raise UsageError(
            _("--entity expects id:kind:Name with kind sas, scic or micro (got {spec!r}).").format(
                spec=spec
            )
        )
    if not ENTITY_ID.fullmatch(parts[0]):
        raise UsageError(
            _(
                "The entity id {id!r} must start with a lowercase letter and contain only "
                "lowercase letters, digits and dashes."
            ).format(id=parts[0])
        )
    check_text(parts[2], _("entity name"))
    return NewEntity(parts[0], parts[1], parts[2])


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def config_text(entities: tuple[NewEntity, ...], books_start: str) -> str:
    lines = [
        "# alusage-ledger workspace. Reference: docs/configuration.md",
        "",
        "[workspace]",
        '# Locale of amounts and dates for humans ("fr_FR": 1 234,56 €).',
        'locale = "fr_FR"',
        'currency = "EUR"',
        "# Beancount plugins a ledger may name besides Beancount's own checking plugins.",
        "# A plugin is Python code: list only what you trust.",
        "allowed_plugins = []",
        "",
    ]
    for entity in entities:
        lines += [
            f"[entities.{entity.id}]",
            f"name = {_toml_string(entity.name)}",
            f'kind = "{entity.kind}"            # sas | scic | micro',
            f'ledger = "ledgers/{entity.id}/main.beancount"',
            '# siren = "123456789"',
            'exercice_start = "01-01"   # first day of the fiscal year, MM-DD',
            f'books_start = "{books_start}"     # first month kept in these books',
            "",
        ]
    return "\n".join(lines)


def ledger_files(
    entity: NewEntity, opened_on: str, accounts: tuple[ChartAccount, ...] | None = None
) -> dict[str, str]:
    title = entity.name.replace("\\", "").replace('"', "")
    main = (
        ROOT_LINES
        + f'option "title" "{title}"\n'
        + MAIN_OPTIONS
        + "\n"
        + 'include "accounts.beancount"\n'
    )
    opens = [ROOT_LINES, f"{opened_on} commodity EUR\n"]
    for account in BY_KIND[entity.kind] if accounts is None else accounts:
        opens.append(
            f"{opened_on} open {account.name} EUR\n"
            f'  pcg: "{account.pcg}"\n'
            f'  label: "{account.label}"\n'
        )
    return {"main.beancount": main, "accounts.beancount": "\n".join(opens)}


def plan_workspace(
    folder: Path, entities: tuple[NewEntity, ...], books_start: str
) -> dict[Path, str]:
    opened_on = f"{books_start}-01"
    files: dict[Path, str] = {
        folder / "alusage.toml": config_text(entities, books_start),
        folder / ".gitignore": GITIGNORE,
    }
    for entity in entities:
        for name, text in ledger_files(entity, opened_on).items():
            files[folder / "ledgers" / entity.id / name] = text
    return files


def create_workspace(
    folder: Path,
    entities: tuple[NewEntity, ...] = DEFAULT_ENTITIES,
    books_start: str = "2026-01",
    *,
    git: bool = True,
) -> list[Path]:
    """A bare workspace: entity blocks only, the example's accounts per kind (tests)."""
    files = plan_workspace(folder, entities, books_start)
    write_new_files(folder, files)
    if git:
        git_first_commit(folder)
    return list(files)


def build_workspace(folder: Path, spec: WorkspaceSpec, *, git: bool = True) -> list[Path]:
    """The complete workspace ``init`` makes: every section of ``alusage.toml``, the
    accounts the configuration names opened in each ledger, a git repository on ``main``
    with a first commit. Nothing is written when the spec is inconsistent."""
    check_complete(spec)
    text = config_document(spec)
    try:
        parse_config(text, Path("alusage.toml"))
    except ConfigError as exc:  # a combination the answers' own checks let through
        raise UsageError(str(exc)) from exc
    opened_on = f"{spec.books_start}-01"
    planned = planned_accounts(spec)
    files: dict[Path, str] = {folder / "alusage.toml": text, folder / ".gitignore": GITIGNORE}
    for entity in spec.entities:
        accounts: dict[str, ChartAccount] = {}
        for account in (*BASE_BY_KIND[entity.kind], *planned[entity.id]):
            accounts.setdefault(account.name, account)
        new = NewEntity(entity.id, entity.kind, entity.name)
        for name, body in ledger_files(new, opened_on, tuple(accounts.values())).items():
            files[folder / "ledgers" / entity.id / name] = body
    write_new_files(folder, files)
    if git:
        git_first_commit(folder)
    return list(files)


def write_new_files(folder: Path, files: dict[Path, str]) -> None:
    """Create every file or none: an existing one refuses all, a failure removes the rest."""
    existing = [p for p in files if p.exists()]
    if existing:
        raise RefusedError(
            _(
                "{path} already exists; init never overwrites anything. Choose an empty folder."
            ).format(path=existing[0])
        )
    created: list[Path] = []
    try:
        for path, text in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "x", encoding="utf-8") as handle:
                created.append(path)
                handle.write(text)
    except OSError as exc:
        for path in created:  # only what this run created: nothing else is touched
            path.unlink(missing_ok=True)
        raise IOFailure(
            _("Cannot create {path}: {reason}.").format(
                path=exc.filename or folder, reason=exc.strerror
            )
        ) from exc


#: Who signs the first commit when git knows nobody yet (a fresh machine, CI).
_FALLBACK_IDENTITY = ("-c", "user.name=alusage-ledger", "-c", "user.email=alusage-ledger@localhost")


def git_first_commit(folder: Path) -> None:
    """``git init -b main`` and a first commit of the new files, unless already in git."""
    if _inside_git(folder):
        return
    run = subprocess.run
    if run(["git", "init", "-q", "-b", "main", str(folder)], capture_output=True).returncode:
        return
    known = run(["git", "-C", str(folder), "config", "user.email"], capture_output=True)
    identity = () if known.returncode == 0 and known.stdout.strip() else _FALLBACK_IDENTITY
    run(["git", "-C", str(folder), "add", "-A"], capture_output=True, check=False)
    run(
        [
            "git",
            "-C",
            str(folder),
            *identity,
            "commit",
            "-q",
            "--no-verify",
            "-m",
            _("New workspace (alusage-ledger init)"),
        ],
        capture_output=True,
        check=False,
    )


def _inside_git(folder: Path) -> bool:
    try:
        result = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "--is-inside-work-tree"],
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return True  # no git: nothing to initialise
    return result.returncode == 0 and result.stdout.strip() == "true"
