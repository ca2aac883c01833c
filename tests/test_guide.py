"""The guides run as written: every ``sh`` block of docs/guide.fr.md, in order, on a fresh
copy of the example workspace, each line with exit 0 (or the ``# exit N`` it shows).

docs/guide.md is the English twin: same commands, same order. Outputs shown in the
guides are refreshed with ``python -m alusage_ledger.docgen guide docs/guide.fr.md
docs/guide.md`` (see alusage_ledger.docgen).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import PROJECT

from alusage_ledger.docgen import copy_example, guide_blocks, guide_steps, run_guide

FRENCH = PROJECT / "docs" / "guide.fr.md"
ENGLISH = PROJECT / "docs" / "guide.md"


def test_the_french_guide_runs_as_written(tmp_path: Path) -> None:
    text = FRENCH.read_text(encoding="utf-8")
    copy_example(tmp_path)
    failures = []
    english: list[str] = []
    ran = 0
    for outcome in run_guide(text, tmp_path, "fr"):
        ran += 1
        english += [
            f"guide.fr.md:{outcome.step.number}: {word!r} in {line.strip()!r}"
            for line in outcome.output.splitlines()
            for word in english_words(line)
        ]
        if outcome.exit_code != outcome.step.exit_code:
            failures.append(
                f"guide.fr.md:{outcome.step.number}: {outcome.step.line}\n"
                f"  exit {outcome.exit_code}, expected {outcome.step.exit_code}\n"
                + "\n".join("  | " + line for line in outcome.output.splitlines()[-15:])
            )
    assert ran >= 30
    assert not failures, "\n".join(failures)
    assert not english, "English in the French guide's outputs:\n" + "\n".join(english)


#: Common English words that are not French words (issue 23: "a test runs every command of
#: the French guide and fails on any English word outside a short allow-list").
ENGLISH_WORDS = frozenset(
    """
    the and with for from not are this that which run see none nothing step steps shares
    recurring accruals equal days goods invoice invoices bill bills paid unpaid failed
    expected accumulated error errors warning warnings closed month months entity entities
    result account accounts unknown invalid token file files line lines written amount
    amounts members member rent fixed then passenger vehicle lodging gift fuel exempt
    settlement reversal received booked posted already missing found should would could
    has have been was were will must does did done only also each every other than into
    when where what why how because ledger ledgers balance failed too much little
    yes true false open close reopen date due
    """.split()  # noqa: SIM905 - a word list reads better as words
) - {"date", "due", "balance", "open", "close"}
#: What may stay as it is: the program's words (commands, files, metadata keys, codes).
_CODE = re.compile(
    r"--[a-z][a-z-]*"  # options
    r"|['«`]\s?alusage-ledger[^'»`]*['»`]"  # suggested command lines
    r"|\b[A-Z][A-Za-z]*(?::[A-Za-z0-9-]+)+"  # account names
    r"|[\w./-]+\.(?:beancount|toml|csv|md|txt|json|pdf)\b|/[\w./-]+"  # files, paths
    r"|\(?[a-z]+(?:-[a-z]+)+\)?"  # keys and ids: bank-ref, membre-a, passenger-transport
    r"|\b(?:open|close|balance|pad|note|document)\s+(?=[A-Z])"  # Beancount directives
    r"|\^[\w.-]+|#[\w-]+"  # links and tags
)


def english_words(line: str) -> list[str]:
    """The English words of an output line, once the program's own words are taken out."""
    text = _CODE.sub(" ", line)
    return [w for w in re.findall(r"[A-Za-z]{3,}", text) if w.lower() in ENGLISH_WORDS]


def test_the_english_word_finder() -> None:
    assert english_words("step accruals: nothing to post") == ["step", "accruals", "nothing"]
    assert english_words("étape extourne : rien à comptabiliser") == []
    assert english_words("ajoutée  2026-11-01  open Passif:NotesDeFrais:CamilleMartin") == []
    assert english_words("déjà présente (bank-ref) ; « alusage-ledger close 2026-11 »") == []


def test_the_english_guide_is_the_twin_of_the_french_one() -> None:
    french = [s.line for s in guide_steps(FRENCH.read_text(encoding="utf-8"))]
    english = [s.line for s in guide_steps(ENGLISH.read_text(encoding="utf-8"))]
    assert english == french


@pytest.mark.parametrize("guide", [FRENCH, ENGLISH], ids=["fr", "en"])
def test_the_guide_covers_the_accountants_year(guide: Path) -> None:
    lines = " ".join(s.line for s in guide_steps(guide.read_text(encoding="utf-8")))
    for needed in (
        "alusage-ledger init",
        "alusage-ledger year open",
        "alusage-ledger invoice add",
        "alusage-ledger invoice pay",
        "alusage-ledger bill add",
        "alusage-ledger bill pay",
        "alusage-ledger usage set",
        "alusage-ledger shares le97",
        "alusage-ledger close 2026-",
        "alusage-ledger revenue",
        "alusage-ledger vat",
        "alusage-ledger review",
        "alusage-ledger export fec",
        "alusage-ledger import bank",
    ):
        assert needed in lines, needed
    text = guide.read_text(encoding="utf-8")
    assert "alusage-ledger year close" in text  # shown, not run: the exercice ends 2026-12-31
    assert "--install-completion" in text
    assert "alusage-ledger fava" in text


@pytest.mark.parametrize("guide", [FRENCH, ENGLISH], ids=["fr", "en"])
def test_every_command_of_the_guide_exists(guide: Path) -> None:
    """A renamed command or option fails here with its name, before running anything."""
    from alusage_ledger.docgen import _root, command_tree

    tree = {path: command for path, command in command_tree(_root())}
    for step in guide_steps(guide.read_text(encoding="utf-8")):
        words = step.line.split()
        if words[0] != "alusage-ledger":
            continue
        path: tuple[str, ...] = ()
        for word in words[1:]:
            if (*path, word) in tree:
                path = (*path, word)
            elif not word.startswith("-"):
                break
        assert path, step.line
        options = {o for p in tree[path].params for o in (*p.opts, *p.secondary_opts)}
        options |= {o for p in tree[()].params for o in p.opts}
        for word in words:
            if re.fullmatch(r"--?[a-z][a-z-]*", word):
                assert word in options, f"{guide.name}:{step.number}: {word} ({step.line})"


def test_output_blocks_follow_their_commands() -> None:
    blocks = guide_blocks(FRENCH.read_text(encoding="utf-8"))
    assert sum(1 for b in blocks if b.output_span) >= 10
