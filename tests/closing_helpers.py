"""Small workspaces for the closing tests: a month's close and the year's bookends.

Both have the same three entities, French roots, VAT franchise and books from January 2026:
a SCIC (``coop``), a SAS (``shop``) and a micro-entrepreneur (``solo``), written by
:func:`write_books`.

- :func:`make_close_ws` (month-end closing, locks): a few entries a month; no places, no
  redistribution policies, no recurring templates, so the month-end steps other features
  register post nothing and the tests prove closing itself.
- :func:`make_year_ws` (year open/close/allocate, reports, capital): per month a sale and a
  rent; the opening balances come from a trial balance through ``year open`` (the tests do
  it), so that the whole year can be closed in a few seconds.
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

_CONFIG = """\
[workspace]
locale = "fr_FR"

[entities.coop]
name = "Coop Test"
kind = "scic"
ledger = "ledgers/coop/main.beancount"
{coop_siren}books_start = "2026-01"
{coop_accounts}
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

Accounts = dict[str, list[tuple[str, str, str]]]


def write_books(
    root: Path,
    config: str,
    accounts: Accounts,
    months: dict[str, dict[str, str]],
    *,
    title: bool = False,
    commodity: bool = False,
) -> Path:
    """``alusage.toml`` and, per entity, ``accounts.beancount`` (the roots, ``2026-01-01``
    opens with ``pcg`` and ``label``), ``2026/<MM>.beancount`` for each ``months[entity]``
    item ``{MM: text}`` and ``main.beancount`` including them, each file with the roots."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "alusage.toml").write_text(config, "utf-8")
    for entity, opened in accounts.items():
        folder = root / "ledgers" / entity
        (folder / "2026").mkdir(parents=True, exist_ok=True)
        opens = "".join(
            f'\n2026-01-01 open {account} EUR\n  pcg: "{pcg}"\n  label: "{label}"\n'
            for account, pcg, label in opened
        )
        head = ROOTS + ("\n2026-01-01 commodity EUR\n" if commodity else "")
        (folder / "accounts.beancount").write_text(head + opens, "utf-8")
        includes = ['include "accounts.beancount"']
        for month, text in months.get(entity, {}).items():
            (folder / "2026" / f"{month}.beancount").write_text(ROOTS + text, "utf-8")
            includes.append(f'include "2026/{month}.beancount"')
        options = f'option "title" "{entity}"\n' if title else ""
        main = ROOTS + options + 'option "operating_currency" "EUR"\n\n'
        (folder / "main.beancount").write_text(main + "\n".join(includes) + "\n", "utf-8")
    return root


# --------------------------------------------------------------------------- month-end close

CONFIG = _CONFIG.format(coop_siren="", coop_accounts="")

ACCOUNTS: Accounts = {
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
    write_books(root, CONFIG + config_extra, ACCOUNTS, MONTHS, title=True)
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


# --------------------------------------------------------------------------- the year

YEAR_CONFIG = _CONFIG.format(
    coop_siren='siren = "930281571"\n',
    coop_accounts='\n[entities.coop.accounts]\nbank = "Actif:Banque:Nef"\n',
)

YEAR_ACCOUNTS: Accounts = {
    "coop": [
        ("Actif:Banque:Nef", "5121", "Banques - compte courant"),
        ("Capitaux:Capital:PartsSociales", "1013", "Capital souscrit - appelé, versé"),
        ("Produits:Prestations", "706", "Prestations de services"),
        ("Charges:Loyer", "6132", "Locations immobilières"),
        ("Passif:ChargesAPayer", "4086", "Fournisseurs - factures non parvenues"),
    ],
    "shop": [
        ("Actif:Banque:Courant", "5121", "Banques - compte courant"),
        ("Capitaux:Capital", "1013", "Capital souscrit - appelé, versé"),
        ("Produits:Ventes", "701", "Ventes de produits finis"),
        ("Charges:Achats", "6064", "Fournitures administratives"),
    ],
    "solo": [
        ("Actif:Banque", "512", "Banques"),
        ("Produits:Recettes", "706", "Prestations de services"),
    ],
}

#: The trial balance of the SCIC at 2026-01-01 (French headers, decimal comma, one
#: client item listed with its invoice).
COOP_OPENING = """\
compte;libellé;débit;crédit;tiers;pièce
5121;Banque Nef;5 000,00;;;
411;Coop des Tilleuls;600,00;;Coop des Tilleuls;F2025-0042
401;Propriétaire;;250,00;Propriétaire;
1013;Capital souscrit - appelé, versé;;4000,00;;
1061;Réserve légale;;300,00;;
110;Report à nouveau;;1050,00;;
"""

#: The SAS's trial balance, English headers and decimal point.
SHOP_OPENING = """\
account,label,debit,credit
5121,Bank,2000.00,
1013,Share capital,,1000.00
1061,Legal reserve,,50.00
119,Retained losses,200.00,
110,Retained earnings,,1150.00
"""


def month_text(entity: str, month: int) -> str:
    if entity == "coop":
        return f"""
2026-{month:02d}-05 * "Bailleur" "Loyer {month:02d}/2026"
  Charges:Loyer                     300.00 EUR
  Actif:Banque:Nef                 -300.00 EUR

2026-{month:02d}-20 * "Client" "Atelier {month:02d}/2026"
  Actif:Banque:Nef                  500.00 EUR
  Produits:Prestations             -500.00 EUR
"""
    if entity == "shop":
        return f"""
2026-{month:02d}-10 * "Marché" "Ventes {month:02d}/2026"
  Actif:Banque:Courant              250.00 EUR
  Produits:Ventes                  -250.00 EUR

2026-{month:02d}-12 * "Papeterie" "Fournitures {month:02d}/2026"
  Charges:Achats                     50.00 EUR
  Actif:Banque:Courant              -50.00 EUR
"""
    return ""


def make_year_ws(root: Path, *, months: int = 12) -> Path:
    """Write the workspace (no opening entries yet) and return its root."""
    texts = {
        entity: {
            f"{month:02d}": text
            for month in range(1, months + 1)
            if (text := month_text(entity, month))
        }
        for entity in YEAR_ACCOUNTS
    }
    write_books(root, YEAR_CONFIG, YEAR_ACCOUNTS, texts, commodity=True)
    (root / "coop-opening.csv").write_text(COOP_OPENING, encoding="utf-8")
    (root / "shop-opening.csv").write_text(SHOP_OPENING, encoding="utf-8")
    return root
