"""'Did you mean ...?' hints for unknown names (entities, places, members, accounts).

The closest known name, tried in this order: the same name in another case
(``Alusage`` → ``alusage``); the only name that starts with what was typed
(``nicolas`` → ``nicolas-jeudy``, ``Actif:Banque:Credit`` → ``Actif:Banque:CreditCooperatif``);
the only account whose last component is what was typed (``CoopDesTilleuls`` →
``Actif:Clients:CoopDesTilleuls``); else a close spelling (``alusge`` → ``alusage``),
compared without case.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from alusage_ledger.core.i18n import _


def closest(name: str, known: Iterable[str]) -> str | None:
    """The known name the user most likely meant, or None."""
    names = [k for k in dict.fromkeys(known) if k and k != name]
    if not name or not names:
        return None
    key = name.casefold()
    same = [k for k in names if k.casefold() == key]
    if same:
        return same[0]
    if len(key) >= 3:
        starting = [k for k in names if k.casefold().startswith(key)]
        if len(starting) == 1:
            return starting[0]
        if ":" not in name:
            leaves = [k for k in names if k.casefold().rsplit(":", 1)[-1] == key]
            if len(leaves) == 1:
                return leaves[0]
    folded = {k.casefold(): k for k in names}
    matches = difflib.get_close_matches(key, list(folded), n=1, cutoff=0.6)
    return folded[matches[0]] if matches else None


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """A short clause to append to an error, or an empty string."""
    candidate = closest(name, known)
    if candidate is None:
        return ""
    return _(" (did you mean {candidate!r}?)").format(candidate=candidate)
