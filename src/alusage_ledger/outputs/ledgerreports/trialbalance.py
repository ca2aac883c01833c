"""The trial balance (*balance générale*): one row per PCG number (or per account with
``detail``), with the opening balance, the period's debits and credits and the closing
balance, each as debit/credit columns; the totals of debits and credits are equal."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from alusage_ledger.books.accounts import account_info
from alusage_ledger.books.exercice import is_transaction
from alusage_ledger.core.i18n import N_, _
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
            od, oc = debit_credit(row.opening)
            cd, cc = debit_credit(row.closing)
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
        where = entry_role(entry, window)
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
    return [*debit_credit(row.opening), row.debit, row.credit, *debit_credit(row.closing)]


def trial_rows(tb: TrialBalance, human: bool) -> list[list[str]]:
    fmt = formatter(human)
    out = [[r.pcg, r.account, r.label, *(fmt(v) for v in _trial_values(r))] for r in tb.rows]
    totals = tb.totals()
    out.append(
        [_("Total") if human else "total", "", "", *(fmt(totals[k]) for k in TRIAL_KEYS[3:])]
    )
    return out


TRIAL_HEADINGS = (
    N_("PCG"),
    N_("Account"),
    N_("Label"),
    N_("Opening debit"),
    N_("Opening credit"),
    N_("Debit"),
    N_("Credit"),
    N_("Closing debit"),
    N_("Closing credit"),
)


def trial_headers() -> list[str]:
    return [_(h) for h in TRIAL_HEADINGS]


def trial_markdown(tb: TrialBalance) -> str:
    title = _("Trial balance — {name} — {start} to {end}").format(
        name=tb.entity_name, start=tb.window.start.isoformat(), end=tb.window.end.isoformat()
    )
    rows = trial_rows(tb, True)
    rows[-1] = [f"**{c}**" if c else "" for c in rows[-1]]
    return "\n".join(
        [
            f"# {md_escape(title)}",
            "",
            md_escape(
                _(
                    "Opening: balances before {start} and the à-nouveaux of that day; "
                    "movements: the period's entries, without the closing entries of its last "
                    "day."
                ).format(start=tb.window.start.isoformat())
            ),
            "",
            md_table(trial_headers(), rows, range(3, 9)),
        ]
    )


def trial_csv(tb: TrialBalance, dialect: str = "machine") -> str:
    return report_csv(TRIAL_KEYS, TRIAL_HEADINGS, trial_rows(tb, False), range(3, 9), dialect)


def trial_json(tb: TrialBalance) -> dict[str, Any]:
    rows = trial_rows(tb, False)
    return {
        "entity": tb.entity,
        "start": tb.window.start,
        "end": tb.window.end,
        "rows": [dict(zip(TRIAL_KEYS, row)) for row in rows[:-1]],
        "totals": dict(zip(TRIAL_KEYS[3:], rows[-1][3:])),
    }
