"""The auxiliary balances (*balances auxiliaires*) of the clients (PCG 41) and the
suppliers (PCG 40): one row per third party (one account each), with its opening
balance, the period's debits and credits and its balance; the total of each equals the
collective account's row of the trial balance (tested)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from alusage_ledger.core.i18n import _
from alusage_ledger.outputs.ledgerreports.tables import csv_text, formatter, md_escape, md_table
from alusage_ledger.outputs.ledgerreports.trialbalance import TrialRow, trial_balance
from alusage_ledger.outputs.ledgerreports.window import Window
from alusage_ledger.outputs.reports import ZERO

#: The ledgers of the auxiliary balance and the PCG prefix of their accounts.
LEDGERS = (("clients", "41"), ("suppliers", "40"))


@dataclass(frozen=True)
class AuxiliaryRow:
    ledger: str  # "clients" or "suppliers"
    account: str
    third_party: str  # the account's last component
    pcg: str
    opening: Decimal
    debit: Decimal
    credit: Decimal

    @property
    def balance(self) -> Decimal:
        """Debit positive, credit negative."""
        return self.opening + self.debit - self.credit


@dataclass(frozen=True)
class AuxiliaryBalance:
    entity: str
    entity_name: str
    window: Window
    rows: tuple[AuxiliaryRow, ...]

    def ledger_rows(self, ledger: str) -> list[AuxiliaryRow]:
        return [r for r in self.rows if r.ledger == ledger]

    def total(self, ledger: str) -> AuxiliaryRow:
        rows = self.ledger_rows(ledger)
        return AuxiliaryRow(
            ledger,
            "",
            "",
            "",
            sum((r.opening for r in rows), ZERO),
            sum((r.debit for r in rows), ZERO),
            sum((r.credit for r in rows), ZERO),
        )


def _row(ledger: str, row: TrialRow) -> AuxiliaryRow:
    name = row.account.rsplit(":", 1)[-1]
    return AuxiliaryRow(ledger, row.account, name, row.pcg, row.opening, row.debit, row.credit)


def auxiliary_balance(
    entries: Sequence[Any], window: Window, *, entity: str = "", entity_name: str = ""
) -> AuxiliaryBalance:
    tb = trial_balance(entries, window, detail=True)
    rows = [
        _row(ledger, row)
        for ledger, prefix in LEDGERS
        for row in tb.rows
        if row.pcg.startswith(prefix)
    ]
    return AuxiliaryBalance(entity, entity_name, window, tuple(rows))


def ledger_title(ledger: str) -> str:
    return {"clients": _("Clients"), "suppliers": _("Suppliers")}[ledger]


def auxiliary_headers() -> list[str]:
    return [
        _("Third party"),
        _("Account"),
        _("Opening balance"),
        _("Debit"),
        _("Credit"),
        _("Balance"),
    ]


def auxiliary_table_rows(aux: AuxiliaryBalance, ledger: str) -> list[list[str]]:
    fmt = formatter(True)

    def cells(row: AuxiliaryRow, name: str) -> list[str]:
        return [
            name,
            row.account,
            *(fmt(v) for v in (row.opening, row.debit, row.credit, row.balance)),
        ]

    out = [cells(r, r.third_party) for r in aux.ledger_rows(ledger)]
    out.append(cells(aux.total(ledger), _("Total")))
    return out


def auxiliary_title(aux: AuxiliaryBalance) -> str:
    return _("Auxiliary balances — {name} — {start} to {end}").format(
        name=aux.entity_name, start=aux.window.start.isoformat(), end=aux.window.end.isoformat()
    )


def auxiliary_markdown(aux: AuxiliaryBalance) -> str:
    lines = [f"# {md_escape(auxiliary_title(aux))}", ""]
    lines += [
        md_escape(_("Balance: debit positive (owed to the entity), credit negative.")),
        "",
    ]
    for ledger, _prefix in LEDGERS:
        rows = auxiliary_table_rows(aux, ledger)
        rows[-1] = [f"**{md_escape(c)}**" if c else "" for c in rows[-1]]
        lines += [
            f"## {md_escape(ledger_title(ledger))}",
            "",
            md_table(auxiliary_headers(), rows, range(2, 6)),
        ]
    return "\n".join(lines)


AUXILIARY_KEYS = (
    "ledger",
    "third_party",
    "account",
    "pcg",
    "opening",
    "debit",
    "credit",
    "balance",
)


def _machine(row: AuxiliaryRow) -> list[str]:
    fmt = formatter(False)
    return [
        row.ledger,
        row.third_party or "total",
        row.account,
        row.pcg,
        *(fmt(v) for v in (row.opening, row.debit, row.credit, row.balance)),
    ]


def auxiliary_csv(aux: AuxiliaryBalance) -> str:
    out: list[list[str]] = [list(AUXILIARY_KEYS)]
    for ledger, _prefix in LEDGERS:
        out += [_machine(r) for r in aux.ledger_rows(ledger)]
        out.append(_machine(aux.total(ledger)))
    return csv_text(out)


def auxiliary_json(aux: AuxiliaryBalance) -> dict[str, Any]:
    return {
        "entity": aux.entity,
        "start": aux.window.start,
        "end": aux.window.end,
        **{
            ledger: {
                "rows": [
                    dict(zip(AUXILIARY_KEYS, _machine(r), strict=True))
                    for r in aux.ledger_rows(ledger)
                ],
                "total": dict(zip(AUXILIARY_KEYS, _machine(aux.total(ledger)), strict=True)),
            }
            for ledger, _prefix in LEDGERS
        },
    }
