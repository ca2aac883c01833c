"""Income statement and balance sheet of a month, and the closing README (pure builders).

Month-end closing writes them into ``reports/<M>/``; nothing here reads or writes files.
The builders take booked entries and the ledger's root names (``Actif``, ``Passif``...
or ``Assets``, ``Liabilities``... — never hard-coded) and return a :class:`Statement`,
rendered to Markdown for people and to CSV for spreadsheets. The output depends only
on the entries and the language: no timestamp, stable order (PCG number, then account),
so a report regenerated from the same ledgers is byte-identical.

Signs follow the French presentation: income, liabilities and equity are shown positive
(Beancount keeps them negative); a balance on the "wrong" side (an overdrawn bank account,
a VAT credit under liabilities) stays where its account is, with a minus sign, rather
than being reclassified: the accountant reclassifies at year end.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from alusage_ledger.books.accounts import account_info
from alusage_ledger.core.fmt import machine, money
from alusage_ledger.core.i18n import _
from alusage_ledger.core.periods import Month

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Line:
    pcg: str
    account: str
    label: str
    amounts: tuple[Decimal, ...]


@dataclass(frozen=True)
class Section:
    key: str  # machine name (CSV): income, expenses, assets, equity, liabilities
    title: str
    lines: tuple[Line, ...]
    totals: tuple[Decimal, ...]


@dataclass(frozen=True)
class Statement:
    kind: str  # "income-statement" or "balance-sheet"
    title: str
    entity: str
    entity_name: str
    month: Month
    subtitle: str
    columns: tuple[str, ...]  # human headers of the amount columns
    keys: tuple[str, ...]  # machine headers (CSV)
    sections: tuple[Section, ...]
    result_label: str
    result_key: str
    result: tuple[Decimal, ...]
    extra: tuple[tuple[str, str, tuple[Decimal, ...]], ...] = field(default_factory=tuple)


def _sums(
    entries: Iterable[Any], roots: Sequence[str], start: date | None, end: date
) -> dict[str, Decimal]:
    """Sum of EUR-or-other units per account, for transactions dated in [start, end]."""
    wanted = set(roots)
    sums: dict[str, Decimal] = {}
    for entry in entries:
        if type(entry).__name__ != "Transaction" or entry.date > end:
            continue
        if start is not None and entry.date < start:
            continue
        for posting in entry.postings:
            if posting.account.split(":")[0] in wanted:
                sums[posting.account] = sums.get(posting.account, ZERO) + posting.units.number
    return sums


def _order(account: str, info: dict[str, tuple[str, str]]) -> tuple[str, str]:
    pcg = info.get(account, ("", ""))[0]
    return (pcg or "~", account)


def _section(
    key: str,
    title: str,
    root: str,
    columns: Sequence[dict[str, Decimal]],
    info: dict[str, tuple[str, str]],
    sign: int,
) -> Section:
    accounts = sorted(
        {a for column in columns for a, v in column.items() if a.split(":")[0] == root and v},
        key=lambda a: _order(a, info),
    )
    lines = []
    for account in accounts:
        pcg, label = info.get(account, ("", ""))
        amounts = tuple(sign * column.get(account, ZERO) + ZERO for column in columns)
        lines.append(Line(pcg, account, label, amounts))
    totals = tuple(sum((line.amounts[i] for line in lines), ZERO) for i in range(len(columns)))
    return Section(key, title, tuple(lines), totals)


def income_statement(
    entries: Sequence[Any],
    roots: Sequence[str],
    month: Month,
    exercice_start: date,
    entity: str,
    entity_name: str,
) -> Statement:
    """Income and expenses of the month and of the exercice to the end of the month."""
    first, last = month.first_day, month.last_day
    income_root, expenses_root = roots[3], roots[4]
    info = account_info(entries)
    in_month = _sums(entries, (income_root, expenses_root), first, last)
    to_date = _sums(entries, (income_root, expenses_root), exercice_start, last)
    columns = (in_month, to_date)
    income = _section("income", _("Income"), income_root, columns, info, -1)
    expenses = _section("expenses", _("Expenses"), expenses_root, columns, info, 1)
    result = tuple(i - e for i, e in zip(income.totals, expenses.totals))
    return Statement(
        kind="income-statement",
        title=_("Income statement"),
        entity=entity,
        entity_name=entity_name,
        month=month,
        subtitle=_("Month {month}; exercice to date from {start} to {end}.").format(
            month=month, start=exercice_start.isoformat(), end=last.isoformat()
        ),
        columns=(str(month), _("Exercice to date")),
        keys=("month", "exercice_to_date"),
        sections=(income, expenses),
        result_label=_("Result (income − expenses)"),
        result_key="result",
        result=result,
    )


def balance_sheet(
    entries: Sequence[Any], roots: Sequence[str], month: Month, entity: str, entity_name: str
) -> Statement:
    """Balances of the asset, equity and liability accounts at the end of the month."""
    last = month.last_day
    assets_root, liabilities_root, equity_root, income_root, expenses_root = roots[:5]
    info = account_info(entries)
    balances = _sums(entries, roots, None, last)
    columns = (balances,)
    assets = _section("assets", _("Assets"), assets_root, columns, info, 1)
    equity = _section("equity", _("Equity"), equity_root, columns, info, -1)
    liabilities = _section("liabilities", _("Liabilities"), liabilities_root, columns, info, -1)
    # Income and expenses not yet carried to equity by an exercice close: the result.
    unallocated = -sum(
        (v for a, v in balances.items() if a.split(":")[0] in (income_root, expenses_root)),
        ZERO,
    )
    result_line = Line("", "", _("Result not yet allocated"), (unallocated + ZERO,))
    equity = Section(
        equity.key,
        equity.title,
        (*equity.lines, result_line),
        (equity.totals[0] + unallocated,),
    )
    total_other = equity.totals[0] + liabilities.totals[0]
    return Statement(
        kind="balance-sheet",
        title=_("Balance sheet"),
        entity=entity,
        entity_name=entity_name,
        month=month,
        subtitle=_("Balances at the end of {day}.").format(day=last.isoformat()),
        columns=(last.isoformat(),),
        keys=("balance",),
        sections=(assets, equity, liabilities),
        result_label=_("Total assets"),
        result_key="total_assets",
        result=assets.totals,
        extra=((_("Total equity and liabilities"), "total_equity_liabilities", (total_other,)),),
    )


# --------------------------------------------------------------------------- rendering


def _md(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def to_markdown(statement: Statement) -> str:
    out = [
        f"# {_md(statement.title)} — {_md(statement.entity_name)} — {statement.month}",
        "",
        _md(statement.subtitle),
        "",
    ]
    head = [_("PCG"), _("Account"), _("Label"), *statement.columns]
    align = ["---", "---", "---", *("---:" for _c in statement.columns)]
    for section in statement.sections:
        out.append(f"## {_md(section.title)}")
        out.append("")
        out.append("| " + " | ".join(_md(h) for h in head) + " |")
        out.append("| " + " | ".join(align) + " |")
        for line in section.lines:
            cells = [_md(line.pcg), _md(line.account), _md(line.label)]
            cells.extend(money(a) for a in line.amounts)
            out.append("| " + " | ".join(cells) + " |")
        total = _("Total {section}").format(section=section.title.lower())
        cells = ["", f"**{_md(total)}**", ""] + [f"**{money(a)}**" for a in section.totals]
        out.append("| " + " | ".join(cells) + " |")
        out.append("")
    out.append(f"## {_md(statement.result_label)}")
    out.append("")
    out.append("| | " + " | ".join(_md(c) for c in statement.columns) + " |")
    out.append("| --- | " + " | ".join("---:" for _c in statement.columns) + " |")
    out.append(
        f"| **{_md(statement.result_label)}** | "
        + " | ".join(f"**{money(a)}**" for a in statement.result)
        + " |"
    )
    for label, _key, amounts in statement.extra:
        out.append(f"| **{_md(label)}** | " + " | ".join(f"**{money(a)}**" for a in amounts) + " |")
    out.append("")
    return "\n".join(out)


def to_csv(statement: Statement) -> str:
    """One row per account, then totals; machine amounts (``1234.50``), stable headers."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["section", "pcg", "account", "label", *statement.keys])
    for section in statement.sections:
        for line in section.lines:
            writer.writerow(
                [section.key, line.pcg, line.account, line.label, *map(machine, line.amounts)]
            )
        writer.writerow([f"total-{section.key}", "", "", "", *map(machine, section.totals)])
    writer.writerow([statement.result_key, "", "", "", *map(machine, statement.result)])
    for _label, key, amounts in statement.extra:
        writer.writerow([key, "", "", "", *map(machine, amounts)])
    return buffer.getvalue()


# --------------------------------------------------------------------------- README


@dataclass(frozen=True)
class EntitySummary:
    entity: str
    name: str
    status: str  # closed, open, register-closed (a micro-entrepreneur's)
    closed_on: date | None = None
    digest: str | None = None
    month_result: Decimal | None = None
    exercice_result: Decimal | None = None
    total_assets: Decimal | None = None


def readme(
    month: Month, summaries: Sequence[EntitySummary], files: Sequence[str], notes: Sequence[str]
) -> str:
    """The summary page of ``reports/<M>/``."""
    out = [f"# {_md(_('Month-end closing {month}').format(month=month))}", ""]
    head = [
        _("Entity"),
        _("Status"),
        _("Result of the month"),
        _("Result of the exercice to date"),
        _("Total assets"),
    ]
    out.append("| " + " | ".join(head) + " |")
    out.append("| --- | --- | ---: | ---: | ---: |")
    for item in summaries:
        if item.status == "closed":
            status = _("closed on {day}").format(
                day=item.closed_on.isoformat() if item.closed_on else "?"
            )
        elif item.status == "register-closed":
            status = _("revenue register locked on {day}").format(
                day=item.closed_on.isoformat() if item.closed_on else "?"
            )
        else:
            status = _("not closed")
        amounts = [
            money(v) if v is not None else ""
            for v in (item.month_result, item.exercice_result, item.total_assets)
        ]
        out.append(
            f"| {_md(item.name)} (`{item.entity}`) | {_md(status)} | " + " | ".join(amounts) + " |"
        )
    out.append("")
    locked = [s for s in summaries if s.digest]
    if locked:
        out.append(f"## {_md(_('Locks'))}")
        out.append("")
        out.append(
            _md(
                _(
                    "Each closed month is locked by a SHA-256 digest of its entries, chained to "
                    "the previous month's; 'alusage-ledger check' recomputes them."
                )
            )
        )
        out.append("")
        for item in locked:
            out.append(f"- `{item.entity}`: `{item.digest}`")
        out.append("")
    shown = [f for f in files if f != "README.md"]
    if shown:
        out.append(f"## {_md(_('Files'))}")
        out.append("")
        for rel in shown:
            out.append(f"- [{_md(rel)}]({rel})")
        out.append("")
    if notes:
        out.append(f"## {_md(_('Notes'))}")
        out.append("")
        for note in notes:
            out.append(f"- {_md(note)}")
        out.append("")
    return "\n".join(out)


def md_table(columns: Sequence[str], rows: Sequence[Sequence[str]], right: Iterable[int]) -> str:
    """A Markdown table (the columns in ``right`` right-aligned) of the month's reports."""
    aligned = set(right)

    def cell(text: str) -> str:
        return str(text).replace("|", "\\|").replace("\n", " ")

    out = ["| " + " | ".join(cell(c) for c in columns) + " |"]
    out.append(
        "| " + " | ".join("---:" if i in aligned else "---" for i in range(len(columns))) + " |"
    )
    out.extend("| " + " | ".join(cell(c) for c in row) + " |" for row in rows)
    return "\n".join(out) + "\n"


def csv_bytes(rows: Sequence[Sequence[str]]) -> bytes:
    """Rows as CSV (UTF-8, ``\\n`` line ends) for the month's reports."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")
