"""The register of members as a report (``capital register``): table rows, Markdown, CSV,
JSON; with the movements and the tie to the books (1013, 1011, 4567)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from alusage_ledger.core.fmt import machine, money
from alusage_ledger.core.i18n import N_, _
from alusage_ledger.domains.year.register import Register

COLUMNS = (
    ("member", N_("Member")),
    ("name", N_("Name")),
    ("category", N_("Category")),
    ("shares", N_("Shares")),
    ("subscribed", N_("Subscribed")),
    ("paid", N_("Paid up")),
    ("uncalled", N_("Not paid yet")),
    ("refund_due", N_("Refund due")),
    ("since", N_("Member since")),
    ("last", N_("Last movement")),
    ("status", N_("Status")),
)
STATUS = {"member": N_("member"), "withdrawn": N_("withdrawn on {day}")}


def _shares_text(value: Decimal) -> str:
    return f"{value.normalize():f}" if value == value.to_integral_value() else f"{value:f}"


def register_rows(register: Register, human: bool) -> list[list[str]]:
    fmt = money if human else machine
    rows = []
    for m in register.members:
        status = (
            _(STATUS["withdrawn"]).format(day=m.left_on.isoformat())
            if human and m.left_on
            else (_(STATUS["member"]) if human else m.status)
        )
        rows.append(
            [
                m.id,
                m.name,
                m.category,
                _shares_text(m.shares),
                fmt(m.subscribed),
                fmt(m.paid),
                fmt(m.uncalled),
                fmt(m.refund_due),
                m.since.isoformat() if m.since else "",
                m.last.isoformat() if m.last else "",
                status,
            ]
        )
    return rows


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def register_markdown(register: Register, entity_name: str) -> str:
    sums = register.totals()
    out = [
        f"# {_md_cell(_('Register of members — {name}').format(name=entity_name))}",
        "",
        _md_cell(
            _("Members' shares at {day}.").format(day=register.as_of.isoformat())
            if register.as_of
            else _("Members' shares at the end of the books.")
        ),
        "",
        "| " + " | ".join(_md_cell(_(title)) for _key, title in COLUMNS) + " |",
        "| " + " | ".join("---:" if 3 <= i <= 7 else "---" for i in range(len(COLUMNS))) + " |",
    ]
    for row in register_rows(register, True):
        out.append("| " + " | ".join(_md_cell(c) for c in row) + " |")
    out.append(
        "| **"
        + _md_cell(_("Total"))
        + "** | | | **"
        + _shares_text(sums["shares"])
        + "** | "
        + " | ".join(
            f"**{money(sums[k])}**" for k in ("subscribed", "paid", "uncalled", "refund_due")
        )
        + " | | | |"
    )
    out += ["", f"## {_md_cell(_('Movements'))}", ""]
    out.append(
        "| "
        + " | ".join(
            _md_cell(t)
            for t in (
                _("Date"),
                _("Booked on"),
                _("Movement"),
                _("Member"),
                _("Shares"),
                _("Amount"),
                _("Paid up"),
            )
        )
        + " |"
    )
    out.append("| --- | --- | --- | --- | ---: | ---: | ---: |")
    for move in register.moves:
        label = _(MOVE_LABELS[move.op]) + (" " + _("(record)") if move.record else "")
        out.append(
            "| "
            + " | ".join(
                [
                    move.day.isoformat(),
                    move.booked_on.isoformat(),
                    _md_cell(label),
                    move.member,
                    _shares_text(move.shares) if move.op in ("subscribe", "withdraw") else "",
                    money(move.amount),
                    money(move.paid) if move.op in ("subscribe", "withdraw") else "",
                ]
            )
            + " |"
        )
    out += ["", f"## {_md_cell(_('Tie to the books'))}", ""]
    out.append(
        "| "
        + " | ".join(_md_cell(t) for t in (_("Figure"), _("Register"), _("Books"), _("Ties")))
        + " |"
    )
    out.append("| --- | ---: | ---: | --- |")
    for key, title, books in (
        ("paid", _("Capital paid (1013)"), register.books_paid),
        ("uncalled", _("Capital not paid yet (1011)"), register.books_uncalled),
        ("refund_due", _("Due to former members (4567)"), register.books_refund_due),
    ):
        ok = _("yes") if sums[key] == books else _("NO")
        out.append(f"| {_md_cell(title)} | {money(sums[key])} | {money(books)} | {_md_cell(ok)} |")
    out.append("")
    return "\n".join(out)


MOVE_LABELS = {
    "subscribe": N_("subscription"),
    "pay": N_("payment"),
    "withdraw": N_("withdrawal"),
    "refund": N_("refund"),
}


def register_csv(register: Register) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([key for key, _title in COLUMNS])
    writer.writerows(register_rows(register, False))
    sums = register.totals()
    writer.writerow(
        [
            "total",
            "",
            "",
            _shares_text(sums["shares"]),
            *(machine(sums[k]) for k in ("subscribed", "paid", "uncalled", "refund_due")),
            "",
            "",
            "",
        ]
    )
    return buffer.getvalue()


def register_json(register: Register) -> dict[str, Any]:
    sums = register.totals()
    return {
        "entity": register.entity,
        "as_of": register.as_of,
        "members": [
            dict(zip((k for k, _t in COLUMNS), row)) for row in register_rows(register, False)
        ],
        "totals": {k: (_shares_text(v) if k == "shares" else machine(v)) for k, v in sums.items()},
        "books": {
            "paid": machine(register.books_paid),
            "uncalled": machine(register.books_uncalled),
            "refund_due": machine(register.books_refund_due),
        },
        "ties": not register.ties(),
        "movements": [
            {
                "date": m.day,
                "booked_on": m.booked_on,
                "movement": m.op,
                "member": m.member,
                "shares": _shares_text(m.shares),
                "amount": machine(m.amount),
                "paid": machine(m.paid),
                "record": m.record,
            }
            for m in register.moves
        ],
    }
