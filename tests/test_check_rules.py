"""``check``'s rules as a whole: the same problems, in the same order, on planted errors.

The contract for making the rules cheaper (issue 13): on a generated workspace (the
benchmark's generator, January closed, under git) and on the example workspace, each
with errors of every kind planted by hand, ``run_checks`` reports exactly the problems
of ``tests/golden/check/*.json`` (entity, file, line, message, severity, in order).
The goldens were written by the rules as they were before they were made cheaper;
``ALUSAGE_REGEN_GOLDEN=1`` rewrites them (only for an intended change of a message).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from sales_helpers import GOLDEN, check_golden

PROJECT = Path(__file__).resolve().parents[1]


def _generate(out: Path, transactions: int) -> None:
    spec = importlib.util.spec_from_file_location("bench_generate", PROJECT / "bench/generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.generate(out, transactions)


def _git(ws: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(ws), *args], check=True, capture_output=True)


def _append(path: Path, text: str) -> None:
    with open(path, "a", encoding="utf-8") as handle:
        handle.write("\n" + text)


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= 1, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


_RUN_CHECKS = """
import json, sys
from pathlib import Path
from alusage_ledger.books.checks import run_checks
from alusage_ledger.books.ledger import Workspace
rows = [
    {"entity": p.entity, "file": p.file, "line": p.line, "severity": p.severity,
     "message": p.message}
    for p in run_checks(Workspace.open(Path(sys.argv[1])))
]
sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1) + "\\n")
"""


def _problems(ws: Path) -> str:
    """``run_checks`` in a new process, as ``check`` runs it: the rules are registered in
    the order their modules are first imported, which in a test process depends on the
    tests that ran before."""
    done = subprocess.run(
        [sys.executable, "-c", _RUN_CHECKS, str(ws)],
        capture_output=True,
        check=True,
        env={**os.environ, "ALUSAGE_LANG": "en", "LANG": "C.UTF-8"},
    )
    return done.stdout.decode("utf-8")


def _same_as_golden(name: str, actual: str) -> None:
    """``check_golden``, with the differing lines in the failure message."""
    path = GOLDEN / "check" / name
    if os.environ.get("ALUSAGE_REGEN_GOLDEN") != "1" and path.exists():
        expected = path.read_text(encoding="utf-8")
        if actual != expected:
            import difflib

            diff = difflib.unified_diff(expected.splitlines(), actual.splitlines(), lineterm="")
            pytest.fail(f"{path} differs:\n" + "\n".join(list(diff)[:80]))
    check_golden("check", name, actual)


def _messages(golden: str) -> list[str]:
    return [row["message"] for row in json.loads(golden)]


# --------------------------------------------------------------------------- generated


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2 500 transactions over January and February 2020, January closed, under git."""
    from typer.testing import CliRunner

    from alusage_ledger.cli.app import app

    ws = tmp_path_factory.mktemp("generated") / "ws"
    _generate(ws, 2500)
    (ws / ".gitignore").write_text(".alusage.lock\n*.alusage-tmp\n", "utf-8")
    _git(ws, "init", "-q", "-b", "main")
    _git(ws, "config", "user.email", "t@example.invalid")
    _git(ws, "config", "user.name", "Test")
    _git(ws, "add", "-A")
    _git(ws, "commit", "-q", "-m", "generated")
    result = CliRunner().invoke(app, ["--lang", "en", "--workspace", str(ws), "close", "2020-01"])
    assert result.exit_code == 0, result.output
    _git(ws, "add", "-A")
    _git(ws, "commit", "-q", "-m", "close")
    return ws


GENERATED_TOML = """
[entities.alusage.activities.maraichage]
account = "Produits:Ventes:Maraichage"
pcg = "701"
rate = "5.5"
kind = "goods"
"""

ALUSAGE_OPENS = """\
2020-02-01 open Actif:Divers:SansNumero EUR

2020-02-01 open Actif:Divers:MauvaisNumero EUR
  pcg: "4x1"

2020-02-01 open Actif:Divers:AutreLibelle EUR
  pcg: "5121"
  label: "Autre banque"

2020-02-01 open Passif:Etat:TVAADecaisser EUR
  pcg: "44551"
  label: "TVA à décaisser"

2020-02-01 open Capitaux:Resultat:Affectation EUR
  pcg: "110"
  label: "Report à nouveau"
"""

ALUSAGE_FEBRUARY = """\
2020-02-15 * "Banque" "Trois décimales"
  Charges:Achats:Logiciels  1.005 EUR
  Actif:Banque:CreditCooperatif  -1.005 EUR

2020-02-20 * "ClientA0" "Facture F2020-00001 encore" ^F2020-00001
  invoice: "F2020-00001"
  client: "ClientA0"
  activity: "facilitation"
  vat-rate: "20"
  Actif:Clients:ClientA0  120.00 EUR
  Produits:Prestations:Facilitation  -100.00 EUR
  Passif:Etat:TVAEnAttente  -20.00 EUR

2020-02-21 * "ClientA1" "Facture hors série" ^F2020-1
  invoice: "F2020-1"
  client: "ClientA1"
  activity: "facilitation"
  vat-rate: "20"
  Actif:Clients:ClientA1  120.00 EUR
  Produits:Prestations:Facilitation  -100.00 EUR
  Passif:Etat:TVAEnAttente  -20.00 EUR

2020-02-01 * "ClientA2" "Facture trop loin" ^F2020-01500
  invoice: "F2020-01500"
  client: "ClientA2"
  activity: "facilitation"
  vat-rate: "5.5"
  Actif:Clients:ClientA2  105.50 EUR
  Produits:Prestations:Facilitation  -100.00 EUR
  Passif:Etat:TVAEnAttente  -5.50 EUR

2020-02-22 * "ClientA3" "Avoir d'une facture absente" ^A2020-00001
  credit-note: "A2020-00001"
  invoice: "F2020-09999"
  Actif:Clients:ClientA3  -120.00 EUR
  Produits:Prestations:Facilitation  100.00 EUR
  Passif:Etat:TVAEnAttente  20.00 EUR

2020-02-22 * "ClientA3" "Avoir en double" ^A2020-00001
  credit-note: "A2020-00001"
  Actif:Clients:ClientA3  -12.00 EUR
  Produits:Prestations:Facilitation  10.00 EUR
  Passif:Etat:TVAEnAttente  2.00 EUR

2020-02-23 * "ClientB0" "Facture légumes" ^F2020-01501
  invoice: "F2020-01501"
  client: "ClientB0"
  activity: "maraichage"
  vat-rate: "5.5"
  Actif:Clients:ClientB0  105.50 EUR
  Produits:Ventes:Maraichage  -100.00 EUR
  Passif:Etat:TVAEnAttente  -5.50 EUR

2020-02-24 * "ClientB1" "Facture F2020-01502" ^F2020-01502
  invoice: "F2020-01502"
  client: "ClientB1"
  activity: "programmation"
  vat-rate: "20"
  Actif:Clients:ClientB1  120.00 EUR
  Produits:Prestations:Programmation  -100.00 EUR
  Passif:Etat:TVAEnAttente  -20.00 EUR

2020-02-25 * "ClientB1" "Règlement F2020-01502" ^F2020-01502
  invoice: "F2020-01502"
  Actif:Banque:CreditCooperatif  120.00 EUR
  Actif:Clients:ClientB1  -120.00 EUR
  Passif:Etat:TVAEnAttente  30.00 EUR
  Passif:Etat:TVACollectee  -30.00 EUR

2020-02-24 * "ClientB2" "Facture F2020-01503" ^F2020-01503
  invoice: "F2020-01503"
  client: "ClientB2"
  activity: "programmation"
  vat-rate: "20"
  Actif:Clients:ClientB2  120.00 EUR
  Produits:Prestations:Programmation  -100.00 EUR
  Passif:Etat:TVAEnAttente  -20.00 EUR

2020-02-25 * "ClientB2" "Règlement F2020-01503" ^F2020-01503
  invoice: "F2020-01503"
  Actif:Banque:CreditCooperatif  120.00 EUR
  Actif:Clients:ClientB2  -120.00 EUR

2020-02-26 * "Banque" "TVA en attente sans facture"
  Passif:Etat:TVAEnAttente  -7.00 EUR
  Passif:Etat:TVACollectee  7.00 EUR

2020-02-20 * "SIE" "CA3 janvier" ^tva-2020-01
  period: "2020-01"
  gen-id: "vat/ca3/2020-01"
  Passif:Etat:TVACollectee  150.00 EUR
  Passif:Etat:TVAADecaisser  -150.00 EUR

2020-02-10 * "Banque" "Ligne 1" #import
  bank-ref: "REF-0001"
  Charges:Achats:Logiciels  3.00 EUR
  Actif:Banque:CreditCooperatif  -3.00 EUR

2020-02-11 * "Banque" "Ligne 1 encore" #import
  bank-ref: "REF-0001"
  Charges:Achats:Logiciels  3.00 EUR
  Actif:Banque:CreditCooperatif  -3.00 EUR

2020-02-12 * "EnergieLocale" "Facture EL-1" ^alusage-EL-1
  piece-ref: "EL-1"
  supplier: "EnergieLocale"
  Charges:Achats:Logiciels  40.00 EUR
  Passif:Fournisseurs:EnergieLocale  -40.00 EUR

2020-02-13 * "EnergieLocale" "Facture EL-1 encore" ^alusage-EL-1b
  piece-ref: "EL-1"
  supplier: "EnergieLocale"
  Charges:Achats:Logiciels  40.00 EUR
  Passif:Fournisseurs:EnergieLocale  -40.00 EUR

2020-02-27 custom "alusage-letter" Actif:Clients:ClientB1 "AA"

2020-02-27 custom "alusage-letter" Actif:Clients:ClientB1 "AA" "F2020-01502"

2020-02-27 custom "alusage-letter" Actif:Clients:ClientB1 "AA" "F2020-01502"

2020-02-27 custom "alusage-letter" Actif:Clients:ClientB2 "AB" "nulle-part"

2020-02-27 custom "alusage-letter" Passif:Fournisseurs:EnergieLocale "AC" "alusage-EL-1"

2020-02-28 * "Alusage" "Flux d'un seul côté" ^ic-test-2020-02
  Charges:Achats:Logiciels  5.00 EUR
  Actif:Banque:CreditCooperatif  -5.00 EUR

2020-02-28 * "Alusage" "Affectation sans exercice" #affectation
  Capitaux:Resultat:Affectation  1.00 EUR
  Actif:Banque:CreditCooperatif  -1.00 EUR

2020-02-28 * "Alusage" "Affectation d'un exercice ouvert" #affectation
  exercice: "2019"
  Capitaux:Resultat:Affectation  1.00 EUR
  Actif:Banque:CreditCooperatif  -1.00 EUR

2020-02-28 custom "alusage-close-exercice" "2019"
"""

MYCELIANDRE_OPENS = """\
2020-02-01 open Actif:Clients:Coop EUR
  pcg: "411"
  label: "Clients"

2020-02-01 open Passif:Etat:TVACollectee EUR
  pcg: "44571"
  label: "TVA collectée"

2020-02-01 open Capitaux:Capital:NonAppele EUR
  pcg: "1011"
  label: "Capital souscrit non appelé"

2020-02-01 open Actif:Associes:CapitalNonAppele EUR
  pcg: "109"
  label: "Actionnaires, capital souscrit non appelé"
"""

MYCELIANDRE_FEBRUARY = """\
2020-02-14 * "Coop" "Facture M2020-0001" ^F2020-0001
  invoice: "F2020-0001"
  client: "Coop"
  vat-rate: "20"
  Actif:Clients:Coop  120.00 EUR
  Produits:Le97:Refacturation  -100.00 EUR
  Passif:Etat:TVACollectee  -20.00 EUR

2020-02-15 * "Coop" "Facture M2020-0002" ^F2020-0002
  invoice: "F2020-0002"
  client: "Coop"
  Actif:Clients:Coop  30000.00 EUR
  Produits:Le97:Refacturation  -30000.00 EUR

2020-02-16 * "Coop" "Facture M2020-0003" ^F2020-0003
  invoice: "F2020-0003"
  client: "Coop"
  Actif:Clients:Coop  100.00 EUR
  Produits:Le97:Refacturation  -100.00 EUR

2020-02-17 * "Le 97" "Quote-part d'un inconnu"
  place: "le97"
  member: "inconnu"
  Actif:Usagers:Le97  10.00 EUR
  Produits:Le97:Refacturation  -10.00 EUR

2020-02-17 * "Le 97" "Compte d'un membre changé"
  place: "le97"
  member: "membre-a"
  Actif:Usagers:Le97:Autre  10.00 EUR
  Produits:Le97:Refacturation  -10.00 EUR

2020-02-29 custom "alusage-usage" "le97" "membre-a"

2020-02-29 custom "alusage-usage" "ailleurs" "membre-a" 3

2020-02-29 custom "alusage-usage" "le97" "personne" 3

2020-02-18 * "Membre B" "Souscription" ^capital-membre-b
  capital-op: "subscribe"
  member: "membre-b"
  member-name: "Membre B"
  shares: 4
  unit: 50.00
  paid: 20.00
  Actif:Banque:Nef  20.00 EUR
  Actif:Associes:CapitalNonAppele  180.00 EUR
  Capitaux:Capital:PartsSociales  -20.00 EUR
  Capitaux:Capital:NonAppele  -180.00 EUR

2020-02-19 * "Membre B" "Libération" ^capital-membre-b
  capital-op: "pay"
  member: "membre-b"
  amount: 500.00
  Actif:Banque:Nef  500.00 EUR
  Capitaux:Capital:PartsSociales  -500.00 EUR

2020-02-19 custom "alusage-capital" "withdraw" "membre-c"
  shares: 2
  amount: 100.00

2020-02-19 custom "alusage-capital" "subscribe" "membre-d"
  member-name: "Membre D"
  shares: 4
  unit: 50.00
  paid: 10.00
"""


def _plant_generated(ws: Path) -> None:
    alusage = ws / "ledgers" / "alusage"
    myc = ws / "ledgers" / "myceliandre"
    with open(ws / "alusage.toml", "a", encoding="utf-8") as handle:
        handle.write(GENERATED_TOML)
    _replace(
        ws / "alusage.toml",
        'regime = "franchise"\n',
        'regime = "franchise"\nservices_threshold = "90000"\nservices_threshold_major = "100000"\n'
        'sales_threshold = "90000"\nsales_threshold_major = "100000"\n',
    )
    _append(alusage / "accounts.beancount", ALUSAGE_OPENS)
    _append(alusage / "2020" / "02.beancount", ALUSAGE_FEBRUARY)
    _append(myc / "accounts.beancount", MYCELIANDRE_OPENS)
    _append(myc / "accounts.beancount", "2020-02-01 open Actif:Usagers:Le97:Autre EUR\n")
    _append(myc / "2020" / "02.beancount", MYCELIANDRE_FEBRUARY)
    # Closed January, by hand: an entry added, one changed (same links), one removed.
    january = alusage / "2020" / "01.beancount"
    _append(january, '2020-01-15 note Actif:Banque:CreditCooperatif "Ajoutée à la main"\n')
    _replace(january, '"Règlement F2020-00002"', '"Règlement F2020-00002 (corrigé)"')
    myc_january = myc / "2020" / "01.beancount"
    _replace(myc_january, '2020-01-31 custom "alusage-usage" "le97" "membre-a" 5\n', "")


def test_rules_on_a_generated_workspace_with_planted_errors(
    generated: Path, tmp_path: Path
) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(generated, ws)
    _plant_generated(ws)
    actual = _problems(ws)
    _same_as_golden("generated.json", actual)
    # again, from the cache: the loads and the closed months' digests kept by the first run
    assert _problems(ws) == actual
    text = "\n".join(_messages(actual))
    for fragment in (
        "has no PCG number",  # checks.pcg_numbers
        "must be digits",
        "have different labels",
        "has more than 2 decimals",  # checks.cents_only
        "is used twice",  # sales.invoice_numbering
        "does not fit the series",
        "has a gap",
        "dates must not decrease",
        "which is not in this ledger",
        "5.5 % VAT on facilitation",  # vat.reduced_rate_for_food
        "sells goods but books its VAT as pending",  # vat.pending_vat_only_...
        "more VAT was moved out of pending",
        "is still pending",
        "not linked to an invoice",
        "differs from the return",  # vat.settlements_match_returns
        "charges VAT while myceliandre is under the franchise",  # vat.no_vat_under_franchise
        "above the franchise threshold",  # vat.franchise_thresholds
        "crossed €100,000.00 (seuil majoré)",
        "is booked twice",  # purchases + bankimport
        "bank line REF-0001",
        "needs an account, a code",  # lettering
        "is used twice on",
        "matches no entry",
        "do not sum to zero",
        "intercompany",  # intercompany
        "does not say which exercice",  # yearend.allocation_rules
        "allocation of the result of 2019",
        "alusage-close-exercice directive is malformed",  # yearend.exercice_locks
        "is not a member of le97",  # shares.place_host_rules
        "alusage-usage directive is",
        "unknown place",
        "who is not a member of le97",
        "alusage.toml now gives",
        "pays more than is subscribed",  # capital.capital_register
        "withdraws more shares than held",
        "does not tie to the books",
        "less than the quarter",
        "2020-01 is closed, but its entries no longer match",  # locks.month_locks
        "entry added to the closed month 2020-01",
        "entry of the closed month 2020-01 changed by hand",
        "entry removed from the closed month 2020-01",
    ):
        assert fragment in text, fragment


def test_rules_on_a_generated_workspace_whose_closed_month_no_longer_books(
    generated: Path, tmp_path: Path
) -> None:
    """A hand edit of a closed month that breaks its balance assertions: Beancount's errors,
    then the rules that read the parsed files only (the month locks name the month)."""
    ws = tmp_path / "ws"
    shutil.copytree(generated, ws)
    january = ws / "ledgers" / "alusage" / "2020" / "01.beancount"
    text = january.read_text(encoding="utf-8")
    start = text.index('"Règlement F2020-00003"')
    end = text.index("\n\n", start)
    block = text[start:end]
    amount = re.search(r"Actif:Banque:CreditCooperatif  (\d+\.\d\d) EUR", block)
    assert amount is not None
    more = f"{Decimal(amount.group(1)) + 1:.2f}"
    january.write_text(
        text[:start] + block.replace(f"{amount.group(1)} EUR", f"{more} EUR") + text[end:],
        encoding="utf-8",
    )
    actual = _problems(ws)
    _same_as_golden("generated-unbooked.json", actual)
    messages = _messages(actual)
    assert any("2020-01 is closed, but its entries no longer match" in m for m in messages)
    assert any("Balance failed" in m or "balance" in m.lower() for m in messages)


# --------------------------------------------------------------------------- example


EXAMPLE_ALUSAGE = """\
2026-11-20 * "Mycéliandre" "Quote-part sans l'autre côté" ^ic-le97-2026-11
  Charges:Locations:Le97  12.00 EUR
  Passif:Fournisseurs:Myceliandre  -12.00 EUR

2026-11-21 * "Banque" "Trois décimales"
  Charges:Locations:Le97  0.125 EUR
  Passif:Fournisseurs:Myceliandre  -0.125 EUR
"""

EXAMPLE_NICOLAS = """\
2026-11-26 * "SCOP Delta" "Facture F2026-0099" ^F2026-0099
  invoice: "F2026-0099"
  client: "SCOP Delta"
  activity: "programmation"
  Actif:Clients:ScopDelta  10.00 EUR
  Produits:Prestations:Programmation  -10.00 EUR

2026-11-27 * "SCOP Delta" "Facture F2026-0015 encore" ^F2026-0015
  invoice: "F2026-0015"
  client: "SCOP Delta"
  activity: "programmation"
  Actif:Clients:ScopDelta  10.00 EUR
  Produits:Prestations:Programmation  -10.00 EUR
"""

EXAMPLE_MYCELIANDRE = """\
2026-11-28 custom "alusage-capital" "subscribe" "membre-z"
  member-name: "Membre Z"
  shares: 4
  unit: 50.00
  paid: 10.00

2026-11-28 custom "alusage-usage" "le97" "inconnu" 2
"""


def test_rules_on_the_example_workspace_with_planted_errors(
    example_ws: Path, tmp_path: Path
) -> None:
    clean = _problems(example_ws)
    _same_as_golden("example-clean.json", clean)
    ledgers = example_ws / "ledgers"
    for entity, text in (
        ("alusage", EXAMPLE_ALUSAGE),
        ("nicolas-jeudy", EXAMPLE_NICOLAS),
        ("myceliandre", EXAMPLE_MYCELIANDRE),
    ):
        months = sorted((ledgers / entity / "2026").glob("[0-9][0-9].beancount"))
        _append(months[-1], text)
    actual = _problems(example_ws)
    _same_as_golden("example.json", actual)
    assert len(json.loads(actual)) >= 6
