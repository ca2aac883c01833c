"""Tables that fit (issue 23, item 1): identifiers, dates and amounts are never cut.

On a terminal (a real pseudo-terminal, through pexpect) at 80 and 120 columns, and piped
(≤ 100 columns unless ``--wide``), each invoice number, date and amount of ``--json`` is
found whole on one line of the table; free text is shortened with an ellipsis; columns left
out are named in a footer; colours go with ``NO_COLOR``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from pathlib import Path

import pexpect
import pytest
from conftest import Cli

from alusage_ledger.outputs.render.console import MIN_FREE, fit, header_lines, shorten

ANSI = re.compile(r"\x1b\[[0-9;?]*[a-zA-Z]")
TODAY = "2026-12-07"
EXE = shutil.which("alusage-ledger") or str(Path(sys.executable).parent / "alusage-ledger")


# --- the fitting rule --------------------------------------------------------------------


def test_nothing_is_cut_when_the_table_fits() -> None:
    assert fit([10, 10, 30], 100, gap=2, free=(2,), drop=(0,)) == ([0, 1, 2], {})
    assert fit([10, 10, 30], None, gap=2, free=(2,), drop=(0, 1)) == ([0, 1, 2], {})


def test_free_text_shrinks_before_any_column_is_dropped() -> None:
    # 10 + 2 + 10 + 2 + 30 = 54 > 40: the free column gives 14 characters back.
    assert fit([10, 10, 30], 40, gap=2, free=(2,), drop=(0,)) == ([0, 1, 2], {2: 16})


def test_columns_are_dropped_in_their_order_then_free_text_takes_the_room_back() -> None:
    # Even at its least (12), the free column does not fit with all others: column 3 goes,
    # then the free column grows back into the room left.
    kept, narrow = fit([10, 10, 30, 20], 50, gap=2, free=(2,), drop=(3, 0))
    assert kept == [0, 1, 2]
    assert narrow == {2: 26}  # 10 + 2 + 10 + 2 + 26 = 50


def test_a_table_that_cannot_fit_is_shown_whole_rather_than_cut() -> None:
    kept, narrow = fit([40, 40], 50, gap=2, free=(), drop=())
    assert kept == [0, 1] and narrow == {}


def test_shorten_and_headings() -> None:
    assert shorten("Association Les Pousses", 12) == "Association…"
    assert shorten("Court", 12) == "Court"
    assert len(shorten("x" * 40, MIN_FREE)) == MIN_FREE
    assert header_lines("Solde de clôture débiteur", 10) == ["Solde de", "clôture", "débiteur"]


# --- what the user sees -------------------------------------------------------------------


def _json_rows(cli: Cli, *args: str) -> list[dict[str, object]]:
    result = cli("--json", *args)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    return doc["invoices"] if isinstance(doc, dict) and "invoices" in doc else doc


def _amount_fr(machine: str) -> str:
    """'1200.00' -> '1 200,00 €' as the French tables print it (spaces normalised)."""
    sign = "-" if machine.startswith("-") else ""
    units, cents = machine.lstrip("-").split(".")
    groups = []
    while units:
        groups.insert(0, units[-3:])
        units = units[:-3]
    return f"{sign}{' '.join(groups)},{cents} €"


def _normalise(text: str) -> str:
    return text.replace("\u202f", " ").replace("\u00a0", " ")


def _assert_invoices_whole(lines: list[str], invoices: list[dict[str, object]]) -> None:
    table = [_normalise(line) for line in lines]
    for invoice in invoices:
        number = str(invoice["number"])
        found = [line for line in table if number in line]
        assert found, f"{number} is not whole on any line"
        line = found[0]
        assert str(invoice["date"]) in line, (number, line)
        assert _normalise(_amount_fr(str(invoice["ttc"]))) in line, (number, line)


@pytest.fixture
def ws(example_ws: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ALUSAGE_TODAY", TODAY)
    return example_ws


def test_piped_tables_fit_100_columns_and_name_what_they_leave_out(ws: Path) -> None:
    cli = Cli(ws)
    invoices = _json_rows(cli, "invoice", "list", "--entity", "alusage")
    result = cli("invoice", "list", "--entity", "alusage", lang="fr")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= 100
    _assert_invoices_whole(lines, invoices)
    footer = " ".join(result.output.split())
    assert "Colonnes omises pour tenir en 100 caractères" in footer
    assert "--wide les affiche" in footer
    wide = cli("--wide", "invoice", "list", "--entity", "alusage", lang="fr")
    assert "Colonnes omises" not in wide.output
    assert max(len(line) for line in wide.output.splitlines()) > 100
    assert "Jours de retard" in wide.output


@pytest.mark.parametrize(
    "command",
    [
        ["invoice", "list"],
        ["bill", "list"],
        ["aged"],
        ["report", "trial-balance", "--entity", "alusage"],
    ],
)
def test_every_list_fits_when_piped(ws: Path, command: list[str]) -> None:
    result = Cli(ws)(*command, lang="fr")
    assert result.exit_code == 0, result.output
    assert max(len(line) for line in result.output.splitlines()) <= 100, result.output


def _terminal(ws: Path, columns: int, *args: str, color: bool = True) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env.update(TERM="xterm-256color", ALUSAGE_TODAY=TODAY, COLUMNS=str(columns))
    env.pop("LINES", None)
    if not color:
        env["NO_COLOR"] = "1"
    child = pexpect.spawn(
        EXE,
        ["--workspace", str(ws), "--lang", "fr", *args],
        env=env,
        dimensions=(40, columns),
        encoding="utf-8",
        timeout=120,
    )
    output = child.read()
    child.close()
    assert child.exitstatus == 0, output
    return ANSI.sub("", output).replace("\r", "").split("\n")


@pytest.mark.slow
@pytest.mark.parametrize("columns", [80, 120])
def test_on_a_terminal_identifiers_dates_and_amounts_are_whole(ws: Path, columns: int) -> None:
    invoices = _json_rows(Cli(ws), "invoice", "list", "--entity", "alusage")
    lines = _terminal(ws, columns, "invoice", "list", "--entity", "alusage")
    assert max(len(line) for line in lines) <= columns
    _assert_invoices_whole(lines, invoices)
    for command in (["bill", "list"], ["aged"], ["report", "trial-balance", "--entity", "alusage"]):
        shown = _terminal(ws, columns, *command)
        assert max(len(line) for line in shown) <= columns, "\n".join(shown)


@pytest.mark.slow
def test_bills_aged_and_trial_balance_amounts_are_whole_at_80_columns(ws: Path) -> None:
    cli = Cli(ws)
    bills = json.loads(cli("--json", "bill", "list", "--entity", "alusage").output)
    rows = bills["documents"] if isinstance(bills, dict) and "documents" in bills else bills
    lines = [_normalise(line) for line in _terminal(ws, 80, "bill", "list", "--entity", "alusage")]
    for bill in rows:
        piece = str(bill.get("piece_ref") or bill.get("piece"))
        found = [line for line in lines if piece in line]
        assert found, piece
        assert str(bill["date"]) in found[0]
    trial = json.loads(cli("--json", "report", "trial-balance", "--entity", "alusage").output)
    shown = "\n".join(
        _normalise(line)
        for line in _terminal(ws, 80, "report", "trial-balance", "--entity", "alusage")
    )
    for row in trial["rows"] if isinstance(trial, dict) and "rows" in trial else []:
        assert str(row["account"]) in shown


def test_colours_mark_errors_and_go_with_no_color(ws: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env.update(TERM="xterm-256color", ALUSAGE_TODAY=TODAY)
    child = pexpect.spawn(
        EXE, ["--workspace", str(ws), "--lang", "fr", "vat", "--entity", "nobody", "--period", "2026-11"],
        env=env, dimensions=(40, 100), encoding="utf-8", timeout=120,
    )  # fmt: skip
    coloured = child.read()
    child.close()
    assert child.exitstatus == 2
    assert "\x1b[31m" in coloured  # the error in red
    env["NO_COLOR"] = "1"
    child = pexpect.spawn(
        EXE, ["--workspace", str(ws), "--lang", "fr", "vat", "--entity", "nobody", "--period", "2026-11"],
        env=env, dimensions=(40, 100), encoding="utf-8", timeout=120,
    )  # fmt: skip
    plain = child.read()
    child.close()
    assert "\x1b[" not in plain
