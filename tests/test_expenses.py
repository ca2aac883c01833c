"""``expense add/reimburse/list``: notes de frais owed to a person (467) until reimbursed."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from conftest import Cli, snapshot
from purchases_helpers import balance, customs, postings_of, transactions

PERSON = "Passif:NotesDeFrais:CamillePerrin"


def test_claims_then_one_reimbursement_lettered(pws: Path, pcli: Cli) -> None:
    result = pcli(
        "expense", "add", "-e", "sas", "--person", "Camille Perrin",
        "--account", "Charges:Deplacements", "--amount", "66.00", "--vat", "10",
        "--date", "2026-11-12", "--label", "Train Besançon-Dijon",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "NDF-2026-0001" in result.output
    result = pcli(
        "expense", "add", "-e", "sas", "--person", "Camille Perrin", "--account", "6064",
        "--amount", "23.50", "--date", "2026-11-14",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    first, second = [e for e in transactions(pws, "sas") if "person" in e.meta]
    assert first.narration == "Note de frais NDF-2026-0001 - Train Besançon-Dijon"
    assert postings_of(first) == [
        ("Charges:Deplacements", "60.00"),
        ("Actif:Etat:TVADeductible", "6.00"),
        (PERSON, "-66.00"),
    ]
    assert first.postings[1].meta["vat-kind"] == "services"
    assert second.meta["piece-ref"] == "NDF-2026-0002"
    accounts = (pws / "ledgers/sas/accounts.beancount").read_text(encoding="utf-8")
    assert f"open {PERSON}" in accounts and 'pcg: "467"' in accounts

    # Owed to the person: aged shows it, negative (owed by the entity).
    doc = json.loads(pcli("--json", "aged", "-e", "sas", "--as-of", "2026-11-20").output)
    (row,) = doc["balances"]
    assert (row["kind"], row["total"]) == ("person", "-89.50")

    result = pcli("expense", "reimburse", "-e", "sas", "--person", "Camille Perrin",
                  "--date", "2026-11-25")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "€89.50" in result.output
    reimbursement = transactions(pws, "sas")[-1]
    assert sorted(reimbursement.links) == ["sas-NDF-2026-0001", "sas-NDF-2026-0002"]
    assert postings_of(reimbursement) == [(PERSON, "89.50"), ("Actif:Banque:Courant", "-89.50")]
    assert balance(pws, "sas", PERSON) == 0

    listing = json.loads(pcli("--json", "expense", "list").output)["documents"]
    assert [(d["piece_ref"], d["paid"], d["due"]) for d in listing] == [
        ("NDF-2026-0001", "66.00", "0.00"),
        ("NDF-2026-0002", "23.50", "0.00"),
    ]
    assert pcli("letter", "-e", "sas").exit_code == 0
    (letter,) = customs(pws, "sas")
    assert [v.value for v in letter.values] == [
        PERSON,
        "AA",
        "sas-NDF-2026-0001",
        "sas-NDF-2026-0002",
    ]
    assert pcli("check").exit_code == 0
    doc = json.loads(pcli("--json", "aged", "-e", "sas", "--as-of", "2026-11-30").output)
    assert doc["balances"] == []


def test_reimburse_refusals_leave_files_unchanged(pws: Path, pcli: Cli) -> None:
    before = snapshot(pws)
    result = pcli("expense", "reimburse", "-e", "sas", "--person", "Nobody", "--date", "2026-02-01")
    assert result.exit_code == 2 and "no expense claim left" in result.output
    for amount in ("10", "20"):
        pcli(
            "expense", "add", "-e", "sas", "--person", "Lou", "--account", "6064",
            "--amount", amount, "--date", "2026-02-01",
        )  # fmt: skip
    before = snapshot(pws)
    for args, message in (
        (("--amount", "5"), "one claim at a time"),
        (("--amount", "31"), "more than is owed"),
        (("NDF-2026-0009",), "No expense claim NDF-2026-0009"),
        (("--date", "2026-01-15"), "before the claim's date"),
    ):
        result = pcli("expense", "reimburse", "-e", "sas", "--person", "Lou", *args)
        assert result.exit_code == 2, result.output
        assert message in result.output
        assert snapshot(pws) == before
    result = pcli("expense", "reimburse", "NDF-2026-0002", "-e", "sas", "--person", "Lou",
                  "--amount", "5", "--date", "2026-02-03")  # fmt: skip
    assert result.exit_code == 0, result.output
    listing = json.loads(pcli("--json", "expense", "list", "--unpaid").output)["documents"]
    assert [(d["piece_ref"], d["due"]) for d in listing] == [
        ("NDF-2026-0001", "10.00"),
        ("NDF-2026-0002", "15.00"),
    ]


def test_claim_vat_amount_and_franchise(pws: Path, pcli: Cli) -> None:
    result = pcli(
        "expense", "add", "-e", "sas", "--person", "Lou", "--account", "6064",
        "--amount", "12.00", "--vat-amount", "1.99", "--date", "2026-02-01", "--piece-ref", "T-1",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    claim = next(e for e in transactions(pws, "sas") if "person" in e.meta)
    assert postings_of(claim)[:2] == [
        ("Charges:Achats:Fournitures", "10.01"),
        ("Actif:Etat:TVADeductible", "1.99"),
    ]
    assert claim.links == {"sas-T-1"}
    result = pcli(
        "expense", "add", "-e", "solo", "--person", "Lou", "--account", "6064",
        "--amount", "12.00", "--vat", "20", "--date", "2026-02-01",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    claim = next(e for e in transactions(pws, "solo") if "person" in e.meta)
    assert postings_of(claim) == [
        ("Charges:Achats:Fournitures", "12.00"),
        ("Passif:NotesDeFrais:Lou", "-12.00"),
    ]
    before = snapshot(pws)
    result = pcli(
        "expense", "add", "-e", "sas", "--person", "Lou", "--account", "6064",
        "--amount", "12.00", "--vat-amount", "12.00", "--date", "2026-02-01",
    )  # fmt: skip
    assert result.exit_code == 2 and "less than the amount" in result.output
    result = pcli(
        "expense", "add", "-e", "sas", "--person", "Lou", "--account", "6064",
        "--amount", "1", "--date", "2026-02-01", "--piece-ref", "T-1",
    )  # fmt: skip
    assert result.exit_code == 2 and "already booked" in result.output
    assert snapshot(pws) == before
    assert balance(pws, "sas", "Passif:NotesDeFrais:Lou") == Decimal("-12.00")
