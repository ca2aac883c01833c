"""The VAT return as the form is (issue 18): a month built through the CLI whose every box
was computed by hand below, a credit-note-only month, a credit carried to the next return,
a CA12 year with its instalments, non-deductible VAT found by ``check``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import snapshot
from sales_helpers import FastCli, book, check_golden, make_sales_ws

ACCOUNTS = (
    '2026-01-01 open Charges:SousTraitance EUR\n  pcg: "604"\n'
    '  label: "Achats d\'études et prestations de services"\n'
    '2026-01-01 open Charges:Achats:Semences EUR\n  pcg: "601"\n  label: "Achats stockés"\n'
    '2026-01-01 open Charges:Deplacements EUR\n  pcg: "6251"\n'
    '  label: "Voyages et déplacements"\n  vat-category: "passenger-transport"\n'
    '2026-01-01 open Charges:Locations:Vehicules EUR\n  pcg: "6135"\n'
    '  label: "Locations mobilières"\n  vat-category: "passenger-vehicle"\n'
)


def squeezed(path: Path) -> str:
    """The file's text with runs of spaces made one (the writer aligns amounts)."""
    return " ".join(path.read_text(encoding="utf-8").split())


def ok(result: Any) -> str:
    assert result.exit_code == 0, result.output
    return str(result.output)


def boxes(run: FastCli, period: str, entity: str = "reel") -> dict[str, Any]:
    data = json.loads(ok(run("--json", "vat", "--entity", entity, "--period", period)))
    return data  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_sales_ws(tmp_path_factory.mktemp("vat-return") / "ws")
    book(root, "reel", ACCOUNTS)
    run = FastCli(root)
    # May: a service invoice paid in full in May (500 + 100 VAT), cancelled in June.
    ok(run("invoice", "add", "-e", "reel", "--client", "Ateliers", "--activity", "facilitation",
           "--amount-ht", "500", "--date", "2026-05-05"))  # fmt: skip  # F2026-0001
    ok(run("invoice", "pay", "F2026-0001", "-e", "reel", "--date", "2026-05-20"))
    # June, sales
    ok(run("invoice", "add", "-e", "reel", "--client", "Coop", "--activity", "programmation",
           "--amount-ht", "1000", "--date", "2026-06-02"))  # fmt: skip  # F2026-0002 unpaid
    ok(run("invoice", "add", "-e", "reel", "--client", "Tiers", "--activity", "facilitation",
           "--amount-ht", "2000", "--date", "2026-06-03"))  # fmt: skip  # F2026-0003
    ok(run("invoice", "pay", "F2026-0003", "-e", "reel", "--amount", "1000",
           "--date", "2026-06-15"))  # fmt: skip  # partly paid
    ok(run("invoice", "add", "-e", "reel", "--client", "AMAP", "--activity", "maraichage",
           "--amount-ht", "333", "--date", "2026-06-04"))  # fmt: skip  # F2026-0004, 5.5 %
    ok(run("invoice", "add", "-e", "reel", "--client", "Lycee", "--activity", "formation",
           "--amount-ht", "1200", "--date", "2026-06-05"))  # fmt: skip  # F2026-0005 exempt
    ok(run("invoice", "cancel", "F2026-0001", "-e", "reel", "--reason", "annulé",
           "--date", "2026-06-10"))  # fmt: skip  # A2026-0001
    # June, purchases
    ok(run("bill", "add", "-e", "reel", "--supplier", "Cabinet", "--account", "6226",
           "--amount-ht", "300", "--vat", "20", "--piece-ref", "H-1",
           "--date", "2026-06-06"))  # fmt: skip  # fees, paid below
    ok(run("bill", "pay", "H-1", "-e", "reel", "--date", "2026-06-16"))
    ok(run("bill", "add", "-e", "reel", "--supplier", "Graines", "--account", "601",
           "--amount-ht", "200", "--vat", "10", "--piece-ref", "S-1",
           "--date", "2026-06-07"))  # fmt: skip  # seeds, unpaid
    ok(run("bill", "add", "-e", "reel", "--supplier", "Dev", "--account", "604",
           "--amount-ht", "500", "--vat", "20", "--piece-ref", "D-1",
           "--date", "2026-06-08"))  # fmt: skip  # subcontracting, unpaid
    ok(run("expense", "add", "-e", "reel", "--person", "Camille", "--account", "6251",
           "--amount", "66", "--vat", "10", "--date", "2026-06-09"))  # fmt: skip  # train
    ok(run("bill", "add", "-e", "reel", "--supplier", "Autopartage", "--account", "6135",
           "--amount-ht", "120", "--vat", "20", "--piece-ref", "AP-1",
           "--date", "2026-06-30"))  # fmt: skip  # car-sharing
    return root


@pytest.fixture
def ws(built: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(built, tmp_path / "ws"))


def test_the_acceptance_month_box_by_box(ws: Path) -> None:
    data = boxes(FastCli(ws), "2026-06")
    assert data["form"] == "3310-CA3"
    assert data["boxes"] == {
        # A1: taxable bases 333.33 (20 %) + 333.00 (5.5 %) = 666.33 -> 666
        "A1": {"base": "666"},
        # E2: the exempt training invoice, 1200.00
        "E2": {"base": "1200"},
        # 08: F2026-0003 paid 1000 of 2400: VAT 400 x 1000/2400 = 166.67, base
        # 1000 - 166.67 = 833.33; the credit note of F2026-0001 (paid in May) gives back
        # base 500.00 and VAT 100.00: 333.33 -> 333, 66.67 -> 67. The unpaid service
        # invoice F2026-0002 is not due yet (on receipt).
        "08": {"base": "333", "tax": "67"},
        # 09: produce at 5.5 %, due at the invoice although unpaid: 333 x 5.5 % = 18.315
        # -> 18.32 (half up, on the invoice) -> 18 on the form
        "09": {"base": "333", "tax": "18"},
        # 16: 67 + 18 = 85
        "16": {"tax": "85"},
        # 20: fees paid 300 x 20 % = 60.00 + seeds (goods, at the bill) 200 x 10 % = 20.00
        # = 80.00; subcontracting on 604 is a service, unpaid: 0 (was 100 by class 60);
        # train (6.00) and car-sharing (24.00): not deductible, into the charge
        "20": {"tax": "80"},
        # 23: 80 + 0 (no credit carried)
        "23": {"tax": "80"},
        # 28 = 32: 85 - 80 = 5
        "28": {"tax": "5"},
        "32": {"tax": "5"},
    }
    # to the cent: collected 66.67 + 18.32 = 84.99, deductible 80.00, net 4.99; the form's
    # 5 is paid, the 0.01 of rounding goes to 658
    assert (data["collected_total"], data["deductible_total"], data["exact_net"]) == (
        "84.99",
        "80.00",
        "4.99",
    )
    assert data["settlement"]["postings"] == {
        "Passif:Etat:TVACollectee": "84.99",
        "Actif:Etat:TVADeductible": "-80.00",
        "Passif:Etat:TVAADecaisser": "-5.00",
        "Charges:Diverses:ArrondisTVA": "0.01",
    }


def test_the_acceptance_month_settlement_and_detail(ws: Path) -> None:
    run = FastCli(ws)
    out = ok(run("vat", "--entity", "reel", "--period", "2026-06", "--post"))
    assert "Settlement entry posted on 2026-07-20." in out
    text = squeezed(ws / "ledgers/reel/2026/07.beancount")
    assert "Charges:Diverses:ArrondisTVA 0.01 EUR" in text
    assert "Passif:Etat:TVAADecaisser -5.00 EUR" in text
    assert ok(run("check")).startswith("All ledgers are valid")
    detail = ok(run("vat", "--entity", "reel", "--period", "2026-06", "--detail"))
    lines = detail.split("Detail of the boxes:\n", 1)[1].splitlines()
    assert lines[0] == "  E2"
    assert any("Règlement F2026-0003 20 %  base €833.33, tax €166.67" in line for line in lines)
    assert any("base -€500.00, tax -€100.00" in line for line in lines)
    assert any("Paiement H-1" in line and "tax €60.00" in line for line in lines)
    assert all("(ledgers/reel/2026/" in line for line in lines if line.startswith("    "))


def test_non_deductible_vat_is_booked_into_the_charge_and_said(ws: Path) -> None:
    run = FastCli(ws)
    out = ok(run("expense", "add", "-e", "reel", "--person", "Camille", "--account", "6251",
                 "--amount", "33", "--vat", "10", "--date", "2026-06-29"))  # fmt: skip
    assert (
        "VAT of €3.00 is not deductible (passenger transport): it is booked into the charge." in out
    )
    text = (ws / "ledgers/reel/2026/06.beancount").read_text(encoding="utf-8")
    assert '  vat-category: "passenger-transport"\n  vat-non-deductible: 3.00\n' in text
    assert "Charges:Deplacements 33.00 EUR" in squeezed(ws / "ledgers/reel/2026/06.beancount")
    # fuel for a passenger car: 80 % deductible (CGI art. 298-4-1°): 20.00 x 0.8 = 16.00
    data = json.loads(ok(run("--json", "bill", "add", "-e", "reel", "--supplier", "Station",
                             "--account", "6251", "--amount-ht", "100", "--vat", "20",
                             "--category", "fuel-diesel", "--nature", "goods",
                             "--date", "2026-06-29")))  # fmt: skip
    assert data["vat_non_deductible"] == "4.00"
    assert {"account": "Actif:Etat:TVADeductible", "amount": "16.00"} in data["postings"]


def test_services_wait_for_payment_unless_debits(ws: Path) -> None:
    run = FastCli(ws)
    ok(run("bill", "pay", "D-1", "-e", "reel", "--date", "2026-07-03"))
    ok(run("bill", "add", "-e", "reel", "--supplier", "Dev2", "--account", "604",
           "--amount-ht", "100", "--vat", "20", "--debits", "--date", "2026-07-04"))  # fmt: skip
    ok(run("bill", "add", "-e", "reel", "--supplier", "Machines", "--account", "604",
           "--amount-ht", "1000", "--vat", "20", "--nature", "fixed-asset",
           "--date", "2026-07-05"))  # fmt: skip
    july = boxes(run, "2026-07")["boxes"]
    # 20: subcontracting paid in July 100.00 + the débits supplier at its bill 20.00 = 120
    assert july["20"] == {"tax": "120"}
    # 19: a fixed asset, at the invoice: 1000 x 20 % = 200
    assert july["19"] == {"tax": "200"}
    text = (ws / "ledgers/reel/2026/07.beancount").read_text(encoding="utf-8")
    assert '  vat-exigibility: "debits"\n' in text


def test_credit_note_only_month_goes_to_line_21_and_credit_is_carried(ws: Path) -> None:
    run = FastCli(ws)
    ok(run("invoice", "pay", "F2026-0002", "-e", "reel", "--date", "2026-07-01"))
    ok(run("invoice", "cancel", "F2026-0002", "-e", "reel", "--reason", "erreur",
           "--date", "2026-08-03"))  # fmt: skip
    august = boxes(run, "2026-08")
    # no sale in August: the credit note's VAT (1000 x 20 % = 200) is given back on line 21,
    # never a negative line 08
    assert "08" not in august["boxes"]
    assert august["boxes"]["21"] == {"tax": "200"}
    assert august["boxes"]["23"] == {"tax": "200"}
    # 25 = 27: 200 - 0 of gross VAT
    assert (august["boxes"]["25"], august["boxes"]["27"]) == ({"tax": "200"}, {"tax": "200"})
    assert august["credit"] == "200.00"
    ok(run("vat", "--entity", "reel", "--period", "2026-08", "--post"))
    # September: nothing declared, nothing written; the credit stays carried
    before = snapshot(ws)
    september = json.loads(
        ok(run("--json", "vat", "--entity", "reel", "--period", "2026-09", "--post"))
    )
    assert september["settlement"]["status"] == "nothing"
    assert snapshot(ws) == before
    # October: a sale of 1100 x 20 % = 220 due, line 22 = August's line 27 (200): 20 due
    ok(run("invoice", "add", "-e", "reel", "--client", "AMAP", "--activity", "maraichage",
           "--amount-ht", "1100", "--vat", "20", "--date", "2026-10-02"))  # fmt: skip
    october = boxes(run, "2026-10")["boxes"]
    assert october["22"] == {"tax": "200"}
    assert october["28"] == {"tax": "20"}


def test_check_finds_planted_non_deductible_vat(ws: Path) -> None:
    book(
        ws,
        "reel",
        '2026-01-01 open Passif:Fournisseurs:Taxi EUR\n  pcg: "401"\n'
        '2026-06-20 * "Taxi" "Course"\n'
        "  Charges:Deplacements  50.00 EUR\n"
        "  Actif:Etat:TVADeductible  5.00 EUR\n"
        "  Passif:Fournisseurs:Taxi  -55.00 EUR\n",
    )
    result = FastCli(ws)("check")
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if "passenger-transport" in line]
    assert len(lines) == 1
    assert lines[0].startswith("ledgers/reel/2026/06.beancount:")
    assert "€5.00 of VAT is deducted on a purchase of the category passenger-transport" in lines[0]
    assert "CGI ann. II art. 206 IV-2-4°" in lines[0]


def test_ca12_with_its_two_instalments(tmp_path: Path) -> None:
    root = make_sales_ws(tmp_path / "ws")
    run = FastCli(root)
    ok(run("invoice", "add", "-e", "simpl", "--client", "Coop", "--activity", "facilitation",
           "--amount-ht", "5000.40", "--vat", "20", "--date", "2026-03-10"))  # fmt: skip
    ok(run("invoice", "pay", "F2026-0001", "-e", "simpl", "--date", "2026-09-01"))
    # instalments on the configured base 4000: July 55 % = 2200, December 40 % = 1600
    ok(run("vat", "--entity", "simpl", "--period", "2026-07", "--post"))
    ok(run("vat", "--entity", "simpl", "--period", "2026-12", "--post"))
    ca12 = boxes(run, "2026", "simpl")
    assert ca12["form"] == "3517-S-CA12"
    assert ca12["boxes"] == {
        "01": {"base": "5000"},  # 5000.40 -> 5000
        "08": {"base": "5000", "tax": "1000"},  # 1000.08 -> 1000
        "16": {"tax": "1000"},
        "27": {"tax": "0"},
        "28": {"tax": "1000"},  # 1000 - 0
        "30": {"tax": "3800"},  # 2200 + 1600
        "33": {"tax": "0"},
        "34": {"tax": "2800"},  # 3800 - 1000 paid in excess
    }
    assert ca12["credit"] == "2800.00"


def test_mixed_entity_provisional_then_final_coefficient(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALUSAGE_TODAY", "2027-04-30")
    root = make_sales_ws(tmp_path / "ws")
    toml = root / "alusage.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace(
            'regime = "reel-mensuel"\nexigibility = "encaissements"\n',
            'regime = "reel-mensuel"\nexigibility = "encaissements"\n'
            'prorata = true\ncoefficient = "0.70"\n',
            1,
        ),
        encoding="utf-8",
    )
    run = FastCli(root)
    # 2026, first year: the configured provisional coefficient 0.70
    out = ok(run("bill", "add", "-e", "reel", "--supplier", "Papeterie", "--account", "6064",
                 "--amount-ht", "1000", "--vat", "20", "--date", "2026-02-02"))  # fmt: skip
    # 1000 x 20 % = 200.00, deducted 200 x 0.70 = 140.00, 60.00 into the charge
    assert "VAT of €60.00 is not deductible (coefficient of deduction 0.70)" in out
    assert boxes(run, "2026-02")["boxes"]["20"] == {"tax": "140"}
    # turnover 2026: taxable 6000 (programmation), exempt 4000 (training, 261-4-4°)
    ok(run("invoice", "add", "-e", "reel", "--client", "Coop", "--activity", "programmation",
           "--amount-ht", "6000", "--date", "2026-03-01"))  # fmt: skip
    ok(run("invoice", "add", "-e", "reel", "--client", "Lycee", "--activity", "formation",
           "--amount-ht", "4000", "--date", "2026-03-02"))  # fmt: skip
    data = json.loads(ok(run("--json", "vat", "--entity", "reel", "--period", "2026",
                             "--coefficient", "--post")))  # fmt: skip
    # final: 6000 / 10000 = 0.60; 200 x 0.60 = 120.00 - 140.00 deducted = -20.00
    assert (data["provisional"], data["final"], data["regularisation"]) == (
        "0.70",
        "0.60",
        "-20.00",
    )
    assert data["status"] == "posted"
    # dated 31 March 2027: given back on line 15 of the March return (filed in April)
    march = boxes(run, "2027-03")
    assert march["boxes"]["15"] == {"tax": "20"}
    again = json.loads(ok(run("--json", "vat", "--entity", "reel", "--period", "2026",
                              "--coefficient", "--post")))  # fmt: skip
    assert again["status"] == "already"
    # 2027: the provisional coefficient is 2026's final one, 0.60: 50 x 0.60 = 30.00
    data = json.loads(ok(run("--json", "bill", "add", "-e", "reel", "--supplier", "Papeterie",
                             "--account", "6064", "--amount-ht", "250", "--vat", "20",
                             "--date", "2027-04-02")))  # fmt: skip
    assert {"account": "Actif:Etat:TVADeductible", "amount": "30.00"} in data["postings"]
    assert ok(run("check")).startswith("All ledgers are valid")


def test_the_example_november_return_golden(example_ws: Path) -> None:
    run = FastCli(example_ws)
    for lang, suffix in (("en", "txt"), ("fr", "fr.txt")):
        text = ok(run("vat", "--entity", "alusage", "--period", "2026-11", "--detail", lang=lang))
        check_golden("vat", f"example-2026-11.{suffix}", text)
    data = ok(run("--json", "vat", "--entity", "alusage", "--period", "2026-11"))
    check_golden("vat", "example-2026-11.json", data)
    boxes = json.loads(data)["boxes"]
    # 15: the car-sharing VAT of February to October given back, 16.90 + 25.20 + 12.48
    # + 29.64 + 18.34 = 102.56 -> 103; 20: 64.10 deducted - 6.00 of the train = 58.10 -> 58
    assert (boxes["15"], boxes["20"]) == ({"tax": "103"}, {"tax": "58"})
    # 16: 1240 + 17 + 103 = 1360; 28: 1360 - 58 = 1302
    assert (boxes["16"], boxes["28"]) == ({"tax": "1360"}, {"tax": "1302"})
    assert "All ledgers are valid" in ok(run("check"))  # a redistribution warning may come first


def test_every_non_deductible_category_has_a_name_for_people() -> None:
    from alusage_ledger.core.i18n import set_language
    from alusage_ledger.domains.purchases.nondeductible import CATEGORIES, LABELS, category_label

    assert set(LABELS) == set(CATEGORIES)
    set_language("fr")
    try:
        assert category_label("passenger-transport") == "transport de personnes"
    finally:
        set_language("en")
