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
    ran = 0
    for outcome in run_guide(text, tmp_path, "fr"):
        ran += 1
        if outcome.exit_code != outcome.step.exit_code:
            failures.append(
                f"guide.fr.md:{outcome.step.number}: {outcome.step.line}\n"
                f"  exit {outcome.exit_code}, expected {outcome.step.exit_code}\n"
                + "\n".join("  | " + line for line in outcome.output.splitlines()[-15:])
            )
    assert ran >= 30
    assert not failures, "\n".join(failures)


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
