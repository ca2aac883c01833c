"""The shape a statement's lines must have before any of them is booked (issue 22).

A line cut short (``15/12/2026;15/12/2026;-0,9``), a separator inside an unquoted label,
an amount without the decimals the bank always writes, a date outside the period the
file's header announces or a line without a label are signs of a damaged file: the whole
file is refused with the line's number, rather than booked as a phantom operation.
Each function here returns the problem as a sentence (already translated), or None;
:mod:`.statement` raises it with the file and the line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from alusage_ledger.core.i18n import _


def named_columns(header: Sequence[str]) -> int:
    """How many fields a line needs: up to the header's last named column."""
    named = [index for index, cell in enumerate(header) if cell.strip()]
    return named[-1] + 1 if named else 0


def field_count_problem(row: Sequence[str], header: Sequence[str]) -> str | None:
    """A line with fewer fields than the header names, or extra non-empty ones."""
    needed = named_columns(header)
    extra = [cell for cell in row[len(header) :] if cell.strip()]
    if len(row) >= needed and not extra:
        return None
    return _(
        "the line has {count} fields where the header has {expected}; the line is cut "
        "short or a label holds the separator without quotes."
    ).format(count=len(row), expected=len(header))


def decimals_problem(value: str, column: str, mark: str, decimals: int | None) -> str | None:
    """An amount not written with the ``decimals`` digits after ``mark`` the bank writes."""
    if decimals is None:
        return None
    raw = value.strip()
    found = re.search(re.escape(mark) + r"(\d*)\s*$", raw)
    written = len(found.group(1)) if found else 0
    if written == decimals:
        return None
    example = "-1 234" + (mark + "5" * decimals if decimals else "")
    return _(
        "the amount {value!r} in column {column!r} is not written with {count} decimals as "
        "the bank writes its amounts (e.g. {example}); the line may be cut short."
    ).format(value=value, column=column, count=decimals, example=example)


def label_problem(label: str, columns: Sequence[str]) -> str | None:
    """A line whose label columns are all empty."""
    if label:
        return None
    return _("the line has no label (column {columns}); a bank line always has one.").format(
        columns=" + ".join(repr(name) for name in columns)
    )


def range_problem(day: date, start: date | None, end: date | None) -> str | None:
    """A line dated outside the period the file's header gives."""
    if start is not None and day < start:
        return _(
            "the date {day} is before {start}, the first day of the period the file's "
            "header gives; the file is damaged or mixed with another."
        ).format(day=day.isoformat(), start=start.isoformat())
    if end is not None and day > end:
        return _(
            "the date {day} is after {end}, the last day of the period the file's header "
            "gives; the file is damaged or mixed with another."
        ).format(day=day.isoformat(), end=end.isoformat())
    return None
