"""What the writer checks before writing an entry (RELIABILITY W1, W2).

W2: Beancount's printer does not escape everything; :func:`validate_entry` refuses what
it cannot be trusted with (text: :func:`alusage_ledger.books.text.check_text`; words,
metadata, amounts, accounts, directive kinds). W1: :func:`roundtrip_check` parses the
text :func:`format_entries` made and requires exactly the intended entries back.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from beancount.core import account as account_lib
from beancount.core import data
from beancount.parser import parser, printer

from alusage_ledger.books.canonical import canonical_form
from alusage_ledger.books.text import check_text
from alusage_ledger.core.errors import UsageError
from alusage_ledger.core.i18n import _

_TAG_LINK = re.compile(r"^[A-Za-z0-9\-_/.]+$")
_META_KEY = re.compile(r"^[a-z][a-z0-9-]+$")
_SAFE_WORD = re.compile(r"^[A-Za-z0-9\-_/.:]*$")


def _check_word(value: str, what: str, pattern: re.Pattern[str] = _TAG_LINK) -> None:
    if not pattern.fullmatch(value):
        raise UsageError(
            _(
                "The {what} {value!r} can only contain letters, digits and - _ / . characters."
            ).format(what=what, value=value)
        )


def _check_meta(meta: dict[str, Any] | None) -> None:
    if not meta:
        return
    for key, value in meta.items():
        if key in ("filename", "lineno") or key.startswith("__"):
            continue
        if not _META_KEY.fullmatch(key):
            raise UsageError(
                _("The metadata key {key!r} must be lowercase letters, digits and dashes.").format(
                    key=key
                )
            )
        if isinstance(value, str):
            check_text(value, _("metadata {key!r}").format(key=key))
        elif isinstance(value, bool | date):
            pass
        elif isinstance(value, Decimal):
            # The printer writes str(Decimal): "1E-7" would read back as an amount.
            if not value.is_finite() or "E" in str(value).upper():
                raise UsageError(
                    _("The metadata value of {key!r} is not a plain number.").format(key=key)
                )
        else:
            raise UsageError(
                _("The metadata value of {key!r} has an unsupported type.").format(key=key)
            )


def _check_amount(number: Any, currency: str, what: str) -> None:
    if not isinstance(number, Decimal) or not number.is_finite():
        raise UsageError(_("The {what} has no explicit amount.").format(what=what))
    if currency == "EUR" and number.as_tuple().exponent != -2:
        raise UsageError(
            _("The {what} must have exactly 2 decimals ({value}).").format(what=what, value=number)
        )


def validate_entry(entry: Any, open_accounts: set[str], roots: Sequence[str]) -> None:
    """W2: what ``printer.format_entry`` does not escape is checked here."""

    def check_account(name: str) -> None:
        if not account_lib.is_valid(name) or name.split(":")[0] not in roots:
            raise UsageError(
                _("The account {name!r} is not a valid account name.").format(name=name)
            )
        if name not in open_accounts:
            raise UsageError(
                _("The account {name!r} is not open in this ledger.").format(name=name)
            )

    _check_meta(entry.meta)
    if isinstance(entry, data.Transaction):
        if entry.flag not in ("*", "!"):
            raise UsageError(_("Only the flags '*' and '!' are written."))
        if entry.payee is not None:
            check_text(entry.payee, _("payee"))
        check_text(entry.narration or "", _("narration"))
        for tag in entry.tags or ():
            _check_word(tag, _("tag"))
        for link in entry.links or ():
            _check_word(link, _("link"))
        if len(entry.postings) < 2:
            raise UsageError(_("A transaction needs at least two postings."))
        total = Decimal(0)
        for posting in entry.postings:
            check_account(posting.account)
            if posting.units is None:
                raise UsageError(_("Every posting written by the tool has an explicit amount."))
            _check_amount(posting.units.number, posting.units.currency, _("posting amount"))
            _check_word(posting.units.currency, _("currency"))
            if posting.flag not in (None, "*", "!"):
                raise UsageError(_("Only the flags '*' and '!' are written."))
            _check_meta(posting.meta)
            if posting.cost is None and posting.price is None:
                total += posting.units.number
        if total != 0 and all(p.cost is None and p.price is None for p in entry.postings):
            raise UsageError(
                _("The transaction does not balance (off by {diff}).").format(diff=total)
            )
    elif isinstance(entry, data.Open):
        if not account_lib.is_valid(entry.account) or entry.account.split(":")[0] not in roots:
            raise UsageError(
                _("The account {name!r} is not a valid account name.").format(name=entry.account)
            )
        for currency in entry.currencies or ():
            _check_word(currency, _("currency"))
    elif isinstance(entry, data.Balance):
        check_account(entry.account)
        _check_amount(entry.amount.number, entry.amount.currency, _("balance amount"))
    elif isinstance(entry, data.Custom):
        _check_word(entry.type, _("custom type"), _SAFE_WORD)
        for value in entry.values:
            raw = value.value
            if isinstance(raw, str):
                if value.dtype is str:
                    _check_word(raw, _("custom value"), _SAFE_WORD)
                else:  # an account
                    check_account(raw)
            elif not isinstance(raw, Decimal | date | bool) and type(raw).__name__ != "Amount":
                raise UsageError(
                    _("A custom directive may only carry ids, dates, numbers and amounts.")
                )
    elif isinstance(entry, data.Close):
        check_account(entry.account)
    else:
        raise UsageError(
            _("The tool does not write {kind} directives.").format(kind=type(entry).__name__)
        )


def format_entries(entries: Sequence[Any]) -> str:
    """The entries as ledger text, one after the other (Beancount's printer)."""
    # No dcontext: the ledger's display context would silently round (RELIABILITY).
    return "\n".join(printer.format_entry(entry) for entry in entries)


def roundtrip_check(text: str, header: str, entries: Sequence[Any]) -> None:
    """W1: the text must parse back to exactly the intended entries."""
    parsed, errors, _opts = parser.parse_string(header + text)
    intended = Counter(canonical_form(e) for e in entries)
    got = Counter(canonical_form(e) for e in parsed)
    if errors or got != intended:
        raise UsageError(
            _(
                "This text cannot be written safely: it would not read back as the same "
                "entries; remove quotes, backslashes or special characters and try again."
            )
        )
