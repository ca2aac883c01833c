"""The transparency report: golden files, and every total equal to a beanquery sum."""

from __future__ import annotations

import json
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import Cli, snapshot
from hypothesis import given
from hypothesis import strategies as st
from redistribution_helpers import book, deposit, make_ws, sale
from test_intercompany import PLACE

GOLDEN = Path(__file__).parent / "golden" / "transparency"
REGEN = os.environ.get("ALUSAGE_REGEN_GOLDEN") == "1"


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if REGEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    assert path.exists(), f"missing golden file {path}; run with ALUSAGE_REGEN_GOLDEN=1"
    assert text == path.read_text("utf-8"), f"{name} differs (ALUSAGE_REGEN_GOLDEN=1 rewrites it)"


def _bql_total(ws: Any, checks: list[dict[str, Any]]) -> Decimal:
    from alusage_ledger.books.query import run_query

    total = Decimal(0)
    for check in checks:
        _columns, rows = run_query(ws.load_checked(check["entity"]), check["query"])
        value = Decimal(rows[0][0]) if rows and rows[0][0] else Decimal(0)
        total += value * check["sign"]
    return total


def _assert_ties_back(root: Path, document: dict[str, Any], *, every_line: bool) -> int:
    """Every section total (and with ``every_line`` every line) equals its BQL sums; every
    section total and monthly total is the sum of its lines. Returns the queries run."""
    from alusage_ledger.books.ledger import Workspace

    ws = Workspace.open(root)
    sections = [document["value_created"], document["paid_to_people"], document["commons"]]
    for place in document["places"]:
        sections += [place["costs"], place["calls"]]
    checked = 0
    for section in sections:
        lines = section["lines"]
        assert Decimal(section["total"]) == sum((Decimal(ln["total"]) for ln in lines), Decimal(0))
        for month, amount in section["months"].items():
            assert Decimal(amount) == sum(
                (Decimal(ln["months"][month]) for ln in lines), Decimal(0)
            )
        if lines or section["checks"]:
            assert _bql_total(ws, section["checks"]) == Decimal(section["total"]), section
            checked += len(section["checks"])
        if every_line:
            for line in lines:
                assert line["checks"], line
                assert _bql_total(ws, line["checks"]) == Decimal(line["total"]), line
                checked += len(line["checks"])
    return checked


def _small_ws(tmp_path: Path) -> Path:
    policies = """
[[redistribution]]
id = "don-commun"
from = "alusage"
to = "myceliandre"
kind = "don"
base = "revenue"
rate = "0.05"
commitment = "convention 2026-01"

[[redistribution]]
id = "retrib-tl"
from = "alusage"
to = "myceliandre"
kind = "retribution"
base = "project"
rate = "0.10"
project = "tiers-lieu"
"""
    root = make_ws(tmp_path / "ws", policies + PLACE)
    book(root, "alusage", "2026-03", deposit("2026-03-01", "9000.00"))
    book(root, "alusage", "2026-03", sale("2026-03-05", "F2026-0001", "1000.00"))
    book(
        root,
        "alusage",
        "2026-04",
        sale("2026-04-06", "F2026-0002", "2000.00", project="tiers-lieu"),
    )
    book(
        root,
        "alusage",
        "2026-04",
        """
2026-04-30 * "Camille" "Salaire d'avril"
  Charges:Personnel:Salaires          2000.00 EUR
  Charges:Personnel:ChargesSociales    600.00 EUR
  Actif:Banque:Courant               -2600.00 EUR

2026-04-20 * "Mycéliandre SCIC" "Don hors politique" ^ic-soutien-myceliandre-2026-04
  Charges:Dons:Myceliandre   40.00 EUR
  Actif:Banque:Courant      -40.00 EUR
""",
    )
    book(
        root,
        "myceliandre",
        "2026-04",
        """
2026-04-21 * "Alusage SAS" "Don reçu hors politique" ^ic-soutien-myceliandre-2026-04
  Actif:Banque:Courant     40.00 EUR
  Produits:Dons:Alusage   -40.00 EUR

2026-01-01 open Actif:Usagers:Le97:Atelier EUR
  pcg: "411"
  label: "Clients"

2026-04-01 * "SCI" "Loyer d'avril"
  Charges:Le97:Loyer      1000.00 EUR
  Actif:Banque:Courant   -1000.00 EUR

2026-04-30 * "Atelier Bois" "Appel le 97 - avril" ^le97-2026-04-atelier
  Actif:Usagers:Le97:Atelier      300.00 EUR
  Produits:Le97:Refacturation    -300.00 EUR

2026-04-30 * "Salle" "Location ponctuelle"
  Actif:Banque:Courant            50.00 EUR
  Produits:Le97:Refacturation    -50.00 EUR
""",
    )
    book(
        root,
        "nicolas-jeudy",
        "2026-04",
        """
2026-04-28 * "Prélèvement personnel"
  Capitaux:Exploitant      900.00 EUR
  Actif:Banque:Courant    -900.00 EUR

2026-04-02 * "Lycée" "Facture F2026-0001" ^F2026-0001
  Actif:Banque:Courant               1500.00 EUR
  Produits:Prestations:Services     -1500.00 EUR
""",
    )
    cli = Cli(root)
    for month in ("2026-03", "2026-04"):
        result = cli("redistribute", "--month", month, "--post", "--paid")
        assert result.exit_code == 0, result.output
    check = cli("check")
    assert check.exit_code == 0, check.output
    return root


def test_every_total_is_a_beanquery_sum(tmp_path: Path) -> None:
    root = _small_ws(tmp_path)
    result = Cli(root)("report", "transparency", "--period", "2026", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert _assert_ties_back(root, document, every_line=True) >= 20
    assert document["value_created"]["total"] == "4550.00"
    assert document["paid_to_people"]["total"] == "3500.00"
    commons = {tuple(ln["key"]): ln["total"] for ln in document["commons"]["lines"]}
    assert commons == {
        ("don-commun", "alusage", "myceliandre", "don"): "150.00",  # 5 % of 1000 + 2000
        ("retrib-tl", "alusage", "myceliandre", "retribution"): "200.00",  # 10 % of 2000
        ("", "alusage", "", "other"): "40.00",
    }
    # 390.00 given by Alusage on its 3000.00 of revenue
    assert document["commons"]["share_of_revenue"] == "0.1300"
    place = document["places"][0]
    assert place["costs"]["total"] == "1000.00"
    calls = {tuple(ln["key"]): ln["total"] for ln in place["calls"]["lines"]}
    assert calls == {("alusage",): "0.00", ("atelier",): "300.00", ("",): "50.00"}
    assert place["borne_by_host"] == "650.00"


def test_markdown_and_csv_of_a_small_workspace(tmp_path: Path) -> None:
    root = _small_ws(tmp_path)
    cli = Cli(root)
    md = cli("report", "transparency", "--period", "2026-Q2", "--format", "md", lang="fr")
    assert md.exit_code == 0, md.output
    assert md.output.startswith("# Rapport de transparence 2026-Q2\n")
    assert "| 2026-04 | 3\u202f550,00\u00a0€ | ████████████████████ |" in md.output
    assert "| Rendu aux communs | 340,00\u00a0€ |" in md.output  # April only (Q2)
    csv_out = cli("report", "transparency", "--period", "2026-Q2", "--format", "csv")
    assert csv_out.exit_code == 0
    lines = csv_out.output.splitlines()
    assert lines[0] == "section,key,month,amount"
    assert "commons/don-commun/alusage/myceliandre/don,2026-04,100.00" not in lines
    assert "commons,don-commun/alusage/myceliandre/don,2026-04,100.00" in lines
    assert "le97-costs,loyer,total,1000.00" in lines
    table = cli("report", "transparency", "--period", "2026")
    assert table.exit_code == 0
    assert "Month by month" in table.output


def test_golden_example_workspace(cli: Cli, example_ws: Path) -> None:
    md = cli("report", "transparency", "--period", "2026", "--format", "md", lang="fr")
    assert md.exit_code == 0, md.output
    _golden("example-2026.fr.md", md.output)
    csv_out = cli("report", "transparency", "--period", "2026", "--format", "csv")
    assert csv_out.exit_code == 0, csv_out.output
    _golden("example-2026.csv", csv_out.output)


def test_example_totals_are_beanquery_sums(cli: Cli, example_ws: Path) -> None:
    result = cli("--json", "report", "transparency", "--period", "2026")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert _assert_ties_back(example_ws, document, every_line=False) > 0
    assert Decimal(document["commons"]["total"]) > 0


def test_bad_input(cli: Cli, example_ws: Path) -> None:
    before = snapshot(example_ws)
    for args, words in (
        (("--period", "2026", "--format", "pdf"), "Unknown format 'pdf'"),
        (("--period", "20x6"), "is not valid"),
    ):
        result = cli("report", "transparency", *args)
        assert result.exit_code == 2, result.output
        assert words in result.output
    assert snapshot(example_ws) == before


@given(
    value=st.decimals(min_value=0, max_value=10**6, places=2),
    largest=st.decimals(min_value=Decimal("0.01"), max_value=10**6, places=2),
)
def test_bars_are_proportional_and_bounded(value: Decimal, largest: Decimal) -> None:
    from alusage_ledger.outputs.transparency import BAR_WIDTH, bar

    text = bar(value, largest)
    assert len(text) <= BAR_WIDTH
    assert set(text) <= set("█▏▎▍▌▋▊▉")
    if value >= largest:
        assert text == "█" * BAR_WIDTH
    eighths = sum(8 if c == "█" else "▏▎▍▌▋▊▉".index(c) + 1 for c in text)
    exact = min(value, largest) * BAR_WIDTH * 8 / largest
    assert abs(eighths - exact) <= Decimal("0.5")


@pytest.mark.parametrize(("value", "text"), [(Decimal(0), ""), (Decimal(-5), "")])
def test_no_bar_for_nothing(value: Decimal, text: str) -> None:
    from alusage_ledger.outputs.transparency import bar

    assert bar(value, Decimal(10)) == text
