"""Lettering: matching the open items of third-party accounts (clients, suppliers,
persons), letter codes, and the aged balance of what is still open.

Modules: ``letters`` (items, letter codes, automatic and manual lettering, check rule),
``aged`` (aged balances by bucket).

May import: ``books`` and ``core`` only (it is the lowest domain). Other domains import
lettering only through the names below.
"""

from alusage_ledger.domains.lettering.letters import THIRD_PARTY_ROLES as THIRD_PARTY_ROLES
from alusage_ledger.domains.lettering.letters import LetterIndex as LetterIndex
from alusage_ledger.domains.lettering.letters import assign as assign
from alusage_ledger.domains.lettering.letters import letter_account as letter_account
from alusage_ledger.domains.lettering.letters import link_groups as link_groups
from alusage_ledger.domains.lettering.letters import read_letters as read_letters
