"""``aged``: open balances of third parties by age, with the unmatched items."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import Cli
from purchases_helpers import make_purchases_ws

from alusage_ledger.domains.lettering.aged import bucket_of

GOLDEN = Path(__file__).resolve().parent / "golden" / "purchases"


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("ALUSAGE_REGEN_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing golden file {path}; run with ALUSAGE_REGEN_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


def test_aged_on_the_example_golden(example_ws: Path) -> None:
    result = Cli(example_ws)("aged", "--as-of", "2026-11-30")
    assert result.exit_code == 0, result.output
    _golden("aged-example.txt", result.output)
    french = Cli(example_ws)("aged", "--as-of", "2026-11-30", lang="fr")
    assert french.exit_code == 0
    _golden("aged-example.fr.txt", french.output)


def test_unpaid_bill_shows_with_its_age_and_partial_payment_nets(tmp_path: Path) -> None:
    ws = make_purchases_ws(tmp_path / "ws")
    cli = Cli(ws)
    for piece, day, amount in (("OLD", "2026-07-01", "100"), ("NEW", "2026-11-15", "50")):
        result = cli(
            "bill", "add", "-e", "sas", "--supplier", "Imprimerie", "--account", "6064",
            "--amount-ht", amount, "--date", day, "--piece-ref", piece,
        )  # fmt: skip
        assert result.exit_code == 0, result.output
    assert cli("bill", "pay", "OLD", "--amount", "30", "--date", "2026-10-01").exit_code == 0
    result = cli("--json", "aged", "-e", "sas", "--as-of", "2026-11-30")
    assert result.exit_code == 0, result.output
    (balance,) = json.loads(result.output)["balances"]
    assert balance["party"] == "Imprimerie" and balance["kind"] == "supplier"
    assert balance["buckets"] == {
        "0-30": "-50.00",
        "31-60": "0.00",
        "61-90": "0.00",
        "90+": "-70.00",
    }
    assert balance["total"] == "-120.00"
    assert [(i["date"], i["age"], i["amount"], i["refs"]) for i in balance["items"]] == [
        ("2026-07-01", 152, "-70.00", ["sas-OLD"]),
        ("2026-11-15", 15, "-50.00", ["sas-NEW"]),
    ]
    text = cli("aged", "-e", "sas", "--as-of", "2026-11-30").output
    assert "Aged balances of sas on 2026-11-30" in text
    assert "2026-07-01  152  Imprimerie" in text
    # Before the bills existed, nothing was owed.
    result = cli("aged", "-e", "sas", "--as-of", "2026-06-30")
    assert "Nothing is owed either way." in result.output


@pytest.mark.parametrize(
    ("age", "bucket"),
    [
        (0, "0-30"),
        (30, "0-30"),
        (31, "31-60"),
        (60, "31-60"),
        (61, "61-90"),
        (90, "61-90"),
        (91, "90+"),
        (400, "90+"),
    ],
)
def test_buckets(age: int, bucket: str) -> None:
    assert bucket_of(age) == bucket


def test_bad_as_of(tmp_path: Path) -> None:
    ws = make_purchases_ws(tmp_path / "ws")
    result = Cli(ws)("aged", "--as-of", "30/11/2026")
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output
