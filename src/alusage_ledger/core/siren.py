"""SIREN numbers: nine digits whose last one is a Luhn check digit (INSEE).

``917426355`` is well formed; ``123456789`` is not (its key should be 2). La Poste's
historical SIREN ``356000000`` is the one exception INSEE allows, and is accepted.
"""

from __future__ import annotations

import re

_NINE_DIGITS = re.compile(r"\d{9}")
_LA_POSTE = "356000000"


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum of ``digits`` (every second digit from the right doubled)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def siren_problem(value: str) -> str | None:
    """Why ``value`` is not a SIREN (untranslated key: "digits" or "key"), else None."""
    if not _NINE_DIGITS.fullmatch(value):
        return "digits"
    if value != _LA_POSTE and not luhn_valid(value):
        return "key"
    return None
