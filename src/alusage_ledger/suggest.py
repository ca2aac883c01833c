"""'Did you mean ...?' hints for unknown names (entities, places, members, accounts)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from .i18n import _


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """A short clause to append to an error, or an empty string."""
    matches = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    if not matches:
        return ""
    return _(" (did you mean {candidate!r}?)").format(candidate=matches[0])
