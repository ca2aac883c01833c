"""The books' own reports: balance générale, grand livre and livre-journal, for a period.

* **Trial balance** (*balance générale*): one row per PCG number (or per account with
  ``detail``), with the opening balance, the period's debits and credits, the closing
  balance, each as debit/credit columns; the totals of debits and credits are equal.
* **General ledger** (*grand livre*) of an account, a parent account or a PCG number or
  prefix: the opening balance, each posting with its journal, piece and running balance.
* **Journal** (*livre-journal*): every entry of the period, grouped by journal code (the
  FEC's codes: ``AN`` à-nouveaux, ``BQ`` bank, ``VT`` sales, ``AC`` purchases, ``OD``,
  ``CL`` closing), each with its lines and the journal's totals.

Period semantics, the same for the three (docs/year.md): the *opening* of a period starting
on day S is every transaction dated before S plus the opening entries (à-nouveaux:
``journal: "AN"`` or ``#ouverture``) dated S; the period's *movements* are the other
transactions dated S to E, except the closing entries (``#cloture``) dated E, so that a
report of an exercice shows its balances before they are closed into the result, as the
FEC does. Closing = opening + movements. The journal lists every entry of the period,
closing entries included (journal ``CL``).

Pure functions from booked entries to dataclasses; renderers to Markdown, CSV, JSON and
plain rows. No timestamp, stable order: regenerated from the same books, byte-identical.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from alusage_ledger.books.accounts import account_info
from alusage_ledger.books.exercice import is_closing, is_opening, is_transaction
from alusage_ledger.core.errors import UsageError
from alusage_ledger.core.i18n import N_, _
from alusage_ledger.domains.year.yearend import ZERO, exercice_of_year, parse_exercice

if TYPE_CHECKING:
    from alusage_ledger.books.config import EntityConfig

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


# --------------------------------------------------------------------------- periods


@dataclass(frozen=True)
class Window:
    """A period, both days included."""

    start: date
    end: date

    @property
    def label(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


def report_window(
    config: EntityConfig, entries: Sequence[Any], period: str | None, exercice: str | None
) -> Window:
    """``--period`` (2026, 2026-Q4, 2026-11, a range) or ``--exercice``; by default the
    exercice of the latest transaction."""
    from alusage_ledger.books.locks import exercice_bounds
    from alusage_ledger.core.periods import parse_period, resolve_today

    if period is not None and exercice is not None:
        raise UsageError(_("Give --period or --exercice, not both."))
    if period is not None:
        parsed = parse_period(period)
        return Window(parsed.start, parsed.last_day)
    if exercice is not None:
        start, end = exercice_of_year(config, parse_exercice(exercice))
        return Window(start, end)
    days = [e.date for e in entries if is_transaction(e)]
    start, end = exercice_bounds(config, max(days) if days else resolve_today())
    return Window(start, end)


def _role(entry: Any, window: Window) -> str:
    """Where a transaction counts: ``opening``, ``movement`` or ``out``."""
    if entry.date < window.start or (entry.date == window.start and is_opening(entry)):
        return "opening"
    if entry.date > window.end or (entry.date == window.end and is_closing(entry)):
        return "out"
    return "movement"


def _dc(value: Decimal) -> tuple[Decimal, Decimal]:
    """A signed balance as (debit, credit) columns."""
    return (value, ZERO) if value > 0 else (ZERO, -value)


# --------------------------------------------------------------------------- trial balance


@dataclass(frozen=True)
class TrialRow:
    pcg: str
    account: str  # the account, or the accounts' common parent when grouped by PCG number
    label: str
    opening: Decimal
    debit: Decimal
    credit: Decimal

    @property
    def closing(self) -> Decimal:
        return self.opening + self.debit - self.credit


@dataclass(frozen=True)
class TrialBalance:
    entity: str
    entity_name: str
    window: Window
    rows: tuple[TrialRow, ...]

    def totals(self) -> dict[str, Decimal]:
        out = dict.fromkeys(
            (
                "opening_debit",
                "opening_credit",
                "debit",
                "credit",
                "closing_debit",
                "closing_credit",
            ),
            ZERO,
        )
        for row in self.rows:
            od, oc = _dc(row.opening)
            cd, cc = _dc(row.closing)
            for key, value in (
                ("opening_debit", od),
                ("opening_credit", oc),
                ("debit", row.debit),
                ("credit", row.credit),
                ("closing_debit", cd),
                ("closing_credit", cc),
            ):
                out[key] += value
        return out


def _parents(accounts: Sequence[str]) -> str:
    """The parents of accounts sharing a PCG number (third parties): ``Actif:Clients``."""
    return ", ".join(sorted({a.rsplit(":", 1)[0] for a in accounts}))


def trial_balance(
    entries: Sequence[Any],
    window: Window,
    *,
    entity: str = "",
    entity_name: str = "",
    detail: bool = False,
) -> TrialBalance:
    """The balance générale of ``window`` (see the module docstring)."""
    info = account_info(entries)
    sums: dict[str, list[Decimal]] = {}
    for entry in entries:
        if not is_transaction(entry):
            continue
        where = _role(entry, window)
        if where == "out":
            continue
        for posting in entry.postings:
            if posting.units is None or posting.units.currency != "EUR":
                continue
            slot = sums.setdefault(posting.account, [ZERO, ZERO, ZERO])
            number = posting.units.number
            if where == "opening":
                slot[0] += number
            elif number > 0:
                slot[1] += number
            else:
                slot[2] -= number
    groups: dict[str, list[str]] = {}
    for account in sums:
        pcg = info.get(account, ("", ""))[0]
        key = account if detail or not pcg else pcg
        groups.setdefault(key, []).append(account)
    rows = []
    for accounts in groups.values():
        pcg, label = info.get(accounts[0], ("", ""))
        opening = sum((sums[a][0] for a in accounts), ZERO)
        debit = sum((sums[a][1] for a in accounts), ZERO)
        credit = sum((sums[a][2] for a in accounts), ZERO)
        if not (opening or debit or credit):
            continue
        shown = accounts[0] if len(accounts) == 1 else _parents(accounts)
        rows.append(TrialRow(pcg, shown, label, opening, debit, credit))
    rows.sort(key=lambda r: (r.pcg or "~", r.account))
    return TrialBalance(entity, entity_name, window, tuple(rows))


TRIAL_KEYS = (
    "pcg",
    "account",
    "label",
    "opening_debit",
    "opening_credit",
    "debit",
    "credit",
    "closing_debit",
    "closing_credit",
)


def _trial_values(row: TrialRow) -> list[Decimal]:
    return [*_dc(row.opening), row.debit, row.credit, *_dc(row.closing)]


def trial_rows(tb: TrialBalance, human: bool) -> list[list[str]]:
    fmt = _formatter(human)
    out = [[r.pcg, r.account, r.label, *(fmt(v) for v in _trial_values(r))] for r in tb.rows]
    totals = tb.totals()
    out.append(
        [_("Total") if human else "total", "", "", *(fmt(totals[k]) for k in TRIAL_KEYS[3:])]
    )
    return out


def trial_headers() -> list[str]:
    return [
        _("PCG"),
        _("Account"),
        _("Label"),
        _("Opening debit"),
        _("Opening credit"),
        _("Debit"),
        _("Credit"),
        _("Closing debit"),
        _("Closing credit"),
    ]


def ledger_headers() -> list[str]:
    """Columns of a general ledger table (after the account and PCG of ``ledger_rows``)."""
    return [
        _("Date"),
        _("Journal"),
        _("Piece"),
        _("Label"),
        _("Debit"),
        _("Credit"),
        _("Balance"),
    ]


def journal_headers() -> list[str]:
    """Columns of a journal table, one per item of a ``journal_rows`` row."""
    return [
        _("Journal"),
        _("Number"),
        _("Date"),
        _("Piece"),
        _("Label"),
        _("PCG"),
        _("Account"),
        _("Debit"),
        _("Credit"),
    ]


def trial_markdown(tb: TrialBalance) -> str:
    title = _("Trial balance — {name} — {start} to {end}").format(
        name=tb.entity_name, start=tb.window.start.isoformat(), end=tb.window.end.isoformat()
    )
    rows = trial_rows(tb, True)
    rows[-1] = [f"**{c}**" if c else "" for c in rows[-1]]
    return "\n".join(
        [
            f"# {_md(title)}",
            "",
            _md(
                _(
                    "Opening: balances before {start} and the à-nouveaux of that day; "
                    "movements: the period's entries, without the closing entries of its last "
                    "day."
                ).format(start=tb.window.start.isoformat())
            ),
            "",
            _md_table(trial_headers(), rows, range(3, 9)),
        ]
    )


def trial_csv(tb: TrialBalance) -> str:
    return _csv([list(TRIAL_KEYS), *trial_rows(tb, False)])


def trial_json(tb: TrialBalance) -> dict[str, Any]:
    rows = trial_rows(tb, False)
    return {
        "entity": tb.entity,
        "start": tb.window.start,
        "end": tb.window.end,
        "rows": [dict(zip(TRIAL_KEYS, row)) for row in rows[:-1]],
        "totals": dict(zip(TRIAL_KEYS[3:], rows[-1][3:])),
    }


# --------------------------------------------------------------------------- journal codes


def journal_code(entry: Any, info: dict[str, tuple[str, str]]) -> str:
    """The entry's journal, by the FEC's rules (fec.py), with ``CL`` for closing entries."""
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


# --------------------------------------------------------------------------- general ledger


@dataclass(frozen=True)
class LedgerLine:
    day: date
    journal: str
    piece: str
    label: str
    debit: Decimal
    credit: Decimal
    balance: Decimal


@dataclass
class AccountLedger:
    account: str
    pcg: str
    label: str
    opening: Decimal
    lines: list[LedgerLine] = field(default_factory=list)

    @property
    def debit(self) -> Decimal:
        return sum((line.debit for line in self.lines), ZERO)

    @property
    def credit(self) -> Decimal:
        return sum((line.credit for line in self.lines), ZERO)

    @property
    def closing(self) -> Decimal:
        return self.opening + self.debit - self.credit


def select_accounts(entries: Sequence[Any], wanted: str) -> list[str]:
    """Accounts named by ``wanted``: an account and its sub-accounts, or a PCG prefix."""
    from alusage_ledger.core.suggest import did_you_mean

    info = account_info(entries)
    value = wanted.strip()
    if value.isdigit():
        found = sorted(a for a, (pcg, _l) in info.items() if pcg.startswith(value))
    else:
        found = sorted(a for a in info if a == value or a.startswith(value + ":"))
    if not found:
        raise UsageError(
            _(
                "No account matches {value!r}{hint}; give an account, a parent account or a "
                "PCG number (e.g. 411)."
            ).format(value=wanted, hint=did_you_mean(value, info))
        )
    return found


def general_ledger(
    entries: Sequence[Any], window: Window, accounts: Sequence[str]
) -> list[AccountLedger]:
    """The grand livre of ``accounts`` over ``window``."""
    info = account_info(entries)
    wanted = set(accounts)
    books = {
        a: AccountLedger(a, info.get(a, ("", ""))[0], info.get(a, ("", ""))[1], ZERO)
        for a in accounts
    }
    running = {a: ZERO for a in accounts}
    ordered = sorted(
        (e for e in entries if is_transaction(e)),
        key=lambda e: (e.date, not is_opening(e)),
    )
    for entry in ordered:
        where = _role(entry, window)
        if where == "out":
            continue
        for posting in entry.postings:
            if posting.account not in wanted or posting.units.currency != "EUR":
                continue
            number = posting.units.number
            book = books[posting.account]
            if where == "opening":
                book.opening += number
                running[posting.account] += number
                continue
            running[posting.account] += number
            debit, credit = _dc(number)
            book.lines.append(
                LedgerLine(
                    entry.date,
                    journal_code(entry, info),
                    piece_of(entry),
                    entry_label(entry),
                    debit,
                    credit,
                    running[posting.account],
                )
            )
    return [
        books[a]
        for a in sorted(accounts, key=lambda a: (books[a].pcg or "~", a))
        if books[a].lines or books[a].opening
    ]


LEDGER_KEYS = ("account", "pcg", "date", "journal", "piece", "label", "debit", "credit", "balance")


def ledger_rows(ledgers: Sequence[AccountLedger], window: Window, human: bool) -> list[list[str]]:
    fmt = _formatter(human)
    rows = []
    for book in ledgers:
        od, oc = _dc(book.opening)
        rows.append(
            [
                book.account,
                book.pcg,
                window.start.isoformat(),
                "",
                "",
                _("Opening balance") if human else "opening",
                fmt(od),
                fmt(oc),
                fmt(book.opening),
            ]
        )
        for line in book.lines:
            rows.append(
                [
                    book.account,
                    book.pcg,
                    line.day.isoformat(),
                    line.journal,
                    line.piece,
                    line.label,
                    fmt(line.debit),
                    fmt(line.credit),
                    fmt(line.balance),
                ]
            )
        rows.append(
            [
                book.account,
                book.pcg,
                window.end.isoformat(),
                "",
                "",
                _("Total and closing balance") if human else "closing",
                fmt(book.debit + od),
                fmt(book.credit + oc),
                fmt(book.closing),
            ]
        )
    return rows


def ledger_markdown(ledgers: Sequence[AccountLedger], window: Window, entity_name: str) -> str:
    out = [
        "# "
        + _md(
            _("General ledger — {name} — {start} to {end}").format(
                name=entity_name, start=window.start.isoformat(), end=window.end.isoformat()
            )
        ),
        "",
    ]
    headers = ledger_headers()
    for book in ledgers:
        rows = [r[2:] for r in ledger_rows([book], window, True)]
        head = " ".join(part for part in (book.pcg, book.account) if part)
        title = f"{head} — {book.label}" if book.label else head
        out += [f"## {_md(title)}", ""]
        out.append(_md_table(headers, rows, (4, 5, 6)))
    return "\n".join(out)


def ledger_csv(ledgers: Sequence[AccountLedger], window: Window) -> str:
    return _csv([list(LEDGER_KEYS), *ledger_rows(ledgers, window, False)])


def ledger_json(ledgers: Sequence[AccountLedger], window: Window) -> dict[str, Any]:
    from alusage_ledger.core.fmt import machine

    return {
        "start": window.start,
        "end": window.end,
        "accounts": [
            {
                "account": b.account,
                "pcg": b.pcg,
                "label": b.label,
                "opening": machine(b.opening),
                "debit": machine(b.debit),
                "credit": machine(b.credit),
                "closing": machine(b.closing),
                "lines": [
                    {
                        "date": line.day,
                        "journal": line.journal,
                        "piece": line.piece,
                        "label": line.label,
                        "debit": machine(line.debit),
                        "credit": machine(line.credit),
                        "balance": machine(line.balance),
                    }
                    for line in b.lines
                ],
            }
            for b in ledgers
        ],
    }


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
                JournalLine(info.get(p.account, ("", ""))[0], p.account, *_dc(p.units.number))
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
    fmt = _formatter(human)
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
    from alusage_ledger.core.fmt import money

    out = [
        "# "
        + _md(
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
        out += [f"## {_md(code)} — {_md(title)}", ""]
        rows = [r[1:] for r in journal_rows(entries, True)]
        debit = sum((line.debit for e in entries for line in e.lines), ZERO)
        credit = sum((line.credit for e in entries for line in e.lines), ZERO)
        rows.append(
            ["", "", "", f"**{_('Total')}**", "", "", f"**{money(debit)}**", f"**{money(credit)}**"]
        )
        out.append(_md_table(headers, rows, (6, 7)))
    return "\n".join(out)


def journal_csv(book: Sequence[JournalEntry]) -> str:
    return _csv([list(JOURNAL_KEYS), *journal_rows(book, False)])


def journal_json(book: Sequence[JournalEntry], window: Window) -> dict[str, Any]:
    from alusage_ledger.core.fmt import machine

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


# --------------------------------------------------------------------------- helpers


def _formatter(human: bool) -> Any:
    from alusage_ledger.core.fmt import machine, money

    def fmt(value: Decimal) -> str:
        if human:
            return money(value) if value else ""
        return machine(value)

    return fmt


def _md(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _md_table(headers: Sequence[str], rows: Iterable[Sequence[str]], right: Iterable[int]) -> str:
    aligned = set(right)
    out = ["| " + " | ".join(_md(h) for h in headers) + " |"]
    out.append(
        "| " + " | ".join("---:" if i in aligned else "---" for i in range(len(headers))) + " |"
    )
    out.extend(
        "| " + " | ".join(_md(c) if not c.startswith("**") else c for c in row) + " |"
        for row in rows
    )
    return "\n".join(out) + "\n"


def _csv(rows: Sequence[Sequence[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()
