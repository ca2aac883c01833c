"""The accounts of the Plan comptable général a small entity books to, with their wording.

A command given a PCG number that no open account carries (``bill add --account 6064``)
opens the account named here, with the number and the PCG's own label (PCG 2025, ANC
règlement 2014-03 as amended by 2022-06, classes 2, 6 and 7 as a small SAS, SCIC or
micro-entrepreneur uses them). The names follow the ledgers' French roots; the last
component is what a place's charge group calls the account (``Charges:Le97:Loyer``):
``official("6064")`` is ``Charges:Fournitures:Administratives``, "Fournitures administratives".
"""

from __future__ import annotations

from typing import NamedTuple


class OfficialAccount(NamedTuple):
    pcg: str
    name: str  # relative to the French roots (Actif, Passif, Capitaux, Produits, Charges)
    label: str


_ROWS = """
205|Actif:Immobilisations:Logiciels|Concessions et droits similaires, brevets, licences, marques, procédés, solutions informatiques, droits et valeurs similaires
2135|Actif:Immobilisations:Agencements|Installations générales, agencements, aménagements des constructions
2154|Actif:Immobilisations:Materiel|Matériel industriel
2183|Actif:Immobilisations:MaterielBureau|Matériel de bureau et matériel informatique
2184|Actif:Immobilisations:Mobilier|Mobilier
601|Charges:Achats:MatieresPremieres|Achats stockés - Matières premières (et fournitures)
602|Charges:Achats:Approvisionnements|Achats stockés - Autres approvisionnements
6022|Charges:Achats:FournituresConsommables|Fournitures consommables
604|Charges:Achats:Etudes|Achats d'études et prestations de services
6061|Charges:Fournitures:Energie|Fournitures non stockables (eau, énergie)
6063|Charges:Fournitures:PetitEquipement|Fournitures d'entretien et de petit équipement
6064|Charges:Fournitures:Administratives|Fournitures administratives
6068|Charges:Fournitures:Autres|Autres matières et fournitures
607|Charges:Achats:Marchandises|Achats de marchandises
611|Charges:SousTraitance|Sous-traitance générale
6122|Charges:CreditBail:Mobilier|Crédit-bail mobilier
6132|Charges:Locations:Loyer|Locations immobilières
6135|Charges:Locations:Mobilieres|Locations mobilières
614|Charges:Locations:ChargesLocatives|Charges locatives et de copropriété
6152|Charges:Entretien:Immobilier|Entretien et réparations sur biens immobiliers
6155|Charges:Entretien:Mobilier|Entretien et réparations sur biens mobiliers
6156|Charges:Maintenance|Maintenance
616|Charges:Assurances|Primes d'assurances
6181|Charges:Documentation:Generale|Documentation générale
6183|Charges:Documentation:Technique|Documentation technique
6185|Charges:Colloques|Frais de colloques, séminaires, conférences
621|Charges:PersonnelExterieur|Personnel extérieur à l'entreprise
6226|Charges:Honoraires|Honoraires
6227|Charges:FraisActes|Frais d'actes et de contentieux
6231|Charges:Publicite:Annonces|Annonces et insertions
6233|Charges:Publicite:Salons|Foires et expositions
6234|Charges:Publicite:Cadeaux|Cadeaux à la clientèle
6236|Charges:Publicite:Imprimes|Catalogues et imprimés
6238|Charges:Publicite:Divers|Divers (pourboires, dons courants)
6241|Charges:Transports:Achats|Transports sur achats
6248|Charges:Transports:Divers|Transports divers
6251|Charges:Deplacements|Voyages et déplacements
6256|Charges:Missions|Missions
6257|Charges:Receptions|Réceptions
626|Charges:Telecom:Internet|Frais postaux et de télécommunications
627|Charges:Banque:Frais|Services bancaires et assimilés
6281|Charges:Cotisations|Concours divers (cotisations...)
6284|Charges:Recrutement|Frais de recrutement de personnel
628|Charges:ServicesExterieurs:Divers|Divers
6311|Charges:Impots:TaxeSalaires|Taxe sur les salaires
6333|Charges:Impots:FormationContinue|Participation des employeurs à la formation professionnelle continue
635|Charges:Impots:Autres|Autres impôts, taxes et versements assimilés (administrations des impôts)
63511|Charges:Impots:CFE|Contribution économique territoriale
641|Charges:Personnel:Salaires|Rémunérations du personnel
644|Charges:Personnel:Exploitant|Rémunération du travail de l'exploitant
645|Charges:Personnel:ChargesSociales|Charges de sécurité sociale et de prévoyance
646|Charges:Personnel:CotisationsExploitant|Cotisations sociales personnelles de l'exploitant
647|Charges:Personnel:AutresCharges|Autres charges sociales
648|Charges:Personnel:Autres|Autres charges de personnel
651|Charges:Redevances|Redevances pour concessions, brevets, licences, marques, procédés, solutions informatiques, droits et valeurs similaires
6541|Charges:CreancesIrrecouvrables|Créances de l'exercice
658|Charges:GestionCourante:Divers|Charges diverses de gestion courante
661|Charges:Financieres:Interets|Charges d'intérêts
671|Charges:Exceptionnelles:Gestion|Charges exceptionnelles sur opérations de gestion
6811|Charges:Dotations:Amortissements|Dotations aux amortissements sur immobilisations incorporelles et corporelles
695|Charges:Impots:Benefices|Impôts sur les bénéfices
701|Produits:Ventes:ProduitsFinis|Ventes de produits finis
704|Produits:Travaux|Travaux
706|Produits:Prestations:Services|Prestations de services
707|Produits:Ventes:Marchandises|Ventes de marchandises
708|Produits:Annexes|Produits des activités annexes
7083|Produits:Annexes:Locations|Locations diverses
7088|Produits:Annexes:Autres|Autres produits d'activités annexes (cessions d'approvisionnements...)
74|Produits:Subventions|Subventions d'exploitation
7582|Produits:Dons|Libéralités reçues
768|Produits:Financiers:Autres|Autres produits financiers
"""

OFFICIAL: dict[str, OfficialAccount] = {
    pcg: OfficialAccount(pcg, name, label)
    for pcg, name, label in (line.split("|") for line in _ROWS.strip().splitlines())
}


def official(pcg: str) -> OfficialAccount | None:
    """The account of this exact PCG number, or None when the chart does not name one."""
    return OFFICIAL.get(pcg.strip())


def official_label(pcg: str) -> str | None:
    """The PCG's wording of ``pcg``, or of its nearest numbered parent (``61321`` → 6132's)."""
    number = pcg.strip()
    while len(number) >= 2:
        found = OFFICIAL.get(number)
        if found is not None:
            return found.label
        number = number[:-1]
    return None
