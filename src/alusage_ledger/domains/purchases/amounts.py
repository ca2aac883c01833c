"""What the bill and expense commands show of a document, computed here, not in the CLI:
a booked bill's total and a document's days overdue."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from alusage_ledger.domains.purchases.documents import Document


def bill_total(entry: Any) -> Decimal:
    """The total (TTC) of a bill's transaction: its last posting, the payable, negated."""
    total: Decimal = -entry.postings[-1].units.number
    return total


def days_overdue(doc: Document, today: date) -> int:
    """Days past the due date of what is still due on ``today``; 0 when nothing is late."""
    if doc.due_date is None or doc.remaining <= 0 or today <= doc.due_date:
        return 0
    return int((today - doc.due_date).days)
