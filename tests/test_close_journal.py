"""``close`` as a resumable transaction (issue 22): its journal, and the kill campaign.

The example workspace, its books starting in November 2026 (as in
``test_closing_dry_run``): November closed, then December's usage declared and one
invoice of the project "tiers-lieu", so that closing December makes every month-end step
write (recurring bills, le 97's shares, a donation and a retribution invoice, the VAT
return), locks two ledgers and writes ``reports/2026-12/``. The close is killed (SIGKILL,
a real process) right after each of its file operations in turn
(``ALUSAGE_FAULT_AFTER=k``); ``close`` run again must leave ledgers and reports
byte-identical to an uninterrupted close, ``check`` must pass, and no temporary file nor
journal may remain.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
from pathlib import Path

import pytest
from conftest import PROJECT, Cli, run_subprocess, snapshot

from alusage_ledger.books.journal import JOURNAL_NAME
from alusage_ledger.books.ledger import Workspace
from alusage_ledger.core.errors import RefusedError
from alusage_ledger.core.periods import Month
from alusage_ledger.domains.closing import close_month

TODAY = "2027-01-10"
USERS = ("alusage", "christine-dornier", "membre-a", "membre-c", "nicolas-jeudy")

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALUSAGE_TODAY", TODAY)


@pytest.fixture(scope="module")
def december(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example from 2026-11, November closed, December ready to close."""
    root = tmp_path_factory.mktemp("journal") / "december"
    root.mkdir()
    config = (PROJECT / "alusage.toml").read_text("utf-8")
    (root / "alusage.toml").write_text(
        config.replace('books_start = "2026-01"', 'books_start = "2026-11"'), "utf-8"
    )
    shutil.copytree(PROJECT / "ledgers", root / "ledgers")
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
    return root


def books(root: Path) -> dict[str, bytes]:
    return {k: v for k, v in snapshot(root).items() if k.startswith(("ledgers/", "reports/"))}


def leftovers(root: Path) -> list[str]:
    return sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.name.endswith(".alusage-tmp")
        or ".alusage-tmp" in p.as_posix()
        or p.name == JOURNAL_NAME
    )


def close_env(**extra: str) -> dict[str, str]:
    return {"ALUSAGE_TODAY": TODAY, "ALUSAGE_LANG": "en", **extra}


@pytest.fixture(scope="module")
def reference(december: Path) -> tuple[Path, list[str]]:
    """December closed without interruption, and the file operations it made."""
    root = december.parent / "reference"
    shutil.copytree(december, root)
    log = december.parent / "operations.log"
    done = run_subprocess(
        "--workspace", str(root), "close", "2026-12", env=close_env(ALUSAGE_FAULT_LOG=str(log))
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return root, log.read_text("utf-8").splitlines()


def test_the_close_writes_its_journal_first_and_the_reports_in_one_rename(
    reference: tuple[Path, list[str]],
) -> None:
    root, operations = reference
    kinds = [line.split()[1:] for line in operations]
    assert kinds[0][0] == "temp" and kinds[0][1].endswith(".alusage-tmp")
    assert kinds[1] == ["replace", str(root / JOURNAL_NAME)]
    assert kinds[-1] == ["remove", str(root / JOURNAL_NAME)]
    renames = [k for k in kinds if k[0] == "rename"]
    assert renames == [["rename", str(root / "reports" / "2026-12")]]
    # The reports come after every ledger file, the close files included.
    rename_at = kinds.index(renames[0])
    ledger_ops = [i for i, k in enumerate(kinds) if "/ledgers/" in k[1]]
    assert max(ledger_ops) < rename_at
    assert any(k[1].endswith("12.close.beancount") for k in kinds)
    # Every step wrote something, in more than one ledger.
    for step in ("recurring", "shares", "redistribution", "vat"):
        assert step  # named in the module doc; the entries are checked below
    ledger_files = {k[1] for k in kinds if k[0] == "replace" and "/ledgers/" in k[1]}
    assert len({Path(f).parts[-3] if "2026" in f else Path(f).parts[-2] for f in ledger_files}) > 2
    assert leftovers(root) == []


@pytest.mark.slow
def test_close_killed_after_each_file_operation_is_finished_by_the_next_close(
    december: Path, reference: tuple[Path, list[str]], tmp_path: Path
) -> None:
    expected_root, operations = reference
    expected = books(expected_root)
    assert len(operations) > 30
    for k in range(1, len(operations) + 1):
        root = tmp_path / f"k{k}"
        shutil.copytree(december, root)
        killed = run_subprocess(
            "--workspace", str(root), "close", "2026-12", env=close_env(ALUSAGE_FAULT_AFTER=str(k))
        )
        assert killed.returncode == -signal.SIGKILL, (k, killed.stdout, killed.stderr)
        again = run_subprocess("--workspace", str(root), "close", "2026-12", env=close_env())
        assert again.returncode == 0, (k, operations[k - 1], again.stdout, again.stderr)
        assert "Traceback" not in again.stderr
        if (root / "reports" / "2026-12").exists() and k < len(operations):
            assert "was finished" in again.stderr or "closed" in again.stdout
        got = books(root)
        assert sorted(got) == sorted(expected), (k, operations[k - 1])
        for rel in expected:
            assert got[rel] == expected[rel], (k, operations[k - 1], rel)
        assert leftovers(root) == [], (k, operations[k - 1])
        checked = Cli(root)("check")
        assert checked.exit_code == 0, (k, checked.output)
        shutil.rmtree(root)


def test_check_finishes_an_interrupted_close(december: Path, tmp_path: Path) -> None:
    """Killed in the middle of its ledger files (the shares' link half written): ``check``
    finishes the close, then finds nothing wrong; ``reopen`` afterwards reopens both."""
    root = tmp_path / "ws"
    shutil.copytree(december, root)
    killed = run_subprocess(
        "--workspace", str(root), "close", "2026-12", env=close_env(ALUSAGE_FAULT_AFTER="6")
    )
    assert killed.returncode == -signal.SIGKILL
    assert (root / JOURNAL_NAME).exists()
    cli = Cli(root)
    checked = run_subprocess("--workspace", str(root), "check", env=close_env())
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "The interrupted job 'close 2026-12' was finished" in checked.stderr
    assert leftovers(root) == []
    assert (root / "reports/2026-12/README.md").is_file()
    reopened = cli("reopen", "2026-12", "--reason", "test")
    assert reopened.exit_code == 0, reopened.output
    assert "alusage: 2026-12 reopened" in reopened.output
    assert "myceliandre: 2026-12 reopened" in reopened.output


def test_any_command_finishes_it_and_the_library_dry_run_names_the_command(
    december: Path, tmp_path: Path
) -> None:
    def killed_copy(name: str, k: int) -> Path:
        root = tmp_path / name
        shutil.copytree(december, root)
        killed = run_subprocess(
            "--workspace", str(root), "close", "2026-12", env=close_env(ALUSAGE_FAULT_AFTER=str(k))
        )
        assert killed.returncode == -signal.SIGKILL
        assert (root / JOURNAL_NAME).exists()
        return root

    # the dry run (library) plans on nothing half-written: it names the command
    root = killed_copy("dry", 20)
    before = snapshot(root)
    with pytest.raises(RefusedError, match=r"run 'alusage-ledger close 2026-12' to finish it"):
        close_month(Workspace.open(root), Month.parse("2026-12"), dry_run=True)
    assert snapshot(root) == before
    # a read-only command finishes it first (it never shows the books between two states)
    done = run_subprocess("--workspace", str(root), "revenue", "-e", "alusage", env=close_env())
    assert done.returncode == 0, done.stderr
    assert "The interrupted job 'close 2026-12' was finished" in done.stderr
    assert leftovers(root) == []
    # so does any writer; a stray temporary file elsewhere in the workspace goes with it
    root = killed_copy("writer", 12)
    stray = root / "notes" / ".x.1234.alusage-tmp"
    stray.parent.mkdir()
    stray.write_text("half", "utf-8")
    done = Cli(root)("usage", "set", "le97", "alusage", "--month", "2027-01", "--days", "2")
    assert done.exit_code == 0, done.output
    assert not (root / JOURNAL_NAME).exists()
    assert leftovers(root) == []
    assert (root / "ledgers/alusage/2026/12.close.beancount").is_file()
    assert Cli(root)("check").exit_code == 0


def test_a_failed_close_is_rolled_back_and_a_hand_edit_stops_the_recovery(
    december: Path, tmp_path: Path
) -> None:
    root = tmp_path / "ws"
    shutil.copytree(december, root)
    before = books(root)
    killed = run_subprocess(
        "--workspace", str(root), "close", "2026-12", env=close_env(ALUSAGE_FAULT_AFTER="8")
    )
    assert killed.returncode == -signal.SIGKILL
    # as if the close had failed on its own: the journal says "rollback"
    journal = json.loads((root / JOURNAL_NAME).read_text("utf-8"))
    journal["state"] = "rollback"
    (root / JOURNAL_NAME).write_text(json.dumps(journal), "utf-8")
    # a file of the plan edited by hand in between stops it, naming the file
    target = root / journal["files"][0]["path"]
    original = target.read_bytes()
    target.write_bytes(original + b"\n; hand edit\n")
    edited = snapshot(root)
    refused = Cli(root)("check")
    assert refused.exit_code == 4, refused.output
    assert journal["files"][0]["path"] in refused.output
    assert "Traceback" not in refused.output
    assert snapshot(root) == edited
    target.write_bytes(original)
    done = run_subprocess("--workspace", str(root), "check", env=close_env())
    assert done.returncode == 0, done.stdout + done.stderr
    assert "was undone" in done.stderr
    assert books(root) == before
    assert leftovers(root) == []
    assert not os.path.exists(root / "reports" / "2026-12")


def test_a_close_file_holding_only_options_is_finished_by_close(
    december: Path, reference: tuple[Path, list[str]], tmp_path: Path
) -> None:
    """What a close killed before closes kept a journal left: the close file created with
    the ledger's options only, included. ``check`` warns and names the command; ``close``
    finishes it, byte-identical to an uninterrupted close."""
    root = tmp_path / "ws"
    shutil.copytree(december, root)
    header = (root / "ledgers/alusage/2026/11.close.beancount").read_text("utf-8")
    options = "".join(line + "\n" for line in header.splitlines() if line.startswith("option "))
    (root / "ledgers/alusage/2026/12.close.beancount").write_text(options, "utf-8")
    main = root / "ledgers/alusage/main.beancount"
    main.write_text(main.read_text("utf-8") + 'include "2026/12.close.beancount"\n', "utf-8")
    cli = Cli(root)
    checked = cli("check")
    assert checked.exit_code == 0, checked.output
    assert "holds no entry yet" in checked.output
    assert "run 'alusage-ledger close 2026-12' to finish it" in checked.output
    assert "git checkout" not in checked.output
    done = cli("close", "2026-12")
    assert done.exit_code == 0, done.output
    assert books(root) == books(reference[0])


def test_an_edited_close_file_git_does_not_know_is_not_sent_to_git(
    december: Path, tmp_path: Path
) -> None:
    root = tmp_path / "ws"
    shutil.copytree(december, root)
    lock = root / "ledgers/alusage/2026/11.close.beancount"
    lock.write_text(
        lock.read_text("utf-8").replace("closed-on: 2027-01-10", "closed-on: 2027-01-09")
    )
    checked = Cli(root)("check")
    assert checked.exit_code == 1
    assert "git checkout" not in checked.output
    assert "git does not know it: reopen the month ('alusage-ledger reopen 2026-11" in (
        checked.output
    )
