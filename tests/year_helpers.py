"""A small workspace for the year's bookends: a SCIC and a SAS, books from January 2026.

Each ledger has its roots, a few accounts and, per month, a sale and a rent; the opening
balances come from a trial balance through ``year open`` (the tests do it), so that the
whole year can be closed in a few seconds.
"""

from __future__ import annotations

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
siren = "930281571"
books_start = "2026-01"

[entities.coop.accounts]
bank = "Actif:Banque:Nef"

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


def build(root: Path, *, months: int = 12) -> Path:
    """Write the workspace (no opening entries yet) and return its root."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "alusage.toml").write_text(CONFIG, encoding="utf-8")
    for entity, accounts in ACCOUNTS.items():
        folder = root / "ledgers" / entity
        (folder / "2026").mkdir(parents=True, exist_ok=True)
        opens = [ROOTS, "\n2026-01-01 commodity EUR\n"]
        for account, pcg, label in accounts:
            opens.append(f'\n2026-01-01 open {account} EUR\n  pcg: "{pcg}"\n  label: "{label}"\n')
        (folder / "accounts.beancount").write_text("".join(opens), encoding="utf-8")
        includes = ['include "accounts.beancount"\n']
        for month in range(1, months + 1):
            text = month_text(entity, month)
            if not text:
                continue
            rel = f"2026/{month:02d}.beancount"
            (folder / rel).write_text(ROOTS + text, encoding="utf-8")
            includes.append(f'include "{rel}"\n')
        (folder / "main.beancount").write_text(
            ROOTS + 'option "operating_currency" "EUR"\n\n' + "".join(includes),
            encoding="utf-8",
        )
    (root / "coop-opening.csv").write_text(COOP_OPENING, encoding="utf-8")
    (root / "shop-opening.csv").write_text(SHOP_OPENING, encoding="utf-8")
    return root
