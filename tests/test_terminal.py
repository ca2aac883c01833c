"""Terminal manners, tested in a real pseudo-terminal (pexpect) and through real pipes.

* on a terminal, a missing required option is asked for, and tables are Rich tables;
* piped, nothing is asked (exit 2 at once) and the output is plain text, no ANSI codes;
* ``NO_COLOR`` and ``--no-color`` give plain text on a terminal too; ``--quiet`` prints
  only what was asked for.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import Cli, snapshot

pexpect = pytest.importorskip("pexpect")

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
BOX = set("┏┃┡│└━─")


def _env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("NO_COLOR", "ALUSAGE_NO_PROMPT", "ALUSAGE_LANG", "COLUMNS", "LINES")
    }
    env.update({"TERM": "xterm-256color", "LANG": "C.UTF-8"})
    env.update(extra)
    return env


def _spawn(ws: Path, *args: str, **env: str) -> Any:
    return pexpect.spawn(
        sys.executable,
        ["-m", "alusage_ledger", "--workspace", str(ws), *args],
        env=_env(**env),
        encoding="utf-8",
        timeout=60,
        dimensions=(40, 120),
    )


def _pipe(ws: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "alusage_ledger", "--workspace", str(ws), *args],
        env=_env(**env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_missing_option_is_asked_for_on_a_terminal_and_the_table_is_rich(
    example_ws: Path,
) -> None:
    child = _spawn(example_ws, "--lang", "fr", "usage", "list", "le97")
    child.expect(r"Le mois, AAAA-MM \(--month\): ")
    child.sendline("2026-13")  # a bad answer: one sentence, exit 2, never a traceback
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2
    assert "Traceback" not in child.before

    child = _spawn(example_ws, "--lang", "fr", "usage", "list", "le97")
    child.expect(r"\(--month\): ")
    child.sendline("2026-10")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    screen = child.before
    assert BOX & set(screen), screen  # a Rich table, with its box drawing
    plain = ANSI.sub("", screen)
    assert "jours d'utilisation en 2026-10" in plain
    row = next(line for line in plain.splitlines() if "membre-a" in line)
    assert re.search(r"│ membre-a\s+│ Membre A\s+│\s+31 │\s+5\.5 │", row), row
    assert ANSI.search(screen), "colours or styles are expected on a terminal"


def test_every_required_option_is_asked_in_turn(example_ws: Path) -> None:
    before = snapshot(example_ws)
    child = _spawn(example_ws, "usage", "set", "le97", "membre-a")
    child.expect(r"The month, YYYY-MM \(--month\): ")
    child.sendline("2026-11")
    child.expect(r"Days of use, e\.g\. 12 or 12\.5 \(--days\): ")
    child.sendline("7")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert snapshot(example_ws) != before
    text = (example_ws / "ledgers" / "myceliandre" / "2026" / "11.beancount").read_text("utf-8")
    assert 'custom "alusage-usage" "le97" "membre-a" 7' in text


def test_nothing_is_asked_when_not_on_a_terminal(example_ws: Path) -> None:
    result = _pipe(example_ws, "usage", "list", "le97")
    assert result.returncode == 2
    assert "Missing option '--month' / '-m'" in result.stderr
    assert "(--month):" not in result.stdout


def test_alusage_no_prompt_turns_questions_off_on_a_terminal(example_ws: Path) -> None:
    child = _spawn(example_ws, "usage", "list", "le97", ALUSAGE_NO_PROMPT="1")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2
    assert "Missing option" in child.before


def test_piped_output_is_plain(example_ws: Path) -> None:
    result = _pipe(example_ws, "usage", "list", "le97", "--month", "2026-10")
    assert result.returncode == 0, result.stderr
    assert not ANSI.search(result.stdout + result.stderr)
    assert not BOX & set(result.stdout)
    lines = result.stdout.splitlines()
    assert lines[0] == "Le 97: days of use in 2026-10 (31 days)"
    assert re.fullmatch(r"membre-a\s+Membre A\s+31\s+5\.5", lines[5]), lines


@pytest.mark.parametrize(
    ("args", "env"),
    [(("--no-color",), {}), ((), {"NO_COLOR": "1"})],
    ids=["--no-color", "NO_COLOR"],
)
def test_no_color_gives_plain_text_on_a_terminal(
    example_ws: Path, args: tuple[str, ...], env: dict[str, str]
) -> None:
    child = _spawn(example_ws, *args, "usage", "list", "le97", "-m", "2026-10", **env)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert not ANSI.search(child.before)
    assert not BOX & set(child.before)
    assert "membre-a" in child.before


def test_quiet_prints_only_what_was_asked_for(cli: Cli) -> None:
    loud = cli("usage", "set", "le97", "membre-a", "-m", "2026-11", "--days", "4")
    assert loud.exit_code == 0 and loud.output.strip()
    quiet = cli("--quiet", "usage", "set", "le97", "membre-a", "-m", "2026-11", "--days", "5")
    assert quiet.exit_code == 0
    assert quiet.output == ""
    listed = cli("-q", "usage", "list", "le97", "-m", "2026-11")
    assert "membre-a" in listed.output  # what was asked for is still printed


def test_progress_is_shown_only_to_a_person() -> None:
    from alusage_ledger.cli import state
    from alusage_ledger.outputs.render.progress import show_progress, steps, working

    state.reset()
    assert not show_progress()  # pytest's stderr is not a terminal
    with working("never shown"), steps("never shown", total=10) as advance:
        advance()
    state.reset(json=True)
    assert not show_progress()
    state.reset()


def test_prompts_are_set_only_on_required_value_options() -> None:
    import typer.main

    from alusage_ledger.cli.app import app
    from alusage_ledger.cli.interactive import enable_prompts

    root = typer.main.get_command(app)
    enable_prompts(root, on=True)
    vat = root.commands["vat"]
    asked = {p.name: p.prompt for p in vat.params if getattr(p, "prompt", None)}
    assert asked == {
        "entity": "The entity id, e.g. alusage (--entity)",
        "period": "2026-11, 2026-Q4 or 2026 (CA12) (--period)",
    }
    assert all(not getattr(p, "prompt", None) for p in vat.params if p.name in ("post", "dry_run"))
    enable_prompts(root, on=False)
    assert all(not getattr(p, "prompt", None) for p in vat.params)
