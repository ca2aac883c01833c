"""The transparency report for people and machines: terminal tables, Markdown, CSV, JSON.

``domains.commons.transparency`` computes the report (:class:`Report`, every figure with
the BQL queries that give it); this module only shows it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from alusage_ledger.core.fmt import machine, money
from alusage_ledger.core.i18n import N_, _
from alusage_ledger.core.money import ZERO
from alusage_ledger.domains.commons.dues import percent
from alusage_ledger.domains.commons.transparency import Line, Report, Section
from alusage_ledger.outputs.render.console import say, table
from alusage_ledger.outputs.render.csvout import csv_document

BAR_WIDTH = 20
_EIGHTHS = " ▏▎▍▌▋▊▉"


def bar(value: Decimal, largest: Decimal, width: int = BAR_WIDTH) -> str:
    """A horizontal bar of ``value`` against ``largest``, in eighths of a character."""
    if largest <= 0 or value <= 0:
        return ""
    eighths = int((value * width * 8 / largest).to_integral_value())
    full, rest = divmod(min(eighths, width * 8), 8)
    return "█" * full + (_EIGHTHS[rest] if rest else "")


def _pct(value: Decimal | None) -> str:
    if value is None:
        return "-"
    return percent(value.quantize(Decimal("0.0001")))


def _what(key: str) -> str:
    return {"pay": _("pay and social charges (64)"), "drawings": _("owner's drawings (108)")}.get(
        key, key
    )


def summary_rows(report: Report, money: Callable[[Decimal], str]) -> list[list[str]]:
    given = report.commons.total
    revenue = report.value.total
    rows = [
        [_("Value created (revenue excluding VAT)"), money(revenue)],
        [_("Paid to people"), money(report.people.total)],
        [
            _("Given back to the commons"),
            money(given),
        ],
        [
            _("Given back, as a share of the givers' revenue"),
            _pct(report.share(given, report.revenue_of(_givers(report)))),
        ],
    ]
    for _pid, name, costs, calls in report.places:
        rows.append([_("{place}: costs").format(place=name), money(costs.total)])
        rows.append([_("{place}: called from its users").format(place=name), money(calls.total)])
    return rows


def _givers(report: Report) -> set[str]:
    givers = set(report.givers.values())
    givers |= {ln.key[1] for ln in report.commons.lines if ln.key[3] == "other"}
    return givers


def month_rows(report: Report, money: Callable[[Decimal], str]) -> list[list[str]]:
    """One row per month: value created, paid, given back (with bars), each place's costs."""
    value = report.value.by_month(report.months)
    people = report.people.by_month(report.months)
    given = report.commons.by_month(report.months)
    costs = [section.by_month(report.months) for _pid, _name, section, _calls in report.places]
    top_value = max(value.values(), default=ZERO)
    top_given = max(given.values(), default=ZERO)
    givers = _givers(report)
    rows = []
    for month in report.months:
        rows.append(
            [
                str(month),
                money(value[month]),
                bar(value[month], top_value),
                money(people[month]),
                money(given[month]),
                bar(given[month], top_given),
                _pct(report.share(given[month], report.revenue_of(givers, month))),
                *(money(place[month]) for place in costs),
            ]
        )
    return rows


def month_columns(report: Report) -> tuple[list[str], tuple[int, ...]]:
    """The columns of :func:`month_rows` and which are right-aligned."""
    columns = [
        _("Month"),
        _("Value created"),
        "",
        _("Paid to people"),
        _("Given back"),
        "",
        _("Share of revenue"),
    ]
    columns += [_("{place}: costs").format(place=name) for _pid, name, _c, _k in report.places]
    return columns, (1, 3, 4, 6, *range(7, len(columns)))


def detail_tables(
    report: Report, money: Callable[[Decimal], str]
) -> list[tuple[str, list[str], list[list[str]], tuple[int, ...]]]:
    """(title, columns, rows, right-aligned columns) of every detail table."""
    names = report.entities
    tables: list[tuple[str, list[str], list[list[str]], tuple[int, ...]]] = []
    tables.append(
        (
            _("Value created by entity and activity"),
            [_("Entity"), _("Activity"), _("Total")],
            [[names[ln.key[0]], ln.key[1], money(ln.total)] for ln in report.value.lines]
            + [[_("Total"), "", money(report.value.total)]],
            (2,),
        )
    )
    tables.append(
        (
            _("Paid to people"),
            [_("Entity"), _("What"), _("Total")],
            [[names[ln.key[0]], _what(ln.key[1]), money(ln.total)] for ln in report.people.lines]
            + [[_("Total"), "", money(report.people.total)]],
            (2,),
        )
    )
    kinds = {"don": _("donation"), "retribution": _("retribution"), "other": _("other gifts")}
    rows = []
    for ln in report.commons.lines:
        policy, giver, recipient, kind = ln.key
        share = report.share(ln.total, report.revenue_of([giver]))
        rows.append(
            [
                policy or "-",
                names.get(giver, giver),
                names.get(recipient, recipient) or "-",
                kinds.get(kind, kind),
                money(ln.total),
                _pct(share),
            ]
        )
    rows.append([_("Total"), "", "", "", money(report.commons.total), ""])
    tables.append(
        (
            _("Given back to the commons, by policy"),
            [_("Policy"), _("Giver"), _("Recipient"), _("Kind"), _("Total"), _("Share of revenue")],
            rows,
            (4, 5),
        )
    )
    if report.regularisations:
        tables.append(
            (
                _("Regularisations of the commons (included above)"),
                [_("Policy"), _("Month corrected"), _("Date"), _("Amount")],
                [
                    [r.policy, r.month, r.day.isoformat(), money(r.amount)]
                    for r in report.regularisations
                ],
                (3,),
            )
        )
    recipients: dict[str, Decimal] = {}
    for ln in report.commons.lines:
        recipients[ln.key[2]] = recipients.get(ln.key[2], ZERO) + ln.total
    tables.append(
        (
            _("Given back to the commons, by recipient"),
            [_("Recipient"), _("Total")],
            [
                [names.get(r, r) or _("(not stated)"), money(t)]
                for r, t in sorted(recipients.items())
            ],
            (1,),
        )
    )
    for pid, name, costs, calls in report.places:
        total = costs.total
        members = report.members.get(pid, {})
        rows = [
            [_("cost: {group}").format(group=ln.key[0]), money(ln.total), ""] for ln in costs.lines
        ]
        rows.append([_("Total costs"), money(total), ""])
        for ln in calls.lines:
            who = members.get(ln.key[0], ln.key[0]) if ln.key[0] else _("(other calls)")
            rows.append(
                [
                    _("called from {member}").format(member=who),
                    money(ln.total),
                    _pct(report.share(ln.total, total)),
                ]
            )
        rows.append(
            [
                _("borne by the host"),
                money(total - calls.total),
                _pct(report.share(total - calls.total, total)),
            ]
        )
        tables.append(
            (
                _("{place}: costs and how they were shared").format(place=name),
                ["", _("Total"), _("Share of costs")],
                rows,
                (1, 2),
            )
        )
    return tables


def title(report: Report) -> str:
    return _("Transparency report {period}").format(period=report.period.label)


def render_terminal(report: Report) -> None:
    say(title(report))
    table(_("Summary"), ["", _("Total")], summary_rows(report, money), right=(1,))
    columns, right = month_columns(report)
    table(_("Month by month"), columns, month_rows(report, money), right=right)
    for name, columns, rows, right in detail_tables(report, money):
        table(name, columns, rows, right=right)


def _md_table(columns: list[str], rows: list[list[str]], right: Iterable[int]) -> str:
    aligned = set(right)

    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    head = "| " + " | ".join(cell(c) for c in columns) + " |"
    rule = "|" + "|".join("---:" if i in aligned else "---" for i in range(len(columns))) + "|"
    body = ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join([head, rule, *body])


def _md_month(
    report: Report, money: Callable[[Decimal], str]
) -> tuple[list[str], list[list[str]], tuple[int, ...]]:
    columns, right = month_columns(report)
    return columns, month_rows(report, money), right


def render_markdown(report: Report) -> str:
    parts = [f"# {title(report)}", ""]
    parts.append(
        _(
            "Revenue excludes VAT and flows between the entities of the ecosystem; every "
            "figure is a sum of ledger postings."
        )
    )
    parts += [
        "",
        f"## {_('Summary')}",
        "",
        _md_table(["", _("Total")], summary_rows(report, money), (1,)),
    ]
    parts += [
        "",
        f"## {_('Month by month')}",
        "",
        _md_table(*_md_month(report, money)),
    ]
    for name, columns, rows, right in detail_tables(report, money):
        parts += ["", f"## {name}", "", _md_table(columns, rows, right)]
    return "\n".join(parts) + "\n"


def _rows(report: Report) -> Iterable[tuple[str, tuple[str, ...], Line]]:
    yield from (("value", ln.key, ln) for ln in report.value.lines)
    yield from (("people", ln.key, ln) for ln in report.people.lines)
    yield from (("commons", ln.key, ln) for ln in report.commons.lines)
    for pid, _name, costs, calls in report.places:
        yield from ((f"{pid}-costs", ln.key, ln) for ln in costs.lines)
        yield from ((f"{pid}-calls", ln.key, ln) for ln in calls.lines)


CSV_COLUMNS = (
    ("section", N_("Section")),
    ("key", N_("Key")),
    ("month", N_("Month")),
    ("amount", N_("Amount")),
)


def render_csv(report: Report, dialect: str = "machine") -> str:
    """Long format, one amount per row: section, key, month (or ``total``), amount; in
    ``dialect`` (outputs/render/csvout.py)."""
    rows: list[list[Any]] = []
    for section, key, line in _rows(report):
        name = "/".join(k for k in key if k)
        for month in report.months:
            rows.append([section, name, str(month), line.months.get(month, ZERO)])
        rows.append([section, name, "total", line.total])
    return csv_document(CSV_COLUMNS, rows, dialect)


def report_json(report: Report) -> dict[str, Any]:
    def line_json(line: Line) -> dict[str, Any]:
        return {
            "key": list(line.key),
            "months": {str(m): machine(line.months.get(m, ZERO)) for m in report.months},
            "total": machine(line.total),
            "checks": [{"entity": c.entity, "query": c.query, "sign": c.sign} for c in line.checks],
        }

    def section_json(section: Section) -> dict[str, Any]:
        return {
            "lines": [line_json(ln) for ln in section.lines],
            "months": {str(m): machine(v) for m, v in section.by_month(report.months).items()},
            "total": machine(section.total),
            "checks": [
                {"entity": c.entity, "query": c.query, "sign": c.sign} for c in section.total_checks
            ],
        }

    givers = _givers(report)
    share = report.share(report.commons.total, report.revenue_of(givers))
    return {
        "period": report.period.label,
        "start": report.period.start.isoformat(),
        "end": report.period.last_day.isoformat(),
        "months": [str(m) for m in report.months],
        "value_created": section_json(report.value),
        "paid_to_people": section_json(report.people),
        "commons": {
            **section_json(report.commons),
            "regularisations": [
                {
                    "policy": r.policy,
                    "month": r.month,
                    "date": r.day.isoformat(),
                    "amount": machine(r.amount),
                }
                for r in report.regularisations
            ],
            "share_of_revenue": None if share is None else f"{share.quantize(Decimal('0.0001'))}",
        },
        "places": [
            {
                "id": pid,
                "name": name,
                "costs": section_json(costs),
                "calls": section_json(calls),
                "borne_by_host": machine(costs.total - calls.total),
            }
            for pid, name, costs, calls in report.places
        ],
    }
