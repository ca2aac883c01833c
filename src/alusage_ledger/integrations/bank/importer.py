"""Bank statement import: a French bank's CSV export becomes idempotent ledger entries.

Why this module exists: most of a volunteer accountant's typing is bank lines. A statement
is read by a *profile* (a bank's layout: encoding, columns, date format, decimal mark),
each line gets a stable ``bank-ref``, lines already in the ledger are skipped, and each new
line is booked, in this order of preference:

1. **matched**: a receipt equal to what is left on an open invoice whose label names the
   client or the invoice number becomes that invoice's receipt (:mod:`sales`, VAT pending
   → collected); a payment equal to what is left on an open bill whose label names the
   supplier or its number becomes the bill's payment (:mod:`purchases`); a receipt naming a
   member of a place hosted by the entity becomes the member's payment (:mod:`shares`);
   matched invoices and bills are lettered (:mod:`lettering`);
2. **categorised** by the first rule of the rules file that fits (:mod:`bankrules`);
3. **to review**: the suspense account (role ``suspense``, PCG 471), flagged ``!``::

       2026-11-28 ! "FRAIS TENUE DE COMPTE"
         bank-ref: "sha256:3f0c9d5e2a7b41c08e6d9a1f"
         Actif:Banque:Courant     -12.50 EUR
         Actif:Attente             12.50 EUR

``bank-ref`` is the bank's own reference when the file has one, else a SHA-256 of the
account, the date, the amount, the label and the line's rank among identical lines of that
day: importing the same or an overlapping statement again adds nothing, while two genuine
identical purchases on one day are both kept. An entry already booked by hand on the bank
account (same amount, within ``[bank] reconcile_days`` days, no ``bank-ref``) counts as
already there. A closing balance given by the file becomes an exact balance assertion
(``~ 0.00``) dated the day after.

Everything here is pure (entries in, entries out) except :func:`plan_import`, which asks
:func:`shares.pay_member` for a dry run of a member's payment.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NoReturn

from alusage_ledger.books import checks
from alusage_ledger.core.errors import LedgerErrors, LedgerProblem, RefusedError, UsageError
from alusage_ledger.core.i18n import _
from alusage_ledger.core.money import ZERO, MoneyError, parse_amount

if TYPE_CHECKING:
    from alusage_ledger.books.config import Config
    from alusage_ledger.books.ledger import Append, LoadedLedger, Workspace
    from alusage_ledger.integrations.bank.rules import Rule, RuleSet

CURRENCY = "EUR"
#: Encodings a profile or a rules file may name (never guessed from the bytes).
ENCODINGS = {
    "utf-8": "utf-8",
    "utf8": "utf-8",
    "cp1252": "cp1252",
    "windows-1252": "cp1252",
    "iso-8859-15": "iso-8859-15",
    "latin-9": "iso-8859-15",
    "latin9": "iso-8859-15",
    "iso-8859-1": "iso-8859-1",
    "latin-1": "iso-8859-1",
    "latin1": "iso-8859-1",
}
HEADER_SEARCH_ROWS = 30
MAX_LABEL = 400  # the writer's limit on free text is 500
_C1 = re.compile("[\x80-\x9f]")  # C1 controls: bytes of another encoding
BUILTIN_DATE_FORMATS = ("JJ/MM/AAAA", "JJ/MM/AA")


class StatementError(LedgerErrors):
    """A statement file cannot be read: one sentence with the file and the line (exit 1)."""


def _fail(shown: str, line: int | None, problem: str) -> NoReturn:
    where = f"{shown}:{line}" if line else shown
    raise StatementError(_("{where}: {problem}").format(where=where, problem=problem))


# --------------------------------------------------------------------------- text helpers


def header_key(text: str) -> str:
    """A column name as compared: no accents, no case, letters and digits only.

    ``"Libellé"`` → ``"libelle"``, ``"Montant(EUROS)"`` → ``"montanteuros"``.
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]", "", ascii_text.casefold())


def words(text: str) -> str:
    """Text as a sequence of words for 'does this label name X': `` vir sepa les jardins ``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return " " + " ".join(re.findall(r"[a-z0-9]+", ascii_text.casefold())) + " "


def names(label: str, name: str) -> bool:
    """Whether a bank label names ``name`` (a client, a supplier, a document number).

    Whole words, accents and case ignored (``"VIR SEPA ASSOCIATION LES JARDINS"`` names
    ``"Association Les Jardins"``); a document number also matches without its
    punctuation (``F20260041`` names ``F2026-0041``). Names shorter than 3 characters
    never match.
    """
    wanted = words(name)
    if len(wanted.strip()) < 3:
        return False
    said = words(label)
    if wanted in said:
        return True
    compact = wanted.replace(" ", "")
    return any(ch.isdigit() for ch in compact) and compact in said.replace(" ", "")


def clean_label(text: str) -> str:
    """Inner runs of white space as one space; control and invisible characters dropped
    (a label is free text that the writer would otherwise refuse)."""
    if not text.isprintable():
        text = "".join(" " if unicodedata.category(ch)[0] in "CZ" else ch for ch in text)
    return " ".join(text.split())


# --------------------------------------------------------------------------- amounts, dates


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


_DATE_TOKENS = (
    ("AAAA", "Y"),
    ("YYYY", "Y"),
    ("JJ", "d"),
    ("DD", "d"),
    ("MM", "m"),
    ("AA", "y"),
    ("YY", "y"),
)
_DATE_GROUPS = {
    "Y": r"(?P<Y>\d{4})",
    "y": r"(?P<y>\d{2})",
    "d": r"(?P<d>\d{1,2})",
    "m": r"(?P<m>\d{1,2})",
}


def date_pattern(fmt: str) -> re.Pattern[str]:
    """A date format such as ``JJ/MM/AAAA``, ``JJ/MM/AA`` or ``YYYY-MM-DD`` as a regex.

    Raises ValueError for a format without day, month and year, or with other letters.
    """
    out: list[str] = []
    seen: list[str] = []
    index = 0
    while index < len(fmt):
        for token, group in _DATE_TOKENS:
            if fmt.startswith(token, index):
                out.append(_DATE_GROUPS[group])
                seen.append(group)
                index += len(token)
                break
        else:
            char = fmt[index]
            if char.isalnum():
                raise ValueError(fmt)
            out.append(re.escape(char))
            index += 1
    years = [g for g in seen if g in "Yy"]
    if sorted(g for g in seen if g in "dm") != ["d", "m"] or len(years) != 1:
        raise ValueError(fmt)
    return re.compile("".join(out))


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


# --------------------------------------------------------------------------- profiles


@dataclass(frozen=True)
class Layout:
    """One header variant of a bank's export; column names as :func:`header_key` gives them."""

    key: str
    required: tuple[str, ...]
    date: str
    label: tuple[str, ...]
    amount: str | None = None  # one signed amount column
    debit: str | None = None
    credit: str | None = None
    reference: str | None = None  # the bank's own reference of the line
    payee: str | None = None
    balance: str | None = None  # running balance after each line
    value_date: str | None = None
    closing_keys: tuple[str, ...] = ()  # preamble/footer line holding the closing balance
    closing_date_keys: tuple[str, ...] = ()  # preamble line holding its date
    newest_first: bool = False  # order assumed when every line has the same date


@dataclass(frozen=True)
class Profile:
    """A bank's export: its encoding, separator, decimal mark, date formats and layouts."""

    name: str
    encoding: str
    layouts: tuple[Layout, ...]
    delimiter: str = ";"
    decimal: str = ","
    date_formats: tuple[str, ...] = BUILTIN_DATE_FORMATS

    def patterns(self) -> list[re.Pattern[str]]:
        return [date_pattern(fmt) for fmt in self.date_formats]


#: The documented layouts (docs/bank-import.md, french-accounting.md §6).
BUILTIN_PROFILES: dict[str, Profile] = {
    "credit-mutuel": Profile(
        "credit-mutuel",
        "iso-8859-15",
        (
            Layout(
                "credit-mutuel",
                ("date", "datedevaleur", "debit", "credit", "libelle"),
                date="date",
                label=("libelle",),
                debit="debit",
                credit="credit",
                balance="solde",
                value_date="datedevaleur",
            ),
            Layout(
                "credit-mutuel/montant",
                ("date", "datedevaleur", "montant", "libelle"),
                date="date",
                label=("libelle",),
                amount="montant",
                balance="solde",
                value_date="datedevaleur",
            ),
        ),
    ),
    "bpce": Profile(
        "bpce",
        "cp1252",
        (
            Layout(
                "bpce",
                (
                    "datedecomptabilisation",
                    "libellesimplifie",
                    "libelleoperation",
                    "reference",
                    "debit",
                    "credit",
                ),
                date="datedecomptabilisation",
                label=("libelleoperation",),
                payee="libellesimplifie",
                reference="reference",
                debit="debit",
                credit="credit",
                value_date="datedevaleur",
            ),
            Layout(
                "bpce/caisse-epargne",
                ("date", "numerodoperation", "libelle", "debit", "credit"),
                date="date",
                label=("libelle",),
                reference="numerodoperation",
                debit="debit",
                credit="credit",
                closing_keys=("soldeenfindeperiode",),
                closing_date_keys=("datedefindetelechargement",),
            ),
        ),
    ),
    "banque-postale": Profile(
        "banque-postale",
        "cp1252",
        (
            Layout(
                "banque-postale",
                ("date", "libelle", "montanteuros"),
                date="date",
                label=("libelle",),
                amount="montanteuros",
                closing_keys=("soldeeuros",),
                closing_date_keys=("date",),
                newest_first=True,
            ),
        ),
    ),
}
PROFILE_NAMES = (*BUILTIN_PROFILES, "generic")


# --------------------------------------------------------------------------- statements


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
            _fail(
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
            _fail(
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
        _fail(
            shown,
            line_of(exc.start),
            _(
                "byte 0x{byte:02x} is not a character in {encoding}, the encoding the profile "
                "expects; set the right encoding in the rules file ([profile] encoding)."
            ).format(byte=raw[exc.start], encoding=codec),
        )
    except LookupError:
        _fail(shown, None, _("unknown encoding {encoding!r}.").format(encoding=encoding))
    control = _C1.search(text)
    if control is not None:
        _fail(
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
        _fail(
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
        _fail(
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
        _fail(shown, None, _("this is not a valid CSV file ({detail}).").format(detail=exc))
    layouts = (layout,) if layout is not None else profile.layouts
    hit = find_layout(rows, layouts)
    if hit is None:
        _fail(
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
            return parse_bank_amount(value, profile.decimal)
        except MoneyError:
            _fail(
                shown,
                line,
                _(
                    "the amount {value!r} in column {column!r} is not an amount with the "
                    "decimal mark {mark!r} (e.g. -1 234{mark}56)."
                ).format(value=value, column=shown_names.get(key, key), mark=profile.decimal),
            )

    lines: list[BankLine] = []
    for line, row in rows[header_index + 1 :]:
        if not any(c.strip() for c in row):
            continue
        first = row[columns.get(chosen.date, 0)].strip() if row else ""
        if header_key(row[0]).startswith("solde") and parse_date(first, patterns) is None:
            key_values.extend(_key_values(line, row))  # a footer: "Solde en début de période"
            continue
        day = parse_date(cell(row, chosen.date), patterns)
        if day is None:
            _fail(
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
                _fail(
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
                _fail(
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
                _fail(
                    shown,
                    line,
                    _("the credit {value!r} is negative; a credit brings money in.").format(
                        value=cell(row, chosen.credit)
                    ),
                )
            amount = -abs(debit) if debit is not None else credit  # type: ignore[assignment]
        assert amount is not None
        label = clean_label(" ".join(cell(row, key) for key in chosen.label if cell(row, key)))
        if len(label) > MAX_LABEL:
            _fail(
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
            _fail(
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


# --------------------------------------------------------------------------- bank-ref


def bank_refs(lines: Sequence[BankLine], account: str) -> list[str]:
    """A stable reference for each line (same order).

    The bank's reference when the line has one (a repeated reference gets ``#2``, ``#3``);
    else ``sha256:`` and 24 hex digits of the account, date, amount, label and the rank of
    the line among identical lines of that day, so an overlapping statement gives the
    same references and two identical purchases of one day two different ones.
    """
    seen: dict[tuple[Any, ...], int] = {}
    out = []
    for line in lines:
        if line.reference:
            key: tuple[Any, ...] = ("ref", line.reference)
            rank = seen.get(key, 0)
            seen[key] = rank + 1
            out.append(line.reference if rank == 0 else f"{line.reference}#{rank + 1}")
            continue
        amount = f"{line.amount:.2f}"
        key = ("hash", line.date, amount, line.label)
        rank = seen.get(key, 0)
        seen[key] = rank + 1
        text = "\n".join((account, line.date.isoformat(), amount, line.label, str(rank)))
        out.append("sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:24])
    return out


# --------------------------------------------------------------------------- planning


@dataclass
class Outcome:
    """What the import does with one line."""

    line: BankLine
    ref: str
    status: str  # already | matched | rule | review
    detail: str = ""
    entries: list[Any] = field(default_factory=list)


@dataclass
class ImportPlan:
    entity: str
    account: str
    statement: Statement
    outcomes: list[Outcome]
    appends: list[Append]
    letters: list[Any]
    balance: Any | None  # the new data.Balance, if any
    balance_status: str  # new | already | none | skipped | closed | incomplete
    notes: list[str] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def new(self) -> int:
        return sum(1 for o in self.outcomes if o.status != "already")


class _View:
    """What :func:`lettering.letter_account` reads: a ledger's entries plus the new ones."""

    def __init__(self, entries: list[Any]) -> None:
        self.entries = entries


def _posts_to(entry: Any, account: str) -> bool:
    return any(p.account == account for p in getattr(entry, "postings", ()) or ())


def _units_on(entry: Any, account: str) -> Decimal:
    return sum(
        (p.units.number for p in entry.postings if p.account == account and p.units is not None),
        ZERO,
    )


def present_refs(entries: Iterable[Any], account: str) -> set[str]:
    """``bank-ref`` values of the transactions already on ``account``."""
    from beancount.core import data

    return {
        str(e.meta["bank-ref"])
        for e in entries
        if isinstance(e, data.Transaction)
        and "bank-ref" in (e.meta or {})
        and _posts_to(e, account)
    }


def hand_entries(entries: Iterable[Any], account: str) -> list[tuple[date, Decimal, Any]]:
    """Transactions on ``account`` booked without a ``bank-ref`` (by hand or a command)."""
    from beancount.core import data

    out = []
    for entry in entries:
        if not isinstance(entry, data.Transaction) or "bank-ref" in (entry.meta or {}):
            continue
        if _posts_to(entry, account):
            out.append((entry.date, _units_on(entry, account), entry))
    return out


def _with_ref(entry: Any, ref: str, line: BankLine) -> Any:
    meta = dict(entry.meta or {})
    meta["bank-ref"] = ref
    if line.value_date is not None and line.value_date != line.date:
        meta["value-date"] = line.value_date
    return entry._replace(meta=meta)


def _transaction(
    day: date,
    flag: str,
    payee: str | None,
    narration: str,
    tags: Iterable[str],
    meta: dict[str, Any],
    postings: Sequence[Any],
) -> Any:
    from beancount.core import data

    full = data.new_metadata("<alusage>", 0)
    full.update(meta)
    return data.Transaction(
        full, day, flag, payee, narration, frozenset(tags), frozenset(), list(postings)
    )


def _posting(account: str, number: Decimal) -> Any:
    from beancount.core import data
    from beancount.core.amount import Amount

    return data.Posting(account, Amount(number, CURRENCY), None, None, None, None)


def line_entry(line: BankLine, ref: str, account: str, rule: Rule | None, suspense: str) -> Any:
    """The entry of a line no document matched: by ``rule`` when one fits (``*``), else
    to the suspense account, flagged ``!`` for review."""
    meta: dict[str, Any] = {"bank-ref": ref}
    if line.value_date is not None and line.value_date != line.date:
        meta["value-date"] = line.value_date
    if rule is None:
        return _transaction(
            line.date,
            "!",
            line.payee,
            line.label,
            (),
            meta,
            [_posting(account, line.amount), _posting(suspense, -line.amount)],
        )
    if rule.narration and line.label:
        meta["bank-label"] = line.label
    return _transaction(
        line.date,
        "*",
        rule.payee or line.payee,
        rule.narration or line.label,
        rule.tags,
        meta,
        [_posting(account, line.amount), _posting(rule.account, -line.amount)],
    )


@dataclass
class _Matcher:
    """Open invoices, bills and place members that a new line may settle."""

    ws: Workspace
    ledger: LoadedLedger
    account: str
    today: date
    used_invoices: set[str] = field(default_factory=set)
    used_bills: set[int] = field(default_factory=set)
    used_members: set[tuple[str, str]] = field(default_factory=set)
    touched: set[str] = field(default_factory=set)
    opens: list[Any] = field(default_factory=list)
    extra: list[Append] = field(default_factory=list)
    invoices: list[Any] = field(default_factory=list, init=False)
    bills: list[Any] = field(default_factory=list, init=False)
    members: list[tuple[Any, Any]] = field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        from alusage_ledger.domains.places.place import all_places
        from alusage_ledger.domains.purchases.bills import documents
        from alusage_ledger.domains.sales.invoices import sales_index

        config = self.ws.config
        index = sales_index(config, self.ledger)
        self.invoices = sorted(
            (i for i in index.invoices.values() if not i.cancelled and i.remaining > 0),
            key=lambda i: (i.date, i.number),
        )
        try:
            docs = documents(config, self.ledger)
        except UsageError:
            docs = []
        self.bills = sorted(
            (d for d in docs if d.remaining > 0), key=lambda d: (d.date, d.piece_ref)
        )
        self.members = [
            (place, member)
            for place in all_places(config)
            if place.host == self.ledger.entity
            for member in place.members
            if member.entity != place.host
        ]

    def match(self, line: BankLine, ref: str) -> tuple[list[Any], str] | None:
        if line.amount > 0:
            return self._invoice(line, ref) or self._member(line, ref)
        return self._bill(line, ref)

    def _invoice(self, line: BankLine, ref: str) -> tuple[list[Any], str] | None:
        from alusage_ledger.domains.sales.invoices import PaymentRequest, plan_payment

        fits = [
            i
            for i in self.invoices
            if i.number not in self.used_invoices
            and i.remaining == line.amount
            and i.date <= line.date
        ]
        chosen = [i for i in fits if names(line.label, i.number)] or [
            i for i in fits if names(line.label, i.client)
        ]
        if not chosen:
            return None
        invoice = chosen[0]
        request = PaymentRequest(
            self.ledger.entity, invoice.number, line.date, line.amount, self.account
        )
        try:
            planned = plan_payment(self.ws.config, self.ledger, request)
        except (UsageError, RefusedError):
            return None
        self.used_invoices.add(invoice.number)
        self.touched.add(invoice.receivable)
        self.opens.extend(planned.opens)
        return [_with_ref(planned.entry, ref, line)], _("invoice {number}").format(
            number=invoice.number
        )

    def _bill(self, line: BankLine, ref: str) -> tuple[list[Any], str] | None:
        from alusage_ledger.domains.purchases.bills import plan_payment

        fits = [
            d
            for d in self.bills
            if id(d) not in self.used_bills and d.remaining == -line.amount and d.date <= line.date
        ]
        chosen = [d for d in fits if d.piece_ref and names(line.label, d.piece_ref)] or [
            d for d in fits if names(line.label, d.party)
        ]
        if not chosen:
            return None
        doc = chosen[0]
        try:
            opener, entry = plan_payment(
                self.ws.config, self.ledger, doc, amount=None, day=line.date, account=self.account
            )
        except UsageError:
            return None
        self.used_bills.add(id(doc))
        self.touched.add(doc.account)
        self.opens.extend(opener.opens)
        return [_with_ref(entry, ref, line)], _("bill {piece} of {supplier}").format(
            piece=doc.piece_ref, supplier=doc.party
        )

    def _member(self, line: BankLine, ref: str) -> tuple[list[Any], str] | None:
        import os
        from pathlib import Path

        from beancount.core import data

        from alusage_ledger.books.ledger import Append
        from alusage_ledger.domains.places.shares import pay_member

        fits = [
            (place, member)
            for place, member in self.members
            if (place.id, member.id) not in self.used_members
            and (names(line.label, member.name) or names(line.label, member.id))
        ]
        if len(fits) != 1:
            return None
        place, member = fits[0]
        try:
            result = pay_member(
                self.ws,
                place,
                member,
                line.amount,
                day=line.date,
                # A line of a statement has happened: "today" is at least its date.
                today=max(self.today, line.date),
                account=self.account,
                dry_run=True,
            )
        except (UsageError, RefusedError):
            return None
        self.used_members.add((place.id, member.id))
        entries: list[Any] = []
        for plan in result.planned:
            if plan.entity == self.ledger.entity:
                for entry in plan.entries:
                    if isinstance(entry, data.Open):
                        self.opens.append(entry)
                    elif (
                        _posts_to(entry, self.account)
                        and (entry.meta or {}).get("member") == member.id
                    ):
                        entries.append(_with_ref(entry, ref, line))
                    else:
                        entries.append(entry)
            else:
                folder = self.ws.ledger_main(plan.entity).resolve().parent
                rel = Path(os.path.relpath(plan.path, folder)).as_posix()
                self.extra.append(Append(plan.entity, tuple(plan.entries), rel))
        return entries, _("member {member} of {place}").format(member=member.id, place=place.id)


def check_account(config: Config, ledger: LoadedLedger, text: str | None) -> str:
    """``--account``: a role (``bank``) or an open asset account with no sub-account."""
    from alusage_ledger.books.roles import DEFAULT_ROLES, role_account
    from alusage_ledger.core.suggest import did_you_mean

    value = (text or "bank").strip()
    account = (
        role_account(config, ledger.entity, value).account if value in DEFAULT_ROLES else value
    )
    opened = ledger.open_accounts()
    if account not in opened:
        raise UsageError(
            _("The account {account!r} is not open in the ledger of {entity}{hint}.").format(
                account=account, entity=ledger.entity, hint=did_you_mean(account, opened)
            )
        )
    if account.split(":")[0] != ledger.roots()[0]:
        raise UsageError(
            _("The bank account {account} must be an asset account ({root}:...).").format(
                account=account, root=ledger.roots()[0]
            )
        )
    if any(other.startswith(account + ":") for other in opened):
        raise UsageError(
            _(
                "The account {account} has sub-accounts; import into one of them (a balance "
                "assertion is written on a leaf account)."
            ).format(account=account)
        )
    return account


def _month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def plan_import(
    ws: Workspace,
    ledger: LoadedLedger,
    statement: Statement,
    account: str,
    rules: RuleSet | None = None,
    *,
    with_balance: bool = True,
    today: date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportPlan:
    """What importing ``statement`` into ``account`` of ``ledger`` writes (nothing is written).

    Raises :class:`RefusedError` (exit 4) when new lines fall in a closed month, naming
    each line, and :class:`StatementError` (exit 1) when the file's closing balance
    disagrees with the ledger after the import.
    """
    from beancount.core import data

    from alusage_ledger.books.accounts import Opener
    from alusage_ledger.books.ledger import Append, closed_months
    from alusage_ledger.books.roles import role_account
    from alusage_ledger.core.periods import resolve_today
    from alusage_ledger.domains.lettering.letters import letter_account

    config = ws.config
    entity = ledger.entity
    lines = sorted(statement.lines, key=lambda line: (line.date, line.line))
    refs = dict(zip((line.line for line in statement.lines), bank_refs(statement.lines, account)))
    present = present_refs(ledger.entries, account)
    window = timedelta(days=config.bank.reconcile_days)
    by_amount: dict[Decimal, list[tuple[int, date]]] = {}
    for n, (day, amount, _entry) in enumerate(hand_entries(ledger.entries, account)):
        by_amount.setdefault(amount, []).append((n, day))
    claimed: set[int] = set()
    outcomes: list[Outcome] = []
    fresh: list[Outcome] = []
    for line in lines:
        ref = refs[line.line]
        if ref in present:
            outcomes.append(Outcome(line, ref, "already", _("bank-ref")))
            continue
        # Booked by hand (or by 'invoice pay', or as the mirror of a member's payment)
        # without a bank-ref: the nearest such entry of the same amount is this line.
        candidates = [
            (abs((day - line.date).days), day, n)
            for n, day in by_amount.get(line.amount, ())
            if n not in claimed and abs(day - line.date) <= window
        ]
        if candidates:
            _gap, day, n = min(candidates)
            claimed.add(n)
            outcomes.append(
                Outcome(line, ref, "already", _("booked on {day}").format(day=day.isoformat()))
            )
            continue
        outcome = Outcome(line, ref, "review")
        outcomes.append(outcome)
        fresh.append(outcome)

    closed = closed_months(ledger.entries)
    refused = [o for o in fresh if _month(o.line.date) in closed]
    if refused:
        where = ", ".join(
            f"{statement.source}:{o.line.line} ({o.line.date.isoformat()})" for o in refused
        )
        raise RefusedError(
            _(
                "{count} new line(s) fall in a closed month of {entity}: {where}; nothing was "
                "written. Reopen the month ('alusage-ledger reopen') or book them by hand at "
                "an open date."
            ).format(count=len(refused), entity=entity, where=where)
        )

    new_entries: list[Any] = []
    today = today or resolve_today()
    matcher = _Matcher(ws, ledger, account, today) if fresh else None
    opener = Opener(config, ledger, fresh[0].line.date) if fresh else None
    counter_accounts: dict[int, str] = {}  # by rule number; 0: the suspense account
    for number, outcome in enumerate(fresh, start=1):
        assert matcher is not None and opener is not None
        line = outcome.line
        matched = matcher.match(line, outcome.ref)
        if matched is not None:
            outcome.status, outcome.detail = "matched", matched[1]
            outcome.entries = matched[0]
        else:
            rule = rules.first_match(line.label, line.amount) if rules is not None else None
            key = rule.number if rule is not None else 0
            if key not in counter_accounts:
                if rule is not None:
                    assert rules is not None
                    counter_accounts[key] = rules.need_account(rule, ledger, opener)
                else:
                    role = role_account(config, entity, "suspense")
                    counter_accounts[key] = opener.need(role.account, role.pcg, role.label)
            if rule is not None:
                outcome.status, outcome.detail = "rule", rule.describe()
            outcome.entries = [line_entry(line, outcome.ref, account, rule, counter_accounts[key])]
        new_entries.extend(outcome.entries)
        if progress is not None:
            progress(number, len(fresh))

    transactions = [e for e in new_entries if isinstance(e, data.Transaction)]
    letters: list[Any] = []
    if matcher is not None and matcher.touched:
        view = sorted([*ledger.entries, *new_entries], key=data.entry_sortkey)
        for third_party in sorted(matcher.touched):
            letters.extend(letter_account(_View(view), third_party))  # type: ignore[arg-type]

    balance, balance_status = _balance(
        statement,
        ledger,
        account,
        transactions,
        closed,
        with_balance=with_balance,
        today=today,
    )
    opens = sorted(
        [
            *(opener.opens if opener is not None else []),
            *(matcher.opens if matcher is not None else []),
        ],
        key=lambda o: (o.date, o.account),
    )
    already_open = ledger.open_accounts()
    unique_opens: dict[str, Any] = {}
    for entry in opens:
        if entry.account not in already_open:
            unique_opens.setdefault(entry.account, entry)
    appends: list[Append] = []
    if unique_opens:
        import os
        from pathlib import Path

        accounts_file = Path(os.path.realpath(ledger.folder() / "accounts.beancount"))
        target = "accounts.beancount" if accounts_file in ledger.files else None
        appends.append(Append(entity, tuple(unique_opens.values()), target))
    body = [*new_entries, *letters]
    if balance is not None:
        body.append(balance)
    if body:
        appends.append(Append(entity, tuple(body)))
    if matcher is not None:
        appends.extend(matcher.extra)
    return ImportPlan(
        entity,
        account,
        statement,
        sorted(outcomes, key=lambda o: o.line.line),
        appends,
        letters,
        balance,
        balance_status,
    )


def _balance(
    statement: Statement,
    ledger: LoadedLedger,
    account: str,
    new: Sequence[Any],
    closed: set[str],
    *,
    with_balance: bool,
    today: date,
) -> tuple[Any | None, str]:
    from beancount.core import data
    from beancount.core.amount import Amount

    closing = statement.closing
    if closing is None:
        return None, "none"
    if not with_balance:
        return None, "skipped"
    if closing.date > today:
        # The balance was taken today (or is value-dated later): more lines may come that
        # day, and an assertion on the next morning would then be wrong.
        return None, "incomplete"
    existing = [
        e
        for e in ledger.entries
        if isinstance(e, data.Balance)
        and e.account == account
        and e.date == closing.date
        and e.amount.currency == CURRENCY
    ]
    if existing:
        if all(e.amount.number == closing.amount for e in existing):
            return None, "already"
        _fail(
            statement.source,
            closing.line,
            _(
                "the ledger already asserts a balance of {ledger} on {account} on {day}, "
                "the statement says {amount}; nothing was written."
            ).format(
                ledger=f"{existing[0].amount.number:.2f}",
                account=account,
                day=closing.date.isoformat(),
                amount=f"{closing.amount:.2f}",
            ),
        )
    if _month(closing.date) in closed:
        return None, "closed"
    total = sum(
        (
            _units_on(e, account)
            for e in [*ledger.entries, *new]
            if isinstance(e, data.Transaction) and e.date < closing.date
        ),
        ZERO,
    )
    if total != closing.amount:
        _fail(
            statement.source,
            closing.line,
            _(
                "the statement's closing balance {amount} (asserted on {day}) does not match "
                "{account}, which would hold {ledger} after this import ({diff} missing); "
                "nothing was written: book the missing operations, or import with "
                "--no-balance."
            ).format(
                amount=f"{closing.amount:.2f}",
                day=closing.date.isoformat(),
                account=account,
                ledger=f"{total:.2f}",
                diff=f"{closing.amount - total:.2f}",
            ),
        )
    meta = data.new_metadata("<alusage>", 0)
    return (
        data.Balance(
            meta, closing.date, account, Amount(closing.amount, CURRENCY), Decimal("0.00"), None
        ),
        "new",
    )


# --------------------------------------------------------------------------- the whole import


def choose_profile(
    raw: bytes, shown: str, name: str, rules: RuleSet | None
) -> tuple[Profile, Layout | None]:
    """``--profile``: a built-in, ``generic`` (from the rules file) or ``auto`` (detected).

    A rules file's ``[profile] encoding`` alone overrides the encoding of a built-in one.
    """
    from alusage_ledger.core.errors import ConfigError

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
        from alusage_ledger.core.suggest import did_you_mean

        raise UsageError(
            _("Unknown profile {name!r}{hint}; the profiles are: {known}.").format(
                name=name, hint=did_you_mean(name, PROFILE_NAMES), known=", ".join(PROFILE_NAMES)
            )
        )
    return encoded(builtin), None


def load_statement(raw: bytes, shown: str, profile_name: str, rules: RuleSet | None) -> Statement:
    profile, layout = choose_profile(raw, shown, profile_name, rules)
    return read_statement(raw, shown, profile, layout)


def import_bank(
    ws: Workspace,
    entity: str,
    raw: bytes,
    shown: str,
    *,
    account: str | None = None,
    profile: str = "auto",
    rules: RuleSet | None = None,
    with_balance: bool = True,
    dry_run: bool = False,
    today: date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[ImportPlan, list[Any]]:
    """Read, plan and write (under the workspace lock); returns the plan and the files."""
    statement = load_statement(raw, shown, profile, rules)
    ws.config.entity(entity)
    with ws.lock():
        ledger = ws.load_checked(entity)
        bank = check_account(ws.config, ledger, account)
        plan = plan_import(
            ws,
            ledger,
            statement,
            bank,
            rules,
            with_balance=with_balance,
            today=today,
            progress=progress,
        )
        files = ws.write(plan.appends, dry_run=dry_run) if plan.appends else []
    return plan, files


# --------------------------------------------------------------------------- check rule


@checks.entity_rule
def bank_refs_unique(ws: Workspace, ledger: LoadedLedger) -> Iterable[LedgerProblem]:
    """A ``bank-ref`` appears once per bank account: a second one is a duplicated line."""
    from beancount.core import data

    seen: dict[tuple[str, str], Any] = {}
    for entry in ledger.entries:
        if not isinstance(entry, data.Transaction):
            continue
        ref = (entry.meta or {}).get("bank-ref")
        if not isinstance(ref, str):
            continue
        banks = {p.account for p in entry.postings if p.account.split(":")[0] == ledger.roots()[0]}
        for bank in sorted(banks):
            first = seen.setdefault((bank, ref), entry)
            if first is not entry:
                yield checks.problem_at(
                    ws,
                    ledger.entity,
                    entry,
                    _(
                        "the bank line {ref} of {account} is booked twice (first on {day}); "
                        "remove one with a reversal."
                    ).format(ref=ref, account=bank, day=first.date.isoformat()),
                )
