"""``check`` on closed months: digests, the chain, close files (issue 7, month locks)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from closing_helpers import append, commit_all, git, make_close_ws
from conftest import Cli

from alusage_ledger.books.entityconfig import EntityConfig
from alusage_ledger.books.locks import exercice_end_in
from alusage_ledger.core.periods import Exercice, Month

TODAY = "2026-04-15"


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ALUSAGE_TODAY", TODAY)
    root = make_close_ws(tmp_path / "books")
    cli = Cli(root)
    for month in ("2026-01", "2026-02"):
        result = cli("close", month)
        assert result.exit_code == 0, result.output
    commit_all(root, "Close January and February")
    return root


@pytest.fixture
def cli(ws: Path) -> Cli:
    return Cli(ws)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


# --------------------------------------------------------------------------- months


def test_month_helpers() -> None:
    february = Month.parse("2026-02")
    assert (february.first_day, february.last_day) == (date(2026, 2, 1), date(2026, 2, 28))
    assert Month.parse("2024-02").last_day == date(2024, 2, 29)
    assert str(Month.parse("2026-12").next()) == "2027-01"
    assert str(Month.parse("2026-01").prev()) == "2025-12"
    assert str(Month.parse(" 2026-11 ")) == "2026-11"
    for bad in ("2026-13", "2026-1", "novembre", "2026-11-01"):
        with pytest.raises(Exception, match="is not a month"):
            Month.parse(bad)


def bounds(exercice: Exercice) -> tuple[date, date]:
    return exercice.first_day, exercice.last_day


def test_exercice_bounds() -> None:
    calendar = EntityConfig(name="x", kind="sas", ledger="l/main.beancount")
    assert bounds(calendar.exercice_of(date(2026, 5, 3))) == (date(2026, 1, 1), date(2026, 12, 31))
    assert exercice_end_in(calendar, Month.parse("2026-12")) == date(2026, 12, 31)
    assert exercice_end_in(calendar, Month.parse("2026-11")) is None
    july = EntityConfig(name="x", kind="scic", ledger="l/main.beancount", exercice_start="07-01")
    assert bounds(july.exercice_of(date(2026, 5, 3))) == (date(2025, 7, 1), date(2026, 6, 30))
    assert bounds(july.exercice_of(date(2026, 7, 1))) == (date(2026, 7, 1), date(2027, 6, 30))
    assert exercice_end_in(july, Month.parse("2026-06")) == date(2026, 6, 30)


# --------------------------------------------------------------------------- acceptance


def test_a_clean_close_checks(cli: Cli) -> None:
    result = cli("check")
    assert result.exit_code == 0, result.output


def test_a_narration_edited_by_hand_is_named(ws: Path, cli: Cli) -> None:
    edit(
        ws / "ledgers/coop/2026/01.beancount", '"Donatrice" "Don"', '"Donatrice" "Don exceptionnel"'
    )
    result = cli("check")
    assert result.exit_code == 1
    assert "2026-01 is closed, but its entries no longer match the close" in result.output
    assert (
        "ledgers/coop/2026/01.beancount:20: entry of the closed month 2026-01 changed by hand "
        'after its close: 2026-01-20 * "Donatrice – Don exceptionnel".'
    ) in result.output
    # only the month that changed: February still matches (the chain keeps stored digests)
    assert "2026-02 is closed, but" not in result.output
    result = cli("check", lang="fr")
    assert "2026-01 est clôturé, mais ses écritures ne correspondent plus" in result.output


def test_an_entry_added_in_another_file_is_named(ws: Path, cli: Cli) -> None:
    append(
        ws / "ledgers/coop/2026/03.beancount",
        '\n2026-01-25 * "Donateur" "Don oublié"\n'
        "  Actif:Banque:Nef      20.00 EUR\n  Produits:Dons        -20.00 EUR\n",
    )
    result = cli("check")
    assert result.exit_code == 1
    assert "2026-01 is closed, but its entries no longer match the close" in result.output
    assert (
        'entry added to the closed month 2026-01 after its close: 2026-01-25 * "Donateur – Don '
        'oublié".'
    ) in result.output
    assert "ledgers/coop/2026/03.beancount:" in result.output
    # the exact assertions catch the changed amounts too
    assert "Balance failed for 'Actif:Banque:Nef'" in result.output


def test_an_entry_removed_is_named(ws: Path, cli: Cli) -> None:
    edit(
        ws / "ledgers/shop/2026/02.beancount",
        '2026-02-03 * "Papeterie" "Fournitures"\n'
        "  Charges:Achats                     19.90 EUR\n"
        "  Actif:Banque:Courant              -19.90 EUR\n",
        "",
    )
    result = cli("check")
    assert result.exit_code == 1
    assert "2026-02 is closed, but its entries no longer match the close" in result.output
    assert (
        'entry removed from the closed month 2026-02 after its close: 2026-02-03 * "Papeterie – '
        'Fournitures" (it was at ledgers/shop/2026/02.beancount:7 in git revision HEAD).'
    ) in result.output


def test_without_git_the_month_is_still_named(
    ws: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    shutil.rmtree(ws / ".git")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(ws.parent))
    edit(ws / "ledgers/coop/2026/02.beancount", "Facture atelier", "Facture atelier bis")
    result = cli("check")
    assert result.exit_code == 1
    assert "2026-02 is closed, but its entries no longer match the close" in result.output
    assert "1 error(s) found." in result.output  # the month, no entry without history


def test_a_metadata_change_is_caught(ws: Path, cli: Cli) -> None:
    edit(ws / "ledgers/coop/2026/02.beancount", 'client: "Alpha"', 'client: "Alpha SA"')
    result = cli("check")
    assert result.exit_code == 1
    assert "entry of the closed month 2026-02 changed by hand" in result.output


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("closed-on: 2026-04-15", "closed-on: 2026-04-16"),
        ("2026-02-01 balance Capitaux:Capital", "2026-02-02 balance Capitaux:Capital"),
        (
            "2026-02-01 balance Passif:Fournisseurs:Beta                        0.00 ~ 0.00 EUR\n",
            "",
        ),
    ],
)
def test_a_close_file_edited_by_hand(ws: Path, cli: Cli, old: str, new: str) -> None:
    edit(ws / "ledgers/coop/2026/01.close.beancount", old, new)
    result = cli("check")
    assert result.exit_code == 1
    assert "the close file of 2026-01 was edited by hand" in result.output
    assert "git checkout -- ledgers/coop/2026/01.close.beancount" in result.output


def test_an_entry_added_to_a_close_file(ws: Path, cli: Cli) -> None:
    append(ws / "ledgers/coop/2026/01.close.beancount", '\n2026-02-01 custom "note" "x"\n')
    result = cli("check")
    assert result.exit_code == 1
    assert "the close file of 2026-01 was edited by hand" in result.output


def test_a_close_directive_removed_by_hand(ws: Path, cli: Cli) -> None:
    path = ws / "ledgers/coop/2026/02.close.beancount"
    text = path.read_text("utf-8")
    path.write_text(text[: text.index('2026-03-01 custom "alusage-close"')], "utf-8")
    result = cli("check")
    assert result.exit_code == 1
    assert "the close file of 2026-02 has no alusage-close directive for 2026-02" in result.output


def test_a_close_digest_edited_by_hand(ws: Path, cli: Cli) -> None:
    path = ws / "ledgers/coop/2026/01.close.beancount"
    text = path.read_text("utf-8")
    digest = text.split('"2026-01" "')[1][:64]
    path.write_text(text.replace(digest, "0" * 64), "utf-8")
    result = cli("check")
    assert result.exit_code == 1
    assert "the close file of 2026-01 was edited by hand" in result.output
    assert "2026-01 is closed, but its entries no longer match" in result.output


def test_a_close_file_removed_by_hand_breaks_the_chain(ws: Path, cli: Cli) -> None:
    (ws / "ledgers/coop/2026/01.close.beancount").unlink()
    edit(ws / "ledgers/coop/main.beancount", 'include "2026/01.close.beancount"\n', "")
    result = cli("check")
    assert result.exit_code == 1
    assert "2026-02 is closed but 2026-01 is not: the chain of month locks is broken" in (
        result.output
    )


def test_the_chain_survives_reopen_and_close(ws: Path, cli: Cli) -> None:
    assert cli("reopen", "2026-02", "--reason", "pièce manquante").exit_code == 0
    assert cli("check").exit_code == 0
    assert cli("close", "2026-02").exit_code == 0
    assert cli("close", "2026-03").exit_code == 0
    assert cli("check").exit_code == 0
    commit_all(ws, "reopen, close")
    assert git(ws, "status", "--porcelain") == ""


def test_the_inventory_window_of_the_exercice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The exercice's last month: no exact assertions, #inventaire entries stay possible."""
    monkeypatch.setenv("ALUSAGE_TODAY", TODAY)
    root = make_close_ws(tmp_path / "books", git_repo=False)
    config = (root / "alusage.toml").read_text("utf-8")
    (root / "alusage.toml").write_text(
        config.replace('kind = "scic"\n', 'kind = "scic"\nexercice_start = "03-01"\n'), "utf-8"
    )
    cli = Cli(root)
    assert cli("close", "2026-01", "--entity", "coop").exit_code == 0
    assert cli("close", "2026-02", "--entity", "coop").exit_code == 0
    february = (root / "ledgers/coop/2026/02.close.beancount").read_text("utf-8")
    assert "balance" not in february and "alusage-close" in february
    january = (root / "ledgers/coop/2026/01.close.beancount").read_text("utf-8")
    assert "balance" in january
    # an inventory entry dated the exercice's last day, written after the close
    append(
        root / "ledgers/coop/2026/02.beancount",
        '\n2026-02-28 * "Inventaire" "Charges à payer" #inventaire\n'
        "  Charges:Loyer               15.00 EUR\n  Passif:Fournisseurs:Beta   -15.00 EUR\n",
    )
    result = cli("check")
    assert result.exit_code == 0, result.output
    # any other entry of that day is still caught
    append(
        root / "ledgers/coop/2026/02.beancount",
        '\n2026-02-28 * "Beta" "Sans étiquette"\n'
        "  Charges:Loyer               15.00 EUR\n  Passif:Fournisseurs:Beta   -15.00 EUR\n",
    )
    result = cli("check")
    assert result.exit_code == 1
    assert "2026-02 is closed, but its entries no longer match" in result.output


def test_the_lock_asserts_leaves_open_accounts_and_every_currency(tmp_path: Path) -> None:
    """Parents with postings of their own, closed accounts and other currencies."""
    from alusage_ledger.books.entityconfig import EntityConfig
    from alusage_ledger.books.loader import load_ledger
    from alusage_ledger.domains.closing.lock import build_lock

    folder = tmp_path / "l"
    folder.mkdir()
    (folder / "main.beancount").write_text(
        "2026-01-01 open Assets:Bank\n"
        "2026-01-01 open Assets:Bank:Savings\n"
        "2026-01-01 open Assets:Old\n"
        "2026-01-01 open Assets:Dollars\n"
        "2026-01-01 open Equity:Capital\n"
        "2026-01-01 open Income:Sales\n"
        '2026-01-02 * "a"\n  Assets:Bank 10.00 EUR\n  Equity:Capital -10.00 EUR\n'
        '2026-01-03 * "b"\n  Assets:Bank:Savings 5.00 EUR\n  Equity:Capital -5.00 EUR\n'
        '2026-01-04 * "c"\n  Assets:Old 1.00 EUR\n  Equity:Capital -1.00 EUR\n'
        '2026-01-05 * "d"\n  Assets:Old -1.00 EUR\n  Equity:Capital 1.00 EUR\n'
        "2026-01-20 close Assets:Old\n"
        '2026-01-06 * "e"\n  Assets:Dollars 7.5 USD\n  Income:Sales -7.5 USD\n'
        "2026-02-01 balance Equity:Capital -15.00 EUR\n",
        "utf-8",
    )
    ledger = load_ledger("x", folder / "main.beancount", tmp_path, frozenset())
    assert ledger.ok, ledger.problems
    config = EntityConfig(name="x", kind="sas", ledger="l/main.beancount")
    entries, digest = build_lock(ledger, config, Month.parse("2026-01"), date(2026, 2, 3), None)
    shown = [(e.account, str(e.amount), str(e.tolerance)) for e in entries[:-1]]
    assert shown == [
        ("Assets:Bank:Savings", "5.00 EUR", "0.00"),
        ("Assets:Dollars", "7.5 USD", "0"),
    ]  # not the parent Assets:Bank, not the closed Assets:Old, not the asserted capital
    close = entries[-1]
    assert close.values[0].value == "2026-01" and close.values[1].value == digest
    assert close.meta["closed-on"] == date(2026, 2, 3)
