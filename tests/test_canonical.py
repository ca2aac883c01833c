"""Tests for alusage_ledger.books.canonical: location-independent entry hashes and chain digests."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from beancount import loader  # type: ignore[import-untyped,unused-ignore]
from beancount.core import data  # type: ignore[import-untyped,unused-ignore]
from beancount.parser import parser  # type: ignore[import-untyped,unused-ignore]

from alusage_ledger.books.canonical import (
    CANONICAL_VERSION,
    canonical_form,
    chain_digest,
    entry_hash,
)

LEDGER = """\
option "operating_currency" "EUR"

2024-01-01 open Assets:Bank:Coop EUR "STRICT"
  iban: "FR76 0000"
2024-01-01 open Income:Services EUR
2024-01-01 open Expenses:Rent
2024-01-01 commodity EUR

2024-02-01 * "Mairie de Lyon" "Atelier numérique — février" #atelier ^facture-2024-012
  invoice: "F-2024-012"
  gen-hash: "abc"
  Assets:Bank:Coop   1200.00 EUR
    memo: "virement"
  Income:Services   -1200.00 EUR

2024-02-02 balance Assets:Bank:Coop  1200.00 EUR
2024-02-03 note Assets:Bank:Coop "Relevé reçu"
2024-02-04 event "location" "Lyon"
2024-02-05 price EUR 1.08 USD
2024-02-06 pad Assets:Bank:Coop Expenses:Rent
2024-02-07 custom "alusage-rent" "tiers-lieu" 850.00 EUR 2024-03-01 TRUE Assets:Bank:Coop 3
2024-02-08 query "cash" "SELECT account, sum(position)"
2024-12-31 close Expenses:Rent
"""


def _parse(text: str, filename: str = "<string>") -> list[Any]:
    entries, errors, _ = parser.parse_string(text, report_filename=filename)
    assert not errors, errors
    return list(entries)


def _hashes(entries: list[Any], **kwargs: Any) -> list[str]:
    return [entry_hash(e, **kwargs) for e in entries]


def _txn(entries: list[Any]) -> Any:
    return next(e for e in entries if isinstance(e, data.Transaction))


def test_form_is_compact_sorted_json() -> None:
    entries = _parse(LEDGER)
    form = canonical_form(_txn(entries))
    document = json.loads(form)
    assert document["version"] == CANONICAL_VERSION == 1
    assert document["type"] == "Transaction"
    assert document["date"] == "2024-02-01"
    assert "numérique —" in form  # ensure_ascii=False
    assert form == json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    fields = document["fields"]
    assert fields["tags"] == ["atelier"]
    assert fields["links"] == ["facture-2024-012"]
    assert fields["postings"][0]["units"] == ["1200.00", "EUR"]
    assert fields["postings"][0]["meta"] == {"memo": ["str", "virement"]}
    assert document["meta"] == {"gen-hash": ["str", "abc"], "invoice": ["str", "F-2024-012"]}


def test_same_text_other_file_and_lines_same_hash() -> None:
    first = _parse(LEDGER, filename="/checkout-a/ledgers/2024.beancount")
    second = _parse("\n\n\n; moved down\n\n" + LEDGER, filename="other/place.bean")
    assert [e.meta["lineno"] for e in first] != [e.meta["lineno"] for e in second]
    assert _hashes(first) == _hashes(second)
    assert len(set(_hashes(first))) == len(first)  # every directive hashes distinctly


def test_every_directive_type_is_supported() -> None:
    entries = _parse(LEDGER)
    types = {type(e).__name__ for e in entries}
    assert types >= {
        "Open",
        "Commodity",
        "Transaction",
        "Balance",
        "Note",
        "Event",
        "Price",
        "Pad",
        "Custom",
        "Query",
        "Close",
    }
    for entry in entries:
        assert len(entry_hash(entry)) == 64


def test_internal_and_location_meta_ignored() -> None:
    txn = _txn(_parse(LEDGER))
    meta = dict(txn.meta, __tolerances__={"EUR": Decimal("0.005")}, lineno=999)
    assert entry_hash(txn._replace(meta=meta)) == entry_hash(txn)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('"Atelier numérique — février"', '"Atelier numérique — mars"'),
        ('"Mairie de Lyon"', '"Mairie de Paris"'),
        ("Coop   1200.00 EUR", "Coop   1200.01 EUR"),
        ("Services   -1200.00 EUR", "Services   -1200.0 EUR"),  # exponent as written
        ('invoice: "F-2024-012"', 'invoice: "F-2024-013"'),
        ('invoice: "F-2024-012"', "invoice: 2024012"),
        ('memo: "virement"', 'memo: "chèque"'),
        ("#atelier", "#formation"),
        ("^facture-2024-012", "^facture-2024-013"),
        ("2024-02-01 *", "2024-02-01 !"),
        ("2024-02-01 *", "2024-02-11 *"),
    ],
)
def test_transaction_changes_change_hash(old: str, new: str) -> None:
    assert LEDGER.count(old) == 1
    before = _txn(_parse(LEDGER))
    after = _txn(_parse(LEDGER.replace(old, new)))
    assert entry_hash(before) != entry_hash(after)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("balance Assets:Bank:Coop  1200.00 EUR", "balance Assets:Bank:Coop  1200.01 EUR"),
        ('"Relevé reçu"', '"Relevé perdu"'),
        ('"location" "Lyon"', '"location" "Paris"'),
        ("EUR 1.08 USD", "EUR 1.09 USD"),
        ('"tiers-lieu" 850.00 EUR', '"tiers-lieu" 850.01 EUR'),
        ("TRUE Assets:Bank:Coop 3", "FALSE Assets:Bank:Coop 3"),
        ('iban: "FR76 0000"', 'iban: "FR76 0001"'),
        ('EUR "STRICT"', 'EUR "FIFO"'),
        ("2024-12-31 close", "2024-12-30 close"),
    ],
)
def test_other_directive_changes_change_hash(old: str, new: str) -> None:
    assert LEDGER.count(old) == 1
    before = _hashes(_parse(LEDGER))
    after = _hashes(_parse(LEDGER.replace(old, new)))
    assert sum(b != a for b, a in zip(before, after, strict=True)) == 1


def test_type_tagging_distinguishes_string_and_number() -> None:
    txn = _txn(_parse(LEDGER))
    as_str = txn._replace(meta=dict(txn.meta, ref="1"))
    as_num = txn._replace(meta=dict(txn.meta, ref=Decimal("1")))
    as_bool = txn._replace(meta=dict(txn.meta, ref=True))
    assert len({entry_hash(as_str), entry_hash(as_num), entry_hash(as_bool)}) == 3


def test_custom_account_and_string_values_differ() -> None:
    custom = next(e for e in _parse(LEDGER) if isinstance(e, data.Custom))
    values = list(custom.values)
    account_index = next(i for i, v in enumerate(values) if v.dtype == "<AccountDummy>")
    swapped = list(values)
    swapped[account_index] = values[account_index]._replace(dtype=str)
    assert entry_hash(custom._replace(values=swapped)) != entry_hash(custom)


def test_exclude_keys_ignores_gen_hash() -> None:
    txn = _txn(_parse(LEDGER))
    other = _txn(_parse(LEDGER.replace('gen-hash: "abc"', 'gen-hash: "def"')))
    without = _txn(_parse(LEDGER.replace('  gen-hash: "abc"\n', "")))
    excluded = frozenset({"gen-hash"})
    assert entry_hash(txn) != entry_hash(other)
    assert entry_hash(txn, exclude_keys=excluded) == entry_hash(other, exclude_keys=excluded)
    assert entry_hash(txn, exclude_keys=excluded) == entry_hash(without)
    assert "gen-hash" not in canonical_form(txn, exclude_keys=excluded)


def test_exclude_keys_applies_to_posting_meta() -> None:
    txn = _txn(_parse(LEDGER))
    other = _txn(_parse(LEDGER.replace('memo: "virement"', 'memo: "autre"')))
    excluded = frozenset({"memo"})
    assert entry_hash(txn, exclude_keys=excluded) == entry_hash(other, exclude_keys=excluded)


def test_loaded_entries_hash_independently_of_location() -> None:
    # The only error is the (deliberately) unused pad; booking still runs.
    first, errors, _ = loader.load_string(LEDGER)
    assert [type(e).__name__ for e in errors] == ["PadError"]
    second, _, _ = loader.load_string("\n\n" + LEDGER)
    assert len(first) == len(second) > 0
    assert _hashes(first) == _hashes(second)


def test_incomplete_postings_are_hashable() -> None:
    text = """\
2024-03-01 * "Achat"
  Assets:Stock   10 PART {100.00 EUR}
  Assets:Stock   2 PART @ 100.00 EUR
  Assets:Bank
"""
    entries = _parse(text)
    form = json.loads(canonical_form(entries[0]))
    postings = form["fields"]["postings"]
    assert postings[0]["cost"]["kind"] == "CostSpec"
    assert postings[0]["cost"]["number_per"] == "100.00"
    assert postings[1]["price"] == ["100.00", "EUR"]
    assert postings[2]["units"] == "<MISSING>"


def test_not_a_directive() -> None:
    with pytest.raises((TypeError, AttributeError)):
        canonical_form(object())


def test_chain_digest_order_independent_and_chained() -> None:
    entries = _parse(LEDGER)
    base = chain_digest(None, entries)
    assert len(base) == 64
    assert chain_digest(None, list(reversed(entries))) == base
    assert chain_digest("", entries) == base
    assert chain_digest("0" * 64, entries) != base
    assert chain_digest(base, entries) != chain_digest("f" * 64, entries)
    assert chain_digest(None, entries[:-1]) != base
    assert chain_digest(None, []) != chain_digest("0" * 64, [])


def test_chain_digest_documented_formula() -> None:
    import hashlib

    entries = _parse(LEDGER)[:3]
    expected_text = "\n".join(["prev", *sorted(entry_hash(e) for e in entries)])
    expected = hashlib.sha256(expected_text.encode("utf-8")).hexdigest()
    assert chain_digest("prev", entries) == expected


def test_chain_digest_rejects_newline_in_previous() -> None:
    with pytest.raises(ValueError):
        chain_digest("a\nb", [])


def test_custom_without_values_hashes() -> None:
    """The parser gives ``values=None`` for a bare ``custom "x"`` directive."""
    from beancount.parser import parser

    entries, errors, _ = parser.parse_string('2026-01-01 custom "alusage-note"\n')
    assert not errors
    from alusage_ledger.books.canonical import entry_hash

    assert len(entry_hash(entries[0])) == 64
