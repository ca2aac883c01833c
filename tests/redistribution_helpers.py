"""Small workspaces for the redistribution, intercompany and transparency tests.

``make_ws`` runs ``init`` (four entities, French roots, accounts with PCG numbers), appends
``[[redistribution]]`` policies (and any extra TOML) to ``alusage.toml``, and ``book``
appends hand-written entries to a month file of one entity, included from its main file,
the way a volunteer accountant would type them.
"""

from __future__ import annotations

from pathlib import Path

HEADER = "".join(
    f'option "{name}" "{root}"\n'
    for name, root in (
        ("name_assets", "Actif"),
        ("name_liabilities", "Passif"),
        ("name_equity", "Capitaux"),
        ("name_income", "Produits"),
        ("name_expenses", "Charges"),
    )
)

DON_REVENUE = """
[[redistribution]]
id = "don-commun"
from = "alusage"
to = "myceliandre"
kind = "don"
base = "revenue"
rate = "0.05"
since = 2026-01-01
"""


def make_ws(root: Path, toml: str = "") -> Path:
    from alusage_ledger.books.workspace_init import create_workspace

    create_workspace(root, git=False)
    config = root / "alusage.toml"
    config.write_text(config.read_text("utf-8") + toml, "utf-8")
    accounts = root / "ledgers" / "alusage" / "accounts.beancount"
    accounts.write_text(
        accounts.read_text("utf-8")
        + '\n2026-01-01 open Actif:Clients:CoopDesTilleuls EUR\n  pcg: "411"\n  label: "Clients"\n',
        "utf-8",
    )
    return root


def book(root: Path, entity: str, month: str, text: str) -> Path:
    """Append ``text`` to ``ledgers/<entity>/<YYYY>/<MM>.beancount`` (created and included)."""
    folder = root / "ledgers" / entity
    rel = f"{month[:4]}/{month[5:7]}.beancount"
    path = folder / rel
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(HEADER, "utf-8")
        main = folder / "main.beancount"
        main.write_text(main.read_text("utf-8") + f'include "{rel}"\n', "utf-8")
    path.write_text(path.read_text("utf-8") + "\n" + text.strip("\n") + "\n", "utf-8")
    return path


def sale(day: str, number: str, amount: str, *, project: str | None = None) -> str:
    """An invoice of Alusage SAS (services, VAT 20 %)."""
    from decimal import Decimal

    ht = Decimal(amount)
    vat = (ht * Decimal("0.2")).quantize(Decimal("0.01"))
    extra = f'\n  project: "{project}"' if project else ""
    return f"""
{day} * "Coop des Tilleuls" "Facture {number}" ^{number}
  invoice: "{number}"
  client: "Coop des Tilleuls"
  activity: "facilitation"
  vat-rate: "20"{extra}
  Actif:Clients:CoopDesTilleuls      {ht + vat:.2f} EUR
  Produits:Prestations:Facilitation  -{ht:.2f} EUR
  Passif:Etat:TVAEnAttente           -{vat:.2f} EUR
"""


def spend(day: str, account: str, amount: str, bank: str = "Actif:Banque:Courant") -> str:
    return f"""
{day} * "Fournisseur" "Dépense"
  {account}   {amount} EUR
  {bank}     -{amount} EUR
"""


def deposit(day: str, amount: str, bank: str = "Actif:Banque:Courant") -> str:
    return f"""
{day} * "Apport" "Apport en capital"
  {bank}   {amount} EUR
  Capitaux:Capital  -{amount} EUR
"""
