"""What the ``bill`` and ``expense`` commands print: what a command wrote (a bill, a
claim, a payment), and the list of documents with what was paid and what is still due."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from alusage_ledger.cli import state
from alusage_ledger.cli.options import emit_csv
from alusage_ledger.core.fmt import machine, money
from alusage_ledger.core.i18n import N_, _
from alusage_ledger.outputs.render.console import emit_json, say, table

if TYPE_CHECKING:
    from alusage_ledger.domains.purchases.documents import Document, Written


def report_written(written: Written, dry_run: bool, fields: dict[str, Any], message: str) -> None:
    """What a bill or claim command wrote: ``fields`` (between ``ok``/``dry_run`` and
    ``files``) under ``--json``; else the text written with ``--dry-run``, then ``message``."""
    meta = (written.entries[0].meta or {}) if written.entries else {}
    kept = meta.get("vat-non-deductible")
    if state.current().json:
        extra = {"vat_non_deductible": machine(kept)} if kept else {}
        emit_json({"ok": True, "dry_run": dry_run, **fields, **extra, "files": written.files})
        return
    if dry_run:
        say(written.dry_run_text)
    say(message)
    if kept:
        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.purchases.nondeductible import category_label

        category = meta.get("vat-category")
        why = (category_label(category) if category else None) or _(
            "coefficient of deduction {value}"
        ).format(value=meta.get("vat-coefficient"))
        say(
            _("VAT of {amount} is not deductible ({why}): it is booked into the charge.").format(
                amount=money(kept), why=why
            )
        )


def postings_json(entry: Any) -> list[dict[str, Any]]:
    return [{"account": p.account, "amount": machine(p.units.number)} for p in entry.postings]


#: The columns of ``bill list`` and ``expense list`` with ``--format csv``: their JSON keys.
DOCUMENT_CSV = (
    ("entity", N_("Entity")),
    ("date", N_("Date")),
    ("piece_ref", N_("Piece")),
    ("link", N_("Link")),
    ("party", N_("Third party")),
    ("account", N_("Account")),
    ("ht", N_("Before tax")),
    ("vat", N_("VAT")),
    ("ttc", N_("Total")),
    ("paid", N_("Paid")),
    ("due", N_("Due")),
    ("due_date", N_("Due date")),
    ("days_overdue", N_("Days overdue")),
)


def render_documents(
    docs: list[Document], today: Any, title: str, fmt: str = "table", dialect: str = "machine"
) -> None:
    """A list of bills or claims in ``fmt`` (table, csv or json, from ``list_format``)."""
    # lazy: the domain (and Beancount) loads only when the command runs
    from alusage_ledger.domains.purchases.amounts import days_overdue

    if fmt == "csv":
        emit_csv(
            DOCUMENT_CSV,
            (
                [
                    d.entity,
                    d.date,
                    d.piece_ref,
                    d.link,
                    d.party,
                    d.account,
                    d.ht,
                    d.vat,
                    d.ttc,
                    d.paid,
                    d.remaining,
                    d.due_date,
                    days_overdue(d, today),
                ]
                for d in docs
            ),
            dialect,
        )
        return
    if fmt == "json":
        emit_json(
            {
                "as_of": today,
                "documents": [
                    {
                        "entity": d.entity,
                        "date": d.date,
                        "piece_ref": d.piece_ref,
                        "link": d.link,
                        "party": d.party,
                        "account": d.account,
                        "ht": machine(d.ht),
                        "vat": machine(d.vat),
                        "ttc": machine(d.ttc),
                        "paid": machine(d.paid),
                        "due": machine(d.remaining),
                        "due_date": d.due_date,
                        "days_overdue": days_overdue(d, today),
                    }
                    for d in docs
                ],
            }
        )
        return
    rows = [
        [
            d.entity,
            d.date.isoformat(),
            d.piece_ref,
            d.party,
            money(d.ht),
            money(d.vat),
            money(d.ttc),
            money(d.paid),
            money(d.remaining),
            d.due_date.isoformat() if d.due_date else "",
            str(days_overdue(d, today) or ""),
        ]
        for d in docs
    ]
    table(
        title,
        [
            _("Entity"),
            _("Date"),
            _("Piece"),
            _("Third party"),
            _("Before tax"),
            _("VAT"),
            _("Total"),
            _("Paid"),
            _("Due"),
            _("Due date"),
            _("Days overdue"),
        ],
        rows,
        right=(4, 5, 6, 7, 8, 10),
        free=(3,),
        drop=(5, 4, 10, 0, 7, 9),
    )
