"""Lettering: matching the open items of third-party accounts (clients, suppliers,
persons), letter codes, and the aged balance of what is still open.

Modules: ``letters`` (items, segments between exercice closes, letter codes, automatic
lettering, check rule), ``manual`` (``letter --manual`` and ``letter`` over entities),
``settle`` (the letters a settling command writes, final or partial; ``letter --undo``),
``aged`` (aged balances by bucket).

May import: ``books`` and ``core`` only (it is the lowest domain). Other domains import
lettering only through the names below.
"""

from alusage_ledger.domains.lettering.letters import ITEM_LINK_KEY as ITEM_LINK_KEY
from alusage_ledger.domains.lettering.letters import THIRD_PARTY_ROLES as THIRD_PARTY_ROLES
from alusage_ledger.domains.lettering.letters import LetterIndex as LetterIndex
from alusage_ledger.domains.lettering.letters import assign as assign
from alusage_ledger.domains.lettering.letters import entry_id as entry_id
from alusage_ledger.domains.lettering.letters import letter_account as letter_account
from alusage_ledger.domains.lettering.letters import link_groups as link_groups
from alusage_ledger.domains.lettering.letters import open_items as open_items
from alusage_ledger.domains.lettering.letters import read_letters as read_letters
from alusage_ledger.domains.lettering.letters import third_party_accounts as third_party_accounts
from alusage_ledger.domains.lettering.settle import (
    ledger_settlement_letters as ledger_settlement_letters,
)
from alusage_ledger.domains.lettering.settle import settlement_letters as settlement_letters
