"""The annual accounts (*comptes annuels*) of an entity that keeps double-entry books: the
balance sheet (*bilan*) and the income statement (*compte de résultat*) of an exercice,
in the French abridged presentation (``annual_lines``), with the previous exercice beside.

Balances come from the trial balance of the exercice (the closing entries of its last day
left out, as the FEC and ``report trial-balance`` do): classes 1 to 5 by their closing
balance, classes 6 and 7 by the exercice's movements. Each account goes to one line by its
PCG number, on the side its sign says where the PCG says so (``annual_lines.RULES``).
The result is Σ class 7 − Σ class 6; the balance sheet's result line is that result plus
what account 12 still holds (nothing once the previous result was allocated). If the
exercice before was not closed, its charges and products are still open in the books:
their net shows as *report à nouveau*, so that the two sides stay equal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from alusage_ledger.books.exercice import is_transaction
from alusage_ledger.core.errors import LedgerErrors, LedgerProblem
from alusage_ledger.core.i18n import _
from alusage_ledger.outputs.ledgerreports.annual_lines import (
    LINE_BY_KEY,
    LINES,
    SECTIONS,
    netting_group,
    rule_for,
)
from alusage_ledger.outputs.ledgerreports.tables import csv_text, formatter, md_escape, md_table
from alusage_ledger.outputs.ledgerreports.trialbalance import trial_balance
from alusage_ledger.outputs.ledgerreports.window import Window
from alusage_ledger.outputs.reports import ZERO

MODEL = "PCG, règlement ANC n° 2014-03 modifié (ANC 2022-06), art. 822-1 et suivants"


@dataclass(frozen=True)
class Column:
    """One exercice's amounts by line (positive on the line's own side)."""

    window: Window
    lines: dict[str, Decimal]
    result: Decimal  # Σ class 7 − Σ class 6
    closed: bool
    where: dict[str, str] = field(default_factory=dict)  # account → line key

    def amount(self, key: str) -> Decimal:
        return self.lines.get(key, ZERO)

    def total(self, statement: str, section: str | None = None) -> Decimal:
        return sum(
            (
                self.amount(line.key)
                for line in LINES
                if line.statement == statement and section in (None, line.section)
            ),
            ZERO,
        )


@dataclass(frozen=True)
class AnnualAccounts:
    entity: str
    entity_name: str
    current: Column
    previous: Column | None


def _is_closing(entry: Any, day: Any) -> bool:
    return bool(entry.date == day and "cloture" in (entry.tags or ()))


def annual_column(entries: Sequence[Any], window: Window, *, entity: str = "") -> Column:
    """The amounts of ``window``'s exercice by line (see the module docstring)."""
    tb = trial_balance(entries, window, detail=True)
    lines: dict[str, Decimal] = {}
    where: dict[str, str] = {}
    netted: dict[str, Decimal] = {}
    netted_accounts: dict[str, list[str]] = {}
    result = ZERO
    carried = ZERO  # an unclosed previous exercice's classes 6 and 7

    def put(key: str, balance: Decimal) -> None:
        line = LINE_BY_KEY[key]
        signed = balance if line.statement in ("actif", "charges") else -balance
        lines[key] = lines.get(key, ZERO) + signed

    for row in tb.rows:
        rule = rule_for(row.pcg)
        if rule is None:
            raise LedgerErrors(
                _(
                    "The account {account} has no PCG number of classes 1 to 7 ({pcg}): "
                    "give its open directive a pcg metadata."
                ).format(account=row.account, pcg=row.pcg or "-"),
                [LedgerProblem(entity or None, None, None, row.account)],
            )
        if row.pcg[0] in "67":
            movement = row.debit - row.credit
            carried += row.opening
            result -= movement
            put(rule.debit, movement)
            where[row.account] = rule.debit
            continue
        group = netting_group(row.pcg)
        if group is not None:
            netted[group] = netted.get(group, ZERO) + row.closing
            netted_accounts.setdefault(group, []).append(row.account)
            continue
        key = rule.debit if row.closing > 0 else rule.credit
        put(key, row.closing)
        where[row.account] = key
    for group, balance in netted.items():
        rule = rule_for(group)
        assert rule is not None  # every netting group is a prefix of RULES
        key = rule.debit if balance > 0 else rule.credit
        put(key, balance)
        for account in netted_accounts[group]:
            where[account] = key
    if carried:
        put("report_a_nouveau", carried)
    put("resultat", -result)
    closed = any(is_transaction(e) and _is_closing(e, window.end) for e in entries)
    return Column(window, lines, result, closed, where)


def previous_window(window: Window) -> Window:
    """The exercice just before ``window`` (the same length, ending the day before)."""
    end = window.start - timedelta(days=1)
    try:
        start = window.start.replace(year=window.start.year - 1)
    except ValueError:  # February 29th
        start = window.start.replace(year=window.start.year - 1, day=28)
    return Window(start, end)


def annual_accounts(
    entries: Sequence[Any], window: Window, *, entity: str = "", entity_name: str = ""
) -> AnnualAccounts:
    """The annual accounts of ``window``, with the exercice before when the books have
    any transaction dated in it or before."""
    current = annual_column(entries, window, entity=entity)
    before = previous_window(window)
    has_previous = any(is_transaction(e) and e.date <= before.end for e in entries)
    previous = annual_column(entries, before, entity=entity) if has_previous else None
    return AnnualAccounts(entity, entity_name, current, previous)


# ---------------------------------------------------------------- rows


@dataclass(frozen=True)
class AnnualRow:
    statement: str  # "bilan-actif", "bilan-passif", "compte-de-resultat"
    kind: str  # "section", "line", "total"
    key: str
    label: str
    current: Decimal
    previous: Decimal | None


def _row(
    accounts: AnnualAccounts, statement: str, kind: str, key: str, label: str, get: Any
) -> AnnualRow:
    prev = accounts.previous
    return AnnualRow(
        statement, kind, key, label, get(accounts.current), None if prev is None else get(prev)
    )


def _section_rows(
    accounts: AnnualAccounts, statement: str, section_key: str, side: str
) -> list[AnnualRow]:
    section = next(s for s in SECTIONS if s.key == section_key)
    rows = []
    for line in LINES:
        if line.section != section_key:
            continue
        values = [accounts.current.amount(line.key)]
        if accounts.previous is not None:
            values.append(accounts.previous.amount(line.key))
        if any(values):
            rows.append(
                _row(
                    accounts,
                    statement,
                    "line",
                    line.key,
                    line.label,
                    lambda c, k=line.key: c.amount(k),
                )
            )
    if not rows:
        return []
    return [
        *rows,
        _row(
            accounts,
            statement,
            "total",
            section_key,
            _("Total {section}").format(section=section.label.lower()),
            lambda c: c.total(side, section_key),
        ),
    ]


def balance_sheet_rows(accounts: AnnualAccounts) -> list[AnnualRow]:
    out: list[AnnualRow] = []
    for statement, side, total_label in (
        ("bilan-actif", "actif", _("Total assets")),
        ("bilan-passif", "passif", _("Total liabilities and equity")),
    ):
        for section in SECTIONS:
            if section.statement == side:
                out.extend(_section_rows(accounts, statement, section.key, side))
        out.append(
            _row(accounts, statement, "total", side, total_label, lambda c, s=side: c.total(s))
        )
    return out


def _income(c: Column, *sections: str) -> Decimal:
    """Products minus charges of ``sections``."""
    total = ZERO
    for section in sections:
        side = next(s.statement for s in SECTIONS if s.key == section)
        amount = c.total(side, section)
        total += amount if side == "produits" else -amount
    return total


_SUBTOTALS: tuple[tuple[tuple[str, ...], str, tuple[str, ...]], ...] = (
    (
        ("produits_exploitation", "charges_exploitation"),
        "resultat_exploitation",
        ("produits_exploitation", "charges_exploitation"),
    ),
    (
        ("produits_financiers", "charges_financieres"),
        "resultat_financier",
        ("produits_financiers", "charges_financieres"),
    ),
    (
        (),
        "resultat_courant",
        (
            "produits_exploitation",
            "charges_exploitation",
            "produits_financiers",
            "charges_financieres",
        ),
    ),
    (
        ("produits_exceptionnels", "charges_exceptionnelles"),
        "resultat_exceptionnel",
        ("produits_exceptionnels", "charges_exceptionnelles"),
    ),
    (("impots",), "", ()),
)


def subtotal_label(key: str) -> str:
    return {
        "resultat_exploitation": "Résultat d'exploitation",
        "resultat_financier": "Résultat financier",
        "resultat_courant": "Résultat courant avant impôts",
        "resultat_exceptionnel": "Résultat exceptionnel",
        "resultat": "Résultat de l'exercice (bénéfice ou perte)",
    }[key]


def income_statement_rows(accounts: AnnualAccounts) -> list[AnnualRow]:
    statement = "compte-de-resultat"
    out: list[AnnualRow] = []
    for sections, subtotal, parts in _SUBTOTALS:
        for section in sections:
            side = next(s.statement for s in SECTIONS if s.key == section)
            out.extend(_section_rows(accounts, statement, section, side))
        if subtotal:
            out.append(
                _row(
                    accounts,
                    statement,
                    "total",
                    subtotal,
                    subtotal_label(subtotal),
                    lambda c, p=parts: _income(c, *p),
                )
            )
    out.append(
        _row(
            accounts,
            statement,
            "total",
            "produits",
            _("Total income"),
            lambda c: c.total("produits"),
        )
    )
    out.append(
        _row(
            accounts,
            statement,
            "total",
            "charges",
            _("Total charges"),
            lambda c: c.total("charges"),
        )
    )
    out.append(
        _row(
            accounts, statement, "total", "resultat", subtotal_label("resultat"), lambda c: c.result
        )
    )
    return out


def annual_rows(accounts: AnnualAccounts) -> list[AnnualRow]:
    return balance_sheet_rows(accounts) + income_statement_rows(accounts)


# ---------------------------------------------------------------- renderers


def _title(accounts: AnnualAccounts) -> str:
    window = accounts.current.window
    return _("Annual accounts — {name} — exercice {start} to {end}").format(
        name=accounts.entity_name, start=window.start.isoformat(), end=window.end.isoformat()
    )


def annual_column_names(accounts: AnnualAccounts) -> list[str]:
    names = [_("Exercice ending {end}").format(end=accounts.current.window.end.isoformat())]
    if accounts.previous is not None:
        names.append(
            _("Exercice ending {end}").format(end=accounts.previous.window.end.isoformat())
        )
    return names


def statement_headings() -> dict[str, str]:
    return {
        "bilan-actif": _("Balance sheet — assets"),
        "bilan-passif": _("Balance sheet — liabilities and equity"),
        "compte-de-resultat": _("Income statement"),
    }


def annual_table_rows(
    rows: Sequence[AnnualRow], statement: str, with_previous: bool
) -> list[list[str]]:
    """The rows of one statement for people: label, amount(s)."""
    fmt = formatter(True)
    out = []
    for row in rows:
        if row.statement != statement:
            continue
        cells = [row.label, fmt(row.current)]
        if with_previous:
            cells.append(fmt(row.previous or ZERO))
        out.append(cells)
    return out


def annual_markdown(accounts: AnnualAccounts) -> str:
    lines = [f"# {md_escape(_title(accounts))}", ""]
    lines.append(md_escape(_("Presentation: abridged model ({model}).").format(model=MODEL)))
    lines.append("")
    if not accounts.current.closed:
        lines.append(
            md_escape(
                _(
                    "Provisional: the exercice is not closed; the result is the balance of "
                    "classes 7 and 6 to date."
                )
            )
        )
        lines.append("")
    if accounts.previous is None:
        lines.append(md_escape(_("No books for the previous exercice.")))
        lines.append("")
    rows = annual_rows(accounts)
    headers = [_("Line"), *annual_column_names(accounts)]
    for statement, heading in statement_headings().items():
        table = annual_table_rows(rows, statement, accounts.previous is not None)
        kinds = [r.kind for r in rows if r.statement == statement]
        table = [
            [f"**{md_escape(c)}**" if c else "" for c in cells] if kind == "total" else cells
            for cells, kind in zip(table, kinds, strict=True)
        ]
        lines += [f"## {md_escape(heading)}", "", md_table(headers, table, range(1, 3))]
    return "\n".join(lines)


ANNUAL_KEYS = ("statement", "kind", "key", "label", "current", "previous")


def annual_csv(accounts: AnnualAccounts) -> str:
    fmt = formatter(False)
    out: list[list[str]] = [list(ANNUAL_KEYS)]
    for row in annual_rows(accounts):
        previous = "" if row.previous is None else fmt(row.previous)
        out.append([row.statement, row.kind, row.key, row.label, fmt(row.current), previous])
    return csv_text(out)


def annual_json(accounts: AnnualAccounts) -> dict[str, Any]:
    fmt = formatter(False)
    prev = accounts.previous
    return {
        "entity": accounts.entity,
        "model": MODEL,
        "start": accounts.current.window.start,
        "end": accounts.current.window.end,
        "closed": accounts.current.closed,
        "previous": None
        if prev is None
        else {"start": prev.window.start, "end": prev.window.end, "closed": prev.closed},
        "rows": [
            {
                "statement": r.statement,
                "kind": r.kind,
                "key": r.key,
                "label": r.label,
                "current": fmt(r.current),
                "previous": None if r.previous is None else fmt(r.previous),
            }
            for r in annual_rows(accounts)
        ],
    }
