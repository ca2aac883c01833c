"""``invoice document``: the Factur-X PDF of an invoice or a credit note, from its entry.

Added to the ``invoice`` group that ``cli/invoice.py`` builds (this module comes after it
in ``COMMAND_MODULES``).
"""

from __future__ import annotations

from typing import Annotated, TypeAlias

import typer

from alusage_ledger.cli import state
from alusage_ledger.cli.options import Today, optional
from alusage_ledger.core.i18n import N_, _
from alusage_ledger.outputs.render.console import emit_json, say

DocumentNumber: TypeAlias = Annotated[
    str, typer.Argument(help=N_("The invoice or credit note number, e.g. F2026-0051."))
]
DocumentEntity: TypeAlias = Annotated[
    str | None,
    optional("--entity", "-e", help=N_("The entity (default: the one holding the number).")),
]


def _invoice_group(app: typer.Typer) -> typer.Typer:
    for info in app.registered_groups:
        if info.name == "invoice" and info.typer_instance is not None:
            return info.typer_instance
    raise RuntimeError("cli.invoice must be registered before cli.invoice_document")


def register(app: typer.Typer) -> None:
    invoice = _invoice_group(app)

    @invoice.command(
        "document",
        help=N_(
            "Make the document of an invoice or a credit note from its ledger entry: "
            "documents/<entity>/<YYYY>/<number>.pdf, a Factur-X PDF/A-3 with its CII XML "
            "(profile EN 16931) and the legal mentions, the same bytes every time; the ledger "
            "links it with its SHA-256 (a new 'alusage-document' directive)."
        ),
    )
    def document(
        number: DocumentNumber, entity: DocumentEntity = None, today: Today = None
    ) -> None:
        # lazy: the domain, Typst and factur-x load only when the command runs
        from alusage_ledger.core.periods import resolve_today
        from alusage_ledger.outputs.documents.links import issue_document, locate_document

        st = state.current()
        ws = st.workspace()
        holder = locate_document(ws, number.strip(), entity)
        issued = issue_document(ws, holder, number.strip(), resolve_today(today))
        if st.json:
            emit_json(
                {
                    "ok": True,
                    "entity": holder,
                    "number": issued.number,
                    "path": issued.path,
                    "sha256": issued.sha256,
                    "linked": issued.linked,
                    "unchanged": issued.unchanged,
                }
            )
            return
        if issued.unchanged and not issued.linked:
            say(
                _("{path} is already the document of {number}.").format(
                    path=issued.path, number=issued.number
                )
            )
        else:
            say(
                _("Document of {number} written to {path} (SHA-256 {digest}).").format(
                    number=issued.number, path=issued.path, digest=issued.sha256[:12]
                )
            )
