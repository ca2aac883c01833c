"""The PCG 2025 account plan the tool uses: account names with French roots, numbers, labels.

Every ``open`` the tool writes carries its full PCG number (``pcg``) and label; the FEC's
``CompteNum``/``CompteLib`` come from them. Labels follow PCG 2025 (ANC 2022-06) as
transcribed in ``docs/ledger-conventions.md``; sub-accounts extend the number with digits.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

from alusage_ledger.core.pcg import official_label


class ChartAccount(NamedTuple):
    name: str  # relative to the French roots (Actif, Passif, Capitaux, Produits, Charges)
    pcg: str
    label: str


FRENCH_ROOTS = ("Actif", "Passif", "Capitaux", "Produits", "Charges")

COMMON = (
    ChartAccount("Actif:Banque:Courant", "5121", "Banques - compte courant"),
    ChartAccount("Actif:Caisse", "530", "Caisse"),
    ChartAccount("Actif:Attente", "471", "Comptes d'attente"),
    ChartAccount("Charges:Banque:Frais", "627", "Services bancaires et assimilés"),
)

SOCIETY = (
    ChartAccount("Capitaux:Capital", "1013", "Capital souscrit - appelé, versé"),
    ChartAccount("Capitaux:ReserveLegale", "1061", "Réserve légale"),
    ChartAccount("Capitaux:ReportANouveau", "110", "Report à nouveau (solde créditeur)"),
    ChartAccount("Actif:Etat:TVADeductible", "44566", "TVA sur autres biens et services"),
    ChartAccount("Passif:Etat:TVACollectee", "44571", "TVA collectée"),
    ChartAccount("Passif:Etat:TVAEnAttente", "44588", "TVA collectée en attente d'encaissement"),
    ChartAccount("Passif:Etat:TVAADecaisser", "44551", "TVA à décaisser"),
    ChartAccount("Charges:Assurances", "616", "Primes d'assurances"),
    ChartAccount("Charges:Telecom", "626", "Frais postaux et de télécommunications"),
)

BY_KIND: dict[str, tuple[ChartAccount, ...]] = {
    "sas": COMMON
    + SOCIETY
    + (
        ChartAccount("Produits:Prestations:Facilitation", "7061", "Prestations de services"),
        ChartAccount("Produits:Prestations:Programmation", "7062", "Prestations de services"),
        ChartAccount("Produits:Prestations:Formation", "7063", "Prestations de services"),
        ChartAccount("Produits:Ventes:Maraichage", "701", "Ventes de produits finis"),
        ChartAccount("Charges:Personnel:Salaires", "641", "Rémunérations du personnel"),
        ChartAccount(
            "Charges:Personnel:ChargesSociales",
            "645",
            "Charges de sécurité sociale et de prévoyance",
        ),
        ChartAccount("Passif:Personnel:Remunerations", "421", "Personnel - rémunérations dues"),
        ChartAccount("Passif:Organismes:Urssaf", "431", "Sécurité sociale"),
        ChartAccount("Charges:Locations:Le97", "6132", "Locations immobilières"),
        ChartAccount("Charges:Dons:Myceliandre", "6238", "Divers (pourboires, dons courants)"),
    ),
    "scic": COMMON
    + SOCIETY
    + (
        ChartAccount(
            "Capitaux:ReservesStatutaires", "1063", "Réserves statutaires ou contractuelles"
        ),
        ChartAccount("Charges:Le97:Loyer", "6132", "Locations immobilières"),
        ChartAccount("Charges:Le97:ChargesLocatives", "614", "Charges locatives et de copropriété"),
        ChartAccount("Charges:Le97:Energie", "6061", "Fournitures non stockables (eau, énergie)"),
        ChartAccount("Produits:Le97:Refacturation", "708", "Produits des activités annexes"),
        ChartAccount("Produits:Dons:Alusage", "7582", "Libéralités reçues"),
    ),
    "micro": COMMON
    + (
        ChartAccount("Capitaux:Exploitant", "108", "Compte de l'exploitant"),
        ChartAccount("Produits:Prestations:Services", "706", "Prestations de services"),
    ),
}


#: What ``init`` opens for an entity of each kind before its activities, places and
#: policies add theirs: no activity is implied by the kind (BY_KIND keeps the example's).
BASE_BY_KIND: dict[str, tuple[ChartAccount, ...]] = {
    "sas": COMMON + SOCIETY,
    "scic": COMMON
    + SOCIETY
    + (
        ChartAccount(
            "Capitaux:ReservesStatutaires", "1063", "Réserves statutaires ou contractuelles"
        ),
    ),
    "micro": COMMON + (ChartAccount("Capitaux:Exploitant", "108", "Compte de l'exploitant"),),
}


def label_for(pcg: str) -> str | None:
    """The label of ``pcg``: the tool's own accounts first, then the PCG's wording."""
    for accounts in BY_KIND.values():
        for account in accounts:
            if account.pcg == pcg:
                return account.label
    return official_label(pcg)


_COMPONENT = re.compile(r"[^A-Za-z0-9]+")


def account_component(name: str) -> str:
    """A free name ('Coop des Tilleuls', 'nicolas-jeudy') as one account component.

    ``nicolas-jeudy`` → ``NicolasJeudy``; accents are dropped; a leading digit gets ``X``.
    """
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    words = [w for w in _COMPONENT.split(ascii_name) if w]
    component = "".join(w[:1].upper() + w[1:] for w in words)
    if not component:
        component = "X"
    if not component[0].isalpha():
        component = "X" + component
    return component[:60]
