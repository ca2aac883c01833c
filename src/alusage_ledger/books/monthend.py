"""The month-end steps other features contribute to ``close`` (issue: month-end closing).

Each feature registers a step that posts, idempotently, what month M needs (recurring
entries, le 97's shares, redistribution, VAT settlement). ``close`` runs them in
``ORDER`` for every entity that keeps double-entry books, then locks the month.

    @month_step("shares")
    def post_shares_for_close(ws, month, *, dry_run): -> list[str] (one line per thing written)
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alusage_ledger.books.ledger import Workspace

Step = Callable[["Workspace", str], list[str]]

ORDER = ("recurring", "shares", "redistribution", "vat")
#: Modules that register a step when imported.
STEP_MODULES: tuple[str, ...] = (
    "alusage_ledger.domains.commons.redistribution",
    "alusage_ledger.domains.purchases.recurring",
    "alusage_ledger.domains.sales.vat",
    "alusage_ledger.domains.places.shares",
)

STEPS: dict[str, Callable[..., list[str]]] = {}


def month_step(name: str) -> Callable[[Callable[..., list[str]]], Callable[..., list[str]]]:
    def register(step: Callable[..., list[str]]) -> Callable[..., list[str]]:
        STEPS[name] = step
        return step

    return register


def steps() -> list[tuple[str, Callable[..., list[str]]]]:
    for name in STEP_MODULES:
        importlib.import_module(name)
    return [(name, STEPS[name]) for name in ORDER if name in STEPS]
