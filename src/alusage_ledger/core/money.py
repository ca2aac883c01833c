"""Exact money arithmetic: parsing, formatting and splitting amounts without losing a cent.

Why this module exists: every amount the tool reads (CLI options, CSV imports), writes
(JSON/CSV exports, generated ledger entries) or divides (shared rent, redistribution to the
commons) must be exact. Floats are never used; amounts are :class:`~decimal.Decimal` values
built from strings, and divisions are done on exact rationals (:class:`~fractions.Fraction`)
and only turned back into cents by an explicit, documented rule:

* :func:`split_exact` uses the largest-remainder method, so the parts always add up to the
  total exactly and each part is within one cent of its exact share;
* :func:`quantize_cents` rounds half-up, and is used only where a rule explicitly says
  "rounded half-up".

Input errors raise :class:`MoneyError`, whose message is a plain English sentence; the CLI
translates it at its boundary using the ``reason`` code and the offending ``text``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any, TypeVar

__all__ = [
    "CENT",
    "ZERO",
    "MoneyError",
    "format_machine",
    "parse_amount",
    "quantize_cents",
    "split_exact",
]

CENT = Decimal("0.01")
ZERO = Decimal("0")

K = TypeVar("K", bound=Hashable)

# Characters accepted as thousands separators besides ',' and '.': space, no-break space
# (U+00A0) and narrow no-break space (U+202F, what Babel's French locale produces).
_SPACES = frozenset(" \u00a0\u202f")
_DIGITS_RE = re.compile(r"[0-9]+")


class MoneyError(ValueError):
    """An amount (or a split request) is invalid.

    Attributes:
        text: the offending input, as given (``str()`` of it when it was not a string).
        reason: a short stable code the CLI uses to pick a translated message, one of
            ``"not-a-string"``, ``"float"``, ``"empty"``, ``"not-a-number"``,
            ``"too-many-decimals"``, ``"negative"``, ``"zero"``, ``"not-whole-cents"``,
            ``"zero-weights"``, ``"no-weights"``.
    """

    def __init__(self, message: str, *, text: str, reason: str) -> None:
        super().__init__(message)
        self.text = text
        self.reason = reason


# --------------------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------------------


def _valid_groups(groups: list[str]) -> bool:
    """True when digit groups split on a thousands separator are well formed (1-3, then 3s)."""
    if not groups or not all(_DIGITS_RE.fullmatch(g) for g in groups):
        return False
    return 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])


def _split_integer_part(body: str) -> str | None:
    """Return the digits of an integer part, validating its thousands separators.

    Only one kind of thousands separator may be used (any of the three spaces count as one
    kind, or ',' or '.'); groups must be 1-3 digits then exactly 3 digits. Returns None if
    the integer part is malformed.
    """
    if _DIGITS_RE.fullmatch(body):
        return body
    used = {("space" if c in _SPACES else c) for c in body if not c.isdigit()}
    if len(used) != 1:
        return None
    kind = used.pop()
    normalised = "".join(" " if c in _SPACES else c for c in body)
    groups = normalised.split(" " if kind == "space" else kind)
    return "".join(groups) if _valid_groups(groups) else None


def parse_amount(
    text: str,
    *,
    decimals: int = 2,
    allow_negative: bool = True,
    allow_zero: bool = True,
) -> Decimal:
    """Parse a human-written amount into an exact Decimal with exactly ``decimals`` places.

    Accepted: an optional leading ``+`` or ``-``, digits, an optional decimal mark (``,`` or
    ``.``) followed by at most ``decimals`` digits, and thousands separators (space, U+00A0,
    U+202F, or whichever of ``,``/``.`` is not the decimal mark) in groups of three. When
    both ``,`` and ``.`` appear, the last one is the decimal mark. A mark that appears more
    than once is a thousands separator (``"1.234.567"``). Digits are required on both sides
    of the decimal mark. Surrounding whitespace is ignored.

    Examples: ``"1200"`` -> ``1200.00``; ``"1 234,56"`` -> ``1234.56``;
    ``"12,345.67"`` -> ``12345.67``; ``"-0,5"`` -> ``-0.50``.

    Never rounds: ``"1.234"`` with ``decimals=2`` is an error (reason
    ``"too-many-decimals"``), not ``1.23``; note that ``"1,234"`` is therefore read as
    1.234 and rejected, rather than guessed to be 1234. NaN, infinities, exponents
    (``"1e3"``) and floats are rejected. A negative zero is returned as a positive zero.

    Raises:
        MoneyError: with ``reason`` ``"float"``, ``"not-a-string"``, ``"empty"``,
            ``"not-a-number"``, ``"too-many-decimals"``, ``"negative"`` or ``"zero"``.
        ValueError: if ``decimals`` is negative (a programming error, not bad input).
    """
    if decimals < 0:
        raise ValueError(f"decimals must be >= 0, got {decimals}")
    if isinstance(text, float):
        raise MoneyError(
            f"Amount {text!r} is a floating-point number; amounts must be given as text.",
            text=str(text),
            reason="float",
        )
    if not isinstance(text, str):
        raise MoneyError(
            f"Amount {text!r} must be given as text.", text=str(text), reason="not-a-string"
        )
    stripped = text.strip()
    if not stripped:
        raise MoneyError("The amount is empty.", text=text, reason="empty")

    def not_a_number() -> MoneyError:
        return MoneyError(f"{text!r} is not a valid amount.", text=text, reason="not-a-number")

    negative = stripped[0] == "-"
    body = stripped[1:] if stripped[0] in "+-" else stripped
    if not body or not all(c.isdigit() or c in ",." or c in _SPACES for c in body):
        raise not_a_number()
    if not all(c.isascii() or c in _SPACES for c in body):  # e.g. Arabic-Indic digits
        raise not_a_number()

    # Find the decimal mark: the last of ',' / '.', unless that character also appears
    # earlier (then it is a thousands separator and there is no decimal part).
    last_mark = max(body.rfind(","), body.rfind("."))
    int_body, frac = body, ""
    if last_mark >= 0 and body.count(body[last_mark]) == 1:
        int_body, frac = body[:last_mark], body[last_mark + 1 :]
        if not frac or not _DIGITS_RE.fullmatch(frac):
            raise not_a_number()
    int_digits = _split_integer_part(int_body)
    if int_digits is None:
        raise not_a_number()

    if len(frac) > decimals:
        raise MoneyError(
            f"Amount {text!r} has more than {decimals} decimal places.",
            text=text,
            reason="too-many-decimals",
        )
    frac = frac.ljust(decimals, "0")
    # Building from a string is exact whatever the decimal context precision.
    value = Decimal(f"{int_digits}.{frac}" if decimals else int_digits)
    if value.is_zero():
        if not allow_zero:
            raise MoneyError(f"Amount {text!r} must not be zero.", text=text, reason="zero")
        return value  # positive zero, even for "-0"
    if negative:
        if not allow_negative:
            raise MoneyError(f"Amount {text!r} must not be negative.", text=text, reason="negative")
        value = -value
    return value


# --------------------------------------------------------------------------------------
# Rounding and formatting
# --------------------------------------------------------------------------------------


def _cents_to_decimal(cents: int) -> Decimal:
    """Exact Decimal with exponent -2 for an integer number of cents (no context rounding)."""
    return Decimal(f"{cents}E-2")


def _to_fraction(value: object, *, what: str) -> Fraction:
    """Convert an exact number to a Fraction; reject floats, bools, NaN and infinities."""
    if isinstance(value, float):
        raise MoneyError(
            f"The {what} {value!r} is a floating-point number; use Decimal or Fraction.",
            text=str(value),
            reason="float",
        )
    if isinstance(value, bool) or not isinstance(value, int | Decimal | Fraction):
        raise MoneyError(
            f"The {what} {value!r} is not an exact number.",
            text=str(value),
            reason="not-a-number",
        )
    if isinstance(value, Decimal) and not value.is_finite():
        raise MoneyError(
            f"The {what} {value} is not a finite number.", text=str(value), reason="not-a-number"
        )
    return Fraction(value)


def quantize_cents(value: Decimal | Fraction) -> Decimal:
    """Round an exact value to cents, half-up (ties away from zero), exactly.

    Use this only where a rule explicitly says "rounded half-up", e.g. a fixed monthly
    amount multiplied by the fraction of the month a member was active. To divide an amount
    between several parties use :func:`split_exact` instead, which keeps the total exact.

    The computation is done on the exact rational value, so it does not depend on the
    decimal context precision. Returns a Decimal with exactly two decimal places.
    """
    exact = _to_fraction(value, what="value") * 100
    magnitude = abs(exact) + Fraction(1, 2)
    cents = magnitude.numerator // magnitude.denominator
    return _cents_to_decimal(-cents if exact < 0 else cents)


def format_machine(value: Decimal) -> str:
    """Render an amount for machines (JSON, CSV): ``"1234.50"``, ``"-0.05"``.

    Always two decimal places, no thousands separator, ``.`` as decimal mark, a leading
    ``-`` for negative values and never an exponent. Negative zero is written ``"0.00"``.

    Raises:
        MoneyError: if ``value`` is not a finite Decimal or is not a whole number of cents
            (it is never silently rounded).
    """
    if not isinstance(value, Decimal):
        raise MoneyError(
            f"{value!r} is not a Decimal amount.",
            text=str(value),
            reason="float" if isinstance(value, float) else "not-a-number",
        )
    exact = _to_fraction(value, what="amount") * 100
    if exact.denominator != 1:
        raise MoneyError(
            f"Amount {value} is not a whole number of cents.",
            text=str(value),
            reason="not-whole-cents",
        )
    return f"{_cents_to_decimal(exact.numerator):f}"


# --------------------------------------------------------------------------------------
# Splitting
# --------------------------------------------------------------------------------------


def split_exact(
    total: Decimal,
    weights: Mapping[K, Decimal | Fraction | int],
    *,
    tie_break_key: Callable[[K], Any] | None = None,
) -> dict[K, Decimal]:
    """Split ``total`` between the keys of ``weights`` proportionally, to the exact cent.

    Largest-remainder method, computed on exact rationals:

    1. the total is converted to an integer number of cents ``T`` (it must be whole cents);
    2. each key's exact share is ``|T| * w_k / sum(w)`` (a Fraction, never rounded);
    3. each share is floored, and the cents left over (always fewer than the number of keys)
       go one each to the keys with the largest fractional remainder; ties go to the
       smallest key (or smallest ``tie_break_key(key)`` when given);
    4. for a negative total the parts are negated, so a refund splits exactly like the
       corresponding charge.

    Guarantees: every key is present in the result (zero-weight keys get ``0.00``), each
    part has exactly two decimal places, the parts sum exactly to ``total``, each part is
    strictly within 0.01 of its exact share, and the result does not depend on the order
    of the mapping. The result is ordered by key (or ``tie_break_key``).

    Keys must be mutually comparable unless ``tie_break_key`` is given; for full
    determinism ``tie_break_key`` should give distinct values for distinct keys.
    Ratios (e.g. ``{"a": Fraction(1, 3), "b": Fraction(2, 3)}``) are just weights.

    Raises:
        MoneyError: ``total`` not finite or not whole cents (``"not-whole-cents"``), a
            negative weight (``"negative"``), a float weight (``"float"``), all weights
            zero (``"zero-weights"``) or no weights (``"no-weights"``) with a non-zero
            total. With a zero total those last two cases give all zeros / an empty dict.
    """
    exact_total = _to_fraction(total, what="total") * 100
    if exact_total.denominator != 1:
        raise MoneyError(
            f"Total {total} is not a whole number of cents.",
            text=str(total),
            reason="not-whole-cents",
        )
    total_cents = exact_total.numerator

    fractions: dict[K, Fraction] = {}
    for key, weight in weights.items():
        w = _to_fraction(weight, what="weight")
        if w < 0:
            raise MoneyError(
                f"The weight {weight} of {key!r} is negative.", text=str(weight), reason="negative"
            )
        fractions[key] = w

    def order(key: K) -> Any:
        return key if tie_break_key is None else tie_break_key(key)

    keys = sorted(fractions, key=order)
    weight_sum = sum(fractions.values(), Fraction(0))
    if total_cents == 0:
        return {k: _cents_to_decimal(0) for k in keys}
    if not keys:
        raise MoneyError(
            f"Cannot split {total} between nobody.", text=str(total), reason="no-weights"
        )
    if weight_sum == 0:
        raise MoneyError(
            f"Cannot split {total}: all weights are zero.", text=str(total), reason="zero-weights"
        )

    sign = -1 if total_cents < 0 else 1
    magnitude = abs(total_cents)
    floors: dict[K, int] = {}
    remainders: dict[K, Fraction] = {}
    for k in keys:
        share = magnitude * fractions[k] / weight_sum
        floors[k] = share.numerator // share.denominator
        remainders[k] = share - floors[k]
    left = magnitude - sum(floors.values())
    # Stable sort: among equal remainders the `keys` order (by key / tie_break_key) holds.
    for k in sorted(keys, key=lambda k: remainders[k], reverse=True)[:left]:
        floors[k] += 1
    return {k: _cents_to_decimal(sign * floors[k]) for k in keys}
