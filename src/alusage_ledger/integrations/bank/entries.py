"""The ledger entries of bank lines: a line booked by a rule or left for review.

Also the small readings of entries that the import shares: whether an entry posts to the
bank account (:func:`posts_to`) and by how much (:func:`units_on`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from beancount.core import data
from beancount.core.amount import Amount

from alusage_ledger.core.money import ZERO
from alusage_ledger.integrations.bank.rules import Rule
from alusage_ledger.integrations.bank.statement import BankLine

CURRENCY = "EUR"


def posts_to(entry: Any, account: str) -> bool:
    """Whether ``entry`` has a posting on ``account``."""
    return any(p.account == account for p in getattr(entry, "postings", ()) or ())


def units_on(entry: Any, account: str) -> Decimal:
    """What ``entry`` moves on ``account`` (its postings there, summed)."""
    return sum(
        (p.units.number for p in entry.postings if p.account == account and p.units is not None),
        ZERO,
    )


#: How French banks start the label of an operation, and the payment method it names
#: (``payment-method`` of a receipt; a label that names none gives none: never guessed).
_METHOD_PREFIXES = (
    (re.compile(r"^(VIR|VIREMENT|VRT)\b"), "virement"),
    (re.compile(r"^(REM(ISE)?\s+(DE\s+)?(CHQ|CHEQUES?)|CHQ|CHEQUE)\b"), "cheque"),
    (
        re.compile(r"^(VERS(EMEN)?T\s+(D'\s*)?ESP(ECES)?|VRST\s+ESP|DEPOT\s+ESP(ECES)?)\b"),
        "especes",
    ),
    (re.compile(r"^(CB|CARTE|PAIEMENT\s+CB|REMISE\s+CB|REM\s+CB)\b"), "carte"),
    (re.compile(r"^(PRLV|PRELEVEMENT)\b"), "prelevement"),
)


def payment_method(label: str) -> str | None:
    """``virement`` for ``VIR SEPA COOP DES TILLEULS``, ``cheque`` for ``REMISE CHQ 123``...;
    None when the label does not say."""
    text = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode().upper()
    text = text.strip()
    for pattern, method in _METHOD_PREFIXES:
        if pattern.match(text):
            return method
    return None


def with_ref(entry: Any, ref: str, line: BankLine) -> Any:
    """``entry`` (planned by a domain) with the line's ``bank-ref`` and value date."""
    meta = dict(entry.meta or {})
    meta["bank-ref"] = ref
    if line.value_date is not None and line.value_date != line.date:
        meta["value-date"] = line.value_date
    return entry._replace(meta=meta)


def _transaction(
    day: date,
    flag: str,
    payee: str | None,
    narration: str,
    tags: Iterable[str],
    meta: dict[str, Any],
    postings: Sequence[Any],
) -> Any:
    full = data.new_metadata("<alusage>", 0)
    full.update(meta)
    return data.Transaction(
        full, day, flag, payee, narration, frozenset(tags), frozenset(), list(postings)
    )


def _posting(account: str, number: Decimal) -> Any:
    return data.Posting(account, Amount(number, CURRENCY), None, None, None, None)


def line_entry(line: BankLine, ref: str, account: str, rule: Rule | None, suspense: str) -> Any:
    """The entry of a line no document matched: by ``rule`` when one fits (``*``), else
    to the suspense account, flagged ``!`` for review."""
    meta: dict[str, Any] = {"bank-ref": ref}
    if line.value_date is not None and line.value_date != line.date:
        meta["value-date"] = line.value_date
    if rule is None:
        return _transaction(
            line.date,
            "!",
            line.payee,
            line.label,
            (),
            meta,
            [_posting(account, line.amount), _posting(suspense, -line.amount)],
        )
    if rule.narration and line.label:
        meta["bank-label"] = line.label
    method = payment_method(line.label) if line.amount > 0 else None
    if method is not None:
        meta["payment-method"] = method
    return _transaction(
        line.date,
        "*",
        rule.payee or line.payee,
        rule.narration or line.label,
        rule.tags,
        meta,
        [_posting(account, line.amount), _posting(rule.account, -line.amount)],
    )
