"""The pure part of ``review``: matching entries and computing findings over plain data.

Entries are described the way the child process does it (``review_worker.describe_entry``
on entries parsed from ledger text written in each test), so the data is real.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alusage_ledger.integrations.review.document import review_document
from alusage_ledger.integrations.review.findings import compare, config_changes
from alusage_ledger.integrations.review.pairing import match_entries
from alusage_ledger.integrations.review.sides import EntitySide, Entry, Mark, Side
from alusage_ledger.integrations.review.worker import describe_entry, directives

ROOTS = "".join(
    f'option "{n}" "{v}"\n'
    for n, v in (
        ("name_assets", "Actif"),
        ("name_liabilities", "Passif"),
        ("name_equity", "Capitaux"),
        ("name_income", "Produits"),
        ("name_expenses", "Charges"),
    )
)
FILE = "ledgers/alusage/2026/01.beancount"


def entries(text: str, file: str = FILE) -> list[Entry]:
    from beancount.parser import parser

    parsed, errors, _opts = parser.parse_string(ROOTS + text)
    assert not errors, errors
    return [Entry.from_data(describe_entry(e, file)) for e in parsed]


def side(label: str, items: list[Entry], **extra: Any) -> Side:
    entity = EntitySide("alusage", entries=items, **extra)
    return Side(label, entities={"alusage": entity}, check_ran=True)


INVOICE = """
2026-01-20 * "Coop des Tilleuls" "Facture F2026-0001" ^F2026-0001
  invoice: "F2026-0001"
  client: "Coop des Tilleuls"
  Actif:Clients:CoopDesTilleuls  1200.00 EUR
  Produits:Prestations:Formation -1200.00 EUR
"""
RECEIPT = """
2026-01-28 * "Coop des Tilleuls" "Règlement F2026-0001" ^F2026-0001
  invoice: "F2026-0001"
  Actif:Banque:Courant            1200.00 EUR
  Actif:Clients:CoopDesTilleuls  -1200.00 EUR
"""


def test_identical_sides_match_entirely() -> None:
    items = entries(INVOICE + RECEIPT)
    assert match_entries(items, entries(INVOICE + RECEIPT)) == ([], [], [])


def test_added_and_removed() -> None:
    added, removed, modified = match_entries(entries(INVOICE), entries(RECEIPT))
    # The invoice and its receipt share the invoice number but differ in everything else;
    # they are paired (same invoice), which is what a reviewer wants to see.
    assert (added, removed) == ([], [])
    assert len(modified) == 1
    added, removed, modified = match_entries([], entries(INVOICE))
    assert [e.narration for e in added] == ["Facture F2026-0001"]
    assert removed == [] and modified == []


def test_invoice_and_receipt_both_edited_pair_with_their_own_kind() -> None:
    old = entries(INVOICE + RECEIPT)
    new = entries(INVOICE.replace("1200.00", "1300.00") + RECEIPT.replace("1200.00", "1300.00"))
    added, removed, modified = match_entries(old, new)
    assert added == [] and removed == []
    assert sorted((a.narration, b.narration) for a, b in modified) == [
        ("Facture F2026-0001", "Facture F2026-0001"),
        ("Règlement F2026-0001", "Règlement F2026-0001"),
    ]


def test_pairing_by_gen_id_before_anything_else() -> None:
    old = entries(
        """
2026-01-31 * "Mycéliandre" "Appel le 97 - janvier" ^le97-2026-01-atelier
  gen-id: "le97/2026-01/atelier"
  Actif:Membres:Atelier   300.00 EUR
  Produits:Le97:Refacturation  -300.00 EUR
2026-01-31 * "Mycéliandre" "Appel le 97 - janvier" ^le97-2026-01-bureau
  gen-id: "le97/2026-01/bureau"
  Actif:Membres:Bureau   200.00 EUR
  Produits:Le97:Refacturation  -200.00 EUR
"""
    )
    new = entries(
        """
2026-01-31 * "Mycéliandre" "Appel le 97 - janvier (corrigé)" ^le97-2026-01-atelier
  gen-id: "le97/2026-01/atelier"
  Actif:Membres:Atelier   310.00 EUR
  Produits:Le97:Refacturation  -310.00 EUR
"""
    )
    added, removed, modified = match_entries(old, new)
    assert added == []
    assert [e.meta["gen-id"] for e in removed] == ["le97/2026-01/bureau"]
    assert [(a.meta["gen-id"], b.meta["gen-id"]) for a, b in modified] == [
        ("le97/2026-01/atelier", "le97/2026-01/atelier")
    ]


def test_pairing_by_link_then_by_date_and_narration_then_by_postings() -> None:
    old = entries(
        """
2026-01-10 * "Hébergeur" "Facture HC-1" ^alusage-HC-1
  Charges:Achats:Logiciels  36.00 EUR
  Passif:Fournisseurs:Hebergeur  -36.00 EUR
2026-01-11 * "Salaires" "Virement"
  Passif:Personnel:Remunerations  100.00 EUR
  Actif:Banque:Courant  -100.00 EUR
2026-01-12 * "Apport"
  Actif:Banque:Courant  50.00 EUR
  Capitaux:Capital  -50.00 EUR
"""
    )
    new = entries(
        """
2026-01-10 * "Hébergeur" "Facture HC-1 (logiciels)" ^alusage-HC-1
  Charges:Achats:Logiciels  36.00 EUR
  Passif:Fournisseurs:Hebergeur  -36.00 EUR
2026-01-11 * "Salaires" "Virement"
  Passif:Personnel:Remunerations  110.00 EUR
  Actif:Banque:Courant  -110.00 EUR
2026-01-12 * "Apport en capital"
  Actif:Banque:Courant  50.00 EUR
  Capitaux:Capital  -50.00 EUR
"""
    )
    added, removed, modified = match_entries(old, new)
    assert added == [] and removed == []
    assert [(a.narration, b.narration) for a, b in modified] == [
        ("Facture HC-1", "Facture HC-1 (logiciels)"),
        ("Virement", "Virement"),
        ("Apport", "Apport en capital"),
    ]


def test_duplicates_count_as_a_multiset() -> None:
    sale = """
2026-01-15 * "Marché" "Vente de légumes"
  Actif:Caisse  12.00 EUR
  Produits:Ventes:Maraichage  -12.00 EUR
"""
    added, removed, modified = match_entries(entries(sale * 2), entries(sale))
    assert added == [] and modified == [] and len(removed) == 1


def test_other_directives_pair_by_identity() -> None:
    old = entries(
        """
2026-01-01 open Actif:Clients:Coop EUR
2026-02-01 balance Actif:Banque:Courant 100.00 ~ 0.00 EUR
2026-01-31 custom "alusage-usage" "le97" "atelier" 12
"""
    )
    new = entries(
        """
2026-01-02 open Actif:Clients:Coop EUR
2026-02-01 balance Actif:Banque:Courant 90.00 ~ 0.00 EUR
2026-01-31 custom "alusage-usage" "le97" "atelier" 14
"""
    )
    added, removed, modified = match_entries(old, new)
    assert added == [] and removed == []
    assert sorted(b.kind for _a, b in modified) == ["balance", "custom", "open"]


entry_strategy = st.builds(
    lambda day, amount, narration, link: (
        f'2026-01-{day:02d} * "{narration}"' + (f" ^{link}" if link else "") + "\n"
        f"  Actif:Banque:Courant  {amount}.00 EUR\n"
        f"  Produits:Divers  -{amount}.00 EUR\n"
    ),
    st.integers(1, 28),
    st.integers(1, 50),
    st.sampled_from(["Vente", "Don", "Apport"]),
    st.sampled_from(["", "L1", "L2"]),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(entry_strategy, max_size=8), st.lists(entry_strategy, max_size=8))
def test_every_entry_is_accounted_for_exactly_once(
    old_texts: list[str], new_texts: list[str]
) -> None:
    old = entries("".join(old_texts))
    new = entries("".join(new_texts))
    added, removed, modified = match_entries(old, new)
    from collections import Counter

    old_left = Counter(e.hash for e in old) - Counter(e.hash for e in new)
    new_left = Counter(e.hash for e in new) - Counter(e.hash for e in old)
    assert Counter(e.hash for e in removed) + Counter(a.hash for a, _b in modified) == old_left
    assert Counter(e.hash for e in added) + Counter(b.hash for _a, b in modified) == new_left
    assert match_entries(old, old) == ([], [], [])


def test_document_has_exactly_the_documented_keys() -> None:
    base = side("main", [], balances={})
    head = side(
        "feature",
        entries(INVOICE),
        balances={
            ("Actif:Clients:CoopDesTilleuls", "EUR"): Decimal("1200.00"),
            ("Produits:Prestations:Formation", "EUR"): Decimal("-1200.00"),
        },
    )
    document = review_document(compare(base, head))
    assert set(document) == {"entities", "findings"}
    (entity,) = document["entities"]
    assert set(entity) == {"entity", "added", "removed", "modified", "balances"}
    assert entity["balances"] == [
        {
            "account": "Actif:Clients:CoopDesTilleuls",
            "currency": "EUR",
            "old": "0.00",
            "new": "1200.00",
            "change": "1200.00",
        },
        {
            "account": "Produits:Prestations:Formation",
            "currency": "EUR",
            "old": "0.00",
            "new": "-1200.00",
            "change": "-1200.00",
        },
    ]
    assert document["findings"] == []


def _messages(review: Any) -> list[tuple[str, str]]:
    return [(f.severity, f.message) for f in review.findings]


def test_closed_month_added_removed_changed_are_errors() -> None:
    close = Mark("close", "2026-01", "2026-02-01", "ledgers/alusage/2026/01.close.beancount", 7)
    old = entries(INVOICE)
    new = entries(INVOICE.replace("Facture F2026-0001", "Facture F2026-0001 (formation)"))
    extra = entries(
        """
2026-01-25 * "Marché" "Vente de légumes"
  Actif:Caisse  12.00 EUR
  Produits:Ventes:Maraichage  -12.00 EUR
"""
    )
    review = compare(
        side("main", old + entries(RECEIPT), marks=[close]),
        side("feature", new + extra, marks=[close]),
    )
    errors = [m for s, m in _messages(review) if s == "error"]
    assert any(m.startswith("an entry of the closed month 2026-01 was changed") for m in errors)
    assert any(m.startswith("an entry dated in the closed month 2026-01 was added") for m in errors)
    assert any(m.startswith("an entry of the closed month 2026-01 was removed") for m in errors)


def test_reopen_in_head_lifts_the_lock() -> None:
    close_file = "ledgers/alusage/2026/01.close.beancount"
    close = Mark("close", "2026-01", "2026-02-01", close_file, 7)
    reopen = Mark("reopen", "2026-01", "2026-02-10", "ledgers/alusage/2026/02.beancount", 9)
    assertion = entries("2026-02-01 balance Actif:Banque:Courant 100.00 ~ 0.00 EUR\n", close_file)
    review = compare(
        side("main", entries(INVOICE) + assertion, marks=[close], files={close_file: "x"}),
        side("feature", entries(INVOICE.replace("Facture", "Fact.")), marks=[reopen]),
    )
    assert [s for s, _m in _messages(review)] == []


def test_balance_assertion_removed_or_changed() -> None:
    one = entries("2026-02-01 balance Actif:Banque:Courant 100.00 ~ 0.00 EUR\n")
    two = entries("2026-02-01 balance Actif:Banque:Courant 90.00 ~ 0.00 EUR\n")
    removed = compare(side("main", one), side("feature", []))
    assert [s for s, m in _messages(removed) if "balance assertion was removed" in m] == ["error"]
    changed = compare(side("main", one), side("feature", two))
    assert [s for s, m in _messages(changed) if "balance assertion was changed" in m] == ["error"]
    added = compare(side("main", []), side("feature", one))
    assert _messages(added) == []


def test_generated_entry_with_a_stale_gen_hash() -> None:
    from beancount.parser import parser

    from alusage_ledger.books.canonical import entry_hash

    text = """
2026-01-31 * "Mycéliandre" "Appel le 97 - janvier"
  gen-id: "le97/2026-01/atelier"
  Actif:Membres:Atelier   300.00 EUR
  Produits:Le97:Refacturation  -300.00 EUR
"""
    (parsed,), _errors, _opts = parser.parse_string(ROOTS + text)
    stamp = entry_hash(parsed, exclude_keys=frozenset({"gen-hash"}))
    good = text.replace('atelier"\n', f'atelier"\n  gen-hash: "{stamp}"\n', 1)
    assert entries(good)[0].gen_ok is True
    edited = entries(good.replace("300.00", "330.00"))
    assert edited[0].gen_ok is False
    review = compare(side("main", entries(good)), side("feature", edited))
    assert any(
        s == "error" and "le97/2026-01/atelier no longer matches its gen-hash" in m
        for s, m in _messages(review)
    )


def test_amount_threshold_warns_on_new_and_changed_amounts_only() -> None:
    big = INVOICE.replace("1200.00", "6000.00")
    review = compare(side("main", []), side("feature", entries(big)))
    assert [s for s, m in _messages(review) if "above the review threshold" in m] == ["warning"]
    review = compare(
        side("main", []), side("feature", entries(big)), amount_warning=Decimal("7000")
    )
    assert _messages(review) == []
    # A narration edit of a big entry does not warn again.
    renamed = big.replace("Facture F2026-0001", "Facture F2026-0001 (bis)")
    review = compare(side("main", entries(big)), side("feature", entries(renamed)))
    assert _messages(review) == []


def test_directives_added() -> None:
    main = "ledgers/alusage/main.beancount"
    old = directives((ROOTS + 'include "accounts.beancount"\n').encode(), main)
    new = directives(
        (
            ROOTS
            + 'include "accounts.beancount"\ninclude "2026/02.beancount"\n'
            + 'include "extra/other.beancount"\nplugin "evil"\n'
            + 'option "insert_pythonpath" "TRUE"\noption "name_assets" "Actif"\n'
        ).encode(),
        main,
    )
    from alusage_ledger.integrations.review.sides import Directive

    def as_side(label: str, items: list[list[Any]]) -> Side:
        found = [Directive(f, line, kind, tuple(args)) for f, line, kind, args in items]
        return side(
            label,
            [],
            directives=found,
            roots=("Actif", "Passif", "Capitaux", "Produits", "Charges"),
        )

    review = compare(as_side("main", old), as_side("feature", new))
    found = sorted((f.line, f.message.split(";")[0]) for f in review.findings)
    assert found == [
        (8, "include 'extra/other.beancount' was added"),
        (9, "plugin 'evil' was added"),
        (10, "option 'insert_pythonpath' was added"),
    ]


def test_config_changes() -> None:
    old = "[workspace]\nlocale = 'fr_FR'\n\n[review]\namount_warning = \"5000.00\"\n"
    new = "[workspace]\nlocale = 'fr_FR'\n\n[review]\namount_warning = \"9000.00\"\n"
    assert [(c.sign, c.line, c.text) for c in config_changes(old, new)] == [
        ("-", 5, 'amount_warning = "5000.00"'),
        ("+", 5, 'amount_warning = "9000.00"'),
    ]
    assert config_changes(old, old) == []


def test_allow_list_growth_is_an_error() -> None:
    old = "[workspace]\nallowed_plugins = []\n"
    new = '[workspace]\nallowed_plugins = ["evil"]\n'
    review = compare(Side("main", config_text=old), Side("feature", config_text=new))
    errors = [f for f in review.findings if f.severity == "error"]
    assert [(f.file, f.line) for f in errors] == [("alusage.toml", 2)]
    assert "'evil' was added to the plugin allow-list" in errors[0].message


@pytest.mark.parametrize("failing", ["base", "head"])
def test_a_side_that_could_not_load_is_an_error_and_nothing_is_compared(failing: str) -> None:
    good = side("main", entries(INVOICE))
    bad = Side("feature", failure="loading took too long")
    base, head = (bad, good) if failing == "base" else (good, bad)
    review = compare(base, head)
    assert review.entities == []
    assert [f.severity for f in review.findings] == ["error"]
