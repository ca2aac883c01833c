"""Building the directives the tool writes: postings, transactions, their metadata.

Every entry the tool writes is built here, so that all of them share one shape: explicit
amounts in EUR, metadata in a fresh ``data.new_metadata`` dict, links made of safe
characters, and text written *into* a ledger in the workspace's language (not the user's)::

    2026-11-30 * "Coop des Tilleuls" "Facture F2026-0042" ^F2026-0042
      invoice: "F2026-0042"
      Actif:Clients:CoopDesTilleuls   1200.00 EUR
      Produits:Prestations           -1000.00 EUR
      Passif:Etat:TVACollectee        -200.00 EUR
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from beancount.core import data
from beancount.core.amount import Amount

from alusage_ledger.books.canonical import entry_hash
from alusage_ledger.core.i18n import translate

if TYPE_CHECKING:
    from alusage_ledger.books.config import Config

CURRENCY = "EUR"
_LINK_UNSAFE = re.compile(r"[^A-Za-z0-9-]+")


def posting(account: str, number: Decimal, meta: dict[str, Any] | None = None) -> Any:
    """A posting with an explicit amount in EUR (never an elided one)."""
    return data.Posting(account, Amount(number, CURRENCY), None, None, None, meta or None)


def transaction(
    day: date,
    payee: str | None,
    narration: str,
    links: Iterable[str],
    meta: dict[str, Any],
    postings: Sequence[Any],
) -> Any:
    """A ``*`` transaction; ``meta`` values that are None are left out."""
    full = data.new_metadata("<alusage>", 0)
    full.update({k: v for k, v in meta.items() if v is not None})
    return data.Transaction(
        full, day, "*", payee, narration, frozenset(), frozenset(links), list(postings)
    )


def new_meta(**values: Any) -> dict[str, Any]:
    """Fresh entry metadata; ``piece_ref=...`` becomes ``piece-ref``, None values are left out."""
    meta: dict[str, Any] = data.new_metadata("<alusage>", 0)
    meta.update({k.replace("_", "-"): v for k, v in values.items() if v is not None})
    return meta


def stamp(entry: Any, gid: str) -> Any:
    """Add ``gen-id`` then ``gen-hash`` (the canonical hash without ``gen-hash``)."""
    entry.meta["gen-id"] = gid
    entry.meta["gen-hash"] = entry_hash(entry, exclude_keys=frozenset({"gen-hash"}))
    return entry


def link_part(text: str) -> str:
    """A document number as a link component: ``[A-Za-z0-9-]`` only."""
    return _LINK_UNSAFE.sub("-", text).strip("-")


def is_under(account: str, parent: str) -> bool:
    """``account`` is ``parent`` or one of its sub-accounts."""
    return account == parent or account.startswith(parent + ":")


def ledger_language(config: Config) -> str:
    """Text written *into* a ledger follows the workspace's locale, not the user's language."""
    return config.workspace.locale.split("_")[0].lower()


def ledger_text(config: Config, message: str) -> str:
    """A message translated into the ledger's language (narrations the tool writes)."""
    return translate(message, ledger_language(config))
