"""``revenue``: turnover of a period by activity, client, month or project."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from alusage_ledger.cli import state
from alusage_ledger.cli.options import (
    CsvDialect,
    OnlyEntityOrAll,
    check_csv_dialect,
    chosen_entities,
    emit_csv,
    optional,
)
from alusage_ledger.core.errors import UsageError
from alusage_ledger.core.fmt import machine, money
from alusage_ledger.core.i18n import N_, _
from alusage_ledger.outputs.render.console import emit_json, say, table

if TYPE_CHECKING:
    from alusage_ledger.domains.sales.revenue import RevenueReport


def _as_json(report: RevenueReport) -> dict[str, object]:
    total = report.total
    return {
        "entity": report.entity,
        "groups": [
            {"key": g.key, "ht": machine(g.ht), "vat": machine(g.vat), "ttc": machine(g.ttc)}
            for g in report.groups
        ],
        "total": {"ht": machine(total.ht), "vat": machine(total.vat), "ttc": machine(total.ttc)},
        "accounts": report.accounts,
    }


#: The columns of ``revenue --format csv``: one row per group, then the entity's total.
REVENUE_CSV = (
    ("entity", N_("Entity")),
    ("group", N_("Group")),
    ("ht", N_("Excl. VAT")),
    ("vat", N_("VAT")),
    ("ttc", N_("Incl. VAT")),
)


def revenue_csv_rows(reports: list[RevenueReport]) -> list[list[object]]:
    rows: list[list[object]] = []
    for report in reports:
        rows.extend([report.entity, g.key, g.ht, g.vat, g.ttc] for g in report.groups)
        total = report.total
        rows.append([report.entity, "TOTAL", total.ht, total.vat, total.ttc])
    return rows


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|")


def render_md(reports: list[RevenueReport], title: str) -> str:
    lines = [f"# {title}", ""]
    for report in reports:
        lines += [
            f"## {report.entity}",
            "",
            f"| {_('Group')} | {_('Excl. VAT')} | {_('VAT')} | {_('Incl. VAT')} |",
            "|---|---:|---:|---:|",
        ]
        for g in report.groups:
            lines.append(f"| {_md_cell(g.key)} | {money(g.ht)} | {money(g.vat)} | {money(g.ttc)} |")
        total = report.total
        lines.append(
            f"| **{_('Total')}** | **{money(total.ht)}** | **{money(total.vat)}** | "
            f"**{money(total.ttc)}** |"
        )
        lines.append("")
    return "\n".join(lines)


def register(app: typer.Typer) -> None:
    @app.command(
        "revenue",
        help=N_(
            "Turnover (PCG 70x accounts) of a period by activity, client, month or project: "
            "excl. VAT, VAT and incl. VAT per group and in total."
        ),
    )
    def revenue(
        entity: OnlyEntityOrAll = None,
        period: Annotated[
            str | None,
            optional(
                "--period", help=N_("2026, 2026-Q4, 2026-11 or FROM..TO (default: this year).")
            ),
        ] = None,
        by: Annotated[
            str, typer.Option("--by", help=N_("Group by activity, client, month or project."))
        ] = "activity",
        fmt: Annotated[
            str, typer.Option("--format", "-f", help=N_("Output: table, csv or md."))
        ] = "table",
        dialect: CsvDialect = "machine",
    ) -> None:
        # lazy: core.periods costs ~5 ms at start-up
        from alusage_ledger.core.periods import parse_period, resolve_today, year_period

        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.sales.revenue import GROUPINGS, revenue_report

        st = state.current()
        ws = st.workspace()
        if by not in GROUPINGS:
            raise UsageError(
                _("--by {value!r}: use one of {known}.").format(
                    value=by, known=", ".join(GROUPINGS)
                )
            )
        if fmt not in ("table", "csv", "md"):
            raise UsageError(_("--format {value!r}: use table, csv or md.").format(value=fmt))
        check_csv_dialect(dialect)
        chosen = parse_period(period) if period else year_period(resolve_today().year)
        entities = chosen_entities(ws, entity)
        reports = [
            revenue_report(ws.config, ws.load_checked(name), chosen, by) for name in entities
        ]
        if st.json:
            emit_json(
                {
                    "period": {
                        "label": chosen.label,
                        "from": chosen.start.isoformat(),
                        "to": chosen.last_day.isoformat(),
                    },
                    "by": by,
                    "entities": [_as_json(r) for r in reports],
                }
            )
            return
        if fmt == "csv":
            emit_csv(REVENUE_CSV, revenue_csv_rows(reports), dialect)
            return
        title = _("Revenue {period} by {by}").format(period=chosen.label, by=_by_word(by))
        if fmt == "md":
            sys.stdout.write(render_md(reports, title) + "\n")
            return
        for report in reports:
            rows = [[g.key, money(g.ht), money(g.vat), money(g.ttc)] for g in report.groups]
            total = report.total
            rows.append([_("Total"), money(total.ht), money(total.vat), money(total.ttc)])
            table(
                f"{title} - {report.entity}",
                [_by_word(by).capitalize(), _("Excl. VAT"), _("VAT"), _("Incl. VAT")],
                rows,
                right=(1, 2, 3),
            )
        if not reports:
            say(_("No entity."))


def _by_word(by: str) -> str:
    return {
        "activity": _("activity"),
        "client": _("client"),
        "month": _("month"),
        "project": _("project"),
    }[by]
