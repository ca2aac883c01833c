"""``check`` proves both sides of every intercompany flow exist and that their amounts cross."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import Cli
from redistribution_helpers import DON_REVENUE, book, make_ws, sale

PLACE = """
[places.le97]
name = "Le 97"
host = "myceliandre"
receivable = "Actif:Usagers:Le97"
income = "Produits:Le97:Refacturation"
mirror_expense = "Charges:Locations:Le97"
mirror_payable = "Passif:Fournisseurs:Myceliandre"

[[places.le97.charges]]
name = "loyer"
accounts = ["Charges:Le97:Loyer"]
key = "surface"

[[places.le97.members]]
id = "alusage"
name = "Alusage SAS"
entity = "alusage"
since = 2026-01-01
surface_m2 = "20"

[[places.le97.members]]
id = "atelier"
name = "Atelier Bois"
since = 2026-01-01
surface_m2 = "10"
"""


def _check(root: Path) -> tuple[int, str]:
    result = Cli(root)("check")
    return result.exit_code, result.output


def test_deleting_one_side_by_hand_names_the_other_side(tmp_path: Path) -> None:
    root = make_ws(
        tmp_path / "ws",
        DON_REVENUE.replace('rate = "0.05"', 'rate = "0.05"\ncommitment = "convention"'),
    )
    book(root, "alusage", "2026-03", sale("2026-03-05", "F2026-0001", "3000.00"))
    cli = Cli(root)
    assert cli("redistribute", "--month", "2026-03", "--post").exit_code == 0
    assert _check(root)[0] == 0
    scic = root / "ledgers/myceliandre/2026/03.beancount"
    text = scic.read_text("utf-8")
    start = text.index("2026-03-31 *")
    scic.write_text(text[:start].rstrip("\n") + "\n", "utf-8")  # the SCIC's side, gone
    code, output = _check(root)
    assert code == 1
    alusage = (root / "ledgers/alusage/2026/03.beancount").read_text("utf-8")
    line = alusage[: alusage.index("2026-03-31 *")].count("\n") + 1
    expected = (
        f"ledgers/alusage/2026/03.beancount:{line}: intercompany flow ^ic-don-commun-2026-03: "
        "the other side is missing in the ledger of myceliandre "
        "(ledgers/myceliandre/main.beancount); this side is "
        f"ledgers/alusage/2026/03.beancount:{line} (alusage)."
    )
    assert expected in output, output


def test_unequal_amounts_name_both_files_and_lines(tmp_path: Path) -> None:
    root = make_ws(tmp_path / "ws")
    book(
        root,
        "alusage",
        "2026-03",
        """
2026-03-16 * "Mycéliandre SCIC" "Don" ^ic-don-main-2026-03
  Charges:Dons:Myceliandre   300.00 EUR
  Actif:Banque:Courant      -300.00 EUR
""",
    )
    book(
        root,
        "myceliandre",
        "2026-03",
        """
2026-03-17 * "Alusage SAS" "Don reçu" ^ic-don-main-2026-03
  Actif:Banque:Courant     250.00 EUR
  Produits:Dons:Alusage   -250.00 EUR
""",
    )
    code, output = _check(root)
    assert code == 1
    assert (
        "ledgers/alusage/2026/03.beancount:7: intercompany flow ^ic-don-main-2026-03: the cash "
        "does not cross: alusage records 300.00 EUR out (ledgers/alusage/2026/03.beancount:7) "
        "but myceliandre records 250.00 EUR in (ledgers/myceliandre/2026/03.beancount:7)"
    ) in output, output
    french = Cli(root)("check", lang="fr").output
    assert "la trésorerie ne se croise pas" in french


def test_receivable_must_be_the_payable(tmp_path: Path) -> None:
    root = make_ws(tmp_path / "ws")
    book(
        root,
        "myceliandre",
        "2026-03",
        """
2026-01-01 open Actif:Clients:Alusage EUR
  pcg: "411"
  label: "Clients"

2026-03-02 * "Alusage SAS" "Participation au 97" ^ic-le97-alusage-2026-03
  Actif:Clients:Alusage          800.00 EUR
  Produits:Le97:Refacturation   -800.00 EUR
""",
    )
    book(
        root,
        "alusage",
        "2026-03",
        """
2026-01-01 open Passif:Fournisseurs:Myceliandre EUR
  pcg: "401"
  label: "Fournisseurs"

2026-03-02 * "Mycéliandre SCIC" "Participation au 97" ^ic-le97-alusage-2026-03
  Charges:Locations:Le97              700.00 EUR
  Passif:Fournisseurs:Myceliandre    -700.00 EUR
""",
    )
    code, output = _check(root)
    assert code == 1
    assert re.search(
        r"ledgers/alusage/2026/03\.beancount:11: intercompany flow \^ic-le97-alusage-2026-03: "
        r"the amounts owed do not cross: alusage has 0\.00 EUR debit and 700\.00 EUR credit .*"
        r"\(ledgers/alusage/2026/03\.beancount:11\), myceliandre has 800\.00 EUR debit and "
        r"0\.00 EUR credit \(ledgers/myceliandre/2026/03\.beancount:11\)",
        output,
    ), output


def test_cash_only_side_against_a_settled_receivable(tmp_path: Path) -> None:
    """A micro-entrepreneur pays le 97 directly: its side has cash only."""
    root = make_ws(tmp_path / "ws")
    book(
        root,
        "nicolas-jeudy",
        "2026-03",
        """
2026-01-01 open Charges:Locations:Le97 EUR
  pcg: "6132"
  label: "Locations immobilières"

2026-03-10 * "Mycéliandre SCIC" "Participation au 97" ^ic-le97-nicolas-jeudy-2026-03
  Charges:Locations:Le97     180.00 EUR
  Actif:Banque:Courant      -180.00 EUR
""",
    )
    call = """
2026-01-01 open Actif:Clients:NicolasJeudy EUR
  pcg: "411"
  label: "Clients"

2026-03-02 * "Nicolas Jeudy" "Appel" ^ic-le97-nicolas-jeudy-2026-03
  Actif:Clients:NicolasJeudy     180.00 EUR
  Produits:Le97:Refacturation   -180.00 EUR
"""
    book(root, "myceliandre", "2026-03", call)
    code, output = _check(root)
    assert code == 1
    assert "myceliandre still has 180.00 EUR open on third-party accounts" in output, output
    assert "nicolas-jeudy records it in cash only" in output
    book(
        root,
        "myceliandre",
        "2026-03",
        """
2026-03-10 * "Nicolas Jeudy" "Règlement" ^ic-le97-nicolas-jeudy-2026-03
  Actif:Banque:Courant           180.00 EUR
  Actif:Clients:NicolasJeudy    -180.00 EUR
""",
    )
    assert _check(root) == (0, "All ledgers are valid (entities checked: 4).\n")


def test_one_payment_for_two_calls_joins_the_flows(tmp_path: Path) -> None:
    root = make_ws(tmp_path / "ws")
    book(
        root,
        "alusage",
        "2026-04",
        """
2026-04-10 * "Mycéliandre SCIC" "Don de mars et avril" ^ic-don-main-2026-03 ^ic-don-main-2026-04
  Charges:Dons:Myceliandre   300.00 EUR
  Actif:Banque:Courant      -300.00 EUR
""",
    )
    book(
        root,
        "myceliandre",
        "2026-04",
        """
2026-04-11 * "Alusage SAS" "Don de mars" ^ic-don-main-2026-03
  Actif:Banque:Courant     100.00 EUR
  Produits:Dons:Alusage   -100.00 EUR

2026-04-11 * "Alusage SAS" "Don d'avril" ^ic-don-main-2026-04
  Actif:Banque:Courant     200.00 EUR
  Produits:Dons:Alusage   -200.00 EUR
""",
    )
    assert _check(root)[0] == 0


def test_place_links(tmp_path: Path) -> None:
    """A call to an outside member has one side; a member keeping books here needs two."""
    root = make_ws(tmp_path / "ws", PLACE)
    book(
        root,
        "myceliandre",
        "2026-03",
        """
2026-01-01 open Actif:Usagers:Le97:Atelier EUR
  pcg: "411"
  label: "Clients"

2026-01-01 open Actif:Usagers:Le97:Alusage EUR
  pcg: "411"
  label: "Clients"

2026-03-31 * "Atelier Bois" "Appel le 97" ^le97-2026-03-atelier
  member: "atelier"
  Actif:Usagers:Le97:Atelier      90.00 EUR
  Produits:Le97:Refacturation    -90.00 EUR

2026-03-31 * "Alusage SAS" "Appel le 97" ^le97-2026-03-alusage
  member: "alusage"
  Actif:Usagers:Le97:Alusage     180.00 EUR
  Produits:Le97:Refacturation   -180.00 EUR
""",
    )
    code, output = _check(root)
    assert code == 1
    assert "^le97-2026-03-atelier" not in output
    assert (
        "intercompany flow ^le97-2026-03-alusage: the other side is missing in the ledger of "
        "alusage (ledgers/alusage/main.beancount)"
    ) in output, output


def test_example_workspace_passes(cli: Cli) -> None:
    result = cli("check")
    assert result.exit_code == 0, result.output
