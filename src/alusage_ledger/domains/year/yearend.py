"""TRANSITION: the year's bookends moved to the modules of :mod:`alusage_ledger.domains.year`.

This module re-exports the names the CLI and the ledger reports import from it, and
imports the year's check rules: ``books.checks.RULE_MODULES`` lists this module.
"""

# Registers the check rules (exercice locks, allocations): RULE_MODULES lists this module.
import alusage_ledger.domains.year.checks  # noqa: F401
from alusage_ledger.domains.year.allocation import (
    Allocation as Allocation,  # TRANSITION: moved to domains.year.allocation
)
from alusage_ledger.domains.year.allocation import (
    Minimums as Minimums,  # TRANSITION: moved to domains.year.allocation
)
from alusage_ledger.domains.year.allocation import (
    allocate as allocate,  # TRANSITION: moved to domains.year.allocation
)
from alusage_ledger.domains.year.allocation import (
    propose as propose,  # TRANSITION: moved to domains.year.allocation
)
from alusage_ledger.domains.year.closing import (
    close_exercice as close_exercice,  # TRANSITION: moved to domains.year.closing
)
from alusage_ledger.domains.year.exercices import (
    exercice_of_year as exercice_of_year,  # TRANSITION: moved to domains.year.exercices
)
from alusage_ledger.domains.year.exercices import (
    parse_exercice as parse_exercice,  # TRANSITION: moved to domains.year.exercices
)
from alusage_ledger.domains.year.inventory import (
    book_inventory as book_inventory,  # TRANSITION: moved to domains.year.inventory
)
from alusage_ledger.domains.year.opening import (
    open_books as open_books,  # TRANSITION: moved to domains.year.opening
)
