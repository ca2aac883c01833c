"""Each difference with Beancount found by issue 24, fixed: one test per fix.

Every test compares with what Beancount's own ``loader.load_file`` gives on the same files
(or what ``bean-check`` says), and fails without its fix.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from beancount import loader as bean_loader
from conftest import Cli

from alusage_ledger.books import cache
from alusage_ledger.books.ledger import Workspace
from alusage_ledger.books.parsing import PARSE_CACHE

BIN = Path(sys.executable).parent
CONFIG = '[entities.x]\nname = "X"\nkind = "sas"\nledger = "ledgers/x/main.beancount"\n'
MAIN = "ledgers/x/main.beancount"

CHECK_CLOSING = """plugin "beancount.plugins.check_closing"

2024-01-01 open Assets:Bank EUR
2024-01-01 open Assets:Deposit EUR
2024-01-01 open Equity:Opening EUR

2024-01-02 * "Deposit"
  Assets:Deposit   100.00 EUR
  Equity:Opening  -100.00 EUR

2024-02-01 * "Partial refund"
  Assets:Deposit    -5.00 EUR
    closing: TRUE
  Assets:Bank        5.00 EUR
"""

CHECK_DRAINED = """plugin "beancount.plugins.check_drained"

2024-01-01 open Assets:Bank EUR
2024-01-01 open Equity:Opening EUR

2024-01-02 * "x"
  Assets:Bank  10.00 EUR
  Equity:Opening

2024-03-01 close Assets:Bank
"""

#: A pad whose balance only a plugin adds (check_drained at the close).
PAD_DRAINED = """plugin "beancount.plugins.check_drained"

2024-01-01 open Assets:Bank EUR
2024-01-01 open Equity:Opening EUR

2024-01-02 * "x"
  Assets:Bank  10.00 EUR
  Equity:Opening

2024-02-01 pad Assets:Bank Equity:Opening

2024-03-01 close Assets:Bank
"""


def workspace(folder: Path, files: dict[str, str]) -> Path:
    (folder / "ledgers/x").mkdir(parents=True)
    (folder / "alusage.toml").write_text(CONFIG, "utf-8")
    for rel, text in files.items():
        path = folder / "ledgers/x" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    return folder


def load(root: Path) -> Any:
    return Workspace.open(root).load("x")


def beancount(root: Path) -> tuple[list[Any], list[Any], dict[str, Any]]:
    bean_loader.initialize(False)
    return bean_loader.load_file(str(root / MAIN))  # type: ignore[no-any-return]


def messages(errors: list[Any]) -> list[str]:
    return [str(e.message).strip().splitlines()[0] for e in errors]


def counts(dcontext: Any) -> Any:
    return sorted(
        (cur, sorted(ctx.fractional_dist.hist.items()))
        for cur, ctx in dcontext.ccontexts.items()
        if hasattr(ctx, "fractional_dist")
    )


# --------------------------------------------------------------------------- (1) plugins' balances


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_balances_added_by_check_closing_are_checked(tmp_path: Path, lang: str) -> None:
    root = workspace(tmp_path / "ws", {"main.beancount": CHECK_CLOSING})
    control = subprocess.run(
        [str(BIN / "bean-check"), str(root / MAIN)], capture_output=True, text=True, timeout=120
    )
    assert control.returncode == 1 and "95.00 too much" in control.stderr
    result = Cli(root)("check", lang=lang)
    assert result.exit_code == 1, result.output
    if lang == "en":
        assert (
            "Balance failed for 'Assets:Deposit': expected 0 EUR != accumulated 95.00 EUR "
            "(95.00 too much)" in result.output
        )
    else:  # Beancount's error, in French (core/beancount_messages.py)
        shown = result.output.replace("\u00a0", " ").replace("\u202f", " ")
        assert (
            "Assertion de solde non vérifiée pour Assets:Deposit : 0,00 € attendu, les écritures "
            "donnent 95,00 € (95,00 de trop)." in shown
        )


@pytest.mark.parametrize("text", [CHECK_DRAINED, PAD_DRAINED], ids=["drained", "pad"])
def test_balances_added_by_check_drained_are_checked_as_beancount(
    tmp_path: Path, text: str
) -> None:
    root = workspace(tmp_path / "ws", {"main.beancount": text})
    entries, errors, _options = beancount(root)
    ledger = load(root)
    assert ledger.entries == entries
    assert [p.message for p in ledger.errors] == messages(errors)
    if text is CHECK_DRAINED:
        assert Cli(root)("check").exit_code == 1


# --------------------------------------------------------------------------- (2)-(4) includes


def test_a_file_included_twice_and_a_cycle_are_errors(tmp_path: Path) -> None:
    root = workspace(
        tmp_path / "ws",
        {
            "main.beancount": 'include "a.beancount"\ninclude "a.beancount"\n',
            "a.beancount": '2024-01-01 open Assets:Bank EUR\ninclude "main.beancount"\n',
        },
    )
    entries, errors, options = beancount(root)
    assert messages(errors) == [
        f'Duplicate filename parsed: "{root / "ledgers/x/a.beancount"}"',
        f'Duplicate filename parsed: "{root / MAIN}"',
    ]
    ledger = load(root)
    assert ledger.entries == entries
    assert [(p.file, p.line, p.message.split(";")[0]) for p in ledger.errors] == [
        (MAIN, 2, "the file 'a.beancount' is included more than once"),
        ("ledgers/x/a.beancount", 2, "the file 'main.beancount' is included more than once"),
    ]
    assert ledger.options["include"] == options["include"]
    assert Cli(root)("check").exit_code == 1


def test_a_missing_include_is_one_error_and_the_rest_is_checked(tmp_path: Path) -> None:
    root = workspace(
        tmp_path / "ws",
        {
            "main.beancount": (
                '2024-01-01 open Assets:Bank EUR\ninclude "gone.beancount"\n'
                '2024-01-02 * "unbalanced"\n  Assets:Bank  1.00 EUR\n  Assets:Bank  2.00 EUR\n'
            ),
        },
    )
    entries, errors, _options = beancount(root)
    assert messages(errors) == [
        'File glob "gone.beancount" does not match any files',
        "Transaction does not balance: (3.00 EUR)",
    ]
    ledger = load(root)
    assert ledger.entries == entries
    assert [(p.file, p.line, p.message) for p in ledger.errors] == [
        (
            MAIN,
            2,
            "the included file 'gone.beancount' does not exist; create it or remove the include.",
        ),
        (MAIN, 3, "Transaction does not balance: (3.00 EUR)"),
    ]


def test_a_symlinked_include_is_named_as_written(tmp_path: Path) -> None:
    root = workspace(
        tmp_path / "ws",
        {
            "main.beancount": 'include "link/month.beancount"\n',
            "real/month.beancount": (
                '2024-01-01 open Assets:Bank EUR\ninclude "other.beancount"\n'
                '2024-01-02 * "unbalanced"\n  Assets:Bank  1.00 EUR\n'
            ),
            "real/other.beancount": "2024-01-01 open Assets:Cash EUR\n",
        },
    )
    (root / "ledgers/x/link").symlink_to("real")
    entries, errors, options = beancount(root)
    ledger = load(root)
    assert ledger.entries == entries
    assert {e.meta["filename"] for e in ledger.entries} == {
        str(root / "ledgers/x/link/month.beancount"),
        str(root / "ledgers/x/link/other.beancount"),
    }
    assert [(p.file, p.line) for p in ledger.errors] == [("ledgers/x/link/month.beancount", 3)]
    assert ledger.options["include"] == options["include"]
    assert messages(errors) == [p.message for p in ledger.errors]


def test_one_file_under_two_names_is_refused(tmp_path: Path) -> None:
    root = workspace(
        tmp_path / "ws",
        {
            "main.beancount": 'include "a.beancount"\ninclude "b.beancount"\n',
            "a.beancount": "2024-01-01 open Assets:Bank EUR\n",
        },
    )
    (root / "ledgers/x/b.beancount").symlink_to("a.beancount")
    ledger = load(root)
    assert not ledger.entries
    assert [(p.file, p.line, p.message) for p in ledger.errors] == [
        (
            MAIN,
            2,
            "include 'b.beancount' is refused: it is 'ledgers/x/a.beancount' under another "
            "name (a link); include each file once, by one name.",
        )
    ]


# --------------------------------------------------------------------------- (5) immutable parses

MAIN_AMOUNTS = """2024-01-01 open Assets:Bank
2024-01-01 open Expenses:Food
include "month.beancount"

2024-01-05 * "two decimals"
  Assets:Bank    -7.00 USD
  Expenses:Food   7.00 USD

2024-01-06 * "left out"
  Assets:Bank    -2.47 USD
  Expenses:Food
"""
MONTH = '2024-01-07 * "one decimal"\n  Assets:Bank  -7.0 USD\n  Expenses:Food  7.0 USD\n'
MONTH_EDITED = MONTH + '2024-01-08 * "again"\n  Assets:Bank  -1.0 USD\n  Expenses:Food  1.0 USD\n'


def _reload_after_edit(root: Path) -> tuple[Any, Any]:
    """The tool's and Beancount's load after ``month.beancount`` changed."""
    (root / "ledgers/x/month.beancount").write_text(MONTH_EDITED, "utf-8")
    return load(root), beancount(root)


def test_display_counts_do_not_accumulate_over_loads(tmp_path: Path) -> None:
    root = workspace(tmp_path / "ws", {"main.beancount": MAIN_AMOUNTS, "month.beancount": MONTH})
    first = load(root)
    assert counts(first.options["dcontext"]) == counts(beancount(root)[2]["dcontext"])
    again, (_entries, _errors, options) = _reload_after_edit(root)
    assert counts(again.options["dcontext"]) == counts(options["dcontext"])
    assert again.options["dcontext"].build().quantize  # still usable


def test_booking_never_changes_the_kept_parse(tmp_path: Path) -> None:
    root = workspace(tmp_path / "ws", {"main.beancount": MAIN_AMOUNTS, "month.beancount": MONTH})
    first = load(root)
    assert first.ok, first.errors
    for (_path, _digest), (entries, _errors, _options) in list(PARSE_CACHE.items()):
        for entry in entries:
            for posting in getattr(entry, "postings", []):
                assert "__automatic__" not in (posting.meta or {}), entry
    again, (entries, _errors, _options) = _reload_after_edit(root)
    assert again.entries == entries


def test_a_new_process_after_an_edit_loads_as_beancount(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk cache keeps the parses as parsed: the next process gives Beancount's."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    cache.set_enabled(True)
    root = workspace(tmp_path / "ws", {"main.beancount": MAIN_AMOUNTS, "month.beancount": MONTH})
    script = (
        "import pickle, sys\n"
        "from pathlib import Path\n"
        "from alusage_ledger.books.ledger import Workspace\n"
        "ledger = Workspace.open(Path(sys.argv[1])).load('x')\n"
        "sys.stdout.buffer.write(pickle.dumps((ledger.entries, [p.message for p in ledger.errors],"
        " sorted((c, sorted(x.fractional_dist.hist.items())) for c, x in "
        "ledger.options['dcontext'].ccontexts.items()))))\n"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "ALUSAGE_NO_CACHE": ""}

    def child() -> Any:
        out = subprocess.run(
            [sys.executable, "-c", script, str(root)],
            capture_output=True,
            env=env,
            timeout=120,
            check=True,
        )
        return pickle.loads(out.stdout)

    child()
    assert any((tmp_path / "cache/alusage-ledger/parse").iterdir())
    (root / "ledgers/x/month.beancount").write_text(MONTH_EDITED, "utf-8")
    entries, errors, dcontext = child()
    bean_entries, bean_errors, options = beancount(root)
    assert entries == bean_entries
    assert errors == messages(bean_errors) == []
    assert dcontext == counts(options["dcontext"])


# --------------------------------------------------------------------------- (6) input_hash


def test_input_hash_is_set_as_beancount_sets_it(tmp_path: Path) -> None:
    root = workspace(tmp_path / "ws", {"main.beancount": MAIN_AMOUNTS, "month.beancount": MONTH})
    _entries, _errors, options = beancount(root)
    first = load(root)
    assert first.options["input_hash"] == options["input_hash"]
    assert Workspace.open(root).load("x").options["input_hash"] == options["input_hash"]
