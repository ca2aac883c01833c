"""Beancount's parse of one file's bytes, shared within a file and remembered per process.

:func:`parse_source` is the loader's one call of Beancount's parser (issue 13, peak
memory: equal values within a file are one object each); :func:`parse_bytes` reuses a
parse of the same path with the same SHA-256, from this process (:data:`PARSE_CACHE`) or
from the disk cache (``known``, see :mod:`alusage_ledger.books.cache`). Nothing here
vets a file: that is :mod:`alusage_ledger.books.loader`'s job.
"""

from __future__ import annotations

import datetime
import hashlib
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

from beancount.parser import _parser, grammar

#: Parses of this process by (real path, sha256 of the bytes).
PARSE_CACHE: dict[tuple[str, str], tuple[list[Any], list[Any], dict[str, Any]]] = {}


def parse_bytes(
    raw: bytes,
    path: Path,
    digest: str | None = None,
    known: Any = None,
) -> tuple[list[Any], list[Any], dict[str, Any]]:
    """Beancount's parse of a file's bytes; reused when the same path has the same hash.

    ``known`` maps ``(real path, sha256)`` to a parse from the disk cache (cache.py): a
    dict, or anything with ``get`` (read only when the in-process memo misses).
    """
    key = (str(path), digest or hashlib.sha256(raw).hexdigest())
    hit = PARSE_CACHE.get(key)
    if hit is None and known:
        hit = known.get(key)
        if hit is not None:
            PARSE_CACHE[key] = hit
    if hit is not None:
        return hit
    result = parse_source(raw, str(path))
    PARSE_CACHE[key] = result
    return result


def parse_source(raw: bytes, filename: str) -> tuple[list[Any], list[Any], dict[str, Any]]:
    """``beancount.parser.parser.parse_string(raw, report_filename=filename)``, with less
    memory: within the file, equal amounts, currencies, metadata keys and text values,
    payees, narrations, tags and links and transaction dates are one object each
    (Beancount already does so for account names). The entries, errors and options are
    equal to Beancount's (issue 13, peak memory)."""
    builder = _sharing_builder()()
    _parser.Parser(builder).parse(io.BytesIO(raw), filename=filename, lineno=1)
    return builder.finalize()  # type: ignore[no-any-return]


_BUILDER: Any = None


def _sharing_builder() -> Any:
    """Beancount's parse builder, sharing equal immutable values (defined on first use)."""
    global _BUILDER
    if _BUILDER is None:
        day = datetime.date
        base = grammar.Builder
        # The base methods, called directly (no super() lookup: ~80 000 calls at 10k).
        amount, key_value, transaction = base.amount, base.key_value, base.transaction
        finalize_tags_links = base._finalize_tags_links

        class SharingBuilder(base):  # type: ignore[misc, valid-type]
            def __init__(self) -> None:
                base.__init__(self)
                self._shared: dict[Any, Any] = {}

            def amount(self, filename: Any, lineno: Any, number: Any, currency: Any) -> Any:
                shared = self._shared
                if type(currency) is str:
                    currency = shared.setdefault(currency, currency)
                made = amount(self, filename, lineno, number, currency)  # counts precisions
                if type(number) is not Decimal or type(currency) is not str:
                    return made
                # str() tells 1.0 from 1.00 (equal numbers, another precision).
                return shared.setdefault((str(number), currency), made)

            def _finalize_tags_links(self, tags: Any, links: Any) -> Any:
                tags, links = finalize_tags_links(self, tags, links)
                return self._shared.setdefault(tags, tags), self._shared.setdefault(links, links)

            def key_value(self, filename: Any, lineno: Any, key: Any, value: Any) -> Any:
                shared = self._shared
                if type(key) is str:
                    key = shared.setdefault(key, key)
                if type(value) is str:
                    value = shared.setdefault(value, value)
                return key_value(self, filename, lineno, key, value)

            def transaction(
                self,
                filename: Any,
                lineno: Any,
                date: Any,
                flag: Any,
                txn_strings: Any,
                tags_links: Any,
                posting_or_kv_list: Any,
            ) -> Any:
                shared = self._shared
                if type(date) is day:
                    date = shared.setdefault(date, date)
                if type(txn_strings) is list:
                    txn_strings = [
                        shared.setdefault(text, text) if type(text) is str else text
                        for text in txn_strings
                    ]
                return transaction(
                    self, filename, lineno, date, flag, txn_strings, tags_links, posting_or_kv_list
                )

        _BUILDER = SharingBuilder
    return _BUILDER


def ledger_entries_in(path: Path, raw: bytes | None = None) -> list[Any]:
    """The entries of a file as parsed (``raw``: its bytes, when already read)."""
    if raw is None:
        if not path.exists():
            return []
        raw = path.read_bytes()
    entries, _errors, _opts = parse_bytes(raw, path)
    return list(entries)
