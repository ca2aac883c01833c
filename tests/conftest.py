"""Shared fixtures: temporary copies of the example workspace, a fresh workspace, the CLI.

Every test that writes works on a copy in ``tmp_path``; nothing touches the project's own
example workspace.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

PROJECT = Path(__file__).resolve().parents[1]

os.environ.setdefault("ALUSAGE_LOCK_TIMEOUT", "10")
# Tests pin the language they assert: whatever the developer's or CI's locale
# (LANG=fr_FR.UTF-8, LC_ALL, LANGUAGE...), the tool starts in English unless a test asks
# for French (``--lang fr``, or its own environment).
for _name in ("ALUSAGE_LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE"):
    os.environ.pop(_name, None)
os.environ["LANG"] = "C.UTF-8"


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file's bytes under ``folder`` (to prove a command changed nothing)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".git" not in p.parts and p.name != ".alusage.lock"
    }


@pytest.fixture
def example_ws(tmp_path: Path) -> Path:
    """A private copy of the example workspace (alusage.toml + ledgers/)."""
    dest = tmp_path / "ws"
    dest.mkdir()
    shutil.copy2(PROJECT / "alusage.toml", dest / "alusage.toml")
    shutil.copytree(PROJECT / "ledgers", dest / "ledgers")
    return dest


@pytest.fixture
def empty_ws(tmp_path: Path) -> Path:
    """A workspace made by ``init`` (four entities, no entries)."""
    from alusage_ledger.books.workspace_init import create_workspace

    dest = tmp_path / "new"
    create_workspace(dest, git=False)
    return dest


class Cli:
    """Run the CLI in-process (CliRunner) against a workspace."""

    def __init__(self, workspace: Path | None) -> None:
        self.workspace = workspace
        self.runner = CliRunner()

    def __call__(self, *args: str, lang: str = "en", input: str | None = None):  # type: ignore[no-untyped-def]
        argv = ["--lang", lang]
        if self.workspace is not None:
            argv += ["--workspace", str(self.workspace)]
        # Typer rebuilds its command tree on every invoke (most of an in-process call);
        # the tree does not depend on the invocation, so build it once per session.
        import typer.testing

        command = _click_command()
        original = typer.testing._get_command
        typer.testing._get_command = lambda _app: command
        try:
            from alusage_ledger.cli.app import app

            return self.runner.invoke(app, [*argv, *args], input=input)
        finally:
            typer.testing._get_command = original


_COMMAND_CACHE: list[object] = []


def _click_command() -> object:
    if not _COMMAND_CACHE:
        import typer.main

        from alusage_ledger.cli.app import app

        _COMMAND_CACHE.append(typer.main.get_command(app))
    return _COMMAND_CACHE[0]


@pytest.fixture
def cli(example_ws: Path) -> Cli:
    return Cli(example_ws)


@pytest.fixture
def cli_empty(empty_ws: Path) -> Cli:
    return Cli(empty_ws)


def run_subprocess(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """The real console script, in a child process."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "alusage_ledger", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def git_repo(tmp_path: Path) -> Iterator[Path]:
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    subprocess.run(
        ["git", "-C", str(repo), "config", "user.email", "t@example.invalid"], check=True
    )
    subprocess.run(["git", "-C", str(repo), "config", "user.name", "Test"], check=True)
    yield repo


@pytest.fixture(autouse=True, scope="session")
def _private_cache_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The cache of loaded ledgers (issue 13) goes to a temporary folder, never ~/.cache.

    Outside every test's own folder, so that snapshots of a workspace never see it.
    """
    folder = tmp_path_factory.mktemp("xdg-cache")
    before = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(folder)
    yield folder
    if before is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = before


@pytest.fixture(autouse=True)
def _unfreeze_after_load() -> Iterator[None]:
    """Loads freeze what they load (gc.freeze, issue 13): let a long test run collect it."""
    yield
    import gc

    gc.unfreeze()


@pytest.fixture
def english() -> Iterator[None]:
    """Library messages follow the language of the last command run in this process: start
    and end the test in English, so that a French command in it leaks into no other test
    (``pytestmark = pytest.mark.usefixtures("english")``)."""
    from alusage_ledger.core.i18n import set_language

    set_language("en")
    yield
    set_language("en")


@pytest.fixture
def pws(tmp_path: Path) -> Path:
    """The purchases workspace of ``purchases_helpers`` (bills, claims, lettering)."""
    from purchases_helpers import make_purchases_ws

    return make_purchases_ws(tmp_path / "ws")


@pytest.fixture
def pcli(pws: Path) -> Cli:
    return Cli(pws)


@pytest.fixture(autouse=True)
def _english_after_each_test() -> Iterator[None]:
    """A test that ran the CLI with ``--lang fr`` leaves the process in French (the
    language is process-wide): the next test starts in English again, and so does
    the global option state."""
    yield
    from alusage_ledger.cli import state
    from alusage_ledger.core.i18n import set_language

    set_language("en")
    state.reset()
