"""The corporate tax (IS, issue 19 item 3), computed by hand: a profit below and one above
the reduced rate's ceiling, an entity without the reduced rate, a loss, and the SCIC's
deduction of its indivisible reserves (CGI art. 209 VIII) below and above the ceiling;
then ``report corporate-tax`` on planted books and on the example."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from closing_helpers import YEAR_CONFIG, write_books
from conftest import PROJECT, Cli
from hypothesis import given, settings
from hypothesis import strategies as st
from test_annual import _ACCOUNTS, _COOP, _SHOP, check_golden

from alusage_ledger.domains.year.corporatetax import (
    TaxRates,
    corporate_tax,
    reserves_share,
    scic_reserves,
)

pytestmark = pytest.mark.usefixtures("english")

RATES = TaxRates(Decimal("25"), Decimal("15"), Decimal("42500"))
D = Decimal


def test_profit_below_the_ceiling() -> None:
    tax = corporate_tax(D("30000.40"), RATES, reduced_eligible=True)
    assert tax.base == D("30000")  # to the euro
    assert (tax.reduced_base, tax.normal_base) == (D("30000"), D("0"))
    assert tax.total == D("4500")  # 30 000 × 15 %


def test_profit_above_the_ceiling() -> None:
    tax = corporate_tax(D("100000.50"), RATES, reduced_eligible=True)
    assert tax.base == D("100001")  # 0.50 counts as one euro
    assert (tax.reduced_base, tax.normal_base) == (D("42500"), D("57501"))
    # 42 500 × 15 % = 6 375; 57 501 × 25 % = 14 375.25 → 14 375
    assert (tax.reduced_tax, tax.normal_tax, tax.total) == (D("6375"), D("14375"), D("20750"))


def test_no_reduced_rate_and_a_loss() -> None:
    assert corporate_tax(D("30000"), RATES, reduced_eligible=False).total == D("7500")
    loss = corporate_tax(D("-1068.06"), RATES, reduced_eligible=True)
    assert (loss.base, loss.total) == (D("0"), D("0"))


def test_scic_reserves_share_of_the_allocation_rules() -> None:
    assert reserves_share(D("15"), D("50")) == D("57.5")


def test_scic_deducts_its_indivisible_reserves_below_the_ceiling() -> None:
    # IS = 15 % × (20 000 − 57.5 % × (20 000 − IS)) → IS = 1 275 / 0.91375 = 1 395.3488…
    # reserves = 57.5 % × (20 000 − 1 395.3488) = 10 697.674 → 10 697.67
    reserves = scic_reserves(D("20000"), RATES, reduced_eligible=True, share=D("57.5"))
    assert reserves == D("10697.67")
    tax = corporate_tax(D("20000"), RATES, reduced_eligible=True, reserves_deduction=reserves)
    assert tax.base == D("9302")  # 9 302.33
    assert tax.total == D("1395")  # 9 302 × 15 % = 1 395.30
    # the fixed point holds to the euro: the reserves are 57.5 % of the result after tax
    assert abs(D("0.575") * (D("20000") - tax.total) - reserves) < 1


def test_scic_deducts_its_indivisible_reserves_above_the_ceiling() -> None:
    # above the ceiling: IS = (6 375 − 10 625 + 25 % × 85 000) / (1 − 25 % × 57.5 %)
    #                       = 17 000 / 0.85625 = 19 854.0146
    # reserves = 57.5 % × (200 000 − 19 854.0146) = 103 583.94
    reserves = scic_reserves(D("200000"), RATES, reduced_eligible=True, share=D("57.5"))
    assert reserves == D("103583.94")
    tax = corporate_tax(D("200000"), RATES, reduced_eligible=True, reserves_deduction=reserves)
    assert tax.base == D("96416")
    assert (tax.reduced_tax, tax.normal_tax) == (D("6375"), D("13479"))  # 53 916 × 25 %
    assert tax.total == D("19854")
    assert scic_reserves(D("-5"), RATES, reduced_eligible=True, share=D("57.5")) == D("0")


_TAX_CONFIG = YEAR_CONFIG + '\n[year.corporate_tax]\nreduced_rate_entities = ["shop"]\n'


def test_report_corporate_tax_on_planted_books(tmp_path: Path) -> None:
    root = write_books(
        tmp_path / "ws", _TAX_CONFIG, _ACCOUNTS, {"shop": {"03": _SHOP}, "coop": {"03": _COOP}}
    )
    cli = Cli(root)
    done = cli("--json", "report", "corporate-tax", "-e", "shop", "--exercice", "2026")
    assert done.exit_code == 0, done.output
    document = json.loads(done.output)
    assert document["reduced_eligible"] is True
    assert (document["profit"], document["base"], document["total"]) == (
        "800.00",
        "800.00",
        "120.00",
    )
    refused = cli("report", "corporate-tax", "-e", "shop", "--reserves", "100")
    assert refused.exit_code == 2 and "SCIC" in refused.output
    # a SCIC with a loss: no tax, nothing to deduct
    coop = json.loads(cli("--json", "report", "corporate-tax", "-e", "coop").output)
    assert (coop["reserves_deduction"], coop["total"]) == ("0.00", "0.00")


def test_corporate_tax_rates_are_configuration(tmp_path: Path) -> None:
    config = YEAR_CONFIG + '\n[year.corporate_tax]\nreduced_rate = "150"\n'
    root = write_books(tmp_path / "ws", config, _ACCOUNTS, {"shop": {"03": _SHOP}})
    done = Cli(root)("report", "corporate-tax", "-e", "shop")
    assert done.exit_code == 3, done.output
    assert "reduced_rate" in done.output


def test_golden_corporate_tax_of_the_example() -> None:
    example = Cli(PROJECT)
    for entity in ("alusage", "myceliandre"):
        done = example("report", "corporate-tax", "-e", entity, "--exercice", "2026", "-f", "md")
        assert done.exit_code == 0, done.output
        check_golden(f"corporate-tax-{entity}-2026.en.md", done.output)
    # the SCIC: 57.5 % of the result after tax is deducted, the rest taxed at 25 % (the
    # example lists no entity for the reduced rate)
    scic = json.loads(example("--json", "report", "corporate-tax", "-e", "myceliandre").output)
    assert (scic["profit"], scic["reserves_deduction"], scic["base"], scic["total"]) == (
        "5945.90",
        "2994.65",
        "2951.00",
        "738.00",
    )
    voted = json.loads(
        example(
            "--json", "report", "corporate-tax", "-e", "myceliandre", "--reserves", "5945.90"
        ).output
    )
    assert (voted["base"], voted["total"]) == ("0.00", "0.00")


@settings(max_examples=150, deadline=None)
@given(
    profit=st.decimals(min_value=1, max_value=10_000_000, places=2),
    eligible=st.booleans(),
    share=st.decimals(min_value=0, max_value=100, places=1),
)
def test_scic_reserves_are_their_share_of_the_result_after_tax(
    profit: Decimal, eligible: bool, share: Decimal
) -> None:
    """The solved deduction is a fixed point: the reserves are ``share`` of the result
    after the tax they lower, within the euro rounding of the tax (CGI art. 1724)."""
    reserves = scic_reserves(profit, RATES, reduced_eligible=eligible, share=share)
    tax = corporate_tax(profit, RATES, reduced_eligible=eligible, reserves_deduction=reserves)
    assert D("0") <= reserves <= profit
    # The tax is rounded to the euro (≤ 0.50) on a base rounded to the euro (≤ 0.50 × 25 %
    # more): the reserves, a share of what is left, may differ by share × 0.625, plus a cent.
    bound = share / 100 * D("0.625") + D("0.01")
    assert abs(share / 100 * (profit - tax.total) - reserves) <= bound
