"""A small workspace for the closing tests: two double-entry entities and a micro one.

No places, no redistribution policies, VAT franchise, no recurring templates: the month-end
steps other features register post nothing here, so these tests prove closing itself.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOTS = (
    'option "name_assets" "Actif"\n'
    'option "name_liabilities" "Passif"\n'
    'option "name_equity" "Capitaux"\n'
    'option "name_income" "Produits"\n'
    'option "name_expenses" "Charges"\n'
)

CONFIG = """\
[workspace]
locale = "fr_FR"

[entities.coop]
name = "Coop Test"
kind = "scic"
ledger = "ledgers/coop/main.beancount"
books_start = "2026-01"

[[entities.coop.vat]]
since = 2026-01-01
regime = "franchise"

[entities.shop]
name = "Shop Test"
kind = "sas"
ledger = "ledgers/shop/main.beancount"
books_start = "2026-01"

[[entities.shop.vat]]
since = 2026-01-01
regime = "franchise"

[entities.solo]
name = "Solo Test"
kind = "micro"
ledger = "ledgers/solo/main.beancount"
books_start = "2026-01"
"""

ACCOUNTS = {
    "coop": [
        ("Actif:Banque:Nef", "5121", "Banques - compte courant"),
        ("Actif:Clients:Alpha", "411", "Clients"),
        ("Capitaux:Capital", "1013", "Capital souscrit - appelé, versé"),
        ("Passif:Fournisseurs:Beta", "401", "Fournisseurs"),
        ("Produits:Dons", "7582", "Libéralités reçues"),
        ("Produits:Prestations", "706", "Prestations de services"),
        ("Charges:Loyer", "6132", "Locations immobilières"),
    ],
    "shop": [
        ("Actif:Banque:Courant", "5121", "Banques - compte courant"),
        ("Actif:Caisse", "530", "Caisse"),
        ("Capitaux:Capital", "1013", "Capital souscrit - appelé, versé"),
        ("Produits:Ventes", "701", "Ventes de produits finis"),
        ("Charges:Achats", "6064", "Fournitures administratives"),
    ],
    "solo": [
        ("Actif:Banque", "512", "Banques"),
        ("Produits:Recettes", "706", "Prestations de services"),
    ],
}

MONTHS = {
    "coop": {
        "01": """
2026-01-02 * "Associés" "Apport en capital"
  Actif:Banque:Nef                 1000.00 EUR
  Capitaux:Capital                -1000.00 EUR

2026-01-05 * "Beta" "Loyer janvier" ^coop-B-01
  piece-ref: "B-01"
  Charges:Loyer                     300.00 EUR
  Passif:Fournisseurs:Beta         -300.00 EUR

2026-01-10 * "Beta" "Paiement loyer janvier" ^coop-B-01
  Passif:Fournisseurs:Beta          300.00 EUR
  Actif:Banque:Nef                 -300.00 EUR

2026-01-20 * "Donatrice" "Don"
  Actif:Banque:Nef                   50.00 EUR
  Produits:Dons                     -50.00 EUR
""",
        "02": """
2026-02-05 * "Beta" "Loyer février" ^coop-B-02
  piece-ref: "B-02"
  Charges:Loyer                     300.00 EUR
  Passif:Fournisseurs:Beta         -300.00 EUR

2026-02-12 * "Alpha" "Facture atelier" ^F2026-0001
  invoice: "F2026-0001"
  client: "Alpha"
  Actif:Clients:Alpha               120.00 EUR
  Produits:Prestations             -120.00 EUR
""",
        "03": """
2026-03-03 * "Beta" "Paiement loyer février" ^coop-B-02
  Passif:Fournisseurs:Beta          300.00 EUR
  Actif:Banque:Nef                 -300.00 EUR
""",
    },
    "shop": {
        "01": """
2026-01-02 * "Associés" "Capital"
  Actif:Banque:Courant              500.00 EUR
  Capitaux:Capital                 -500.00 EUR

2026-01-15 * "Marché" "Ventes du marché"
  Actif:Caisse                       80.50 EUR
  Produits:Ventes                   -80.50 EUR
""",
        "02": """
2026-02-03 * "Papeterie" "Fournitures"
  Charges:Achats                     19.90 EUR
  Actif:Banque:Courant              -19.90 EUR
""",
        "03": "",
    },
    "solo": {
        "01": """
2026-01-20 * "Client" "Prestation"
  Actif:Banque                      400.00 EUR
  Produits:Recettes                -400.00 EUR
""",
        "02": "",
        "03": "",
    },
}


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, check=True
    )
    return done.stdout


def init_git(root: Path) -> None:
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "t@example.invalid")
    git(root, "config", "user.name", "Test")
    (root / ".gitignore").write_text(".alusage.lock\n*.alusage-tmp\n", "utf-8")
    commit_all(root, "Initial books")


def commit_all(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def make_close_ws(root: Path, *, git_repo: bool = True, config_extra: str = "") -> Path:
    """Write the small workspace into ``root`` (and commit it in a new git repository)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "alusage.toml").write_text(CONFIG + config_extra, "utf-8")
    for entity, accounts in ACCOUNTS.items():
        folder = root / "ledgers" / entity
        (folder / "2026").mkdir(parents=True)
        opens = "".join(
            f'\n2026-01-01 open {account} EUR\n  pcg: "{pcg}"\n  label: "{label}"\n'
            for account, pcg, label in accounts
        )
        (folder / "accounts.beancount").write_text(ROOTS + opens, "utf-8")
        includes = ['include "accounts.beancount"']
        for month, text in MONTHS[entity].items():
            (folder / "2026" / f"{month}.beancount").write_text(ROOTS + text, "utf-8")
            includes.append(f'include "2026/{month}.beancount"')
        main = ROOTS + f'option "title" "{entity}"\noption "operating_currency" "EUR"\n\n'
        (folder / "main.beancount").write_text(main + "\n".join(includes) + "\n", "utf-8")
    if git_repo:
        init_git(root)
    return root


def append(path: Path, text: str) -> None:
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(text)


def env_today(day: str) -> dict[str, str]:
    return {**os.environ, "ALUSAGE_TODAY": day}


PLACE = """
[places.atelier]
name = "L'atelier"
host = "coop"
receivable = "Actif:Usagers:Atelier"
income = "Produits:Refacturation"

[[places.atelier.charges]]
name = "loyer"
accounts = ["Charges:Loyer"]
key = "days"

[[places.atelier.members]]
id = "lea"
name = "Léa"
since = 2026-01-01

[[places.atelier.members]]
id = "marc"
name = "Marc"
since = 2026-01-15
"""


def golden_tree(folder: Path, name: str, *, exclude: tuple[str, ...] = ()) -> None:
    """Compare every file under ``folder`` (but those starting with ``exclude``) with
    ``tests/golden/closing/<name>/``; ``ALUSAGE_REGEN_GOLDEN=1`` rewrites the golden copy."""
    import shutil

    golden = Path(__file__).resolve().parent / "golden" / "closing" / name
    actual = {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and not p.relative_to(folder).as_posix().startswith(exclude or ("\0",))
    }
    if os.environ.get("ALUSAGE_REGEN_GOLDEN") == "1":
        shutil.rmtree(golden, ignore_errors=True)
        for rel, data in actual.items():
            (golden / rel).parent.mkdir(parents=True, exist_ok=True)
            (golden / rel).write_bytes(data)
    assert golden.is_dir(), f"missing golden files {golden}; run with ALUSAGE_REGEN_GOLDEN=1"
    expected = {
        p.relative_to(golden).as_posix(): p.read_bytes() for p in golden.rglob("*") if p.is_file()
    }
    assert sorted(actual) == sorted(expected), "the set of report files differs"
    for rel in sorted(expected):
        assert actual[rel] == expected[rel], (
            f"{rel} differs from {golden / rel}; rerun with ALUSAGE_REGEN_GOLDEN=1 if intended"
        )
