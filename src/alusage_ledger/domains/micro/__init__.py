"""Micro-entrepreneurs: the livre des recettes (receipts on a cash basis) and the
turnover by URSSAF category.

Modules: ``registers``.

May import: ``books``, ``core`` and the domains below it (``sales``, ``purchases``,
``lettering``) through their package interfaces. No other domain imports micro today;
its public names are below.
"""

from alusage_ledger.domains.micro.registers import recettes as recettes
from alusage_ledger.domains.micro.registers import require_micro as require_micro
from alusage_ledger.domains.micro.registers import urssaf_turnover as urssaf_turnover
