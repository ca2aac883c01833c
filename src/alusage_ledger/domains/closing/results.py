"""What ``close`` and ``reopen`` report: each entity's status, the steps' lines, the
files written (or, for a dry run, planned)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from alusage_ledger.core.periods import Month


@dataclass
class EntityClose:
    entity: str
    # "closed", "already-closed", "not-started" (before books_start), "not-closed" (its
    # ledger has errors: ``reason``), "skipped" (another entity was named)
    status: str
    file: str | None = None
    digest: str | None = None
    assertions: int = 0
    reason: str | None = None


@dataclass
class CloseResult:
    month: Month
    dry_run: bool = False
    already_closed: bool = False
    entities: list[EntityClose] = field(default_factory=list)
    steps: list[tuple[str, list[str]]] = field(default_factory=list)
    reports: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    planned: dict[str, str] = field(default_factory=dict)
    commit: str | None = None

    @property
    def not_closed(self) -> list[EntityClose]:
        """The entities asked for that errors kept from being closed."""
        return [e for e in self.entities if e.status == "not-closed"]

    #: The files of ``reports/<M>/`` (relative to it), as planned.
    report_bytes: dict[str, bytes] = field(default_factory=dict)
    #: The interrupted close of this month was finished first (its journal).
    resumed: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "month": str(self.month),
            "dry_run": self.dry_run,
            "already_closed": self.already_closed,
            "resumed": self.resumed,
            "entities": [
                {
                    "entity": e.entity,
                    "status": e.status,
                    "file": e.file,
                    "digest": e.digest,
                    "assertions": e.assertions,
                    "reason": e.reason,
                }
                for e in self.entities
            ],
            "steps": [{"name": name, "lines": lines} for name, lines in self.steps],
            "reports": self.reports,
            "written": self.written,
            "planned": self.planned if self.dry_run else {},
            "commit": self.commit,
        }


@dataclass
class ReopenResult:
    month: Month
    reason: str
    entities: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
