"""``demo``: the example workspace, materialized and put to work, with no set-up.

The example (``alusage.toml`` and ``ledgers/`` at the project's root) is shipped inside
the package as ``alusage_ledger/example``; from a source checkout it is read in place.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alusage_ledger.core.errors import RefusedError
from alusage_ledger.core.i18n import _


def example_source() -> Path:
    packaged = Path(__file__).resolve().parents[1] / "example"
    if (packaged / "alusage.toml").is_file():
        return packaged
    checkout = Path(__file__).resolve().parents[3]
    if (checkout / "alusage.toml").is_file() and (checkout / "ledgers").is_dir():
        return checkout
    raise RefusedError(_("The example workspace is not installed with this package."))


def materialize(dest: Path) -> Path:
    """Copy the example workspace into ``dest`` (which must be empty or absent)."""
    source = example_source()
    if dest.exists() and not dest.is_dir():
        raise RefusedError(
            _("{folder} is a file; demo only writes into a new or empty folder.").format(
                folder=dest
            )
        )
    if dest.exists() and any(dest.iterdir()):
        raise RefusedError(
            _("{folder} is not empty; demo only writes into a new or empty folder.").format(
                folder=dest
            )
        )
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source / "alusage.toml", dest / "alusage.toml")
    shutil.copytree(
        source / "ledgers",
        dest / "ledgers",
        ignore=shutil.ignore_patterns("*.alusage-tmp", "*.picklecache", "__pycache__"),
    )
    (dest / ".gitignore").write_text(".alusage.lock\n*.alusage-tmp\n*.picklecache\n", "utf-8")
    _git_init(dest)
    return dest


def _git_init(dest: Path) -> None:
    """A git repository with the example committed, so closing can commit and review diff."""
    env_args = ["-c", "user.name=alusage-ledger demo", "-c", "user.email=demo@alusage.invalid"]
    try:
        subprocess.run(
            ["git", "init", "-q", "-b", "main", str(dest)], check=True, capture_output=True
        )
        subprocess.run(["git", "-C", str(dest), "add", "-A"], check=True, capture_output=True)
        subprocess.run(
            ["git", "-C", str(dest), *env_args, "commit", "-q", "-m", "Example workspace"],
            check=True,
            capture_output=True,
        )
    except (OSError, subprocess.CalledProcessError):
        pass  # git is a convenience here, not a requirement


@dataclass
class DemoResult:
    folder: Path
    problems: list[Any] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
