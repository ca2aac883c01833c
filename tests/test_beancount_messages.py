"""Beancount's messages reach a French user in French (issue 23, item 3).

Each pattern of ``core/beancount_messages.py`` is matched against the message the
installed Beancount really produces for a small ledger, so a Beancount upgrade that
rewords one fails here. Through the CLI: ``check`` in French prints the translation with
French amounts, in English Beancount's own words, and ``--debug`` keeps the original.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from beancount import loader
from conftest import Cli, snapshot

from alusage_ledger.core.beancount_messages import PATTERNS, set_debug, translate_beancount
from alusage_ledger.core.i18n import set_language

OPEN = "2026-01-01 open Assets:Bank\n2026-01-01 open Income:Y\n"

#: A ledger that makes Beancount say each message, and what the French reader sees.
CASES = {
    "balance too little": (
        "2026-01-01 open Assets:Bank\n2026-01-05 balance Assets:Bank 10.00 EUR\n",
        "Assertion de solde non vérifiée pour Assets:Bank : 10,00 € attendu, "
        "les écritures donnent 0,00 € (10,00 manquant).",
    ),
    "balance too much": (
        OPEN + '2026-01-02 * "x"\n  Assets:Bank 15.00 EUR\n  Income:Y\n'
        "2026-01-05 balance Assets:Bank 10.00 EUR\n",
        "Assertion de solde non vérifiée pour Assets:Bank : 10,00 € attendu, "
        "les écritures donnent 15,00 € (5,00 de trop).",
    ),
    "unknown account": (
        '2026-01-01 open Assets:Bank\n2026-01-02 * "x"\n  Assets:Bank 1.00 EUR\n  Income:Z\n',
        "Le compte Income:Z n'est pas ouvert (aucune directive open).",
    ),
    "inactive account": (
        OPEN + '2026-01-01 close Income:Y\n2026-01-02 * "x"\n  Assets:Bank 1.00 EUR\n  Income:Y\n',
        "Le compte Income:Y est utilisé hors de ses dates d'ouverture.",
    ),
    "does not balance": (
        OPEN + '2026-01-02 * "x"\n  Assets:Bank 1.00 EUR\n  Income:Y -2.00 EUR\n',
        "L'écriture n'est pas équilibrée : il reste -1,00 €.",
    ),
    "invalid token": (
        '2026-01-01 open Assets:Bank\n2026-01-02 * "x" x\n  Assets:Bank 1.00 EUR\n',
        "Texte inattendu : 'x'.",
    ),
    "syntax error": (
        '2026-01-01 open Assets:Bank EUR\n2026-01-02 * "x"\n  Assets:Bank 1.00 EUR EUR EUR\n',
        "Erreur de syntaxe : CURRENCY inattendu.",
    ),
    "unused pad": (
        "2026-01-01 open Assets:Bank\n2026-01-01 open Equity:O\n"
        "2026-01-01 pad Assets:Bank Equity:O\n",
        "Cette directive pad n'est utilisée par aucune assertion de solde.",
    ),
    "opened twice": (
        "2026-01-01 open Assets:Bank\n2026-01-01 open Assets:Bank\n",
        "Le compte Assets:Bank est ouvert deux fois.",
    ),
    "closed never opened": (
        "2026-01-01 close Assets:Bank\n",
        "Le compte Assets:Bank est fermé sans avoir été ouvert.",
    ),
    "currency": (
        "2026-01-01 open Assets:Bank EUR\n2026-01-01 open Income:Y\n"
        '2026-01-02 * "x"\n  Assets:Bank 1.00 USD\n  Income:Y\n',
        "La devise USD n'est pas admise sur le compte Assets:Bank.",
    ),
    "two auto-postings": (
        OPEN + '2026-01-02 * "x"\n  Assets:Bank\n  Income:Y\n',
        "Une seule ligne par devise peut omettre son montant.",
    ),
    "invalid option": ('option "foo" "bar"\n', "Option inconnue : 'foo'."),
}


@pytest.fixture
def french() -> Iterator[None]:
    set_language("fr")
    try:
        yield
    finally:
        set_language("en")


def _beancount_says(text: str) -> list[str]:
    _entries, errors, _options = loader.load_string(text)
    return [str(e.message).strip().splitlines()[0] for e in errors]


@pytest.mark.parametrize("case", sorted(CASES))
def test_beancounts_real_message_is_translated(case: str, french: None) -> None:
    text, expected = CASES[case]
    said = _beancount_says(text)
    shown = [
        translate_beancount(message).replace("\u00a0", " ").replace("\u202f", " ")
        for message in said
    ]
    assert expected in shown, (said, shown)


def test_in_english_beancounts_words_are_kept() -> None:
    set_language("en")
    message = "Invalid reference to unknown account 'Income:Z'"
    assert translate_beancount(message) == message


def test_debug_keeps_the_original(french: None) -> None:
    message = "Invalid reference to unknown account 'Income:Z'"
    set_debug(True)
    try:
        shown = translate_beancount(message)
    finally:
        set_debug(False)
    assert shown.endswith(f"[{message}]")
    assert shown.startswith("Le compte Income:Z")


def test_an_unknown_message_is_left_as_it_is(french: None) -> None:
    assert translate_beancount("Something new in Beancount 4") == "Something new in Beancount 4"


def test_every_pattern_compiles_and_has_a_french_message() -> None:
    from alusage_ledger.core.i18n import catalog

    french = catalog("fr")
    for _pattern, message in PATTERNS:
        assert french.get(message), message


def _workspace_with_a_failing_balance(ws: Path) -> Path:
    month = ws / "ledgers/alusage/2026/11.beancount"
    bank = next(
        line.split()[2]
        for line in (ws / "ledgers/alusage/accounts.beancount").read_text("utf-8").splitlines()
        if " open Actif:Banque" in line
    )
    month.write_text(
        month.read_text("utf-8") + f"\n2026-11-30 balance {bank} 0.00 EUR\n", encoding="utf-8"
    )
    return month


def test_check_in_french_prints_beancounts_error_in_french(example_ws: Path) -> None:
    _workspace_with_a_failing_balance(example_ws)
    before = snapshot(example_ws)
    cli = Cli(example_ws)
    french = cli("check", lang="fr")
    assert french.exit_code == 1
    text = " ".join(french.output.replace("\u00a0", " ").replace("\u202f", " ").split())
    assert "Assertion de solde non vérifiée pour Actif:Banque" in text
    assert "Balance failed" not in text
    english = cli("check")
    assert english.exit_code == 1
    assert "Balance failed for 'Actif:Banque" in english.output
    debug = cli("--debug", "check", lang="fr")
    assert "[Balance failed for 'Actif:Banque" in " ".join(debug.output.split())
    assert snapshot(example_ws) == before
