"""What a review finds: per-entity changes, balance changes, findings, config lines.

The records :func:`~alusage_ledger.integrations.review.findings.compare` returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from alusage_ledger.integrations.review.sides import Entry


@dataclass(frozen=True)
class PostingChange:
    account: str
    currency: str
    old: Decimal | None
    new: Decimal | None

    @property
    def changed(self) -> bool:
        return self.old != self.new


@dataclass(frozen=True)
class Modified:
    old: Entry
    new: Entry
    fields: tuple[str, ...]
    postings: tuple[PostingChange, ...]


@dataclass(frozen=True)
class BalanceChange:
    account: str
    currency: str
    old: Decimal
    new: Decimal

    @property
    def delta(self) -> Decimal:
        return self.new - self.old


@dataclass(frozen=True)
class Finding:
    severity: str
    entity: str | None
    file: str | None
    line: int | None
    message: str

    def location(self) -> str:
        if self.file is None:
            return ""
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass
class EntityReview:
    entity: str
    added: list[Entry] = field(default_factory=list)
    removed: list[Entry] = field(default_factory=list)
    modified: list[Modified] = field(default_factory=list)
    balances: list[BalanceChange] = field(default_factory=list)

    @property
    def opened(self) -> list[str]:
        return [e.account for e in self.added if e.kind == "open" and e.account]

    @property
    def closed(self) -> list[str]:
        return [e.account for e in self.added if e.kind == "close" and e.account]

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed or self.modified or self.balances)


@dataclass(frozen=True)
class ConfigLine:
    sign: str  # "+" (in HEAD) or "-" (in BASE)
    line: int
    text: str


@dataclass
class Review:
    base: str
    head: str
    entities: list[EntityReview] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    config_lines: list[ConfigLine] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def changed(self) -> list[EntityReview]:
        return [e for e in self.entities if e.changed]
