"""The open items a year close carries forward: one à-nouveaux line per open document.

On a third-party account (a client, a supplier, a person, a member) the balance at the
exercice's last day is what the documents still open there add up to. The à-nouveaux
carry it as one line per open item — an invoice, a bill, an expense claim, a member's
call, net of its partial payments — with its number and date, instead of one line per
account::

    2027-01-01 * "Balances brought forward at 2027-01-01" #ouverture
      journal: "AN"
      Actif:Clients:CoopDesTilleuls   1200.00 EUR
        item-link: "F2026-0042"
        invoice: "F2026-0042"
        piece-date: 2026-12-15

``item-link`` makes the line an item of its own for lettering (the reference the
document's later payments carry): the receipt of January 2027 is lettered with this line,
in the new exercice, so each exercice's FEC balances per letter and the closed one never
changes (``domains.lettering.letters.segment_starts``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from alusage_ledger.books.entries import new_meta
from alusage_ledger.domains.lettering import (
    ITEM_LINK_KEY,
    entry_id,
    link_groups,
    open_items,
    third_party_accounts,
)
from alusage_ledger.domains.year.balances import ZERO, posting

if TYPE_CHECKING:
    from alusage_ledger.books.config import Config
    from alusage_ledger.books.loader import LoadedLedger

#: The document number kept on an à-nouveaux line, by the metadata that names it.
_NUMBER_KEYS = ("invoice", "piece-ref", "credit-note")


def _piece_date(meta: dict[str, Any], day: date) -> date:
    value = meta.get("piece-date")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return day
    return day


def carried_lines(
    config: Config, ledger: LoadedLedger, balance: dict[str, Decimal], end: date
) -> dict[str, list[Any]]:
    """``{account: postings}`` of the à-nouveaux of every third-party account with a
    balance: one posting per open item (group of linked items) on ``end``, and the rest
    of the balance, if any, on a plain line."""
    out: dict[str, list[Any]] = {}
    for account in third_party_accounts(config, ledger):
        total = balance.get(account, ZERO)
        if not total:
            continue
        lines = []
        for group in link_groups(open_items(ledger, account, as_of=end)):
            net = sum((i.amount for i in group), ZERO)
            if not net:
                continue
            same_sign = [i for i in group if (i.amount > 0) == (net > 0)]
            origin = (same_sign or group)[0]
            links = sorted({link for i in group for link in i.links})
            meta = origin.meta
            number = next((str(meta[k]) for k in _NUMBER_KEYS if meta.get(k)), None)
            key = next((k for k in _NUMBER_KEYS if meta.get(k)), "piece-ref")
            line_meta = new_meta()
            line_meta[ITEM_LINK_KEY] = links[0] if links else entry_id(origin.entry)
            if number:
                line_meta[key] = number
            line_meta["piece-date"] = _piece_date(meta, origin.date)
            lines.append(posting(account, net, line_meta))
        rest = total - sum((p.units.number for p in lines), ZERO)
        if rest:
            lines.append(posting(account, rest))
        out[account] = lines
    return out
