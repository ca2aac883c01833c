"""Le 97's shares in the ledgers: calls, their mirrors, payments, lettering, statements.

:mod:`allocation` says who pays what; the modules below read what they need from the
host's ledger (the charges, the declared days) and write the result as entries:

* :mod:`compute`: a month's shares from the host's charges and the declared days;
* :mod:`calls`: a **call** per member and month in the host's ledger (receivable
  sub-account debited, income credited per group, VAT if the place charges it),
  numbered in the place's series (``L2026-0011``), dated the last day of the month::

      2026-11-30 * "Alusage SAS" "Appel de charges Le 97 - 2026-11" #le97 ^le97-2026-11-alusage
        call: "L2026-0011"
        place: "le97"
        member: "alusage"
        period: "2026-11"
        gen-id: "le97/2026-11/alusage"
        gen-hash: "…"
        Actif:Usagers:Le97:Alusage        312.45 EUR
        Produits:Le97:Refacturation      -250.00 EUR
          group: "loyer"
          covers: "2026-11"
        Produits:Le97:Refacturation       -62.45 EUR
          group: "energie"
          covers: "2026-11"

  for a member that keeps its books in the workspace, the **mirror** in its own ledger
  (its expense per group, deductible VAT if any, payable to the host), with the same
  link: the host's receivable posting equals minus the member's payable posting;
  ``--replace``: a reversal of the previous call and a new call, with the same link;
* :mod:`payments`: a **payment** (bank / receivable, and its mirror) carrying the links
  of the calls it settles, and ``custom "alusage-letter"`` directives once calls and
  payments balance;
* :mod:`statement`: a member's statement and every member's balance;
* :mod:`checks` and :mod:`monthend`: the check rules and the month-end step.

Everything is idempotent: posting a month twice writes nothing the second time.

``books.checks.RULE_MODULES`` and ``books.monthend.STEP_MODULES`` name this module: it
imports the modules that register the rules and the step.
"""

from __future__ import annotations

# Importing these registers the check rules and the month-end step (books.checks
# RULE_MODULES and books.monthend STEP_MODULES name this module).
from alusage_ledger.domains.places import checks as checks
from alusage_ledger.domains.places import monthend as monthend

# TRANSITION: moved to domains.places.compute / calls / payments / statement / writes
# (the CLI, outputs, integrations and closing import them from here).
from alusage_ledger.domains.places.calls import post_shares as post_shares
from alusage_ledger.domains.places.compute import compute_shares as compute_shares
from alusage_ledger.domains.places.compute import today as today
from alusage_ledger.domains.places.payments import pay_member as pay_member
from alusage_ledger.domains.places.statement import MemberBalance as MemberBalance
from alusage_ledger.domains.places.statement import Statement as Statement
from alusage_ledger.domains.places.statement import member_statement as member_statement
from alusage_ledger.domains.places.statement import place_balances as place_balances
from alusage_ledger.domains.places.writes import Action as Action
