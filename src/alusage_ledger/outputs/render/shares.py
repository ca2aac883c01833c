"""Le 97's shares for people and machines: the JSON document, the explanation tables and
the member's statement ("appel de charges") in Markdown.

Pure functions from :mod:`allocation` / :mod:`shares` results to text or plain data; the
month-end reports reuse them (:func:`shares_reports`: the shares files of ``reports/<M>/``).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from alusage_ledger.core.errors import AlusageError
from alusage_ledger.core.fmt import decimal_symbol, money
from alusage_ledger.core.i18n import N_, _, get_language
from alusage_ledger.core.money import format_machine
from alusage_ledger.core.periods import Month
from alusage_ledger.domains.places.allocation import format_months
from alusage_ledger.domains.places.compute import compute_shares
from alusage_ledger.domains.places.place import all_places
from alusage_ledger.domains.places.statement import member_statement
from alusage_ledger.outputs.reports import csv_bytes, md_table

if TYPE_CHECKING:
    from alusage_ledger.books.ledger import Workspace
    from alusage_ledger.domains.places.allocation import Allocation, MonthSplit
    from alusage_ledger.domains.places.place import Place
    from alusage_ledger.domains.places.statement import MemberBalance, Statement

ZERO = Decimal("0.00")


def machine(value: Decimal) -> str:
    return format_machine(value)


def key_json(key: str | tuple[tuple[str, Any], ...]) -> str | dict[str, str]:
    if isinstance(key, str):
        return key
    return {
        name: f"{Decimal(ratio) if not isinstance(ratio, Fraction) else ratio}"
        for name, ratio in key
    }


#: What each key is called for people (the configuration and ``--json`` keep the ids).
KEY_LABELS = {
    "equal": N_("equal shares"),
    "surface": N_("surface"),
    "desks": N_("desks"),
    "days": N_("days"),
    "fixed": N_("fixed"),
}


def key_label(name: str) -> str:
    """A key's name in the user's language: ``days`` → ``jours``."""
    return _(KEY_LABELS[name]) if name in KEY_LABELS else name


def decimal_text(text: str) -> str:
    """A plain decimal (``5.5``) with the user's decimal separator (``5,5`` in French)."""
    return text.replace(".", decimal_symbol()) if "." in text else text


def key_text(key: str | tuple[tuple[str, Any], ...], then: str) -> str:
    if isinstance(key, str):
        if key == "fixed":
            return _("fixed, then {key}").format(key=key_label(then))
        return key_label(key)
    return " + ".join(f"{key_label(name)} × {decimal_text(str(ratio))}" for name, ratio in key)


def allocation_json(place: Place, allocation: Allocation) -> dict[str, Any]:
    """The issue's document: place, month, total, groups (with shares), shares."""
    members = allocation.members
    return {
        "place": place.id,
        "month": str(allocation.month),
        "total": machine(allocation.total),
        "groups": [
            {
                "name": group.name,
                "key": key_json(group.key),
                "amount": machine(group.amount),
                "shares": {m: machine(group.shares.get(m, ZERO)) for m in members},
            }
            for group in allocation.groups
        ],
        "shares": [{"member": m, "amount": machine(allocation.shares[m])} for m in members],
    }


def weight_text(weight: Fraction) -> str:
    """An exact weight: ``600``, ``262.5``, or ``1/3`` when it has no finite decimal."""
    if weight.denominator == 1:
        return str(weight.numerator)
    den = weight.denominator
    for prime in (2, 5):
        while den % prime == 0:
            den //= prime
    if den == 1:
        places = 0
        scaled = weight
        while scaled.denominator != 1:
            scaled *= 10
            places += 1
        text = f"{Decimal(scaled.numerator).scaleb(-places):f}"
        return text
    return f"{weight.numerator}/{weight.denominator}"


def why_text(split: MonthSplit, month: Month) -> str:
    """Where a group's amount for a covered month comes from, in one line."""
    parts = []
    for portion in split.portions:
        line = portion.line
        text = f"{line.source or '-'} {line.day.isoformat()}"
        covers = format_months(line.months)
        if len(set(line.months)) > 1:
            text += " " + _("({amount} of {total} over {months}, by days)").format(
                amount=money(portion.amount), total=money(line.amount), months=covers
            )
        if Month.of(line.day) > split.covered:
            text += " " + _("(late: booked after the month it covers)")
        parts.append(text)
    why = "; ".join(parts)
    if split.covered < month:
        why = (
            _("called now for {covered}, shared by its members then: ").format(
                covered=split.covered
            )
            + why
        )
    return why


def allocation_tables(
    place: Place, allocation: Allocation
) -> list[tuple[str, list[str], list[list[str]], tuple[int, ...]]]:
    """(title, columns, rows, right-aligned columns) of the three explanation tables."""
    called_rows = []
    weight_rows = []
    for group in allocation.groups:
        for split in group.splits:
            called_rows.append(
                [
                    group.name,
                    key_text(group.key, group.then),
                    str(split.covered),
                    money(split.amount),
                    why_text(split, allocation.month),
                ]
            )
            for member_id, amount in split.fixed.items():
                weight_rows.append(
                    [group.name, str(split.covered), member_id, _("fixed"), money(amount)]
                )
            for part in split.parts:
                label = (
                    key_label(part.key)
                    if part.ratio is None
                    else f"{key_label(part.key)} × {decimal_text(weight_text(part.ratio))}"
                )
                for member_id in sorted(part.weights):
                    weight_rows.append(
                        [
                            group.name,
                            str(split.covered),
                            member_id,
                            f"{label}: {decimal_text(weight_text(part.weights[member_id]))}",
                            money(part.shares.get(member_id, ZERO)),
                        ]
                    )
    groups = [g.name for g in allocation.groups]
    total_rows = []
    for member_id in allocation.members:
        row = [member_id]
        row.extend(money(g.shares.get(member_id, ZERO)) for g in allocation.groups)
        row.append(money(allocation.shares[member_id]))
        total_rows.append(row)
    total_row = [_("total")]
    total_row.extend(money(g.amount) for g in allocation.groups)
    total_row.append(money(allocation.total))
    total_rows.append(total_row)
    return [
        (
            _("{place}: amounts called in {month}").format(
                place=place.name, month=allocation.month
            ),
            [_("group"), _("key"), _("covers"), _("amount"), _("why")],
            called_rows,
            (3,),
        ),
        (
            _("Weights and shares (weights are exact: m² × days, desks × days, days...)"),
            [_("group"), _("covers"), _("member"), _("weight"), _("share")],
            weight_rows,
            (4,),
        ),
        (
            _("{place}: each member's share of {month}").format(
                place=place.name, month=allocation.month
            ),
            [_("member"), *groups, _("total")],
            total_rows,
            tuple(range(1, len(groups) + 2)),
        ),
    ]


# --------------------------------------------------------------------------- statements


def _day(value: Any) -> str:
    if get_language() == "fr":
        return f"{value:%d/%m}/{value.year:04d}"
    return str(value.isoformat())


def _title(text: str) -> str:
    return text[:1].upper() + text[1:]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def statement_rows(st: Statement) -> list[list[str]]:
    rows = [["", "", _("Opening balance"), "", "", money(st.opening), ""]]
    for line in st.lines:
        debit = money(line.amount) if line.amount > 0 else ""
        credit = money(-line.amount) if line.amount < 0 else ""
        rows.append(
            [
                _day(line.day),
                line.number,
                line.label,
                debit,
                credit,
                money(line.balance),
                line.letter or "",
            ]
        )
    rows.append(["", "", _("Closing balance"), "", "", money(st.closing), ""])
    return rows


def statement_columns() -> list[str]:
    return [_("date"), _("number"), _("label"), _("debit"), _("credit"), _("balance"), _("letter")]


def statement_json(st: Statement) -> dict[str, Any]:
    return {
        "place": st.place.id,
        "member": st.member.id,
        "account": st.account,
        "start": st.start.isoformat() if st.start else None,
        "end": st.end.isoformat(),
        "opening": machine(st.opening),
        "lines": [
            {
                "date": line.day.isoformat(),
                "kind": line.kind,
                "number": line.number,
                "label": line.label,
                "amount": machine(line.amount),
                "balance": machine(line.balance),
                "letter": line.letter,
                "groups": [
                    {"group": g.group, "covers": g.covers, "amount": machine(g.amount)}
                    for g in line.groups
                ],
            }
            for line in st.lines
        ],
        "closing": machine(st.closing),
    }


def statement_markdown(st: Statement) -> str:
    """The "appel de charges" a treasurer sends to a member, in the current language."""
    place, member = st.place, st.member
    start = _day(st.start) if st.start else _("the beginning")
    out = [
        "# " + _("Charges call — {place}").format(place=place.name),
        "",
        "| | |",
        "|---|---|",
        f"| {_('From')} | {_cell(st.host_name)} |",
        f"| {_('To')} | {_cell(member.name)} |",
        f"| {_('Account')} | {st.account} |",
        f"| {_('Period')} | {_('from {start} to {end}').format(start=start, end=_day(st.end))} |",
        "",
        "## " + _("Account statement"),
        "",
        "| " + " | ".join(_title(c) for c in statement_columns()) + " |",
        "|---|---|---|--:|--:|--:|---|",
    ]
    for row in statement_rows(st):
        out.append("| " + " | ".join(_cell(c) for c in row) + " |")
    calls = [line for line in st.lines if line.groups]
    if calls:
        out += [
            "",
            "## " + _("Detail of the calls"),
            "",
            "| "
            + " | ".join(
                _title(c) for c in (_("number"), _("group"), _("months covered"), _("amount"))
            )
            + " |",
            "|---|---|---|--:|",
        ]
        for line in calls:
            for group in line.groups:
                out.append(
                    f"| {line.number} | {group.group} | {group.covers} | {money(group.amount)} |"
                )
    out.append("")
    if st.closing > 0:
        out.append(
            "**"
            + _("Amount due on {day}: {amount}").format(day=_day(st.end), amount=money(st.closing))
            + "**"
        )
    elif st.closing < 0:
        out.append(
            "**"
            + _("Credit in your favour on {day}: {amount}").format(
                day=_day(st.end), amount=money(-st.closing)
            )
            + "**"
        )
    else:
        out.append("**" + _("Account settled on {day}.").format(day=_day(st.end)) + "**")
    out.append("")
    return "\n".join(out)


def balances_rows(balances: list[MemberBalance]) -> list[list[str]]:
    rows = []
    for item in balances:
        if item.account is None:
            status = _("host: bears its share")
        elif item.balance > 0:
            status = _("owes")
        elif item.balance < 0:
            status = _("is owed")
        else:
            status = _("settled")
        rows.append(
            [
                item.member.id,
                item.member.name,
                money(item.called),
                money(item.paid),
                money(item.balance),
                status,
            ]
        )
    return rows


# --------------------------------------------------------------------------- reports/<M>/


def shares_reports(ws: Workspace, month: Month) -> tuple[dict[str, bytes], list[str]]:
    """Each place's shares table and one statement per member, for ``reports/<M>/``
    (path relative to it → bytes), and notes for its README."""
    if not ws.config.places:
        return {}, [_("No place is configured: no shares table and no member statement.")]
    files: dict[str, bytes] = {}
    notes: list[str] = []
    first, last = month.first_day, month.last_day
    for place in all_places(ws.config):
        try:
            allocation = compute_shares(ws, place, month, today=last + timedelta(days=1))
        except AlusageError as exc:
            notes.append(
                _("Shares of {place}: not computed ({reason}).").format(
                    place=place.id, reason=exc.message
                )
            )
            continue
        title = _("Shares of {place} for {month}").format(place=place.name, month=month)
        parts = [f"# {title}\n"]
        for title, columns, rows, right in allocation_tables(place, allocation):
            parts.append(f"## {title}\n\n{md_table(columns, rows, right)}")
        files[f"{place.id}/shares.md"] = ("\n".join(parts)).encode("utf-8")
        document = allocation_json(place, allocation)
        groups = [g["name"] for g in document["groups"]]
        rows = [["member", *groups, "total"]]
        for item in document["shares"]:
            member = item["member"]
            rows.append(
                [member, *(g["shares"][member] for g in document["groups"]), item["amount"]]
            )
        rows.append(["total", *(g["amount"] for g in document["groups"]), document["total"]])
        files[f"{place.id}/shares.csv"] = csv_bytes(rows)
        active = {m.id for m in place.active_members(month)}
        for member in place.members:
            if member.entity == place.host:
                continue
            statement = member_statement(ws, place, member, start=first, end=last)
            if member.id not in active and not statement.lines and not statement.closing:
                continue
            files[f"{place.id}/statements/{member.id}.md"] = statement_markdown(statement).encode(
                "utf-8"
            )
    return files, notes
