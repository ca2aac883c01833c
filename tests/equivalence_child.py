"""One load mode of ``test_equivalence``, in its own process.

    python equivalence_child.py MODE ROOTS_JSON OUT_PICKLE

For each workspace root listed in ``ROOTS_JSON`` (one entity ``x``), load its ledger with
alusage-ledger's loader (through :class:`Workspace`, as the command line does) and, unless
``MODE`` is ``warm``, with Beancount's ``loader.load_file``; write a comparable summary of
both to ``OUT_PICKLE``. The disk cache is the one of ``$XDG_CACHE_HOME`` (the parent sets
it): a ``warm`` process finds what the ``cold`` one stored.
"""

from __future__ import annotations

import json
import pickle
import sys
import traceback
from pathlib import Path
from typing import Any

from beancount import loader as bean_loader

from alusage_ledger.books import beanpipe, cache
from alusage_ledger.books.ledger import Workspace

ENTITY = "x"


def dcontext_counts(dcontext: Any) -> Any:
    """What a display context has counted (it has no ``==``)."""

    def fields(context: Any) -> Any:
        return type(context).__name__, sorted(
            (name, sorted(value.hist.items()) if hasattr(value, "hist") else value)
            for name, value in vars(context).items()
        )

    return dcontext.commas, sorted(
        (currency, fields(context)) for currency, context in dcontext.ccontexts.items()
    )


def comparable_options(options: dict[str, Any]) -> dict[str, Any]:
    out = dict(options)
    if "dcontext" in out:
        out["dcontext"] = dcontext_counts(out["dcontext"])
    return out


def beancount_error(error: Any) -> tuple[str | None, int | None, str]:
    source = getattr(error, "source", None) or {}
    filename = source.get("filename") if isinstance(source, dict) else None
    line = source.get("lineno") if isinstance(source, dict) else None
    lines = str(getattr(error, "message", error)).strip().splitlines()
    return filename, int(line) if line else None, lines[0] if lines else ""


def crash() -> str:
    """The exception's last line (what a crash of both loaders must share)."""
    return traceback.format_exc().strip().splitlines()[-1]


def with_beancount(main: Path) -> dict[str, Any]:
    try:
        entries, errors, options = bean_loader.load_file(str(main))
    except Exception:
        return {"crash": crash()}
    return {
        "entries": entries,
        "errors": [beancount_error(e) for e in errors],
        "options": comparable_options(options),
    }


BOOKED: list[int] = [0]


def with_the_tool(root: Path) -> dict[str, Any]:
    before = BOOKED[0]
    try:
        ledger = Workspace.open(root).load(ENTITY)
    except Exception:
        return {"crash": crash(), "traceback": traceback.format_exc()}
    refused = not ledger.entries and not ledger.options
    return {
        "refused": refused,
        "entries": ledger.entries,
        "problems": [(p.file, p.line, p.message, p.severity) for p in ledger.problems],
        "options": comparable_options(ledger.options),
        "booked": BOOKED[0] > before,
    }


def main() -> None:
    mode, roots_json, out = sys.argv[1:4]
    bean_loader.initialize(False)
    # A cache that keeps every ledger's record (it keeps the 32 most recent ones).
    cache.KEEP_RECORDS = cache.KEEP_SLOTS = 1 << 20
    booking = beanpipe.book_transform_validate

    def counted(*args: Any, **kw: Any) -> Any:
        BOOKED[0] += 1
        return booking(*args, **kw)

    beanpipe.book_transform_validate = counted  # type: ignore[assignment]
    results: dict[str, Any] = {}
    for name in json.loads(Path(roots_json).read_text("utf-8")):
        root = Path(name)
        main_file = root / "ledgers" / ENTITY / "main.beancount"
        results[name] = {
            "tool": with_the_tool(root),
            "beancount": None if mode == "warm" else with_beancount(main_file),
        }
    Path(out).write_bytes(pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL))


if __name__ == "__main__":
    main()
