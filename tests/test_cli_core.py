"""The foundation commands: init, check, query, demo, --version, global options, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Cli, run_subprocess, snapshot
from foundation_helpers import make_ws, txn

from alusage_ledger import __version__
from alusage_ledger.books.ledger import Workspace
from alusage_ledger.books.writer import Append
from alusage_ledger.core.chart import FRENCH_ROOTS

BIN = Path(sys.executable).parent
ROOT_OPTIONS = [
    f'option "{name}" "{root}"'
    for name, root in zip(
        ("name_assets", "name_liabilities", "name_equity", "name_income", "name_expenses"),
        FRENCH_ROOTS,
    )
]


def _one_error_sentence(output: str) -> str:
    assert "Traceback" not in output
    lines = [line for line in output.strip().splitlines() if line.startswith("Error: ")]
    assert len(lines) == 1, output
    return lines[0]


def _inside_git(folder: Path) -> bool:
    result = subprocess.run(
        ["git", "-C", str(folder), "rev-parse", "--is-inside-work-tree"],
        capture_output=True,
        text=True,
    )
    return result.returncode == 0


# --------------------------------------------------------------------------- init


def test_init_creates_a_valid_french_workspace(tmp_path: Path) -> None:
    from beancount.core import data
    from beancount.parser import parser

    folder = tmp_path / "books"
    result = Cli(None)("init", str(folder))
    assert result.exit_code == 0, result.output
    assert "Workspace created" in result.output
    gitignore = (folder / ".gitignore").read_text("utf-8").splitlines()
    assert ".alusage.lock" in gitignore and "*.picklecache" in gitignore
    if not _inside_git(tmp_path):
        assert (folder / ".git").is_dir()  # git init when not inside a repository
    entities = ("alusage", "myceliandre", "nicolas-jeudy", "christine-dornier")
    for entity in entities:
        folder_e = folder / "ledgers" / entity
        for file in sorted(folder_e.glob("*.beancount")):
            head = file.read_text("utf-8").splitlines()[:5]
            assert head == ROOT_OPTIONS, file  # every file repeats the French roots
        main = (folder_e / "main.beancount").read_text("utf-8")
        for option in ("account_current_earnings", "account_previous_earnings"):
            assert f'option "{option}" "Resultat:' in main
        entries, errors, _opts = parser.parse_file(str(folder_e / "accounts.beancount"))
        assert not errors
        opens = [e for e in entries if isinstance(e, data.Open)]
        assert opens
        for entry in opens:
            assert entry.meta["pcg"].isdigit(), entry.account
            assert entry.meta["label"], entry.account
        # Each ledger passes bean-check on its own (and opens in Fava).
        checked = subprocess.run(
            [str(BIN / "bean-check"), str(folder_e / "main.beancount")],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr
    result = Cli(folder)("check")
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output


def test_init_inside_a_git_repository_does_not_nest_one(git_repo: Path) -> None:
    result = Cli(None)("init", str(git_repo / "compta"), "--entity", "x:micro:Xavier")
    assert result.exit_code == 0, result.output
    assert not (git_repo / "compta" / ".git").exists()


def test_init_no_git(tmp_path: Path) -> None:
    result = Cli(None)("init", str(tmp_path / "w"), "--no-git", "--entity", "x:sas:X SAS")
    assert result.exit_code == 0
    assert not (tmp_path / "w" / ".git").exists()
    assert '[entities.x]\nname = "X SAS"' in (tmp_path / "w" / "alusage.toml").read_text()


@pytest.mark.parametrize(
    "existing", [".gitignore", "alusage.toml", "ledgers/alusage/main.beancount"]
)
def test_init_never_overwrites_anything(tmp_path: Path, existing: str) -> None:
    folder = tmp_path / "w"
    (folder / existing).parent.mkdir(parents=True)
    (folder / existing).write_text("mine\n")
    before = snapshot(tmp_path)
    result = Cli(None)("init", str(folder), "--no-git")
    assert result.exit_code == 4
    assert existing in _one_error_sentence(result.output)
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--entity", "x:sarl:X"), "id:kind:Name"),
        (("--entity", "X Y:sas:X"), "entity id"),
        (("--entity", "x:sas:Bad\nname"), "control"),
        (("--books-start", "2026-13"), "--books-start"),
    ],
)
def test_init_bad_usage(tmp_path: Path, args: tuple[str, ...], needle: str) -> None:
    result = Cli(None)("init", str(tmp_path / "w"), "--no-git", *args)
    assert result.exit_code == 2
    assert needle in _one_error_sentence(result.output)
    assert not (tmp_path / "w").exists()


def test_init_io_failure_exit_5(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("a file, not a folder\n")
    before = snapshot(tmp_path)
    result = Cli(None)("init", str(tmp_path / "file" / "w"), "--no-git")
    assert result.exit_code == 5
    assert "Cannot create" in _one_error_sentence(result.output)
    assert snapshot(tmp_path) == before


# --------------------------------------------------------------------------- check


@pytest.fixture
def small(tmp_path: Path) -> Path:
    root = make_ws(tmp_path / "ws", "a", "b")
    Workspace.open(root).write([Append("a", (txn(gen_id="one"),))])
    return root


def test_check_json_shape(small: Path) -> None:
    result = Cli(small)("--json", "check")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["ok"] is True and document["errors"] == []
    accounts = small / "ledgers/b/accounts.beancount"
    accounts.open("a").write(
        '\n2026-02-01 * "x"\n  Actif:Caisse 1.00 EUR\n  Actif:Attente -2.00 EUR\n'
    )
    result = Cli(small)("--json", "check")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["ok"] is False
    (error,) = document["errors"]
    assert set(error) == {"entity", "file", "line", "message"}
    assert error["entity"] == "b" and error["file"] == "ledgers/b/accounts.beancount"
    assert isinstance(error["line"], int)


def test_check_one_entity(small: Path) -> None:
    accounts = small / "ledgers/b/accounts.beancount"
    accounts.open("a").write(
        '\n2026-02-01 * "x"\n  Actif:Caisse 1.00 EUR\n  Actif:Attente -2.00 EUR\n'
    )
    assert Cli(small)("check", "--entity", "a").exit_code == 0
    result = Cli(small)("check", "-e", "b")
    assert result.exit_code == 1
    assert "ledgers/b/accounts.beancount:" in result.output


def test_global_options_before_and_after_the_command(small: Path) -> None:
    cli = Cli(None)
    before = cli("--workspace", str(small), "--json", "check")
    after = cli("check", "--json", "--workspace", str(small))
    mixed = cli("--json", "check", f"--workspace={small}")
    assert before.exit_code == after.exit_code == mixed.exit_code == 0
    assert before.stdout == after.stdout == mixed.stdout
    assert json.loads(after.stdout)["ok"] is True
    french = cli("check", "--workspace", str(small), "--lang", "fr")
    assert "Tous les livres sont valides" in french.output


def test_check_from_a_subfolder_finds_the_workspace(small: Path) -> None:
    result = run_subprocess("check", cwd=small / "ledgers" / "a")
    assert result.returncode == 0, result.stderr
    assert "entities checked: 2" in result.stdout


def test_check_on_the_example_workspace(cli: Cli) -> None:
    result = cli("check")
    assert result.exit_code == 0, result.output


# --------------------------------------------------------------------------- query


def test_query(small: Path) -> None:
    bql = "SELECT account, sum(position) AS total GROUP BY account ORDER BY account"
    result = Cli(small)("query", "a", bql)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["account", "total"]
    assert lines[2].split() == ["Actif:Banque:Courant", "10.00", "EUR"]
    assert lines[3].split() == ["Actif:Caisse", "-10.00", "EUR"]
    document = json.loads(Cli(small)("query", "a", bql, "--json").stdout)
    assert document == {
        "columns": ["account", "total"],
        "rows": [["Actif:Banque:Courant", "10.00 EUR"], ["Actif:Caisse", "-10.00 EUR"]],
    }


def test_query_errors(small: Path) -> None:
    before = snapshot(small)
    result = Cli(small)("query", "a", "SELEKT nothing")
    assert result.exit_code == 2
    assert "The query is invalid" in _one_error_sentence(result.output)
    result = Cli(small)("query", "aa", "SELECT 1")
    assert result.exit_code == 2
    assert "did you mean 'a'" in _one_error_sentence(result.output)
    accounts = small / "ledgers/a/accounts.beancount"
    accounts.open("a").write(
        '\n2026-02-01 * "x"\n  Actif:Caisse 1.00 EUR\n  Actif:Attente -2.00 EUR\n'
    )
    before = snapshot(small)
    result = Cli(small)("query", "a", "SELECT 1")
    assert result.exit_code == 1
    assert "run 'alusage-ledger check'" in _one_error_sentence(result.output)
    assert snapshot(small) == before


# --------------------------------------------------------------------------- demo


@pytest.mark.slow
def test_demo_writes_only_in_its_folder(tmp_path: Path) -> None:
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    target = tmp_path / "demo"
    result = run_subprocess("demo", str(target), cwd=cwd, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert str(target) in result.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cwd", "demo"]
    assert list(cwd.iterdir()) == []
    assert (target / "alusage.toml").is_file()
    assert Cli(target)("check").exit_code == 0


def test_demo_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    target = tmp_path / "demo"
    target.mkdir()
    (target / "notes.txt").write_text("mine\n")
    before = snapshot(tmp_path)
    result = Cli(None)("demo", str(target))
    assert result.exit_code == 4
    assert "not empty" in _one_error_sentence(result.output)
    assert snapshot(tmp_path) == before


# --------------------------------------------------------------------------- version, errors


def test_version() -> None:
    result = Cli(None)("--version")
    assert result.exit_code == 0
    assert result.stdout == f"alusage-ledger {__version__}\n"
    for args in (["--version"], ["-V"]):
        done = run_subprocess(*args)
        assert done.returncode == 0 and done.stdout == f"alusage-ledger {__version__}\n"


def test_exit_codes_of_each_error_class(small: Path, tmp_path: Path) -> None:
    cli = Cli(small)
    # 2: bad usage (click's own and the library's)
    assert cli("check", "--nope").exit_code == 2
    assert cli("check", "--entity", "zz").exit_code == 2
    # 3: bad configuration
    result = Cli(tmp_path / "nowhere")("check")
    assert result.exit_code == 3
    assert "No alusage.toml found" in _one_error_sentence(result.output)
    # 4: refused to write
    assert Cli(None)("init", str(small), "--no-git").exit_code == 4
    # 5: I/O
    (tmp_path / "plain").write_text("x")
    assert Cli(None)("init", str(tmp_path / "plain" / "w"), "--no-git").exit_code == 5
    # 1: the ledger has errors
    (small / "ledgers/a/main.beancount").write_text('include "missing.beancount"\n')
    result = cli("check")
    assert result.exit_code == 1
    assert "missing.beancount" in result.output and "Traceback" not in result.output


def test_error_as_json(tmp_path: Path) -> None:
    result = Cli(tmp_path)("--json", "check")
    assert result.exit_code == 3
    document = json.loads(result.stdout)
    assert document["ok"] is False and document["exit_code"] == 3
    assert "alusage.toml" in document["error"]


def test_debug_shows_the_traceback_only_when_asked(small: Path) -> None:
    plain = run_subprocess("--workspace", str(small), "check", "--entity", "zz")
    assert plain.returncode == 2
    assert "Traceback" not in plain.stderr
    assert plain.stderr.strip().splitlines() == [
        "Error: Unknown entity 'zz'; the entities are: a, b."
    ]
    debug = run_subprocess("--workspace", str(small), "check", "--entity", "zz", "--debug")
    assert debug.returncode == 2
    assert "Traceback (most recent call last)" in debug.stderr
    assert "UsageError" in debug.stderr
    assert debug.stderr.rstrip().endswith("Error: Unknown entity 'zz'; the entities are: a, b.")
