"""``recurring post/list``: monthly bills from [[recurring]] templates, idempotent by gen-id."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import Cli, snapshot
from purchases_helpers import append, balance, make_purchases_ws, postings_of, transactions

from alusage_ledger.books.canonical import entry_hash
from alusage_ledger.books.ledger import Workspace
from alusage_ledger.core.periods import Month

TEMPLATES = """
[[recurring]]
id = "loyer"
entity = "sas"
supplier = "SCI Battant"
account = "Charges:Locations:Le97"
amount = "1200.00"
vat = "20"
day = 1
piece_ref = "QUIT-{year}-{month:02}"
label = "Loyer - {month_name} {year}"
pay_day = 5
since = 2026-02-01

[[recurring]]
id = "internet"
entity = "sas"
supplier = "FAI Coop"
account = "Charges:Telecom"
amount = "last"
vat = "20"
day = 31

[[recurring]]
id = "assurance"
entity = "solo"
supplier = "Mutuelle"
account = "Charges:Achats:Fournitures"
amount = "300.00"
vat = "20"
months = [1, 4, 7, 10]
period = "quarter"
until = 2026-06-30
"""


@pytest.fixture
def rws(tmp_path: Path) -> Path:
    ws = make_purchases_ws(tmp_path / "ws", extra_toml=TEMPLATES)
    result = Cli(ws)(
        "bill", "add", "-e", "sas", "--supplier", "FAI Coop", "--account", "Charges:Telecom",
        "--amount-ht", "30.00", "--vat", "20", "--date", "2026-01-03", "--piece-ref", "FAI-01",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return ws


def _generated(ws: Path, entity: str) -> dict[str, object]:
    return {e.meta["gen-id"]: e for e in transactions(ws, entity) if "gen-id" in e.meta}


def test_post_twice_leaves_files_byte_identical(rws: Path) -> None:
    cli = Cli(rws)
    result = cli("--json", "recurring", "post", "--month", "2026-02")
    assert result.exit_code == 0, result.output
    statuses = {i["template"]: i["status"] for i in json.loads(result.output)["instances"]}
    assert statuses == {"loyer": "posted", "internet": "posted", "assurance": "inactive"}
    before = snapshot(rws)
    result = cli("--json", "recurring", "post", "--month", "2026-02")
    assert result.exit_code == 0, result.output
    statuses = {i["template"]: i["status"] for i in json.loads(result.output)["instances"]}
    assert statuses == {"loyer": "already", "internet": "already", "assurance": "inactive"}
    assert snapshot(rws) == before
    assert cli("check").exit_code == 0


def test_instances_are_bills_with_gen_id_and_hash(rws: Path) -> None:
    assert Cli(rws)("recurring", "post", "--month", "2026-02").exit_code == 0
    made = _generated(rws, "sas")
    assert sorted(made) == [
        "recurring/internet/2026-02",
        "recurring/loyer/2026-02",
        "recurring/loyer/2026-02/payment",
    ]
    rent = made["recurring/loyer/2026-02"]
    assert (rent.date.isoformat(), rent.payee, rent.narration) == (  # type: ignore[attr-defined]
        "2026-02-01",
        "SCI Battant",
        "Loyer - février 2026",
    )
    assert rent.meta["piece-ref"] == "QUIT-2026-02"  # type: ignore[attr-defined]
    assert rent.meta["period"] == "2026-02"  # type: ignore[attr-defined]
    assert rent.links == {"sas-QUIT-2026-02"}  # type: ignore[attr-defined]
    assert postings_of(rent) == [
        ("Charges:Locations:Le97", "1200.00"),
        ("Actif:Etat:TVADeductibleEnAttente", "240.00"),
        ("Passif:Fournisseurs:SCIBattant", "-1440.00"),
    ]
    for entry in made.values():
        assert entry.meta["gen-hash"] == entry_hash(  # type: ignore[attr-defined]
            entry, exclude_keys=frozenset({"gen-hash"})
        )
    payment = made["recurring/loyer/2026-02/payment"]
    assert payment.date.isoformat() == "2026-02-05"  # type: ignore[attr-defined]
    assert payment.links == {"sas-QUIT-2026-02"}  # type: ignore[attr-defined]
    assert balance(rws, "sas", "Passif:Fournisseurs:SCIBattant") == 0
    # The rent's VAT moved with its payment; the two unpaid internet bills' VAT waits.
    assert balance(rws, "sas", "Actif:Etat:TVADeductibleEnAttente") == Decimal("12.00")
    internet = made["recurring/internet/2026-02"]
    assert internet.date.isoformat() == "2026-02-28"  # type: ignore[attr-defined]
    assert postings_of(internet)[0] == ("Charges:Telecom", "30.00")  # the "last" amount


def test_a_bill_typed_by_hand_is_not_posted_again(rws: Path) -> None:
    cli = Cli(rws)
    result = cli(
        "bill", "add", "-e", "sas", "--supplier", "SCI Battant",
        "--account", "Charges:Locations:Le97", "--amount-ht", "1200", "--vat", "20",
        "--date", "2026-03-02", "--piece-ref", "QUIT-2026-03",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert cli("bill", "pay", "QUIT-2026-03", "--date", "2026-03-04").exit_code == 0
    result = cli("--json", "recurring", "post", "--month", "2026-03", "-e", "sas")
    statuses = {i["template"]: i["status"] for i in json.loads(result.output)["instances"]}
    assert statuses == {"loyer": "by-hand", "internet": "posted"}
    assert "recurring/loyer/2026-03" not in _generated(rws, "sas")
    assert "recurring/loyer/2026-03/payment" not in _generated(rws, "sas")


def test_months_since_until_and_quarter_period(rws: Path) -> None:
    cli = Cli(rws)
    result = cli("--json", "recurring", "post", "--month", "2026-01")
    statuses = {i["template"]: i["status"] for i in json.loads(result.output)["instances"]}
    assert statuses["loyer"] == "inactive"  # since 2026-02-01
    assert statuses["assurance"] == "posted"
    result = cli("--json", "recurring", "post", "--month", "2026-04", "-e", "solo")
    assert json.loads(result.output)["instances"][0]["status"] == "posted"
    insurance = _generated(rws, "solo")["recurring/assurance/2026-04"]
    assert insurance.meta["period"] == "2026-04..2026-06"  # type: ignore[attr-defined]
    # A micro entity books the total: 300 + 20 %.
    assert postings_of(insurance)[0] == ("Charges:Achats:Fournitures", "360.00")
    result = cli("--json", "recurring", "post", "--month", "2026-07", "-e", "solo")
    assert json.loads(result.output)["instances"][0]["status"] == "inactive"  # until


def test_dry_run_and_month_step(rws: Path) -> None:
    before = snapshot(rws)
    result = Cli(rws)("recurring", "post", "--month", "2026-02", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "dry run" in result.output
    assert snapshot(rws) == before

    from alusage_ledger.books import monthend

    step = dict(monthend.steps())["recurring"]
    ws = Workspace.open(rws)
    assert step(ws, Month.parse("2026-02"), dry_run=True) == [
        "sas: recurring loyer posted (QUIT-2026-02).",
        "sas: recurring internet posted (internet-2026-02).",
    ]
    assert snapshot(rws) == before
    assert len(step(ws, Month.parse("2026-02"))) == 2
    assert step(Workspace.open(rws), Month.parse("2026-02")) == []


def test_closed_month_refused(rws: Path) -> None:
    append(rws, "sas", "accounts.beancount", '\n2026-03-01 custom "alusage-close" "2026-02" "x"\n')
    before = snapshot(rws)
    result = Cli(rws)("recurring", "post", "--month", "2026-02")
    assert result.exit_code == 4, result.output
    assert "2026-02 is closed" in result.output
    assert snapshot(rws) == before


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("amount = 1200.0\n", "amount written as text"),
        ('amount = "12,3,4"\n', "amount written as text"),
        ('amount = "10"\npiece_ref = "X-{day}"\n', "only {year}, {month} and {month_name}"),
        ('amount = "10"\nday = 32\n', "day"),
        ('amount = "10"\nmonths = [13]\n', "months are numbers from 1 to 12"),
    ],
)
def test_bad_templates_exit_3(tmp_path: Path, toml: str, message: str) -> None:
    head = '\n[[recurring]]\nid = "x"\nentity = "sas"\nsupplier = "A"\naccount = "6064"\n'
    ws = make_purchases_ws(tmp_path / "ws", extra_toml=head + toml)
    result = Cli(ws)("recurring", "list")
    assert result.exit_code == 3, result.output
    assert message in result.output


def test_unknown_entity_or_account_in_template(tmp_path: Path) -> None:
    bad_entity = '\n[[recurring]]\nid = "x"\nentity = "nope"\nsupplier = "A"\naccount = "6064"\namount = "1"\n'
    ws = make_purchases_ws(tmp_path / "a", extra_toml=bad_entity)
    result = Cli(ws)("recurring", "post", "--month", "2026-02")
    assert result.exit_code == 3 and "unknown entity 'nope'" in result.output
    bad_account = bad_entity.replace('"nope"', '"sas"').replace('"6064"', '"Charges:Nope"')
    ws = make_purchases_ws(tmp_path / "b", extra_toml=bad_account)
    before = snapshot(ws)
    result = Cli(ws)("recurring", "post", "--month", "2026-02")
    assert result.exit_code == 3 and "Charges:Nope" in result.output
    assert snapshot(ws) == before
    result = Cli(ws)("recurring", "post", "--month", "2026-2")
    assert result.exit_code == 2 and "YYYY-MM" in result.output


def test_list_shows_templates(rws: Path) -> None:
    result = Cli(rws)("recurring", "list")
    assert result.exit_code == 0
    assert "loyer" in result.output and "last" in result.output
    assert Decimal("1200.00") == Decimal(
        json.loads(Cli(rws)("--json", "recurring", "list").output)["templates"][0]["amount"]
    )
