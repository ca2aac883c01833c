"""A versioned canonical form and hash of a parsed Beancount entry.

Why this module exists: the tool must recognise an entry (e.g. one it generated earlier,
stamped with a ``gen-hash`` metadata) in any checkout of the ledger, whatever file it lives
in and at whatever line. Beancount's own ``beancount.core.compare.hash_entry`` either
includes ``filename``/``lineno`` (so moving an entry changes its hash) or drops all metadata
(so changing a meaningful metadata value does not). Here the hash covers everything that
carries meaning, including metadata, and nothing that depends on location:

* metadata keys ``filename``, ``lineno`` and any key starting with ``__`` (Beancount's
  internal keys such as ``__tolerances__`` or ``__automatic__``) are excluded, as are the
  keys the caller lists in ``exclude_keys``;
* values are rendered type-tagged, so the string ``"1"`` and the number ``1`` differ;
* numbers are rendered with ``str(Decimal)``, keeping the exponent as written: ``1200.00``
  and ``1200.0`` are different texts in the ledger and hash differently.

The form is versioned by :data:`CANONICAL_VERSION`; any change to the rendering below must
bump it, since stored hashes would otherwise silently stop matching.

Note: the hash is of the entry as given. An entry straight from ``parser.parse_string`` is
incomplete (elided amounts are ``MISSING``, costs are ``CostSpec``); the same entry after
``loader.load_string`` is booked and interpolated, and hashes differently. Callers must hash
entries at a consistent stage.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from beancount.core import data  # type: ignore[import-untyped,unused-ignore]
from beancount.core.amount import Amount  # type: ignore[import-untyped,unused-ignore]
from beancount.core.position import Cost, CostSpec  # type: ignore[import-untyped,unused-ignore]

__all__ = ["CANONICAL_VERSION", "canonical_form", "chain_digest", "entry_hash"]

CANONICAL_VERSION = 1

_LOCATION_KEYS = frozenset({"filename", "lineno"})

# JSON-able canonical value: nested lists / dicts of str and None only.
Canon = Any


def _type_name(value: Any) -> str:
    """Name of a type-like object: a class's ``__name__``, else its ``str()``.

    Beancount uses a class as ``dtype`` for most custom values, but the string
    ``'<AccountDummy>'`` for accounts.
    """
    name = getattr(value, "__name__", None)
    return name if isinstance(name, str) else str(value)


def _number(value: Any) -> str | None:
    """A number as written (``str(Decimal)``), None, or a tagged repr for oddities (MISSING)."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return str(value)
    return f"<{_type_name(value) if isinstance(value, type) else repr(value)}>"


def _amount(value: Any) -> Canon:
    """An Amount as ``[number, currency]``; None stays None."""
    if value is None:
        return None
    if isinstance(value, Amount):
        return [_number(value.number), _text(value.currency)]
    if isinstance(value, type):  # e.g. MISSING units in an incomplete posting
        return f"<{value.__name__}>"
    return _tagged(value)


def _text(value: Any) -> str | None:
    """A string field (may be None, or MISSING in incomplete entries)."""
    if value is None or isinstance(value, str):
        return value
    return f"<{_type_name(value) if isinstance(value, type) else repr(value)}>"


def _tagged(value: Any) -> Canon:
    """A metadata or custom value as ``[type tag, text]`` so that types never collide."""
    if value is None:
        return ["None", None]
    if isinstance(value, bool):  # before int: bool is an int subclass
        return ["bool", "true" if value else "false"]
    if isinstance(value, str):
        return ["str", value]
    if isinstance(value, datetime.datetime):  # before date: datetime is a date subclass
        return ["datetime", value.isoformat()]
    if isinstance(value, datetime.date):
        return ["date", value.isoformat()]
    if isinstance(value, Decimal):
        return ["Decimal", str(value)]
    if isinstance(value, int):
        return ["int", str(value)]
    if isinstance(value, Amount):
        return ["Amount", f"{_number(value.number)} {_text(value.currency)}"]
    if isinstance(value, frozenset | set):
        return [type(value).__name__, sorted(json.dumps(_tagged(v)) for v in value)]
    if isinstance(value, list | tuple) and not hasattr(value, "_fields"):
        return [type(value).__name__, [_tagged(v) for v in value]]
    return [_type_name(type(value)), repr(value)]


def _meta(meta: Mapping[str, Any] | None, exclude_keys: frozenset[str]) -> dict[str, Canon]:
    """Metadata without location keys, internal ``__`` keys and caller-excluded keys."""
    if not meta:
        return {}
    return {
        str(key): _tagged(value)
        for key, value in meta.items()
        if key not in _LOCATION_KEYS and key not in exclude_keys and not str(key).startswith("__")
    }


def _cost(cost: Any) -> Canon:
    """A posting's cost: None, a booked ``Cost`` or a parser ``CostSpec``, field by field."""
    if cost is None:
        return None
    if isinstance(cost, Cost):
        return {
            "kind": "Cost",
            "number": _number(cost.number),
            "currency": _text(cost.currency),
            "date": cost.date.isoformat() if cost.date else None,
            "label": _text(cost.label),
        }
    if isinstance(cost, CostSpec):
        return {
            "kind": "CostSpec",
            "number_per": _number(cost.number_per),
            "number_total": _number(cost.number_total),
            "currency": _text(cost.currency),
            "date": cost.date.isoformat() if cost.date else None,
            "label": _text(cost.label),
            "merge": _tagged(cost.merge),
        }
    return _tagged(cost)


def _posting(posting: Any, exclude_keys: frozenset[str]) -> Canon:
    return {
        "account": posting.account,
        "units": _amount(posting.units),
        "cost": _cost(posting.cost),
        "price": _amount(posting.price),
        "flag": posting.flag,
        "meta": _meta(posting.meta, exclude_keys),
    }


def _sorted_strings(values: Iterable[str] | None) -> list[str]:
    return sorted(values or ())


def _fields(entry: Any, exclude_keys: frozenset[str]) -> dict[str, Canon]:
    """The type-specific fields of a directive."""
    if isinstance(entry, data.Transaction):
        return {
            "flag": entry.flag,
            "payee": entry.payee,
            "narration": entry.narration,
            "tags": _sorted_strings(entry.tags),
            "links": _sorted_strings(entry.links),
            "postings": [_posting(p, exclude_keys) for p in entry.postings],
        }
    if isinstance(entry, data.Balance):
        # diff_amount is computed by the balance check, not written: excluded.
        return {
            "account": entry.account,
            "amount": _amount(entry.amount),
            "tolerance": _number(entry.tolerance),
        }
    if isinstance(entry, data.Open):
        booking = entry.booking
        return {
            "account": entry.account,
            "currencies": _sorted_strings(entry.currencies),
            "booking": None if booking is None else str(getattr(booking, "name", booking)),
        }
    if isinstance(entry, data.Close):
        return {"account": entry.account}
    if isinstance(entry, data.Custom):
        return {
            "type": entry.type,
            "values": [[_type_name(v.dtype), _tagged(v.value)] for v in (entry.values or ())],
        }
    if isinstance(entry, data.Note):
        return {
            "account": entry.account,
            "comment": entry.comment,
            "tags": _sorted_strings(entry.tags),
            "links": _sorted_strings(entry.links),
        }
    if isinstance(entry, data.Event):
        return {"type": entry.type, "description": entry.description}
    if isinstance(entry, data.Document):
        # The document's own path is a real field (unlike meta["filename"]).
        return {
            "account": entry.account,
            "filename": entry.filename,
            "tags": _sorted_strings(entry.tags),
            "links": _sorted_strings(entry.links),
        }
    if isinstance(entry, data.Price):
        return {"currency": entry.currency, "amount": _amount(entry.amount)}
    if isinstance(entry, data.Commodity):
        return {"currency": entry.currency}
    if isinstance(entry, data.Pad):
        return {"account": entry.account, "source_account": entry.source_account}
    if isinstance(entry, data.Query):
        return {"name": entry.name, "query_string": entry.query_string}
    fields = getattr(entry, "_fields", None)
    if fields is None or "date" not in fields or "meta" not in fields:
        raise TypeError(f"not a Beancount directive: {type(entry).__name__}")
    # Unknown directive type (e.g. from a plugin): all its fields, type-tagged.
    return {name: _tagged(getattr(entry, name)) for name in fields if name not in {"meta", "date"}}


def canonical_form(entry: Any, *, exclude_keys: frozenset[str] = frozenset()) -> str:
    """Deterministic text of a Beancount directive, independent of its file and line.

    A compact JSON object (sorted keys, ``ensure_ascii=False``) holding the canonical
    version, the directive type name, the ISO date, the type-specific fields and the
    metadata (without ``filename``, ``lineno``, ``__*`` keys and ``exclude_keys``).

    Raises:
        TypeError: if ``entry`` is not a Beancount directive.
    """
    if type(entry) is data.Transaction:
        text = _transaction_form(entry, exclude_keys)
        if text is not None:
            return text
    return _generic_form(entry, exclude_keys)


def _generic_form(entry: Any, exclude_keys: frozenset[str]) -> str:
    """:func:`canonical_form` by its definition: the document, then JSON."""
    document = {
        "version": CANONICAL_VERSION,
        "type": type(entry).__name__,
        "date": entry.date.isoformat(),
        "fields": _fields(entry, exclude_keys),
        "meta": _meta(entry.meta, exclude_keys),
    }
    return _ENCODE(document)


#: ``json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))``
#: with one encoder for every call (json.dumps makes a new one each time).
_ENCODE = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode
#: How that encoder writes a string (quotes and escapes, ``ensure_ascii=False``).
_QUOTE: Any = json.encoder.encode_basestring  # type: ignore[attr-defined]


class _Unusual(Exception):
    """A value :func:`_transaction_form` leaves to the general path."""


def _quote_or_null(value: Any) -> str:
    if value is None:
        return "null"
    if type(value) is not str:
        raise _Unusual
    return str(_QUOTE(value))


def _strings(values: Any) -> str:
    items = sorted(values or ())
    for item in items:
        if type(item) is not str:
            raise _Unusual
    return "[" + ",".join(_QUOTE(item) for item in items) + "]"


def _meta_text(meta: Mapping[str, Any] | None, exclude_keys: frozenset[str]) -> str:
    """The JSON text of :func:`_meta` for the common value types (else :class:`_Unusual`)."""
    if not meta:
        return "{}"
    parts = []
    for key in sorted(meta):
        if type(key) is not str:
            raise _Unusual
        if key in _LOCATION_KEYS or key in exclude_keys or key.startswith("__"):
            continue
        value = meta[key]
        kind = type(value)
        if kind is str:
            tagged = '["str",' + _QUOTE(value) + "]"
        elif kind is Decimal:
            tagged = '["Decimal",' + _QUOTE(str(value)) + "]"
        elif kind is datetime.date:
            tagged = '["date","' + value.isoformat() + '"]'
        elif kind is bool:
            tagged = '["bool","true"]' if value else '["bool","false"]'
        elif value is None:
            tagged = '["None",null]'
        else:
            raise _Unusual
        parts.append(_QUOTE(key) + ":" + tagged)
    return "{" + ",".join(parts) + "}"


def _transaction_form(entry: Any, exclude_keys: frozenset[str]) -> str | None:
    """:func:`canonical_form` of a transaction whose postings have plain units (no cost, no
    price) and whose metadata values are strings, decimals, dates, booleans or None, written
    straight as the same JSON text (keys in sorted order); None for anything else."""
    try:
        postings = []
        for posting in entry.postings:
            units = posting.units
            if (
                posting.cost is not None
                or posting.price is not None
                or type(units) is not Amount
                or type(units.number) is not Decimal
            ):
                return None
            postings.append(
                '{"account":'
                + _quote_or_null(posting.account)
                + ',"cost":null,"flag":'
                + _quote_or_null(posting.flag)
                + ',"meta":'
                + _meta_text(posting.meta, exclude_keys)
                + ',"price":null,"units":['
                + _QUOTE(str(units.number))
                + ","
                + _quote_or_null(units.currency)
                + "]}"
            )
        text: str = (
            '{"date":"'
            + entry.date.isoformat()
            + '","fields":{"flag":'
            + _quote_or_null(entry.flag)
            + ',"links":'
            + _strings(entry.links)
            + ',"narration":'
            + _quote_or_null(entry.narration)
            + ',"payee":'
            + _quote_or_null(entry.payee)
            + ',"postings":['
            + ",".join(postings)
            + '],"tags":'
            + _strings(entry.tags)
            + '},"meta":'
            + _meta_text(entry.meta, exclude_keys)
            + ',"type":"Transaction","version":'
            + str(CANONICAL_VERSION)
            + "}"
        )
    except (_Unusual, TypeError):
        return None
    return text


def entry_hash(entry: Any, *, exclude_keys: frozenset[str] = frozenset()) -> str:
    """SHA-256 hex digest of :func:`canonical_form` encoded as UTF-8."""
    text = canonical_form(entry, exclude_keys=exclude_keys)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def chain_digest(previous: str | None, entries: Iterable[Any]) -> str:
    """Digest of a set of entries chained to a previous digest.

    Computed as the SHA-256 hex digest of the UTF-8 text made of ``previous`` (or ``""``
    when None) followed by the :func:`entry_hash` of every entry, the hashes sorted so that
    the order of entries in the files does not matter, all joined by ``"\\n"``::

        sha256("\\n".join([previous or "", *sorted(entry_hash(e) for e in entries)]))

    Duplicated entries count as many times as they appear. ``None`` and ``""`` as
    ``previous`` give the same digest (both mean "start of the chain").

    Raises:
        ValueError: if ``previous`` contains a newline (the text would be ambiguous).
    """
    if previous is not None and "\n" in previous:
        raise ValueError("previous digest must not contain a newline")
    hashes = sorted(entry_hash(entry) for entry in entries)
    text = "\n".join([previous or "", *hashes])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
