"""Values complete from the workspace (issue 23, item 7), through the shell's protocol.

Each case runs the installed program as bash's completion does (``COMP_WORDS``,
``COMP_CWORD`` and ``_ALUSAGE_LEDGER_COMPLETE=complete_bash``) in a real process, from
inside a copy of the example workspace.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXE = shutil.which("alusage-ledger") or str(Path(sys.executable).parent / "alusage-ledger")


def complete(ws: Path, words: str) -> list[str]:
    count = len(words.split()) + (1 if words.endswith(" ") else 0)
    env = dict(
        os.environ,
        COMP_WORDS=f"alusage-ledger {words}",
        COMP_CWORD=str(count),
        _ALUSAGE_LEDGER_COMPLETE="complete_bash",
    )
    done = subprocess.run(
        [EXE], cwd=ws, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("vat --entity ", ["alusage", "christine-dornier", "myceliandre", "nicolas-jeudy"]),
        ("close --entity m", ["myceliandre"]),
        ("shares ", ["le97"]),
        ("invoice pay F2026-005", [f"F2026-005{n}" for n in range(6)]),
        ("close 2026-1", ["2026-10", "2026-11"]),
    ],
)
def test_values_complete_from_the_workspace(
    example_ws: Path, words: str, expected: list[str]
) -> None:
    assert complete(example_ws, words) == expected


def test_members_and_bills_complete(example_ws: Path) -> None:
    assert "membre-a" in complete(example_ws, "usage set le97 ")
    bills = complete(example_ws, "bill pay HC")
    assert bills and all(b.startswith("HC") for b in bills)


def test_outside_a_workspace_nothing_is_proposed_and_nothing_breaks(tmp_path: Path) -> None:
    assert complete(tmp_path, "vat --entity ") == []
