"""The general ledger (*grand livre*) of an account, a parent account or a PCG number or
prefix: the opening balance, each posting with its journal, piece and running balance."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from alusage_ledger.books.accounts import account_info
from alusage_ledger.books.exercice import is_opening, is_transaction
from alusage_ledger.core.errors import UsageError
from alusage_ledger.core.fmt import machine
from alusage_ledger.core.i18n import N_, _
from alusage_ledger.core.suggest import did_you_mean
from alusage_ledger.outputs.ledgerreports.journal import entry_label, journal_code, piece_of
from alusage_ledger.outputs.ledgerreports.tables import (
    debit_credit,
    formatter,
    md_escape,
    md_table,
    report_csv,
)
from alusage_ledger.outputs.ledgerreports.window import Window, entry_role
from alusage_ledger.outputs.reports import ZERO


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
        where = entry_role(entry, window)
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
            debit, credit = debit_credit(number)
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
    fmt = formatter(human)
    rows = []
    for book in ledgers:
        od, oc = debit_credit(book.opening)
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
        + md_escape(
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
        out += [f"## {md_escape(title)}", ""]
        out.append(md_table(headers, rows, (4, 5, 6)))
    return "\n".join(out)


def ledger_csv(ledgers: Sequence[AccountLedger], window: Window, dialect: str = "machine") -> str:
    rows = ledger_rows(ledgers, window, False)
    return report_csv(LEDGER_KEYS, LEDGER_HEADINGS, rows, (6, 7, 8), dialect)


def ledger_json(ledgers: Sequence[AccountLedger], window: Window) -> dict[str, Any]:
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


LEDGER_HEADINGS = (
    N_("Account"),
    N_("PCG"),
    N_("Date"),
    N_("Journal"),
    N_("Piece"),
    N_("Label"),
    N_("Debit"),
    N_("Credit"),
    N_("Balance"),
)


def ledger_headers() -> list[str]:
    """Columns of a general ledger table (after the account and PCG of ``ledger_rows``)."""
    return [_(h) for h in LEDGER_HEADINGS[2:]]
