"""revenue: turnover by activity, client, month or project; totals equal beanquery (issue 3)."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from sales_helpers import FastCli, book, check_golden, make_sales_ws


def ok(result) -> str:  # type: ignore[no-untyped-def]
    assert result.exit_code == 0, result.output
    return str(result.output)


@pytest.fixture(scope="module")
def populated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_sales_ws(tmp_path_factory.mktemp("revenue") / "ws")
    run = FastCli(root)
    invoices = [
        ("Coop des Tilleuls", "programmation", "1200", "2026-01-10", "site"),
        ("AMAP des Chaprais", "maraichage", "310", "2026-01-20", None),
        ("Lycée Horizon", "formation", "900", "2026-02-03", None),
        ("Coop des Tilleuls", "facilitation", "450.50", "2026-02-14", "site"),
        ("Épicerie", "maraichage", "120", "2026-03-02", None),
    ]
    for client, activity, amount, day, project in invoices:
        args = ["invoice", "add", "-e", "reel", "--client", client, "--activity", activity,
                "--amount-ht", amount, "--date", day]  # fmt: skip
        if project:
            args += ["--project", project]
        ok(run(*args))
    ok(run("invoice", "add", "-e", "reel", "--client", "Mixte", "--line", "programmation:333.33",
           "--line", "maraichage:100", "--line", "formation:50", "--date", "2026-03-05"))  # fmt: skip
    ok(run("invoice", "pay", "F2026-0001", "-e", "reel", "--date", "2026-02-01"))
    ok(run("invoice", "cancel", "F2026-0004", "-e", "reel", "--date", "2026-03-10"))
    # income received without an invoice (a cash sale at the market)
    book(
        root,
        "reel",
        '2026-03-14 * "Marché" "Vente au marché"\n'
        "  Actif:Caisse  52.75 EUR\n"
        "  Produits:Ventes:Maraichage  -50.00 EUR\n"
        '    vat-rate: "5.5"\n'
        "  Passif:Etat:TVACollectee  -2.75 EUR\n",
    )
    return root


@pytest.fixture
def run(populated: Path, tmp_path: Path) -> FastCli:
    return FastCli(Path(shutil.copytree(populated, tmp_path / "ws")))


def test_by_activity_table_golden(run: FastCli) -> None:
    out = ok(run("revenue", "--entity", "reel", "--period", "2026-Q1"))
    check_golden("revenue", "reel-2026-Q1-activity.txt", out)


@pytest.mark.parametrize("by", ["client", "month", "project"])
def test_by_other_groupings_csv_golden(run: FastCli, by: str) -> None:
    out = ok(run("revenue", "--entity", "reel", "--period", "2026", "--by", by, "--format", "csv"))
    check_golden("revenue", f"reel-2026-{by}.csv", out)


def test_markdown_in_french_golden(run: FastCli) -> None:
    out = ok(
        run(
            "revenue",
            "--entity",
            "reel",
            "--period",
            "2026-01..2026-02",
            "--format",
            "md",
            lang="fr",
        )
    )
    check_golden("revenue", "reel-2026-01..02-activity.fr.md", out)


def test_json_totals_golden_and_consistent(run: FastCli) -> None:
    out = ok(run("--json", "revenue", "--entity", "reel", "--period", "2026", "--by", "client"))
    check_golden("revenue", "reel-2026-client.json", out)
    data = json.loads(out)["entities"][0]
    groups = data["groups"]
    for field in ("ht", "vat", "ttc"):
        assert sum(Decimal(g[field]) for g in groups) == Decimal(data["total"][field])
    assert Decimal(data["total"]["ht"]) + Decimal(data["total"]["vat"]) == Decimal(
        data["total"]["ttc"]
    )


def _beanquery_sum(root: Path, entity: str, accounts: list[str], start: str, end: str) -> Decimal:
    from beanquery import query as bq

    from alusage_ledger.books.ledger import Workspace

    ledger = Workspace.open(root).load_checked(entity)
    pattern = "^(" + "|".join(a.replace(":", "\\:") for a in accounts) + ")$"
    bql = (
        f"SELECT sum(number) AS total WHERE account ~ '{pattern}' "
        f"AND date >= {start} AND date < {end}"
    )
    _types, rows = bq.run_query(ledger.entries, ledger.options, bql)
    value = rows[0][0] if rows else None
    return Decimal(0) if value is None else Decimal(value)


@pytest.mark.parametrize(
    ("period", "start", "end"),
    [("2026", "2026-01-01", "2027-01-01"), ("2026-02", "2026-02-01", "2026-03-01")],
)
def test_json_totals_equal_a_beanquery_sum(run: FastCli, period: str, start: str, end: str) -> None:
    data = json.loads(ok(run("--json", "revenue", "--entity", "reel", "--period", period)))
    report = data["entities"][0]
    assert report["accounts"] == [
        "Produits:Prestations:Facilitation",
        "Produits:Prestations:Formation",
        "Produits:Prestations:Programmation",
        "Produits:Ventes:Maraichage",
    ]
    assert run.workspace is not None
    total = _beanquery_sum(run.workspace, "reel", report["accounts"], start, end)
    assert Decimal(report["total"]["ht"]) == -total


def test_example_totals_equal_a_beanquery_sum(example_ws: Path) -> None:
    run = FastCli(example_ws)
    data = json.loads(ok(run("--json", "revenue", "--period", "2026")))
    assert [r["entity"] for r in data["entities"]] == [
        "alusage",
        "myceliandre",
        "nicolas-jeudy",
        "christine-dornier",
    ]
    for report in data["entities"]:
        total = _beanquery_sum(
            example_ws, report["entity"], report["accounts"], "2026-01-01", "2027-01-01"
        )
        assert Decimal(report["total"]["ht"]) == -total, report["entity"]
    alusage = data["entities"][0]
    assert "Produits:Ventes:Maraichage" in alusage["accounts"]
    myceliandre = data["entities"][1]
    assert "Produits:Dons:Alusage" not in myceliandre["accounts"]  # 7582 is not turnover


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--by", "colour"), "--by 'colour'"),
        (("--format", "xls"), "--format 'xls'"),
        (("--period", "2026-Q5"), "is not valid"),
        (("--period", "2026-03..2026-01"), "ends before it starts"),
        (("--entity", "nobody"), "Unknown entity"),
    ],
)
def test_bad_options_exit_2(run: FastCli, args: tuple[str, ...], message: str) -> None:
    result = run("revenue", *args)
    assert result.exit_code == 2
    assert message in result.output
