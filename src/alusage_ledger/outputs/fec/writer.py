"""The FEC file's bytes: its encodings, field separators and line ends (:func:`render_fec`)."""

from __future__ import annotations

from alusage_ledger.core.errors import UsageError
from alusage_ledger.core.i18n import _
from alusage_ledger.outputs.fec.fields import FIELDS, clean_text, transliterate
from alusage_ledger.outputs.fec.rows import FecExport

ENCODINGS: dict[str, str] = {"utf-8": "UTF-8", "iso-8859-15": "ISO-8859-15"}
SEPARATORS: dict[str, str] = {"tab": "\t", "pipe": "|"}
EOL = "\r\n"


def render_fec(export: FecExport, encoding: str = "utf-8", separator: str = "tab") -> bytes:
    """The FEC file's bytes: header line, then one line per posting, CRLF line ends."""
    if encoding not in ENCODINGS:
        raise UsageError(
            _("Unknown encoding {value!r}; use utf-8 or iso-8859-15.").format(value=encoding)
        )
    if separator not in SEPARATORS:
        raise UsageError(_("Unknown separator {value!r}; use tab or pipe.").format(value=separator))
    sep = SEPARATORS[separator]
    out = [sep.join(FIELDS)]
    for line in export.lines:
        out.append(
            sep.join(clean_text(transliterate(clean_text(c), encoding)) for c in line.cells())
        )
    return (EOL.join(out) + EOL).encode(encoding)
