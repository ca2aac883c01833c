"""What one side of a review holds, as plain data: entries, directives, marks, problems.

:mod:`alusage_ledger.integrations.review.worker` describes each side (BASE or HEAD) as
JSON in a child process; :meth:`Side.from_data` reads that back into these
records, which :mod:`.pairing` and :mod:`.findings` compare.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


def _decimal(value: Any) -> Decimal | None:
    return Decimal(value) if isinstance(value, str) else None


@dataclass(frozen=True)
class Posting:
    account: str
    number: Decimal | None
    currency: str | None


@dataclass(frozen=True)
class Entry:
    """One directive of one side, as the worker described it."""

    hash: str
    kind: str
    date: str
    file: str
    line: int | None
    meta: Mapping[str, str] = field(default_factory=dict)
    flag: str | None = None
    payee: str | None = None
    narration: str | None = None
    tags: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    postings: tuple[Posting, ...] = ()
    account: str | None = None
    amount: tuple[Decimal | None, str] | None = None
    type: str | None = None
    values: tuple[str, ...] = ()
    text: str | None = None
    gen_ok: bool | None = None

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Entry:
        amount = data.get("amount")
        return cls(
            hash=str(data["hash"]),
            kind=str(data["kind"]),
            date=str(data["date"]),
            file=str(data["file"]),
            line=data.get("line"),
            meta=dict(data.get("meta") or {}),
            flag=data.get("flag"),
            payee=data.get("payee"),
            narration=data.get("narration"),
            tags=tuple(data.get("tags") or ()),
            links=tuple(data.get("links") or ()),
            postings=tuple(
                Posting(str(a), _decimal(n), c) for a, n, c in data.get("postings") or ()
            ),
            account=data.get("account"),
            amount=(_decimal(amount[0]), str(amount[1])) if amount else None,
            type=data.get("type"),
            values=tuple(str(v) for v in data.get("values") or ()),
            text=data.get("text"),
            gen_ok=data.get("gen_ok"),
        )

    @property
    def month(self) -> str:
        # A side is JSON made from a git revision that may hold anything: its months stay
        # text as written, so that the review compares and shows them, malformed or not.
        return self.date[:7]

    def summary(self) -> str:
        """One line, close to the ledger's own text (language-independent)."""
        if self.kind == "transaction":
            parts = [self.date, self.flag or "*"]
            if self.payee is not None:
                parts.append(_quoted(self.payee))
            parts.append(_quoted(self.narration or ""))
            parts += [f"#{t}" for t in self.tags] + [f"^{link}" for link in self.links]
            return " ".join(parts)
        if self.kind == "balance" and self.amount:
            number = "" if self.amount[0] is None else f"{self.amount[0]:f}"
            return f"{self.date} balance {self.account} {number} {self.amount[1]}"
        if self.kind == "custom":
            return " ".join([self.date, "custom", _quoted(self.type or ""), *self.values])
        tail = [x for x in (self.account, self.type, self.text) if x]
        return " ".join([self.date, self.kind, *tail])


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass(frozen=True)
class Directive:
    """An ``option``, ``plugin`` or ``include`` line of a ledger file."""

    file: str
    line: int | None
    kind: str
    args: tuple[str, ...]


@dataclass(frozen=True)
class Mark:
    """A ``custom "alusage-close"`` (kind ``close``) or ``"alusage-reopen"`` directive."""

    kind: str
    month: str
    date: str
    file: str
    line: int | None


@dataclass(frozen=True)
class Problem:
    severity: str
    entity: str | None
    file: str | None
    line: int | None
    message: str

    @classmethod
    def from_data(cls, data: Sequence[Any]) -> Problem:
        severity, entity, file, line, message = data
        return cls(str(severity), entity, file, line, str(message))


@dataclass
class EntitySide:
    """One entity's ledger at one side."""

    entity: str
    found: bool = True
    booked: bool = True
    problems: list[Problem] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)
    entries: list[Entry] = field(default_factory=list)
    directives: list[Directive] = field(default_factory=list)
    balances: dict[tuple[str, str], Decimal] = field(default_factory=dict)
    marks: list[Mark] = field(default_factory=list)
    roots: tuple[str, ...] = ()

    @classmethod
    def from_data(cls, entity: str, data: Mapping[str, Any]) -> EntitySide:
        return cls(
            entity=entity,
            found=bool(data.get("found", True)),
            booked=bool(data.get("booked", True)),
            problems=[Problem.from_data(p) for p in data.get("problems") or ()],
            files=dict(data.get("files") or {}),
            entries=[Entry.from_data(e) for e in data.get("entries") or ()],
            directives=[
                Directive(str(f), line, str(kind), tuple(args))
                for f, line, kind, args in data.get("directives") or ()
            ],
            balances={(str(a), str(c)): Decimal(n) for a, c, n in data.get("balances") or ()},
            marks=[Mark(*m) for m in data.get("marks") or ()],
            roots=tuple(data.get("roots") or ()),
        )


@dataclass
class Side:
    """BASE or HEAD: its label, config text, entities, HEAD's check, and what went wrong."""

    label: str
    config_text: str | None = None
    config_error: str | None = None
    entities: dict[str, EntitySide] = field(default_factory=dict)
    check: list[Problem] = field(default_factory=list)
    check_ran: bool = False
    failure: str | None = None
    skipped: list[str] = field(default_factory=list)

    @classmethod
    def from_data(
        cls,
        label: str,
        data: Mapping[str, Any],
        *,
        config_text: str | None = None,
        failure: str | None = None,
        skipped: Iterable[str] = (),
    ) -> Side:
        return cls(
            label=label,
            config_text=config_text,
            config_error=data.get("config_error"),
            entities={
                name: EntitySide.from_data(name, value)
                for name, value in (data.get("entities") or {}).items()
            },
            check=[Problem.from_data(p) for p in data.get("check") or ()],
            check_ran=bool(data.get("check_ran")),
            failure=failure,
            skipped=list(skipped),
        )

    @property
    def usable(self) -> bool:
        return self.failure is None and self.config_error is None
