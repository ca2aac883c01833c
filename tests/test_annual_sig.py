"""``report sig`` and ``report auxiliary`` (issue 19 item 2): golden files of the example,
the SIG's net result equals the income statement's, each auxiliary balance ties to its
collective account in the trial balance, and both by hand on planted books."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from closing_helpers import YEAR_CONFIG, write_books
from conftest import PROJECT, Cli
from test_annual import _ACCOUNTS, _COOP, _SHOP, check_golden

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture(scope="module")
def example() -> Cli:
    return Cli(PROJECT)


def _sig(cli: Cli, entity: str) -> dict[str, Decimal]:
    done = cli("--json", "report", "sig", "-e", entity, "--exercice", "2026")
    assert done.exit_code == 0, done.output
    return {
        r["key"]: Decimal(r["current"])
        for r in json.loads(done.output)["rows"]
        if r["kind"] == "balance"
    }


@pytest.mark.parametrize("entity", ["alusage", "myceliandre"])
def test_golden_sig_and_auxiliary_of_the_example(example: Cli, entity: str) -> None:
    for command in ("sig", "auxiliary"):
        for fmt, lang in (("md", "en"), ("csv", "en"), ("md", "fr")):
            done = example(
                "report", command, "-e", entity, "--exercice", "2026", "-f", fmt, lang=lang
            )
            assert done.exit_code == 0, done.output
            suffix = f".{lang}.md" if fmt == "md" else ".csv"
            check_golden(f"{command}-{entity}-2026{suffix}", done.output)


@pytest.mark.parametrize("entity", ["alusage", "myceliandre"])
def test_sig_net_result_is_the_income_statements(example: Cli, entity: str) -> None:
    sig = _sig(example, entity)
    annual = json.loads(
        example("--json", "report", "annual", "-e", entity, "--exercice", "2026").output
    )
    result = next(
        Decimal(r["current"])
        for r in annual["rows"]
        if (r["statement"], r["key"]) == ("compte-de-resultat", "resultat")
    )
    assert sig["resultat_net"] == result


@pytest.mark.parametrize("entity", ["alusage", "myceliandre"])
def test_auxiliary_totals_tie_to_the_trial_balance(example: Cli, entity: str) -> None:
    aux = json.loads(
        example("--json", "report", "auxiliary", "-e", entity, "--exercice", "2026").output
    )
    tb = json.loads(
        example("--json", "report", "trial-balance", "-e", entity, "--exercice", "2026").output
    )
    by_pcg = {
        row["pcg"]: Decimal(row["closing_debit"]) - Decimal(row["closing_credit"])
        for row in tb["rows"]
    }
    assert aux["clients"]["rows"], "the example has clients"
    assert Decimal(aux["clients"]["total"]["balance"]) == by_pcg["411"]
    assert Decimal(aux["suppliers"]["total"]["balance"]) == by_pcg["401"]
    for ledger in ("clients", "suppliers"):
        rows = aux[ledger]["rows"]
        assert sum(Decimal(r["balance"]) for r in rows) == Decimal(aux[ledger]["total"]["balance"])
        for r in rows:
            assert Decimal(r["opening"]) + Decimal(r["debit"]) - Decimal(r["credit"]) == Decimal(
                r["balance"]
            )


def test_sig_and_auxiliary_by_hand_on_planted_books(tmp_path: Path) -> None:
    root = write_books(
        tmp_path / "ws", YEAR_CONFIG, _ACCOUNTS, {"shop": {"03": _SHOP}, "coop": {"03": _COOP}}
    )
    cli = Cli(root)
    sig = _sig(cli, "shop")
    # sales of services 1 000, office supplies 200 (an external charge)
    assert sig["marge_commerciale"] == Decimal("0.00")
    assert sig["production"] == Decimal("1000.00")
    assert sig["valeur_ajoutee"] == sig["ebe"] == Decimal("800.00")
    assert sig["resultat_exploitation"] == sig["resultat_courant"] == Decimal("800.00")
    assert sig["resultat_net"] == Decimal("800.00")
    assert _sig(cli, "coop")["resultat_net"] == Decimal("-300.00")

    aux = json.loads(cli("--json", "report", "auxiliary", "-e", "shop", "-p", "2026").output)
    (alpha,) = aux["clients"]["rows"]
    assert (alpha["third_party"], alpha["debit"], alpha["credit"], alpha["balance"]) == (
        "Alpha",
        "1200.00",
        "1500.00",
        "-300.00",
    )
    (paper,) = aux["suppliers"]["rows"]
    assert (paper["debit"], paper["credit"], paper["balance"]) == ("300.00", "240.00", "60.00")
    csv = cli("report", "auxiliary", "-e", "shop", "-p", "2026", "-f", "csv").output
    assert csv.splitlines()[0] == "ledger,third_party,account,pcg,opening,debit,credit,balance"
    assert "clients,total,,,0.00,1200.00,1500.00,-300.00" in csv.splitlines()
