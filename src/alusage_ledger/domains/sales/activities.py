"""Sales activities: what an entity sells, on which income account, at which VAT rate.

An entity's activities come from ``[entities.<id>.activities]``, else the defaults of its
kind; each names its income account (PCG class 70), its default VAT rate or exemption,
goods or services, and its URSSAF category (micro-entrepreneurs). The turnover accounts
(class 70 and every activity's account) are read here too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from beancount.core import data

from alusage_ledger.books.entityconfig import ActivityConfig
from alusage_ledger.core.errors import UsageError
from alusage_ledger.core.i18n import _
from alusage_ledger.core.suggest import did_you_mean

if TYPE_CHECKING:
    from alusage_ledger.books.config import Config
    from alusage_ledger.books.loader import LoadedLedger


SERVICES_706 = ("706", "Prestations de services")
DEFAULT_ACTIVITIES: dict[str, dict[str, ActivityConfig]] = {
    "sas": {
        "facilitation": ActivityConfig(
            account="Produits:Prestations:Facilitation",
            pcg="7061",
            label="Prestations de services",
        ),
        "programmation": ActivityConfig(
            account="Produits:Prestations:Programmation",
            pcg="7062",
            label="Prestations de services",
        ),
        "formation": ActivityConfig(
            account="Produits:Prestations:Formation",
            pcg="7063",
            label="Prestations de services",
            rate="exempt",
            exemption="CGI art. 261-4-4° a",
        ),
        "maraichage": ActivityConfig(
            account="Produits:Ventes:Maraichage",
            pcg="701",
            label="Ventes de produits finis",
            rate="5.5",
            kind="goods",
        ),
    },
    "scic": {
        "le97": ActivityConfig(
            account="Produits:Le97:Refacturation",
            pcg="708",
            label="Produits des activités annexes",
        ),
    },
    "micro": {
        "services": ActivityConfig(
            account="Produits:Prestations:Services",
            pcg="706",
            label="Prestations de services",
            urssaf="bnc",
        ),
    },
}


def activities_of(config: Config, entity: str) -> dict[str, ActivityConfig]:
    """The entity's activities: configured, else the defaults of its kind."""
    entity_config = config.entity(entity)
    return dict(entity_config.activities or DEFAULT_ACTIVITIES.get(entity_config.kind, {}))


def activity_of_account(config: Config, entity: str) -> dict[str, str]:
    return {act.account: name for name, act in activities_of(config, entity).items()}


def urssaf_category(activity: ActivityConfig | None) -> str:
    if activity is None:
        return "bnc"
    if activity.urssaf:
        return activity.urssaf
    return "bic-sales" if activity.kind == "goods" else "bnc"


def resolve_activity(config: Config, entity: str, name: str) -> ActivityConfig:
    acts = activities_of(config, entity)
    found = acts.get(name.strip().lower())
    if found is None:
        raise UsageError(
            _("Unknown activity {name!r}{hint} for {entity}; its activities are: {known}.").format(
                name=name,
                hint=did_you_mean(name, acts),
                entity=entity,
                known=", ".join(sorted(acts)) or "-",
            )
        )
    return found


def revenue_account_set(config: Config, ledger: LoadedLedger) -> set[str]:
    """Turnover accounts: PCG class 70 (sales, services, ancillary income) and every
    configured activity's account."""
    out = {act.account for act in activities_of(config, ledger.entity).values()}
    income_root = ledger.roots()[3]
    for entry in ledger.entries:
        if isinstance(entry, data.Open) and entry.account.split(":", 1)[0] == income_root:
            pcg = (entry.meta or {}).get("pcg")
            if isinstance(pcg, str) and pcg.startswith("70"):
                out.add(entry.account)
    return out
