"""A small workspace for le 97's shares: ``init``'s four entities, a place, a few bills.

Members (``[places.le97]``):

| id            | entity        | since      | until      | m² |
|---------------|---------------|------------|------------|----|
| alusage       | alusage       | 2026-01-01 |            | 20 |
| nicolas-jeudy | nicolas-jeudy | 2026-01-01 |            | 10 |
| membre-a      | (none)        | 2026-03-16 |            | 10 |
| membre-b      | (none)        | 2026-01-01 | 2026-02-20 | 10 |

Groups: ``loyer`` (Loyer + ChargesLocatives, key surface), ``energie`` (Energie, mix
surface 0.5 + days 0.5).
"""

from __future__ import annotations

from pathlib import Path

PLACE_TOML = """
[places.le97]
name = "Le 97"
host = "myceliandre"
receivable = "Actif:Usagers:Le97"
income = "Produits:Le97:Refacturation"
mirror_expense = "Charges:Locations:Le97"
mirror_payable = "Passif:Fournisseurs:Myceliandre"

[[places.le97.charges]]
name = "loyer"
accounts = ["Charges:Le97:Loyer", "Charges:Le97:ChargesLocatives"]
key = "surface"

[[places.le97.charges]]
name = "energie"
accounts = ["Charges:Le97:Energie"]
key = { surface = "0.5", days = "0.5" }

[[places.le97.members]]
id = "alusage"
name = "Alusage SAS"
entity = "alusage"
since = 2026-01-01
surface_m2 = "20"

[[places.le97.members]]
id = "nicolas-jeudy"
name = "Nicolas Jeudy"
entity = "nicolas-jeudy"
since = 2026-01-01
surface_m2 = "10"

[[places.le97.members]]
id = "membre-a"
name = "Membre A"
since = 2026-03-16
surface_m2 = "10"

[[places.le97.members]]
id = "membre-b"
name = "Membre B"
since = 2026-01-01
until = 2026-02-20
surface_m2 = "10"
"""

HEADER = """option "name_assets" "Actif"
option "name_liabilities" "Passif"
option "name_equity" "Capitaux"
option "name_income" "Produits"
option "name_expenses" "Charges"
"""

HOST_SETUP = """
2026-01-01 open Passif:Fournisseurs:Proprietaire EUR
  pcg: "401"
  label: "Fournisseurs"

2026-01-01 open Passif:Fournisseurs:Energie EUR
  pcg: "401"
  label: "Fournisseurs"

2026-01-01 * "Apport" "Reprise des soldes"
  Actif:Banque:Courant        5000.00 EUR
  Capitaux:Capital           -5000.00 EUR
"""


def bill(day: str, account: str, amount: str, supplier: str, period: str | None = None) -> str:
    """A hand-written charge at the host (a supplier bill)."""
    meta = f'\n  period: "{period}"' if period else ""
    return (
        f'\n{day} * "{supplier}" "Facture"{meta}\n'
        f"  {account}  {amount} EUR\n"
        f"  Passif:Fournisseurs:{supplier}  -{amount} EUR\n"
    )


def add_text(ws: Path, entity: str, month: str, text: str) -> None:
    """Append ledger text to ``<entity>/<YYYY>/<MM>.beancount`` (included on creation)."""
    folder = ws / "ledgers" / entity
    year, mon = month.split("-")
    path = folder / year / f"{mon}.beancount"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(HEADER, encoding="utf-8")
        main = folder / "main.beancount"
        main.write_text(
            main.read_text(encoding="utf-8") + f'include "{year}/{mon}.beancount"\n',
            encoding="utf-8",
        )
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def make_le97_workspace(dest: Path) -> Path:
    from alusage_ledger.books.workspace_init import create_workspace

    create_workspace(dest, git=False)
    config = dest / "alusage.toml"
    config.write_text(config.read_text(encoding="utf-8") + PLACE_TOML, encoding="utf-8")
    accounts = dest / "ledgers" / "myceliandre" / "accounts.beancount"
    text = accounts.read_text(encoding="utf-8")
    if "Capitaux:Capital " not in text:
        text += '\n2026-01-01 open Capitaux:Capital EUR\n  pcg: "101"\n  label: "Capital"\n'
    accounts.write_text(text, encoding="utf-8")
    add_text(dest, "myceliandre", "2026-01", HOST_SETUP)
    for month in ("2026-01", "2026-02", "2026-03"):
        add_text(
            dest,
            "myceliandre",
            month,
            bill(f"{month}-01", "Charges:Le97:Loyer", "1200.00", "Proprietaire"),
        )
    return dest
