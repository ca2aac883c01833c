"""The Fichier des Écritures Comptables (FEC, LPF art. L47 A I and A47 A-1): rows, file, checks.

A French company that keeps its books on a computer hands the tax administration, on
request, one flat file per exercice: 18 fields in a fixed order, a header line, a tab or
``|`` between fields, amounts with a decimal comma and no thousands separator, dates as
``AAAAMMJJ``, the opening entry (à-nouveaux) first, every entry numbered without gaps
within its journal, and a description of the file beside it. This package is the pure
core of ``export fec``:

- ``fields``: the 18 fields and how a value is written in one (amounts, dates, text);
- ``settings``: :class:`FecSettings`, what the export needs besides the entries (the
  exercice, the export date, the third-party accounts);
- ``rows``: :class:`FecLine`, :class:`JournalSummary`, :class:`FecExport`;
- ``closes``: month and exercice closes, which give ``ValidDate``;
- ``build``: :func:`build_fec` turns an entity's loaded entries into :class:`FecLine` rows
  (which entries, which journal, which number, which account number, which piece, which
  lettering, which validation date), or says precisely why it cannot;
- ``writer`` and ``description``: :func:`render_fec` and :func:`render_description` turn
  them into bytes (UTF-8 or ISO-8859-15, tab or pipe);
- ``verifier``: :func:`verify_fec` checks *any* FEC file, ours or another program's,
  line by line.

A ledger entry becomes one FEC entry, each posting one line::

    2026-01-08 * "Client Alpha" "Facture F2026-0001" ^F2026-0001
      invoice: "F2026-0001"
      Actif:Clients:ClientAlpha        3780.00 EUR   ; pcg 411 -> 411 + CompAuxNum 411ClientAlpha
      Produits:Prestations:Programmation -3150.00 EUR ; pcg 7062
      Passif:Etat:TVAEnAttente         -630.00 EUR   ; pcg 44588

    VT  Ventes  VT000001  20260108  411  Clients  411ClientAlpha  Client Alpha  F2026-0001
        20260108  Client Alpha - Facture F2026-0001  3780,00  0,00  AA  20260131  20260203

The mapping, its sources and its limits are explained in ``docs/fec.md``. The FEC's
content (journal labels, description file) is French whatever the interface language:
it is a document for the French administration, not a message to the user.

May import: domains (lettering, places), books, core.
"""

from alusage_ledger.outputs.fec.build import build_fec
from alusage_ledger.outputs.fec.description import render_description
from alusage_ledger.outputs.fec.fields import (
    FIELDS,
    FIELDS_SENS,
    clean_text,
    fec_amount,
    fec_date,
    parse_fec_number,
    transliterate,
)
from alusage_ledger.outputs.fec.rows import FecExport, FecLine, JournalSummary
from alusage_ledger.outputs.fec.settings import (
    FecSettings,
    exercice_bounds,
    export_date,
    third_party_names,
    third_party_parents,
)
from alusage_ledger.outputs.fec.verifier import FecProblem, FecReport, verify_fec
from alusage_ledger.outputs.fec.writer import ENCODINGS, SEPARATORS, render_fec

__all__ = [
    "ENCODINGS",
    "FIELDS",
    "FIELDS_SENS",
    "SEPARATORS",
    "FecExport",
    "FecLine",
    "FecProblem",
    "FecReport",
    "FecSettings",
    "JournalSummary",
    "build_fec",
    "clean_text",
    "exercice_bounds",
    "export_date",
    "fec_amount",
    "fec_date",
    "parse_fec_number",
    "render_description",
    "render_fec",
    "third_party_names",
    "third_party_parents",
    "transliterate",
    "verify_fec",
]
