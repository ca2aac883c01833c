"""Beancount's own error messages, in the user's language.

Beancount writes its messages in English (``Balance failed for 'Actif:Banque': expected
0.00 EUR != accumulated -10.00 EUR (10.00 too much)``). They reach the user through
:meth:`alusage_ledger.core.errors.LedgerProblem.render`, which passes them here: each
known pattern of Beancount 3 (``beancount/ops``, ``beancount/parser``) is matched and
rewritten from a message of our catalogue, its amounts in the user's format
(``-10,00 €``). A message no pattern knows is left as Beancount wrote it. In English the
message stays Beancount's own (as ``bean-check`` prints it); in another language, with
``--debug``, the original follows in brackets, for searching Beancount's issues.

The patterns are data, tested one by one against the message Beancount really produces
(tests/test_beancount_messages.py), so that a Beancount upgrade that rewords one is noticed.
"""

from __future__ import annotations

import re
from functools import cache

from alusage_ledger.core import fmt
from alusage_ledger.core.i18n import N_, _, get_language

_DEBUG = False


def set_debug(on: bool) -> None:
    """With ``--debug``, a translated message keeps Beancount's original in brackets."""
    global _DEBUG
    _DEBUG = on


_AMOUNT = r"-?[0-9][0-9.,]*(?: [A-Z][A-Z0-9'._-]*)?"

#: (Beancount's message as a regular expression with named groups, our message).
PATTERNS: tuple[tuple[str, str], ...] = (
    (
        rf"Balance failed for '(?P<account>[^']+)': expected (?P<expected>{_AMOUNT}) != "
        rf"accumulated (?P<accumulated>{_AMOUNT}) \((?P<diff>[-0-9.,]+) too much\)",
        N_(
            "Balance assertion failed for {account}: {expected} expected, the entries give "
            "{accumulated} ({diff} too much)."
        ),
    ),
    (
        rf"Balance failed for '(?P<account>[^']+)': expected (?P<expected>{_AMOUNT}) != "
        rf"accumulated (?P<accumulated>{_AMOUNT}) \((?P<diff>[-0-9.,]+) too little\)",
        N_(
            "Balance assertion failed for {account}: {expected} expected, the entries give "
            "{accumulated} ({diff} missing)."
        ),
    ),
    (
        r"Invalid reference to unknown account '(?P<account>[^']+)'",
        N_("The account {account} is not opened (no open directive)."),
    ),
    (
        r"Invalid reference to inactive account '(?P<account>[^']+)'",
        N_("The account {account} is used outside the dates it is open."),
    ),
    (
        r"Transaction does not balance: \((?P<residual>[^)]*)\)",
        N_("The transaction does not balance: {residual} left over."),
    ),
    (
        r"Transaction does not balance: (?P<residual>.+)",
        N_("The transaction does not balance: {residual} left over."),
    ),
    (r"Invalid token: '(?P<token>.*)'", N_("Unexpected text: {token!r}.")),
    (
        r"syntax error, unexpected (?P<found>[A-Za-z_ ]+?)(?:, expecting (?P<expected>.+))?",
        N_("Syntax error: unexpected {found}."),
    ),
    (r"Unused Pad entry", N_("This pad directive is never used by a balance assertion.")),
    (
        r"Duplicate open directive for (?P<account>\S+)",
        N_("The account {account} is opened twice."),
    ),
    (
        r"Duplicate close directive for (?P<account>\S+)",
        N_("The account {account} is closed twice."),
    ),
    (
        r"Unopened account (?P<account>\S+) is being closed",
        N_("The account {account} is closed but was never opened."),
    ),
    (
        r"Invalid currency (?P<currency>\S+) for account '(?P<account>[^']+)'",
        N_("The currency {currency} is not allowed on the account {account}."),
    ),
    (
        r"You may not have more than one auto-posting per currency",
        N_("Only one posting per currency may leave its amount out."),
    ),
    (
        r"Too many missing numbers for currency group '(?P<currency>[^']*)'",
        N_("Too many amounts left out in {currency}: the transaction cannot be completed."),
    ),
    (
        r"Transaction has incomplete elements",
        N_("The transaction is incomplete (an amount or a currency is missing)."),
    ),
    (r"Invalid option: '(?P<option>[^']+)'", N_("Unknown option {option!r}.")),
    (
        r"Option '(?P<option>[^']+)' may not be set",
        N_("The option {option!r} may not be set in a ledger."),
    ),
    (r"Invalid account name: (?P<account>\S+)", N_("Invalid account name: {account}.")),
    (
        r"Duplicate commodity directives for '(?P<currency>[^']+)'",
        N_("The commodity {currency} is declared twice."),
    ),
    (
        r"Duplicate balance assertion with different amounts",
        N_("Two balance assertions of the same account and day disagree."),
    ),
    (
        r"Duplicate metadata field on entry: (?P<key>.+)",
        N_("The metadata {key} is given twice on this entry."),
    ),
    (
        r"Position held at cost goes negative: (?P<position>.+)",
        N_("A position held at cost goes negative: {position}."),
    ),
)

_AMOUNT_VALUE = r"^(?P<number>-?[0-9]+(?:\.[0-9]+)?)(?: (?P<currency>[A-Z][A-Z0-9'._-]*))?$"


@cache
def _compiled() -> tuple[tuple[re.Pattern[str], str], ...]:
    # Compiled on the first message, not at import: every command imports this module.
    return tuple((re.compile(pattern + r"\s*$"), message) for pattern, message in PATTERNS)


def _human(value: str | None) -> str:
    """``-10.00 EUR`` → ``-10,00 €`` in French; anything else unchanged."""
    if value is None:
        return ""
    match = re.match(_AMOUNT_VALUE, value.strip())
    if not match:
        return value
    # lazy: decimal loads only when a Beancount message is shown
    from decimal import Decimal

    number = Decimal(match["number"])
    if match["currency"]:
        return fmt.money(number, match["currency"])
    return fmt.number(number) if "." in match["number"] else match["number"]


def translate_beancount(message: str) -> str:
    """``message`` in the user's language when it is one of Beancount's known messages."""
    text = message.strip()
    for pattern, template in _compiled():
        match = pattern.match(text)
        if match is None:
            continue
        if get_language() == "en":
            # Beancount's own words, as bean-check prints them, for English readers.
            return message
        values = {name: _human(value) for name, value in match.groupdict().items()}
        translated = _(template).format(**values)
        return f"{translated} [{text}]" if _DEBUG else translated
    return message
