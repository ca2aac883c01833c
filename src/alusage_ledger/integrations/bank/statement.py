"""Reading a bank statement file: bytes in a profile's encoding to dated, signed lines.

:func:`load_statement` chooses the profile (``--profile``: a built-in one, ``generic`` from
a rules file, or ``auto``, detected from the header), then :func:`read_statement` decodes
the file (an encoding is never guessed), finds the header, and reads each line's date,
amount (positive: money in), label, and the closing balance the file gives. Every error
is a :class:`StatementError` naming the file and the line.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import NoReturn

from alusage_ledger.core.errors import ConfigError, LedgerErrors, UsageError
from alusage_ledger.core.i18n import _
from alusage_ledger.core.money import MoneyError, parse_amount
from alusage_ledger.core.suggest import did_you_mean
from alusage_ledger.integrations.bank.profiles import (
    BUILTIN_PROFILES,
    ENCODINGS,
    PROFILE_NAMES,
    Layout,
    Profile,
    header_key,
)
from alusage_ledger.integrations.bank.rules import RuleSet
from alusage_ledger.integrations.bank.shape import (
    decimals_problem,
    field_count_problem,
    label_problem,
    range_problem,
)

HEADER_SEARCH_ROWS = 30
MAX_LABEL = 400  # the writer's limit on free text is 500
_C1 = re.compile("[\x80-\x9f]")  # C1 controls: bytes of another encoding


class StatementError(LedgerErrors):
    """A statement file cannot be read: one sentence with the file and the line (exit 1)."""


def fail(shown: str, line: int | None, problem: str) -> NoReturn:
    """Raise a :class:`StatementError` about line ``line`` (or the whole file) of ``shown``."""
    where = f"{shown}:{line}" if line else shown
    raise StatementError(_("{where}: {problem}").format(where=where, problem=problem))


def clean_label(text: str) -> str:
    """Inner runs of white space as one space; control and invisible characters dropped
    (a label is free text that the writer would otherwise refuse)."""
    if not text.isprintable():
        text = "".join(" " if unicodedata.category(ch)[0] in "CZ" else ch for ch in text)
    return " ".join(text.split())


def parse_bank_amount(text: str, decimal_mark: str = ",") -> Decimal:
    """An amount as a bank writes it, with a known decimal mark (``,`` or ``.``).

    Signs ``-``/``+``, thousands separators (space, no-break space, or the other mark) are
    accepted through :func:`money.parse_amount`; the other mark may never follow the
    decimal one (``1,234.56`` with a decimal comma is an error, not a guess).
    """
    raw = text.strip()
    other = "." if decimal_mark == "," else ","
    if other in raw:
        if decimal_mark in raw and raw.rfind(other) > raw.rfind(decimal_mark):
            raise MoneyError(f"{text!r} is not a valid amount.", text=text, reason="not-a-number")
        if decimal_mark not in raw:
            raw += decimal_mark + "00"  # the other mark can only group thousands
    return parse_amount(raw)


def parse_date(text: str, patterns: Sequence[re.Pattern[str]]) -> date | None:
    """The date ``text`` in one of the formats, or None (never a guess between formats)."""
    value = text.strip()
    for pattern in patterns:
        match = pattern.fullmatch(value)
        if match is None:
            continue
        groups = match.groupdict()
        year = int(groups["Y"]) if groups.get("Y") else 2000 + int(groups["y"])
        try:
            return date(year, int(groups["m"]), int(groups["d"]))
        except ValueError:
            return None
    return None


_Date = date  # BankLine has a field named ``date``


@dataclass(frozen=True)
class BankLine:
    """One operation of a statement."""

    line: int  # line number in the file (1-based)
    date: date
    amount: Decimal  # positive: money in; negative: money out
    label: str
    reference: str | None = None
    payee: str | None = None
    value_date: _Date | None = None
    balance: Decimal | None = None


@dataclass(frozen=True)
class ClosingBalance:
    amount: Decimal
    date: date  # the assertion's date: the day after the balance was taken
    line: int


@dataclass(frozen=True)
class Statement:
    source: str  # the file as the user named it
    profile: str
    layout: str
    encoding: str
    lines: tuple[BankLine, ...]
    closing: ClosingBalance | None


def decode(raw: bytes, encoding: str, shown: str) -> str:
    """The file's text in the profile's encoding; an error (file and line) otherwise.

    A single-byte encoding decodes any bytes, so a file that is valid UTF-8 with accents
    is refused rather than read as mojibake, and C1 control characters (bytes 0x80-0x9F
    read as ISO-8859) mean the file is in another encoding.
    """
    codec = ENCODINGS.get(encoding.lower(), encoding.lower())

    def line_of(offset: int) -> int:
        return raw[:offset].count(b"\n") + 1

    if codec == "utf-8":
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            fail(
                shown,
                line_of(exc.start),
                _(
                    "this file is not valid UTF-8 (byte 0x{byte:02x}), the encoding the "
                    "profile expects; set the right encoding in the rules file ([profile] "
                    "encoding) or choose another profile."
                ).format(byte=raw[exc.start]),
            )
    first_high = next((i for i, byte in enumerate(raw) if byte >= 0x80), None)
    if first_high is not None:
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            fail(
                shown,
                line_of(first_high),
                _(
                    "this file is UTF-8 encoded but the profile expects {encoding}; set "
                    'encoding = "utf-8" in the rules file ([profile]) or re-export the file.'
                ).format(encoding=codec),
            )
    try:
        text = raw.decode(codec)
    except UnicodeDecodeError as exc:
        fail(
            shown,
            line_of(exc.start),
            _(
                "byte 0x{byte:02x} is not a character in {encoding}, the encoding the profile "
                "expects; set the right encoding in the rules file ([profile] encoding)."
            ).format(byte=raw[exc.start], encoding=codec),
        )
    except LookupError:
        fail(shown, None, _("unknown encoding {encoding!r}.").format(encoding=encoding))
    control = _C1.search(text)
    if control is not None:
        fail(
            shown,
            text[: control.start()].count("\n") + 1,
            _(
                "byte 0x{byte:02x} is a control character in {encoding}: the file is "
                "in another encoding; set the right one in the rules file ([profile] "
                "encoding)."
            ).format(byte=ord(control.group()), encoding=codec),
        )
    return text


def _rows(text: str, delimiter: str, limit: int | None = None) -> list[tuple[int, list[str]]]:
    """CSV rows with the (last) line number each ends on."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    out: list[tuple[int, list[str]]] = []
    try:
        for row in reader:
            out.append((reader.line_num, row))
            if limit is not None and len(out) >= limit:
                break
    except csv.Error:
        if limit is None:
            raise
    return out


def find_layout(
    rows: Sequence[tuple[int, list[str]]], layouts: Sequence[Layout]
) -> tuple[Layout, int, list[str]] | None:
    """The first row (among the first ones) holding every required column of a layout."""
    for index, (_line, row) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        keys = {header_key(cell) for cell in row}
        for layout in layouts:
            if all(name in keys for name in layout.required):
                return layout, index, row
    return None


def _head_texts(raw: bytes, profile: Profile) -> list[str]:
    """Texts to look for a header in: the profile's encoding (a bad byte further down is
    reported by :func:`decode` with its line), and UTF-8 (a wrong encoding is then reported
    as such, instead of as an unknown layout)."""
    codec = ENCODINGS.get(profile.encoding.lower(), profile.encoding)
    out = []
    try:
        out.append(raw.decode(codec, errors="replace"))
    except LookupError:
        pass
    try:
        out.append(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        pass
    return out


def detect_profile(raw: bytes, profiles: Sequence[Profile], shown: str) -> tuple[Profile, Layout]:
    """The one profile whose header is found in the file; an error otherwise."""
    found: list[tuple[Profile, Layout]] = []
    for profile in profiles:
        for text in _head_texts(raw, profile):
            hit = find_layout(_rows(text, profile.delimiter, HEADER_SEARCH_ROWS), profile.layouts)
            if hit is not None:
                found.append((profile, hit[0]))
                break
    if not found:
        fail(
            shown,
            1,
            _(
                "unknown layout: no header of a known bank ({known}) in the first {count} "
                "lines; name the profile with --profile, or describe the columns in a rules "
                "file ([profile]) and use --profile generic."
            ).format(known=", ".join(BUILTIN_PROFILES), count=HEADER_SEARCH_ROWS),
        )
    names_found = sorted({p.name for p, _l in found})
    if len(names_found) > 1:
        fail(
            shown,
            1,
            _("this header fits several profiles ({names}); choose one with --profile.").format(
                names=", ".join(names_found)
            ),
        )
    return found[0]


def _key_values(line: int, row: Sequence[str]) -> list[tuple[str, str, int]]:
    """``Solde (EUROS);2 104,61`` and ``Date de fin : 15/05/2020`` as (key, value, line)."""
    cells = [cell.strip() for cell in row]
    out: list[tuple[str, str, int]] = []
    filled = [c for c in cells if c]
    if len(filled) >= 2 and " : " not in filled[0]:
        out.append((header_key(filled[0]), filled[1], line))
    for cell in cells:
        if " : " in cell:
            key, _sep, value = cell.partition(" : ")
            out.append((header_key(key), value.strip(), line))
    return out


def read_statement(
    raw: bytes,
    shown: str,
    profile: Profile,
    layout: Layout | None = None,
) -> Statement:
    """Parse a whole statement with ``profile`` (every error names the file and line)."""
    text = decode(raw, profile.encoding, shown)
    try:
        rows = _rows(text, profile.delimiter)
    except csv.Error as exc:
        fail(shown, None, _("this is not a valid CSV file ({detail}).").format(detail=exc))
    layouts = (layout,) if layout is not None else profile.layouts
    hit = find_layout(rows, layouts)
    if hit is None:
        fail(
            shown,
            1,
            _(
                "unknown layout: the header of the {profile} profile ({columns}) is not in "
                "the first {count} lines; check the file or choose another --profile."
            ).format(
                profile=profile.name,
                columns=", ".join(layouts[0].required),
                count=HEADER_SEARCH_ROWS,
            ),
        )
    chosen, header_index, header = hit
    columns = {header_key(cell): index for index, cell in enumerate(header) if cell.strip()}
    shown_names = {header_key(cell): cell.strip() for cell in header if cell.strip()}
    patterns = profile.patterns()
    key_values: list[tuple[str, str, int]] = []
    for line, row in rows[:header_index]:
        key_values.extend(_key_values(line, row))

    def cell(row: Sequence[str], key: str | None) -> str:
        if key is None or key not in columns:
            return ""
        index = columns[key]
        return row[index].strip() if index < len(row) else ""

    def amount_of(row: Sequence[str], key: str, line: int) -> Decimal | None:
        value = cell(row, key)
        if not value:
            return None
        try:
            amount = parse_bank_amount(value, profile.decimal)
        except MoneyError:
            fail(
                shown,
                line,
                _(
                    "the amount {value!r} in column {column!r} is not an amount with the "
                    "decimal mark {mark!r} (e.g. -1 234{mark}56)."
                ).format(value=value, column=shown_names.get(key, key), mark=profile.decimal),
            )
        problem = decimals_problem(
            value, shown_names.get(key, key), profile.decimal, profile.decimals
        )
        if problem is not None:
            fail(shown, line, problem)
        return amount

    def preamble_day(keys: Sequence[str]) -> date | None:
        for key, value, _line in key_values:
            if key in keys:
                return parse_date(value, patterns)
        return None

    period_start = preamble_day(chosen.period_start_keys)
    period_end = preamble_day(chosen.period_end_keys)

    lines: list[BankLine] = []
    for line, row in rows[header_index + 1 :]:
        if not any(c.strip() for c in row):
            continue
        first = cell(row, chosen.date)
        if header_key(row[0]).startswith("solde") and parse_date(first, patterns) is None:
            key_values.extend(_key_values(line, row))  # a footer: "Solde en début de période"
            continue
        problem = field_count_problem(row, header)
        if problem is not None:
            fail(shown, line, problem)
        day = parse_date(cell(row, chosen.date), patterns)
        if day is None:
            fail(
                shown,
                line,
                _("the date {value!r} in column {column!r} is not a date {formats}.").format(
                    value=cell(row, chosen.date),
                    column=shown_names.get(chosen.date, chosen.date),
                    formats=" / ".join(profile.date_formats),
                ),
            )
        if chosen.amount is not None:
            amount = amount_of(row, chosen.amount, line)
            if amount is None:
                fail(
                    shown,
                    line,
                    _("the line has no amount in column {column!r}.").format(
                        column=shown_names.get(chosen.amount, chosen.amount)
                    ),
                )
        else:
            assert chosen.debit is not None and chosen.credit is not None
            debit = amount_of(row, chosen.debit, line)
            credit = amount_of(row, chosen.credit, line)
            if (debit is None) == (credit is None):
                fail(
                    shown,
                    line,
                    _(
                        "the line needs an amount in exactly one of the columns {debit!r} "
                        "and {credit!r}."
                    ).format(
                        debit=shown_names.get(chosen.debit, chosen.debit),
                        credit=shown_names.get(chosen.credit, chosen.credit),
                    ),
                )
            if credit is not None and credit < 0:
                fail(
                    shown,
                    line,
                    _("the credit {value!r} is negative; a credit brings money in.").format(
                        value=cell(row, chosen.credit)
                    ),
                )
            amount = -abs(debit) if debit is not None else credit  # type: ignore[assignment]
        assert amount is not None
        problem = range_problem(day, period_start, period_end)
        if problem is not None:
            fail(shown, line, problem)
        label = clean_label(" ".join(cell(row, key) for key in chosen.label if cell(row, key)))
        problem = label_problem(label, [shown_names.get(key, key) for key in chosen.label])
        if problem is not None:
            fail(shown, line, problem)
        if len(label) > MAX_LABEL:
            fail(
                shown,
                line,
                _(
                    "the label is {length} characters long; a bank label has at most {limit}."
                ).format(length=len(label), limit=MAX_LABEL),
            )
        value_text = cell(row, chosen.value_date)
        value_day = parse_date(value_text, patterns) if value_text else None
        lines.append(
            BankLine(
                line=line,
                date=day,
                amount=amount,
                label=label,
                reference=clean_label(cell(row, chosen.reference)) or None,
                payee=clean_label(cell(row, chosen.payee)) or None,
                value_date=value_day,
                balance=amount_of(row, chosen.balance, line) if chosen.balance else None,
            )
        )
    closing = _closing(lines, key_values, chosen, profile, patterns, shown)
    return Statement(
        shown,
        profile.name,
        chosen.key,
        ENCODINGS.get(profile.encoding.lower(), profile.encoding),
        tuple(lines),
        closing,
    )


def _closing(
    lines: Sequence[BankLine],
    key_values: Sequence[tuple[str, str, int]],
    layout: Layout,
    profile: Profile,
    patterns: Sequence[re.Pattern[str]],
    shown: str,
) -> ClosingBalance | None:
    """The balance the file gives at its end, as an assertion (dated the day after)."""
    if not lines:
        return None
    newest_first = lines[0].date > lines[-1].date or (
        lines[0].date == lines[-1].date and layout.newest_first
    )
    last_day = max(line.date for line in lines)
    if layout.balance is not None:
        on_last = [line for line in lines if line.date == last_day]
        last = on_last[0] if newest_first else on_last[-1]
        if last.balance is None:
            return None
        return ClosingBalance(last.balance, last_day + timedelta(days=1), last.line)
    for key, value, line in key_values:
        if key not in layout.closing_keys:
            continue
        try:
            amount = parse_bank_amount(value, profile.decimal)
        except MoneyError:
            fail(
                shown,
                line,
                _("the balance {value!r} is not an amount.").format(value=value),
            )
        day = last_day
        for date_key, date_value, _date_line in key_values:
            if date_key in layout.closing_date_keys:
                parsed = parse_date(date_value, patterns)
                if parsed is not None:
                    day = parsed
        return ClosingBalance(amount, day + timedelta(days=1), line)
    return None


def choose_profile(
    raw: bytes, shown: str, name: str, rules: RuleSet | None
) -> tuple[Profile, Layout | None]:
    """``--profile``: a built-in, ``generic`` (from the rules file) or ``auto`` (detected).

    A rules file's ``[profile] encoding`` alone overrides the encoding of a built-in one.
    """
    generic = rules.profile if rules is not None else None
    override = rules.encoding if rules is not None else None

    def encoded(profile: Profile) -> Profile:
        return replace(profile, encoding=override) if override else profile

    if name == "generic":
        if generic is None:
            if rules is None:
                raise UsageError(
                    _("--profile generic needs a rules file (--rules) describing the columns.")
                )
            raise ConfigError(
                _(
                    "{file}: --profile generic needs a [profile] table with its columns "
                    "(see docs/bank-import.md)."
                ).format(file=rules.source)
            )
        return generic, None
    if name == "auto":
        candidates = [encoded(p) for p in BUILTIN_PROFILES.values()]
        if generic is not None:
            candidates.append(generic)
        return detect_profile(raw, candidates, shown)
    builtin = BUILTIN_PROFILES.get(name)
    if builtin is None:
        raise UsageError(
            _("Unknown profile {name!r}{hint}; the profiles are: {known}.").format(
                name=name, hint=did_you_mean(name, PROFILE_NAMES), known=", ".join(PROFILE_NAMES)
            )
        )
    return encoded(builtin), None


def load_statement(raw: bytes, shown: str, profile_name: str, rules: RuleSet | None) -> Statement:
    profile, layout = choose_profile(raw, shown, profile_name, rules)
    return read_statement(raw, shown, profile, layout)
