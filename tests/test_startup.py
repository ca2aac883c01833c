"""Lazy start-up (issue 13): ``--help`` and ``--version`` import no ledger machinery.

Each check runs in a fresh interpreter (``sys.modules`` of the test process is full) and
lists the top-level packages imported after the command ran.
"""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import run_subprocess

HEAVY = ("beancount", "beanquery", "babel", "rich")

_PROBE = """
import contextlib, io, json, sys
out = io.StringIO()
with contextlib.redirect_stdout(out):
    try:
        from alusage_ledger.cli import main
        main(json.loads(sys.argv[1]))
    except SystemExit:
        pass
print(json.dumps({"out": out.getvalue(),
                  "modules": sorted({m.split(".")[0] for m in sys.modules})}))
"""


def probe(*args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(list(args))],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "NO_COLOR": "1"},
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_version_imports_neither_typer_nor_the_library() -> None:
    result = probe("--version")
    assert result["out"].startswith("alusage-ledger ")
    for name in (*HEAVY, "typer", "pydantic"):
        assert name not in result["modules"], name


@pytest.mark.parametrize("args", [["--help"], ["--lang", "fr", "--help"]])
def test_root_help_imports_no_ledger_machinery(args: list[str]) -> None:
    result = probe(*args)
    assert "Usage" in result["out"] or "Utilisation" in result["out"]
    for name in (*HEAVY, "pydantic"):
        assert name not in result["modules"], name


def test_every_command_help_imports_no_ledger_machinery() -> None:
    """``<command> --help`` for the whole tree, in one interpreter (imports accumulate)."""
    script = """
import contextlib, io, json, sys
import typer.main
from alusage_ledger.cli.app import app, main
paths = []
def walk(command, prefix):
    paths.append(prefix)
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        walk(sub, prefix + [name])
walk(typer.main.get_command(app), [])
outputs = {}
for path in paths:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            main([*path, "--help"])
        except SystemExit:
            pass
    outputs[" ".join(path)] = out.getvalue()
print(json.dumps({"outputs": outputs,
                  "modules": sorted({m.split(".")[0] for m in sys.modules})}))
"""
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "NO_COLOR": "1"},
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(result["outputs"]) > 30
    for path, text in result["outputs"].items():
        assert "Usage" in text, path
    for name in HEAVY:
        assert name not in result["modules"], name


def _capture(run: Any, args: list[str]) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
        run(args=args, prog_name="alusage-ledger")
    return out.getvalue()


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("command", [[], ["invoice"], ["check"], ["report", "transparency"]])
def test_lazy_tree_prints_the_same_help_as_typer(lang: str, command: list[str]) -> None:
    from alusage_ledger.cli.app import app, lazy_root

    args = ["--lang", lang, *command, "--help"]
    eager = _capture(app, args)
    lazy = _capture(lazy_root(), args)
    assert lazy == eager
    assert lazy.startswith("Usage" if lang == "en" else "Utilisation")


def test_lazy_tree_suggests_and_runs_commands(empty_ws: Path) -> None:
    done = run_subprocess("chek", cwd=empty_ws)
    assert done.returncode == 2
    assert "did you mean 'check'?" in done.stderr
    done = run_subprocess("check", cwd=empty_ws)
    assert done.returncode == 0, done.stderr
