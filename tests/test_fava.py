"""Fava on the ledgers: every example ledger loads in Fava with zero errors; the ``fava``
command serves read-only, vets before starting and before each reload, and says how to
install Fava when it is missing."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import PROJECT, Cli, snapshot

ENTITIES = ("alusage", "myceliandre", "nicolas-jeudy", "christine-dornier")


@pytest.fixture
def fava_core(monkeypatch: pytest.MonkeyPatch) -> Any:
    """``fava.core``, with its loading function restored after the test."""
    core = pytest.importorskip("fava.core")
    monkeypatch.setattr(core, "load_uncached", core.load_uncached)
    return core


@pytest.mark.parametrize("entity", ENTITIES)
def test_fava_loads_every_example_ledger_with_zero_errors(fava_core: Any, entity: str) -> None:
    """Fava's own loader (plain Beancount, not the tool's) on the example, as a user would."""
    main = (PROJECT / "ledgers" / entity / "main.beancount").resolve()
    ledger = fava_core.FavaLedger(str(main))
    assert [(e.source, e.message) for e in ledger.errors] == []
    assert len(ledger.all_entries) > 50
    # The French roots reach Fava (no "Assets" or "Capitaux:Earnings:Current" invented).
    assert ledger.root_accounts == ("Actif", "Passif", "Capitaux", "Produits", "Charges")


def _app(ws: Path, entities: tuple[str, ...] = ("alusage",)) -> Any:
    from alusage_ledger.books.ledger import Workspace
    from alusage_ledger.integrations.fava import create_app

    app, _mains = create_app(Workspace.open(ws), entities, poll_watcher=True)
    return app


def test_the_app_is_read_only_and_serves_the_vetted_ledger(
    fava_core: Any, example_ws: Path
) -> None:
    app = _app(example_ws, ENTITIES)
    client = app.test_client()
    ledgers = app.config["LEDGERS"]
    assert sorted(slug for slug, _l in ledgers.items()) == [
        "alusage-sas",
        "christine-dornier",
        "mycéliandre-scic",
        "nicolas-jeudy",
    ]
    page = client.get("/alusage-sas/income_statement/")
    assert page.status_code == 200
    assert "Produits" in page.get_data(as_text=True)
    # Every ledger served was loaded by the tool's loader: no error, same entries.
    assert all(not ledger.errors for _slug, ledger in ledgers.items())
    before = snapshot(example_ws)
    written = client.put("/alusage-sas/api/source", json={"file_path": "x", "source": "x"})
    assert written.status_code == 401  # read-only: Fava refuses every write
    assert snapshot(example_ws) == before


def test_a_reload_is_vetted_again_and_a_planted_plugin_never_runs(
    fava_core: Any, example_ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "plugin-ran"
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "evil_fava_plugin.py").write_text(
        f"open({str(marker)!r}, 'w').write('ran')\n__plugins__ = ()\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(plugins))
    app = _app(example_ws)
    client = app.test_client()
    assert client.get("/alusage-sas/balance_sheet/").status_code == 200
    main = example_ws / "ledgers" / "alusage" / "main.beancount"
    main.write_text(main.read_text(encoding="utf-8") + '\nplugin "evil_fava_plugin"\n', "utf-8")
    ledger = app.config["LEDGERS"]["alusage-sas"]
    ledger.watcher.last_checked = 0  # the change is seen at the next request, whatever mtime
    page = client.get("/alusage-sas/balance_sheet/")
    assert page.status_code == 200
    messages = [e.message for e in ledger.errors]
    assert any("evil_fava_plugin" in m and "ledgers/alusage/main.beancount" in m for m in messages)
    assert ledger.all_entries == []  # a refused ledger is served empty, with the reasons
    assert not marker.exists()
    assert "evil_fava_plugin" not in sys.modules


def test_fava_refuses_a_ledger_that_asks_fava_to_run_code(fava_core: Any, cli: Cli) -> None:
    ws = cli.workspace
    assert ws is not None
    month = ws / "ledgers" / "alusage" / "2026" / "11.beancount"
    month.write_text(
        month.read_text(encoding="utf-8") + '\n2026-11-02 custom "fava-extension" "evil"\n',
        encoding="utf-8",
    )
    before = snapshot(ws)
    result = cli("fava", "--entity", "alusage")
    assert result.exit_code == 1, result.output
    assert "ledgers/alusage/2026/11.beancount:" in result.output
    assert "fava-extension" in result.output and "remove this directive" in result.output
    assert "Fava is not started" in result.output
    assert snapshot(ws) == before


def test_fava_refuses_a_ledger_with_errors(fava_core: Any, cli: Cli) -> None:
    ws = cli.workspace
    assert ws is not None
    month = ws / "ledgers" / "myceliandre" / "2026" / "11.beancount"
    month.write_text(month.read_text(encoding="utf-8") + '\nplugin "os"\n', encoding="utf-8")
    result = cli("fava", "-e", "myceliandre")
    assert result.exit_code == 1
    assert "ledgers/myceliandre/2026/11.beancount:" in result.output


def test_fava_unknown_entity_suggests(cli: Cli) -> None:
    pytest.importorskip("fava.core")
    result = cli("fava", "--entity", "myceliandr")
    assert result.exit_code == 2
    assert "did you mean 'myceliandre'" in result.output


def test_fava_not_installed_says_how_to_install_it(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [m for m in sys.modules if m == "fava" or m.startswith("fava.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "fava", None)  # import fava -> ImportError
    result = cli("fava")
    assert result.exit_code == 5
    assert "pip install 'alusage-ledger[web]'" in result.output
    result = cli("fava", lang="fr")
    assert result.exit_code == 5
    assert "Fava n'est pas installé" in result.output
