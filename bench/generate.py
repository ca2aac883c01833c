"""Generate a realistic multi-entity workspace of N transactions for benchmarks.

    python bench/generate.py --transactions 10000 --out /tmp/bench-10k

French roots, PCG numbers, invoices with pending VAT and their receipts, supplier bills
and payments, salaries, usage declarations for le 97, one month file per month. The
transactions are spread over as many years as needed (about 1 000 a month for Alusage
SAS, a quarter of that for Mycéliandre). Deterministic: the same arguments give the
same bytes.
"""

from __future__ import annotations

import argparse
import random
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOTS = "".join(
    f'option "{n}" "{r}"\n'
    for n, r in zip(
        ("name_assets", "name_liabilities", "name_equity", "name_income", "name_expenses"),
        ("Actif", "Passif", "Capitaux", "Produits", "Charges"),
        strict=True,
    )
)
MAIN_EXTRA = (
    'option "operating_currency" "EUR"\n'
    'option "account_previous_balances" "Ouverture"\n'
    'option "account_previous_earnings" "Resultat:Anterieur"\n'
    'option "account_current_earnings" "Resultat:Courant"\n'
)

CLIENTS = [f"Client{chr(65 + i)}{j}" for i in range(26) for j in range(4)]
SUPPLIERS = [
    "ProprietaireBattant",
    "EnergieLocale",
    "OperateurInternet",
    "MutuelleAssurance",
    "NettoyageSolidaire",
    "HebergeurCoop",
    "OutillageMaraicher",
]
ACTIVITIES = [
    ("facilitation", "Facilitation", "7061"),
    ("programmation", "Programmation", "7062"),
    ("formation", "Formation", "7063"),
]


def money(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01')):.2f}"


def accounts_alusage() -> list[tuple[str, str, str]]:
    accs = [
        ("Actif:Banque:CreditCooperatif", "5121", "Banques - compte courant"),
        ("Actif:Etat:TVADeductible", "44566", "TVA sur autres biens et services"),
        ("Passif:Etat:TVACollectee", "44571", "TVA collectée"),
        ("Passif:Etat:TVAEnAttente", "44588", "TVA collectée en attente d'encaissement"),
        ("Capitaux:Capital", "1013", "Capital souscrit - appelé, versé"),
        ("Charges:Personnel:Salaires", "641", "Rémunérations du personnel"),
        ("Charges:Achats:Logiciels", "6064", "Fournitures administratives"),
        ("Charges:Locations:Le97", "6132", "Locations immobilières"),
        ("Passif:Fournisseurs:Myceliandre", "401", "Fournisseurs"),
        ("Produits:Ventes:Maraichage", "701", "Ventes de produits finis"),
    ]
    accs += [
        (f"Produits:Prestations:{name}", pcg, "Prestations de services")
        for _, name, pcg in ACTIVITIES
    ]
    accs += [(f"Actif:Clients:{c}", "411", "Clients") for c in CLIENTS]
    accs += [(f"Passif:Fournisseurs:{s}", "401", "Fournisseurs") for s in SUPPLIERS]
    return accs


def accounts_myceliandre() -> list[tuple[str, str, str]]:
    accs = [
        ("Actif:Banque:Nef", "5121", "Banques - compte courant"),
        ("Actif:Usagers:Le97", "4181", "Clients - factures à établir"),
        ("Produits:Le97:Refacturation", "708", "Produits des activités annexes"),
        ("Capitaux:Capital:PartsSociales", "1013", "Capital souscrit - appelé, versé"),
        ("Charges:Le97:Loyer", "6132", "Locations immobilières"),
        ("Charges:Le97:Energie", "6061", "Fournitures non stockables (eau, énergie)"),
        ("Charges:Le97:Internet", "626", "Frais postaux et de télécommunications"),
        ("Charges:Le97:Menage", "6283", "Nettoyage des locaux"),
        ("Produits:Dons:Alusage", "7582", "Libéralités reçues"),
    ]
    accs += [(f"Passif:Fournisseurs:{s}", "401", "Fournisseurs") for s in SUPPLIERS]
    return accs


def opens(start: date, accs: list[tuple[str, str, str]]) -> str:
    out = [ROOTS, f"{start} commodity EUR\n"]
    out += [f'{start} open {a} EUR\n  pcg: "{p}"\n  label: "{lbl}"\n' for a, p, lbl in accs]
    return "\n".join(out)


def month_days(year: int, month: int) -> int:
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return (nxt - date(year, month, 1)).days


def generate(out: Path, transactions: int, seed: int = 97) -> dict[str, int]:
    rnd = random.Random(seed)
    start = date(2020, 1, 1)
    per_month_alusage = 1000
    months = max(1, -(-transactions * 4 // 5 // per_month_alusage))
    counts = {"alusage": 0, "myceliandre": 0}
    config = ['[workspace]\nlocale = "fr_FR"\ncurrency = "EUR"\nallowed_plugins = []\n']
    for entity, name, kind, bank in (
        ("alusage", "Alusage SAS", "sas", "Actif:Banque:CreditCooperatif"),
        ("myceliandre", "Mycéliandre SCIC", "scic", "Actif:Banque:Nef"),
    ):
        config.append(
            f'[entities.{entity}]\nname = "{name}"\nkind = "{kind}"\n'
            f'ledger = "ledgers/{entity}/main.beancount"\nbooks_start = "{start:%Y-%m}"\n\n'
            f'[entities.{entity}.accounts]\nbank = "{bank}"\n'
        )
        regime = "reel-mensuel" if entity == "alusage" else "franchise"
        config.append(f'[[entities.{entity}.vat]]\nsince = {start}\nregime = "{regime}"\n')
        if entity == "alusage":
            # ~500 invoices a month: five digits keep the series valid at any size.
            config.append(
                '[entities.alusage.series]\ninvoice = "F{year}-{seq:05}"\n'
                'credit_note = "A{year}-{seq:05}"\n'
            )
            config += [
                f'[entities.alusage.activities.{act}]\naccount = "Produits:Prestations:{acc}"\n'
                f'pcg = "{pcg}"\nrate = "20"\n'
                for act, acc, pcg in ACTIVITIES
            ]
    config.append(
        '[places.le97]\nname = "Le 97"\nhost = "myceliandre"\n'
        'receivable = "Actif:Usagers:Le97"\nincome = "Produits:Le97:Refacturation"\n'
        'mirror_expense = "Charges:Locations:Le97"\n'
        'mirror_payable = "Passif:Fournisseurs:Myceliandre"\n\n'
        '[[places.le97.charges]]\nname = "loyer"\naccounts = ["Charges:Le97:Loyer"]\n'
        'key = "surface"\n\n'
        '[[places.le97.charges]]\nname = "energie"\naccounts = ["Charges:Le97:Energie"]\n'
        'key = { surface = "0.5", days = "0.5" }\n\n'
        '[[places.le97.charges]]\nname = "services"\n'
        'accounts = ["Charges:Le97:Internet", "Charges:Le97:Menage"]\nkey = "equal"\n'
    )
    config += [
        f'[[places.le97.members]]\nid = "{member}"\n{extra}since = {start}\n'
        f'surface_m2 = "{surface}"\ndesks = {desks}\n'
        for member, extra, surface, desks in (
            ("alusage", 'entity = "alusage"\naccount = "Alusage"\n', "40", 4),
            ("nicolas-jeudy", 'name = "Nicolas Jeudy"\n', "10", 1),
            ("membre-a", 'name = "Membre A"\n', "10", 1),
        )
    ]
    (out).mkdir(parents=True, exist_ok=True)
    (out / "alusage.toml").write_text("\n".join(config), "utf-8")

    budget = {"alusage": transactions * 4 // 5, "myceliandre": transactions - transactions * 4 // 5}
    for entity, accs in (("alusage", accounts_alusage()), ("myceliandre", accounts_myceliandre())):
        folder = out / "ledgers" / entity
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "accounts.beancount").write_text(opens(start, accs), "utf-8")
        includes = ['include "accounts.beancount"']
        per_month = -(-budget[entity] // months)
        invoice_seq: dict[int, int] = {}
        left = budget[entity]
        first = True
        for index in range(months):
            year, month = (
                start.year + (start.month - 1 + index) // 12,
                (start.month - 1 + index) % 12 + 1,
            )
            days = month_days(year, month)
            chunks = [ROOTS]
            if first:
                chunks.append(
                    f'{year}-{month:02d}-01 * "Reprise des soldes" #ouverture\n  journal: "AN"\n'
                    f"  {accs[0][0]}  20000.00 EUR\n  {accs[1 if entity == 'myceliandre' else 4][0]}  -20000.00 EUR\n"
                )
                counts[entity] += 1
                left -= 1
                first = False
            n = min(per_month, left)
            made = 0
            # Invoice numbers follow dates (a numbering rule of the French tax code).
            invoice_days = sorted(
                date(year, month, 1 + rnd.randrange(days)) for _ in range((n + 1) // 2)
            )
            while made < n:
                day = date(year, month, 1 + rnd.randrange(days))
                if entity == "alusage":
                    day = invoice_days[made // 2]
                    seq = invoice_seq.get(year, 0) + 1
                    invoice_seq[year] = seq
                    number = f"F{year}-{seq:05d}"
                    act, acc, _pcg = rnd.choice(ACTIVITIES)
                    client = rnd.choice(CLIENTS)
                    ht = Decimal(rnd.randrange(5000, 300000)) / 100
                    vat = (ht * Decimal("0.20")).quantize(Decimal("0.01"))
                    ttc = ht + vat
                    chunks.append(
                        f'{day} * "{client}" "Facture {number}" ^{number}\n'
                        f'  invoice: "{number}"\n  client: "{client}"\n  activity: "{act}"\n  vat-rate: "20"\n'
                        f"  Actif:Clients:{client}  {money(ttc)} EUR\n"
                        f"  Produits:Prestations:{acc}  -{money(ht)} EUR\n"
                        f"  Passif:Etat:TVAEnAttente  -{money(vat)} EUR\n"
                    )
                    made += 1
                    if made < n:
                        paid = min(
                            day + timedelta(days=rnd.randrange(1, 20)), date(year, month, days)
                        )
                        chunks.append(
                            f'{paid} * "{client}" "Règlement {number}" ^{number}\n  invoice: "{number}"\n'
                            f"  Actif:Banque:CreditCooperatif  {money(ttc)} EUR\n"
                            f"  Actif:Clients:{client}  -{money(ttc)} EUR\n"
                            f"  Passif:Etat:TVAEnAttente  {money(vat)} EUR\n"
                            f"  Passif:Etat:TVACollectee  -{money(vat)} EUR\n"
                        )
                        made += 1
                else:
                    supplier = rnd.choice(SUPPLIERS)
                    account = rnd.choice(
                        [
                            "Charges:Le97:Energie",
                            "Charges:Le97:Internet",
                            "Charges:Le97:Menage",
                            "Charges:Le97:Loyer",
                        ]
                    )
                    amount = Decimal(rnd.randrange(2000, 150000)) / 100
                    ref = f"{supplier[:3].upper()}-{year}{month:02d}-{made:04d}"
                    chunks.append(
                        f'{day} * "{supplier}" "Facture {ref}" ^myceliandre-{ref}\n'
                        f'  piece-ref: "{ref}"\n  supplier: "{supplier}"\n'
                        f"  {account}  {money(amount)} EUR\n"
                        f"  Passif:Fournisseurs:{supplier}  -{money(amount)} EUR\n"
                    )
                    made += 1
                    if made < n:
                        chunks.append(
                            f'{day} * "{supplier}" "Paiement {ref}" ^myceliandre-{ref}\n'
                            f"  Passif:Fournisseurs:{supplier}  {money(amount)} EUR\n"
                            f"  Actif:Banque:Nef  -{money(amount)} EUR\n"
                        )
                        made += 1
            if entity == "myceliandre":
                last = date(year, month, days)
                for member, used in (("alusage", 12), ("nicolas-jeudy", 8), ("membre-a", 5)):
                    chunks.append(f'{last} custom "alusage-usage" "le97" "{member}" {used}\n')
            counts[entity] += made
            left -= made
            rel = f"{year}/{month:02d}.beancount"
            (folder / str(year)).mkdir(exist_ok=True)
            (folder / rel).write_text("\n".join(chunks), "utf-8")
            includes.append(f'include "{rel}"')
        (folder / "main.beancount").write_text(
            ROOTS + f'option "title" "{entity}"\n' + MAIN_EXTRA + "\n" + "\n".join(includes) + "\n",
            "utf-8",
        )
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transactions", type=int, default=10000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=97)
    args = parser.parse_args()
    counts = generate(args.out, args.transactions, args.seed)
    print(f"{args.out}: {counts}")


if __name__ == "__main__":
    main()
