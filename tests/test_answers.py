"""Answers of read-only commands replayed while nothing they read changed (issue 13).

Every replayed answer is compared with the same command run with ``--no-cache`` (nothing
read from any cache, nothing written), and ``ALUSAGE_ANSWERS_LOG`` says whether a run was
replayed (``hit``), computed (``miss``), kept (``stored``) or not (``not stored: why``).
"""

from __future__ import annotations

import os
import random
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from closing_helpers import make_close_ws
from conftest import Cli, run_subprocess
from test_cache import _edit

from alusage_ledger.books import answers, cache
from alusage_ledger.cli import main as cli_main


@pytest.fixture
def home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache folder of this test alone, and a log of hits and misses."""
    folder = tmp_path_factory.mktemp("answers-home")
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    monkeypatch.setenv("ALUSAGE_ANSWERS_LOG", str(folder / "log"))
    monkeypatch.delenv("ALUSAGE_NO_CACHE", raising=False)
    cache.set_enabled(True)
    return folder


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    root = make_close_ws(tmp_path / "ws", git_repo=False)
    monkeypatch.chdir(root)
    yield root


class Run:
    def __init__(self, code: int, out: str, err: str, log: list[str]) -> None:
        self.code, self.out, self.err, self.log = code, out, err, log

    @property
    def result(self) -> tuple[int, str, str]:
        return self.code, self.out, self.err


def run(home: Path, capsys: pytest.CaptureFixture[str], *args: str) -> Run:
    """The console entry point in this process (what ``alusage-ledger ARGS`` runs)."""
    log = home / "log"
    before = log.read_text("utf-8").splitlines() if log.exists() else []
    capsys.readouterr()
    cache.set_enabled(True)  # a new process starts with the cache on (--no-cache is per run)
    code: object = 0
    background = cache.BACKGROUND
    try:
        cli_main(list(args))
    except SystemExit as exc:
        code = exc.code
    finally:
        cache.BACKGROUND = background  # the command line's detached writer: this run only
    captured = capsys.readouterr()
    after = log.read_text("utf-8").splitlines() if log.exists() else []
    events = [line.split(" ", 1)[0] if line.startswith(("hit", "miss")) else line for line in after]
    return Run(int(code or 0), captured.out, captured.err, events[len(before) :])


def fresh(home: Path, capsys: pytest.CaptureFixture[str], *args: str) -> Run:
    """The same command computed without any cache."""
    done = run(home, capsys, "--no-cache", *args)
    assert done.log == []
    return done


def stored(home: Path) -> list[Path]:
    """The answer files kept in the cache folder."""
    folder = home / "alusage-ledger" / "answers"
    return (
        sorted(p for p in folder.glob("*") if not p.name.startswith(".")) if folder.exists() else []
    )


def _close_january(ws: Path) -> None:
    result = Cli(ws)("close", "2026-01")
    assert result.exit_code == 0, result.output


READS = [
    ["check"],
    ["--json", "check"],
    ["aged", "--as-of", "2026-03-31"],
    ["revenue", "--period", "2026", "--format", "csv"],
    ["invoice", "list"],
    ["bill", "list", "--as-of", "2026-03-31"],
    ["report", "trial-balance", "--entity", "coop", "--period", "2026", "--format", "md"],
    ["--lang", "fr", "report", "journal", "-e", "coop", "-p", "2026-02"],
]


@pytest.mark.parametrize("args", READS, ids=[" ".join(a) for a in READS])
def test_a_second_run_replays_exactly_what_the_first_printed(
    ws: Path, home: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    first = run(home, capsys, *args)
    assert first.log == ["miss", "stored"]
    second = run(home, capsys, *args)
    assert second.log == ["hit"]
    assert second.result == first.result
    assert fresh(home, capsys, *args).result == first.result
    assert first.out  # something was printed


def test_close_dry_run_is_replayed_while_no_file_of_the_workspace_changes(
    ws: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Its plan depends on every file of the workspace (reports, close files): all are
    hashed, not only the ledgers."""
    args = ["--json", "close", "2026-01", "--dry-run"]
    first = run(home, capsys, *args)
    assert first.code == 0 and first.log == ["miss", "stored"]
    assert run(home, capsys, *args).log == ["hit"]
    assert run(home, capsys, *args).result == fresh(home, capsys, *args).result == first.result
    (ws / "reports" / "2026-01").mkdir(parents=True)
    (ws / "reports" / "2026-01" / "note.txt").write_text("a note\n", "utf-8")
    assert run(home, capsys, *args).log[0] == "miss"
    _close_january(ws)
    closed = run(home, capsys, *args)
    assert closed.log[0] == "miss" and closed.result == fresh(home, capsys, *args).result
    assert closed.result != first.result


def test_an_error_found_by_check_is_replayed_with_its_exit_code(
    ws: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with open(ws / "ledgers/coop/2026/03.beancount", "a", encoding="utf-8") as handle:
        handle.write(
            '\n2026-03-09 * "Typo"\n  Actif:Banque:Nef  10.00 EUR\n  Produits:Dons  -1.00 EUR\n'
        )
    first = run(home, capsys, "check")
    assert first.code == 1 and "03.beancount" in first.out
    second = run(home, capsys, "check")
    assert second.log == ["hit"] and second.result == first.result


@pytest.mark.parametrize(
    "target",
    [
        "ledgers/coop/2026/01.beancount",
        "ledgers/coop/2026/01.close.beancount",
        "ledgers/coop/accounts.beancount",
        "ledgers/coop/main.beancount",
        "alusage.toml",
    ],
)
def test_a_hand_edit_of_any_file_is_never_replayed(
    ws: Path, home: Path, capsys: pytest.CaptureFixture[str], target: str
) -> None:
    """Same size, same modification time: only the bytes changed (closed month included)."""
    _close_january(ws)
    first = run(home, capsys, "check")
    assert first.log == ["miss", "stored"] and first.code == 0
    assert run(home, capsys, "check").log == ["hit"]
    path = ws / target
    text = path.read_text("utf-8")
    info = path.stat()
    if target.endswith("close.beancount"):
        edited = re.sub(r"(balance Actif:Banque:Nef\s+)(\d+)\.(\d)0", r"\1\2.\g<3>1", text, count=1)
    elif target.endswith("01.beancount"):
        edited = text.replace("1000.00", "1000.10")  # both postings: still balanced
    elif target.endswith("accounts.beancount"):
        edited = text.replace("Banques", "BANQUES", 1)
    elif target.endswith("main.beancount"):
        edited = text.replace('"coop"', '"COOP"', 1)
    else:
        edited = text.replace('"Coop Test"', '"COOP Test"', 1)
    assert edited != text and len(edited.encode()) == len(text.encode())
    path.write_text(edited, "utf-8")
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    again = run(home, capsys, "check")
    assert again.log[0] == "miss"
    assert again.result == fresh(home, capsys, "check").result


def test_a_new_included_file_and_a_removed_one_are_seen(
    ws: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(home, capsys, "check").code == 0
    main = ws / "ledgers/coop/main.beancount"
    extra = ws / "ledgers/coop/2026/extra.beancount"
    extra.write_text(
        '2026-03-10 * "Oops"\n  Actif:Banque:Nef  5.00 EUR\n  Produits:Dons  -4.00 EUR\n', "utf-8"
    )
    with open(main, "a", encoding="utf-8") as handle:
        handle.write('include "2026/extra.beancount"\n')
    added = run(home, capsys, "check")
    assert added.log[0] == "miss" and added.code == 1 and "extra.beancount" in added.out
    assert run(home, capsys, "check").log == ["hit"]
    extra.unlink()
    removed = run(home, capsys, "check")
    assert removed.log[0] == "miss" and removed.code == 1
    assert "extra.beancount" in removed.out
    assert removed.log[-1] == "stored"  # the missing file is one error (issue 24)
    assert removed.result == fresh(home, capsys, "check").result
    extra.write_text("", "utf-8")  # the missing file appears: not answered from the store
    assert run(home, capsys, "check").log[0] == "miss"


def test_a_file_replaced_by_a_link_to_the_same_bytes_is_seen(
    ws: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(home, capsys, "check")
    month = ws / "ledgers/coop/2026/02.beancount"
    twin = ws / "ledgers/coop/twin.beancount"
    shutil.copy2(month, twin)
    month.unlink()
    month.symlink_to(twin)
    again = run(home, capsys, "check")
    assert again.log[0] == "miss"
    assert again.result == fresh(home, capsys, "check").result


def test_the_workspace_found_from_a_subfolder_is_looked_for_again(
    ws: Path, home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ws / "ledgers")
    assert run(home, capsys, "check").log == ["miss", "stored"]
    assert run(home, capsys, "check").log == ["hit"]
    other = ws / "ledgers" / "alusage.toml"
    other.write_text("this is not the workspace's configuration\n", "utf-8")
    again = run(home, capsys, "check")
    assert again.log[0] == "miss" and again.code != 0
    assert again.result == fresh(home, capsys, "check").result


@pytest.mark.parametrize(
    "damage", ["truncate", "flip", "garbage", "empty", "header-only", "format"]
)
def test_a_damaged_or_foreign_answer_is_ignored(
    ws: Path, home: Path, capsys: pytest.CaptureFixture[str], damage: str
) -> None:
    first = run(home, capsys, "check")
    [path] = stored(home)
    raw = path.read_bytes()
    head, body = raw.split(b"\n", 3)[:3], raw.split(b"\n", 3)[3]
    if damage == "truncate":
        changed = raw[: len(raw) // 2]
    elif damage == "flip":
        changed = raw[:-5] + bytes([raw[-5] ^ 1]) + raw[-4:]
    elif damage == "garbage":
        changed = os.urandom(len(raw))
    elif damage == "empty":
        changed = b""
    elif damage == "header-only":
        changed = b"\n".join(head) + b"\n"
    else:  # written by another format of the tool: a valid file, another header
        changed = raw.replace(
            b"%s %d" % (answers.MAGIC, answers.FORMAT), b"%s 0" % answers.MAGIC, 1
        )
        assert changed.split(b"\n", 3)[3] == body
    path.write_bytes(changed)
    again = run(home, capsys, "check")
    assert again.log == ["miss", "stored"]
    assert again.result == first.result
    assert run(home, capsys, "check").log == ["hit"]


def test_the_key_depends_on_what_can_change_an_output(
    ws: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    base = answers.key_of(["check"])
    assert answers.key_of(["check"]) == base
    assert answers.key_of(["--json", "check"]) != base
    for name, value in [
        ("LANG", "fr_FR.UTF-8"),
        ("ALUSAGE_LANG", "fr"),
        ("ALUSAGE_TODAY", "2026-03-31"),
        ("NO_COLOR", "1"),
        ("COLUMNS", "50"),
        ("TZ", "Pacific/Kiritimati"),
    ]:
        with monkeypatch.context() as patched:
            patched.setenv(name, value)
            assert answers.key_of(["check"]) != base, name
    assert answers.key_of(["check"]) == base
    monkeypatch.chdir(tmp_path)
    assert answers.key_of(["check"]) != base
    # the tool's own files and its libraries are part of it
    parts = answers._code_fingerprint()
    assert any(isinstance(p, tuple) and p[0] == "beancount" and p[1] for p in parts)
    assert any(isinstance(p, list) and any("answers.py" in f[0] for f in p) for p in parts)


@pytest.mark.parametrize(
    "args",
    [
        ["invoice", "add", "--entity", "coop", "--client", "A", "--amount-ht", "1"],
        ["shares", "atelier", "--month", "2026-01", "--post"],
        ["shares", "atelier", "--month", "2026-01", "--post=yes"],
        ["vat", "--entity", "coop", "--period", "2026-01", "--post"],
        ["close", "2026-01"],
        ["close", "2026-01", "--dry-run", "--commit"],
        ["review", "HEAD~1", "HEAD"],
        ["check", "--help"],
        ["--debug", "check"],
        ["--no-cache", "check"],
        ["report"],
        ["query", "SELECT 1"],
        ["export", "fec", "--entity", "coop", "--exercice", "2026"],
        [],
    ],
)
def test_commands_that_write_or_depend_on_more_are_never_considered(args: list[str]) -> None:
    assert answers.command_of(args) is None


def test_read_commands_are_found_among_global_options() -> None:
    assert answers.command_of(["--workspace", "check", "--lang", "fr", "check"]) == ("check",)
    assert answers.command_of(["--json", "report", "--lang=fr", "ledger", "-e", "x"]) == (
        "report",
        "ledger",
    )
    assert answers.command_of(["shares", "le97", "--month", "2026-01"]) == ("shares",)


def _compute_then(action: object) -> object:
    def compute(_args: list[str]) -> None:
        from alusage_ledger.books.config import find_workspace

        find_workspace()  # a workspace was read, as every real command does
        action()  # type: ignore[operator]
        raise SystemExit(0)

    return compute


def test_a_run_that_writes_calls_git_or_asks_is_not_kept(
    ws: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from alusage_ledger.books import ledger, locks
    from alusage_ledger.cli.interactive import _asking

    log = home / "log"
    cases = {
        "a file was written": lambda: ledger.atomic_write(ws / "note.txt", b"x"),
        "git was called": lambda: locks._git(ws, "status"),
        "a question was asked": lambda: _asking(lambda ctx: ctx)(None),
    }
    for reason, action in cases.items():
        with pytest.raises(SystemExit):
            answers.run(["check"], _compute_then(action))
        assert log.read_text("utf-8").splitlines()[-1] == f"not stored: {reason}"
    assert stored(home) == []


def test_a_run_that_fails_or_whose_file_changes_meanwhile_is_not_kept(
    ws: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    refused = run(home, capsys, "check", "--entity", "nobody")
    assert refused.code >= 2 and refused.log[-1].startswith("not stored")

    month = ws / "ledgers/coop/2026/03.beancount"

    def edit_meanwhile() -> None:
        from alusage_ledger.books.ledger import Workspace

        Workspace.open(ws).load("coop")
        with open(month, "a", encoding="utf-8") as handle:
            handle.write("\n")

    with pytest.raises(SystemExit):
        answers.run(["check"], _compute_then(edit_meanwhile))
    assert (
        (home / "log").read_text("utf-8").splitlines()[-1].endswith("changed while the command ran")
    )


def test_nothing_is_kept_with_the_cache_off_or_inside_the_workspace(
    ws: Path, home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALUSAGE_NO_CACHE", "1")
    assert run(home, capsys, "check").log == ["off: cache disabled"]
    monkeypatch.delenv("ALUSAGE_NO_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(ws / ".cache"))
    done = run(home, capsys, "check")
    assert done.log[-1] == "not stored: the cache folder is inside the workspace"
    assert not (ws / ".cache/alusage-ledger/answers").exists() or not any(
        (ws / ".cache/alusage-ledger/answers").iterdir()
    )


@pytest.mark.parametrize("seed", [1, 2])
def test_replayed_answers_equal_fresh_ones_after_random_edits(
    ws: Path, home: Path, capsys: pytest.CaptureFixture[str], seed: int
) -> None:
    rng = random.Random(seed)
    commands = [["check"], ["aged", "--as-of", "2026-03-31"], ["revenue", "--period", "2026"]]
    for _step in range(5):
        _edit(rng, ws)
        for command in commands:
            first = run(home, capsys, *command)
            second = run(home, capsys, *command)
            expected = fresh(home, capsys, *command).result
            assert first.result == expected
            assert second.result == expected
            if first.log[-1] == "stored":
                assert second.log == ["hit"]


def test_through_a_real_process(ws: Path, home: Path) -> None:
    env = {"ALUSAGE_ANSWERS_LOG": str(home / "log")}
    first = run_subprocess("--lang", "fr", "check", cwd=ws, env=env)
    second = run_subprocess("--lang", "fr", "check", cwd=ws, env=env)
    assert (first.returncode, first.stdout, first.stderr) == (0, second.stdout, second.stderr)
    assert "valides" in second.stdout
    lines = (home / "log").read_text("utf-8").splitlines()
    assert [line.split(" ")[0] for line in lines] == ["miss", "stored", "hit"]
