"""Errors that help: "did you mean" for unknown entities, places, members, accounts,
activities and options, through the real commands; nothing written on a mistake."""

from __future__ import annotations

import pytest
from conftest import Cli, snapshot
from hypothesis import given
from hypothesis import strategies as st

from alusage_ledger.core.suggest import closest, did_you_mean

ENTITIES = ["alusage", "myceliandre", "nicolas-jeudy", "christine-dornier"]
ACCOUNTS = [
    "Actif:Banque:CreditCooperatif",
    "Actif:Clients:CoopDesTilleuls",
    "Charges:Fournitures:Bureau",
    "Charges:Le97:Loyer",
]


@pytest.mark.parametrize(
    ("typed", "known", "expected"),
    [
        ("alusge", ENTITIES, "alusage"),
        ("Alusage", ENTITIES, "alusage"),
        ("ALUSAGE", ENTITIES, "alusage"),
        ("nicolas", ENTITIES, "nicolas-jeudy"),
        ("christine", ENTITIES, "christine-dornier"),
        ("Actif:Banque:Credit", ACCOUNTS, "Actif:Banque:CreditCooperatif"),
        ("CoopDesTilleuls", ACCOUNTS, "Actif:Clients:CoopDesTilleuls"),
        ("Charges:Le97:Loyr", ACCOUNTS, "Charges:Le97:Loyer"),
        ("zzz", ENTITIES, None),
        ("al", ENTITIES, None),  # too short to guess from a prefix
        ("alusage", ENTITIES, None),  # the name itself is not a suggestion
    ],
)
def test_closest(typed: str, known: list[str], expected: str | None) -> None:
    assert closest(typed, known) == expected


def test_did_you_mean_clause() -> None:
    assert did_you_mean("alusge", ENTITIES) == " (did you mean 'alusage'?)"
    assert did_you_mean("zzz", ENTITIES) == ""
    assert did_you_mean("x", []) == ""


@given(st.text(max_size=30), st.lists(st.text(max_size=30), max_size=8))
def test_closest_is_always_a_known_name_or_none(typed: str, known: list[str]) -> None:
    found = closest(typed, known)
    assert found is None or (found in known and found != typed)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("check", "--entity", "alusge"), "did you mean 'alusage'?"),
        (("check", "--entity", "nicolas"), "did you mean 'nicolas-jeudy'?"),
        (("shares", "le79", "--month", "2026-10"), "did you mean 'le97'?"),
        (("statement", "membre-d", "--place", "le97"), "did you mean 'membre-c'?"),
        (("usage", "set", "le97", "Membre-A", "-m", "2026-11", "--days", "2"), "'membre-a'"),
        (
            (
                "invoice",
                "add",
                "--entity",
                "alusage",
                "--client",
                "X",
                "--activity",
                "facilitaton",
                "--amount-ht",
                "10",
                "--date",
                "2026-11-30",
            ),
            "did you mean 'facilitation'?",
        ),
        (("check", "--entitty", "alusage"), "--entity"),
    ],
)
def test_unknown_names_get_a_suggestion_and_change_nothing(
    cli: Cli, args: tuple[str, ...], needle: str
) -> None:
    assert cli.workspace is not None
    before = snapshot(cli.workspace)
    result = cli(*args)
    assert result.exit_code == 2, result.output
    assert needle in result.output
    assert "Traceback" not in result.output
    assert len([line for line in result.output.splitlines() if line.startswith("Error")]) == 1
    assert snapshot(cli.workspace) == before


def test_a_suggestion_in_french(cli: Cli) -> None:
    result = cli("check", "--entity", "alusge", lang="fr")
    assert result.exit_code == 2
    assert "vouliez-vous dire 'alusage'" in result.output


def test_a_broken_pipe_is_not_an_error(example_ws: object) -> None:
    import subprocess
    import sys

    shell = (
        f"{sys.executable} -m alusage_ledger --workspace {example_ws} "
        "shares le97 --month 2026-10 | head -1; echo rc=${PIPESTATUS[0]}"
    )
    done = subprocess.run(["bash", "-c", shell], capture_output=True, text=True, timeout=120)
    assert done.stdout.splitlines()[-1] == "rc=0"
    assert "BrokenPipe" not in done.stderr and "Traceback" not in done.stderr
