"""Which account plays which role in an entity's books (bank, clients, VAT...).

Commands never hard-code account names: they ask for a role, and the entity's
``[entities.<id>.accounts]`` table in ``alusage.toml`` may override any default below
(the defaults follow the example workspace and ``init``, French roots, PCG 2025).
Parents (``clients``, ``suppliers``, ``persons``) get one sub-account per third party,
opened by the tool on first use with the collective PCG number.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from alusage_ledger.core.errors import ConfigError
from alusage_ledger.core.i18n import _
from alusage_ledger.core.suggest import did_you_mean

if TYPE_CHECKING:
    from alusage_ledger.books.config import Config


class Role(NamedTuple):
    account: str
    pcg: str
    label: str


DEFAULT_ROLES: dict[str, Role] = {
    "bank": Role("Actif:Banque:Courant", "5121", "Banques - compte courant"),
    "cash": Role("Actif:Caisse", "530", "Caisse"),
    "suspense": Role("Actif:Attente", "471", "Comptes d'attente"),
    "clients": Role("Actif:Clients", "411", "Clients"),
    "suppliers": Role("Passif:Fournisseurs", "401", "Fournisseurs"),
    "persons": Role("Passif:NotesDeFrais", "467", "Autres comptes débiteurs ou créditeurs"),
    "vat-collected": Role("Passif:Etat:TVACollectee", "44571", "TVA collectée"),
    "vat-pending": Role(
        "Passif:Etat:TVAEnAttente", "44588", "TVA collectée en attente d'encaissement"
    ),
    "vat-deductible": Role("Actif:Etat:TVADeductible", "44566", "TVA sur autres biens et services"),
    "vat-deductible-pending": Role(
        "Actif:Etat:TVADeductibleEnAttente", "44586", "TVA déductible en attente de paiement"
    ),
    "vat-due": Role("Passif:Etat:TVAADecaisser", "44551", "TVA à décaisser"),
    "vat-credit": Role("Actif:Etat:CreditTVA", "44567", "Crédit de TVA à reporter"),
    "vat-instalment": Role(
        "Actif:Etat:AcomptesTVA", "44581", "Acomptes - régime simplifié d'imposition"
    ),
    # VAT return rounded to the euro: the difference with the ledger's cents (PCG 658/758).
    "vat-rounding-charge": Role(
        "Charges:Diverses:ArrondisTVA", "658", "Charges diverses de gestion courante"
    ),
    "vat-rounding-income": Role(
        "Produits:Divers:ArrondisTVA", "758", "Produits divers de gestion courante"
    ),
    # The final coefficient of deduction of a mixed entity (purchases/prorata.py).
    "vat-regularisation-charge": Role(
        "Charges:Diverses:RegularisationTVA", "658", "Charges diverses de gestion courante"
    ),
    "vat-regularisation-income": Role(
        "Produits:Divers:RegularisationTVA", "758", "Produits divers de gestion courante"
    ),
    "donations-given": Role("Charges:Dons", "6238", "Divers (pourboires, dons courants)"),
    "donations-received": Role("Produits:Dons", "7582", "Libéralités reçues"),
    "accrued-charges": Role("Passif:ChargesAPayer", "4686", "Divers - charges à payer"),
    "accrued-income": Role("Actif:ProduitsARecevoir", "4687", "Divers - produits à recevoir"),
    # Redistribution: a retribution is a sale of the recipient, a purchase of the giver.
    "retributions-income": Role(
        "Produits:Prestations:Retributions", "706", "Prestations de services"
    ),
    "retributions-expense": Role(
        "Charges:Retributions", "604", "Achats d'études et prestations de services"
    ),
    # The year's bookends (yearend.py, capital.py): result, its allocation, members' capital.
    # An entity whose books already have an open account with the role's PCG number uses it.
    "result-profit": Role("Capitaux:Resultat:Benefice", "120", "Résultat de l'exercice (bénéfice)"),
    "result-loss": Role("Capitaux:Resultat:Perte", "129", "Résultat de l'exercice (perte)"),
    "legal-reserve": Role("Capitaux:ReserveLegale", "1061", "Réserve légale"),
    "statutory-reserve": Role(
        "Capitaux:ReservesStatutaires", "1063", "Réserves statutaires ou contractuelles"
    ),
    "carry-forward": Role("Capitaux:ReportANouveau", "110", "Report à nouveau (solde créditeur)"),
    "carry-forward-debit": Role(
        "Capitaux:ReportANouveauDebiteur", "119", "Report à nouveau (solde débiteur)"
    ),
    "dividends-due": Role(
        "Passif:Associes:DividendesAPayer", "457", "Associés - dividendes à payer"
    ),
    "capital-paid": Role("Capitaux:Capital", "1013", "Capital souscrit - appelé, versé"),
    "capital-uncalled": Role("Capitaux:CapitalNonAppele", "1011", "Capital souscrit - non appelé"),
    "capital-uncalled-due": Role(
        "Capitaux:AssociesCapitalNonAppele", "109", "Actionnaires : capital souscrit - non appelé"
    ),
    "capital-refunds": Role(
        "Passif:Associes:CapitalARembourser", "4567", "Associés - capital à rembourser"
    ),
}


def role_account(config: Config, entity: str, role: str) -> Role:
    """The account for ``role`` in ``entity``'s books: configured, else the default."""
    configured = config.entity(entity).accounts.get(role)
    default = DEFAULT_ROLES.get(role)
    if configured is not None:
        if default is None:
            raise ConfigError(
                _(
                    "alusage.toml: entities.{entity}.accounts.{role}: unknown role{hint}; "
                    "the roles are: {known}."
                ).format(
                    entity=entity,
                    role=role,
                    hint=did_you_mean(role, DEFAULT_ROLES),
                    known=", ".join(sorted(DEFAULT_ROLES)),
                )
            )
        return Role(configured, default.pcg, default.label)
    if default is None:
        raise ConfigError(_("Unknown account role {role!r}.").format(role=role))
    return default
