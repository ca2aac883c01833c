"""What sales contribute to month-end closing (``books.monthend``): once ``close`` has run
``check``, the sales indexes its rules built are let go (memory); the steps and locks
read the ledgers again."""

from __future__ import annotations

from alusage_ledger.books.monthend import month_cleanup
from alusage_ledger.domains.sales.index import forget_indexes

month_cleanup("sales-indexes")(forget_indexes)
