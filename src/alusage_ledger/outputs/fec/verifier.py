"""Checking any FEC file, ours or another program's, line by line (:func:`verify_fec`)."""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from alusage_ledger.core.i18n import _
from alusage_ledger.core.money import ZERO
from alusage_ledger.outputs.fec.fields import (
    DATE_FIELDS,
    FIELDS,
    FIELDS_SENS,
    MANDATORY,
    fec_amount,
    parse_fec_date,
    parse_fec_number,
)


@dataclass(frozen=True)
class FecProblem:
    line: int
    message: str
    severity: str = "error"


@dataclass
class FecReport:
    """What :func:`verify_fec` found."""

    problems: list[FecProblem]
    encoding: str = ""
    separator: str = ""
    lines: int = 0
    entries: int = 0
    journals: dict[str, int] = field(default_factory=dict)
    debit: Decimal = ZERO
    credit: Decimal = ZERO

    @property
    def errors(self) -> list[FecProblem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[FecProblem]:
        return [p for p in self.problems if p.severity != "error"]

    @property
    def ok(self) -> bool:
        return not self.errors


_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_NUM_SUFFIX = re.compile(r"^(.*?)(\d+)$")
_FILE_NAME = re.compile(r"^\d{9}FEC\d{8}(\.[A-Za-z]+)?$")


def _number_problem(field_name: str, value: str, reason: str) -> str:
    if reason == "thousands":
        return _("{field} {value!r} has a thousands separator; write amounts like 1234,50.").format(
            field=field_name, value=value
        )
    if reason == "point":
        return _(
            "{field} {value!r} uses a point; the decimal separator must be a comma (1234,50)."
        ).format(field=field_name, value=value)
    return _("{field} {value!r} is not a number like 1234,50.").format(
        field=field_name, value=value
    )


def verify_fec(data: bytes, filename: str | None = None) -> FecReport:
    """Check a FEC file against A47 A-1 (and what DGFiP's Test Compta Demat checks).

    Errors: header (18 fields, official names and order), field count per line, mandatory
    fields, valid dates ``AAAAMMJJ``, well-formed numbers (decimal comma, no thousands
    separator), a debit and a credit on the same line, unbalanced entries, an entry with
    several dates, gaps in the numbering of a journal, ``CompteNum`` not starting with 3
    digits, control characters. Warnings: a line with debit = credit = 0 (as Test Compta
    Demat), a year outside 1900-2099, half-filled optional pairs, a byte-order mark, an
    unusual file name. Line numbers count the header as line 1.
    """
    report = FecReport(problems=[])
    problems = report.problems

    def error(line: int, message: str) -> None:
        problems.append(FecProblem(line, message))

    def warning(line: int, message: str) -> None:
        problems.append(FecProblem(line, message, "warning"))

    if filename is not None and not _FILE_NAME.fullmatch(Path(filename).name):
        warning(
            1,
            _(
                "the file name {name!r} is not SirenFECAAAAMMJJ (e.g. 123456789FEC20261231.txt)."
            ).format(name=Path(filename).name),
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
        warning(1, _("the file starts with a UTF-8 byte-order mark; some tools reject it."))
    try:
        text = data.decode("utf-8")
        report.encoding = "ascii" if text.isascii() else "utf-8"
    except UnicodeDecodeError:
        text = data.decode("iso-8859-15")
        report.encoding = "iso-8859-15"
    rows = _LINE_BREAK.split(text)
    if rows and rows[-1] == "":
        rows.pop()
    if not rows or not rows[0].strip():
        error(1, _("the file is empty: a FEC starts with a header line of field names."))
        return report

    header_line = rows[0]
    if "\t" in header_line:
        sep, report.separator = "\t", "tab"
    elif "|" in header_line:
        sep, report.separator = "|", "pipe"
    else:
        error(1, _("the header has no field separator: fields are separated by a tab or |."))
        return report
    header = [h.strip() for h in header_line.split(sep)]
    upper = [h.upper() for h in header]
    expected = FIELDS_SENS if "SENS" in upper and "DEBIT" not in upper else FIELDS
    sens_variant = expected is FIELDS_SENS
    index: dict[str, int] = {}
    for name in expected:
        if name.upper() in upper:
            index[name] = upper.index(name.upper())
        else:
            error(1, _("the header lacks the field {field}.").format(field=name))
    extra = [h for h in header if h.upper() not in {n.upper() for n in expected}]
    for name in extra:
        error(1, _("the header has an unknown field {field!r}.").format(field=name))
    if len(index) == len(expected) and [index[n] for n in expected] != list(range(len(expected))):
        error(
            1,
            _("the header's fields are not in the official order: {order}.").format(
                order=", ".join(expected)
            ),
        )
    if len(index) != len(expected):
        return report  # without every field, the lines cannot be read

    entries: dict[tuple[str, str], dict[str, Any]] = {}
    order: list[tuple[str, str]] = []
    letters: dict[tuple[str, str, str], tuple[int, Decimal]] = {}
    for number, row in enumerate(rows[1:], start=2):
        cells = row.split(sep)
        if len(cells) != len(header):
            error(
                number,
                _("this line has {count} fields; the header has {expected}.").format(
                    count=len(cells), expected=len(header)
                ),
            )
            continue
        report.lines += 1
        values = {name: cells[i] for name, i in index.items()}
        for name, value in values.items():
            if any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in value):
                error(number, _("{field} holds a control character.").format(field=name))
        for name in MANDATORY:
            if not values[name].strip():
                error(number, _("{field} is empty; it is mandatory.").format(field=name))
        dates: dict[str, date] = {}
        for name in DATE_FIELDS:
            value = values[name].strip()
            if not value:
                continue
            try:
                dates[name] = parse_fec_date(value)
            except ValueError:
                error(
                    number,
                    _("{field} {value!r} is not a valid date AAAAMMJJ.").format(
                        field=name, value=value
                    ),
                )
                continue
            if not 1900 <= dates[name].year <= 2099:
                warning(
                    number,
                    _("{field} {value!r} has a year outside 1900-2099.").format(
                        field=name, value=value
                    ),
                )
        amounts: dict[str, Decimal] = {}
        numeric = (
            ("Montant", "Montantdevise") if sens_variant else ("Debit", "Credit", "Montantdevise")
        )
        for name in numeric:
            value = values[name].strip()
            if not value:
                if name != "Montantdevise":
                    error(number, _("{field} is empty; it is mandatory.").format(field=name))
                continue
            try:
                amounts[name] = parse_fec_number(value)
            except ValueError as exc:
                error(number, _number_problem(name, value, str(exc)))
        if sens_variant:
            sens = values["Sens"].strip()
            if sens not in ("D", "C", "+1", "-1"):
                error(
                    number,
                    _("Sens {value!r} must be D, C, +1 or -1.").format(value=sens),
                )
            elif "Montant" in amounts:
                debit_side = sens in ("D", "+1")
                amounts["Debit"] = amounts["Montant"] if debit_side else ZERO
                amounts["Credit"] = ZERO if debit_side else amounts["Montant"]
        compte = values["CompteNum"].strip()
        if compte and not re.match(r"^\d{3}", compte):
            error(
                number,
                _("CompteNum {value!r} must start with 3 digits (a PCG account).").format(
                    value=compte
                ),
            )
        if bool(values["CompAuxNum"].strip()) != bool(values["CompAuxLib"].strip()):
            warning(number, _("CompAuxNum and CompAuxLib are filled together or not at all."))
        if bool(values["EcritureLet"].strip()) != bool(values["DateLet"].strip()):
            warning(number, _("EcritureLet and DateLet are filled together or not at all."))
        if bool(values["Montantdevise"].strip()) != bool(values["Idevise"].strip()):
            warning(number, _("Montantdevise and Idevise are filled together or not at all."))
        debit, credit = amounts.get("Debit"), amounts.get("Credit")
        if debit is not None and credit is not None:
            if debit != 0 and credit != 0:
                error(number, _("this line has both a debit and a credit."))
            elif debit == 0 and credit == 0:
                warning(number, _("this line has neither a debit nor a credit (both zero)."))
            report.debit += debit
            report.credit += credit
        code = values["EcritureLet"].strip()
        if code and not code.islower() and debit is not None and credit is not None:
            # A final letter (capitals; lower case is partial lettering) matches lines of one
            # account that balance.
            account_key = (values["CompteNum"].strip(), values["CompAuxNum"].strip(), code)
            first, total = letters.get(account_key, (number, ZERO))
            letters[account_key] = (first, total + debit - credit)
        key = (values["JournalCode"].strip(), values["EcritureNum"].strip())
        if not key[1]:
            continue
        group = entries.get(key)
        if group is None:
            group = {"first": number, "last": number, "balance": ZERO, "dates": set(), "ok": True}
            entries[key] = group
            order.append(key)
        group["last"] = number
        if debit is None or credit is None:
            group["ok"] = False
        else:
            group["balance"] += debit - credit
        if "EcritureDate" in dates:
            group["dates"].add(dates["EcritureDate"])

    report.entries = len(entries)
    for key in order:
        group = entries[key]
        journal, num = key
        if group["ok"] and group["balance"] != 0:
            error(
                group["first"],
                _(
                    "entry {num} (journal {journal}, lines {first}-{last}) is not balanced: debits "
                    "minus credits = {diff}."
                ).format(
                    num=num,
                    journal=journal,
                    first=group["first"],
                    last=group["last"],
                    diff=fec_amount(group["balance"]),
                ),
            )
        if len(group["dates"]) > 1:
            error(
                group["first"],
                _("entry {num} (journal {journal}) has several EcritureDate values.").format(
                    num=num, journal=journal
                ),
            )

    for (compte, aux, code), (first, total) in letters.items():
        if total != 0:
            error(
                first,
                _(
                    "the lines lettered {code} on account {account} do not balance: debits "
                    "minus credits = {diff}."
                ).format(code=code, account=aux or compte, diff=fec_amount(total)),
            )

    # Continuous numbering: per journal (and prefix), the numbers have no gap.
    series: dict[tuple[str, str], list[tuple[int, str, int]]] = defaultdict(list)
    for key in order:
        journal, num = key
        report.journals[journal] = report.journals.get(journal, 0) + 1
        match = _NUM_SUFFIX.fullmatch(num)
        if match is None:
            warning(
                entries[key]["first"],
                _(
                    "EcritureNum {num!r} ends with no number; its continuity cannot be checked."
                ).format(num=num),
            )
            continue
        series[(journal, match.group(1))].append((int(match.group(2)), num, entries[key]["first"]))
    for (journal, _prefix), items in series.items():
        items.sort()
        for (previous, prev_num, _line), (current, cur_num, line) in itertools.pairwise(items):
            if current - previous > 1:
                error(
                    line,
                    _(
                        "the numbering of journal {journal} jumps from {before} to {after}: "
                        "{missing} number(s) missing."
                    ).format(
                        journal=journal,
                        before=prev_num,
                        after=cur_num,
                        missing=current - previous - 1,
                    ),
                )
    if len(rows) == 1:
        error(1, _("the file has a header but no entry."))
    problems.sort(key=lambda p: (p.line, p.severity != "error"))
    return report
