"""A real writer process for the concurrency and crash tests of ``test_ledger_write``.

    python ledger_child.py loop ROOT TAG COUNT      # COUNT appends, one per write
    python ledger_child.py once ROOT GEN_ID DAY     # one idempotent append (skip_present)
    python ledger_child.py hold ROOT SECONDS        # hold the workspace lock, then exit

Each entry carries ``gen-id`` metadata so the parent can count exactly what was kept.
"""

from __future__ import annotations

import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from alusage_ledger.books.ledger import Workspace
from alusage_ledger.books.writer import Append

ENTITY = "a"


def entry(day: date, gen_id: str, amount: str = "1.00") -> Any:
    from beancount.core import amount as amount_lib
    from beancount.core import data

    meta = data.new_metadata("<alusage>", 0)
    meta["gen-id"] = gen_id
    units = Decimal(amount)
    postings = [
        data.Posting(
            "Actif:Banque:Courant", amount_lib.Amount(units, "EUR"), None, None, None, None
        ),
        data.Posting("Actif:Caisse", amount_lib.Amount(-units, "EUR"), None, None, None, None),
    ]
    return data.Transaction(
        meta, day, "*", None, f"entry {gen_id}", frozenset(), frozenset(), postings
    )


def day_for(index: int) -> date:
    """Spread entries over six months, so new month files and includes race too."""
    return date(2026, 1 + index % 6, 1 + index % 28)


def loop(root: Path, tag: str, count: int) -> None:
    ws = Workspace.open(root)
    for index in range(count):
        with ws.lock():  # read → compute → write under one lock (W4)
            ws.load_checked(ENTITY)
            ws.write([Append(ENTITY, (entry(day_for(index), f"{tag}-{index}"),))])
        sys.stdout.write(f"{index}\n")
        sys.stdout.flush()


def once(root: Path, gen_id: str, day: str) -> None:
    ws = Workspace.open(root)
    ws.write([Append(ENTITY, (entry(date.fromisoformat(day), gen_id),))], skip_present="gen-id")


def hold(root: Path, seconds: float) -> None:
    ws = Workspace.open(root)
    with ws.lock():
        sys.stdout.write("locked\n")
        sys.stdout.flush()
        time.sleep(seconds)


if __name__ == "__main__":
    mode, folder, *rest = sys.argv[1:]
    if mode == "loop":
        loop(Path(folder), rest[0], int(rest[1]))
    elif mode == "once":
        once(Path(folder), rest[0], rest[1])
    elif mode == "hold":
        hold(Path(folder), float(rest[0]))
    else:
        raise SystemExit(f"unknown mode {mode}")
