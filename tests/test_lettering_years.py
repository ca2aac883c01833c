"""Lettering across the year-end (issue 21): payments letter what they settle, partial then
final; the à-nouveaux carry one line per open item; an invoice of December paid in
January leaves both exercices' FECs balanced per letter, and the closed exercice's FEC is
the same file before and after the receipt."""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import Cli
from purchases_helpers import customs, make_purchases_ws

from alusage_ledger.books.ledger import Workspace
from alusage_ledger.domains.lettering.letters import LetterIndex, open_items
from alusage_ledger.outputs.fec.fields import parse_fec_number
from alusage_ledger.outputs.fec.verifier import verify_fec

pytestmark = pytest.mark.usefixtures("english")

CLIENT = "Actif:Clients:CoopDesTilleuls"


def _ws(root: Path) -> Path:
    make_purchases_ws(root)
    config = root / "alusage.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('# siren = "123456789"', 'siren = "123456782"', 1), "utf-8")
    return root


def _invoice(cli: Cli, day: str, amount: str) -> str:
    done = cli(
        "--json", "invoice", "add", "-e", "sas", "--client", "Coop des Tilleuls",
        "--activity", "programmation", "--amount-ht", amount, "--date", day,
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    import json

    return str(json.loads(done.output)["number"])


def _rows(fec: Path) -> list[list[str]]:
    lines = fec.read_bytes().decode("utf-8").split("\r\n")
    return [line.split("\t") for line in lines[1:] if line]


def _per_letter(rows: list[list[str]]) -> dict[tuple[str, str], Decimal]:
    """What the final letters (capitals) add up to per account: every one must be zero."""
    sums: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for row in rows:
        code = row[13]
        if code and not code.islower():
            sums[(row[6] or row[4], code)] += parse_fec_number(row[11]) - parse_fec_number(row[12])
    return dict(sums)


def _export(cli: Cli, out: Path, year: str, *extra: str) -> Path:
    done = cli("export", "fec", "-e", "sas", "--exercice", year, "--out", str(out), *extra)
    assert done.exit_code == 0, done.output
    (fec,) = [p for p in out.glob(f"*FEC{year}1231.txt")]
    verified = cli("export", "fec", "--verify", str(fec))
    assert verified.exit_code == 0, verified.output
    return fec


def test_partial_then_final_and_a_december_invoice_paid_in_january(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALUSAGE_TODAY", "2026-12-20")
    ws = _ws(tmp_path / "ws")
    cli = Cli(ws)
    # November: an invoice paid in two parts, lettered partial ("aa") then final ("AA").
    november = _invoice(cli, "2026-11-05", "1000")
    assert cli("invoice", "pay", november, "--amount", "500", "--date", "2026-11-20").exit_code == 0
    (partial,) = customs(ws, "sas")
    assert (partial.date.isoformat(), partial.values[1].value) == ("2026-11-20", "aa")
    ledger = Workspace.open(ws).load_checked("sas")
    assert len(open_items(ledger, CLIENT)) == 2  # still due: 700.00
    assert cli("invoice", "pay", november, "--date", "2026-12-10").exit_code == 0
    (_partial, final) = customs(ws, "sas")
    assert (final.date.isoformat(), final.values[1].value) == ("2026-12-10", "AA")
    assert [v.value for v in final.values[2:]] == [november]
    ledger = Workspace.open(ws).load_checked("sas")
    assert open_items(ledger, CLIENT) == []
    index = LetterIndex(ledger.entries)
    linked = [e for e in ledger.entries if november in (getattr(e, "links", None) or ())]
    assert {index.get(e, CLIENT).code for e in linked} == {"AA"}  # type: ignore[union-attr]

    # December: an invoice left open at the year-end.
    december = _invoice(cli, "2026-12-15", "2000")
    assert cli("check").exit_code == 0
    for month in range(1, 13):
        done = cli("close", f"2026-{month:02d}", "--entity", "sas", "--today", "2027-01-05")
        assert done.exit_code == 0, done.output
    done = cli("year", "close", "-e", "sas", "--exercice", "2026", "--today", "2027-01-06")
    assert done.exit_code == 0, done.output

    # The à-nouveaux: one line for the open invoice, with its number and date.
    opening = (ws / "ledgers/sas/2027/exercice.open.beancount").read_text(encoding="utf-8")
    assert re.search(
        rf"  {CLIENT} +2400\.00 EUR\n"
        rf'    item-link: "{december}"\n'
        rf'    invoice: "{december}"\n'
        r"    piece-date: 2026-12-15\n",
        opening,
    ), opening

    first = _export(cli, tmp_path / "before", "2026").read_bytes()
    rows_2026 = _rows(tmp_path / "before" / "123456782FEC20261231.txt")
    assert _per_letter(rows_2026) == {("411CoopDesTilleuls", "AA"): Decimal(0)}
    assert [r[13] for r in rows_2026 if r[8] == december and r[6]] == [""]  # open at the close

    # January 2027: the receipt letters the à-nouveaux line, in the new exercice.
    monkeypatch.setenv("ALUSAGE_TODAY", "2027-01-20")
    paid = cli("invoice", "pay", december, "--date", "2027-01-12")
    assert paid.exit_code == 0, paid.output
    letters = customs(ws, "sas")
    assert [(lt.date.isoformat(), lt.values[1].value) for lt in letters][-1] == ("2027-01-12", "AB")
    assert cli("check").exit_code == 0
    ledger = Workspace.open(ws).load_checked("sas")
    assert open_items(ledger, CLIENT) == []
    aged = cli("--json", "aged", "-e", "sas", "--as-of", "2027-01-20")
    assert '"balances": []' in aged.output.replace("\n", "").replace("  ", "") or (
        december not in aged.output
    )

    # The closed exercice's FEC is the same file; each FEC balances per letter.
    again = _export(cli, tmp_path / "after", "2026").read_bytes()
    assert again == first
    fec_2027 = _export(cli, tmp_path / "next", "2027", "--allow-open")
    rows_2027 = _rows(fec_2027)
    assert _per_letter(rows_2027) == {("411CoopDesTilleuls", "AB"): Decimal(0)}
    lettered = [(r[0], r[8], r[9], r[13]) for r in rows_2027 if r[13]]
    assert lettered == [
        ("AN", december, "20261215", "AB"),  # the à-nouveaux line: its invoice and date
        ("BQ", december, "20261215", "AB"),
    ]
    assert verify_fec(fec_2027.read_bytes()).ok


def test_the_verifier_refuses_a_letter_that_does_not_balance(tmp_path: Path) -> None:
    ws = _ws(tmp_path / "ws")
    cli = Cli(ws)
    number = _invoice(cli, "2026-03-02", "100")
    assert cli("invoice", "pay", number, "--date", "2026-03-09").exit_code == 0
    fec = _export(cli, tmp_path / "out", "2026", "--allow-open")
    text = fec.read_text(encoding="utf-8")
    assert "\tAA\t" in text
    broken = text.replace("120,00\t0,00\tAA", "121,00\t0,00\tAA", 1)
    messages = [p.message for p in verify_fec(broken.encode("utf-8")).errors]
    assert (
        "the lines lettered AA on account 411CoopDesTilleuls do not balance: debits minus "
        "credits = 1,00."
    ) in messages, messages
    assert not [m for m in verify_fec(text.encode("utf-8")).errors]


def test_the_fec_of_a_closed_year_does_not_move_before_or_after_the_year_close(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Months closed, exercice not closed yet: the January receipt letters the December
    invoice in 2027; the 2026 FEC is the same file before the receipt, after it, and after
    the exercice close that then carries the invoice as an à-nouveaux line."""
    monkeypatch.setenv("ALUSAGE_TODAY", "2026-12-20")
    ws = _ws(tmp_path / "ws")
    cli = Cli(ws)
    december = _invoice(cli, "2026-12-15", "2000")
    for month in range(1, 13):
        done = cli("close", f"2026-{month:02d}", "--entity", "sas", "--today", "2027-01-05")
        assert done.exit_code == 0, done.output
    first = _export(cli, tmp_path / "one", "2026").read_bytes()
    monkeypatch.setenv("ALUSAGE_TODAY", "2027-01-20")
    assert cli("invoice", "pay", december, "--date", "2027-01-12").exit_code == 0
    assert _export(cli, tmp_path / "two", "2026").read_bytes() == first
    done = cli("year", "close", "-e", "sas", "--exercice", "2026", "--today", "2027-01-21")
    assert done.exit_code == 0, done.output
    assert cli("check").exit_code == 0
    assert _export(cli, tmp_path / "three", "2026").read_bytes() == first
    rows_2027 = _rows(_export(cli, tmp_path / "next", "2027", "--allow-open"))
    assert _per_letter(rows_2027) == {("411CoopDesTilleuls", "AA"): Decimal(0)}
    assert [(r[0], r[8], r[13]) for r in rows_2027 if r[13]] == [
        ("AN", december, "AA"),
        ("BQ", december, "AA"),
    ]
