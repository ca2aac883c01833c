"""micro recettes / micro urssaf: the registers of a micro-entrepreneur (issue 3)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sales_helpers import FastCli, book, check_golden, make_sales_ws


def ok(result) -> str:  # type: ignore[no-untyped-def]
    assert result.exit_code == 0, result.output
    return str(result.output)


@pytest.fixture(scope="module")
def populated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_sales_ws(tmp_path_factory.mktemp("micro") / "ws")
    run = FastCli(root)
    ok(run("invoice", "add", "-e", "solo", "--client", "SCOP Delta", "--activity", "conseil",
           "--amount-ht", "1800", "--date", "2026-01-09"))  # fmt: skip
    ok(run("invoice", "add", "-e", "solo", "--client", "Lycée Horizon", "--line", "depannage:300",
           "--line", "revente:100", "--date", "2026-02-02"))  # fmt: skip
    ok(run("invoice", "add", "-e", "solo", "--client", "Client Alpha", "--activity", "conseil",
           "--amount-ht", "2400", "--date", "2026-11-20"))  # fmt: skip
    ok(run("invoice", "pay", "F2026-0001", "-e", "solo", "--date", "2026-02-06"))
    ok(run("invoice", "pay", "F2026-0002", "-e", "solo", "--amount", "100", "--date", "2026-02-20",
           "--method", "cheque"))  # fmt: skip
    ok(run("invoice", "pay", "F2026-0002", "-e", "solo", "--date", "2026-04-03", "--account",
           "cash"))  # fmt: skip
    ok(run("invoice", "pay", "F2026-0003", "-e", "solo", "--amount", "1000", "--date",
           "2026-12-28"))  # fmt: skip
    book(
        root,
        "solo",
        '2026-03-15 * "Particulier" "Dépannage à domicile"\n'
        "  Actif:Caisse  80.00 EUR\n"
        "  Produits:Prestations:Depannage  -80.00 EUR\n",
    )
    return root


@pytest.fixture
def run(populated: Path, tmp_path: Path) -> FastCli:
    return FastCli(Path(shutil.copytree(populated, tmp_path / "ws")))


def test_livre_des_recettes_golden(run: FastCli) -> None:
    check_golden(
        "micro", "recettes-2026.txt", ok(run("micro", "recettes", "-e", "solo", "--year", "2026"))
    )
    check_golden(
        "micro",
        "recettes-2026.fr.txt",
        ok(run("micro", "recettes", "-e", "solo", "--year", "2026", lang="fr")),
    )
    data = json.loads(ok(run("--json", "micro", "recettes", "-e", "solo", "--year", "2026")))
    assert [(r["date"], r["amount"], r["method"], r["invoice"]) for r in data["recettes"]] == [
        # Paid without --method into the bank: the method is not known (never guessed).
        ("2026-02-06", "1800.00", "unknown", "F2026-0001"),
        ("2026-02-20", "100.00", "cheque", "F2026-0002"),
        ("2026-03-15", "80.00", "especes", None),
        ("2026-04-03", "300.00", "especes", "F2026-0002"),
        ("2026-12-28", "1000.00", "unknown", "F2026-0003"),
    ]
    assert data["total"] == "3280.00"
    empty = ok(run("micro", "recettes", "-e", "solo", "--year", "2025"))
    assert "No receipt in 2025." in empty


def test_urssaf_turnover_per_category(run: FastCli) -> None:
    q1 = json.loads(ok(run("--json", "micro", "urssaf", "-e", "solo", "--period", "2026-Q1")))
    # 1800 conseil (BNC) + 100 of a 300 dépannage / 100 revente invoice + 80 cash dépannage
    assert q1["categories"] == {"bic-sales": "25.00", "bic-services": "155.00", "bnc": "1800.00"}
    assert q1["total"] == "1980.00"
    april = json.loads(ok(run("--json", "micro", "urssaf", "-e", "solo", "--period", "2026-04")))
    assert april["categories"] == {"bic-sales": "75.00", "bic-services": "225.00", "bnc": "0.00"}
    year = json.loads(ok(run("--json", "micro", "urssaf", "-e", "solo", "--period", "2026")))
    assert year["total"] == "3280.00"
    table = ok(run("micro", "urssaf", "-e", "solo", "--period", "2026-Q1"))
    assert "Services (BIC)                  €155.00" in table


def test_only_micro_entrepreneurs_keep_these_registers(run: FastCli) -> None:
    result = run("micro", "recettes", "-e", "reel", "--year", "2026")
    assert result.exit_code == 2
    assert "reel is not a micro-entrepreneur" in result.output
    assert run("micro", "urssaf", "-e", "solo", "--period", "2026-13").exit_code == 2
    assert run("micro", "recettes", "-e", "solo", "--year", "20266").exit_code == 2


def test_example_micro_registers(example_ws: Path) -> None:
    run = FastCli(example_ws)
    data = json.loads(
        ok(run("--json", "micro", "recettes", "-e", "nicolas-jeudy", "--year", "2026"))
    )
    dates = [r["date"] for r in data["recettes"]]
    assert dates == sorted(dates) and len(dates) > 10
    urssaf = json.loads(
        ok(run("--json", "micro", "urssaf", "-e", "nicolas-jeudy", "--period", "2026"))
    )
    assert urssaf["total"] == data["total"]
    assert urssaf["categories"]["bic-sales"] == "0.00"


@pytest.mark.parametrize(
    ("label", "method"),
    [
        ("VIR SEPA CLIENT ALPHA F2026-0003", "virement"),
        ("REMISE CHQ 0001234 F2026-0003", "cheque"),
        ("CLIENT ALPHA F2026-0003", "unknown"),  # the label does not say: never guessed
    ],
)
def test_a_receipt_imported_from_the_bank_keeps_the_method_its_label_names(
    run: FastCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, label: str, method: str
) -> None:
    monkeypatch.setenv("ALUSAGE_TODAY", "2027-01-15")
    csv = tmp_path / "releve.csv"
    csv.write_bytes(
        "Date;Date de valeur;Débit;Crédit;Libellé;Solde\r\n"
        f"30/12/2026;30/12/2026;;1400,00;{label};\r\n".encode("iso-8859-15")
    )
    imported = json.loads(ok(run("--json", "import", "bank", str(csv), "-e", "solo")))
    assert [line["status"] for line in imported["lines"]] == ["matched"]
    data = json.loads(ok(run("--json", "micro", "recettes", "-e", "solo", "--year", "2026")))
    assert [(r["date"], r["method"]) for r in data["recettes"]][-1] == ("2026-12-30", method)


def test_example_receipts_show_the_method_they_record(example_ws: Path) -> None:
    """The example's receipts record ``payment-method: "virement"``; none is invented."""
    run = FastCli(example_ws)
    for entity in ("nicolas-jeudy", "christine-dornier"):
        data = json.loads(ok(run("--json", "micro", "recettes", "-e", entity, "--year", "2026")))
        assert {r["method"] for r in data["recettes"]} == {"virement"}
