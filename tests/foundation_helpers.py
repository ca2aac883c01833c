"""Small builders shared by the foundation tests (ledger writer, loader, CLI core)."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from alusage_ledger.books.ledger import Workspace
from alusage_ledger.books.workspace_init import NewEntity, create_workspace

HERE = Path(__file__).resolve().parent
CHILD = HERE / "ledger_child.py"

BANK = "Actif:Banque:Courant"
CASH = "Actif:Caisse"


def make_ws(folder: Path, *entity_ids: str) -> Path:
    """A workspace made by ``init`` with small entities (``a`` by default), no git."""
    ids = entity_ids or ("a",)
    create_workspace(
        folder, tuple(NewEntity(i, "sas", f"Entity {i.upper()}") for i in ids), git=False
    )
    return folder


def meta(**values: Any) -> dict[str, Any]:
    from beancount.core import data

    out = data.new_metadata("<alusage>", 0)
    for key, value in values.items():
        out[key.replace("_", "-")] = value
    return out


def posting(account: str, number: str | Decimal | None, currency: str = "EUR", **kw: Any) -> Any:
    from beancount.core import amount, data

    units = None if number is None else amount.Amount(Decimal(number), currency)
    return data.Posting(account, units, None, None, kw.get("flag"), kw.get("meta"))


def txn(
    day: date = date(2026, 3, 5),
    narration: str = "test",
    number: str = "10.00",
    *,
    payee: str | None = None,
    tags: frozenset[str] = frozenset(),
    links: frozenset[str] = frozenset(),
    flag: str = "*",
    postings: list[Any] | None = None,
    **meta_values: Any,
) -> Any:
    from beancount.core import data

    if postings is None:
        postings = [posting(BANK, number), posting(CASH, str(-Decimal(number)))]
    return data.Transaction(meta(**meta_values), day, flag, payee, narration, tags, links, postings)


def parsed(ws_root: Path, entity: str = "a") -> list[Any]:
    """Entries as parsed from the files, by a fresh workspace (no cache)."""
    ledger = Workspace.open(ws_root).load(entity)
    assert ledger.ok, [p.render() for p in ledger.errors]
    return ledger.parsed_entries()


def gen_ids(ws_root: Path, entity: str = "a") -> list[str]:
    return [e.meta["gen-id"] for e in parsed(ws_root, entity) if "gen-id" in (e.meta or {})]


def child(*args: str, env: dict[str, str] | None = None, **kw: Any) -> subprocess.Popen[str]:
    import os

    return subprocess.Popen(
        [sys.executable, str(CHILD), *args],
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kw,
    )
