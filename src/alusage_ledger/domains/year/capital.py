"""TRANSITION: the members' capital moved to the modules of :mod:`alusage_ledger.domains.year`
(``register``, ``capital_movements``, ``register_report``, ``capital_checks``).

This module re-exports the names the CLI imports from it, and imports the capital's check
rule: ``books.checks.RULE_MODULES`` lists this module.
"""

# Registers the check rules: the year's first (this module imported yearend), then the
# capital's (the register ties to the books). RULE_MODULES lists this module.
import alusage_ledger.domains.year.checks

# isort: split
import alusage_ledger.domains.year.capital_checks  # noqa: F401
from alusage_ledger.domains.year.capital_movements import (
    CapitalRequest as CapitalRequest,  # TRANSITION: moved to domains.year.capital_movements
)
from alusage_ledger.domains.year.capital_movements import (
    record_movement as record_movement,  # TRANSITION: moved to domains.year.capital_movements
)
from alusage_ledger.domains.year.register import (
    capital_entity as capital_entity,  # TRANSITION: moved to domains.year.register
)
from alusage_ledger.domains.year.register import (
    register_of as register_of,  # TRANSITION: moved to domains.year.register
)
from alusage_ledger.domains.year.register_report import (
    COLUMNS as COLUMNS,  # TRANSITION: moved to domains.year.register_report
)
from alusage_ledger.domains.year.register_report import (
    register_csv as register_csv,  # TRANSITION: moved to domains.year.register_report
)
from alusage_ledger.domains.year.register_report import (
    register_json as register_json,  # TRANSITION: moved to domains.year.register_report
)
from alusage_ledger.domains.year.register_report import (
    register_markdown as register_markdown,  # TRANSITION: moved to domains.year.register_report
)
from alusage_ledger.domains.year.register_report import (
    register_rows as register_rows,  # TRANSITION: moved to domains.year.register_report
)
