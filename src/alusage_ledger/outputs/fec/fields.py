"""The FEC's fields and values: the 18 fields of A47 A-1 and how one value is written in a
field (amounts, dates, text) and read back (by the verifier)."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation

from alusage_ledger.core.money import CENT

#: The 18 fields of A47 A-1 VII 1°, header literals and order as in the arrêté
#: (``Montantdevise`` with a lower-case "d").
FIELDS: tuple[str, ...] = (
    "JournalCode",
    "JournalLib",
    "EcritureNum",
    "EcritureDate",
    "CompteNum",
    "CompteLib",
    "CompAuxNum",
    "CompAuxLib",
    "PieceRef",
    "PieceDate",
    "EcritureLib",
    "Debit",
    "Credit",
    "EcritureLet",
    "DateLet",
    "ValidDate",
    "Montantdevise",
    "Idevise",
)
#: The VII 2° variant: ``Montant`` and ``Sens`` instead of ``Debit`` and ``Credit``.
FIELDS_SENS: tuple[str, ...] = FIELDS[:11] + ("Montant", "Sens") + FIELDS[13:]

#: Fields whose content the arrêté does not allow to be blank (the others are
#: "à blanc si non utilisé").
MANDATORY: tuple[str, ...] = (
    "JournalCode",
    "JournalLib",
    "EcritureNum",
    "EcritureDate",
    "CompteNum",
    "CompteLib",
    "PieceRef",
    "PieceDate",
    "EcritureLib",
    "ValidDate",
)
DATE_FIELDS: tuple[str, ...] = ("EcritureDate", "PieceDate", "DateLet", "ValidDate")


# Characters ISO-8859-15 lacks that French text commonly holds, and what replaces them.
_TRANSLIT: dict[str, str] = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u2032": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u2033": '"',
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2015": "-",
    "\u2212": "-",
    "\u2026": "...",
    "\u2022": "-",
    "\u2122": "TM",
    "\u2030": "o/oo",
}


# --------------------------------------------------------------------------- values


def fec_amount(value: Decimal) -> str:
    """``1234,50``: two decimals, a decimal comma, no thousands separator (A47 A-1 XII 2°)."""
    text = f"{value.quantize(CENT):f}"
    return text.replace(".", ",")


def fec_date(value: date) -> str:
    """``20260131`` (A47 A-1 XII 4°)."""
    return f"{value.year:04d}{value.month:02d}{value.day:02d}"


def clean_text(value: str) -> str:
    """One line of text safe in any FEC field: no tab, pipe, line break or control character.

    Every such character (and every kind of space) becomes one plain space; runs of
    spaces are collapsed and the ends trimmed.
    """
    out: list[str] = []
    for char in unicodedata.normalize("NFC", value):
        category = unicodedata.category(char)
        if char in "\t|" or category in ("Cc", "Cf", "Zl", "Zp", "Zs", "Cs", "Co", "Cn"):
            out.append(" ")
        else:
            out.append(char)
    return " ".join("".join(out).split())


def transliterate(value: str, encoding: str) -> str:
    """``value`` with every character the encoding lacks replaced by a close equivalent.

    UTF-8 holds everything. For ISO-8859-15: typographic quotes and dashes become their
    ASCII forms, other characters lose their accents (NFKD), and what is left becomes ``?``.
    """
    if encoding == "utf-8":
        return value
    out: list[str] = []
    for char in value:
        try:
            char.encode(encoding)
            out.append(char)
            continue
        except UnicodeEncodeError:
            pass
        if char in _TRANSLIT:
            out.append(_TRANSLIT[char])
            continue
        decomposed = "".join(
            c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
        )
        try:
            decomposed.encode(encoding)
            out.append(clean_text(decomposed) if decomposed.strip() else "?")
        except UnicodeEncodeError:
            out.append("?")
    return "".join(out)


_NUMBER = re.compile(r"^(?:[+-]?\d+(?:,\d+)?|\d+(?:,\d+)?[+-])$")
_SPACES = frozenset(" \u00a0\u202f\u2009\u2007'’")


def parse_fec_number(text: str) -> Decimal:
    """A FEC amount (decimal comma, optional sign first or last) as a Decimal.

    Raises ``ValueError`` whose message says what is wrong: a thousands separator, a
    decimal point, or not a number at all.
    """
    value = text.strip()
    if _NUMBER.fullmatch(value):
        sign = ""
        if value[-1] in "+-":
            sign, value = value[-1], value[:-1]
        try:
            return Decimal(sign + value.replace(",", "."))
        except InvalidOperation:  # pragma: no cover - the pattern excludes it
            raise ValueError("number") from None
    if any(char in _SPACES for char in value) or value.count(",") > 1:
        raise ValueError("thousands")
    if "," in value and "." in value:
        raise ValueError("thousands")
    if "." in value:
        raise ValueError("point")
    raise ValueError("number")


def parse_fec_date(text: str) -> date:
    """A FEC date ``AAAAMMJJ``; ``ValueError`` when it is not one."""
    if not re.fullmatch(r"\d{8}", text):
        raise ValueError(text)
    return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
