"""The smallest end-to-end proof: init, check, write, check."""

from __future__ import annotations

from pathlib import Path

from conftest import Cli


def test_init_then_check(tmp_path: Path) -> None:
    result = Cli(None)("init", str(tmp_path / "w"), "--no-git")
    assert result.exit_code == 0, result.output
    result = Cli(tmp_path / "w")("check")
    assert result.exit_code == 0, result.output
    assert "entities checked: 4" in result.output
