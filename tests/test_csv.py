"""``--format csv`` and ``--csv-dialect`` (issue 23, item 8): one module writes every CSV
(outputs/render/csvout.py), in the machine dialect (comma, dot decimals, English keys) or
the French spreadsheet dialect (semicolon, decimal comma, UTF-8 with a BOM, French
headings). Golden files for the invoice list and the trial balance in both dialects."""

from __future__ import annotations

import csv
import io
import json
import os
from decimal import Decimal

import pytest
from conftest import PROJECT, Cli, snapshot
from hypothesis import given
from hypothesis import strategies as st

from alusage_ledger.outputs.render.csvout import BOM, cell, csv_document

#: Start and end every test in English (``conftest.english``).
pytestmark = pytest.mark.usefixtures("english")

GOLDEN = PROJECT / "tests" / "golden" / "csv"
REGEN = os.environ.get("ALUSAGE_REGEN_GOLDEN") == "1"

INVOICES = ("invoice", "list", "--as-of", "2026-12-31")
TRIAL = ("report", "trial-balance", "-e", "alusage", "--exercice", "2026")


def check_golden(name: str, got: str) -> None:
    path = GOLDEN / name
    if REGEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(got.encode("utf-8"))
    assert path.exists(), f"missing golden file {path}; run with ALUSAGE_REGEN_GOLDEN=1"
    assert got == path.read_bytes().decode("utf-8"), f"{name} differs from its golden file"


@pytest.fixture(scope="module")
def example() -> Cli:
    """The example workspace, read only."""
    return Cli(PROJECT)


def run(example: Cli, *args: str, lang: str = "en") -> str:
    done = example(*args, lang=lang)
    assert done.exit_code == 0, done.output
    return str(done.output)


@pytest.mark.parametrize(
    ("name", "args"), [("invoice-list", INVOICES), ("trial-balance-alusage-2026", TRIAL)]
)
@pytest.mark.parametrize("dialect", ["machine", "fr"])
def test_golden_csv(example: Cli, name: str, args: tuple[str, ...], dialect: str) -> None:
    got = run(example, *args, "--format", "csv", "--csv-dialect", dialect)
    check_golden(f"{name}.{dialect}.csv", got)
    # The French dialect's headings do not depend on --lang; the machine keys neither.
    assert run(example, *args, "--format", "csv", "--csv-dialect", dialect, lang="fr") == got


def test_the_french_csv_opens_in_a_spreadsheet_reader(example: Cli) -> None:
    text = run(example, *INVOICES, "--format", "csv", "--csv-dialect", "fr")
    assert text.startswith(BOM)
    rows = list(csv.reader(io.StringIO(text.removeprefix(BOM)), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert header[:7] == ["Entité", "Numéro", "Date", "Client", "HT", "TVA", "TTC"]
    first = dict(zip(header, body[0], strict=True))
    assert first["Numéro"] == "F2026-0001"
    assert first["TTC"] == "3780,00" and first["HT"] == "3150,00"
    # Every amount has a decimal comma and no dot, and matches the JSON to the cent.
    document = json.loads(run(example, *INVOICES, "--json"))
    assert len(body) == len(document["invoices"])
    for row, invoice in zip(body, document["invoices"], strict=True):
        record = dict(zip(header, row, strict=True))
        assert record["Numéro"] == invoice["number"]
        for heading, key in (
            ("HT", "ht"),
            ("TVA", "vat"),
            ("TTC", "ttc"),
            ("Reste dû", "remaining"),
        ):
            assert "," in record[heading] and "." not in record[heading]
            assert Decimal(record[heading].replace(",", ".")) == Decimal(invoice[key])


def test_the_machine_csv_has_stable_keys_and_dot_decimals(example: Cli) -> None:
    for lang in ("en", "fr"):
        text = run(example, *INVOICES, "--format", "csv", lang=lang)
        assert not text.startswith(BOM)
        rows = list(csv.DictReader(io.StringIO(text)))
        assert list(rows[0])[:4] == ["entity", "number", "date", "client"]
        assert rows[0]["ttc"] == "3780.00"
    tb = list(csv.DictReader(io.StringIO(run(example, *TRIAL, "-f", "csv"))))
    total = tb[-1]
    assert total["pcg"] == "total"
    assert Decimal(total["debit"]) == Decimal(total["credit"])


@pytest.mark.parametrize(
    "args",
    [
        ("bill", "list", "--as-of", "2026-12-31"),
        ("expense", "list"),
        ("aged", "--as-of", "2026-12-31"),
        ("revenue", "--period", "2026"),
        ("usage", "list", "le97", "--month", "2026-11"),
        ("recurring", "list"),
        ("micro", "recettes", "-e", "christine-dornier", "--year", "2026"),
        ("micro", "urssaf", "-e", "christine-dornier", "--period", "2026"),
        ("balances", "le97", "--as-of", "2026-12-31"),
        ("report", "transparency", "--period", "2026"),
        ("report", "ledger", "512", "-e", "alusage", "--exercice", "2026"),
        ("report", "journal", "-e", "alusage", "--exercice", "2026", "-j", "VT"),
    ],
    ids=lambda a: " ".join(a[:2]),
)
def test_every_list_has_both_dialects(example: Cli, args: tuple[str, ...]) -> None:
    machine = run(example, *args, "-f", "csv")
    french = run(example, *args, "-f", "csv", "--csv-dialect", "fr")
    m_rows = list(csv.reader(io.StringIO(machine)))
    f_rows = list(csv.reader(io.StringIO(french.removeprefix(BOM)), delimiter=";"))
    assert french.startswith(BOM) and len(m_rows) == len(f_rows) > 1
    assert all(key == key.lower() and " " not in key for key in m_rows[0]), m_rows[0]
    assert f_rows[0] != m_rows[0]  # French headings, not the keys
    for m_row, f_row in zip(m_rows[1:], f_rows[1:], strict=True):
        for m_cell, f_cell in zip(m_row, f_row, strict=True):
            # A dot decimal in one is a comma decimal in the other; nothing else differs.
            if f_cell != m_cell:
                assert f_cell == m_cell.replace(".", ","), (m_cell, f_cell)
                Decimal(m_cell)  # a number, not text with a dot


def test_the_environment_chooses_the_dialect(example: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALUSAGE_CSV_DIALECT", "fr")
    assert run(example, *INVOICES, "-f", "csv").startswith(BOM + "Entité;")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--csv-dialect", "excel", "-f", "csv"),
            "Unknown CSV dialect 'excel'; use machine or fr.",
        ),
        (("-f", "xml"), "Unknown format 'xml'; use table, csv or json."),
    ],
)
def test_refusals(example: Cli, args: tuple[str, ...], message: str) -> None:
    before = snapshot(PROJECT / "ledgers")
    done = example(*INVOICES, *args)
    assert done.exit_code == 2
    assert message in done.output and "Traceback" not in done.output
    assert snapshot(PROJECT / "ledgers") == before


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False))
def test_an_amount_reads_back_the_same_in_both_dialects(value: Decimal) -> None:
    machine, french = cell(value, "machine"), cell(value, "fr")
    assert Decimal(machine) == value == Decimal(french.replace(",", "."))
    assert "." not in french and machine.count(".") == 1
    text = csv_document([("amount", "Amount")], [[value]], "fr")
    assert list(csv.reader(io.StringIO(text.removeprefix(BOM)), delimiter=";"))[1] == [french]
