"""The vetted loader (RELIABILITY L1-L3) and bad input of every kind, with planted fixtures.

Each hostile fixture would run code under plain Beancount (a control test proves it with
``bean-check``); under alusage-ledger the marker file never appears and the ledger is
refused with a message naming what was refused, at its file and line.
"""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Cli, run_subprocess, snapshot
from foundation_helpers import make_ws

from alusage_ledger.books import loader
from alusage_ledger.books.ledger import Workspace
from alusage_ledger.core.errors import LedgerErrors

BIN = Path(sys.executable).parent
MAIN = "ledgers/a/main.beancount"

PLUGIN_SOURCE = """
from pathlib import Path
Path({marker!r}).write_text("plugin ran")
__plugins__ = ("run",)
def run(entries, options_map):
    return entries, []
"""


class _Payload:
    """Unpickling this writes the marker (what a committed .picklecache could do)."""

    def __init__(self, marker: Path) -> None:
        self.marker = str(marker)

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (exec, (f"open({self.marker!r}, 'w').write('pickle ran')",))


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    return make_ws(tmp_path / "ws")


def _append(path: Path, text: str) -> int:
    """Append ``text``; return the line number its first line gets."""
    line = path.read_bytes().count(b"\n") + 1
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)
    return line


def _insert_after_options(path: Path, text: str) -> int:
    """Insert ``text`` (one line) after the root options of ``main``; return its line."""
    lines = path.read_text("utf-8").splitlines(keepends=True)
    lines.insert(5, text + "\n")
    path.write_text("".join(lines), "utf-8")
    return 6


def _check(ws: Path, *args: str) -> tuple[int, str]:
    result = Cli(ws)("check", *args)
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def _assert_refused(ws: Path, needle: str, location: str | None = None) -> str:
    before = snapshot(ws)
    code, output = _check(ws)
    assert code == 1, output
    assert needle in output, output
    if location:
        assert location in output, output
    assert snapshot(ws) == before
    return output


# --------------------------------------------------------------------------- L1 plugins


def _plant_plugin(ws: Path, marker: Path, *, pythonpath: bool = True) -> None:
    folder = ws / "ledgers/a"
    (folder / "evilplugin.py").write_text(PLUGIN_SOURCE.format(marker=str(marker)))
    main = folder / "main.beancount"
    if pythonpath:
        _insert_after_options(main, 'option "insert_pythonpath" "TRUE"')
    _append(main, 'plugin "evilplugin"\n')


def test_control_bean_check_runs_the_planted_plugin(ws: Path, tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    _plant_plugin(ws, marker)
    subprocess.run([str(BIN / "bean-check"), str(ws / MAIN)], capture_output=True, timeout=120)
    assert marker.exists()  # the fixture is real: plain Beancount runs it


def test_l1_unknown_plugin_with_insert_pythonpath_never_runs(ws: Path, tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    _plant_plugin(ws, marker)
    output = _assert_refused(ws, "plugin 'evilplugin' is refused", f"{MAIN}:")
    assert f"{MAIN}:6: option 'insert_pythonpath' is refused" in output
    assert not marker.exists()


def test_l1_allowed_plugin_name_with_insert_pythonpath_still_never_runs(
    ws: Path, tmp_path: Path
) -> None:
    """Even on the allow-list, a branch-local module is not imported: the option is refused."""
    marker = tmp_path / "marker"
    _plant_plugin(ws, marker)
    config = ws / "alusage.toml"
    config.write_text(
        config.read_text("utf-8").replace(
            "allowed_plugins = []", 'allowed_plugins = ["evilplugin"]'
        )
    )
    output = _assert_refused(ws, "insert_pythonpath")
    assert "plugin 'evilplugin'" not in output
    assert not marker.exists()
    with pytest.raises(LedgerErrors):
        Workspace.open(ws).load_checked("a")
    assert not marker.exists()
    assert "evilplugin" not in sys.modules


def test_l1_unknown_plugin_in_an_included_file(ws: Path) -> None:
    accounts = ws / "ledgers/a/accounts.beancount"
    _append(accounts, 'plugin "beancount.plugins.auto_accounts"\n')
    line = accounts.read_text("utf-8").count("\n")
    _assert_refused(
        ws,
        "plugin 'beancount.plugins.auto_accounts' is refused",
        f"ledgers/a/accounts.beancount:{line}:",
    )


def test_l1_plugin_processing_mode_raw_and_tolerances(ws: Path) -> None:
    main = ws / MAIN
    at = _append(
        main,
        'option "plugin_processing_mode" "raw"\n'
        'option "inferred_tolerance_default" "EUR:0.5"\n'
        'option "tolerance_multiplier" "2"\n'
        'option "infer_tolerance_from_cost" "TRUE"\n',
    )
    output = _assert_refused(ws, "plugin_processing_mode")
    for name in ("inferred_tolerance_default", "tolerance_multiplier", "infer_tolerance_from_cost"):
        assert f"option '{name}' is refused" in output
    assert f"{MAIN}:{at}: option 'plugin_processing_mode'" in output


def test_l1_documents_folder_outside_is_refused(ws: Path) -> None:
    at = _append(ws / MAIN, 'option "documents" "../../.."\n')
    _assert_refused(ws, "option 'documents' '../../..' is refused", f"{MAIN}:{at}:")


# --------------------------------------------------------------------------- L2 pickle cache


def _plant_pickle(ws: Path, marker: Path) -> Path:
    cache = ws / "ledgers/a/.main.beancount.picklecache"
    cache.write_bytes(pickle.dumps(_Payload(marker)))
    return cache


def test_control_bean_check_unpickles_a_planted_cache(ws: Path, tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    _plant_pickle(ws, marker)
    env = {k: v for k, v in os.environ.items() if k != "BEANCOUNT_DISABLE_LOAD_CACHE"}
    subprocess.run(
        [str(BIN / "bean-check"), str(ws / MAIN)], capture_output=True, timeout=120, env=env
    )
    assert marker.exists()


def test_l2_pickle_cache_is_never_read_nor_written(ws: Path, tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    cache = _plant_pickle(ws, marker)
    payload = cache.read_bytes()
    code, output = _check(ws)
    assert code == 0, output  # a warning, not an error: the ledger itself is fine
    assert "ledgers/a/.main.beancount.picklecache" in output
    assert "pickle cache" in output
    result = run_subprocess("--workspace", str(ws), "check")
    assert result.returncode == 0, result.stderr
    Workspace.open(ws).load_checked("a")
    assert not marker.exists()
    assert cache.read_bytes() == payload  # neither read nor rewritten
    assert not any(p != cache for p in ws.rglob("*.picklecache"))


def test_l2_gitignore_of_a_new_workspace(ws: Path) -> None:
    lines = (ws / ".gitignore").read_text("utf-8").splitlines()
    assert "*.picklecache" in lines and ".alusage.lock" in lines


# --------------------------------------------------------------------------- L1 includes


def test_l1_include_escaping_the_workspace(ws: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.beancount"
    outside.write_text("2026-01-01 open Assets:Secret\n; SECRET-CONTENT\n")
    main = ws / MAIN
    at = _append(main, 'include "../../../outside.beancount"\n')
    assert (main.parent / "../../../outside.beancount").resolve() == outside
    output = _assert_refused(
        ws,
        "include '../../../outside.beancount' is refused: it leads outside the workspace",
        f"{MAIN}:{at}:",
    )
    assert "SECRET" not in output


def test_l1_etc_passwd_never_leaks(ws: Path) -> None:
    _append(ws / MAIN, 'include "../../../../../../../../../etc/passwd"\n')
    output = _assert_refused(ws, "outside the workspace")
    assert "root:" not in output


def test_l1_glob_include(ws: Path) -> None:
    (ws / "ledgers/a/2026").mkdir()
    (ws / "ledgers/a/2026/01.beancount").write_text("")
    at = _append(ws / MAIN, 'include "2026/*.beancount"\n')
    _assert_refused(ws, "without wildcards", f"{MAIN}:{at}:")


def test_l1_symlink_pointing_outside(ws: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.beancount"
    outside.write_text("; SECRET-CONTENT\n")
    (ws / "ledgers/a/link.beancount").symlink_to(outside)
    at = _append(ws / MAIN, 'include "link.beancount"\n')
    output = _assert_refused(ws, "include 'link.beancount' is refused", f"{MAIN}:{at}:")
    assert "SECRET" not in output


def test_l1_dev_zero_absolute_and_through_a_symlink(ws: Path) -> None:
    _append(ws / MAIN, 'include "/dev/zero"\n')
    result = run_subprocess("--workspace", str(ws), "check", timeout=60)
    assert result.returncode == 1
    assert "include '/dev/zero' is refused" in result.stdout
    (ws / MAIN).write_text((ws / MAIN).read_text("utf-8").replace("/dev/zero", "zero.beancount"))
    (ws / "ledgers/a/zero.beancount").symlink_to("/dev/zero")
    result = run_subprocess("--workspace", str(ws), "check", timeout=60)
    assert result.returncode == 1
    assert "include 'zero.beancount' is refused" in result.stdout


def test_l1_fifo_is_not_opened(ws: Path) -> None:
    os.mkfifo(ws / "ledgers/a/pipe.beancount")
    _append(ws / MAIN, 'include "pipe.beancount"\n')
    result = run_subprocess("--workspace", str(ws), "check", timeout=60)
    assert result.returncode == 1
    assert "only regular .beancount files" in result.stdout


def test_l1_gpg_include_never_launches_gpg(ws: Path, tmp_path: Path) -> None:
    marker = tmp_path / "gpg-ran"
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    gpg = fake_bin / "gpg"
    gpg.write_text(f"#!/bin/sh\ntouch {marker}\nexit 1\n")
    gpg.chmod(0o755)
    (ws / "ledgers/a/secret.beancount.gpg").write_bytes(b"not really encrypted")
    env = {"PATH": f"{fake_bin}{os.pathsep}{os.environ['PATH']}"}
    # Control: plain Beancount launches gpg for this include.
    plain = tmp_path / "plain.beancount"
    plain.write_text(f'include "{ws / "ledgers/a/secret.beancount.gpg"}"\n')
    subprocess.run(
        [str(BIN / "bean-check"), str(plain)],
        capture_output=True,
        timeout=120,
        env={**os.environ, **env},
    )
    assert marker.exists()
    marker.unlink()
    at = _append(ws / MAIN, 'include "secret.beancount.gpg"\n')
    result = run_subprocess("--workspace", str(ws), "check", env=env, timeout=60)
    assert result.returncode == 1
    assert f"{MAIN}:{at}: include 'secret.beancount.gpg' is refused" in result.stdout
    assert not marker.exists()


def test_l1_too_large_file(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loader, "MAX_FILE_BYTES", 100)
    _assert_refused(ws, "too large")


def test_l1_missing_included_file(ws: Path) -> None:
    at = _append(ws / MAIN, 'include "2026/13.beancount"\n')
    _assert_refused(ws, "'2026/13.beancount' does not exist", f"{MAIN}:{at}:")


def test_l1_include_list_equals_the_vetted_set(ws: Path) -> None:
    (ws / "ledgers/a/2026").mkdir()
    month = ws / "ledgers/a/2026/01.beancount"
    month.write_text(
        (ws / "ledgers/a/accounts.beancount").read_text("utf-8").split("\n\n")[0] + "\n"
    )
    _append(ws / MAIN, 'include "2026/01.beancount"\n')
    ledger = Workspace.open(ws).load_checked("a")
    expected = sorted(str(p) for p in ledger.files)
    assert ledger.options["include"] == expected
    assert {Path(p).name for p in expected} == {
        "main.beancount",
        "accounts.beancount",
        "01.beancount",
    }


# --------------------------------------------------------------------------- L3, bad input


def test_l3_unbalanced_transaction(ws: Path) -> None:
    accounts = ws / "ledgers/a/accounts.beancount"
    _append(accounts, '\n2026-02-01 * "Café"\n  Actif:Caisse 1.00 EUR\n  Actif:Attente -2.00 EUR\n')
    line = accounts.read_text("utf-8").count("\n") - 2
    output = _assert_refused(ws, "does not balance", f"ledgers/a/accounts.beancount:{line}:")
    result = Cli(ws)("--json", "check")
    import json

    document = json.loads(result.stdout)
    assert document["ok"] is False
    (error,) = document["errors"]
    assert error == {
        "entity": "a",
        "file": "ledgers/a/accounts.beancount",
        "line": line,
        "message": error["message"],
    }
    assert "does not balance" in error["message"]
    assert output.count("\n") == 2  # the problem, then the count


def test_l3_latin1_bytes(ws: Path) -> None:
    accounts = ws / "ledgers/a/accounts.beancount"
    with accounts.open("ab") as handle:
        handle.write(
            b'\n2026-02-01 * "Caf\xe9"\n  Actif:Caisse 1.00 EUR\n  Actif:Attente -1.00 EUR\n'
        )
    line = accounts.read_bytes().count(b"\n") - 2
    output = _assert_refused(ws, "not UTF-8", f"ledgers/a/accounts.beancount:{line}:")
    assert "iconv" in output


def test_l3_included_file_missing_root_options_says_which_lines_to_add(ws: Path) -> None:
    (ws / "ledgers/a/2026").mkdir()
    (ws / "ledgers/a/2026/02.beancount").write_text(
        '2026-02-01 * "x"\n  Actif:Caisse 1.00 EUR\n  Actif:Attente -1.00 EUR\n'
    )
    _append(ws / MAIN, 'include "2026/02.beancount"\n')
    output = _assert_refused(ws, "add these lines at its top", "ledgers/a/2026/02.beancount:1:")
    for line in (
        'option "name_assets" "Actif"',
        'option "name_liabilities" "Passif"',
        'option "name_equity" "Capitaux"',
        'option "name_income" "Produits"',
        'option "name_expenses" "Charges"',
    ):
        assert line in output
    assert "Invalid account name" not in output
    assert output.count("\n") == 2  # one sentence, not one error per account


def test_l3_missing_ledger_file(ws: Path) -> None:
    (ws / MAIN).unlink()
    output = _assert_refused(ws, "does not exist", MAIN)
    assert "alusage.toml" in output
    result = run_subprocess("--workspace", str(ws), "check")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout


@pytest.mark.parametrize(
    ("edit", "needle"),
    [
        (lambda t: t + "\n[entities.a\n", "TOML syntax"),
        (lambda t: t.replace('kind = "sas"', 'kind = "sarl"'), "entities.a.kind"),
        (lambda t: t.replace('# siren = "123456789"', 'siren = "12345"'), "entities.a.siren"),
        (
            lambda t: t.replace("exercice_start", 'colour = "red"\nexercice_start'),
            "entities.a.colour",
        ),
        (lambda t: t.replace('books_start = "2026-01"', 'books_start = "janvier"'), "books_start"),
        (lambda t: t.replace('locale = "fr_FR"', "locale = 3"), "workspace.locale"),
        (lambda t: t.replace("[entities.a]", "[entities.A]"), "entities"),
        (
            lambda t: t.replace(
                'ledger = "ledgers/a/main.beancount"', 'ledger = "/etc/x.beancount"'
            ),
            "entities.a.ledger",
        ),
    ],
)
def test_malformed_config_is_one_sentence_exit_3(ws: Path, edit: object, needle: str) -> None:
    config = ws / "alusage.toml"
    config.write_text(edit(config.read_text("utf-8")), "utf-8")  # type: ignore[operator]
    before = snapshot(ws)
    result = Cli(ws)("check")
    assert result.exit_code == 3, result.output
    assert "Traceback" not in result.output
    assert needle in result.output
    assert "alusage.toml" in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ")
    assert snapshot(ws) == before


def test_malformed_config_through_the_console_script(ws: Path) -> None:
    config = ws / "alusage.toml"
    config.write_text(config.read_text("utf-8").replace('kind = "sas"', 'kind = "sarl"'))
    before = snapshot(ws)
    result = run_subprocess("check", cwd=ws / "ledgers/a")  # found by walking up
    assert result.returncode == 3
    assert "entities.a.kind" in result.stderr and "sas" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert snapshot(ws) == before


def test_unknown_entity_suggests(ws: Path) -> None:
    before = snapshot(ws)
    result = Cli(ws)("check", "--entity", "aa")
    assert result.exit_code == 2
    assert "Unknown entity 'aa'" in result.output and "did you mean 'a'" in result.output
    result = run_subprocess("--workspace", str(ws), "query", "b", "SELECT 1")
    assert result.returncode == 2
    assert "Unknown entity 'b'" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(ws) == before


# --------------------------------------------------------------------------- bean-example


def _bean_example(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "ledgers/x").mkdir(parents=True)
    main = folder / "ledgers/x/main.beancount"
    subprocess.run(
        [
            str(BIN / "bean-example"),
            "--date-begin",
            "2024-01-01",
            "--date-end",
            "2024-12-31",
            "--seed",
            "7",
            "-o",
            str(main),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    (folder / "alusage.toml").write_text(
        '[entities.x]\nname = "Example"\nkind = "sas"\nledger = "ledgers/x/main.beancount"\n'
    )
    return main


@pytest.fixture(scope="module")
def bean_example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _bean_example(tmp_path_factory.mktemp("bx") / "ws").parents[2]


def test_bean_example_passes_check(bean_example: Path, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(bean_example, ws)
    code, output = _check(ws)
    assert code == 0, output
    result = run_subprocess("--workspace", str(ws), "check")
    assert result.returncode == 0, result.stdout + result.stderr


def test_bean_example_with_an_unknown_plugin_is_refused(bean_example: Path, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(bean_example, ws)
    main = ws / "ledgers/x/main.beancount"
    lines = main.read_text("utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith("option")) + 1
    lines.insert(at, 'plugin "some.unknown"\n')
    main.write_text("".join(lines))
    before = snapshot(ws)
    code, output = _check(ws)
    assert code == 1
    assert f"ledgers/x/main.beancount:{at + 1}: plugin 'some.unknown' is refused" in output
    assert snapshot(ws) == before
