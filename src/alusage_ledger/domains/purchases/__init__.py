"""Purchases: supplier bills, expense claims and recurring bills, with their payments and
the deductible VAT they carry.

Modules: ``input`` (typed amounts, dates, names, periods), ``deductible`` (VAT rates, the
entity's VAT treatment, goods or services), ``documents`` (the bills and claims booked,
with what was paid), ``bills`` (bill add/pay, check rule), ``expenses`` (expense claims),
``recurring`` (monthly bills, month-end step).

May import: ``books``, ``core`` and the domain below it, ``lettering`` (through its package
interface; none today). Other domains import purchases only through the names below.
"""

from alusage_ledger.domains.purchases.bills import plan_payment as plan_payment
from alusage_ledger.domains.purchases.deductible import VatTreatment as VatTreatment
from alusage_ledger.domains.purchases.deductible import vat_in as vat_in
from alusage_ledger.domains.purchases.deductible import vat_posting as vat_posting
from alusage_ledger.domains.purchases.deductible import vat_treatment as vat_treatment
from alusage_ledger.domains.purchases.documents import Document as Document
from alusage_ledger.domains.purchases.documents import documents as documents
