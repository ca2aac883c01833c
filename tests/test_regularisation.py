"""Redistribution regularisation: a promised donation lowered after a credit note.

The example's November: the donation to Mycéliandre was promised at 483.00 (5 % of
9 660.00); the credit note A2026-0001 (1 250.00) then lowered the month's revenue to
8 410.00, which gives 420.50. ``check`` warns, ``redistribute --post`` books -62.50 on the
commitment's link, ``--paid`` pays 420.50.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import Cli, snapshot
from redistribution_helpers import book, deposit, make_ws, sale

pytestmark = pytest.mark.usefixtures("english")

LINK = "^ic-don-myceliandre-2026-11"
REGULARISATION = 'gen-id: "redistribution/ic-don-myceliandre-2026-11/regularisation"'


def _entry(text: str, marker: str) -> str:
    start = text.rindex("\n\n", 0, text.index(marker)) + 2
    end = text.find("\n\n", start)
    return text[start:] if end == -1 else text[start:end]


def test_example_november_check_warns_with_both_amounts(cli: Cli, example_ws: Path) -> None:
    result = cli("check")
    assert result.exit_code == 0, result.output
    assert (
        "warning: ledgers/alusage/2026/11.beancount:151: redistribution don-myceliandre for "
        "2026-11: €483.00 is recorded but the policy gives €420.50 now (difference -€62.50); "
        "'redistribute --month 2026-11 --post' books the difference."
    ) in result.output, result.output
    data = json.loads(cli("--json", "check").output)
    warnings = [w["message"] for w in data["warnings"] if "don-myceliandre" in w["message"]]
    assert len(warnings) == 1
    french = cli("check", lang="fr")
    assert "483,00" in french.output and "420,50" in french.output


def test_example_november_post_books_minus_62_50_then_paid_pays_420_50(
    cli: Cli, example_ws: Path
) -> None:
    result = cli("redistribute", "--month", "2026-11", "--post")
    assert result.exit_code == 0, result.output
    assert "regularisation of the promised donation of -€62.50 (^ic-don-myceliandre-2026-11)" in (
        result.output
    )
    sas = _entry(
        (example_ws / "ledgers/alusage/2026/11.beancount").read_text("utf-8"), REGULARISATION
    )
    scic = _entry(
        (example_ws / "ledgers/myceliandre/2026/11.beancount").read_text("utf-8"), REGULARISATION
    )
    assert sas.startswith("2026-11-30 * ") and sas.splitlines()[0].endswith(LINK)
    assert "Charges:Dons:Myceliandre          -62.50 EUR" in sas
    assert "Passif:ChargesAPayer:Myceliandre   62.50 EUR" in sas
    assert 'commitment: "convention de soutien 2026"' in sas
    assert scic.splitlines()[0].endswith(LINK)
    assert "Actif:ProduitsARecevoir:Alusage  -62.50 EUR" in scic
    assert "Produits:Dons:Alusage             62.50 EUR" in scic
    # The books now hold what the policy gives: no warning, nothing more to write.
    checked = cli("check")
    assert checked.exit_code == 0 and "don-myceliandre" not in checked.output, checked.output
    data = json.loads(cli("--json", "redistribute", "--month", "2026-11").output)
    don = next(p for p in data["policies"] if p["id"] == "don-myceliandre")
    assert (don["due"], don["recorded"], don["owed"]) == ("420.50", "420.50", "420.50")
    before = snapshot(example_ws)
    again = cli("redistribute", "--month", "2026-11", "--post")
    assert again.exit_code == 0 and "Nothing to write" in again.output, again.output
    assert snapshot(example_ws) == before

    paid = cli("redistribute", "--month", "2026-11", "--post", "--paid", "--date", "2026-12-04")
    assert paid.exit_code == 0, paid.output
    december = (example_ws / "ledgers/alusage/2026/12.beancount").read_text("utf-8")
    payment = _entry(december, 'gen-id: "redistribution/ic-don-myceliandre-2026-11/payment"')
    assert "Passif:ChargesAPayer:Myceliandre   420.50 EUR" in payment
    assert "Actif:Banque:CreditCooperatif     -420.50 EUR" in payment
    received = (example_ws / "ledgers/myceliandre/2026/12.beancount").read_text("utf-8")
    assert "420.50 EUR" in _entry(
        received, 'gen-id: "redistribution/ic-don-myceliandre-2026-11/payment"'
    )
    assert cli("check").exit_code == 0
    data = json.loads(cli("--json", "redistribute", "--month", "2026-11").output)
    don = next(p for p in data["policies"] if p["id"] == "don-myceliandre")
    assert don["owed"] == "0.00"


def test_paid_in_the_same_run_pays_what_is_due_not_what_was_recorded(
    cli: Cli, example_ws: Path
) -> None:
    result = cli("--json", "redistribute", "--month", "2026-11", "--post", "--paid")
    assert result.exit_code == 0, result.output
    posted = [
        (p["step"], p["amount"])
        for p in json.loads(result.output)["posted"]
        if p["policy"] == "don-myceliandre"
    ]
    assert posted == [("regularisation", "-62.50"), ("payment", "420.50")]
    assert cli("check").exit_code == 0


def test_transparency_report_shows_the_regularisation(cli: Cli, example_ws: Path) -> None:
    assert cli("redistribute", "--month", "2026-11", "--post").exit_code == 0
    data = json.loads(cli("--json", "report", "transparency", "--period", "2026").output)
    assert data["commons"]["regularisations"] == [
        {"policy": "don-myceliandre", "month": "2026-11", "date": "2026-11-30", "amount": "-62.50"}
    ]
    line = next(ln for ln in data["commons"]["lines"] if ln["key"][0] == "don-myceliandre")
    assert line["months"]["2026-11"] == "420.50"
    shown = cli("report", "transparency", "--period", "2026").output
    assert "Regularisations of the commons (included above)" in shown
    assert "don-myceliandre  2026-11          2026-11-30  -€62.50" in shown


COMMITMENT = """
[[redistribution]]
id = "don-commun"
from = "alusage"
to = "myceliandre"
kind = "don"
base = "revenue"
rate = "0.05"
commitment = "convention 2026-01"
since = 2026-01-01
"""


def _credit_note(day: str, amount: str, number: str, invoice: str) -> str:
    from decimal import Decimal

    vat = Decimal(amount) / 5
    return f"""
{day} * "Coop des Tilleuls" "Avoir {number}" ^{number} ^{invoice}
  credit-note: "{number}"
  invoice: "{invoice}"
  client: "Coop des Tilleuls"
  activity: "facilitation"
  vat-rate: "20"
  Actif:Clients:CoopDesTilleuls      -{Decimal(amount) + vat:.2f} EUR
  Produits:Prestations:Facilitation   {amount} EUR
  Passif:Etat:TVAEnAttente            {vat:.2f} EUR
"""


def _committed(tmp_path: Path) -> tuple[Path, Cli]:
    root = make_ws(tmp_path / "ws", COMMITMENT)
    book(root, "alusage", "2026-03", deposit("2026-03-01", "5000.00"))
    book(root, "alusage", "2026-03", sale("2026-03-05", "F2026-0001", "3000.00"))
    book(root, "alusage", "2026-03", sale("2026-03-06", "F2026-0002", "1000.00"))
    book(root, "alusage", "2026-03", sale("2026-03-07", "F2026-0003", "500.00"))
    cli = Cli(root)
    assert cli("redistribute", "--month", "2026-03", "--post").exit_code == 0  # 225.00
    return root, cli


def test_a_closed_month_is_regularised_on_the_first_open_day(tmp_path: Path) -> None:
    root, cli = _committed(tmp_path)
    book(
        root,
        "alusage",
        "2026-03",
        _credit_note("2026-03-20", "1000.00", "A2026-0001", "F2026-0002"),
    )  # due: 100.00
    book(root, "alusage", "2026-04", '2026-04-01 custom "alusage-close" "2026-03" "0" \n')
    result = cli("redistribute", "--month", "2026-03", "--post")
    assert result.exit_code == 0, result.output
    april = (root / "ledgers/alusage/2026/04.beancount").read_text("utf-8")
    entry = _entry(april, 'gen-id: "redistribution/ic-don-commun-2026-03/regularisation"')
    assert entry.startswith("2026-04-01 * ") and entry.splitlines()[0].endswith(
        "^ic-don-commun-2026-03"
    )
    assert "Charges:Dons:Myceliandre          -50.00 EUR" in entry
    assert 'period: "2026-03"' in entry


def test_a_second_change_is_a_second_regularisation(tmp_path: Path) -> None:
    root, cli = _committed(tmp_path)
    book(
        root,
        "alusage",
        "2026-03",
        _credit_note("2026-03-20", "1000.00", "A2026-0001", "F2026-0002"),
    )
    assert cli("redistribute", "--month", "2026-03", "--post").exit_code == 0
    book(
        root, "alusage", "2026-03", _credit_note("2026-03-25", "500.00", "A2026-0002", "F2026-0003")
    )
    result = cli("--json", "redistribute", "--month", "2026-03", "--post")
    assert result.exit_code == 0, result.output
    march = (root / "ledgers/alusage/2026/03.beancount").read_text("utf-8")
    second = _entry(march, 'gen-id: "redistribution/ic-don-commun-2026-03/regularisation-2"')
    assert "Charges:Dons:Myceliandre          -25.00 EUR" in second
    data = json.loads(cli("--json", "redistribute", "--month", "2026-03").output)
    assert (data["policies"][0]["recorded"], data["policies"][0]["owed"]) == ("150.00", "150.00")
    checked = cli("check")
    assert checked.exit_code == 0, checked.output


def test_a_paid_donation_is_not_taken_back(tmp_path: Path) -> None:
    root, cli = _committed(tmp_path)
    paid = cli("redistribute", "--month", "2026-03", "--post", "--paid", "--date", "2026-03-31")
    assert paid.exit_code == 0, paid.output
    book(
        root,
        "alusage",
        "2026-03",
        _credit_note("2026-03-20", "1000.00", "A2026-0001", "F2026-0002"),
    )
    checked = cli("check")
    assert checked.exit_code == 0
    assert (
        "redistribution don-commun for 2026-03: €225.00 is recorded but the policy gives "
        "€175.00 now (difference -€50.00); the donation is paid: a refund is for the two "
        "entities to agree on."
    ) in checked.output, checked.output
    before = snapshot(root)
    result = cli("redistribute", "--month", "2026-03", "--post")
    assert result.exit_code == 0, result.output
    assert "don-commun: €50.00 more than due is already recorded; nothing is written" in (
        result.output
    )
    assert snapshot(root) == before


def test_closed_month_regularised_and_paid_in_one_run(tmp_path: Path) -> None:
    """The payment is never dated before the regularisation it follows."""
    root, cli = _committed(tmp_path)
    book(
        root,
        "alusage",
        "2026-03",
        _credit_note("2026-03-20", "1000.00", "A2026-0001", "F2026-0002"),
    )
    book(root, "alusage", "2026-04", '2026-04-01 custom "alusage-close" "2026-03" "0" \n')
    result = cli("--json", "redistribute", "--month", "2026-03", "--post", "--paid")
    assert result.exit_code == 0, result.output
    posted = [(p["step"], p["date"], p["amount"]) for p in json.loads(result.output)["posted"]]
    assert posted == [
        ("regularisation", "2026-04-01", "-50.00"),
        ("payment", "2026-04-01", "175.00"),
    ]
