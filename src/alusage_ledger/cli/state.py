"""Global options shared by every command (``--workspace``, ``--json``, ``--lang``...)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alusage_ledger.books.ledger import Workspace


@dataclass
class State:
    workspace_path: Path | None = None
    json: bool = False
    color: bool = True
    debug: bool = False
    quiet: bool = False
    lang: str = "en"
    _workspace: Workspace | None = None

    def workspace(self) -> Workspace:
        """The workspace of ``--workspace`` or found from the current directory (cached)."""
        if self._workspace is None:
            from alusage_ledger.books.config import find_workspace
            from alusage_ledger.books.ledger import Workspace

            root = find_workspace(self.workspace_path)
            self._workspace = Workspace.open(root)
        return self._workspace


STATE = State()


def reset(**values: object) -> State:
    global STATE
    STATE = State(**values)  # type: ignore[arg-type]
    return STATE


def current() -> State:
    return STATE
