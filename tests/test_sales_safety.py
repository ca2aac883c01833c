"""Safety of invoice writes: hostile text (Hypothesis) and concurrent writers (issue 3)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import PROJECT, snapshot
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sales_helpers import FastCli, make_sales_ws, transactions

HOSTILE = st.one_of(
    st.text(max_size=40),
    st.text(alphabet='"\\\n\r\t\x00\x1b\u202e\u2066 ;^#*:aé€Z0', max_size=30),
    st.sampled_from(
        [
            "\n2026-01-01 open Actif:Evil EUR",
            '"\n2026-01-01 open Actif:Evil EUR\n"',
            'Coop "des" Tilleuls',
            "back\\slash\\",
            "tab\there",
            "x" * 600,
            "  padded  ",
            "^F2026-0001 #tag",
            "\u202eevil",
            "",
        ]
    ),
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(client=HOSTILE, label=HOSTILE)
@example(client='Evil"\n2026-01-01 open Actif:Evil EUR', label="ok")
@example(client="Ok", label='"\n2026-01-01 open Actif:Evil EUR\n"')
@example(client='Quote " and \\ backslash', label='label with "quotes" and \\')
def test_hostile_client_or_label_is_refused_or_round_trips(client: str, label: str) -> None:
    root = WS.root
    run = FastCli(root)
    before_files = snapshot(root)
    before = len(transactions(root, "reel"))
    result = run(
        "invoice", "add", "--entity", "reel", "--client", client, "--label", label,
        "--activity", "facilitation", "--amount-ht", "10", "--date", "2026-03-10",
    )  # fmt: skip
    assert "Traceback" not in result.output
    if result.exit_code != 0:
        assert result.exit_code == 2, result.output
        assert snapshot(root) == before_files
        return
    after = transactions(root, "reel")
    assert len(after) == before + 1
    new = [t for t in after if t.meta.get("invoice") == f"F2026-{before + 1:04d}"]
    assert len(new) == 1
    entry = new[0]
    assert entry.payee == client.strip()
    assert entry.meta["client"] == client.strip()
    assert entry.narration == f"Facture F2026-{before + 1:04d} - {label.strip()}"


class _Ws:
    root: Path


WS = _Ws()


@pytest.fixture(autouse=True, scope="module")
def _module_ws() -> object:
    folder = Path(tempfile.mkdtemp(prefix="alusage-hostile-"))
    WS.root = make_sales_ws(folder / "ws")
    yield
    import shutil

    check = FastCli(WS.root)("check")  # every accepted text left a valid ledger
    assert check.exit_code == 0, check.output

    shutil.rmtree(folder, ignore_errors=True)


CHILD = """
import sys
import typer.testing
from typer.testing import CliRunner
from alusage_ledger.cli.app import app
command = typer.testing._get_command(app)
typer.testing._get_command = lambda _app: command  # build the command tree once
runner = CliRunner()
codes = []
for i in range(20):
    r = runner.invoke(app, ["--workspace", sys.argv[1], "invoice", "add", "--entity", "reel",
        "--client", "Client " + sys.argv[2], "--activity", "facilitation",
        "--amount-ht", "100", "--date", "2026-03-10"])
    codes.append(r.exit_code)
    if r.exit_code:
        print(r.output, file=sys.stderr)
print(" ".join(map(str, codes)))
"""


@pytest.mark.slow
def test_two_processes_twenty_invoices_each_get_forty_consecutive_numbers(
    tmp_path: Path,
) -> None:
    root = make_sales_ws(tmp_path / "ws")
    env = {**os.environ, "ALUSAGE_LOCK_TIMEOUT": "60", "PYTHONPATH": str(PROJECT / "src")}
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, str(root), name],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for name in ("A", "B")
    ]
    outputs = [child.communicate(timeout=300) for child in children]
    for (out, err), child in zip(outputs, children):
        assert child.returncode == 0, err
        assert out.split() == ["0"] * 20, err
    numbers = sorted(t.meta["invoice"] for t in transactions(root, "reel"))
    assert numbers == [f"F2026-{n:04d}" for n in range(1, 41)]
    clients = [t.meta["client"] for t in transactions(root, "reel")]
    assert clients.count("Client A") == 20 and clients.count("Client B") == 20
    result = FastCli(root)("check")
    assert result.exit_code == 0, result.output
