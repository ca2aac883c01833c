"""Acceptance of issue 7 on a copy of the example workspace inside a real git repository.

Every month-end step registered by the other features runs here (recurring entries,
shares, redistribution, VAT), so these tests only assert what closing guarantees: the
lock, idempotence, detection of hand edits, late documents, reopen and the chain.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from closing_helpers import commit_all, golden_tree, init_git
from conftest import Cli, snapshot

TODAY = "2026-12-15"


@pytest.fixture
def ws(example_ws: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ALUSAGE_TODAY", TODAY)
    init_git(example_ws)
    return example_ws


def first_transaction_narration(path: Path) -> str:
    for line in path.read_text("utf-8").splitlines():
        if line[:10].count("-") == 2 and " * " in line and line.count('"') >= 4:
            return line.split('"')[3]
    raise AssertionError(f"no transaction in {path}")


@pytest.mark.slow
def test_close_edit_late_bill_reopen_close_again(ws: Path) -> None:
    cli = Cli(ws)
    result = cli("close", "2026-01")
    assert result.exit_code == 0, result.output
    assert (ws / "ledgers/alusage/2026/01.close.beancount").is_file()
    assert (ws / "ledgers/myceliandre/2026/01.close.beancount").is_file()
    assert (ws / "reports/2026-01/README.md").is_file()
    commit_all(ws, "Close 2026-01")

    # close again: nothing changes
    before = snapshot(ws)
    result = cli("close", "2026-01")
    assert result.exit_code == 0, result.output
    assert "already closed" in result.output
    assert snapshot(ws) == before

    # a narration of the closed month edited by hand
    january = ws / "ledgers/alusage/2026/01.beancount"
    original = january.read_text("utf-8")
    narration = first_transaction_narration(january)
    january.write_text(original.replace(f'"{narration}"', f'"{narration} (modifié)"', 1), "utf-8")
    result = cli("check")
    assert result.exit_code == 1
    assert "2026-01 is closed, but its entries no longer match the close" in result.output
    assert f"{narration} (modifié)" in result.output  # the entry is named
    january.write_text(original, "utf-8")
    assert cli("check").exit_code == 0

    # an entry dated in the closed month, added by hand in another file
    february = ws / "ledgers/alusage/2026/02.beancount"
    february_text = february.read_text("utf-8")
    february.write_text(
        february_text
        + '\n2026-01-31 * "Caisse" "Ajout tardif"\n'
        + "  Charges:Achats:Logiciels     1.00 EUR\n"
        + "  Actif:Caisse                -1.00 EUR\n",
        "utf-8",
    )
    result = cli("check")
    assert result.exit_code == 1
    assert "2026-01 is closed" in result.output
    assert "entry added to the closed month 2026-01" in result.output
    february.write_text(february_text, "utf-8")
    assert cli("check").exit_code == 0

    # a late bill of January: refused at its own date, accepted in an open month
    bill = [
        "bill",
        "add",
        "--entity",
        "alusage",
        "--supplier",
        "Hébergeur Coop",
        "--account",
        "Charges:Achats:Logiciels",
        "--amount-ht",
        "12.00",
        "--piece-ref",
        "HC-2026-01-LATE",
    ]
    before = snapshot(ws)
    result = cli(*bill, "--date", "2026-01-30")
    assert result.exit_code == 4
    assert "2026-01 is closed for alusage" in result.output
    assert "piece-date" in result.output
    assert snapshot(ws) == before
    result = cli(*bill, "--date", "2026-02-10", "--piece-date", "2026-01-30")
    assert result.exit_code == 0, result.output
    assert "piece-date: 2026-01-30" in february.read_text("utf-8")
    assert cli("check").exit_code == 0

    # reopen with a reason, close again: the chain is valid
    result = cli("reopen", "2026-01", "--reason", "Avoir fournisseur reçu en retard")
    assert result.exit_code == 0, result.output
    assert not (ws / "ledgers/alusage/2026/01.close.beancount").exists()
    assert 'reason: "Avoir fournisseur reçu en retard"' in january.read_text("utf-8")
    result = cli("close", "2026-01")
    assert result.exit_code == 0, result.output
    result = cli("close", "2026-02")
    assert result.exit_code == 0, result.output
    result = cli("check")
    assert result.exit_code == 0, result.output


def test_dry_run_leaves_the_example_byte_identical(ws: Path) -> None:
    cli = Cli(ws)
    before = snapshot(ws)
    result = cli("close", "2026-01", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "--- ledgers/alusage/2026/01.close.beancount" in result.output
    assert snapshot(ws) == before


def test_golden_reports_of_a_closed_example_month(ws: Path) -> None:
    """``reports/2026-01/`` of the example; regenerate with ALUSAGE_REGEN_GOLDEN=1 when the
    example or a month-end step changes on purpose."""
    cli = Cli(ws)
    result = cli("close", "2026-01")
    assert result.exit_code == 0, result.output
    golden_tree(ws / "reports/2026-01", "example-2026-01")


def test_demo_closes_every_month_that_is_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json
    import time

    monkeypatch.setenv("ALUSAGE_TODAY", "2026-03-10")
    start = time.monotonic()
    result = Cli(None)("--json", "demo", str(tmp_path / "demo"))
    elapsed = time.monotonic() - start
    assert result.exit_code == 0, result.output
    document = json.loads(result.output[result.output.index("{") :])
    assert document["closed"] == ["2026-01", "2026-02"]
    assert document["reports"].endswith("reports/2026-02/README.md")
    assert (tmp_path / "demo/ledgers/alusage/2026/02.close.beancount").is_file()
    assert Cli(tmp_path / "demo")("check").exit_code == 0
    assert elapsed < 30


def test_demo_ends_with_what_the_close_did_and_what_to_try(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    monkeypatch.setenv("ALUSAGE_TODAY", "2026-03-10")
    folder = tmp_path / "demo"
    result = Cli(None)("demo", str(folder), lang="fr")
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.replace("\u00a0", " ").replace("\u202f", " ").split())
    assert "Ce qu'a fait la clôture de 2026-02 :" in text
    assert "entités clôturées : alusage, myceliandre" in text
    assert "Trois choses à essayer ensuite :" in text
    assert f"supprimez-le avec « rm -r {folder} »" in text
    # The summary's figures are the commands' own (recomputed after the close).
    again = Cli(None)("--json", "demo", str(tmp_path / "demo2"))
    last = json.loads(again.output[again.output.index("{") :])["last_month"]
    cli = Cli(tmp_path / "demo2")
    shares = json.loads(cli("--json", "shares", "le97", "--month", "2026-02").output)
    assert last["shares"] == [{"place": "le97", "total": shares["total"]}]
    vat = json.loads(cli("--json", "vat", "--entity", "alusage", "--period", "2026-02").output)
    (alusage,) = [v for v in last["vat"] if v["entity"] == "alusage"]
    assert alusage["form"] == "CA3"
    assert alusage["due"] == vat["due"]
    for line in ("invoice list --entity alusage", "shares le97 --month 2026-02"):
        assert f"alusage-ledger --workspace {folder} {line}" in text
