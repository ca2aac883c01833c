"""The journal (*livre-journal*): every entry of the period, grouped by journal code (the
FEC's codes: ``AN`` à-nouveaux, ``BQ`` bank, ``VT`` sales, ``AC`` purchases, ``OD``,
``CL`` closing), each with its lines and the journal's totals; and how an entry's journal,
piece and label are read (the general ledger shows them too)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from alusage_ledger.books.accounts import account_info
from alusage_ledger.books.exercice import is_opening, is_transaction
from alusage_ledger.core.errors import UsageError
from alusage_ledger.core.fmt import machine, money
from alusage_ledger.core.i18n import N_, _
from alusage_ledger.outputs.ledgerreports.tables import (
    debit_credit,
    formatter,
    md_escape,
    md_table,
    report_csv,
)
from alusage_ledger.outputs.ledgerreports.window import Window
from alusage_ledger.outputs.reports import ZERO

JOURNAL_ORDER = ("AN", "BQ", "VT", "AC", "OD", "CL")
JOURNAL_LABELS = {
    "AN": N_("Balances brought forward"),
    "BQ": N_("Bank"),
    "VT": N_("Sales"),
    "AC": N_("Purchases"),
    "OD": N_("Miscellaneous operations"),
    "CL": N_("Closing"),
}
_BANK = ("512", "53")


# --------------------------------------------------------------------------- journal codes


def journal_code(entry: Any, info: dict[str, tuple[str, str]]) -> str:
    """The entry's journal, by the FEC's rules (outputs.fec.build), with ``CL`` for closing entries."""
    meta = entry.meta or {}
    code = meta.get("journal")
    if isinstance(code, str) and code:
        return code
    tags = set(entry.tags or ())
    if "ouverture" in tags:
        return "AN"
    if "cloture" in tags:
        return "CL"
    pcgs = [info.get(p.account, ("", ""))[0] for p in entry.postings]
    if any(p.startswith(_BANK) for p in pcgs):
        return "BQ"
    if "invoice" in meta or "credit-note" in meta:
        return "VT"
    if any(p.startswith("401") for p in pcgs):
        return "AC"
    return "OD"


def piece_of(entry: Any) -> str:
    meta = entry.meta or {}
    for key in ("piece-ref", "credit-note", "invoice"):
        value = meta.get(key)
        if isinstance(value, str) and value:
            return value
    links = sorted(entry.links or ())
    return links[0] if links else ""


def entry_label(entry: Any) -> str:
    return " - ".join(t for t in (entry.payee, entry.narration) if t and t.strip())


# --------------------------------------------------------------------------- journal


@dataclass(frozen=True)
class JournalLine:
    pcg: str
    account: str
    debit: Decimal
    credit: Decimal


@dataclass(frozen=True)
class JournalEntry:
    journal: str
    number: str
    day: date
    piece: str
    label: str
    lines: tuple[JournalLine, ...]


def journal_book(
    entries: Sequence[Any], window: Window, journal: str | None = None
) -> list[JournalEntry]:
    """Every transaction of ``window``, numbered per journal in date order."""
    info = account_info(entries)
    chosen = [e for e in entries if is_transaction(e) and window.start <= e.date <= window.end]
    by_code: dict[str, list[Any]] = {}
    for entry in sorted(chosen, key=lambda e: (e.date, not is_opening(e))):
        by_code.setdefault(journal_code(entry, info), []).append(entry)
    if journal is not None and journal not in by_code:
        raise UsageError(
            _(
                "The journal {code!r} has no entry in this period; the journals are: {known}."
            ).format(code=journal, known=", ".join(sorted(by_code)) or "-")
        )
    out = []
    codes = sorted(by_code, key=lambda c: (JOURNAL_ORDER.index(c) if c in JOURNAL_ORDER else 99, c))
    for code in codes:
        if journal is not None and code != journal:
            continue
        for index, entry in enumerate(by_code[code], start=1):
            lines = tuple(
                JournalLine(
                    info.get(p.account, ("", ""))[0], p.account, *debit_credit(p.units.number)
                )
                for p in entry.postings
                if p.units is not None and p.units.number
            )
            out.append(
                JournalEntry(
                    code,
                    f"{code}{index:06d}",
                    entry.date,
                    piece_of(entry),
                    entry_label(entry),
                    lines,
                )
            )
    return out


JOURNAL_KEYS = ("journal", "number", "date", "piece", "label", "pcg", "account", "debit", "credit")


def journal_rows(book: Sequence[JournalEntry], human: bool) -> list[list[str]]:
    fmt = formatter(human)
    rows = []
    for entry in book:
        for line in entry.lines:
            rows.append(
                [
                    entry.journal,
                    entry.number,
                    entry.day.isoformat(),
                    entry.piece,
                    entry.label,
                    line.pcg,
                    line.account,
                    fmt(line.debit),
                    fmt(line.credit),
                ]
            )
    return rows


def journal_markdown(book: Sequence[JournalEntry], window: Window, entity_name: str) -> str:
    out = [
        "# "
        + md_escape(
            _("Journal — {name} — {start} to {end}").format(
                name=entity_name, start=window.start.isoformat(), end=window.end.isoformat()
            )
        ),
        "",
    ]
    headers = journal_headers()[1:]
    codes = list(dict.fromkeys(e.journal for e in book))
    for code in codes:
        entries = [e for e in book if e.journal == code]
        title = _(JOURNAL_LABELS[code]) if code in JOURNAL_LABELS else code
        out += [f"## {md_escape(code)} — {md_escape(title)}", ""]
        rows = [r[1:] for r in journal_rows(entries, True)]
        debit = sum((line.debit for e in entries for line in e.lines), ZERO)
        credit = sum((line.credit for e in entries for line in e.lines), ZERO)
        rows.append(
            ["", "", "", f"**{_('Total')}**", "", "", f"**{money(debit)}**", f"**{money(credit)}**"]
        )
        out.append(md_table(headers, rows, (6, 7)))
    return "\n".join(out)


def journal_csv(book: Sequence[JournalEntry], dialect: str = "machine") -> str:
    rows = journal_rows(book, False)
    return report_csv(JOURNAL_KEYS, JOURNAL_HEADINGS, rows, (7, 8), dialect)


def journal_json(book: Sequence[JournalEntry], window: Window) -> dict[str, Any]:
    return {
        "start": window.start,
        "end": window.end,
        "entries": [
            {
                "journal": e.journal,
                "number": e.number,
                "date": e.day,
                "piece": e.piece,
                "label": e.label,
                "lines": [
                    {
                        "pcg": line.pcg,
                        "account": line.account,
                        "debit": machine(line.debit),
                        "credit": machine(line.credit),
                    }
                    for line in e.lines
                ],
            }
            for e in book
        ],
    }


JOURNAL_HEADINGS = (
    N_("Journal"),
    N_("Number"),
    N_("Date"),
    N_("Piece"),
    N_("Label"),
    N_("PCG"),
    N_("Account"),
    N_("Debit"),
    N_("Credit"),
)


def journal_headers() -> list[str]:
    """Columns of a journal table, one per item of a ``journal_rows`` row."""
    return [_(h) for h in JOURNAL_HEADINGS]
