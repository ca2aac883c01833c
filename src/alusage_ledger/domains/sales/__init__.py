"""Sales and VAT: invoices, receipts, credit notes, their numbering, the sales index,
the VAT returns and their settlement, the turnover by activity.

Modules: ``activities`` (what an entity sells), ``rates`` (VAT on a sale), ``requests``
(typed input), ``numbering`` (series), ``index`` (the sales index), ``invoicing``,
``payments``, ``credit_notes`` (the writing commands), ``returns`` (VAT returns),
``settlement`` (settlement entries, month-end step), ``rules`` (check rules),
``thresholds`` (the franchise thresholds, entry by entry: the check rule and the door),
``revenue`` (turnover report). ``invoices`` and ``vat`` are transition modules.

May import: ``books``, ``core`` and the domain below it, ``lettering`` (through its package
interface). Other domains import sales only through the names below.
"""

from alusage_ledger.domains.sales.activities import activities_of as activities_of
from alusage_ledger.domains.sales.activities import activity_of_account as activity_of_account
from alusage_ledger.domains.sales.activities import revenue_account_set as revenue_account_set
from alusage_ledger.domains.sales.activities import urssaf_category as urssaf_category
from alusage_ledger.domains.sales.index import Accounts as Accounts
from alusage_ledger.domains.sales.index import Invoice as Invoice
from alusage_ledger.domains.sales.index import SalesIndex as SalesIndex
from alusage_ledger.domains.sales.index import forget_indexes as forget_indexes
from alusage_ledger.domains.sales.index import sales_index as sales_index
from alusage_ledger.domains.sales.numbering import series_numbers as series_numbers
from alusage_ledger.domains.sales.numbering import series_of as series_of
from alusage_ledger.domains.sales.payments import plan_payment as plan_payment
from alusage_ledger.domains.sales.requests import PaymentRequest as PaymentRequest
from alusage_ledger.domains.sales.thresholds import year_notes as year_notes
