"""Transition: the VAT module before its split (issue 17).

VAT now lives in :mod:`returns` (exigibility, the CA3/CA12 returns), :mod:`settlement`
(the settlement entry and the month-end step) and :mod:`rules` (check rules); the dated
regimes are ``books.vatregime``. This module keeps the old import path working until the
lead repoints its importers, and registers the month-end step and the check rules:
``books.monthend.STEP_MODULES`` and ``books.checks.RULE_MODULES`` name this module.
"""

from __future__ import annotations

# Registers the check rules of sales and VAT (books.checks.RULE_MODULES names this module).
from alusage_ledger.domains.sales import rules as rules

# Registers the month-end step "vat" (books.monthend.STEP_MODULES names this module).
from alusage_ledger.domains.sales import settlement as settlement

# TRANSITION: moved to domains.sales.returns
from alusage_ledger.domains.sales.returns import LedgerVat as LedgerVat
from alusage_ledger.domains.sales.returns import VatReturn as VatReturn
from alusage_ledger.domains.sales.returns import compute_return as compute_return

# TRANSITION: moved to domains.sales.settlement
from alusage_ledger.domains.sales.settlement import post_return as post_return
from alusage_ledger.domains.sales.settlement import relative_path as relative_path

_rel = relative_path  # TRANSITION: cli/vat.py imports _rel; use relative_path
