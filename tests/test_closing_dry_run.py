"""``close --dry-run`` computes in memory exactly what ``close`` then does (issue 13).

The example workspace, its books starting in November 2026: closing November posts le
97's shares and locks the month with balance assertions; closing December (after its usage
declarations and one invoice of the project "tiers-lieu") makes every month-end step write
(recurring bills, shares, a donation and a retribution invoice, the VAT return). Each dry
run is compared with the exact pass (every write loaded again, like the real writer's
verification), with the real close that follows (the same report, the same bytes), and
the workspace with what it was before (not one byte, not even a lock file).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import PROJECT, Cli

from alusage_ledger.books import monthend
from alusage_ledger.books.ledger import Workspace
from alusage_ledger.core.periods import Month
from alusage_ledger.domains.closing import close as closing
from alusage_ledger.domains.closing.planned import Inexact

TODAY = "2027-01-10"
DAY = date.fromisoformat(TODAY)
USERS = ("alusage", "christine-dornier", "membre-a", "membre-c", "nicolas-jeudy")


def tree(root: Path) -> dict[str, bytes | None]:
    """Every file (its bytes) and folder (None) under ``root``, hidden ones included."""
    return {
        p.relative_to(root).as_posix(): None if p.is_dir() else p.read_bytes()
        for p in sorted(root.rglob("*"))
        if ".git" not in p.parts
    }


@pytest.fixture(scope="module")
def november(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example, its books starting in 2026-11 (a first month, shares to post)."""
    root = tmp_path_factory.mktemp("dry-run") / "november"
    root.mkdir()
    config = (PROJECT / "alusage.toml").read_text("utf-8")
    assert 'books_start = "2026-01"' in config
    (root / "alusage.toml").write_text(
        config.replace('books_start = "2026-01"', 'books_start = "2026-11"'), "utf-8"
    )
    shutil.copytree(PROJECT / "ledgers", root / "ledgers")
    return root


@pytest.fixture(scope="module")
def december(november: Path) -> Path:
    """November closed, December's usage declared and one invoice of the project."""
    root = november.parent / "december"
    shutil.copytree(november, root)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ALUSAGE_TODAY", TODAY)
        cli = Cli(root)
        assert cli("close", "2026-11").exit_code == 0
        for user in USERS:
            done = cli("usage", "set", "le97", user, "--month", "2026-12", "--days", "4")
            assert done.exit_code == 0, done.output
        done = cli(
            "invoice",
            "add",
            "-e",
            "alusage",
            "--client",
            "Client Test",
            "--activity",
            "facilitation",
            "--amount-ht",
            "2000.00",
            "--date",
            "2026-12-10",
            "--project",
            "tiers-lieu",
        )
        assert done.exit_code == 0, done.output
    (root / ".alusage.lock").unlink()
    return root


@pytest.fixture
def copy_of(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ALUSAGE_TODAY", TODAY)

    def make(template: Path) -> Path:
        dest = tmp_path / "ws"
        shutil.copytree(template, dest)
        return dest

    return make


def passes(ws: Path, month: str, day: date = DAY) -> tuple[dict[str, Any], dict[str, Any]]:
    """The fast pass and the exact pass of the dry run (each on a new Workspace)."""
    fast = closing._dry_run(Workspace.open(ws), Month.parse(month), None, day, exact=False)
    exact = closing._dry_run(Workspace.open(ws), Month.parse(month), None, day, exact=True)
    return fast.as_json(), exact.as_json()


def assert_dry_run_is_the_close(ws: Path, month: str, day: date = DAY) -> dict[str, Any]:
    before = tree(ws)
    assert ".alusage.lock" not in before
    fast, exact = passes(ws, month, day)  # the fast pass vouched for its result: no fallback
    assert fast == exact
    cli = Cli(ws)
    shown = cli("--json", "close", month, "--dry-run")
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output) == fast
    text = cli("close", month, "--dry-run")
    assert text.exit_code == 0, text.output
    assert tree(ws) == before  # not one byte, no lock file, no folder

    done = cli("--json", "close", month)
    assert done.exit_code == 0, done.output
    real = json.loads(done.output)
    for key in ("month", "already_closed", "entities", "steps", "reports", "written"):
        assert real[key] == fast[key], key
    after = tree(ws)
    changed = {k for k, v in after.items() if v is not None and v != before.get(k)}
    assert changed - {".alusage.lock"} == set(fast["written"])
    planned = fast["planned"]
    assert isinstance(planned, dict) and list(planned) == fast["written"]
    for rel, text_planned in planned.items():
        old, new = before.get(rel) or b"", after[rel]
        assert new is not None
        assert new == (
            old + text_planned.encode() if new.startswith(old) else text_planned.encode()
        )
    return fast


def test_first_month_shares_and_balance_assertions(november: Path, copy_of) -> None:  # type: ignore[no-untyped-def]
    ws = copy_of(november)
    fast = assert_dry_run_is_the_close(ws, "2026-11")
    steps = dict((s["name"], s["lines"]) for s in fast["steps"])
    assert steps["shares"] == ["le97: 5 call(s) posted for 2026-11, 1951.71 in all."]
    closed = [e for e in fast["entities"] if e["status"] == "closed"]
    # the two micro-entrepreneurs' registers are locked too (issue 21)
    assert [e["assertions"] for e in closed] == [25, 18, 7, 7]


def test_every_step_writes_and_the_dry_run_is_the_close(december: Path, copy_of) -> None:  # type: ignore[no-untyped-def]
    ws = copy_of(december)
    fast = assert_dry_run_is_the_close(ws, "2026-12")
    steps = {s["name"]: s["lines"] for s in fast["steps"]}
    # ("accruals" writes only on the first month of an exercice: tests/test_reversal.py)
    assert set(steps) == set(monthend.ORDER), steps
    assert all(lines for name, lines in steps.items() if name != "accruals"), steps
    assert any("recurring le97-loyer posted" in line for line in steps["recurring"])
    assert any("retrib-tiers-lieu: invoice" in line for line in steps["redistribution"])
    assert any("VAT CA3 2026-11 posted" in line for line in steps["vat"])
    # files created on the way: a month file of a micro-entrepreneur (its share's mirror)
    assert "ledgers/nicolas-jeudy/main.beancount" in fast["written"]
    # and the month after
    assert cli_json(ws, "close", "2026-12", "--dry-run")["already_closed"] is True


def cli_json(ws: Path, *args: str) -> dict[str, Any]:
    done = Cli(ws)("--json", *args)
    assert done.exit_code == 0, done.output
    result: dict[str, Any] = json.loads(done.output)
    return result


def test_the_example_month_is_planned_on_the_fast_pass(example_ws: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ALUSAGE_TODAY", "2026-12-15")
    fast, exact = passes(example_ws, "2026-01", date(2026, 12, 15))
    assert fast == exact
    assert fast["entities"][0]["assertions"] > 0


def test_a_ledger_the_fast_pass_cannot_vouch_for(december: Path, copy_of) -> None:  # type: ignore[no-untyped-def]
    """A posting without an amount (Beancount interpolates it): the fast pass gives up,
    the exact pass plans the close, which is what the close then does."""
    ws = copy_of(december)
    with open(ws / "ledgers/alusage/2026/12.beancount", "a", encoding="utf-8") as handle:
        handle.write(
            '\n2026-12-15 * "Banque" "Frais de tenue de compte"\n'
            "  Charges:Banque:Frais\n"
            "  Actif:Banque:CreditCooperatif  -3.00 EUR\n"
        )
    with pytest.raises(Inexact):
        closing._dry_run(Workspace.open(ws), Month.parse("2026-12"), None, DAY, exact=False)
    assert_dry_run_is_the_close_after_fallback(ws, "2026-12")


def assert_dry_run_is_the_close_after_fallback(ws: Path, month: str) -> None:
    before = tree(ws)
    dry = cli_json(ws, "close", month, "--dry-run")
    exact = closing._dry_run(
        Workspace.open(ws), Month.parse(month), None, DAY, exact=True
    ).as_json()
    assert dry == exact
    assert tree(ws) == before
    real = cli_json(ws, "close", month)
    for key in ("entities", "steps", "reports", "written"):
        assert real[key] == dry[key], key


def test_a_write_the_real_close_would_refuse_is_refused_the_same(november: Path, copy_of) -> None:  # type: ignore[no-untyped-def]
    """A balance assertion dated after le 97's call, on the account the call debits: the
    ledgers are valid, but the shares' write would break it. The real close stops there
    (exit 1, the error named); so does the dry run, with the same words."""
    ws = copy_of(november)
    ledger = Workspace.open(ws).load_checked("myceliandre")
    account = "Actif:Usagers:Le97:Alusage"
    balance = sum(
        (
            p.units.number
            for e in ledger.entries
            if type(e).__name__ == "Transaction" and e.date < date(2026, 12, 1)
            for p in e.postings
            if p.account == account
        ),
        Decimal(0),
    )
    with open(ws / "ledgers/myceliandre/2026/11.beancount", "a", encoding="utf-8") as handle:
        handle.write(f"\n2026-12-01 balance {account}  {balance:.2f} EUR\n")
    cli = Cli(ws)
    assert cli("check").exit_code == 0
    before = tree(ws)
    with pytest.raises(Inexact):
        closing._dry_run(Workspace.open(ws), Month.parse("2026-11"), None, DAY, exact=False)
    dry = cli("close", "2026-11", "--dry-run")
    assert tree(ws) == before
    real = cli("close", "2026-11")
    assert real.exit_code == dry.exit_code == 1
    assert "Writing would have introduced an error in the ledger of myceliandre" in real.output
    assert dry.output == real.output
    assert tree(ws) == {**before, ".alusage.lock": b""}


def test_a_failing_step_fails_the_dry_run_the_same(
    november: Path,
    copy_of,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from alusage_ledger.core.errors import UsageError

    ws = copy_of(november)
    monthend.steps()

    def fails(workspace, month, *, dry_run=False):  # type: ignore[no-untyped-def]
        raise UsageError("the VAT step failed on purpose")

    monkeypatch.setitem(monthend.STEPS, "vat", fails)
    cli = Cli(ws)
    before = tree(ws)
    dry = cli("close", "2026-11", "--dry-run")
    assert tree(ws) == before
    real = cli("close", "2026-11")
    assert dry.exit_code == real.exit_code == 2
    assert dry.output == real.output
    assert "the VAT step failed on purpose" in dry.output


def test_reports_that_cannot_be_written_fail_the_dry_run_too(november: Path, copy_of) -> None:  # type: ignore[no-untyped-def]
    ws = copy_of(november)
    (ws / "reports").mkdir()
    (ws / "reports/2026-11").write_text("not a folder\n", "utf-8")
    cli = Cli(ws)
    before = tree(ws)
    dry = cli("close", "2026-11", "--dry-run")
    assert tree(ws) == before
    real = cli("close", "2026-11")
    assert real.exit_code != 0
    assert dry.exit_code == real.exit_code
    assert type(dry.exception) is type(real.exception)


def test_the_dry_run_waits_for_a_writer_holding_the_lock(
    november: Path,
    copy_of,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The lock file exists (a writer made it): the dry run takes it, like a writer, so
    that it never reads half of another command's writes; held too long: exit 4."""
    ws = copy_of(november)
    (ws / ".alusage.lock").write_bytes(b"")
    before = tree(ws)
    monkeypatch.setenv("ALUSAGE_LOCK_TIMEOUT", "0.2")
    handle = os.open(ws / ".alusage.lock", os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        done = Cli(ws)("close", "2026-11", "--dry-run")
    finally:
        os.close(handle)
    assert done.exit_code == 4, done.output
    assert "Another alusage-ledger command is writing" in done.output
    assert tree(ws) == before


def test_a_generated_workspace_with_two_closed_months(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The benchmark's workspace (3 000 transactions, January and February closed): the
    dry run of March (le 97's shares, February's VAT return, 100-odd assertions) on the
    fast pass is the exact pass and the close."""
    import importlib.util

    monkeypatch.setenv("ALUSAGE_TODAY", "2020-04-15")
    spec = importlib.util.spec_from_file_location("bench_generate", PROJECT / "bench/generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    ws = tmp_path / "generated"
    module.generate(ws, 3000)
    for month in ("2020-01", "2020-02"):
        closing.close_month(Workspace.open(ws), Month.parse(month))
    (ws / ".alusage.lock").unlink()
    fast = assert_dry_run_is_the_close(ws, "2020-03", date(2020, 4, 15))
    steps = {s["name"]: s["lines"] for s in fast["steps"]}
    assert steps["shares"] and steps["vat"], steps
    assert sum(e["assertions"] for e in fast["entities"]) > 100
