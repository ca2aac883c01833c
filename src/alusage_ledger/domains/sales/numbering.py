"""Invoice and credit-note numbering: the series, their numbers, the next number.

Numbers follow the entity's series (``[entities.<id>.series]``, default
``F{year}-{seq:04}`` and ``A{year}-{seq:04}``): continuous, restarting each January 1st
when the pattern has ``{year}``, dates never decreasing along numbers (CGI ann. II
242 nonies A). The check rule that reports gaps and duplicates is in :mod:`rules`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from alusage_ledger.books.entityconfig import series_regex
from alusage_ledger.core.errors import RefusedError, UsageError
from alusage_ledger.core.i18n import _

if TYPE_CHECKING:
    from alusage_ledger.books.config import Config
    from alusage_ledger.books.entityconfig import SeriesConfig


_series_regex = functools.lru_cache(maxsize=64)(series_regex)


@dataclass(frozen=True)
class Series:
    """One numbering series: ``kind`` is ``invoice`` or ``credit-note``."""

    kind: str
    pattern: str

    @property
    def has_year(self) -> bool:
        return "{year}" in self.pattern

    def format(self, year: int, seq: int) -> str:
        return _series_template(self.pattern).format(year=year, seq=seq)

    def parse(self, number: str) -> tuple[int | None, int] | None:
        """``(year, seq)`` of a number of this series, or None if it does not fit."""
        return _parse_number(self, number)

    def _parse(self, number: str) -> tuple[int | None, int] | None:
        return _number_parser(self.pattern)(number)

    def parser(self) -> Callable[[str], tuple[int | None, int] | None]:
        """:meth:`parse` as a plain function (no cache lookup): for loops over many numbers."""
        return _number_parser(self.pattern)

    def key(self, day: date) -> int | None:
        """Numbers restart each January 1st when the pattern has a year."""
        return day.year if self.has_year else None


@functools.lru_cache(maxsize=64)
def _series_template(pattern: str) -> str:
    """``F{year}-{seq:04}`` as a ``str.format`` template: ``F{year:04d}-{seq:04d}``."""

    def field(match: re.Match[str]) -> str:
        name, width = match.group(1), match.group(2)
        if name == "year":
            return "{year:04d}"
        return f"{{seq:0{int(width or 1)}d}}"

    parts = re.split(r"(\{[a-z]+(?::0\d)?\})", pattern)
    return "".join(
        re.sub(r"\{([a-z]+)(?::0(\d))?\}", field, part)
        if index % 2
        else part.replace("{", "{{").replace("}", "}}")
        for index, part in enumerate(parts)
    )


@functools.lru_cache(maxsize=64)
def _number_parser(pattern: str) -> Callable[[str], tuple[int | None, int] | None]:
    """``(year, seq)`` of a number of the series ``pattern``, or None if it does not fit."""
    fullmatch = _series_regex(pattern).fullmatch
    template = _series_template(pattern).format
    has_year = "{year}" in pattern

    def parse(number: str) -> tuple[int | None, int] | None:
        match = fullmatch(number)
        if match is None:
            return None
        year = int(match.group("year")) if has_year else None
        seq = int(match.group("seq"))
        if template(year=year or 0, seq=seq) != number:  # e.g. F2026-00007 for {seq:04}
            return None
        return year, seq

    return parse


@functools.lru_cache(maxsize=1 << 17)
def _parse_number(series: Series, number: str) -> tuple[int | None, int] | None:
    return series._parse(number)


def series_of(config: Config, entity: str) -> tuple[Series, Series]:
    settings: SeriesConfig = config.entity(entity).series
    return Series("invoice", settings.invoice), Series("credit-note", settings.credit_note)


def series_numbers(
    series: Series, documents: Iterable[tuple[str, Any]]
) -> dict[int | None, list[tuple[int, str, Any]]]:
    """Documents of a series grouped by year: ``{year: [(seq, number, entry)...]}``."""
    out: dict[int | None, list[tuple[int, str, Any]]] = {}
    for number, entry in documents:
        parsed = series.parse(number)
        if parsed is None:
            continue
        year, seq = parsed
        out.setdefault(year, []).append((seq, number, entry))
    for items in out.values():
        items.sort(key=lambda item: item[0])
    return out


def choose_number(
    series: Series,
    wanted: str | None,
    day: date,
    existing: dict[str, Any],
    what: str,
) -> tuple[str, list[str]]:
    """The next number of ``series`` for ``day`` (or check ``wanted`` fits); notes to print."""
    groups = series_numbers(series, existing.items())
    key = series.key(day)
    items = groups.get(key, [])
    notes: list[str] = []
    if wanted is None:
        if items and items[-1][2].date > day:
            raise RefusedError(
                _(
                    "The last {what} of the series, {number}, is dated {last}: a new one cannot "
                    "be dated earlier ({day}); numbers and dates must both increase."
                ).format(what=what, number=items[-1][1], last=items[-1][2].date, day=day)
            )
        seq = items[-1][0] + 1 if items else 1
        return series.format(day.year, seq), notes
    number = wanted.strip()
    parsed = series.parse(number)
    if parsed is None or parsed[0] != key:
        raise UsageError(
            _(
                "The number {number!r} does not fit the series {pattern} for {year}; e.g. {example}."
            ).format(
                number=wanted,
                pattern=series.pattern,
                year=day.year,
                example=series.format(day.year, (items[-1][0] + 1) if items else 1),
            )
        )
    if number in existing:
        raise RefusedError(
            _("The number {number} is already used (dated {day}).").format(
                number=number, day=existing[number].date
            )
        )
    seq = parsed[1]
    before = [item for item in items if item[0] < seq]
    after = [item for item in items if item[0] > seq]
    if (before and before[-1][2].date > day) or (after and after[0][2].date < day):
        raise RefusedError(
            _(
                "The date {day} of {number} is out of order with its neighbours in the series; "
                "dates must not decrease along numbers."
            ).format(day=day, number=number)
        )
    expected = (items[-1][0] + 1) if items else 1
    if seq > expected and not after:
        notes.append(
            _("Numbers {first} to {last} are not recorded yet.").format(
                first=series.format(day.year, expected), last=series.format(day.year, seq - 1)
            )
        )
    return number, notes
