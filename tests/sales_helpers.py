"""Small workspaces and golden files for the sales, VAT, revenue and micro tests.

``make_sales_ws`` creates four entities, one per VAT regime:

- ``reel``: SAS, ``reel-mensuel``, VAT on services on receipt (the four default activities);
- ``trim``: SCIC, ``reel-trimestriel``, with activities ``le97`` and ``atelier`` (goods);
- ``simpl``: SAS, ``rsi`` with a configured instalment base;
- ``solo``: micro-entrepreneur under the franchise, with a BNC and a BIC activity.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from alusage_ledger.books.ledger import Workspace
from alusage_ledger.books.workspace_init import NewEntity, create_workspace
from alusage_ledger.books.writer import Append

GOLDEN = Path(__file__).resolve().parent / "golden"

CONFIG = """
[[entities.reel.vat]]
since = 2026-01-01
regime = "reel-mensuel"
exigibility = "encaissements"

[[entities.trim.vat]]
since = 2026-01-01
regime = "reel-trimestriel"

[entities.trim.activities.le97]
account = "Produits:Le97:Refacturation"
pcg = "708"

[entities.trim.activities.atelier]
account = "Produits:Ventes:Atelier"
pcg = "701"
label = "Ventes de produits finis"
kind = "goods"

[[entities.simpl.vat]]
since = 2026-01-01
regime = "rsi"
instalment_base = "4000.00"

[[entities.solo.vat]]
since = 2026-01-01
regime = "franchise"

[entities.solo.activities.conseil]
account = "Produits:Prestations:Conseil"
pcg = "7061"
urssaf = "bnc"

[entities.solo.activities.depannage]
account = "Produits:Prestations:Depannage"
pcg = "7062"
urssaf = "bic-services"

[entities.solo.activities.revente]
account = "Produits:Ventes:Revente"
pcg = "707"
kind = "goods"
"""

EXTRA_ACCOUNTS = {
    "Charges:Achats:Fournitures": ("6064", "Fournitures administratives et logiciels"),
    "Charges:Honoraires": ("6226", "Honoraires"),
    "Actif:Etat:CreditTVA": ("44567", "Crédit de TVA à reporter"),
    "Actif:Etat:AcomptesTVA": ("44581", "Acomptes - régime simplifié d'imposition"),
}


def make_sales_ws(folder: Path, *, extra_toml: str = "") -> Path:
    create_workspace(
        folder,
        (
            NewEntity("reel", "sas", "Reel SAS"),
            NewEntity("trim", "scic", "Trim SCIC"),
            NewEntity("simpl", "sas", "Simpl SAS"),
            NewEntity("solo", "micro", "Solo Micro"),
        ),
        git=False,
    )
    with open(folder / "alusage.toml", "a", encoding="utf-8") as handle:
        handle.write(CONFIG + extra_toml)
    for entity in ("reel", "trim", "simpl", "solo"):
        with open(folder / "ledgers" / entity / "accounts.beancount", "a", encoding="utf-8") as h:
            for account, (pcg, label) in EXTRA_ACCOUNTS.items():
                h.write(f'\n2026-01-01 open {account} EUR\n  pcg: "{pcg}"\n  label: "{label}"\n')
    return folder


def book(root: Path, entity: str, text: str) -> None:
    """Append hand-written ledger text through the safe writer (accounts must be open)."""
    from beancount.parser import parser

    header = "".join(
        f'option "{name}" "{value}"\n'
        for name, value in zip(
            ("name_assets", "name_liabilities", "name_equity", "name_income", "name_expenses"),
            ("Actif", "Passif", "Capitaux", "Produits", "Charges"),
        )
    )
    entries, errors, _options = parser.parse_string(header + text)
    assert not errors, errors
    Workspace.open(root).write([Append(entity, tuple(entries))])


def transactions(root: Path, entity: str) -> list[Any]:
    from beancount.core import data

    ledger = Workspace.open(root).load_checked(entity)
    return [e for e in ledger.entries if isinstance(e, data.Transaction)]


def check_golden(area: str, name: str, actual: str) -> None:
    """Compare with ``tests/golden/<area>/<name>``; ``ALUSAGE_REGEN_GOLDEN=1`` rewrites it."""
    path = GOLDEN / area / name
    if os.environ.get("ALUSAGE_REGEN_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"{path} differs; rerun with ALUSAGE_REGEN_GOLDEN=1 if intended"


_COMMAND: list[Any] = []


class FastCli:
    """Like ``conftest.Cli`` but builds Typer's click command once per test session.

    Building the command tree costs most of an in-process invocation (Typer inspects every
    command's signature); the tree itself does not depend on the invocation (help texts
    are translated when a context is made).
    """

    def __init__(self, workspace: Path | None) -> None:
        from typer.testing import CliRunner

        self.workspace = workspace
        self.runner = CliRunner()

    def __call__(self, *args: str, lang: str = "en", input: str | None = None) -> Any:
        import typer.testing

        from alusage_ledger.cli.app import app

        if not _COMMAND:
            _COMMAND.append(typer.testing._get_command(app))
        argv = ["--lang", lang]
        if self.workspace is not None:
            argv += ["--workspace", str(self.workspace)]
        original = typer.testing._get_command
        typer.testing._get_command = lambda _app: _COMMAND[0]
        try:
            return self.runner.invoke(app, [*argv, *args], input=input)
        finally:
            typer.testing._get_command = original
