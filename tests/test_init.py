"""``init`` from flags: a complete workspace, or one sentence and nothing written.

The questionnaire in a pseudo-terminal is in tests/test_init_terminal.py.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from conftest import Cli, run_subprocess, snapshot

from alusage_ledger.core.siren import luhn_valid, siren_problem

ATELIER = ("--entity", "atelier:sas:Atelier Commun SAS")


def _error_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.strip()]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (
            ("--entity", "atelier:sas:A", "--entity", "atelier:micro:X"),
            "L'identifiant d'entité 'atelier' est donné deux fois",
        ),
        ((*ATELIER, "--siren", "atelier:123456789"), "clé de contrôle (clé de Luhn)"),
        ((*ATELIER, "--siren", "atelier:12345"), "Un SIREN compte 9 chiffres"),
        ((*ATELIER, "--siren", "autre:917426355"), "qu'aucun --entity ne déclare"),
        ((*ATELIER, "--vat", "atelier:reel"), "Le régime de TVA doit être"),
        ((*ATELIER, "--activity", "atelier:conseil:services:19.6"), "Le taux de TVA"),
        ((*ATELIER, "--activity", "atelier:formation:services:exempt"), "base légale"),
        (
            (*ATELIER, "--activity", "atelier:a:services:20", "--activity", "atelier:a:goods:20"),
            "L'activité 'a' de atelier est donnée deux fois",
        ),
        ((*ATELIER, "--series", "atelier:F-{year}"), "série de factures"),
        ((*ATELIER, "--place", "le97:ailleurs:Le 97"), "'ailleurs'"),
        ((*ATELIER, "--member", "le97:atelier:10:1"), "qu'aucun --place ne déclare"),
        ((*ATELIER, "--place", "le97:atelier:Le 97"), "Le lieu le97 demande des usagers"),
        (
            (*ATELIER, "--place", "le97:atelier:Le 97", "--member", "le97:atelier:10:1",
             "--charges", "le97:loyer:surface:7061"),
            "n'est pas un compte de charges",
        ),
        (
            ("--entity", "lea:micro:Léa", "--vat", "lea:reel-mensuel"),
            "franchise de TVA",
        ),
        (
            (*ATELIER, "--redistribution", "atelier:atelier:don:revenue:0.05"),
            "d'une entité à une autre",
        ),
        (
            (*ATELIER, "--entity", "b:scic:B", "--redistribution", "atelier:b:don:revenue:5"),
            "entre 0 et 1",
        ),
        (("--siren", "a:917426355"), "Nommez d'abord les entités"),
    ],
)  # fmt: skip
def test_inconsistent_input_is_refused_in_one_sentence_nothing_written(
    tmp_path: Path, args: tuple[str, ...], needle: str
) -> None:
    before = snapshot(tmp_path)
    result = Cli(None)("init", str(tmp_path / "w"), *args, lang="fr")
    assert result.exit_code == 2, result.output
    lines = _error_lines(result.output)
    assert len(lines) == 1 and lines[0].startswith("Erreur"), result.output
    assert needle in lines[0]
    assert "Traceback" not in result.output
    assert not (tmp_path / "w").exists()
    assert snapshot(tmp_path) == before


def test_siren_luhn_key() -> None:
    for good in ("917426355", "930281571", "984513028", "981766405", "356000000"):
        assert siren_problem(good) is None, good
    assert siren_problem("123456789") == "key"
    assert siren_problem("12345678") == "digits"
    assert luhn_valid("79927398713") and not luhn_valid("79927398710")


def test_the_config_loader_refuses_a_siren_with_a_wrong_key(example_ws: Path) -> None:
    config = example_ws / "alusage.toml"
    config.write_text(
        config.read_text("utf-8").replace('"917426355"', '"123456789"'), encoding="utf-8"
    )
    result = Cli(example_ws)("check", lang="fr")
    assert result.exit_code == 3
    assert "entities.alusage.siren" in result.output
    assert "clé de contrôle (clé de Luhn)" in result.output


def test_the_flags_write_every_section_commented_in_the_users_language(tmp_path: Path) -> None:
    for lang in ("fr", "en"):
        result = Cli(None)("init", str(tmp_path / lang), "--no-git", *ATELIER, lang=lang)
        assert result.exit_code == 0, result.output
    french = (tmp_path / "fr" / "alusage.toml").read_text("utf-8")
    english = (tmp_path / "en" / "alusage.toml").read_text("utf-8")
    for section in (
        "[workspace]",
        "[entities.atelier]",
        "[[entities.atelier.vat]]",
        "[entities.atelier.series]",
        "[entities.atelier.activities.prestations]",
        "[places]",
        "[bank]",
        "[review]",
        "[year]",
    ):
        assert section in french and section in english, section
    assert "# Régime de TVA, daté" in french and "# VAT regime, dated" in english
    assert "Redistribution vers les communs" in french
    # No hidden default: what the entity sells is written out, nothing else is implied.
    assert "maraichage" not in french.lower()
    accounts = (tmp_path / "fr" / "ledgers/atelier/accounts.beancount").read_text("utf-8")
    assert "Maraichage" not in accounts and "Produits:Prestations:Prestations" in accounts
    # The same words and values in both languages: only the comments differ.
    strip = [line.split("#")[0].rstrip() for line in french.splitlines()]
    assert strip == [line.split("#")[0].rstrip() for line in english.splitlines()]


def test_git_main_with_a_first_commit(tmp_path: Path) -> None:
    result = run_subprocess("init", str(tmp_path / "w"), *ATELIER, env={"ALUSAGE_LANG": "en"})
    assert result.returncode == 0, result.stderr

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", "-C", str(tmp_path / "w"), *args], capture_output=True, text=True, check=True
        )
        return done.stdout

    assert git("rev-parse", "--abbrev-ref", "HEAD") == "main\n"
    assert git("status", "--porcelain") == ""
    assert "alusage.toml" in git("ls-files")
    review = run_subprocess("--workspace", str(tmp_path / "w"), "review", "main")
    assert review.returncode == 0, review.stdout + review.stderr


def test_pcg_accounts_open_on_first_use_with_their_official_label(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALUSAGE_TODAY", "2026-12-01")
    folder = tmp_path / "w"
    assert Cli(None)("init", str(folder), "--no-git", *ATELIER).exit_code == 0
    cli = Cli(folder)
    for account, ref in (("6064", "LM-1"), ("6236", "IB-1")):
        result = cli(
            "bill", "add", "--entity", "atelier", "--supplier", "Librairie", "--account",
            account, "--amount-ht", "45.00", "--vat", "20", "--piece-ref", ref,
            "--date", "2026-11-30", "--label", "Fournitures",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
    result = cli(
        "expense", "add", "--entity", "atelier", "--person", "Camille Martin", "--account",
        "6251", "--amount", "38.40", "--vat", "10", "--date", "2026-11-30", "--label", "Repas",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    accounts = (folder / "ledgers/atelier/accounts.beancount").read_text("utf-8")
    for name, pcg, label in (
        ("Charges:Fournitures:Administratives", "6064", "Fournitures administratives"),
        ("Charges:Publicite:Imprimes", "6236", "Catalogues et imprimés"),
        ("Charges:Deplacements", "6251", "Voyages et déplacements"),
    ):
        assert re.search(rf'open {name} +EUR\n  pcg: "{pcg}"\n  label: "{label}"\n', accounts)
    assert cli("check").exit_code == 0
    # A number the chart does not know stays refused, with the way out.
    result = cli(
        "bill", "add", "--entity", "atelier", "--supplier", "X", "--account", "6999",
        "--amount-ht", "1", "--piece-ref", "X-1", "--date", "2026-11-30", "--label", "x",
    )  # fmt: skip
    assert result.exit_code == 2 and "6999" in result.output
