"""CSV of every list and report, in two dialects: one for programs, one for French spreadsheets.

Every command that prints a table offers ``--format csv``; they all write it here, from
machine values (``Decimal``, ``date``, ``int``, text) rather than from the strings shown
on screen, so that the two dialects differ only in their spelling:

- ``machine`` (the default): comma-separated, dot decimals (``1200.00``), ISO dates, a
  header row of stable English keys (``number``, ``ttc``…) that never change with
  ``--lang`` — what a script or another tool reads;
- ``fr``: semicolon-separated, decimal comma (``1200,00``, no thousands separator, so
  that LibreOffice and Excel in French read a number), ISO dates, UTF-8 with a byte-order
  mark (Excel reads accents right only with it), and French headings (``Numéro``,
  ``TTC``…) — what a volunteer opens in a spreadsheet.

A column is ``(key, heading)``: ``key`` is the machine header, ``heading`` the English
message (marked with ``N_``) translated into French for ``fr``::

    COLUMNS = (("number", N_("Number")), ("ttc", N_("Incl. VAT")))
    emit_csv(COLUMNS, [["F2026-0001", Decimal("1200.00")]], "fr")
    # \\ufeffNuméro;TTC\\nF2026-0001;1200,00\\n
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from alusage_ledger.core.errors import UsageError
from alusage_ledger.core.i18n import _, translate

DIALECTS = ("machine", "fr")
"""The values of ``--csv-dialect``."""

BOM = "\ufeff"
TWO_PLACES = Decimal("0.01")

Column = tuple[str, str]
"""A CSV column: its machine key and its heading (an English message, translated for ``fr``)."""


def check_dialect(dialect: str) -> str:
    """``dialect`` if it is one of :data:`DIALECTS`; a :class:`UsageError` otherwise."""
    if dialect not in DIALECTS:
        raise UsageError(
            _("Unknown CSV dialect {value!r}; use machine or fr.").format(value=dialect)
        )
    return dialect


def cell(value: Any, dialect: str) -> str:
    """One value as CSV text: numbers with at least two decimals (a comma in ``fr``), dates in ISO,
    nothing for ``None``, lists joined with spaces, text as it is."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return ("oui" if value else "non") if dialect == "fr" else ("true" if value else "false")
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and exponent > -2:
            value = value.quantize(TWO_PLACES)
        text = f"{value:f}"
        return text.replace(".", ",") if dialect == "fr" else text
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return " ".join(cell(v, dialect) for v in value)
    return str(value)


def csv_document(columns: Sequence[Column], rows: Iterable[Sequence[Any]], dialect: str) -> str:
    """The CSV text of ``rows`` under a header row, in ``dialect`` (BOM included for ``fr``)."""
    check_dialect(dialect)
    buffer = io.StringIO()
    french = dialect == "fr"
    writer = csv.writer(buffer, delimiter=";" if french else ",", lineterminator="\n")
    writer.writerow([translate(h, "fr") if french else k for k, h in columns])
    for row in rows:
        if len(row) != len(columns):
            raise ValueError(f"a CSV row of {len(row)} cells under {len(columns)} columns")
        writer.writerow([cell(value, dialect) for value in row])
    return (BOM if french else "") + buffer.getvalue()


def emit_csv(columns: Sequence[Column], rows: Iterable[Sequence[Any]], dialect: str) -> None:
    """Write :func:`csv_document` on standard output, (:func:`write_utf8`)."""
    write_utf8(csv_document(columns, rows, dialect))


def write_utf8(text: str) -> None:
    """Write ``text`` on standard output (Python writes UTF-8 under a UTF-8 or C locale; a
    replayed answer, books/answers.py, records what goes through ``sys.stdout.write``)."""
    sys.stdout.write(text)
