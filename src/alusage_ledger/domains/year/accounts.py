"""The accounts the year's work books on, found in a loaded ledger: a role's account (the
configured one, else the one open account with the role's PCG number, else the default),
the accounts of a PCG number, the result accounts (120 profit, 129 loss)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from alusage_ledger.books.accounts import account_info
from alusage_ledger.books.roles import DEFAULT_ROLES, Role, role_account

if TYPE_CHECKING:
    from alusage_ledger.books.config import Config
    from alusage_ledger.books.loader import LoadedLedger

#: Roles whose account is the parent of one sub-account per third party.
PARENT_ROLES = frozenset({"clients", "suppliers", "persons", "capital-refunds"})


def ledger_role(config: Config, ledger: LoadedLedger, role: str) -> Role:
    """The account of ``role``: configured; else the one open account with the role's PCG
    number (the example names its 1013 ``Capitaux:Capital:PartsSociales``); else the
    default of ``roles.py``."""
    if role in config.entity(ledger.entity).accounts or role in PARENT_ROLES:
        return role_account(config, ledger.entity, role)
    default = DEFAULT_ROLES[role]
    info = account_info(ledger.entries)
    matches = sorted(a for a, (pcg, _label) in info.items() if pcg == default.pcg)
    if default.account in matches or not matches:
        return default
    chosen = matches[0]
    return Role(chosen, default.pcg, info[chosen][1] or default.label)


def accounts_with_pcg(ledger: LoadedLedger, *prefixes: str) -> list[str]:
    """Open accounts whose PCG number starts with one of ``prefixes``."""
    return sorted(
        a for a, (pcg, _l) in account_info(ledger.entries).items() if pcg.startswith(prefixes)
    )


def result_accounts(config: Config, ledger: LoadedLedger) -> tuple[Role, Role]:
    """The accounts of the result: (profit, loss)."""
    return ledger_role(config, ledger, "result-profit"), ledger_role(config, ledger, "result-loss")
