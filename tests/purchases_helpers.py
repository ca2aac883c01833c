"""Small workspaces for the purchases, expense claims, recurring and lettering tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alusage_ledger.books.ledger import Workspace
from alusage_ledger.books.workspace_init import NewEntity, create_workspace

BANK = "Actif:Banque:Courant"

VAT_CONFIG = """
[[entities.sas.vat]]
since = 2026-01-01
regime = "reel-mensuel"
exigibility = "encaissements"

[[entities.deb.vat]]
since = 2026-01-01
regime = "reel-mensuel"
exigibility = "debits"
"""

EXTRA_ACCOUNTS = {
    "Charges:Achats:Fournitures": ("6064", "Fournitures administratives"),
    "Charges:Honoraires": ("6226", "Honoraires"),
    "Charges:Deplacements": ("6251", "Voyages et déplacements"),
    "Actif:Immobilisations:Materiel": ("2183", "Matériel de bureau et informatique"),
}


def make_purchases_ws(folder: Path, *, extra_toml: str = "") -> Path:
    """Entities ``sas`` (encaissements), ``deb`` (débits) and ``solo`` (micro), no git."""
    create_workspace(
        folder,
        (
            NewEntity("sas", "sas", "Coop SAS"),
            NewEntity("deb", "sas", "Debits SAS"),
            NewEntity("solo", "micro", "Solo Micro"),
        ),
        git=False,
    )
    with open(folder / "alusage.toml", "a", encoding="utf-8") as handle:
        handle.write(VAT_CONFIG + extra_toml)
    for entity in ("sas", "deb", "solo"):
        with open(folder / "ledgers" / entity / "accounts.beancount", "a", encoding="utf-8") as h:
            for account, (pcg, label) in EXTRA_ACCOUNTS.items():
                h.write(f'\n2026-01-01 open {account} EUR\n  pcg: "{pcg}"\n  label: "{label}"\n')
    return folder


def transactions(ws_root: Path, entity: str) -> list[Any]:
    from beancount.core import data

    ledger = Workspace.open(ws_root).load_checked(entity)
    return [e for e in ledger.entries if isinstance(e, data.Transaction)]


def customs(ws_root: Path, entity: str, kind: str = "alusage-letter") -> list[Any]:
    from beancount.core import data

    ledger = Workspace.open(ws_root).load_checked(entity)
    return [e for e in ledger.entries if isinstance(e, data.Custom) and e.type == kind]


def postings_of(entry: Any) -> list[tuple[str, str]]:
    return [(p.account, f"{p.units.number}") for p in entry.postings]


def balance(ws_root: Path, entity: str, account: str) -> Any:
    from decimal import Decimal

    total = Decimal(0)
    for entry in transactions(ws_root, entity):
        for p in entry.postings:
            if p.account == account:
                total += p.units.number
    return total


def append(ws_root: Path, entity: str, rel: str, text: str) -> None:
    path = ws_root / "ledgers" / entity / rel
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(text)
