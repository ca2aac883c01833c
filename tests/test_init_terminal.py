"""``init`` at a terminal: the questionnaire in a real pseudo-terminal (pexpect).

Driven through its prompts in French, with a few wrong answers on the way (each is
explained and asked again), ``init`` writes the same ``alusage.toml`` byte for byte as
the flags form, and the workspace carries the French guide's work (adapted to its
names): opening balances, an invoice and its payment, bills on PCG numbers never opened
by hand (6064, 6236, 6061), days of use, the place's shares, the month's close,
redistribution, VAT, a branch reviewed against ``main``, the FEC; ``check`` passes.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run_subprocess, snapshot

pexpect = pytest.importorskip("pexpect")

ENV = {"ALUSAGE_TODAY": "2026-12-05", "LANG": "C.UTF-8", "TERM": "xterm-256color"}

#: (what the question says, the answer typed); wrong answers are asked again.
ANSWERS = [
    (r"Premier mois des livres", "novembre"),  # refused: a month is YYYY-MM
    (r"Premier mois des livres", "2026-11"),
    (r"Identifiant de l'entité", "atelier"),
    (r"Nature de atelier", "sarl"),  # refused
    (r"Nature de atelier", "sas"),
    (r"Nom de atelier", "Atelier Commun SAS"),
    (r"SIREN de atelier", "123456789"),  # refused: its Luhn key is wrong
    (r"SIREN de atelier", "917 426 355"),
    (r"Régime de TVA de atelier", ""),
    (r"TVA sur les services exigible", ""),
    (r"Numérotation des factures de atelier", ""),
    (r"Activité de atelier", ""),  # refused: at least one activity
    (r"Activité de atelier", "facilitation"),
    (r"Nature de facilitation", ""),
    (r"Taux de TVA de facilitation", "20"),
    (r"Activité de atelier", "formation"),
    (r"Nature de formation", "services"),
    (r"Taux de TVA de formation", "exempt"),
    (r"Base légale", "CGI art. 261-4-4° a"),
    (r"Activité de atelier", ""),
    (r"Une autre entité", "oui"),
    (r"Identifiant de l'entité", "atelier"),  # refused: given twice
    (r"Identifiant de l'entité", "commun"),
    (r"Nature de commun", "scic"),
    (r"Nom de commun", "Le Commun SCIC"),
    (r"SIREN de commun", ""),
    (r"Régime de TVA de commun", "franchise"),
    (r"Numérotation des factures de commun", ""),
    (r"Activité de commun", "locations"),
    (r"Nature de locations", ""),
    (r"Taux de TVA de locations", ""),
    (r"Activité de commun", ""),
    (r"Une autre entité", "o"),
    (r"Identifiant de l'entité", "lea"),
    (r"Nature de lea", "micro"),
    (r"Nom de lea", "Léa Martin"),
    (r"SIREN de lea", "984513028"),
    (r"Numérotation des factures de lea", ""),
    (r"Activité de lea", "graphisme"),
    (r"Catégorie URSSAF de graphisme", "bnc"),
    (r"Activité de lea", ""),
    (r"Une autre entité", ""),
    (r"Lieu partagé", "le97"),
    (r"Nom du lieu le97", "Le 97"),
    (r"Entité qui accueille le97", "comun"),  # refused: no such entity
    (r"Entité qui accueille le97", "commun"),
    (r"Usager de le97", "atelier"),
    (r"Surface utilisée par atelier", "40"),
    (r"Postes de travail de atelier", "4"),
    (r"Usager de le97", "lea"),
    (r"Surface utilisée par lea", "10"),
    (r"Postes de travail de lea", ""),
    (r"Usager de le97", "membre-a"),
    (r"Nom de membre-a", "Membre A"),
    (r"Surface utilisée par membre-a", "10,5"),
    (r"Postes de travail de membre-a", "1"),
    (r"Usager de le97", ""),
    (r"Groupe de charges de le97", "loyer"),
    (r"Clé de répartition de loyer", ""),
    (r"Numéros du PCG de loyer", "6132,614"),
    (r"Groupe de charges de le97", "energie"),
    (r"Clé de répartition de energie", "days"),
    (r"Numéros du PCG de energie", "614"),  # refused: already in the group loyer
    (r"Numéros du PCG de energie", "6061"),
    (r"Groupe de charges de le97", ""),
    (r"Lieu partagé", ""),
    (r"entité qui donne", "atelier"),
    (r"Entité qui reçoit", "commun"),
    (r"Nature \(don", ""),
    (r"Base \(revenue", ""),
    (r"Taux \(0.05", "0.05"),
    (r"entité qui donne", ""),
]

FLAGS = [
    "--books-start", "2026-11",
    "--entity", "atelier:sas:Atelier Commun SAS",
    "--entity", "commun:scic:Le Commun SCIC",
    "--entity", "lea:micro:Léa Martin",
    "--siren", "atelier:917426355",
    "--siren", "lea:984513028",
    "--vat", "atelier:reel-mensuel:encaissements",
    "--vat", "commun:franchise",
    "--activity", "atelier:facilitation:services:20",
    "--activity", "atelier:formation:services:exempt:CGI art. 261-4-4° a",
    "--activity", "commun:locations:services:20",
    "--activity", "lea:graphisme:bnc",
    "--place", "le97:commun:Le 97",
    "--member", "le97:atelier:40:4",
    "--member", "le97:lea:10:1",
    "--member", "le97:membre-a:10.5:1:Membre A",
    "--charges", "le97:loyer:surface:6132,614",
    "--charges", "le97:energie:days:6061",
    "--redistribution", "atelier:commun:don:revenue:0.05",
]  # fmt: skip

#: The French guide's work, adapted to this workspace's names: (command, expected exit).
GUIDE = [
    ("check", 0),
    ("year open balance-ouverture.csv --entity atelier", 0),
    (
        "invoice add --entity atelier --client 'Coop des Tilleuls' --activity facilitation "
        "--amount-ht 1200 --date 2026-11-30 --label 'Atelier de facilitation'",
        0,
    ),
    ("invoice pay F2026-0001 --date 2026-11-30 --method virement", 0),
    (
        "invoice add --entity atelier --client 'Organisme' --activity formation "
        "--amount-ht 800 --date 2026-11-30 --label 'Formation'",
        0,
    ),
    ("invoice list --entity atelier --period 2026-11", 0),
    (
        "bill add --entity atelier --supplier 'Librairie du Marché' --account 6064 "
        "--amount-ht 45.00 --vat 20 --piece-ref LM-2026-318 --date 2026-11-30 "
        "--label 'Fournitures de bureau'",
        0,
    ),
    ("bill pay LM-2026-318 --date 2026-11-30", 0),
    (
        "bill add --entity atelier --supplier 'Imprimerie Battant' --account 6236 "
        "--amount-ht 120.00 --vat 20 --piece-ref IB-77 --date 2026-11-30 --label 'Flyers'",
        0,
    ),
    (
        "bill add --entity commun --supplier 'SCI Battant' --account 6132 --amount-ht 1200 "
        "--piece-ref QUIT-2026-11 --date 2026-11-01 --label 'Loyer de novembre'",
        0,
    ),
    (
        "bill add --entity commun --supplier 'Énergie Coop' --account 6061 --amount-ht 100 "
        "--vat 20 --piece-ref EC-11 --date 2026-11-03 --label 'Électricité'",
        0,
    ),
    ("usage set le97 membre-a --month 2026-11 --days 9", 0),
    ("usage set le97 atelier --month 2026-11 --days 19", 0),
    ("usage set le97 lea --month 2026-11 --days 11", 0),
    ("usage list le97 --month 2026-11", 0),
    ("shares le97 --month 2026-11 --post", 0),
    ("statement membre-a --place le97 --period 2026-11", 0),
    ("balances le97 --as-of 2026-11-30", 0),
    (
        "invoice add --entity lea --client 'Coop des Tilleuls' --activity graphisme "
        "--amount-ht 500 --date 2026-11-20 --label 'Logo'",
        0,
    ),
    ("close 2026-11", 0),
    ("close 2026-11", 0),
    ("usage set le97 membre-a --month 2026-11 --days 3", 4),
    ("report trial-balance --entity atelier --period 2026-11", 0),
    ("micro recettes --entity lea --year 2026", 0),
    ("export fec --entity atelier --exercice 2026 --allow-open --out fec", 0),
    ("shares le79 --month 2026-11", 2),
    ("check", 0),
]


def _spawn(*args: str, cwd: Path) -> pexpect.spawn:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "ALUSAGE_NO_PROMPT")}
    env.update(ENV)
    return pexpect.spawn(
        sys.executable,
        ["-m", "alusage_ledger", "--lang", "fr", "--no-color", *args],
        cwd=str(cwd),
        env=env,
        encoding="utf-8",
        timeout=60,
        dimensions=(40, 120),
    )


def _sh(line: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        line, shell=True, cwd=cwd, capture_output=True, text=True, timeout=300,
        env={**os.environ, **ENV, "ALUSAGE_LANG": "fr", "ALUSAGE_NO_PROMPT": "1"},
    )  # fmt: skip


def test_the_questionnaire_builds_the_workspace_the_guide_runs_on(tmp_path: Path) -> None:
    child = _spawn("init", "prompted", cwd=tmp_path)
    child.logfile_read = screen = io.StringIO()
    for question, answer in ANSWERS:
        child.expect(question)
        child.expect(" : ")
        child.sendline(answer)
    child.expect("Espace de travail créé")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, screen.getvalue()
    errors = [line for line in screen.getvalue().splitlines() if "Erreur" in line]
    assert len(errors) == 7, errors  # each wrong answer above was explained, then asked again
    assert any("clé de contrôle (clé de Luhn)" in line for line in errors)
    prompted = tmp_path / "prompted"

    flags = run_subprocess("--lang", "fr", "init", str(tmp_path / "flags"), *FLAGS, env=ENV)
    assert flags.returncode == 0, flags.stderr
    config = (prompted / "alusage.toml").read_bytes()
    assert config == (tmp_path / "flags" / "alusage.toml").read_bytes()
    assert snapshot(prompted) == snapshot(tmp_path / "flags")
    text = config.decode("utf-8")
    assert "# Régime de TVA, daté" in text and 'siren = "917426355"' in text
    assert "[[places.le97.charges]]" in text and "[[redistribution]]" in text
    assert "aintenance" not in text and "Maraichage" not in text  # nothing implied

    branch = _sh("git rev-parse --abbrev-ref HEAD && git status --porcelain", prompted)
    assert branch.stdout == "main\n"  # on main, everything committed
    (prompted / "balance-ouverture.csv").write_text(
        "compte;libellé;débit;crédit;tiers\n512;Banque;8450,00;;\n"
        "411;Clients;1200,00;;Coop des Tilleuls\n401;Fournisseurs;;650,00;Imprimerie Battant\n"
        "101;Capital;;5000,00;\n110;Report à nouveau;;4000,00;\n",
        encoding="utf-8",
    )
    failures = []
    for line, code in GUIDE:
        result = _sh(f"{sys.executable} -m alusage_ledger {line}", prompted)
        if result.returncode != code:
            failures.append(f"{line}: exit {result.returncode}\n{result.stdout}{result.stderr}")
    assert not failures, "\n".join(failures)

    # Review: a branch with an expense on 6251 (never opened by hand), against main.
    for line in (
        "git add -A && git commit -q -m 'Comptes de novembre'",
        "git switch -q -c saisie-frais",
        f"{sys.executable} -m alusage_ledger expense add --entity atelier --person "
        "'Camille Martin' --account 6251 --amount 38.40 --vat 10 --date 2026-12-02 "
        "--label 'Repas de chantier'",
        "git commit -q -a -m 'Note de frais'",
    ):
        assert _sh(line, prompted).returncode == 0, line
    review = _sh(f"{sys.executable} -m alusage_ledger review main", prompted)
    assert review.returncode == 0, review.stdout + review.stderr
    assert "Charges:Deplacements" in review.stdout


def test_three_refused_answers_stop_with_exit_2_and_nothing_written(tmp_path: Path) -> None:
    child = _spawn("init", "w", cwd=tmp_path)
    child.expect("Premier mois des livres")
    child.sendline("")
    for bad in ("Atelier", "x y", "-a"):
        child.expect("Identifiant de l'entité")
        child.expect(" : ")
        child.sendline(bad)
    child.expect("3 réponses de suite ont été refusées ; rien n'a été écrit.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2
    assert "Traceback" not in (child.before or "")
    assert not (tmp_path / "w").exists()
