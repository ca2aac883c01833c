"""User text the ledger printer can be trusted with (RELIABILITY W2).

Beancount's printer writes a narration, a payee or a metadata string between quotes
without escaping everything: text that is too long, or holds a control or invisible
character (bidi controls, zero-width characters...), is refused before anything is
built from it. The configuration (labels of policies) and ``init`` use the same check
as the writer (:mod:`alusage_ledger.books.validate`).
"""

from __future__ import annotations

import unicodedata

from alusage_ledger.core.errors import UsageError
from alusage_ledger.core.i18n import _

MAX_TEXT = 500

BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def check_text(value: str, what: str) -> str:
    """Refuse user text the printer cannot be trusted with (W2); return it unchanged."""
    if len(value) > MAX_TEXT:
        raise UsageError(
            _("The {what} is too long ({length} characters, at most {limit}).").format(
                what=what, length=len(value), limit=MAX_TEXT
            )
        )
    for char in value:
        category = unicodedata.category(char)
        # Cf: bidi controls, zero-width and other invisible format characters.
        if char in BIDI or category in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
            raise UsageError(
                _(
                    "The {what} contains a control or invisible character (U+{code:04X}); "
                    "remove it."
                ).format(what=what, code=ord(char))
            )
    return value
