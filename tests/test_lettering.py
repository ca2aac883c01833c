"""``letter``: automatic and manual lettrage, recorded as appended alusage-letter directives."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import Cli, snapshot
from hypothesis import given, settings
from hypothesis import strategies as st
from purchases_helpers import append, customs, transactions

from alusage_ledger.books.ledger import Workspace
from alusage_ledger.domains.lettering.letters import (
    LetterIndex,
    code_for,
    code_index,
    entry_id,
    letter_account,
    open_items,
)

SUPPLIER = "Passif:Fournisseurs:CabinetVauban"


def _values(directive: object) -> list[object]:
    return [v.value for v in directive.values]  # type: ignore[attr-defined]


def test_bill_paid_in_two_parts_is_lettered_partial_then_final(pws: Path, pcli: Cli) -> None:
    """``bill pay`` letters what it settles: a partial letter (lower case) for the first
    part, the same code in capitals, dated the day of the last payment, when it is paid."""
    pcli(
        "bill", "add", "-e", "sas", "--supplier", "Cabinet Vauban",
        "--account", "Charges:Honoraires", "--amount-ht", "1000", "--vat", "20",
        "--date", "2026-03-10", "--piece-ref", "CV-31",
    )  # fmt: skip
    assert pcli("bill", "pay", "CV-31", "--amount", "700", "--date", "2026-04-02").exit_code == 0
    (partial,) = customs(pws, "sas")
    assert partial.date.isoformat() == "2026-04-02"
    assert _values(partial) == [SUPPLIER, "aa", "sas-CV-31"]
    ledger = Workspace.open(pws).load_checked("sas")
    index = LetterIndex(ledger.entries)
    linked = [e for e in ledger.entries if "sas-CV-31" in (getattr(e, "links", None) or ())]
    assert [index.get(e, SUPPLIER).code for e in linked] == ["aa", "aa"]  # type: ignore[union-attr]
    assert len(open_items(ledger, SUPPLIER)) == 2  # a partial letter claims nothing
    before = snapshot(pws)
    result = pcli("letter")
    assert result.exit_code == 0, result.output
    assert "Nothing new to letter" in result.output
    assert snapshot(pws) == before
    assert pcli("check").exit_code == 0

    assert pcli("bill", "pay", "CV-31", "--date", "2026-05-04").exit_code == 0
    assert "Nothing new to letter" in pcli("letter").output
    (_partial, letter) = customs(pws, "sas")
    assert letter.date.isoformat() == "2026-05-04"  # the day the match became complete
    assert _values(letter) == [SUPPLIER, "AA", "sas-CV-31"]
    text = (pws / "ledgers/sas/2026/05.beancount").read_text(encoding="utf-8")
    assert text.endswith(f'2026-05-04 custom "alusage-letter" {SUPPLIER} "AA" "sas-CV-31"\n')

    ledger = Workspace.open(pws).load_checked("sas")
    index = LetterIndex(ledger.entries)
    items = [e for e in ledger.entries if "sas-CV-31" in (getattr(e, "links", None) or ())]
    assert len(items) == 3
    for entry in items:
        found = index.get(entry, SUPPLIER)
        assert found is not None and (found.code, found.date.isoformat()) == ("AA", "2026-05-04")
    assert open_items(ledger, SUPPLIER) == []

    # Idempotent: nothing new, not a byte changed.
    before = snapshot(pws)
    assert "Nothing new to letter" in pcli("letter").output
    assert snapshot(pws) == before
    assert pcli("check").exit_code == 0


UNLINKED = """
2026-02-02 * "Client Un" "Facture FA-01"
  invoice: "FA-01"
  Actif:Clients:ClientUn  300.00 EUR
  Produits:Prestations:Services  -300.00 EUR

2026-02-03 * "Client Un" "Facture FA-02"
  invoice: "FA-02"
  Actif:Clients:ClientUn  300.00 EUR
  Produits:Prestations:Services  -300.00 EUR

2026-02-20 * "Client Un" "Virement reçu, règlement FA-02"
  Actif:Banque:Courant  300.00 EUR
  Actif:Clients:ClientUn  -300.00 EUR

2026-02-21 * "Client Un" "Virement reçu"
  Actif:Banque:Courant  300.00 EUR
  Actif:Clients:ClientUn  -300.00 EUR
"""
OPEN_CLIENT = '\n2026-01-01 open Actif:Clients:ClientUn EUR\n  pcg: "411"\n  label: "Clients"\n'


def test_by_exact_amount_and_reference_then_manual(pws: Path, pcli: Cli) -> None:
    append(pws, "solo", "accounts.beancount", OPEN_CLIENT)
    append(pws, "solo", "accounts.beancount", UNLINKED)
    result = pcli("--json", "letter", "-e", "solo")
    assert result.exit_code == 0, result.output
    (letter,) = json.loads(result.output)["letters"]
    txns = transactions(pws, "solo")
    f2 = next(e for e in txns if e.narration == "Facture FA-02")
    paid_f2 = next(e for e in txns if e.narration.startswith("Virement reçu, "))
    assert letter["code"] == "AA" and letter["date"] == "2026-02-20"
    assert letter["refs"] == sorted([entry_id(f2), entry_id(paid_f2)])

    # The other receipt names no invoice: only a manual letter matches it.
    before = snapshot(pws)
    result = pcli("letter", "--manual", "FA-01", "-e", "solo")
    assert result.exit_code == 2 and "at least two" in result.output
    other = next(e for e in txns if e.narration == "Virement reçu")
    result = pcli("letter", "--manual", "FA-01", "FA-02", "-e", "solo")
    assert result.exit_code == 2 and "Nothing left" not in result.output
    assert snapshot(pws) == before
    result = pcli("letter", "--manual", "FA-01", entry_id(other), "-e", "solo")
    assert result.exit_code == 0, result.output
    letters = customs(pws, "solo")
    assert [_values(lt)[1] for lt in letters] == ["AA", "AB"]
    assert pcli("check").exit_code == 0
    doc = json.loads(pcli("--json", "aged", "-e", "solo", "--as-of", "2026-03-01").output)
    assert doc["balances"] == []


def test_manual_refuses_unbalanced_and_unknown(pws: Path, pcli: Cli) -> None:
    append(pws, "solo", "accounts.beancount", OPEN_CLIENT + UNLINKED.split("\n\n")[0] + "\n")
    append(
        pws,
        "solo",
        "accounts.beancount",
        '\n2026-02-25 * "Client Un" "Acompte"\n  Actif:Banque:Courant  100.00 EUR\n'
        "  Actif:Clients:ClientUn  -100.00 EUR\n",
    )
    txns = transactions(pws, "solo")
    before = snapshot(pws)
    result = pcli("letter", "--manual", "FA-01", entry_id(txns[-1]), "-e", "solo")
    assert result.exit_code == 2
    assert "do not balance (off by 200.00)" in result.output
    result = pcli("letter", "--manual", "FA-01", "F-404", "-e", "solo")
    assert result.exit_code == 2 and "No entry of solo is named 'F-404'" in result.output
    assert snapshot(pws) == before


def test_check_rejects_letters_that_do_not_sum_to_zero(pws: Path, pcli: Cli) -> None:
    pcli(
        "bill", "add", "-e", "sas", "--supplier", "Cabinet Vauban", "--account", "6064",
        "--amount-ht", "100", "--date", "2026-03-10", "--piece-ref", "CV-1",
    )  # fmt: skip
    pcli("bill", "pay", "CV-1", "--amount", "40", "--date", "2026-03-12")
    append(
        pws,
        "sas",
        "2026/03.beancount",
        f'\n2026-03-31 custom "alusage-letter" {SUPPLIER} "AA" "sas-CV-1"\n'
        f'2026-03-31 custom "alusage-letter" {SUPPLIER} "AA" "nowhere"\n'
        f'2026-03-31 custom "alusage-letter" {SUPPLIER} "aa"\n'
        f'2026-03-31 custom "alusage-letter" {SUPPLIER} "ab" "elsewhere"\n'
        f'2026-03-31 custom "alusage-unletter" {SUPPLIER} "ZZ"\n',
    )
    result = pcli("check")
    assert result.exit_code == 1
    out = result.output
    assert "ledgers/sas/2026/03.beancount:" in out
    assert f"the items of letter AA on {SUPPLIER} do not sum to zero (off by -60.00)" in out
    assert f"the letter code AA is used twice on {SUPPLIER}" in out
    assert f"the letter AA on {SUPPLIER} matches no entry (nowhere)" in out
    assert 'a "alusage-letter" directive needs an account' in out
    assert f"the partial letter ab on {SUPPLIER} matches no entry (elsewhere)" in out
    assert 'this "alusage-unletter" undoes no letter' in out
    assert "partial letter aa" not in out  # the one bill pay wrote names the bill


def test_letter_in_a_closed_month_is_dated_in_the_open_one(pws: Path, pcli: Cli) -> None:
    pcli(
        "bill", "add", "-e", "sas", "--supplier", "Cabinet Vauban", "--account", "6064",
        "--amount-ht", "100", "--date", "2026-03-10", "--piece-ref", "CV-1",
    )  # fmt: skip
    pcli("bill", "pay", "CV-1", "--date", "2026-03-12")
    (paid,) = customs(pws, "sas")
    assert (paid.date.isoformat(), _values(paid)[1]) == ("2026-03-12", "AA")
    append(pws, "sas", "accounts.beancount", '\n2026-04-01 custom "alusage-close" "2026-03" "x"\n')
    # Undone on the record (the letter stays), then lettered again in the open month.
    refused = pcli("letter", "--undo", "AA", "-e", "sas", "--date", "2026-03-31")
    assert refused.exit_code == 4, refused.output
    undone = pcli("letter", "--undo", "AA", "-e", "sas", "--date", "2026-04-01")
    assert undone.exit_code == 0, undone.output
    assert "Letter AA on Passif:Fournisseurs:CabinetVauban undone from 2026-04-01" in undone.output
    (undo,) = customs(pws, "sas", "alusage-unletter")
    assert [v.value for v in undo.values] == ["Passif:Fournisseurs:CabinetVauban", "AA"]
    again = pcli("letter", "--undo", "AA", "-e", "sas", "--date", "2026-04-01")
    assert again.exit_code == 2 and "already undone" in again.output
    result = pcli("letter", "-e", "sas")
    assert result.exit_code == 0, result.output
    (_paid, letter) = customs(pws, "sas")
    assert letter.date.isoformat() == "2026-04-01"
    assert _values(letter)[1] == "AB"  # a code is never given twice
    assert "alusage-letter" in (pws / "ledgers/sas/2026/04.beancount").read_text(encoding="utf-8")
    ledger = Workspace.open(pws).load_checked("sas")
    assert open_items(ledger, "Passif:Fournisseurs:CabinetVauban") == []


def test_codes_follow_per_account() -> None:
    assert [code_for(i) for i in (0, 1, 25, 26, 675, 676)] == [
        "AA",
        "AB",
        "AZ",
        "BA",
        "ZZ",
        "AAA",
    ]
    assert all(code_index(code_for(i)) == i for i in range(0, 2000, 7))


def test_example_workspace_letters_cleanly(example_ws: Path) -> None:
    """The example is lettered: receipts and payments of every entity carry a letter."""
    cli = Cli(example_ws)
    result = cli("--json", "letter")
    assert result.exit_code == 0, result.output
    assert cli("check").exit_code == 0
    before = snapshot(example_ws)
    assert "Nothing new to letter" in cli("letter").output
    assert snapshot(example_ws) == before
    config = Workspace.open(example_ws).config
    for entity in config.entities:
        assert len(customs(example_ws, entity)) >= 5, entity
    ledger = Workspace.open(example_ws).load_checked("myceliandre")
    for account in ("Actif:Clients:Alusage", "Passif:Fournisseurs:ProprietaireBattant"):
        assert letter_account(ledger, account) == []
    assert open_items(ledger, "Passif:Fournisseurs:ProprietaireBattant") == []


def test_members_of_a_hosted_place_are_third_parties(example_ws: Path) -> None:
    from alusage_ledger.domains.lettering.letters import kind_of, third_party_parents

    config = Workspace.open(example_ws).config
    place = config.places.get("le97")
    if place is None:
        pytest.skip("the example has no place le97")
    assert (place.receivable, "member") in third_party_parents(config, place.host)
    assert kind_of(config, place.host, f"{place.receivable}:NicolasJeudy") == "member"
    assert kind_of(config, place.host, "Actif:Clients:Alusage") == "client"
    assert kind_of(config, place.host, "Charges:Le97:Loyer") == "other"


def test_a_claim_reimbursed_in_two_parts_is_lettered_partial_then_final(
    pws: Path, pcli: Cli
) -> None:
    person = "Passif:NotesDeFrais:CamillePerrin"
    added = pcli(
        "expense", "add", "-e", "sas", "--person", "Camille Perrin", "--account", "6064",
        "--amount", "66.00", "--date", "2026-11-12",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    first = pcli("expense", "reimburse", "-e", "sas", "--person", "Camille Perrin",
                 "--amount", "40.00", "--date", "2026-11-20")  # fmt: skip
    assert first.exit_code == 0, first.output
    (partial,) = customs(pws, "sas")
    assert (partial.date.isoformat(), _values(partial)) == (
        "2026-11-20",
        [person, "aa", "sas-NDF-2026-0001"],
    )
    rest = pcli("expense", "reimburse", "-e", "sas", "--person", "Camille Perrin",
                "--date", "2026-11-27")  # fmt: skip
    assert rest.exit_code == 0, rest.output
    (_partial, final) = customs(pws, "sas")
    assert (final.date.isoformat(), _values(final)) == (
        "2026-11-27",
        [person, "AA", "sas-NDF-2026-0001"],
    )
    assert pcli("check").exit_code == 0


# --------------------------------------------------------------------------- settling, at random


def _txn(day: object, amount: object, account: str, other: str, link: str) -> object:
    from beancount.core import data
    from beancount.core.amount import Amount

    postings = [
        data.Posting(account, Amount(amount, "EUR"), None, None, None, None),  # type: ignore[arg-type]
        data.Posting(other, Amount(-amount, "EUR"), None, None, None, None),  # type: ignore[arg-type, operator]
    ]
    meta = data.new_metadata("<test>", 0)
    return data.Transaction(meta, day, "*", None, "t", frozenset(), frozenset({link}), postings)  # type: ignore[arg-type]


@given(
    total=st.integers(min_value=2, max_value=10**7),
    cuts=st.lists(st.integers(min_value=1, max_value=10**7 - 1), max_size=6, unique=True),
)
@settings(max_examples=60, deadline=None)
def test_any_split_of_a_payment_letters_partial_then_final(total: int, cuts: list[int]) -> None:
    """However a document is paid in parts, every part but the last writes the partial
    letter "aa", the last one the final "AA"; the final letter sums to exactly zero and
    leaves nothing open."""
    from datetime import date, timedelta
    from decimal import Decimal

    from alusage_ledger.domains.lettering.letters import assign, read_letters
    from alusage_ledger.domains.lettering.settle import settlement_letters

    account = "Actif:Clients:Client"
    points = sorted({c for c in cuts if c < total})
    parts = [b - a for a, b in zip([0, *points], [*points, total], strict=True)]
    day = date(2026, 3, 1)
    entries: list[object] = [
        _txn(day, Decimal(total) / 100, account, "Produits:Ventes", "F1"),
    ]
    for index, part in enumerate(parts):
        day += timedelta(days=1)
        payment = _txn(day, -Decimal(part) / 100, account, "Actif:Banque", "F1")
        letters = settlement_letters(entries, [payment], [account])
        last = index == len(parts) - 1
        assert [(lt.date, lt.values[1].value) for lt in letters] == [(day, "AA" if last else "aa")]
        entries += [payment, *letters]
    final = read_letters(entries)[0]
    left, claimed = assign(entries, account, final)
    assert left == [] and len(claimed) == 1 and claimed[0].total == 0
    assert len(claimed[0].items) == len(parts) + 1
