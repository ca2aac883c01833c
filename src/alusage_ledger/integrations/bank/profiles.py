"""Bank profiles: how a bank lays out its CSV export (encoding, columns, dates, decimal mark).

A *profile* names a bank's export: its encoding (never guessed from the bytes), separator,
decimal mark, date formats and one or more *layouts* (header variants). The built-in
profiles are the documented ones (docs/bank-import.md); a rules file's ``[profile]`` table
builds another (:mod:`alusage_ledger.integrations.bank.rules`). Column names are compared
through :func:`header_key`, date formats such as ``JJ/MM/AAAA`` become regular expressions
through :func:`date_pattern`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

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
BUILTIN_DATE_FORMATS = ("JJ/MM/AAAA", "JJ/MM/AA")


def header_key(text: str) -> str:
    """A column name as compared: no accents, no case, letters and digits only.

    ``"Libellé"`` → ``"libelle"``, ``"Montant(EUROS)"`` → ``"montanteuros"``.
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]", "", ascii_text.casefold())


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
    period_start_keys: tuple[str, ...] = ()  # preamble line: first day of the statement
    period_end_keys: tuple[str, ...] = ()  # preamble line: last day of the statement


@dataclass(frozen=True)
class Profile:
    """A bank's export: its encoding, separator, decimal mark, date formats and layouts."""

    name: str
    encoding: str
    layouts: tuple[Layout, ...]
    delimiter: str = ";"
    decimal: str = ","
    date_formats: tuple[str, ...] = BUILTIN_DATE_FORMATS
    decimals: int | None = 2  # digits after the decimal mark of every amount (None: any)

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
                period_start_keys=("datededebutdetelechargement",),
                period_end_keys=("datedefindetelechargement",),
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
                period_end_keys=("date",),
                newest_first=True,
            ),
        ),
    ),
}
PROFILE_NAMES = (*BUILTIN_PROFILES, "generic")
