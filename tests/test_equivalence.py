"""The loader gives what Beancount gives, on ledgers nobody here wrote (issue 24).

Every ledger text embedded in Beancount's installed ``*_test.py`` files (the docstrings
of ``@loader.load_doc()`` / ``@parser.parse_doc()`` / ``@test_utils.docfile`` tests and
the other triple-quoted ledgers) and ``bean-example`` outputs with several seeds are
written to one-entity workspaces, each ``main.beancount`` ending with
``include "edit.beancount"``, a small file with prices. Each is loaded by Beancount's
``loader.load_file`` and by alusage-ledger's loader in three modes, each in its own
process (``equivalence_child.py``) sharing one disk cache:

- **cold**: an empty cache;
- **warm**: a second process, served by the disk cache (checked: nothing booked again);
- **edit**: after ``edit.beancount`` changed, in a third process (the other file's parse
  comes from the disk cache).

The entries (with their metadata), the errors (file, line, first line of the message)
and the options must be equal, except where docs/loading-and-writing.md says the tool
differs on purpose: a refused ledger is asserted by its reason (what Beancount would run
or read outside the workspace, computed here from the text), and Beancount's ``<load>``
errors (a missing or twice-included file) are the tool's, at the include's line.
"""

from __future__ import annotations

import ast
import json
import os
import pickle
import re
import shutil
import subprocess
import sys
import textwrap
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import beancount
import pytest
from beancount.parser import options as bean_options
from beancount.parser import parser as bean_parser

from alusage_ledger.books.config import DEFAULT_ALLOWED_PLUGINS

HERE = Path(__file__).resolve().parent
CHILD = HERE / "equivalence_child.py"
BIN = Path(sys.executable).parent
BEANCOUNT = Path(beancount.__file__).resolve().parent
SEEDS = (1, 7, 42)
ENTITY = "x"
CONFIG = (
    f'[entities.{ENTITY}]\nname = "X"\nkind = "sas"\nledger = "ledgers/{ENTITY}/main.beancount"\n'
)
EDIT_BEFORE = "2000-01-01 price EDITPROBE 7.00 USD\n2000-01-02 price EDITPROBE 7.5 USD\n"
EDIT_AFTER = EDIT_BEFORE + "2000-01-03 price EDITPROBE 7.125 USD\n"
DIRECTIVE = re.compile(
    r"^\s*(\d{4}-\d{2}-\d{2}\s+(open|close|txn|balance|pad|price|note|document|event|"
    r"custom|commodity|query|\*|!)\b|(option|plugin|include)\s+\")",
    re.M,
)
DECORATED = re.compile(r"(load_doc|parse_doc|docfile)")


def beancount_test_ledgers() -> dict[str, str]:
    """Every ledger text of Beancount's own tests, by a readable id (file, line)."""
    texts: dict[str, str] = {}
    seen: set[str] = set()
    for path in sorted(BEANCOUNT.rglob("*_test.py")):
        tree = ast.parse(path.read_text("utf-8"))
        where = path.relative_to(BEANCOUNT).with_suffix("").as_posix().replace("/", ".")
        docstrings: set[int] = set()
        found: list[tuple[int, str]] = []
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and any(
                DECORATED.search(ast.unparse(d)) for d in node.decorator_list
            ):
                doc = ast.get_docstring(node, clean=False)
                if doc is not None:
                    first = node.body[0]
                    assert isinstance(first, ast.Expr)
                    docstrings.add(id(first.value))
                    found.append((first.lineno, textwrap.dedent(doc)))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
            ):
                text = textwrap.dedent(node.value)
                if DIRECTIVE.search(text):
                    found.append((node.lineno, text))
        for line, text in sorted(found):
            if text not in seen:
                seen.add(text)
                texts[f"{where}:{line}"] = text
    return texts


def test_beancounts_test_ledgers_are_all_found() -> None:
    texts = beancount_test_ledgers()
    assert len(texts) >= 600, len(texts)
    names = {name.split(":")[0] for name in texts}
    assert {"loader_test", "parser.grammar_test", "plugins.check_closing_test"} <= names


# --------------------------------------------------------------------------- refusals


def expected_refusals(text: str, main: Path, root: Path) -> set[str]:
    """Why the tool must refuse this text (docs/loading-and-writing.md), from the text."""
    _entries, _errors, opts = bean_parser.parse_string(text)
    reasons: set[str] = set()
    for name, _config in opts["plugin"]:
        if name not in DEFAULT_ALLOWED_PLUGINS:
            reasons.add(f"plugin {name!r} is refused")
    if opts.get("insert_pythonpath"):
        reasons.add("option 'insert_pythonpath' is refused")
    if opts.get("plugin_processing_mode") == "raw":
        reasons.add("option 'plugin_processing_mode' \"raw\" is refused")
    for name in (
        "inferred_tolerance_default",
        "tolerance_multiplier",
        "inferred_tolerance_multiplier",
        "infer_tolerance_from_cost",
    ):
        if opts.get(name) != bean_options.OPTIONS_DEFAULTS.get(name):
            reasons.add(f"option {name!r} is refused")
    for folder in opts.get("documents", []):
        real = os.path.realpath(main.parent / folder)
        if os.path.isabs(folder) or not real.startswith(str(root) + os.sep):
            reasons.add(f"option 'documents' {folder!r} is refused")
    for include in opts["include"]:
        if os.path.isabs(include) or any(ch in include for ch in "*?["):
            reasons.add(f"include {include!r} is refused: includes must be relative")
            continue
        target = os.path.realpath(main.parent / include)
        if not target.startswith(str(root) + os.sep):
            reasons.add(f"include {include!r} is refused: it leads outside")
        elif os.path.exists(target) and not target.endswith(".beancount"):
            reasons.add(f"include {include!r} is refused: only regular .beancount")
    return reasons


# --------------------------------------------------------------------------- the runs


#: Hand-written cases for what no Beancount test ledger has (several files, links):
#: ``main.beancount`` and the other files; a value ``-> target`` is a symbolic link.
EDGE_CASES: dict[str, dict[str, str]] = {
    "edge:included-twice": {
        "main.beancount": 'include "a.beancount"\ninclude "a.beancount"\n',
        "a.beancount": "2024-01-01 open Assets:Bank EUR\n",
    },
    "edge:cycle": {
        "main.beancount": 'include "a.beancount"\n',
        "a.beancount": '2024-01-01 open Assets:Bank EUR\ninclude "main.beancount"\n',
    },
    "edge:missing-include-and-an-error": {
        "main.beancount": 'include "gone.beancount"\n2024-01-02 * "x"\n  Assets:Bank  1.00 EUR\n',
    },
    "edge:symlinked-folder": {
        "main.beancount": 'include "link/month.beancount"\n',
        "link": "-> real",
        "real/month.beancount": (
            '2024-01-01 open Assets:Bank EUR\ninclude "other.beancount"\n'
            '2024-01-02 * "x"\n  Assets:Bank  1.00 EUR\n'
        ),
        "real/other.beancount": "2024-01-01 open Assets:Cash EUR\n",
    },
    "edge:interpolated-across-files": {
        "main.beancount": (
            '2024-01-01 open Assets:Bank\n2024-01-01 open Expenses:Food\ninclude "m.beancount"\n'
            '2024-01-06 * "left out"\n  Assets:Bank  -2.47 USD\n  Expenses:Food\n'
            '2024-01-07 * "three"\n  Assets:Bank  -1.125 USD\n  Expenses:Food\n'
        ),
        "m.beancount": '2024-01-07 * "one decimal"\n  Assets:Bank  -7.0 USD\n  Expenses:Food\n',
    },
}


def _write_workspace(root: Path, text: str | dict[str, str]) -> None:
    folder = root / "ledgers" / ENTITY
    folder.mkdir(parents=True)
    (root / "alusage.toml").write_text(CONFIG, "utf-8")
    files = {"main.beancount": text} if isinstance(text, str) else dict(text)
    main = files.pop("main.beancount")
    ending = "" if main.endswith("\n") or not main else "\n"
    (folder / "main.beancount").write_text(f'{main}{ending}\ninclude "edit.beancount"\n', "utf-8")
    (folder / "edit.beancount").write_text(EDIT_BEFORE, "utf-8")
    for rel, content in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if content.startswith("-> "):
            path.symlink_to(content[3:])
        else:
            path.write_text(content, "utf-8")


def _bean_example(seed: int) -> str:
    result = subprocess.run(
        [
            str(BIN / "bean-example"),
            "--date-begin",
            "2023-01-01",
            "--date-end",
            "2024-12-31",
            "--seed",
            str(seed),
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return result.stdout


def _child(mode: str, roots: list[str], work: Path, env: dict[str, str]) -> dict[str, Any]:
    listing = work / f"{mode}.json"
    listing.write_text(json.dumps(roots), "utf-8")
    out = work / f"{mode}.pickle"
    result = subprocess.run(
        [sys.executable, str(CHILD), mode, str(listing), str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    loaded: dict[str, Any] = pickle.loads(out.read_bytes())
    return loaded


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    work = tmp_path_factory.mktemp("equivalence")
    ledgers: dict[str, str | dict[str, str]] = dict(beancount_test_ledgers())
    ledgers.update(EDGE_CASES)
    for seed in SEEDS:
        ledgers[f"bean-example:{seed}"] = _bean_example(seed)
    roots: dict[str, str] = {}
    for number, (name, text) in enumerate(ledgers.items()):
        root = work / "ws" / f"{number:04d}"
        _write_workspace(root, text)
        roots[str(root)] = name
    env = {
        **os.environ,
        "XDG_CACHE_HOME": str(work / "cache"),
        "ALUSAGE_NO_CACHE": "",
        "PYTHONPATH": str(HERE),
        # Beancount reports some errors in the order of a set of account names.
        "PYTHONHASHSEED": "0",
    }
    order = list(roots)
    cold = _child("cold", order, work, env)
    warm = _child("warm", order, work, env)
    for root in order:
        (Path(root) / "ledgers" / ENTITY / "edit.beancount").write_text(EDIT_AFTER, "utf-8")
    edit = _child("edit", order, work, env)
    shutil.rmtree(work / "cache", ignore_errors=True)
    return {"names": roots, "texts": ledgers, "cold": cold, "warm": warm, "edit": edit}


# --------------------------------------------------------------------------- comparing


LOAD_ERROR = re.compile(
    r'^(File glob "(?P<missing>.*)" does not match any files|'
    r'Duplicate filename parsed: "(?P<twice>.*)")$'
)
TOOL_MISSING = re.compile(r"^the included file '(?P<path>.*)' does not exist")
TOOL_TWICE = re.compile(r"^the file '(?P<path>.*)' is included more than once")


def _beancount_errors(errors: list[Any], root: Path) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    for filename, line, message in errors:
        found = LOAD_ERROR.match(message)
        if found and filename == "<load>":
            kind = "missing" if found["missing"] is not None else "twice"
            out.append(("<load>", kind, found["missing"] or found["twice"]))  # as written, abs
            continue
        file = None
        if filename and not str(filename).startswith("<"):
            try:
                file = Path(filename).relative_to(root).as_posix()
            except ValueError:
                file = str(filename)
        out.append((file, line, message))
    return out


def _tool_errors(problems: list[Any], root: Path) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    for file, line, message, severity in problems:
        if severity != "error":
            continue
        for kind, pattern in (("missing", TOOL_MISSING), ("twice", TOOL_TWICE)):
            found = pattern.match(message)
            if found and file is not None:
                path = found["path"]
                if kind == "twice":  # Beancount names it absolute, normalised
                    path = os.path.normpath(root / Path(file).parent / path)
                out.append(("<load>", kind, path))
                break
        else:
            out.append((file, line, message))
    return out


def exact(value: Any) -> Any:
    """``value`` compared to the digit: ``==`` finds ``Decimal("2.470")`` equal to
    ``Decimal("2.47")``; the ledger and its reports do not print them alike."""
    if isinstance(value, Decimal):
        return ("Decimal", str(value))
    if isinstance(value, dict):
        items = sorted(((repr(k), exact(v)) for k, v in value.items()), key=lambda kv: kv[0])
        return (type(value).__name__, items, exact(getattr(value, "default", None)))
    if isinstance(value, set | frozenset):
        return (type(value).__name__, sorted(map(repr, map(exact, value))))
    if isinstance(value, tuple | list):
        return (type(value).__name__, [exact(v) for v in value])
    return value


def _first_difference(mine: list[Any], theirs: list[Any]) -> str:
    for index, (a, b) in enumerate(zip(mine, theirs, strict=False)):
        if exact(a) != exact(b):
            return f"entry {index}: tool {a!r} != beancount {b!r}"[:600]
    return f"{len(mine)} entries != {len(theirs)}"


def differences(runs: dict[str, Any], mode: str) -> tuple[list[str], Counter[str]]:
    found: list[str] = []
    tally: Counter[str] = Counter()
    for root_name, name in runs["names"].items():
        root = Path(root_name)
        tool = runs[mode][root_name]["tool"]
        bean = runs["edit" if mode == "edit" else "cold"][root_name]["beancount"]
        where = f"{mode} {name}"
        if "crash" in tool:
            if bean is not None and bean.get("crash") == tool["crash"]:
                tally["both crashed"] += 1  # Beancount's own code fails (bean-check too)
            else:
                found.append(f"{where}: the tool crashed: {tool['traceback']}")
            continue
        if tool["refused"]:
            tally["refused"] += 1
            main = root / "ledgers" / ENTITY / "main.beancount"
            text = runs["texts"][name]
            text = text if isinstance(text, str) else text["main.beancount"]
            wanted = expected_refusals(text, main, root)
            given = [p[2] for p in tool["problems"] if p[3] == "error"]
            unexplained = [m for m in given if not any(m.startswith(w) for w in wanted)]
            missing = [w for w in wanted if not any(m.startswith(w) for m in given)]
            if unexplained or missing or not wanted:
                found.append(f"{where}: refused for {given}, expected {sorted(wanted)}")
            continue
        if "crash" in bean:
            tally["beancount crashed"] += 1
            found.append(f"{where}: Beancount crashed, the tool did not: {bean['crash']}")
            continue
        tally["compared"] += 1
        if exact(tool["entries"]) != exact(bean["entries"]):
            found.append(f"{where}: entries: {_first_difference(tool['entries'], bean['entries'])}")
        mine, theirs = _tool_errors(tool["problems"], root), _beancount_errors(bean["errors"], root)
        if mine != theirs:
            found.append(f"{where}: errors: tool {mine[:5]} != beancount {theirs[:5]}")
        if tool["options"] != bean["options"]:
            keys = sorted(
                k
                for k in set(tool["options"]) | set(bean["options"])
                if tool["options"].get(k) != bean["options"].get(k)
            )
            detail = {k: (tool["options"].get(k), bean["options"].get(k)) for k in keys}
            found.append(f"{where}: options {keys}: {str(detail)[:600]}")
    return found, tally


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["cold", "warm", "edit"])
def test_every_ledger_loads_as_beancount_loads_it(runs: dict[str, Any], mode: str) -> None:
    found, tally = differences(runs, mode)
    assert tally["compared"] >= 400, tally
    assert not found, f"{len(found)} differences ({dict(tally)}):\n" + "\n".join(found[:25])


@pytest.mark.slow
def test_the_warm_loads_are_served_by_the_disk_cache(runs: dict[str, Any]) -> None:
    """Every clean cold load is stored; the warm process books none of them again."""
    clean = [
        root
        for root, result in runs["cold"].items()
        if "crash" not in result["tool"]
        and not result["tool"]["refused"]
        and not any(p[3] == "error" for p in result["tool"]["problems"])
    ]
    assert len(clean) >= 100
    booked_again = [runs["names"][r] for r in clean if runs["warm"][r]["tool"]["booked"]]
    assert not booked_again, booked_again[:10]
    assert all(runs["cold"][r]["tool"]["booked"] for r in clean)
