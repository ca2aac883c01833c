"""One side of a review, loaded in a child process that returns plain data.

Why this module exists: ``review`` reads somebody's branch, and loading a Beancount ledger
can run code (a ``plugin`` imports a module, ``insert_pythonpath`` puts the branch's folder
first on the import path, RELIABILITY L1 and L4). A side of a review is therefore

* written by the parent into a temporary folder that holds only ``alusage.toml`` and the
  ``*.beancount`` files of the revision (never a ``.py`` file, never a pickle cache);
* loaded here, with the one vetted loader (:func:`alusage_ledger.books.ledger.load_ledger` through
  :class:`~alusage_ledger.books.ledger.Workspace`), in a child interpreter started with ``-I``
  (no current folder, no ``PYTHONPATH`` on the import path) that the parent kills after a
  time limit;
* described as JSON: the canonical hash and a small description of every entry of the
  files that differ between the two sides, every account's final balance, the close and
  reopen marks, the ``option``/``plugin``/``include`` lines and the problems found. Entries
  of files identical on both sides are not sent: they cannot have changed.

Anything the vetting refuses is reported as a problem (a finding for the reviewer); it is
never run. The plugin allow-list used on both sides is the one given by the parent (the
base's, the trusted side): a branch cannot allow its own plugin.

    python -I -m alusage_ledger.integrations.review.worker REQUEST.json

``REQUEST.json`` holds ``lang``, ``allowed_plugins`` and ``jobs``: for each side its
``root``, the ``changed`` files, whether to run ``check`` and the ``output`` file. A
small review loads both sides in one child, one after the other; a large one gets a
child per side, running at the same time.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from beancount.core import data

from alusage_ledger.books.canonical import entry_hash
from alusage_ledger.books.checks import run_checks
from alusage_ledger.books.config import CONFIG_NAME, parse_config
from alusage_ledger.books.ledger import Workspace
from alusage_ledger.core.errors import ConfigError, LedgerErrors
from alusage_ledger.core.i18n import _, set_language

# Lines of a ledger file that change how it is read (not entries).
_DIRECTIVE = re.compile(
    rb'^[ \t]*(option|plugin|include)[ \t]+"((?:[^"\\\n]|\\.)*)"(?:[ \t]+"((?:[^"\\\n]|\\.)*)")?',
    re.MULTILINE,
)

_KINDS = {
    "Transaction": "transaction",
    "Open": "open",
    "Close": "close",
    "Balance": "balance",
    "Custom": "custom",
    "Note": "note",
    "Document": "document",
    "Event": "event",
    "Pad": "pad",
    "Price": "price",
    "Commodity": "commodity",
    "Query": "query",
}


def _text(value: Any) -> str:
    """A metadata or custom value as plain text (as it would read in the ledger)."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, date):
        return value.isoformat()
    number = getattr(value, "number", None)
    currency = getattr(value, "currency", None)
    if isinstance(number, Decimal) and isinstance(currency, str):
        return f"{number:f} {currency}"
    return str(value)


def _number(value: Any) -> str | None:
    return f"{value:f}" if isinstance(value, Decimal) else None


def _meta(meta: dict[str, Any] | None) -> dict[str, str]:
    return {
        str(key): _text(value)
        for key, value in (meta or {}).items()
        if key not in ("filename", "lineno") and not str(key).startswith("__")
    }


def describe_entry(entry: Any, rel: str, booked: Any | None = None) -> dict[str, Any]:
    """An entry as plain data: its canonical hash and what a reviewer reads of it.

    ``booked`` is the same transaction after booking, used for the amounts that the
    ledger leaves out (an elided posting); the hash is always of the parsed entry.
    """
    kind = _KINDS.get(type(entry).__name__, type(entry).__name__.lower())
    meta = entry.meta or {}
    view: dict[str, Any] = {
        "hash": entry_hash(entry),
        "kind": kind,
        "date": entry.date.isoformat(),
        "file": rel,
        "line": meta.get("lineno"),
        "meta": _meta(meta),
    }
    if "gen-hash" in meta:
        expected = entry_hash(entry, exclude_keys=frozenset({"gen-hash"}))
        view["gen_ok"] = meta.get("gen-hash") == expected
    if kind == "transaction":
        postings = entry.postings
        if booked is not None and any(
            not isinstance(getattr(p.units, "number", None), Decimal) for p in postings
        ):
            postings = booked.postings
        view.update(
            flag=entry.flag,
            payee=entry.payee,
            narration=entry.narration,
            tags=sorted(entry.tags or ()),
            links=sorted(entry.links or ()),
            postings=[
                [
                    p.account,
                    _number(getattr(p.units, "number", None)),
                    getattr(p.units, "currency", None)
                    if isinstance(getattr(p.units, "currency", None), str)
                    else None,
                ]
                for p in postings
            ],
        )
    elif kind in ("open", "close", "pad", "note", "document"):
        view["account"] = entry.account
        if kind == "open":
            view["values"] = sorted(entry.currencies or ())
        elif kind == "pad":
            view["text"] = entry.source_account
        elif kind == "note":
            view["text"] = entry.comment
        elif kind == "document":
            view["text"] = entry.filename
    elif kind == "balance":
        view["account"] = entry.account
        view["amount"] = [_number(entry.amount.number), entry.amount.currency]
        view["text"] = _number(entry.tolerance)
    elif kind == "custom":
        view["type"] = entry.type
        view["values"] = [_text(v.value) for v in entry.values]
    elif kind == "price":
        view["account"] = entry.currency
        view["amount"] = [_number(entry.amount.number), entry.amount.currency]
    elif kind == "commodity":
        view["account"] = entry.currency
    elif kind == "event":
        view["type"] = entry.type
        view["text"] = entry.description
    elif kind == "query":
        view["type"] = entry.name
        view["text"] = entry.query_string
    return view


def directives(raw: bytes, rel: str) -> list[list[Any]]:
    """``[file, line, kind, [arguments]]`` of every option, plugin and include line."""
    out: list[list[Any]] = []
    line = 1
    last = 0
    for match in _DIRECTIVE.finditer(raw):
        line += raw.count(b"\n", last, match.start())
        last = match.start()
        args = [g.decode("utf-8", "replace") for g in match.groups()[1:] if g is not None]
        out.append([rel, line, match.group(1).decode("ascii"), args])
    return out


def _problem(problem: Any) -> list[Any]:
    return [problem.severity, problem.entity, problem.file, problem.line, problem.message]


def describe_ledger(ledger: Any, changed: set[str]) -> dict[str, Any]:
    """What the parent needs of one entity's loaded ledger (see the module docstring)."""
    files: dict[str, str] = {}
    entries: list[dict[str, Any]] = []
    lines: list[list[Any]] = []
    marks: list[list[Any]] = []
    wanted: dict[str, str] = {}
    for parsed in ledger.files.values():
        files[parsed.rel] = parsed.digest
        if parsed.rel in changed:
            wanted[str(parsed.path)] = parsed.rel
        try:
            raw = parsed.path.read_bytes()
        except OSError:
            raw = b""
        lines.extend(directives(raw, parsed.rel))
        for entry in parsed.entries:
            if isinstance(entry, data.Custom) and entry.type in ("alusage-close", "alusage-reopen"):
                month = _text(entry.values[0].value) if entry.values else ""
                marks.append(
                    [
                        entry.type.removeprefix("alusage-"),
                        month,
                        entry.date.isoformat(),
                        parsed.rel,
                        (entry.meta or {}).get("lineno"),
                    ]
                )

    booked: dict[tuple[str, int], Any] = {}
    balances: dict[tuple[str, str], Decimal] = {}
    for entry in ledger.entries:
        if not isinstance(entry, data.Transaction):
            continue
        meta = entry.meta or {}
        if meta.get("filename") in wanted:
            booked[(str(meta["filename"]), int(meta.get("lineno") or 0))] = entry
        for posting in entry.postings:
            units = posting.units
            number = getattr(units, "number", None)
            if isinstance(number, Decimal):
                key = (posting.account, units.currency)
                balances[key] = balances.get(key, Decimal(0)) + number

    for parsed in ledger.files.values():
        if parsed.rel not in changed:
            continue
        for entry in parsed.entries:
            meta = entry.meta or {}
            twin = booked.get((str(meta.get("filename")), int(meta.get("lineno") or 0)))
            entries.append(describe_entry(entry, parsed.rel, twin))

    return {
        "found": True,
        # Vetting refusals leave no booked entries: balances are then unknown, not zero.
        "booked": bool(ledger.entries) or ledger.ok,
        "problems": [_problem(p) for p in ledger.problems],
        "files": files,
        "entries": entries,
        "directives": lines,
        "balances": [[a, c, f"{n:f}"] for (a, c), n in sorted(balances.items()) if n != 0],
        "marks": marks,
        "roots": list(ledger.roots()),
    }


def load_side(
    root: Path,
    changed: Iterable[str],
    *,
    check: bool,
    allowed_plugins: Iterable[str] | None,
) -> dict[str, Any]:
    """Load every entity of the workspace at ``root`` (a temporary copy of one revision)."""
    try:
        try:
            text = (root / CONFIG_NAME).read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            raise ConfigError(
                _("{file} is missing or not UTF-8 text.").format(file=CONFIG_NAME)
            ) from None
        # Named as in the workspace, not as in the temporary folder.
        config = parse_config(text, Path(CONFIG_NAME))
    except ConfigError as exc:
        return {"config_error": exc.message, "entities": {}, "check": [], "check_ran": False}
    if allowed_plugins is not None:
        # The trusted side's allow-list: a branch cannot allow its own plugin.
        settings = config.workspace.model_copy(update={"allowed_plugins": list(allowed_plugins)})
        config = config.model_copy(update={"workspace": settings})
    ws = Workspace(root, config)
    wanted = set(changed)
    out: dict[str, Any] = {"config_error": None, "entities": {}, "check": [], "check_ran": False}
    if check:
        try:
            # Only errors make a finding: warnings would only make the answer bigger.
            out["check"] = [_problem(p) for p in run_checks(ws) if p.severity == "error"]
        except Exception as exc:  # a rule's bug must not hide the rest of the review
            message = _("the checks could not run: {kind}: {detail}").format(
                kind=type(exc).__name__, detail=exc
            )
            out["check"] = [["error", None, None, None, message]]
        out["check_ran"] = True
    for entity in config.entities:
        try:
            ledger = ws.load(entity)
        except LedgerErrors as exc:
            out["entities"][entity] = {
                "found": False,
                "booked": False,
                "problems": [_problem(p) for p in exc.problems],
                "files": {},
                "entries": [],
                "directives": [],
                "balances": [],
                "marks": [],
                "roots": [],
            }
            continue
        out["entities"][entity] = describe_ledger(ledger, wanted)
    return out


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        sys.stderr.write(
            "usage: python -I -m alusage_ledger.integrations.review.worker REQUEST.json\n"
        )
        return 2
    request = json.loads(Path(args[0]).read_text(encoding="utf-8"))
    delay = os.environ.get("ALUSAGE_TEST_REVIEW_SLEEP")
    if delay:  # test hook: a side that loads too slowly is stopped by the parent
        time.sleep(float(delay))
    set_language(str(request.get("lang", "en")))
    for job in request["jobs"]:
        result = load_side(
            Path(job["root"]),
            job.get("changed", []),
            check=bool(job.get("check")),
            allowed_plugins=request.get("allowed_plugins"),
        )
        output = Path(job["output"])
        tmp = output.with_suffix(".tmp")
        tmp.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
        tmp.replace(output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
