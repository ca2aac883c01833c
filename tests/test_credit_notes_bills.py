"""Supplier credit notes (issue 21, item 3): ``bill credit`` gives back part of a bill,
its deductible VAT following the bill's nature and exigibility; and the CA3 of a month
with a partial credit note on a sale and supplier credit notes, box by box by hand."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import snapshot
from sales_helpers import FastCli, book, make_sales_ws


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = make_sales_ws(tmp_path / "ws")
    book(root, "reel", '2026-01-01 open Charges:Achats:Semences EUR\n  pcg: "601"\n'
                       '  label: "Achats stockés"\n')  # fmt: skip
    return root


def ok(result: Any) -> str:
    assert result.exit_code == 0, result.output
    return str(result.output)


def squeezed(ws: Path) -> str:
    return " ".join((ws / "ledgers/reel/2026/06.beancount").read_text(encoding="utf-8").split())


def test_a_month_with_a_partial_credit_note_and_supplier_credit_notes(ws: Path) -> None:
    run = FastCli(ws)
    # seeds (goods, 601): 200.00 + 10 % = 220.00, the 20.00 deducted at the bill
    ok(run("bill", "add", "-e", "reel", "--supplier", "Graines", "--account", "601",
           "--amount-ht", "200", "--vat", "10", "--piece-ref", "S-1", "--date", "2026-06-07"))  # fmt: skip
    # the supplier's credit note of 110.00: half the bill, 100.00 of charge and 10.00 of
    # VAT already deducted, given back (kind reversal, line 15)
    out = ok(run("bill", "credit", "S-1", "--amount", "110", "--piece-ref", "AV-7",
                 "--date", "2026-06-20"))  # fmt: skip
    assert "Credit note of €110.00 on the bill S-1 of Graines (reel); €110.00 left to pay." in out
    assert (
        '2026-06-20 * "Graines" "Avoir fournisseur AV-7 sur la facture S-1" ^reel-S-1 '
        'piece-ref: "AV-7" bill: "S-1" supplier: "Graines" '
        "Passif:Fournisseurs:Graines 110.00 EUR Charges:Achats:Semences -100.00 EUR "
        'Actif:Etat:TVADeductible -10.00 EUR vat-kind: "reversal"'
    ) in squeezed(ws)
    # fees (services, 6226): 300.00 + 20 % = 360.00, the 60.00 pending until paid
    ok(run("bill", "add", "-e", "reel", "--supplier", "Cabinet", "--account", "6226",
           "--amount-ht", "300", "--vat", "20", "--piece-ref", "H-1", "--date", "2026-06-06"))  # fmt: skip
    # 180.00 paid: 60 x 180/360 = 30.00 deducted, 30.00 still pending
    ok(run("bill", "pay", "H-1", "--amount", "180", "--date", "2026-06-08"))
    # a credit note of 90.00 (of the 180.00 unpaid): 90 x 300/360 = 75.00 of charge and
    # 15.00 of VAT, taken from the 30.00 still pending (nothing deducted is given back)
    ok(run("bill", "credit", "H-1", "--amount", "90", "--piece-ref", "AV-H",
           "--date", "2026-06-21"))  # fmt: skip
    assert (
        "Passif:Fournisseurs:Cabinet 90.00 EUR Charges:Honoraires -75.00 EUR "
        'Actif:Etat:TVADeductibleEnAttente -15.00 EUR vat-kind: "services"'
    ) in squeezed(ws)
    # the rest, 360 - 180 - 90 = 90.00, moves the last 15.00 of pending VAT
    out = ok(run("bill", "pay", "H-1", "--date", "2026-06-25"))
    assert "Payment of €90.00 on the bill H-1 of Cabinet (reel); €0.00 left." in out
    # a sale: 1000.00 + 200.00, a partial credit note of 120.00 (100.00 + 20.00 pending),
    # the rest 1080.00 received: 180.00 collected, base 900.00
    ok(run("invoice", "add", "-e", "reel", "--client", "Coop", "--activity", "programmation",
           "--amount-ht", "1000", "--date", "2026-06-02"))  # fmt: skip
    ok(run("invoice", "cancel", "F2026-0001", "--amount", "120", "--date", "2026-06-10"))
    ok(run("invoice", "pay", "F2026-0001", "--date", "2026-06-26"))
    data = json.loads(ok(run("--json", "vat", "--entity", "reel", "--period", "2026-06")))
    assert data["boxes"] == {
        "A1": {"base": "900"},  # the net sale
        "08": {"base": "900", "tax": "180"},
        "15": {"tax": "10"},  # the seeds' VAT given back
        "16": {"tax": "190"},  # 180 + 10
        "20": {"tax": "65"},  # seeds 20.00 + fees 30.00 + 15.00
        "23": {"tax": "65"},
        "28": {"tax": "125"},  # 190 - 65
        "32": {"tax": "125"},
    }
    assert data["deductible"] == {
        "goods": "20.00",
        "services": "45.00",
        "fixed-assets": "0.00",
        "reversal": "-10.00",
    }
    bills = json.loads(ok(run("--json", "bill", "list", "--as-of", "2026-06-30")))["documents"]
    due = {d["piece_ref"]: d["due"] for d in bills}
    assert due == {"S-1": "110.00", "H-1": "0.00"}
    sales = json.loads(ok(run("--json", "invoice", "list", "--as-of", "2026-06-30")))
    assert sales["invoices"][0]["status"] == "paid"
    aged = json.dumps(json.loads(ok(run("--json", "aged", "--as-of", "2026-06-30"))))
    assert '"-110.00"' in aged  # only the seeds' rest is still owed
    assert "Cabinet" not in aged and "Coop" not in aged
    assert ok(run("check"))


def test_bad_supplier_credit_notes_are_refused_and_nothing_changes(ws: Path) -> None:
    run = FastCli(ws)
    ok(run("bill", "add", "-e", "reel", "--supplier", "Graines", "--account", "601",
           "--amount-ht", "200", "--vat", "10", "--piece-ref", "S-1", "--date", "2026-06-07"))  # fmt: skip
    before = snapshot(ws)
    for args, code, message in [
        (("--amount", "220.01"), 4, "more than is unpaid on the bill S-1 of Graines (220.00)"),
        (("--amount", "abc"), 2, "abc"),
        (("--date", "2026-06-01"), 2, "before the bill's date"),
    ]:
        result = run("bill", "credit", "S-1", *args)
        assert result.exit_code == code, (args, result.output)
        assert message in result.output
        assert snapshot(ws) == before
    # all that is unpaid: the bill is then settled (final letter)
    ok(run("bill", "credit", "S-1", "--piece-ref", "AV-1", "--date", "2026-06-20"))
    assert '"AA" "reel-S-1"' in squeezed(ws)
    result = run("bill", "credit", "S-1", "--date", "2026-06-21", lang="fr")
    assert result.exit_code == 4
    assert "payée ou créditée en totalité" in result.output
