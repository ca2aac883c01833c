"""``review`` and ``hooks install`` on real git repositories built in each test.

Each test makes a small one-entity workspace with ``init``'s files, commits it on
``main``, changes it on a branch (or in the working tree) and reviews the change through
the CLI; the children that load each side are real processes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import PROJECT, Cli, run_subprocess, snapshot

from alusage_ledger.books.canonical import entry_hash
from alusage_ledger.books.workspace_init import NewEntity, create_workspace
from alusage_ledger.integrations.review import git_sides as review_git

GOLDEN = Path(__file__).parent / "golden" / "review"
LEDGER = Path("ledgers/alusage")
MONTH = LEDGER / "2026/01.beancount"
MAIN = LEDGER / "main.beancount"
ROOTS = (
    'option "name_assets" "Actif"\noption "name_liabilities" "Passif"\n'
    'option "name_equity" "Capitaux"\noption "name_income" "Produits"\n'
    'option "name_expenses" "Charges"\n'
)
OPENING = """
2026-01-05 * "Associés" "Apport en capital"
  Actif:Banque:Courant  10000.00 EUR
  Capitaux:Capital     -10000.00 EUR

2026-01-12 * "Banque" "Frais de tenue de compte"
  Charges:Banque:Frais   12.00 EUR
  Actif:Banque:Courant  -12.00 EUR
"""
INVOICE = """
2026-01-01 open Actif:Clients:CoopDesTilleuls EUR
  pcg: "411"
  label: "Clients"

2026-01-20 * "Coop des Tilleuls" "Facture F2026-0001" ^F2026-0001
  invoice: "F2026-0001"
  client: "Coop des Tilleuls"
  activity: "formation"
  vat-rate: "20"
  Actif:Clients:CoopDesTilleuls   1200.00 EUR
  Produits:Prestations:Formation -1000.00 EUR
  Passif:Etat:TVAEnAttente        -200.00 EUR
"""
CLOSE = """
2026-02-01 balance Actif:Banque:Courant 9988.00 ~ 0.00 EUR
2026-02-01 balance Capitaux:Capital -10000.00 ~ 0.00 EUR

2026-02-01 custom "alusage-close" "2026-01" "0000000000000000000000000000000000000000000000000000000000000000"
  closed-on: 2026-02-03
"""


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    )
    return done.stdout


def commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def append(path: Path, text: str) -> None:
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(text)


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def include(repo: Path, rel: str) -> None:
    append(repo / MAIN, f'include "{rel}"\n')


@pytest.fixture
def ws(git_repo: Path) -> Path:
    """One entity (alusage, sas) with January's entries, committed on ``main``."""
    create_workspace(git_repo, (NewEntity("alusage", "sas", "Alusage SAS"),), git=False)
    (git_repo / MONTH).parent.mkdir(parents=True)
    (git_repo / MONTH).write_text(ROOTS + OPENING, encoding="utf-8")
    include(git_repo, "2026/01.beancount")
    commit(git_repo, "January")
    return git_repo


def review(repo: Path, *args: str, lang: str = "en") -> tuple[int, dict[str, Any]]:
    result = Cli(repo)("--json", "review", *args, lang=lang)
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def findings(document: dict[str, Any], severity: str | None = None) -> list[dict[str, Any]]:
    return [f for f in document["findings"] if severity in (None, f["severity"])]


def branch(repo: Path, name: str = "feature") -> None:
    git(repo, "checkout", "-q", "-b", name)


# --------------------------------------------------------------------------- acceptance


@pytest.mark.parametrize("parallel", [False, True], ids=["one-child", "child-per-side"])
def test_branch_adding_an_invoice(
    ws: Path, parallel: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if parallel:  # what a large workspace gets
        monkeypatch.setattr(review_git, "PARALLEL_BYTES", 0)
    branch(ws)
    append(ws / MONTH, INVOICE)
    commit(ws, "Invoice F2026-0001")
    code, document = review(ws, "main", "feature")
    assert code == 0
    (entity,) = document["entities"]
    assert entity["entity"] == "alusage"
    transactions = [e for e in entity["added"] if e["kind"] == "transaction"]
    assert [(e["narration"], e["links"], e["line"]) for e in transactions] == [
        ("Facture F2026-0001", ["F2026-0001"], 19)
    ]
    assert [e["account"] for e in entity["added"] if e["kind"] == "open"] == [
        "Actif:Clients:CoopDesTilleuls"
    ]
    assert entity["removed"] == [] and entity["modified"] == []
    assert entity["balances"] == [
        {
            "account": "Actif:Clients:CoopDesTilleuls",
            "currency": "EUR",
            "old": "0.00",
            "new": "1200.00",
            "change": "1200.00",
        },
        {
            "account": "Passif:Etat:TVAEnAttente",
            "currency": "EUR",
            "old": "0.00",
            "new": "-200.00",
            "change": "-200.00",
        },
        {
            "account": "Produits:Prestations:Formation",
            "currency": "EUR",
            "old": "0.00",
            "new": "-1000.00",
            "change": "-1000.00",
        },
    ]
    assert findings(document) == [
        {
            "severity": "warning",
            "entity": "alusage",
            "file": "ledgers/alusage/2026/01.beancount",
            "line": 15,
            "message": "new account Actif:Clients:CoopDesTilleuls.",
        }
    ]


def test_narration_edited_in_a_closed_month(ws: Path) -> None:
    (ws / LEDGER / "2026/01.close.beancount").write_text(ROOTS + CLOSE, encoding="utf-8")
    include(ws, "2026/01.close.beancount")
    commit(ws, "Close 2026-01")
    branch(ws)
    replace(ws / MONTH, "Frais de tenue de compte", "Frais bancaires de janvier")
    commit(ws, "Better narration")
    code, document = review(ws, "main", "feature")
    assert code == 1
    (entity,) = document["entities"]
    assert entity["added"] == [] and entity["removed"] == [] and entity["balances"] == []
    (change,) = entity["modified"]
    assert change["changed"] == ["narration"]
    assert (change["old"]["narration"], change["new"]["narration"]) == (
        "Frais de tenue de compte",
        "Frais bancaires de janvier",
    )
    assert {(p["account"], p["old"], p["new"]) for p in change["postings"]} == {
        ("Charges:Banque:Frais", "12.00", "12.00"),
        ("Actif:Banque:Courant", "-12.00", "-12.00"),
    }
    mine = [f for f in findings(document, "error") if "closed month" in f["message"]]
    assert mine == [
        {
            "severity": "error",
            "entity": "alusage",
            "file": "ledgers/alusage/2026/01.beancount",
            "line": 11,
            "message": "an entry of the closed month 2026-01 was changed: "
            '2026-01-12 * "Banque" "Frais de tenue de compte"',
        }
    ]


EVIL_MODULE = """
from pathlib import Path
Path({marker!r}).write_text("the branch's code ran")
__plugins__ = ()
"""


def test_evil_plugin_with_insert_pythonpath_is_refused_never_run(
    ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(review_git, "PARALLEL_BYTES", 0)  # each side in its own child
    marker = tmp_path / "marker"
    branch(ws)
    (ws / LEDGER / "evil.py").write_text(EVIL_MODULE.format(marker=str(marker)))
    replace(
        ws / MAIN,
        'option "title"',
        'option "insert_pythonpath" "TRUE"\nplugin "evil"\noption "title"',
    )
    # The branch also tries to allow its own plugin: only BASE's allow-list counts.
    replace(ws / "alusage.toml", "allowed_plugins = []", 'allowed_plugins = ["evil"]')
    commit(ws, "Evil plugin")

    # The fixture is live: plain Beancount runs the branch's module.
    bean_check = shutil.which("bean-check") or str(Path(sys.executable).parent / "bean-check")
    subprocess.run([bean_check, str(ws / MAIN)], capture_output=True, check=False)
    assert marker.exists()
    marker.unlink()

    code, document = review(ws, "main", "feature")
    assert code == 1
    assert not marker.exists()
    messages = [(f["file"], f["message"]) for f in findings(document, "error")]
    main = "ledgers/alusage/main.beancount"
    assert (main, "plugin 'evil' was added; a plugin is code run on every load.") in messages
    assert (
        main,
        "option 'insert_pythonpath' was added; options change how the ledger is read.",
    ) in messages
    assert any(f == main and m.startswith("plugin 'evil' is refused") for f, m in messages)
    assert any(
        f == main and m.startswith("option 'insert_pythonpath' is refused") for f, m in messages
    )
    assert any(
        f == "alusage.toml" and m.startswith("'evil' was added to the plugin allow-list")
        for f, m in messages
    )

    # Reviewing the checked-out branch (HEAD = the working tree, BASE = main) is as safe.
    code, document = review(ws, "main")
    assert code == 1 and not marker.exists()


def _generated_call(amount: str) -> str:
    from beancount.parser import parser

    text = f"""
2026-01-31 * "Mycéliandre SCIC" "Participation au 97 - janvier 2026" ^le97-2026-01-alusage
  gen-id: "le97/2026-01/alusage"
  period: "2026-01"
  Charges:Locations:Le97   {amount} EUR
  Actif:Banque:Courant    -{amount} EUR
"""
    (entry,), errors, _opts = parser.parse_string(ROOTS + text)
    assert not errors
    stamp = entry_hash(entry, exclude_keys=frozenset({"gen-hash"}))
    return text.replace('  period: "2026-01"\n', f'  period: "2026-01"\n  gen-hash: "{stamp}"\n')


def test_generated_call_edited_by_hand(ws: Path) -> None:
    append(ws / MONTH, _generated_call("800.00"))
    commit(ws, "le 97 call")
    code, document = review(ws, "HEAD~1", "main")
    assert code == 0 and findings(document) == []

    branch(ws)
    replace(ws / MONTH, "   800.00 EUR", "   750.00 EUR")
    replace(ws / MONTH, "-800.00 EUR", "-750.00 EUR")
    commit(ws, "Hand edit")
    code, document = review(ws, "main", "feature")
    assert code == 1
    (entity,) = document["entities"]
    (change,) = entity["modified"]
    assert change["new"]["meta"]["gen-id"] == "le97/2026-01/alusage"
    assert {(p["account"], p["old"], p["new"]) for p in change["postings"]} == {
        ("Charges:Locations:Le97", "800.00", "750.00"),
        ("Actif:Banque:Courant", "-800.00", "-750.00"),
    }
    assert [f["message"] for f in findings(document, "error")] == [
        "the generated entry le97/2026-01/alusage no longer matches its gen-hash: it was "
        "edited by hand; book a correction as a new entry instead."
    ]


def test_example_workspace_against_itself_reports_nothing(git_repo: Path) -> None:
    shutil.copy2(PROJECT / "alusage.toml", git_repo / "alusage.toml")
    shutil.copytree(PROJECT / "ledgers", git_repo / "ledgers")
    commit(git_repo, "Example")
    before = snapshot(git_repo)
    assert review(git_repo, "HEAD", "HEAD") == (0, {"entities": [], "findings": []})
    assert snapshot(git_repo) == before


# --------------------------------------------------------------------------- more findings


def test_balance_assertion_removed_and_close_file_removed_without_reopen(ws: Path) -> None:
    (ws / LEDGER / "2026/01.close.beancount").write_text(ROOTS + CLOSE, encoding="utf-8")
    include(ws, "2026/01.close.beancount")
    commit(ws, "Close 2026-01")
    branch(ws)
    (ws / LEDGER / "2026/01.close.beancount").unlink()
    replace(ws / MAIN, 'include "2026/01.close.beancount"\n', "")
    commit(ws, "Drop the lock")
    code, document = review(ws, "main", "feature")
    assert code == 1
    messages = [(f["file"], f["message"]) for f in findings(document, "error")]
    close_rel = "ledgers/alusage/2026/01.close.beancount"
    assert (
        close_rel,
        "the close file of 2026-01 was removed without a reopen; only "
        "'alusage-ledger reopen 2026-01 --reason ...' may remove it.",
    ) in messages
    removed = [m for f, m in messages if m.startswith("a balance assertion was removed")]
    assert len(removed) == 2


def test_reopen_sanctions_the_removal_of_the_close_file(ws: Path) -> None:
    (ws / LEDGER / "2026/01.close.beancount").write_text(ROOTS + CLOSE, encoding="utf-8")
    include(ws, "2026/01.close.beancount")
    commit(ws, "Close 2026-01")
    branch(ws)
    (ws / LEDGER / "2026/01.close.beancount").unlink()
    replace(ws / MAIN, 'include "2026/01.close.beancount"\n', "")
    (ws / LEDGER / "2026/02.beancount").write_text(
        ROOTS + '\n2026-02-10 custom "alusage-reopen" "2026-01"\n  reason: "Facture oubliée"\n',
        encoding="utf-8",
    )
    include(ws, "2026/02.beancount")
    replace(ws / MONTH, "Frais de tenue de compte", "Frais de tenue de compte (janvier)")
    commit(ws, "Reopen 2026-01")
    _code, document = review(ws, "main", "feature")
    mine = [
        f
        for f in findings(document)
        if any(
            word in f["message"]
            for word in ("close file", "closed month", "balance assertion", "include", "option")
        )
    ]
    assert mine == []


def test_include_of_an_unusual_file_is_an_error_a_month_file_is_not(ws: Path) -> None:
    branch(ws)
    (ws / LEDGER / "2026/02.beancount").write_text(ROOTS, encoding="utf-8")
    include(ws, "2026/02.beancount")
    (ws / LEDGER / "extra.beancount").write_text(ROOTS, encoding="utf-8")
    include(ws, "extra.beancount")
    commit(ws, "Includes")
    code, document = review(ws, "main", "feature")
    assert code == 1
    assert [(f["file"], f["line"], f["message"]) for f in findings(document)] == [
        (
            "ledgers/alusage/main.beancount",
            18,
            "include 'extra.beancount' was added; the tool only includes month and close files.",
        )
    ]


def test_file_included_only_by_head_but_identical_on_both_sides(ws: Path) -> None:
    # BASE already has February's file, but does not include it; HEAD only adds the include.
    (ws / LEDGER / "2026/02.beancount").write_text(
        ROOTS + OPENING.replace("2026-01-", "2026-02-"), encoding="utf-8"
    )
    commit(ws, "February's file, not included yet")
    branch(ws)
    include(ws, "2026/02.beancount")
    commit(ws, "Include February")
    code, document = review(ws, "main", "feature")
    assert code == 0
    (entity,) = document["entities"]
    assert sorted(e["date"] for e in entity["added"]) == ["2026-02-05", "2026-02-12"]


def test_amount_threshold_comes_from_base(ws: Path) -> None:
    append(ws / "alusage.toml", '\n[review]\namount_warning = "1000.00"\n')
    commit(ws, "Threshold")
    branch(ws)
    append(ws / MONTH, INVOICE)
    replace(ws / "alusage.toml", 'amount_warning = "1000.00"', 'amount_warning = "90000.00"')
    commit(ws, "Invoice, and a higher threshold")
    code, document = review(ws, "main", "feature")
    assert code == 0
    warnings = [f["message"] for f in findings(document, "warning")]
    assert (
        "Actif:Clients:CoopDesTilleuls: €1,200.00 is above the review threshold of €1,000.00."
        in (warnings)
    )
    info = [(f["line"], f["message"]) for f in findings(document, "info")]
    assert info == [
        (20, 'line added: amount_warning = "90000.00"'),
        (20, 'line removed: amount_warning = "1000.00"'),
    ]


def test_working_tree_changes_and_untracked_month_file(ws: Path) -> None:
    (ws / LEDGER / "2026/02.beancount").write_text(
        ROOTS + OPENING.replace("2026-01-", "2026-02-"), encoding="utf-8"
    )
    include(ws, "2026/02.beancount")
    code, document = review(ws)
    assert code == 0
    (entity,) = document["entities"]
    assert len(entity["added"]) == 2
    assert [(f["severity"], f["line"]) for f in findings(document)] == [("warning", 7)]
    assert "above the review threshold" in findings(document)[0]["message"]


def test_head_failing_check_is_an_error(ws: Path) -> None:
    branch(ws)
    append(
        ws / MONTH,
        '\n2026-01-25 * "Erreur"\n  Actif:Banque:Courant  10.00 EUR\n  Capitaux:Capital  -9.00 EUR\n',
    )
    commit(ws, "Unbalanced")
    code, document = review(ws, "main", "feature")
    assert code == 1
    errors = findings(document, "error")
    assert [(f["file"], f["line"]) for f in errors] == [("ledgers/alusage/2026/01.beancount", 15)]
    assert "balance" in errors[0]["message"].lower()


def test_symbolic_link_is_not_followed(ws: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.beancount"
    outside.write_text(ROOTS + OPENING)
    branch(ws)
    os.symlink(outside, ws / LEDGER / "2026/02.beancount")
    include(ws, "2026/02.beancount")
    commit(ws, "A link")
    code, document = review(ws, "main", "feature")
    assert code == 1
    warned = [f["file"] for f in findings(document, "warning")]
    assert "ledgers/alusage/2026/02.beancount" in warned


def test_a_new_entity_is_all_added_without_directive_findings(ws: Path) -> None:
    branch(ws)
    from alusage_ledger.books.workspace_init import config_text, ledger_files

    spec = NewEntity("christine-dornier", "micro", "Christine Dornier")
    for name, text in ledger_files(spec, "2026-01-01").items():
        path = ws / "ledgers" / spec.id / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    block = config_text((spec,), "2026-01").split("[entities.christine-dornier]", 1)[1]
    append(ws / "alusage.toml", "\n[entities.christine-dornier]" + block)
    commit(ws, "A new entity")
    code, document = review(ws, "main", "feature")
    assert code == 0
    assert [e["entity"] for e in document["entities"]] == ["christine-dornier"]
    assert findings(document, "error") == []
    assert all(f["message"].startswith(("new account", "line added")) for f in findings(document))


# --------------------------------------------------------------------------- base, usage


def test_default_base_prefers_origin_head_then_main_then_master(ws: Path, tmp_path: Path) -> None:
    branch(ws)
    append(ws / MONTH, INVOICE)
    commit(ws, "Invoice")
    code, document = review(ws)
    assert code == 0 and len(document["entities"][0]["added"]) == 2

    git(ws, "branch", "-m", "main", "master")
    code, document = review(ws)
    assert code == 0 and len(document["entities"][0]["added"]) == 2

    # origin/HEAD wins: here it points at the branch itself, so nothing is new.
    git(ws, "update-ref", "refs/remotes/origin/feature", "HEAD")
    git(ws, "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/feature")
    assert review(ws) == (0, {"entities": [], "findings": []})

    git(ws, "symbolic-ref", "--delete", "refs/remotes/origin/HEAD")
    git(ws, "branch", "-m", "master", "old")
    result = Cli(ws)("review")
    assert result.exit_code == 2
    assert "none of origin/HEAD, main or master exists" in result.output


def test_bad_revision_and_no_repository(ws: Path, empty_ws: Path) -> None:
    before = snapshot(ws)
    result = Cli(ws)("review", "nope")
    assert result.exit_code == 2
    assert "'nope' is not a git revision of this repository." in result.output
    result = Cli(ws)("review", "--", "--output=/tmp/x")
    assert result.exit_code == 2
    assert snapshot(ws) == before
    result = Cli(empty_ws)("review", "main")
    assert result.exit_code == 2
    assert "is not inside a git repository" in result.output


def test_a_side_too_slow_is_stopped(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    append(ws / "alusage.toml", "\n[review]\ntimeout_seconds = 1\n")
    commit(ws, "Short timeout")
    monkeypatch.setenv("ALUSAGE_TEST_REVIEW_SLEEP", "30")
    code, document = review(ws, "HEAD", "HEAD")
    assert code == 1
    (finding,) = document["findings"]
    assert finding["message"] == (
        "HEAD could not be loaded: loading took more than 1 s and was stopped "
        "([review] timeout_seconds)."
    )


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("ALUSAGE_REGEN_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_markdown_for_a_pull_request(ws: Path, lang: str) -> None:
    append(ws / MONTH, "\n2026-01-31 balance Actif:Banque:Courant 9988.00 ~ 0.00 EUR\n")
    commit(ws, "Assertion")
    branch(ws)
    replace(ws / MONTH, "\n2026-01-31 balance Actif:Banque:Courant 9988.00 ~ 0.00 EUR\n", "")
    replace(ws / MONTH, "Frais de tenue de compte", "Frais | <b>bancaires</b>")
    (ws / LEDGER / "2026/02.beancount").write_text(
        ROOTS
        + """
2026-02-14 * "Marché des Chaprais" "Vente de légumes"
  Actif:Caisse                  6330.00 EUR
  Produits:Ventes:Maraichage   -6000.00 EUR
  Passif:Etat:TVACollectee      -330.00 EUR
""",
        encoding="utf-8",
    )
    include(ws, "2026/02.beancount")
    commit(ws, "A sale, an edit, an assertion less")
    result = Cli(ws)("review", "main", "feature", "--format", "md", lang=lang)
    assert result.exit_code == 1
    _golden(f"branch.{lang}.md", result.stdout)


def test_table_output_through_the_console_script(ws: Path) -> None:
    branch(ws)
    append(ws / MONTH, INVOICE)
    commit(ws, "Invoice")
    done = run_subprocess("--workspace", str(ws), "review", "main", "feature")
    assert done.returncode == 0, done.stderr
    assert "alusage: 2 added, 0 removed, 0 modified" in done.stdout
    assert "Actif:Clients:CoopDesTilleuls" in done.stdout
    assert done.stdout.rstrip().endswith("0 error(s), 1 warning(s).")


# --------------------------------------------------------------------------- hooks


def test_hooks_install_then_a_commit_with_a_broken_ledger_is_refused(ws: Path) -> None:
    result = Cli(ws)("hooks", "install")
    assert result.exit_code == 0, result.output
    hook = ws / ".git/hooks/pre-commit"
    assert os.access(hook, os.X_OK)
    text = hook.read_text()
    assert text.startswith("#!/bin/sh\n# alusage-ledger pre-commit hook")
    assert f"{sys.executable} -m alusage_ledger check" in text
    again = Cli(ws)("hooks", "install")
    assert again.exit_code == 0 and "already installed" in again.output
    assert hook.read_text() == text

    append(ws / MONTH, '\n2026-01-25 * "Erreur"\n  Actif:Banque:Courant  10.00 EUR\n')
    git(ws, "add", "-A")
    refused = subprocess.run(
        ["git", "-C", str(ws), "commit", "-q", "-m", "broken"], capture_output=True, text=True
    )
    assert refused.returncode != 0
    assert "01.beancount" in refused.stdout + refused.stderr
    replace(ws / MONTH, '\n2026-01-25 * "Erreur"\n  Actif:Banque:Courant  10.00 EUR\n', "")
    git(ws, "add", "-A")
    commit_ok = subprocess.run(
        ["git", "-C", str(ws), "commit", "-q", "-m", "fine", "--allow-empty"],
        capture_output=True,
        text=True,
    )
    assert commit_ok.returncode == 0, commit_ok.stdout + commit_ok.stderr


def test_hooks_install_keeps_someone_elses_hook(ws: Path) -> None:
    hook = ws / ".git/hooks/pre-commit"
    hook.write_text("#!/bin/sh\necho mine\n")
    result = Cli(ws)("hooks", "install")
    assert result.exit_code == 4
    assert "--force" in result.output
    assert hook.read_text() == "#!/bin/sh\necho mine\n"
    result = Cli(ws)("hooks", "install", "--force")
    assert result.exit_code == 0
    assert (ws / ".git/hooks/pre-commit.alusage-backup").read_text() == "#!/bin/sh\necho mine\n"
    assert "alusage-ledger pre-commit hook" in hook.read_text()


def test_init_with_git_hooks(tmp_path: Path) -> None:
    folder = tmp_path / "books"
    result = Cli(None)("init", str(folder), "--git-hooks")
    assert result.exit_code == 0, result.output
    hook = folder / ".git/hooks/pre-commit"
    assert os.access(hook, os.X_OK)
    assert "alusage_ledger check" in hook.read_text()
