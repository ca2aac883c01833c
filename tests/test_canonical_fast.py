"""The direct writing of a transaction's canonical form is the same text as the definition.

``canonical.canonical_form`` writes a plain transaction's JSON straight (issue 13: the month
locks hash every entry of every closed month); anything unusual goes through the general
path (the document, then ``json``). Every stored hash depends on this text: these tests
compare both, byte for byte, on real ledgers and on hostile values.
"""

from __future__ import annotations

import datetime
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from beancount.core import data  # type: ignore[import-untyped,unused-ignore]
from beancount.core.amount import Amount  # type: ignore[import-untyped,unused-ignore]
from beancount.core.position import Cost  # type: ignore[import-untyped,unused-ignore]
from beancount.parser import parser  # type: ignore[import-untyped,unused-ignore]
from hypothesis import given, settings
from hypothesis import strategies as st

from alusage_ledger.books import canonical
from alusage_ledger.books.ledger import Workspace

PROJECT = Path(__file__).resolve().parents[1]
EXCLUDES = (frozenset(), frozenset({"gen-hash"}), frozenset({"invoice", "memo"}))


def outcome(compute: Any) -> tuple[str, str]:
    """What ``compute()`` gives: its text, or the type of the error it raises."""
    try:
        return ("text", compute())
    except Exception as exc:
        return ("error", type(exc).__name__)


def same(entry: Any) -> None:
    for exclude in EXCLUDES:
        expected = outcome(lambda ex=exclude: canonical._generic_form(entry, ex))
        actual = outcome(lambda ex=exclude: canonical.canonical_form(entry, exclude_keys=ex))
        assert actual == expected


def test_every_entry_of_the_example_ledgers(tmp_path: Path) -> None:
    ws_root = tmp_path / "ws"
    ws_root.mkdir()
    shutil.copy2(PROJECT / "alusage.toml", ws_root / "alusage.toml")
    shutil.copytree(PROJECT / "ledgers", ws_root / "ledgers")
    ws = Workspace.open(ws_root)
    fast = 0
    for entity in ws.config.entities:
        ledger = ws.load_checked(entity)
        for entry in [*ledger.parsed_entries(), *ledger.entries]:
            same(entry)
            if type(entry) is data.Transaction:
                fast += canonical._transaction_form(entry, frozenset()) is not None
    assert fast > 500  # the direct path is the common one


def _txn(**changes: Any) -> Any:
    meta = {"filename": "x.beancount", "lineno": 3, "invoice": "F1", "__tolerances__": {}}
    posting_meta = {"filename": "x.beancount", "lineno": 4, "memo": "m"}
    base = data.Transaction(
        meta,
        datetime.date(2026, 11, 30),
        "*",
        "Payee",
        "Narration",
        frozenset({"b", "a"}),
        frozenset({"l-2", "l-1"}),
        [
            data.Posting(
                "Actif:Banque", Amount(Decimal("10.00"), "EUR"), None, None, None, posting_meta
            ),
            data.Posting(
                "Produits:Ventes", Amount(Decimal("-10.00"), "EUR"), None, None, "!", None
            ),
        ],
    )
    return base._replace(**changes)


HOSTILE = [
    "",
    'quote " and backslash \\',
    "new\nline\r\ttab",
    "nul \x00 and \x1f and \x7f",
    "bidi \u202e\u2066 and zero width \u200b",
    "é à ç — “typographie” € 🦊 \U0001f600",
    "\ud800 lone surrogate",
    "\n2026-01-01 open Actif:Evil",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_strings_everywhere(text: str) -> None:
    same(_txn(payee=text))
    same(_txn(narration=text))
    same(_txn(flag=text))
    same(_txn(tags=frozenset({text, "x"})))
    same(_txn(links=frozenset({text})))
    same(_txn(meta={"invoice": text, text or "k": "v"}))
    entry = _txn()
    posting = entry.postings[0]._replace(account=text, meta={"memo": text})
    same(entry._replace(postings=[posting, entry.postings[1]]))


@pytest.mark.parametrize(
    "value",
    [
        "text",
        Decimal("1E-7"),
        Decimal("1200.00"),
        Decimal("-0"),
        Decimal("NaN"),
        datetime.date(2026, 1, 2),
        datetime.datetime(2026, 1, 2, 3, 4, 5),
        True,
        False,
        None,
        0,
        7,
        1.5,
        Amount(Decimal("1.00"), "EUR"),
        ["a", 1],
        ("a",),
        frozenset({"a", "b"}),
        {"nested": "dict"},
    ],
)
def test_metadata_values_of_every_type(value: Any) -> None:
    same(_txn(meta={"filename": "f", "lineno": 1, "value": value, "gen-hash": value}))
    entry = _txn()
    posting = entry.postings[0]._replace(meta={"value": value, "memo": value})
    same(entry._replace(postings=[posting, entry.postings[1]]))


def test_what_the_direct_path_leaves_to_the_general_one() -> None:
    entry = _txn()
    first, second = entry.postings
    cases = [
        first._replace(cost=Cost(Decimal("2.00"), "EUR", datetime.date(2026, 1, 1), None)),
        first._replace(price=Amount(Decimal("1.10"), "USD")),
        first._replace(units=None),
        first._replace(units=Amount(None, "EUR")),
        first._replace(units=Amount(Decimal("1.00"), None)),
        first._replace(flag=None),
        first._replace(meta=None),
        first._replace(meta={}),
        first._replace(meta={1: "non-string key"}),
    ]
    for posting in cases:
        same(entry._replace(postings=[posting, second]))
    same(entry._replace(postings=[]))
    same(entry._replace(payee=None, tags=None, links=None, meta=None))
    same(entry._replace(tags=frozenset(), links=frozenset()))


def test_parsed_entries_with_elided_amounts_and_costs() -> None:
    entries, errors, _ = parser.parse_string(
        'option "operating_currency" "EUR"\n'
        "2026-01-01 open Assets:A\n2026-01-01 open Assets:B\n"
        '2026-01-02 * "elided" ^link #tag\n  key: "v"\n  Assets:A  10.00 EUR\n  Assets:B\n'
        '2026-01-03 * "cost"\n  Assets:A  1 HOOL {100.00 EUR}\n  Assets:B  -100.00 EUR\n'
        '2026-01-04 * "price"\n  Assets:A  1.00 USD @ 0.90 EUR\n  Assets:B  -0.90 EUR\n'
        '2026-01-05 txn "flagless" "narration"\n  Assets:A  1.000 EUR\n  Assets:B  -1.000 EUR\n'
    )
    assert not errors
    for entry in entries:
        same(entry)


_text = st.text(max_size=20)
_values = st.one_of(
    _text,
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.dates(),
    st.decimals(allow_nan=False, allow_infinity=False, places=3),
)


@settings(max_examples=300, deadline=None)
@given(
    payee=st.one_of(st.none(), _text),
    narration=_text,
    tags=st.frozensets(_text, max_size=3),
    meta=st.dictionaries(_text, _values, max_size=4),
    posting_meta=st.dictionaries(_text, _values, max_size=3),
    number=st.decimals(allow_nan=False, allow_infinity=False, places=2),
    account=_text,
)
def test_generated_transactions(
    payee: str | None,
    narration: str,
    tags: frozenset[str],
    meta: dict[str, Any],
    posting_meta: dict[str, Any],
    number: Decimal,
    account: str,
) -> None:
    entry = _txn(payee=payee, narration=narration, tags=tags, meta=meta)
    posting = entry.postings[0]._replace(
        account=account, units=Amount(number, "EUR"), meta=posting_meta
    )
    same(entry._replace(postings=[posting, entry.postings[1]]))
