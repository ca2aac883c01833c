"""What the three books reports share to lay out their tables: debit/credit columns,
amounts for people or machines, Markdown tables and CSV (in either dialect)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from alusage_ledger.core.fmt import machine, money
from alusage_ledger.outputs.render.csvout import csv_document
from alusage_ledger.outputs.reports import ZERO


def debit_credit(value: Decimal) -> tuple[Decimal, Decimal]:
    """A signed balance as (debit, credit) columns."""
    return (value, ZERO) if value > 0 else (ZERO, -value)


def formatter(human: bool) -> Any:
    def fmt(value: Decimal) -> str:
        if human:
            return money(value) if value else ""
        return machine(value)

    return fmt


def md_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def md_table(headers: Sequence[str], rows: Iterable[Sequence[str]], right: Iterable[int]) -> str:
    aligned = set(right)
    out = ["| " + " | ".join(md_escape(h) for h in headers) + " |"]
    out.append(
        "| " + " | ".join("---:" if i in aligned else "---" for i in range(len(headers))) + " |"
    )
    out.extend(
        "| " + " | ".join(md_escape(c) if not c.startswith("**") else c for c in row) + " |"
        for row in rows
    )
    return "\n".join(out) + "\n"


def report_csv(
    keys: Sequence[str],
    headings: Sequence[str],
    rows: Iterable[Sequence[str]],
    amounts: Iterable[int],
    dialect: str,
) -> str:
    """A report's rows (machine text, from ``*_rows(..., False)``) as CSV in ``dialect``
    (outputs/render/csvout.py): the ``amounts`` columns go as numbers, so that the French
    dialect writes them with a decimal comma; ``headings`` are English messages."""
    numeric = set(amounts)
    values = ([Decimal(c) if i in numeric and c else c for i, c in enumerate(row)] for row in rows)
    return csv_document(list(zip(keys, headings, strict=True)), values, dialect)


def csv_text(rows: Sequence[Sequence[str]]) -> str:
    """Rows as machine CSV (comma, ``\n``): the annual reports' CSV (not yet in the
    ``--csv-dialect`` scheme of :mod:`alusage_ledger.outputs.render.csvout`)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()
