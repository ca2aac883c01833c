"""The lines of the annual accounts (*comptes annuels*) and which PCG numbers go to each.

The presentation is the abridged model that small entities may use (PCG, règlement ANC
n° 2014-03 as amended by ANC 2022-06, art. 822-1 and following: *modèles abrégés*), in
the PCG order. Line labels are the French statutory names (data, like the chart's account
labels). :data:`RULES` maps a PCG prefix to the line of a debit balance and the line of a
credit balance: the two differ where the PCG classifies a balance by its sign (a client
in credit, 411, is a debt shown as 419; a supplier in debit, 401, an asset shown as 409;
a bank in overdraft is a debt). The longest prefix wins. Accounts under a prefix of
:data:`NETTED` are summed first and their net classified (VAT, 445, by its net position).
"""

from __future__ import annotations

from typing import NamedTuple


class Line(NamedTuple):
    key: str
    statement: str  # "actif", "passif", "produits", "charges"
    section: str  # a key of SECTIONS
    label: str


class Section(NamedTuple):
    key: str
    statement: str
    label: str


SECTIONS: tuple[Section, ...] = (
    Section("capital_non_appele", "actif", "Capital souscrit non appelé"),
    Section("immobilise", "actif", "Actif immobilisé"),
    Section("circulant", "actif", "Actif circulant"),
    Section("regularisation_actif", "actif", "Comptes de régularisation"),
    Section("capitaux_propres", "passif", "Capitaux propres"),
    Section("provisions", "passif", "Provisions"),
    Section("dettes", "passif", "Dettes"),
    Section("regularisation_passif", "passif", "Comptes de régularisation"),
    Section("produits_exploitation", "produits", "Produits d'exploitation"),
    Section("charges_exploitation", "charges", "Charges d'exploitation"),
    Section("produits_financiers", "produits", "Produits financiers"),
    Section("charges_financieres", "charges", "Charges financières"),
    Section("produits_exceptionnels", "produits", "Produits exceptionnels"),
    Section("charges_exceptionnelles", "charges", "Charges exceptionnelles"),
    Section("impots", "charges", "Participation et impôts sur les bénéfices"),
)

LINES: tuple[Line, ...] = (
    # Bilan, actif
    Line("capital_non_appele", "actif", "capital_non_appele", "Capital souscrit non appelé"),
    Line("immo_incorporelles", "actif", "immobilise", "Immobilisations incorporelles"),
    Line("immo_corporelles", "actif", "immobilise", "Immobilisations corporelles"),
    Line("immo_financieres", "actif", "immobilise", "Immobilisations financières"),
    Line("stocks", "actif", "circulant", "Stocks et en-cours"),
    Line("avances_versees", "actif", "circulant", "Avances et acomptes versés sur commandes"),
    Line("creances_clients", "actif", "circulant", "Créances clients et comptes rattachés"),
    Line("autres_creances", "actif", "circulant", "Autres créances"),
    Line("vmp", "actif", "circulant", "Valeurs mobilières de placement"),
    Line("disponibilites", "actif", "circulant", "Disponibilités"),
    Line("cca", "actif", "regularisation_actif", "Charges constatées d'avance"),
    # Bilan, passif
    Line("capital", "passif", "capitaux_propres", "Capital social ou individuel"),
    Line("primes", "passif", "capitaux_propres", "Primes d'émission, de fusion, d'apport"),
    Line("ecarts_reevaluation", "passif", "capitaux_propres", "Écarts de réévaluation"),
    Line("reserve_legale", "passif", "capitaux_propres", "Réserve légale"),
    Line(
        "reserves_statutaires",
        "passif",
        "capitaux_propres",
        "Réserves statutaires ou contractuelles",
    ),
    Line("reserves_reglementees", "passif", "capitaux_propres", "Réserves réglementées"),
    Line("autres_reserves", "passif", "capitaux_propres", "Autres réserves"),
    Line("report_a_nouveau", "passif", "capitaux_propres", "Report à nouveau"),
    Line("resultat", "passif", "capitaux_propres", "Résultat de l'exercice (bénéfice ou perte)"),
    Line(
        "subventions_investissement", "passif", "capitaux_propres", "Subventions d'investissement"
    ),
    Line("provisions_reglementees", "passif", "capitaux_propres", "Provisions réglementées"),
    Line("provisions", "passif", "provisions", "Provisions pour risques et charges"),
    Line("emprunts", "passif", "dettes", "Emprunts et dettes assimilées"),
    Line("avances_recues", "passif", "dettes", "Avances et acomptes reçus sur commandes en cours"),
    Line("fournisseurs", "passif", "dettes", "Dettes fournisseurs et comptes rattachés"),
    Line("fiscales_sociales", "passif", "dettes", "Dettes fiscales et sociales"),
    Line("autres_dettes", "passif", "dettes", "Autres dettes"),
    Line("pca", "passif", "regularisation_passif", "Produits constatés d'avance"),
    # Compte de résultat
    Line("ventes_marchandises", "produits", "produits_exploitation", "Ventes de marchandises"),
    Line(
        "production_vendue",
        "produits",
        "produits_exploitation",
        "Production vendue (biens et services)",
    ),
    Line("production_stockee", "produits", "produits_exploitation", "Production stockée"),
    Line("production_immobilisee", "produits", "produits_exploitation", "Production immobilisée"),
    Line(
        "subventions_exploitation",
        "produits",
        "produits_exploitation",
        "Subventions d'exploitation",
    ),
    Line(
        "reprises_exploitation",
        "produits",
        "produits_exploitation",
        "Reprises sur amortissements, dépréciations et provisions, transferts de charges",
    ),
    Line("autres_produits", "produits", "produits_exploitation", "Autres produits"),
    Line("achats_marchandises", "charges", "charges_exploitation", "Achats de marchandises"),
    Line(
        "variation_marchandises",
        "charges",
        "charges_exploitation",
        "Variation de stock (marchandises)",
    ),
    Line(
        "achats_matieres",
        "charges",
        "charges_exploitation",
        "Achats de matières premières et autres approvisionnements",
    ),
    Line(
        "variation_matieres",
        "charges",
        "charges_exploitation",
        "Variation de stock (matières premières et approvisionnements)",
    ),
    Line(
        "charges_externes", "charges", "charges_exploitation", "Autres achats et charges externes"
    ),
    Line(
        "impots_taxes", "charges", "charges_exploitation", "Impôts, taxes et versements assimilés"
    ),
    Line("salaires", "charges", "charges_exploitation", "Salaires et traitements"),
    Line("charges_sociales", "charges", "charges_exploitation", "Charges sociales"),
    Line(
        "dotations_exploitation",
        "charges",
        "charges_exploitation",
        "Dotations aux amortissements, dépréciations et provisions",
    ),
    Line("autres_charges", "charges", "charges_exploitation", "Autres charges"),
    Line("produits_financiers", "produits", "produits_financiers", "Produits financiers"),
    Line("charges_financieres", "charges", "charges_financieres", "Charges financières"),
    Line("produits_exceptionnels", "produits", "produits_exceptionnels", "Produits exceptionnels"),
    Line(
        "charges_exceptionnelles", "charges", "charges_exceptionnelles", "Charges exceptionnelles"
    ),
    Line("participation", "charges", "impots", "Participation des salariés aux résultats"),
    Line("impot_benefices", "charges", "impots", "Impôts sur les bénéfices"),
)

LINE_BY_KEY = {line.key: line for line in LINES}


class Rule(NamedTuple):
    prefix: str
    debit: str  # the line of a debit balance
    credit: str  # the line of a credit balance


def _fixed(prefix: str, line: str) -> Rule:
    return Rule(prefix, line, line)


# Longest prefix wins. Prefixes of one digit are the fallbacks of their class.
RULES: tuple[Rule, ...] = (
    # Class 1: capitaux propres, provisions, emprunts
    _fixed("10", "capital"),
    _fixed("101", "capital"),
    _fixed("108", "capital"),
    _fixed("109", "capital_non_appele"),
    _fixed("104", "primes"),
    _fixed("105", "ecarts_reevaluation"),
    _fixed("106", "autres_reserves"),
    _fixed("1061", "reserve_legale"),
    _fixed("1062", "reserves_reglementees"),
    _fixed("1063", "reserves_statutaires"),
    _fixed("1064", "reserves_reglementees"),
    _fixed("107", "ecarts_reevaluation"),
    _fixed("11", "report_a_nouveau"),
    _fixed("12", "resultat"),
    _fixed("13", "subventions_investissement"),
    _fixed("14", "provisions_reglementees"),
    _fixed("15", "provisions"),
    _fixed("16", "emprunts"),
    _fixed("17", "emprunts"),
    Rule("18", "autres_creances", "autres_dettes"),
    _fixed("1", "autres_dettes"),
    # Class 2: immobilisations (depreciation, 28 and 29, nets on the asset's line)
    _fixed("2", "immo_corporelles"),
    _fixed("20", "immo_incorporelles"),
    _fixed("280", "immo_incorporelles"),
    _fixed("290", "immo_incorporelles"),
    _fixed("26", "immo_financieres"),
    _fixed("27", "immo_financieres"),
    _fixed("296", "immo_financieres"),
    _fixed("297", "immo_financieres"),
    # Class 3: stocks
    _fixed("3", "stocks"),
    # Class 4: third parties, by the sign of the balance
    Rule("4", "autres_creances", "autres_dettes"),
    Rule("40", "avances_versees", "fournisseurs"),
    Rule("41", "creances_clients", "avances_recues"),
    _fixed("419", "avances_recues"),
    Rule("42", "autres_creances", "fiscales_sociales"),
    Rule("43", "autres_creances", "fiscales_sociales"),
    Rule("44", "autres_creances", "fiscales_sociales"),
    Rule("45", "autres_creances", "autres_dettes"),
    Rule("46", "autres_creances", "autres_dettes"),
    Rule("47", "autres_creances", "autres_dettes"),
    _fixed("486", "cca"),
    _fixed("487", "pca"),
    _fixed("491", "creances_clients"),
    # Class 5: treasury; a bank in overdraft is a debt
    Rule("5", "disponibilites", "emprunts"),
    _fixed("50", "vmp"),
    _fixed("59", "vmp"),
    _fixed("519", "emprunts"),
    # Class 6: charges
    _fixed("6", "autres_charges"),
    _fixed("60", "charges_externes"),
    _fixed("601", "achats_matieres"),
    _fixed("602", "achats_matieres"),
    _fixed("6031", "variation_matieres"),
    _fixed("6032", "variation_matieres"),
    _fixed("6037", "variation_marchandises"),
    _fixed("607", "achats_marchandises"),
    _fixed("6081", "achats_matieres"),
    _fixed("6082", "achats_matieres"),
    _fixed("6087", "achats_marchandises"),
    _fixed("6091", "achats_matieres"),
    _fixed("6092", "achats_matieres"),
    _fixed("6097", "achats_marchandises"),
    _fixed("61", "charges_externes"),
    _fixed("62", "charges_externes"),
    _fixed("63", "impots_taxes"),
    _fixed("64", "charges_sociales"),
    _fixed("641", "salaires"),
    _fixed("644", "salaires"),
    _fixed("648", "salaires"),
    _fixed("65", "autres_charges"),
    _fixed("66", "charges_financieres"),
    _fixed("67", "charges_exceptionnelles"),
    _fixed("68", "dotations_exploitation"),
    _fixed("686", "charges_financieres"),
    _fixed("687", "charges_exceptionnelles"),
    _fixed("69", "impot_benefices"),
    _fixed("691", "participation"),
    # Class 7: produits
    _fixed("7", "autres_produits"),
    _fixed("70", "production_vendue"),
    _fixed("707", "ventes_marchandises"),
    _fixed("7097", "ventes_marchandises"),
    _fixed("71", "production_stockee"),
    _fixed("72", "production_immobilisee"),
    _fixed("74", "subventions_exploitation"),
    _fixed("75", "autres_produits"),
    _fixed("76", "produits_financiers"),
    _fixed("77", "produits_exceptionnels"),
    _fixed("78", "reprises_exploitation"),
    _fixed("786", "produits_financiers"),
    _fixed("787", "produits_exceptionnels"),
    _fixed("79", "reprises_exploitation"),
    _fixed("796", "produits_financiers"),
    _fixed("797", "produits_exceptionnels"),
)

NETTED: tuple[str, ...] = ("445",)

_BY_PREFIX = {rule.prefix: rule for rule in RULES}


def rule_for(pcg: str) -> Rule | None:
    """The rule of the longest prefix of ``pcg`` (None outside classes 1 to 7)."""
    for end in range(len(pcg), 0, -1):
        rule = _BY_PREFIX.get(pcg[:end])
        if rule is not None:
            return rule
    return None


def netting_group(pcg: str) -> str | None:
    return next((prefix for prefix in NETTED if pcg.startswith(prefix)), None)
