"""``bill import``: received e-invoices (Factur-X PDF, CII, UBL) booked as bills.

Added to the ``bill`` group that ``cli/bill.py`` builds (this module comes after it in
``COMMAND_MODULES``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, TypeAlias

import typer

from alusage_ledger.cli import state
from alusage_ledger.cli.options import DryRun, EntityId, optional
from alusage_ledger.core.fmt import machine, money
from alusage_ledger.core.i18n import N_, _
from alusage_ledger.outputs.render.console import emit_json, say

InvoiceFiles: TypeAlias = Annotated[
    list[Path],
    typer.Argument(help=N_("The received invoices: Factur-X PDF, CII XML or UBL 2.1 XML.")),
]
ChargeAccount: TypeAlias = Annotated[
    str,
    typer.Option(
        "--account", help=N_("The charge account of the lines, e.g. 6064 or Charges:Fournitures.")
    ),
]
BookingDate: TypeAlias = Annotated[
    str | None,
    optional("--date", help=N_("Booking date (default: the invoice's date).")),
]


def _group(app: typer.Typer, name: str) -> typer.Typer:
    for info in app.registered_groups:
        if info.name == name and info.typer_instance is not None:
            return info.typer_instance
    raise RuntimeError(f"cli.{name} must be registered before this module")


def register(app: typer.Typer) -> None:
    bill = _group(app, "bill")

    @bill.command(
        "import",
        help=N_(
            "Book received e-invoices as bills: the file is read and checked (XSD, totals), "
            "the supplier is the seller (its SIREN kept), one line per VAT rate on --account, "
            "the due date and the supplier's number kept; the file is copied under documents/ "
            "and linked. Importing twice adds nothing; one number with other amounts is an "
            "error."
        ),
    )
    def import_(
        files: InvoiceFiles,
        entity: EntityId,
        account: ChargeAccount,
        day: BookingDate = None,
        dry_run: DryRun = False,
    ) -> None:
        # lazy: the integration, the domain and factur-x load only when the command runs
        from alusage_ledger.core.periods import parse_date
        from alusage_ledger.integrations.einvoices.billing import import_bill
        from alusage_ledger.integrations.einvoices.reading import read_received

        st = state.current()
        ws = st.workspace()
        when = parse_date(day, _("date")) if day else None
        for path in files:  # every file readable before any is booked
            read_received(path)
        results = [
            import_bill(ws, entity, path, account, day=when, dry_run=dry_run) for path in files
        ]
        if st.json:
            emit_json(
                {
                    "ok": True,
                    "dry_run": dry_run,
                    "bills": [
                        {
                            "file": str(path),
                            "number": r.received.number,
                            "supplier": r.received.supplier,
                            "total": machine(r.received.ttc),
                            "credit_note": r.received.credit,
                            "booked": r.entry is not None,
                            "document": r.document,
                            "files": r.files,
                        }
                        for path, r in zip(files, results, strict=True)
                    ],
                }
            )
            return
        for r in results:
            if r.entry is None:
                say(
                    _("{supplier} invoice {number} is already booked; nothing added.").format(
                        supplier=r.received.supplier, number=r.received.number
                    )
                )
                continue
            if dry_run:
                say(r.text)
            say(
                _("{supplier} invoice {number} ({total}) {verb} in {files}.").format(
                    supplier=r.received.supplier,
                    number=r.received.number,
                    total=money(-r.received.ttc if r.received.credit else r.received.ttc),
                    verb=_("would be booked") if dry_run else _("booked"),
                    files=", ".join(r.files),
                )
            )
