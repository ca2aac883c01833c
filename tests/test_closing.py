"""``close`` and ``reopen`` on a small workspace in a real git repository (issue 7)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from closing_helpers import append, commit_all, git, make_close_ws
from conftest import Cli, run_subprocess, snapshot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alusage_ledger.books import monthend
from alusage_ledger.core.errors import LedgerErrors, RefusedError
from alusage_ledger.core.periods import Month

TODAY = "2026-04-15"


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ALUSAGE_TODAY", TODAY)
    return make_close_ws(tmp_path / "books")


@pytest.fixture
def cli(ws: Path) -> Cli:
    return Cli(ws)


def close_text(ws: Path, entity: str, month: str) -> str:
    return (ws / "ledgers" / entity / "2026" / f"{month[5:]}.close.beancount").read_text("utf-8")


# --------------------------------------------------------------------------- close


def test_close_writes_the_lock_and_the_reports(ws: Path, cli: Cli) -> None:
    result = cli("close", "2026-01")
    assert result.exit_code == 0, result.output
    assert "2026-01 closed." in result.output
    text = close_text(ws, "coop", "2026-01")
    # exact assertions dated the 1st of M+1 on each leaf with a balance or a posting in M
    assert (
        "2026-02-01 balance Actif:Banque:Nef                                750.00 ~ 0.00 EUR"
        in text
    )
    assert (
        "2026-02-01 balance Capitaux:Capital                                -1000.00 ~ 0.00 EUR"
        in text
    )
    # a posting in M, zero balance: still asserted
    assert (
        "2026-02-01 balance Passif:Fournisseurs:Beta                        0.00 ~ 0.00 EUR" in text
    )
    # no posting, no balance; and never income or expenses
    assert "Actif:Clients:Alpha" not in text
    assert "Charges:Loyer" not in text and "Produits:" not in text
    assert '2026-02-01 custom "alusage-close" "2026-01" "' in text
    assert "closed-on: 2026-04-15" in text
    main = (ws / "ledgers/coop/main.beancount").read_text("utf-8")
    assert main.endswith('include "2026/01.close.beancount"\n')
    # the micro-entrepreneur's register is locked too (issue 21), without statements
    assert (ws / "ledgers/solo/2026/01.close.beancount").exists()
    for rel in (
        "README.md",
        "coop/income-statement.md",
        "coop/income-statement.csv",
        "coop/balance-sheet.md",
        "coop/balance-sheet.csv",
        "shop/balance-sheet.csv",
    ):
        assert (ws / "reports/2026-01" / rel).is_file(), rel
    assert not (ws / "reports/2026-01/solo").exists()
    assert cli("check").exit_code == 0


def test_close_twice_changes_no_byte(ws: Path, cli: Cli) -> None:
    assert cli("close", "2026-01").exit_code == 0
    before = snapshot(ws)
    result = cli("close", "2026-01")
    assert result.exit_code == 0, result.output
    assert "2026-01 is already closed; nothing was changed." in result.output
    assert snapshot(ws) == before


def test_reports_are_byte_identical_when_regenerated(ws: Path, cli: Cli) -> None:
    from alusage_ledger.books.ledger import Workspace
    from alusage_ledger.domains.closing.reports import report_files, write_reports

    assert cli("close", "2026-01").exit_code == 0
    before = snapshot(ws / "reports")
    workspace = Workspace.open(ws)
    write_reports(workspace, Month.parse("2026-01"))
    assert snapshot(ws / "reports") == before
    files = report_files(workspace, Month.parse("2026-01"))
    assert {f"2026-01/{rel}": data for rel, data in files.items()} == before


def test_close_json_summary(ws: Path, cli: Cli) -> None:
    result = cli("--json", "close", "2026-01")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["month"] == "2026-01"
    assert document["already_closed"] is False
    statuses = {e["entity"]: e["status"] for e in document["entities"]}
    assert statuses == {"coop": "closed", "shop": "closed", "solo": "closed"}
    coop = next(e for e in document["entities"] if e["entity"] == "coop")
    assert coop["assertions"] == 3 and len(coop["digest"]) == 64
    assert "ledgers/coop/2026/01.close.beancount" in document["written"]
    assert "reports/2026-01/README.md" in document["reports"]


def test_close_one_entity_then_the_other(ws: Path, cli: Cli) -> None:
    assert cli("close", "2026-01", "--entity", "shop").exit_code == 0
    assert (ws / "ledgers/shop/2026/01.close.beancount").exists()
    assert not (ws / "ledgers/coop/2026/01.close.beancount").exists()
    result = cli("close", "2026-01")
    assert result.exit_code == 0, result.output
    assert (ws / "ledgers/coop/2026/01.close.beancount").exists()
    assert "shop: already closed" in result.output


def test_close_locks_a_micro_entity_too(ws: Path, cli: Cli) -> None:
    """Issue 21: the URSSAF declaration is made from the register; a hand edit of a closed
    month is caught like any other's, and ``reopen`` lifts it."""
    result = cli("close", "2026-01", "--entity", "solo")
    assert result.exit_code == 0, result.output
    assert "solo: closed" in result.output
    assert (ws / "ledgers/solo/2026/01.close.beancount").exists()
    assert not (ws / "ledgers/coop/2026/01.close.beancount").exists()
    january = ws / "ledgers/solo/2026/01.beancount"
    original = january.read_text("utf-8")
    january.write_text(original.replace("400.00 EUR", "410.00 EUR").replace("-400.00", "-410.00"))
    result = cli("check")
    assert result.exit_code == 1
    assert "2026-01 is closed, but its entries no longer match the close" in result.output
    january.write_text(original, "utf-8")
    result = cli("reopen", "2026-01", "--entity", "solo", "--reason", "Recette oubliée")
    assert result.exit_code == 0, result.output
    assert not (ws / "ledgers/solo/2026/01.close.beancount").exists()
    assert cli("check").exit_code == 0


def test_close_needs_the_month_to_be_over(ws: Path, cli: Cli) -> None:
    before = snapshot(ws)
    result = cli("close", "2026-04")
    assert result.exit_code == 2
    assert "2026-04 is not over yet (today is 2026-04-15); it can be closed from 2026-05-01." in (
        result.output
    )
    assert snapshot(ws) == before
    assert cli("close", "2026-13").exit_code == 2
    assert cli("close", "2025-12").exit_code == 2  # before the books start
    assert snapshot(ws) == before


def test_close_needs_the_previous_month_closed(ws: Path, cli: Cli) -> None:
    before = snapshot(ws)
    result = cli("close", "2026-02")
    assert result.exit_code == 1
    assert "2026-01 is not closed for coop; close it first" in result.output
    assert "2026-01 is not closed for shop" in result.output
    assert "nothing was written" in result.output
    assert snapshot(ws) == before


def test_a_flagged_transaction_stops_the_close(ws: Path, cli: Cli) -> None:
    append(
        ws / "ledgers/shop/2026/01.beancount",
        '\n2026-01-28 ! "Papeterie" "Ticket à vérifier"\n'
        "  Charges:Achats        12.00 EUR\n  Actif:Caisse         -12.00 EUR\n",
    )
    before = snapshot(ws)
    result = cli("close", "2026-01")
    assert result.exit_code == 1
    assert "ledgers/shop/2026/01.beancount:" in result.output
    assert "flagged '!' (to be checked): 2026-01-28 ! \"Papeterie – Ticket à vérifier\"" in (
        result.output
    )
    assert snapshot(ws) == before
    assert not (ws / "ledgers/coop/2026/01.close.beancount").exists()  # all or nothing


def test_a_broken_ledger_stops_only_its_own_close(ws: Path, cli: Cli) -> None:
    """Issue 21: one entity's errors stop only that entity's close; ``close`` says which
    were closed and which not and why, and exits 1."""
    append(ws / "ledgers/coop/2026/02.beancount", '\n2026-02-20 * "x"\n  Actif:Inconnu 1.00 EUR\n')
    before = snapshot(ws)
    result = cli("close", "2026-01", "--entity", "coop")
    assert result.exit_code == 1
    assert "run 'alusage-ledger check' and fix them before closing" in result.output
    assert snapshot(ws) == before
    coop_before = {k: v for k, v in before.items() if k.startswith("ledgers/coop/")}
    result = cli("close", "2026-01")
    assert result.exit_code == 1, result.output
    assert "2026-01 closed, but not for every entity:" in result.output
    assert "coop: NOT closed: " in result.output
    assert "Actif:Inconnu" in result.output
    assert "shop: closed" in result.output and "solo: closed" in result.output
    assert "2026-01 was not closed for coop" in result.output
    after = snapshot(ws)
    assert {k: v for k, v in after.items() if k.startswith("ledgers/coop/")} == coop_before
    assert (ws / "ledgers/shop/2026/01.close.beancount").exists()
    assert (ws / "ledgers/solo/2026/01.close.beancount").exists()
    result = cli("close", "2026-01")  # nothing else to close: the errors refuse it
    assert result.exit_code == 1
    assert "run 'alusage-ledger check' and fix them before closing" in result.output


def test_close_json_names_the_entity_not_closed_and_why(ws: Path, cli: Cli) -> None:
    append(ws / "ledgers/coop/2026/02.beancount", '\n2026-02-20 * "x"\n  Actif:Inconnu 1.00 EUR\n')
    result = cli("--json", "close", "2026-01")
    assert result.exit_code == 1
    document = json.loads(result.output)
    coop = next(e for e in document["entities"] if e["entity"] == "coop")
    assert coop["status"] == "not-closed" and "Actif:Inconnu" in coop["reason"]
    assert {e["entity"]: e["status"] for e in document["entities"]}["shop"] == "closed"


def test_dry_run_writes_nothing_and_shows_everything(ws: Path, cli: Cli) -> None:
    before = snapshot(ws)
    result = cli("close", "2026-01", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "nothing was written" in result.output
    assert "--- ledgers/coop/2026/01.close.beancount" in result.output
    assert "2026-02-01 balance Actif:Banque:Nef" in result.output
    assert "--- reports/2026-01/README.md" in result.output
    assert snapshot(ws) == before
    document = json.loads(cli("--json", "close", "2026-01", "--dry-run").output)
    assert document["dry_run"] is True
    assert (
        'custom "alusage-close" "2026-01"'
        in document["planned"]["ledgers/coop/2026/01.close.beancount"]
    )
    assert snapshot(ws) == before
    # the dry run planned exactly what the real close writes
    assert cli("close", "2026-01").exit_code == 0
    assert document["planned"]["ledgers/coop/2026/01.close.beancount"] == close_text(
        ws, "coop", "2026-01"
    )


def test_closing_months_in_a_row_chains_the_digests(ws: Path, cli: Cli) -> None:
    from alusage_ledger.books.ledger import Workspace
    from alusage_ledger.books.locks import close_records

    for month in ("2026-01", "2026-02", "2026-03"):
        result = cli("close", month)
        assert result.exit_code == 0, result.output
    assert cli("check").exit_code == 0
    ledger = Workspace.open(ws).load_checked("coop")
    records, duplicates = close_records(ledger.entries)
    assert [str(m) for m in sorted(records)] == ["2026-01", "2026-02", "2026-03"] and not duplicates
    assert len({r.digest for r in records.values()}) == 3
    # March has no entry in shop: its lock still exists (digest of the chain alone)
    assert "alusage-close" in close_text(ws, "shop", "2026-03")


# --------------------------------------------------------------------------- late documents


def test_the_writer_refuses_a_closed_month_and_accepts_a_late_document(ws: Path, cli: Cli) -> None:
    from decimal import Decimal

    from beancount.core import amount, data

    from alusage_ledger.books.ledger import Workspace
    from alusage_ledger.books.writer import Append

    assert cli("close", "2026-01").exit_code == 0
    workspace = Workspace.open(ws)

    def bill(day: date, **meta: object) -> object:
        m = data.new_metadata("<alusage>", 0)
        m.update({"piece-ref": "B-01b", **meta})
        return data.Transaction(
            m,
            day,
            "*",
            "Beta",
            "Régularisation charges janvier",
            frozenset(),
            frozenset({"coop-B-01b"}),
            [
                data.Posting(
                    "Charges:Loyer", amount.Amount(Decimal("25.00"), "EUR"), None, None, None, None
                ),
                data.Posting(
                    "Passif:Fournisseurs:Beta",
                    amount.Amount(Decimal("-25.00"), "EUR"),
                    None,
                    None,
                    None,
                    None,
                ),
            ],
        )

    before = snapshot(ws)
    with pytest.raises(RefusedError) as refused:
        workspace.write([Append("coop", (bill(date(2026, 1, 30)),))])
    assert "2026-01 is closed for coop" in refused.value.message
    assert "its own date 2026-01-30 with --piece-date" in refused.value.message
    assert snapshot(ws) == before
    # booked at an open date, with the document's date as piece-date
    workspace.write(
        [Append("coop", (bill(date(2026, 2, 10), **{"piece-date": date(2026, 1, 30)}),))]
    )
    text = (ws / "ledgers/coop/2026/02.beancount").read_text("utf-8")
    assert "piece-date: 2026-01-30" in text
    assert cli("check").exit_code == 0


# --------------------------------------------------------------------------- reopen


def test_reopen_then_close_again(ws: Path, cli: Cli) -> None:
    assert cli("close", "2026-01").exit_code == 0
    first_digest = close_text(ws, "coop", "2026-01").split('"2026-01" "')[1][:64]
    commit_all(ws, "Close 2026-01")
    result = cli("reopen", "2026-01", "--reason", 'Facture "Beta" oubliée')
    assert result.exit_code == 0, result.output
    assert not (ws / "ledgers/coop/2026/01.close.beancount").exists()
    main = (ws / "ledgers/coop/main.beancount").read_text("utf-8")
    assert "01.close.beancount" not in main
    january = (ws / "ledgers/coop/2026/01.beancount").read_text("utf-8")
    assert january.endswith(
        '2026-01-31 custom "alusage-reopen" "2026-01"\n'
        '  reason: "Facture \\"Beta\\" oubliée"\n'
        "  reopened-on: 2026-04-15\n"
    )
    assert cli("check").exit_code == 0
    # the git diff shows exactly the sanctioned deletion and the record
    status = git(ws, "status", "--porcelain")
    assert " D ledgers/coop/2026/01.close.beancount" in status
    # a correction, then close again: the new digest covers the reopen record too
    append(
        ws / "ledgers/coop/2026/01.beancount",
        '\n2026-01-31 * "Beta" "Charges janvier"\n'
        "  Charges:Loyer              10.00 EUR\n  Passif:Fournisseurs:Beta  -10.00 EUR\n",
    )
    result = cli("close", "2026-01")
    assert result.exit_code == 0, result.output
    assert close_text(ws, "coop", "2026-01").split('"2026-01" "')[1][:64] != first_digest
    assert cli("close", "2026-02").exit_code == 0
    assert cli("check").exit_code == 0


def test_reopen_only_the_last_closed_month(ws: Path, cli: Cli) -> None:
    assert cli("close", "2026-01").exit_code == 0
    assert cli("close", "2026-02").exit_code == 0
    before = snapshot(ws)
    result = cli("reopen", "2026-01", "--reason", "erreur")
    assert result.exit_code == 4
    assert "Only the last closed month of coop can be reopened (2026-02)" in result.output
    assert snapshot(ws) == before
    result = cli("reopen", "2026-03", "--reason", "erreur")
    assert result.exit_code == 2
    assert "2026-03 is not closed" in result.output
    assert snapshot(ws) == before


def test_reopen_refuses_bad_reasons(ws: Path, cli: Cli) -> None:
    assert cli("close", "2026-01").exit_code == 0
    before = snapshot(ws)
    for reason in ("", "   ", "ligne\n2026-01-01 open Actif:Evil", "bidi \u202e"):
        result = cli("reopen", "2026-01", "--reason", reason)
        assert result.exit_code == 2, (reason, result.output)
    assert snapshot(ws) == before


def test_reopen_is_refused_once_the_exercice_is_closed(ws: Path, cli: Cli) -> None:
    assert cli("close", "2026-01").exit_code == 0
    append(
        ws / "ledgers/coop/2026/03.beancount",
        '\n2026-03-31 custom "alusage-close-exercice" "2026"\n',
    )
    before = snapshot(ws)
    result = cli("reopen", "2026-01", "--reason", "erreur", "--entity", "coop")
    assert result.exit_code == 4
    assert "The exercice of 2026-01 is closed for coop" in result.output
    assert snapshot(ws) == before


# --------------------------------------------------------------------------- commit


def test_commit_commits_what_close_wrote(ws: Path, cli: Cli) -> None:
    result = cli("close", "2026-01", "--commit")
    assert result.exit_code == 0, result.output
    assert git(ws, "status", "--porcelain") == ""
    assert git(ws, "log", "-1", "--format=%s").strip() == "Close 2026-01 (coop, shop, solo)"
    files = git(ws, "show", "--name-only", "--format=", "HEAD").split()
    assert "ledgers/coop/2026/01.close.beancount" in files
    assert "reports/2026-01/README.md" in files


def test_commit_message_in_the_users_language(ws: Path, cli: Cli) -> None:
    result = cli("close", "2026-01", "--commit", lang="fr")
    assert result.exit_code == 0, result.output
    assert git(ws, "log", "-1", "--format=%s").strip() == "Clôture de 2026-01 (coop, shop, solo)"


def test_commit_refused_with_unrelated_changes(ws: Path, cli: Cli) -> None:
    (ws / "notes.txt").write_text("brouillon\n", "utf-8")
    before = snapshot(ws)
    result = cli("close", "2026-01", "--commit")
    assert result.exit_code == 4
    assert "uncommitted changes unrelated to this close (notes.txt)" in result.output
    assert snapshot(ws) == before


def test_commit_refused_outside_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALUSAGE_TODAY", TODAY)
    root = make_close_ws(tmp_path / "nogit", git_repo=False)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    before = snapshot(root)
    result = Cli(root)("close", "2026-01", "--commit")
    assert result.exit_code == 4
    assert "--commit needs a git repository" in result.output
    assert snapshot(root) == before


# --------------------------------------------------------------------------- all or nothing


def test_a_failing_step_restores_every_file(
    ws: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A step that writes, then a later one that fails: nothing of the close remains."""
    from beancount.core import data
    from beancount.parser.grammar import ValueType

    from alusage_ledger.books.writer import Append
    from alusage_ledger.core.errors import UsageError

    monthend.steps()  # import the registered steps first

    def writes(workspace, month, *, dry_run=False):  # type: ignore[no-untyped-def]
        meta = data.new_metadata("<alusage>", 0)
        meta["gen-id"] = f"test/{month}"
        entry = data.Custom(meta, date(2026, 1, 31), "alusage-test", [ValueType("x", str)])
        workspace.write([Append("coop", (entry,)), Append("shop", (entry,))])
        return ["wrote"]

    def fails(workspace, month, *, dry_run=False):  # type: ignore[no-untyped-def]
        raise UsageError("the VAT step failed on purpose")

    monkeypatch.setitem(monthend.STEPS, "recurring", writes)
    monkeypatch.setitem(monthend.STEPS, "vat", fails)
    before = snapshot(ws)
    result = cli("close", "2026-01")
    assert result.exit_code == 2, result.output
    assert "the VAT step failed on purpose" in result.output
    assert snapshot(ws) == before
    assert not (ws / "reports").exists()


def test_a_failing_report_restores_every_ledger(ws: Path, cli: Cli) -> None:
    (ws / "reports").mkdir()
    (ws / "reports/2026-01").write_text("not a folder\n", "utf-8")
    before = snapshot(ws)
    result = cli("close", "2026-01")
    assert result.exit_code != 0
    assert snapshot(ws) == before


def test_steps_run_in_order_and_their_lines_are_shown(
    ws: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monthend.steps()
    seen: list[str] = []

    def step(name: str):  # type: ignore[no-untyped-def]
        def run(workspace, month, *, dry_run=False):  # type: ignore[no-untyped-def]
            seen.append(f"{name} {month} {dry_run}")
            return [f"{name} done"]

        return run

    for name in monthend.ORDER:
        monkeypatch.setitem(monthend.STEPS, name, step(name))
    result = cli("close", "2026-01")
    assert result.exit_code == 0, result.output
    assert seen == [f"{n} 2026-01 False" for n in monthend.ORDER]
    assert "step shares of the places:\n  shares done" in result.output


# --------------------------------------------------------------------------- subprocess


def test_close_in_a_real_process(ws: Path) -> None:
    done = run_subprocess("--workspace", str(ws), "close", "2026-01", env={"ALUSAGE_TODAY": TODAY})
    assert done.returncode == 0, done.stderr
    assert (ws / "ledgers/coop/2026/01.close.beancount").is_file()
    done = run_subprocess("--workspace", str(ws), "close", "2026-09", env={"ALUSAGE_TODAY": TODAY})
    assert done.returncode == 2
    assert "Traceback" not in done.stderr


# --------------------------------------------------------------------------- hostile text


@pytest.fixture(scope="module")
def closed_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from alusage_ledger.books.ledger import Workspace
    from alusage_ledger.domains.closing.close import close_month

    root = make_close_ws(tmp_path_factory.mktemp("template") / "books", git_repo=False)
    close_month(Workspace.open(root), Month.parse("2026-01"), today=date(2026, 4, 15))
    return root


HOSTILE = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            'quote " and \\ backslash',
            '"\n2026-01-01 open Actif:Evil EUR',
            "tab\there",
            "NUL \x00",
            "bidi \u202e",
            "Facture « oubliée » — 12,50 €",
        ]
    ),
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(reason=HOSTILE)
def test_reopen_reasons_round_trip_or_are_refused(
    closed_template: Path, tmp_path: Path, reason: str
) -> None:
    import shutil
    import uuid

    from alusage_ledger.books.ledger import Workspace
    from alusage_ledger.books.locks import REOPEN_TYPE
    from alusage_ledger.core.errors import UsageError
    from alusage_ledger.domains.closing.reopen import reopen_month

    root = tmp_path / uuid.uuid4().hex
    shutil.copytree(closed_template, root)
    before = snapshot(root)
    workspace = Workspace.open(root)
    try:
        reopen_month(workspace, Month.parse("2026-01"), reason, today=date(2026, 4, 15))
    except UsageError:
        assert snapshot(root) == before
        return
    ledger = Workspace.open(root).load_checked("coop")
    records = [e for e in ledger.entries if type(e).__name__ == "Custom" and e.type == REOPEN_TYPE]
    assert len(records) == 1
    assert records[0].meta["reason"] == reason.strip()
    assert not any(e.account == "Actif:Evil" for e in ledger.entries if hasattr(e, "account"))


def test_a_failing_commit_restores_every_file(ws: Path, cli: Cli) -> None:
    hook = ws / ".git/hooks/pre-commit"
    hook.write_text("#!/bin/sh\necho 'refused by the hook' >&2\nexit 1\n", "utf-8")
    hook.chmod(0o755)
    before = snapshot(ws)
    result = cli("close", "2026-01", "--commit")
    assert result.exit_code == 5, result.output
    assert "git commit failed" in result.output
    assert snapshot(ws) == before
    assert git(ws, "status", "--porcelain") == ""


def test_remove_close_file_is_safe(ws: Path, cli: Cli) -> None:
    """The one sanctioned deletion: only a close file, included once; restored on failure."""
    from beancount.core import data
    from beancount.parser.grammar import ValueType

    from alusage_ledger.books.ledger import Workspace
    from alusage_ledger.books.writer import Append
    from alusage_ledger.core.errors import UsageError

    assert cli("close", "2026-01").exit_code == 0
    before = snapshot(ws)
    workspace = Workspace.open(ws)
    with pytest.raises(UsageError):
        workspace.remove_close_file("coop", "2026/01.beancount")
    with pytest.raises(UsageError):
        workspace.remove_close_file("coop", "../shop/2026/01.close.beancount")
    # what is appended afterwards fails: the close file and its include come back
    bad = data.Custom(
        data.new_metadata("<alusage>", 0),
        date(2026, 1, 31),
        "alusage-reopen",
        [ValueType("Actif:Inconnu", "<AccountDummy>")],
    )
    with pytest.raises(UsageError):
        workspace.remove_close_file(
            "coop", "2026/01.close.beancount", then=[Append("coop", (bad,))]
        )
    assert snapshot(ws) == before
    # an include written twice by hand: an error of the ledger (as for Beancount, issue
    # 24), so refused before anything is touched
    append(ws / "ledgers/coop/main.beancount", 'include "2026/01.close.beancount"\n')
    before = snapshot(ws)
    with pytest.raises(LedgerErrors) as raised:
        Workspace.open(ws).remove_close_file("coop", "2026/01.close.beancount")
    assert "is included more than once" in raised.value.problems[0].message
    assert snapshot(ws) == before


def test_the_hidden_today_option(ws: Path, cli: Cli) -> None:
    before = snapshot(ws)
    assert cli("close", "2026-01", "--today", "2026-01-31").exit_code == 2
    result = cli("close", "2026-01", "--today", "31/01/2026")
    assert result.exit_code == 2
    assert "is not a date; write it as YYYY-MM-DD" in result.output
    assert snapshot(ws) == before
    assert cli("close", "2026-01", "--today", "2026-02-01").exit_code == 0
    assert "closed-on: 2026-02-01" in close_text(ws, "coop", "2026-01")
