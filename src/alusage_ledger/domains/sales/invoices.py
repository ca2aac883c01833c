"""Transition: the invoice module before its split (issue 17).

Invoices now live in :mod:`invoicing` (add, find), :mod:`payments`, :mod:`credit_notes`,
:mod:`requests` (typed input), :mod:`numbering`, :mod:`index` and :mod:`rules`. This
module keeps the old import path working until the lead repoints its importers, and
registers the sales check rules: ``books.checks.RULE_MODULES`` names this module.
"""

from __future__ import annotations

# Registers the check rules of sales and VAT (books.checks.RULE_MODULES names this module).
from alusage_ledger.domains.sales import rules as rules

# TRANSITION: moved to domains.sales.credit_notes
from alusage_ledger.domains.sales.credit_notes import cancel_invoice as cancel_invoice

# TRANSITION: moved to domains.sales.index
from alusage_ledger.domains.sales.index import forget_indexes as forget_indexes
from alusage_ledger.domains.sales.index import invoice_rows as invoice_rows
from alusage_ledger.domains.sales.index import sales_index as sales_index

# TRANSITION: moved to domains.sales.invoicing
from alusage_ledger.domains.sales.invoicing import Planned as Planned
from alusage_ledger.domains.sales.invoicing import add_invoice as add_invoice
from alusage_ledger.domains.sales.invoicing import locate_invoice as locate_invoice

# TRANSITION: moved to domains.sales.numbering
from alusage_ledger.domains.sales.numbering import series_numbers as series_numbers
from alusage_ledger.domains.sales.numbering import series_of as series_of

# TRANSITION: moved to domains.sales.payments
from alusage_ledger.domains.sales.payments import pay_invoice as pay_invoice
from alusage_ledger.domains.sales.payments import plan_payment as plan_payment

# TRANSITION: moved to domains.sales.requests
from alusage_ledger.domains.sales.requests import CancelRequest as CancelRequest
from alusage_ledger.domains.sales.requests import InvoiceRequest as InvoiceRequest
from alusage_ledger.domains.sales.requests import LineRequest as LineRequest
from alusage_ledger.domains.sales.requests import PaymentRequest as PaymentRequest
from alusage_ledger.domains.sales.requests import parse_amount_arg as parse_amount_arg
from alusage_ledger.domains.sales.requests import parse_line as parse_line
from alusage_ledger.domains.sales.requests import parse_vat as parse_vat
