"""The Fichier des Écritures Comptables (FEC, LPF art. L47 A I and A47 A-1): rows, file, checks.

A French company that keeps its books on a computer hands the tax administration, on
request, one flat file per exercice: 18 fields in a fixed order, a header line, a tab or
``|`` between fields, amounts with a decimal comma and no thousands separator, dates as
``AAAAMMJJ``, the opening entry (à-nouveaux) first, every entry numbered without gaps
within its journal, and a description of the file beside it. This module is the pure
core of ``export fec``:

- :func:`build_fec` turns an entity's loaded entries into :class:`FecLine` rows (which
  entries, which journal, which number, which account number, which piece, which
  lettering, which validation date), or says precisely why it cannot;
- :func:`render_fec` and :func:`render_description` turn them into bytes
  (UTF-8 or ISO-8859-15, tab or pipe);
- :func:`verify_fec` checks *any* FEC file, ours or another program's, line by line.

A ledger entry becomes one FEC entry, each posting one line::

    2026-01-08 * "Client Alpha" "Facture F2026-0001" ^F2026-0001
      invoice: "F2026-0001"
      Actif:Clients:ClientAlpha        3780.00 EUR   ; pcg 411 -> 411 + CompAuxNum 411ClientAlpha
      Produits:Prestations:Programmation -3150.00 EUR ; pcg 7062
      Passif:Etat:TVAEnAttente         -630.00 EUR   ; pcg 44588

    VT  Ventes  VT000001  20260108  411  Clients  411ClientAlpha  Client Alpha  F2026-0001
        20260108  Client Alpha - Facture F2026-0001  3780,00  0,00  AA  20260131  20260203

The mapping, its sources and its limits are explained in ``docs/fec.md``. The FEC's
content (journal labels, description file) is French whatever the interface language:
it is a document for the French administration, not a message to the user.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alusage_ledger.core.errors import LedgerErrors, LedgerProblem, RefusedError, UsageError
from alusage_ledger.core.i18n import _

if TYPE_CHECKING:
    from alusage_ledger.books.config import Config

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

ENCODINGS: dict[str, str] = {"utf-8": "UTF-8", "iso-8859-15": "ISO-8859-15"}
SEPARATORS: dict[str, str] = {"tab": "\t", "pipe": "|"}
EOL = "\r\n"

#: Journal codes the tool assigns, with their labels (French: the FEC is French).
JOURNAL_LABELS: dict[str, str] = {
    "AN": "À-nouveaux",
    "BQ": "Banque",
    "VT": "Ventes",
    "AC": "Achats",
    "OD": "Opérations diverses",
    "CL": "Clôture",
}
OPENING_JOURNAL = "AN"
OPENING_TAG = "ouverture"
CLOSING_JOURNAL = "CL"
CLOSING_TAG = "cloture"
INVENTORY_TAG = "inventaire"
BANK_PREFIXES = ("512", "53")
SUPPLIER_PREFIX = "401"
AUX_PREFIXES = ("401", "411")
#: Metadata naming the third party of an entry (``member`` holds an id: weaker than payee).
THIRD_PARTY_KEYS = ("client", "supplier", "person")
MEMBER_KEY = "member"

_JOURNAL_CODE = re.compile(r"^[A-Za-z0-9]{1,10}$")
_PCG = re.compile(r"^\d{3}[A-Za-z0-9]*$")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_CENT = Decimal("0.01")
_ZERO = Decimal(0)

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
    text = f"{value.quantize(_CENT):f}"
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


def _parse_fec_date(text: str) -> date:
    if not re.fullmatch(r"\d{8}", text):
        raise ValueError(text)
    return date(int(text[:4]), int(text[4:6]), int(text[6:8]))


def export_date(environ: Mapping[str, str] | None = None) -> date:
    """Today, or ``ALUSAGE_TODAY`` (``YYYY-MM-DD``) for reproducible exports and tests."""
    env = os.environ if environ is None else environ
    raw = env.get("ALUSAGE_TODAY")
    if not raw:
        return date.today()
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise UsageError(
            _("ALUSAGE_TODAY must be a date YYYY-MM-DD (got {value!r}).").format(value=raw)
        ) from None


def exercice_bounds(exercice_start: str, year: int) -> tuple[date, date]:
    """First and last day of exercice ``year``: the exercice that *closes* in ``year``.

    With ``exercice_start = "01-01"`` that is January 1st to December 31st of ``year``;
    with ``"07-01"``, exercice 2026 runs from 2025-07-01 to 2026-06-30 (French usage:
    "l'exercice clos en 2026"; the FEC is named after its closing date).
    """
    if not 1900 <= year <= 2099:
        raise UsageError(
            _("The exercice must be a year between 1900 and 2099 (got {year}).").format(year=year)
        )
    month, day = (int(part) for part in exercice_start.split("-"))
    if (month, day) == (1, 1):
        return date(year, 1, 1), date(year, 12, 31)
    start = date(year - 1, month, day)
    end = date(year, month, day) - timedelta(days=1)
    return start, end


def third_party_parents(config: Config, entity: str) -> tuple[str, ...]:
    """Accounts whose sub-accounts belong to one third party each (CompAuxNum).

    The entity's third-party roles (``clients``, ``suppliers``, ``persons``, and
    ``members`` when configured: the roles lettering works on) and the members'
    receivable of every place the entity hosts (``[places.<id>] receivable``, e.g.
    ``Actif:Usagers:Le97``).
    """
    from alusage_ledger.books.roles import DEFAULT_ROLES, role_account
    from alusage_ledger.domains.lettering.letters import THIRD_PARTY_ROLES
    from alusage_ledger.domains.places.place import all_places

    parents = [
        role_account(config, entity, role).account
        for role in THIRD_PARTY_ROLES
        if role in DEFAULT_ROLES or role in config.entity(entity).accounts
    ]
    parents += [p.config.receivable for p in all_places(config) if p.config.host == entity]
    return tuple(dict.fromkeys(parents))


def third_party_names(config: Config, entity: str) -> dict[str, str]:
    """``{account: name}`` of the members of the places ``entity`` hosts (CompAuxLib).

    A member's configured ``name``, else the name of the entity it is, else nothing (the
    name is then learnt from the entries).
    """
    from alusage_ledger.domains.places.place import all_places

    names: dict[str, str] = {}
    for place in all_places(config):
        if place.config.host != entity:
            continue
        for member in place.members:
            name = member.name if member.name != member.id else None
            if name is None and member.entity and member.entity in config.entities:
                name = config.entities[member.entity].name
            if name:
                names[place.member_account(member)] = name
    return names


def months_between(start: date, end: date) -> list[str]:
    """``YYYY-MM`` of every month that has a day in ``start..end``."""
    months = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


# --------------------------------------------------------------------------- rows


@dataclass(frozen=True)
class FecLine:
    """One line of the FEC (one posting), with typed values."""

    journal_code: str
    journal_lib: str
    ecriture_num: str
    ecriture_date: date
    compte_num: str
    compte_lib: str
    comp_aux_num: str
    comp_aux_lib: str
    piece_ref: str
    piece_date: date
    ecriture_lib: str
    debit: Decimal
    credit: Decimal
    ecriture_let: str
    date_let: date | None
    valid_date: date
    montant_devise: Decimal | None
    idevise: str
    account: str = ""  # the Beancount account (not written)

    def cells(self) -> tuple[str, ...]:
        return (
            self.journal_code,
            self.journal_lib,
            self.ecriture_num,
            fec_date(self.ecriture_date),
            self.compte_num,
            self.compte_lib,
            self.comp_aux_num,
            self.comp_aux_lib,
            self.piece_ref,
            fec_date(self.piece_date),
            self.ecriture_lib,
            fec_amount(self.debit),
            fec_amount(self.credit),
            self.ecriture_let,
            fec_date(self.date_let) if self.date_let else "",
            fec_date(self.valid_date),
            fec_amount(self.montant_devise) if self.montant_devise is not None else "",
            self.idevise,
        )


@dataclass(frozen=True)
class JournalSummary:
    code: str
    label: str
    entries: int
    first: str
    last: str


@dataclass(frozen=True)
class FecSettings:
    """What :func:`build_fec` needs besides the entries (all from the config and the CLI)."""

    entity: str
    name: str
    siren: str
    start: date
    end: date
    export_date: date
    root: Path
    books_start: date | None = None
    allow_open: bool = False
    #: Parents whose sub-accounts are third parties (clients, suppliers, persons, places).
    third_party_parents: tuple[str, ...] = ()
    #: Known names of third-party accounts (members of places), for CompAuxLib.
    third_party_names: Mapping[str, str] = field(default_factory=dict)
    currency: str = "EUR"


@dataclass(frozen=True)
class FecExport:
    settings: FecSettings
    lines: tuple[FecLine, ...]
    journals: tuple[JournalSummary, ...]
    entries: int
    open_months: tuple[str, ...]
    closed_on: Mapping[str, date] = field(default_factory=dict)
    #: Inventory entries (#inventaire) of an exercice not closed yet (with --allow-open).
    pending_inventory: int = 0

    @property
    def provisional(self) -> bool:
        return bool(self.open_months or self.pending_inventory)

    @property
    def filename(self) -> str:
        return f"{self.settings.siren}FEC{fec_date(self.settings.end)}.txt"

    @property
    def description_name(self) -> str:
        return f"{self.settings.siren}FEC{fec_date(self.settings.end)}-description.txt"

    def totals(self) -> tuple[Decimal, Decimal]:
        return (
            sum((line.debit for line in self.lines), _ZERO),
            sum((line.credit for line in self.lines), _ZERO),
        )


@dataclass(frozen=True)
class _Account:
    pcg: str | None
    label: str | None
    third_party: str | None
    file: str | None
    line: int | None


def _rel(filename: Any, root: Path) -> str | None:
    if not filename or str(filename).startswith("<"):
        return None
    try:
        return Path(str(filename)).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(filename)


def _sort_key(entry: Any, root: Path) -> tuple[date, str, int]:
    meta = entry.meta or {}
    return (entry.date, _rel(meta.get("filename"), root) or "", int(meta.get("lineno") or 0))


def _meta_str(meta: Mapping[str, Any] | None, key: str) -> str | None:
    if not meta or key not in meta or meta[key] is None:
        return None
    value = meta[key]
    return value if isinstance(value, str) else str(value)


def _meta_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def humanize_component(component: str) -> str:
    """``CoopDesTilleuls`` → ``Coop Des Tilleuls`` (last resort for a third party's name)."""
    return " ".join(part for part in _CAMEL.split(component) if part)


def _is_opening(entry: Any) -> bool:
    return (entry.meta or {}).get("journal") == OPENING_JOURNAL or OPENING_TAG in (entry.tags or ())


def _is_closing(entry: Any) -> bool:
    return (entry.meta or {}).get("journal") == CLOSING_JOURNAL or CLOSING_TAG in (entry.tags or ())


def close_dates(entries: Iterable[Any]) -> dict[str, date]:
    """``{"2026-11": closed-on}`` from the ``custom "alusage-close"`` directives.

    ``closed-on`` is the day the month was closed (the FEC's ``ValidDate``); a close
    without it counts from the directive's own date (the first day of the next month).
    """
    from beancount.core import data

    closes: dict[str, date] = {}
    for entry in entries:
        if isinstance(entry, data.Custom) and entry.type == "alusage-close" and entry.values:
            month = str(entry.values[0].value)
            closed_on = _meta_date((entry.meta or {}).get("closed-on")) or entry.date
            closes[month] = closed_on
    return closes


def exercice_closed_on(entries: Iterable[Any], year: int) -> date | None:
    """The ``closed-on`` of the ``custom "alusage-close-exercice"`` of exercice ``year``.

    The directive's first value names the exercice (a year, or a date in its closing
    year); without one, the exercice is the one that ended the day before the directive.
    """
    from beancount.core import data

    found = None
    for entry in entries:
        if not isinstance(entry, data.Custom) or entry.type != "alusage-close-exercice":
            continue
        value = entry.values[0].value if entry.values else None
        if isinstance(value, date):
            named = value.year
        elif value is not None and str(value)[:4].isdigit():
            named = int(str(value)[:4])
        else:
            named = (entry.date - timedelta(days=1)).year
        if named == year:
            found = _meta_date((entry.meta or {}).get("closed-on")) or entry.date
    return found


class _Builder:
    def __init__(self, entries: Sequence[Any], settings: FecSettings) -> None:
        from beancount.core import data

        self.settings = settings
        self.root = settings.root
        self.all_entries = entries
        self.transactions = sorted(
            (e for e in entries if isinstance(e, data.Transaction)),
            key=lambda e: _sort_key(e, self.root),
        )
        self.accounts: dict[str, _Account] = {}
        for entry in entries:
            if isinstance(entry, data.Open):
                meta = entry.meta or {}
                pcg = _meta_str(meta, "pcg")
                self.accounts[entry.account] = _Account(
                    pcg.strip() if pcg else None,
                    _meta_str(meta, "label"),
                    _meta_str(meta, "third-party"),
                    _rel(meta.get("filename"), self.root),
                    meta.get("lineno"),
                )
        self.problems: list[LedgerProblem] = []
        self.missing_pcg: dict[str, _Account | None] = {}
        self._aux_cache: dict[str, tuple[str, str] | None] = {}
        self._aux_names: dict[str, str] = {}
        self._docs: dict[tuple[str, str], list[Any]] = defaultdict(list)

    # ---- problems

    def problem(self, entry: Any, message: str) -> None:
        meta = entry.meta or {}
        self.problems.append(
            LedgerProblem(
                self.settings.entity,
                _rel(meta.get("filename"), self.root),
                meta.get("lineno"),
                message,
            )
        )

    # ---- accounts

    def pcg(self, account: str) -> str:
        info = self.accounts.get(account)
        if info is None or not info.pcg:
            self.missing_pcg.setdefault(account, info)
            return ""
        return info.pcg

    def aux(self, account: str) -> tuple[str, str] | None:
        """``(component, name)`` when ``account`` is a third party's account."""
        if account in self._aux_cache:
            return self._aux_cache[account]
        info = self.accounts.get(account)
        component: str | None = None
        if info is not None and info.third_party:
            component = account.split(":")[-1]
        else:
            for parent in self.settings.third_party_parents:
                if account.startswith(parent + ":"):
                    component = account[len(parent) + 1 :].split(":")[0]
                    break
            else:
                pcg = info.pcg if info is not None else None
                if pcg and pcg.startswith(AUX_PREFIXES) and account.count(":") >= 2:
                    component = account.split(":")[-1]
        result = None
        if component is not None:
            name = (
                (info.third_party if info is not None else None)
                or self.settings.third_party_names.get(account)
                or self._aux_names.get(account)
            )
            result = (component, clean_text(name or humanize_component(component)))
        self._aux_cache[account] = result
        return result

    def _learn_aux_names(self) -> None:
        """A third party's name: from the first entry that names it (metadata, then payee)."""
        from_meta: dict[str, str] = {}
        from_payee: dict[str, str] = {}
        from_member: dict[str, str] = {}
        candidates = {
            p.account for e in self.transactions for p in e.postings if self._maybe_aux(p.account)
        }
        for entry in self.transactions:
            touched = {p.account for p in entry.postings if p.account in candidates}
            if len(touched) != 1:
                continue
            (account,) = touched
            meta = entry.meta or {}
            for key in THIRD_PARTY_KEYS:
                value = _meta_str(meta, key)
                if value and account not in from_meta:
                    from_meta[account] = value
            if entry.payee and account not in from_payee:
                from_payee[account] = entry.payee
            member = _meta_str(meta, MEMBER_KEY)
            if member and account not in from_member:
                from_member[account] = member
        self._aux_names = {**from_member, **from_payee, **from_meta}

    def _maybe_aux(self, account: str) -> bool:
        info = self.accounts.get(account)
        if info is not None and (info.third_party or (info.pcg or "").startswith(AUX_PREFIXES)):
            return True
        return any(account.startswith(p + ":") for p in self.settings.third_party_parents)

    def label(self, account: str) -> str:
        info = self.accounts.get(account)
        text = clean_text(info.label) if info is not None and info.label else ""
        return text or humanize_component(account.split(":")[-1])

    # ---- journals

    def journal(self, entry: Any) -> str:
        meta = entry.meta or {}
        code = _meta_str(meta, "journal")
        if code is not None:
            if not _JOURNAL_CODE.fullmatch(code):
                self.problem(
                    entry,
                    _(
                        "the journal code {code!r} must be 1 to 10 letters or digits "
                        "(journal metadata)."
                    ).format(code=code),
                )
            return code
        if OPENING_TAG in (entry.tags or ()):
            return OPENING_JOURNAL
        pcgs = [self.pcg(p.account) for p in entry.postings]
        if any(p.startswith(BANK_PREFIXES) for p in pcgs):
            return "BQ"
        if "invoice" in meta or "credit-note" in meta:
            return "VT"
        if any(p.startswith(SUPPLIER_PREFIX) for p in pcgs):
            return "AC"
        return "OD"

    # ---- pieces

    def _index_documents(self) -> None:
        for entry in self.transactions:
            meta = entry.meta or {}
            for key in ("piece-ref", "credit-note", "invoice"):
                value = _meta_str(meta, key)
                if value:
                    self._docs[(key, value)].append(entry)

    def _document_date(self, key: str, ref: str, entry: Any) -> date:
        """The date of the document ``ref``: its ``piece-date``, else its first entry's date.

        The document's first entry is the earliest one carrying the same reference and
        sharing a link with ``entry`` (a payment points to its bill through the link); for
        an invoice, the entry that names the client (the invoice itself) is preferred.
        """
        links = set(entry.links or ())
        same = [
            e
            for e in self._docs.get((key, ref), [])
            if not links or not e.links or links & set(e.links)
        ]
        if key == "invoice":
            named = [e for e in same if "client" in (e.meta or {})]
            same = named or same
        origin = same[0] if same else entry
        raw = (origin.meta or {}).get("piece-date")
        if raw is not None:
            parsed = _meta_date(raw)
            if parsed is None:
                self.problem(
                    origin,
                    _("piece-date {value!r} is not a date YYYY-MM-DD.").format(value=str(raw)),
                )
            else:
                return parsed
        return origin.date  # type: ignore[no-any-return]

    def piece(self, entry: Any, number: str) -> tuple[str, date]:
        meta = entry.meta or {}
        for key in ("piece-ref", "credit-note", "invoice"):
            ref = _meta_str(meta, key)
            if ref:
                return clean_text(ref), self._document_date(key, ref, entry)
        own = _meta_date(meta.get("piece-date")) or entry.date
        if entry.links:
            return clean_text(sorted(entry.links)[0]), own
        return number, own

    # ---- amounts

    def amounts(self, entry: Any, posting: Any) -> tuple[Decimal, Decimal | None, str] | None:
        """``(signed amount in the book currency, foreign amount, currency)`` or None."""
        from beancount.core import convert

        units = posting.units
        if units is None or not isinstance(units.number, Decimal):
            self.problem(
                entry, _("a posting on {account} has no amount.").format(account=posting.account)
            )
            return None
        currency = self.settings.currency
        if units.currency == currency and posting.cost is None and posting.price is None:
            number = units.number
            foreign: Decimal | None = None
            idevise = ""
        else:
            weight = convert.get_weight(posting)
            if weight.currency != currency or not isinstance(weight.number, Decimal):
                self.problem(
                    entry,
                    _(
                        "a posting on {account} in {currency} has no value in {book} "
                        "(give it a price or a cost in {book})."
                    ).format(account=posting.account, currency=units.currency, book=currency),
                )
                return None
            number = weight.number
            foreign, idevise = abs(units.number), units.currency
        if number != number.quantize(_CENT):
            self.problem(
                entry,
                _(
                    "the amount {amount} on {account} has more than 2 decimals; the FEC "
                    "(and the books) need whole cents."
                ).format(amount=number, account=posting.account),
            )
            return None
        return number, foreign, idevise

    # ---- the whole file

    def months(self) -> tuple[list[str], dict[str, date]]:
        start = self.settings.start
        if self.settings.books_start and self.settings.books_start > start:
            start = self.settings.books_start
        months = months_between(start, self.settings.end) if start <= self.settings.end else []
        closes = close_dates(self.all_entries)
        return [m for m in months if m not in closes], closes

    def build(self) -> FecExport:
        settings = self.settings
        open_months, closes = self.months()
        if open_months and not settings.allow_open:
            raise RefusedError(
                _(
                    "The exercice {year} of {entity} has months that are not closed: {months}. "
                    "Close them first ('alusage-ledger close MONTH'), or pass --allow-open "
                    "for a provisional FEC."
                ).format(
                    year=settings.end.year, entity=settings.entity, months=", ".join(open_months)
                )
            )
        in_range = [
            e
            for e in self.transactions
            if settings.start <= e.date <= settings.end and not _is_closing(e)
        ]
        if not in_range:
            raise UsageError(
                _(
                    "{entity} has no entry in the exercice {year} ({start} to {end}); "
                    "there is nothing to export."
                ).format(
                    entity=settings.entity,
                    year=settings.end.year,
                    start=settings.start.isoformat(),
                    end=settings.end.isoformat(),
                )
            )
        # Inventory entries are booked after December is closed: validated by the exercice
        # close (the Year issue), not by their month's close.
        inventory_valid = exercice_closed_on(self.all_entries, settings.end.year)
        pending = [
            e for e in in_range if INVENTORY_TAG in (e.tags or ()) and inventory_valid is None
        ]
        if pending and not settings.allow_open:
            raise RefusedError(
                _(
                    "The exercice {year} of {entity} has {count} inventory entries (#inventaire) "
                    "but the exercice is not closed yet; close it first ('alusage-ledger year "
                    "close'), or pass --allow-open for a provisional FEC."
                ).format(year=settings.end.year, entity=settings.entity, count=len(pending))
            )
        ordered = [e for e in in_range if _is_opening(e)] + [
            e for e in in_range if not _is_opening(e)
        ]
        self._check_opening(ordered)
        self._learn_aux_names()
        self._index_documents()
        from alusage_ledger.domains.lettering.letters import LetterIndex

        letters = LetterIndex(self.all_entries)

        counters: dict[str, int] = defaultdict(int)
        numbers: dict[str, list[str]] = defaultdict(list)
        lines: list[FecLine] = []
        exported = 0
        for entry in ordered:
            code = self.journal(entry)
            month = f"{entry.date.year:04d}-{entry.date.month:02d}"
            if INVENTORY_TAG in (entry.tags or ()):
                valid = inventory_valid or settings.export_date
            else:
                valid = closes.get(month, settings.export_date)
            postings = []
            for posting in entry.postings:
                amounts = self.amounts(entry, posting)
                if amounts is None or amounts[0] == 0:
                    continue
                postings.append((posting, amounts))
            if not postings:
                continue
            counters[code] += 1
            number = f"{code}{counters[code]:06d}"
            numbers[code].append(number)
            exported += 1
            piece_ref, piece_date = self.piece(entry, number)
            label = clean_text(
                " - ".join(t for t in (entry.payee, entry.narration) if t and t.strip())
            )
            for posting, (amount, foreign, idevise) in postings:
                account = posting.account
                aux = self.aux(account)
                compte = self.pcg(account)
                letter = letters.get(entry, account)
                letter_code = clean_text(letter.code) if letter is not None else ""
                letter_date = letter.date if letter is not None else None
                lines.append(
                    FecLine(
                        journal_code=code,
                        journal_lib=JOURNAL_LABELS.get(code, code),
                        ecriture_num=number,
                        ecriture_date=entry.date,
                        compte_num=compte,
                        compte_lib=self.label(account),
                        comp_aux_num=f"{compte}{aux[0]}" if aux else "",
                        comp_aux_lib=aux[1] if aux else "",
                        piece_ref=piece_ref,
                        piece_date=piece_date,
                        ecriture_lib=label or piece_ref,
                        debit=amount if amount > 0 else _ZERO,
                        credit=-amount if amount < 0 else _ZERO,
                        ecriture_let=letter_code,
                        date_let=letter_date if letter_code else None,
                        valid_date=valid,
                        montant_devise=foreign,
                        idevise=idevise,
                        account=account,
                    )
                )
        self._check_pcg_format(lines)
        self._raise_problems()
        journals = tuple(
            JournalSummary(code, JOURNAL_LABELS.get(code, code), len(nums), nums[0], nums[-1])
            for code, nums in sorted(
                numbers.items(), key=lambda item: (item[0] != OPENING_JOURNAL, item[0])
            )
        )
        return FecExport(
            settings,
            tuple(lines),
            journals,
            exported,
            tuple(open_months),
            closes,
            pending_inventory=len(pending),
        )

    def _check_opening(self, ordered: list[Any]) -> None:
        """Earlier books must be carried forward by an opening entry in the exercice."""
        if any(_is_opening(e) for e in ordered):
            return
        balances: dict[str, Decimal] = defaultdict(Decimal)
        for entry in self.transactions:
            if entry.date >= self.settings.start:
                break
            for posting in entry.postings:
                if posting.units is not None and isinstance(posting.units.number, Decimal):
                    balances[posting.account] += posting.units.number
        carried = []
        for account, total in sorted(balances.items()):
            info = self.accounts.get(account)
            pcg = info.pcg if info is not None else None
            # Balance-sheet classes 1-5 carry forward; 6 and 7 start again each year.
            if total != 0 and (pcg is None or pcg[:1] in "12345"):
                carried.append(account)
        if carried:
            raise LedgerErrors(
                _(
                    "The exercice {year} of {entity} has no opening entry (journal AN or tag "
                    "#ouverture) although earlier entries leave balances on {accounts}; "
                    "close the previous exercice first ('alusage-ledger year close')."
                ).format(
                    year=self.settings.end.year,
                    entity=self.settings.entity,
                    accounts=", ".join(carried[:5]) + (" ..." if len(carried) > 5 else ""),
                )
            )

    def _check_pcg_format(self, lines: list[FecLine]) -> None:
        seen: set[str] = set()
        for line in lines:
            if line.account in seen or not line.compte_num:
                continue
            seen.add(line.account)
            if not _PCG.fullmatch(line.compte_num):
                info = self.accounts[line.account]
                self.problems.append(
                    LedgerProblem(
                        self.settings.entity,
                        info.file,
                        info.line,
                        _(
                            "the PCG number {pcg!r} of {account} must start with 3 digits "
                            "and hold only letters and digits."
                        ).format(pcg=line.compte_num, account=line.account),
                    )
                )

    def _raise_problems(self) -> None:
        self.problems = list(dict.fromkeys(self.problems))  # a piece shared by several entries
        missing = sorted(self.missing_pcg)
        for account in missing:
            info = self.missing_pcg[account]
            self.problems.append(
                LedgerProblem(
                    self.settings.entity,
                    info.file if info else None,
                    info.line if info else None,
                    _("{account} has no PCG number (pcg metadata on its open).").format(
                        account=account
                    ),
                )
            )
        if missing:
            raise LedgerErrors(
                _(
                    "{count} account(s) of {entity} have no PCG number, so the FEC has no "
                    'CompteNum for them: {accounts}. Add pcg: "NNN" to each open directive.'
                ).format(
                    count=len(missing), entity=self.settings.entity, accounts=", ".join(missing)
                ),
                self.problems,
            )
        if self.problems:
            raise LedgerErrors(
                _("The ledger of {entity} cannot be exported as a FEC: {count} problem(s).").format(
                    entity=self.settings.entity, count=len(self.problems)
                ),
                self.problems,
            )


def build_fec(entries: Sequence[Any], settings: FecSettings) -> FecExport:
    """The FEC lines of one entity and exercice, or an error saying what stops them.

    Raises :class:`RefusedError` when months of the exercice are not closed (unless
    ``settings.allow_open``), :class:`LedgerErrors` listing every account without a PCG
    number and every other ledger problem, :class:`UsageError` when the exercice is empty.
    """
    return _Builder(entries, settings).build()


# --------------------------------------------------------------------------- writing


def render_fec(export: FecExport, encoding: str = "utf-8", separator: str = "tab") -> bytes:
    """The FEC file's bytes: header line, then one line per posting, CRLF line ends."""
    if encoding not in ENCODINGS:
        raise UsageError(
            _("Unknown encoding {value!r}; use utf-8 or iso-8859-15.").format(value=encoding)
        )
    if separator not in SEPARATORS:
        raise UsageError(_("Unknown separator {value!r}; use tab or pipe.").format(value=separator))
    sep = SEPARATORS[separator]
    out = [sep.join(FIELDS)]
    for line in export.lines:
        out.append(
            sep.join(clean_text(transliterate(clean_text(c), encoding)) for c in line.cells())
        )
    return (EOL.join(out) + EOL).encode(encoding)


def _fr_date(value: date) -> str:
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def _ecritures(count: int) -> str:
    return f"{count} écriture" + ("s" if count > 1 else "")


def _fr_amount(value: Decimal) -> str:
    return fec_amount(value)


FIELD_DESCRIPTIONS: tuple[tuple[str, str, str], ...] = (
    ("JournalCode", "Alphanumérique", "Code du journal (voir la liste des journaux)"),
    ("JournalLib", "Alphanumérique", "Libellé du journal"),
    (
        "EcritureNum",
        "Alphanumérique",
        "Code du journal suivi d'un numéro à 6 chiffres, continu par journal et par exercice, "
        "attribué dans l'ordre (date, fichier, ligne) ; les à-nouveaux en premier",
    ),
    ("EcritureDate", "Date AAAAMMJJ", "Date de comptabilisation de l'écriture"),
    ("CompteNum", "Alphanumérique", "Numéro de compte du PCG (métadonnée pcg du compte)"),
    ("CompteLib", "Alphanumérique", "Libellé du compte (métadonnée label du compte)"),
    (
        "CompAuxNum",
        "Alphanumérique",
        "Compte auxiliaire des tiers (clients, fournisseurs, personnes, usagers) : numéro "
        "collectif suivi du nom du tiers ; à blanc sinon",
    ),
    ("CompAuxLib", "Alphanumérique", "Nom du tiers ; à blanc sinon"),
    (
        "PieceRef",
        "Alphanumérique",
        "Référence de la pièce : piece-ref, sinon numéro d'avoir ou de facture, sinon lien "
        "de l'écriture, sinon le numéro d'écriture",
    ),
    (
        "PieceDate",
        "Date AAAAMMJJ",
        "Date de la pièce (piece-date, sinon date de sa première écriture)",
    ),
    ("EcritureLib", "Alphanumérique", "Libellé de l'écriture (tiers - libellé)"),
    ("Debit", "Numérique", "Montant au débit"),
    ("Credit", "Numérique", "Montant au crédit"),
    ("EcritureLet", "Alphanumérique", "Code de lettrage ; à blanc sinon"),
    ("DateLet", "Date AAAAMMJJ", "Date du lettrage ; à blanc sinon"),
    ("ValidDate", "Date AAAAMMJJ", "Date de validation : date de clôture du mois de l'écriture"),
    ("Montantdevise", "Numérique", "Montant en devise ; à blanc si l'écriture est en euros"),
    ("Idevise", "Alphanumérique", "Code ISO de la devise ; à blanc si l'écriture est en euros"),
)


def render_description(
    export: FecExport,
    fec_bytes: bytes,
    encoding: str = "utf-8",
    separator: str = "tab",
    version: str = "",
) -> bytes:
    """The description that must accompany the FEC (A47 A-1 II and XI), in French."""
    settings = export.settings
    debit, credit = export.totals()
    sep_text = {
        "tab": "tabulation (caractère ASCII 9)",
        "pipe": "barre verticale « | » (caractère ASCII 124)",
    }[separator]
    lines = [
        "DESCRIPTION DU FICHIER DES ÉCRITURES COMPTABLES (FEC)",
        "Article A47 A-1 du livre des procédures fiscales (arrêté du 29 juillet 2013)",
        "",
        f"Entreprise : {clean_text(settings.name)}",
        f"SIREN : {settings.siren}",
        f"Exercice : du {_fr_date(settings.start)} au {_fr_date(settings.end)}",
        f"Fichier : {export.filename}",
        f"Empreinte SHA-256 du fichier : {hashlib.sha256(fec_bytes).hexdigest()}",
        f"Date de l'export : {_fr_date(settings.export_date)}",
        f"Logiciel : alusage-ledger {version} (livres Beancount en texte brut)".replace("  ", " "),
        "",
    ]
    if export.provisional:
        lines.append("STATUT : PROVISOIRE. Ce fichier ne doit pas être remis comme FEC définitif.")
        if export.open_months:
            lines.append(
                "Les mois suivants ne sont pas clôturés : "
                + ", ".join(export.open_months)
                + " ; pour leurs écritures, ValidDate est la date de l'export et les écritures "
                "peuvent encore changer."
            )
        if export.pending_inventory:
            lines.append(
                f"L'exercice n'est pas clôturé : pour ses {_ecritures(export.pending_inventory)} "
                "d'inventaire (#inventaire), ValidDate est la date de l'export."
            )
    else:
        lines.append(
            "STATUT : DÉFINITIF. Tous les mois de l'exercice sont clôturés ; ValidDate est la "
            "date de clôture du mois de chaque écriture."
        )
    lines += [
        "",
        "FORMAT",
        "- Fichier à plat, un enregistrement par ligne, fin de ligne CR LF.",
        f"- Jeu de caractères : {ENCODINGS[encoding]}, sans marque d'ordre d'octets.",
        f"- Séparateur de zones : {sep_text}.",
        "- Première ligne : noms des 18 zones, dans l'ordre de l'article A47 A-1 VII 1°.",
        "- Montants : virgule décimale, deux décimales, sans séparateur de milliers ni "
        "signe ; débit et crédit dans deux zones distinctes, l'une des deux à 0,00.",
        "- Dates : AAAAMMJJ, sans séparateur.",
        "- Les libellés sont débarrassés des tabulations, barres verticales et retours à la "
        "ligne"
        + (
            " ; les caractères absents de l'ISO-8859-15 sont translittérés."
            if encoding != "utf-8"
            else "."
        ),
        "",
        "CONTENU",
        f"- {len(export.lines)} lignes, {_ecritures(export.entries)}.",
        f"- Total des débits : {_fr_amount(debit)} ; total des crédits : {_fr_amount(credit)}.",
        "- L'écriture d'ouverture (reprise des soldes, journal AN) figure en premier ; les "
        "autres écritures suivent dans l'ordre chronologique (date, fichier, ligne).",
        "- Sont exclues : les écritures de clôture des comptes de charges et de produits "
        "(classes 6 et 7) dans le résultat (étiquette #cloture ou journal CL), et les "
        "lignes de montant nul.",
        "- Comptes de tiers : les clients (411), fournisseurs (401), personnes et usagers "
        "des lieux utilisent le compte collectif dans CompteNum et un compte auxiliaire par "
        "tiers dans CompAuxNum / CompAuxLib.",
        "",
        "JOURNAUX",
    ]
    for journal in export.journals:
        lines.append(
            f"- {journal.code} : {journal.label} ; {_ecritures(journal.entries)}, "
            f"numéros {journal.first} à {journal.last}."
        )
    lines += ["", "ZONES"]
    for index, (name, kind, text) in enumerate(FIELD_DESCRIPTIONS, start=1):
        lines.append(f"{index:2d}. {name} ({kind}) : {text}.")
    text = EOL.join(transliterate(line, encoding) for line in lines) + EOL
    return text.encode(encoding)


# --------------------------------------------------------------------------- checking


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
    debit: Decimal = _ZERO
    credit: Decimal = _ZERO

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
                dates[name] = _parse_fec_date(value)
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
                amounts["Debit"] = amounts["Montant"] if debit_side else _ZERO
                amounts["Credit"] = _ZERO if debit_side else amounts["Montant"]
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
        key = (values["JournalCode"].strip(), values["EcritureNum"].strip())
        if not key[1]:
            continue
        group = entries.get(key)
        if group is None:
            group = {"first": number, "last": number, "balance": _ZERO, "dates": set(), "ok": True}
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
