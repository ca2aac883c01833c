"""Global options shared by every command (``--workspace``, ``--json``, ``--lang``...).

:func:`reset` also hands the options rendering needs (``--json``, ``--no-color``,
``--quiet``, ``--wide``) to :mod:`alusage_ledger.outputs.render.settings`, which the renderers read.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from alusage_ledger.outputs.render import settings

if TYPE_CHECKING:
    from alusage_ledger.books.ledger import Workspace


class State:
    """The global options of this run (a plain class: a dataclass would cost start-up)."""

    def __init__(
        self,
        *,
        workspace_path: Path | None = None,
        json: bool = False,
        color: bool = True,
        debug: bool = False,
        quiet: bool = False,
        wide: bool = False,
        lang: str = "en",
    ) -> None:
        self.workspace_path = workspace_path
        self.json = json
        self.color = color
        self.debug = debug
        self.quiet = quiet
        self.wide = wide
        self.lang = lang
        self._workspace: Workspace | None = None

    def workspace(self) -> Workspace:
        """The workspace of ``--workspace`` or found from the current directory (cached)."""
        if self._workspace is None:
            # lazy: the books (pydantic, Beancount) load only when the command runs
            from alusage_ledger.books.config import find_workspace

            # lazy: the books (pydantic, Beancount) load only when the command runs
            from alusage_ledger.books.ledger import Workspace

            root = find_workspace(self.workspace_path)
            self._workspace = Workspace.open(root)
            # A command killed half-way left its journal: every command finishes it
            # first, so that none reads the books between two states (issue 22).
            self._workspace.finish_interrupted()
        return self._workspace


STATE = State()


def reset(**values: object) -> State:
    global STATE
    STATE = State(**values)  # type: ignore[arg-type]
    settings.configure(json=STATE.json, color=STATE.color, quiet=STATE.quiet, wide=STATE.wide)
    return STATE


def current() -> State:
    return STATE
