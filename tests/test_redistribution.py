"""Redistribution to the commons: policies, every base, posting on both sides, idempotence."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import Cli, snapshot
from redistribution_helpers import DON_REVENUE, book, deposit, make_ws, sale, spend

from alusage_ledger.core.periods import Month

D = Decimal


def _ws(tmp_path: Path, toml: str) -> Path:
    return make_ws(tmp_path / "ws", toml)


def _dues(root: Path, month: str) -> dict[str, object]:
    from alusage_ledger.books.ledger import Workspace
    from alusage_ledger.domains.commons.redistribution import redistribute

    result = redistribute(Workspace.open(root), Month.parse(month))
    return {due.policy.id: due for due in result.dues}


def policy(pid: str, base: str, **fields: str) -> str:
    lines = [
        "[[redistribution]]",
        f'id = "{pid}"',
        'from = "alusage"',
        'to = "myceliandre"',
        f'kind = "{fields.pop("kind", "don")}"',
        f'base = "{base}"',
    ]
    lines += [f'{key} = "{value}"' for key, value in fields.items()]
    return "\n" + "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- bases


def test_revenue_base_rounds_half_up_and_leaves_intercompany_income_out(tmp_path: Path) -> None:
    root = _ws(tmp_path, DON_REVENUE)
    book(root, "alusage", "2026-03", sale("2026-03-05", "F2026-0001", "1234.50"))
    # Income from another entity of the workspace is not revenue for redistribution.
    book(
        root,
        "alusage",
        "2026-03",
        """
2026-03-20 * "Mycéliandre SCIC" "Refacturation" ^ic-atelier-myceliandre-2026-03
  Actif:Banque:Courant                500.00 EUR
  Produits:Prestations:Facilitation  -500.00 EUR
""",
    )
    due = _dues(root, "2026-03")["don-commun"]
    assert due.base_amount == D("1234.50")  # type: ignore[attr-defined]
    # 1234.50 × 0.05 = 61.725: half-up gives 61.73 (banker's rounding would give 61.72).
    assert due.due == D("61.73")  # type: ignore[attr-defined]
    assert due.recorded == D("0")  # type: ignore[attr-defined]


def test_margin_base_profit_and_loss_month(tmp_path: Path) -> None:
    root = _ws(tmp_path, policy("marge", "margin", rate="0.10", commitment="AG 2026"))
    book(root, "alusage", "2026-03", sale("2026-03-05", "F2026-0001", "3000.00"))
    book(root, "alusage", "2026-03", spend("2026-03-10", "Charges:Telecom", "1000.00"))
    book(root, "alusage", "2026-04", sale("2026-04-05", "F2026-0002", "500.00"))
    book(root, "alusage", "2026-04", spend("2026-04-10", "Charges:Telecom", "800.00"))
    march = _dues(root, "2026-03")["marge"]
    assert march.figure("revenue") == D("3000.00")  # type: ignore[attr-defined]
    assert march.figure("expenses") == D("1000.00")  # type: ignore[attr-defined]
    assert march.due == D("200.00")  # type: ignore[attr-defined]
    april = _dues(root, "2026-04")["marge"]
    assert april.base_amount == D("-300.00")  # type: ignore[attr-defined]
    assert april.due == D("0")  # type: ignore[attr-defined]
    result = Cli(root)("redistribute", "--month", "2026-04")
    assert result.exit_code == 0, result.output
    assert "no margin, nothing is due" in result.output


def test_margin_leaves_redistribution_entries_out_of_expenses(tmp_path: Path) -> None:
    root = _ws(tmp_path, policy("marge", "margin", rate="0.10", commitment="AG 2026"))
    book(root, "alusage", "2026-03", sale("2026-03-05", "F2026-0001", "3000.00"))
    cli = Cli(root)
    assert cli("redistribute", "--month", "2026-03", "--post").exit_code == 0
    # The donation (6238) just written does not lower the margin it was computed from.
    due = _dues(root, "2026-03")["marge"]
    assert due.figure("expenses") == D("0")  # type: ignore[attr-defined]
    assert due.due == due.recorded == D("300.00")  # type: ignore[attr-defined]


def test_project_base_counts_only_that_projects_invoices(tmp_path: Path) -> None:
    root = _ws(
        tmp_path,
        policy("retrib-tl", "project", kind="retribution", rate="0.10", project="tiers-lieu"),
    )
    book(root, "alusage", "2026-03", sale("2026-03-05", "F2026-0001", "1000.00"))
    book(
        root,
        "alusage",
        "2026-03",
        sale("2026-03-06", "F2026-0002", "2345.67", project="tiers-lieu"),
    )
    due = _dues(root, "2026-03")["retrib-tl"]
    assert due.figure("project-revenue") == D("2345.67")  # type: ignore[attr-defined]
    assert due.due == D("234.57")  # type: ignore[attr-defined]  # 234.567 half-up


def test_fixed_base_and_since_until(tmp_path: Path) -> None:
    toml = policy("fixe", "fixed", amount="100.00", commitment="convention") + (
        "since = 2026-03-15\nuntil = 2026-05-31\n"
    )
    root = _ws(tmp_path, toml)
    assert "fixe" not in _dues(root, "2026-02")
    assert _dues(root, "2026-03")["fixe"].due == D("100.00")  # type: ignore[attr-defined]
    assert _dues(root, "2026-05")["fixe"].due == D("100.00")  # type: ignore[attr-defined]
    assert "fixe" not in _dues(root, "2026-06")
    result = Cli(root)("redistribute", "--month", "2026-06")
    assert result.exit_code == 0
    assert "No redistribution policy applies to 2026-06." in result.output


def test_surplus_runs_last_and_sees_the_other_policies(tmp_path: Path) -> None:
    toml = policy("surplus", "surplus", floor="8000.00", rate="0.5") + DON_REVENUE.replace(
        'rate = "0.05"', 'rate = "0.05"\ncommitment = "convention"'
    )
    root = _ws(tmp_path, toml)
    book(root, "alusage", "2026-03", deposit("2026-03-01", "10000.00"))
    book(root, "alusage", "2026-03", sale("2026-03-05", "F2026-0001", "2000.00"))
    book(root, "alusage", "2026-04", deposit("2026-04-02", "99.00"))  # after March: not seen
    dues = _dues(root, "2026-03")
    assert list(dues) == ["don-commun", "surplus"]  # config order, surplus last
    surplus = dues["surplus"]
    assert surplus.figure("treasury") == D("10000.00")  # type: ignore[attr-defined]
    assert surplus.figure("other-policies") == D("100.00")  # type: ignore[attr-defined]
    # (10000.00 − 100.00 − 8000.00) × 0.5
    assert surplus.due == D("950.00")  # type: ignore[attr-defined]
    cli = Cli(root)
    assert cli("redistribute", "--month", "2026-03", "--post", "--paid").exit_code == 0
    # Paying the month's flows does not change the month's surplus (they are left out).
    again = _dues(root, "2026-03")["surplus"]
    assert again.due == again.recorded == D("950.00")  # type: ignore[attr-defined]


def test_surplus_below_the_floor_gives_zero(tmp_path: Path) -> None:
    root = _ws(tmp_path, policy("surplus", "surplus", floor="8000.00"))
    book(root, "alusage", "2026-03", deposit("2026-03-01", "7999.99"))
    due = _dues(root, "2026-03")["surplus"]
    assert due.base_amount == D("-0.01")  # type: ignore[attr-defined]
    assert due.due == D("0")  # type: ignore[attr-defined]
    result = Cli(root)("redistribute", "--month", "2026-03", "--post")
    assert result.exit_code == 0, result.output
    assert "below the floor, nothing is due" in result.output
    assert "Nothing to write" in result.output


# --------------------------------------------------------------------------- posting


def _revenue_ws(tmp_path: Path, extra: str = "") -> Path:
    root = _ws(
        tmp_path,
        DON_REVENUE.replace('rate = "0.05"', 'rate = "0.05"\ncommitment = "convention 2026-01"')
        + extra,
    )
    book(root, "alusage", "2026-03", deposit("2026-03-01", "5000.00"))
    book(root, "alusage", "2026-03", sale("2026-03-05", "F2026-0001", "3000.00"))
    return root


def test_commitment_then_payment_on_both_sides(tmp_path: Path) -> None:
    root = _revenue_ws(tmp_path)
    cli = Cli(root)
    result = cli("redistribute", "--month", "2026-03", "--post")
    assert result.exit_code == 0, result.output
    alusage = (root / "ledgers/alusage/2026/03.beancount").read_text("utf-8")
    myceliandre = (root / "ledgers/myceliandre/2026/03.beancount").read_text("utf-8")
    assert "^ic-don-commun-2026-03" in alusage and "^ic-don-commun-2026-03" in myceliandre
    assert "Charges:Dons:Myceliandre           150.00 EUR" in alusage
    assert "Passif:ChargesAPayer:Myceliandre  -150.00 EUR" in alusage
    assert "Actif:ProduitsARecevoir:Alusage   150.00 EUR" in myceliandre
    assert "Produits:Dons:Alusage            -150.00 EUR" in myceliandre
    assert 'commitment: "convention 2026-01"' in alusage
    assert 'gen-id: "redistribution/ic-don-commun-2026-03/commitment"' in alusage
    assert "gen-hash:" in alusage
    accounts = (root / "ledgers/alusage/accounts.beancount").read_text("utf-8")
    assert "open Passif:ChargesAPayer:Myceliandre" in accounts and 'pcg: "4686"' in accounts
    assert cli("check").exit_code == 0
    data = json.loads(cli("--json", "redistribute", "--month", "2026-03").output)
    assert data["policies"][0]["owed"] == "150.00"
    assert data["policies"][0]["recorded"] == "150.00"

    result = cli("redistribute", "--month", "2026-03", "--post", "--paid", "--date", "2026-04-03")
    assert result.exit_code == 0, result.output
    april = (root / "ledgers/alusage/2026/04.beancount").read_text("utf-8")
    assert "Passif:ChargesAPayer:Myceliandre   150.00 EUR" in april
    assert "Actif:Banque:Courant              -150.00 EUR" in april
    assert cli("check").exit_code == 0
    data = json.loads(cli("--json", "redistribute", "--month", "2026-03").output)
    assert data["policies"][0]["owed"] == "0.00"


def test_post_twice_is_byte_identical(tmp_path: Path) -> None:
    root = _revenue_ws(
        tmp_path,
        policy("retrib-tl", "fixed", kind="retribution", amount="120.00")
        + policy("don-fixe", "fixed", amount="50.00"),
    )
    cli = Cli(root)
    first = cli("redistribute", "--month", "2026-03", "--post", "--paid")
    assert first.exit_code == 0, first.output
    before = snapshot(root)
    second = cli("redistribute", "--month", "2026-03", "--post", "--paid")
    assert second.exit_code == 0, second.output
    assert "Nothing to write: everything due for 2026-03 is already recorded." in second.output
    assert snapshot(root) == before
    third = cli("redistribute", "--month", "2026-03", "--post")
    assert third.exit_code == 0, third.output
    assert snapshot(root) == before
    assert cli("check").exit_code == 0


def test_donation_without_commitment_needs_paid(tmp_path: Path) -> None:
    root = _ws(tmp_path, DON_REVENUE)
    book(root, "alusage", "2026-03", sale("2026-03-05", "F2026-0001", "3000.00"))
    before = snapshot(root)
    result = Cli(root)("redistribute", "--month", "2026-03", "--post")
    assert result.exit_code == 2
    assert "donation without commitment is recorded when it is paid" in result.output
    assert "--paid" in result.output
    assert snapshot(root) == before


def test_donation_without_commitment_already_recorded_by_hand(tmp_path: Path) -> None:
    """A hand-made donation carrying the policy's link counts: nothing twice, exit 0."""
    root = _ws(tmp_path, DON_REVENUE)
    book(root, "alusage", "2026-03", sale("2026-03-05", "F2026-0001", "3000.00"))
    book(
        root,
        "alusage",
        "2026-03",
        """
2026-03-16 * "Mycéliandre SCIC" "Don - mars 2026" ^ic-don-commun-2026-03
  Charges:Dons:Myceliandre   150.00 EUR
  Actif:Banque:Courant      -150.00 EUR
""",
    )
    book(
        root,
        "myceliandre",
        "2026-03",
        """
2026-03-17 * "Alusage SAS" "Don reçu - mars 2026" ^ic-don-commun-2026-03
  Actif:Banque:Courant      150.00 EUR
  Produits:Dons:Alusage    -150.00 EUR
""",
    )
    before = snapshot(root)
    result = Cli(root)("redistribute", "--month", "2026-03", "--post")
    assert result.exit_code == 0, result.output
    assert "Nothing to write" in result.output
    assert snapshot(root) == before


def test_a_second_flow_of_the_same_month_gets_suffix_2(tmp_path: Path) -> None:
    root = _ws(tmp_path, DON_REVENUE)
    book(root, "alusage", "2026-03", sale("2026-03-05", "F2026-0001", "3000.00"))
    book(
        root,
        "alusage",
        "2026-03",
        """
2026-03-16 * "Mycéliandre SCIC" "Don - mars 2026" ^ic-don-commun-2026-03
  Charges:Dons:Myceliandre   100.00 EUR
  Actif:Banque:Courant      -100.00 EUR
""",
    )
    book(
        root,
        "myceliandre",
        "2026-03",
        """
2026-03-17 * "Alusage SAS" "Don reçu - mars 2026" ^ic-don-commun-2026-03
  Actif:Banque:Courant      100.00 EUR
  Produits:Dons:Alusage    -100.00 EUR
""",
    )
    cli = Cli(root)
    result = cli("--json", "redistribute", "--month", "2026-03", "--post", "--paid")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["policies"][0]["to_record"] == "50.00"
    assert [(p["link"], p["step"], p["amount"]) for p in data["posted"]] == [
        ("ic-don-commun-2026-03-2", "don", "50.00")
    ]
    text = (root / "ledgers/myceliandre/2026/03.beancount").read_text("utf-8")
    assert "^ic-don-commun-2026-03-2" in text
    assert cli("check").exit_code == 0
    due = _dues(root, "2026-03")["don-commun"]
    assert [f.link for f in due.flows] == ["ic-don-commun-2026-03", "ic-don-commun-2026-03-2"]  # type: ignore[attr-defined]


def test_retribution_is_an_invoice_of_the_scic_and_a_bill_of_the_giver(tmp_path: Path) -> None:
    root = _ws(tmp_path, policy("retrib-tl", "fixed", kind="retribution", amount="200.00"))
    # The SCIC already issued F2026-0001 and F2026-0002 (dated in April): the retribution
    # of March takes F2026-0003 and is dated with the last one (numbers follow dates).
    book(
        root,
        "myceliandre",
        "2026-04",
        """
2026-01-01 open Actif:Clients:AtelierBois EUR
  pcg: "411"
  label: "Clients"

2026-04-02 * "Atelier Bois" "Facture F2026-0001" ^F2026-0001
  invoice: "F2026-0001"
  client: "Atelier Bois"
  activity: "location-salle"
  vat-rate: "20"
  Actif:Clients:AtelierBois           120.00 EUR
  Produits:Le97:Refacturation        -100.00 EUR
  Passif:Etat:TVAEnAttente            -20.00 EUR

2026-04-03 * "Atelier Bois" "Facture F2026-0002" ^F2026-0002
  invoice: "F2026-0002"
  client: "Atelier Bois"
  activity: "location-salle"
  vat-rate: "20"
  Actif:Clients:AtelierBois           120.00 EUR
  Produits:Le97:Refacturation        -100.00 EUR
  Passif:Etat:TVAEnAttente            -20.00 EUR
""",
    )
    cli = Cli(root)
    result = cli("--json", "redistribute", "--month", "2026-03", "--post")
    assert result.exit_code == 0, result.output
    posted = json.loads(result.output)["posted"]
    assert posted == [
        {
            "policy": "retrib-tl",
            "link": "ic-retrib-tl-2026-03",
            "step": "invoice",
            "date": "2026-04-03",
            "amount": "200.00",
            "vat": "40.00",
            "invoice": "F2026-0003",
            "sides": ["from", "to"],
        }
    ]
    scic = (root / "ledgers/myceliandre/2026/04.beancount").read_text("utf-8")
    assert "^F2026-0003 ^ic-retrib-tl-2026-03" in scic
    assert 'invoice: "F2026-0003"' in scic and 'client: "Alusage SAS"' in scic
    assert "Actif:Clients:Alusage               240.00 EUR" in scic
    assert "Produits:Prestations:Retributions  -200.00 EUR" in scic
    assert "Passif:Etat:TVAEnAttente            -40.00 EUR" in scic
    assert 'period: "2026-03"' in scic
    sas = (root / "ledgers/alusage/2026/04.beancount").read_text("utf-8")
    assert "^alusage-F2026-0003 ^ic-retrib-tl-2026-03" in sas
    assert 'piece-ref: "F2026-0003"' in sas and 'supplier: "Mycéliandre SCIC"' in sas
    assert "Charges:Retributions:Myceliandre    200.00 EUR" in sas
    assert "Actif:Etat:TVADeductibleEnAttente    40.00 EUR" in sas
    assert "Passif:Fournisseurs:Myceliandre    -240.00 EUR" in sas
    check = cli("check")
    assert check.exit_code == 0, check.output

    result = cli("redistribute", "--month", "2026-03", "--post", "--paid", "--date", "2026-04-10")
    assert result.exit_code == 0, result.output
    scic = (root / "ledgers/myceliandre/2026/04.beancount").read_text("utf-8")
    assert re.search(r"Passif:Etat:TVACollectee +-40\.00 EUR", scic)
    sas = (root / "ledgers/alusage/2026/04.beancount").read_text("utf-8")
    assert re.search(r"Actif:Etat:TVADeductible +40\.00 EUR", sas)
    assert cli("check").exit_code == 0


def test_retribution_from_a_franchise_scic_has_no_vat(tmp_path: Path) -> None:
    toml = policy("retrib", "fixed", kind="retribution", amount="200.00")
    root = _ws(tmp_path, toml)
    config = root / "alusage.toml"
    text = config.read_text("utf-8").replace(
        'books_start = "2026-01"     # first month kept in these books\n\n[entities.nicolas-jeudy]',
        'books_start = "2026-01"     # first month kept in these books\n'
        '[[entities.myceliandre.vat]]\nsince = 2026-01-01\nregime = "franchise"\n\n'
        "[entities.nicolas-jeudy]",
    )
    assert text != config.read_text("utf-8")
    config.write_text(text, "utf-8")
    cli = Cli(root)
    result = cli("redistribute", "--month", "2026-03", "--post")
    assert result.exit_code == 0, result.output
    scic = (root / "ledgers/myceliandre/2026/03.beancount").read_text("utf-8")
    assert 'vat-rate: "exempt"' in scic
    assert 'vat-mention: "TVA non applicable, art. 293 B du CGI"' in scic
    assert "Actif:Clients:Alusage               200.00 EUR" in scic
    assert cli("check").exit_code == 0


def test_a_side_left_out_by_a_crash_is_completed(tmp_path: Path) -> None:
    root = _revenue_ws(tmp_path, policy("retrib-tl", "fixed", kind="retribution", amount="99.99"))
    cli = Cli(root)
    assert cli("redistribute", "--month", "2026-03", "--post", "--paid").exit_code == 0
    scic = root / "ledgers/myceliandre/2026/03.beancount"
    complete = scic.read_bytes()
    header = b"".join(complete.splitlines(keepends=True)[:5])
    scic.write_bytes(header)  # as if the writer died after the giver's side
    broken = cli("check")
    assert broken.exit_code == 1
    assert "the other side is missing in the ledger of myceliandre" in broken.output
    result = cli("redistribute", "--month", "2026-03", "--post", "--paid")
    assert result.exit_code == 0, result.output
    assert "[myceliandre]" in result.output and "[alusage + myceliandre]" not in result.output
    assert scic.read_bytes() == complete
    assert cli("check").exit_code == 0


def test_bad_usage_leaves_files_alone(tmp_path: Path) -> None:
    root = _revenue_ws(tmp_path)
    cli = Cli(root)
    before = snapshot(root)
    for args, code, words in (
        (("--month", "2026-13"), 2, "is not a month"),
        (("--month", "2026-03", "--post", "--account", "bank"), 2, "needs --paid"),
        (("--month", "2026-03", "--paid"), 2, "go with --post"),
        (("--month", "2099-01", "--post"), 2, "has not started yet"),
        (("--month", "2026-03", "--entity", "nobody"), 2, "Unknown entity"),
    ):
        result = cli("redistribute", *args)
        assert result.exit_code == code, (args, result.output)
        assert words in result.output, (args, result.output)
        assert "Traceback" not in result.output
    assert snapshot(root) == before


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    root = _revenue_ws(tmp_path)
    before = snapshot(root)
    result = Cli(root)("redistribute", "--month", "2026-03", "--post", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Would write don-commun: donation promised (commitment) of €150.00" in result.output
    assert snapshot(root) == before


def test_closed_month_is_refused(tmp_path: Path) -> None:
    root = _revenue_ws(tmp_path)
    book(root, "alusage", "2026-04", '2026-04-01 custom "alusage-close" "2026-03" "0" \n')
    before = snapshot(root)
    result = Cli(root)("redistribute", "--month", "2026-03", "--post")
    assert result.exit_code == 4, result.output
    assert "2026-03 is closed" in result.output
    assert snapshot(root) == before


def test_french_output_and_ledger_text(tmp_path: Path) -> None:
    root = _revenue_ws(tmp_path)
    cli = Cli(root)
    result = cli("redistribute", "--month", "2026-03", "--post", lang="fr")
    assert result.exit_code == 0, result.output
    assert "chiffre d'affaires" in result.output
    assert "5\u00a0%" in result.output
    text = (root / "ledgers/alusage/2026/03.beancount").read_text("utf-8")
    assert "Don promis - don-commun 2026-03" in text


def test_month_end_step_posts_commitments_and_waits_for_gifts(tmp_path: Path) -> None:
    from alusage_ledger.books import monthend
    from alusage_ledger.books.ledger import Workspace
    from alusage_ledger.core.i18n import set_language

    set_language("en")

    root = _revenue_ws(tmp_path, policy("don-direct", "fixed", amount="10.00"))
    steps = dict(monthend.steps())
    assert "redistribution" in steps
    lines = steps["redistribution"](Workspace.open(root), Month.parse("2026-03"))
    assert any("don-commun" in line and "commitment" in line for line in lines), lines
    assert any("don-direct" in line and "--paid" in line for line in lines), lines
    again = steps["redistribution"](Workspace.open(root), Month.parse("2026-03"))
    assert not any("don-commun" in line for line in again), again


def _future_ws(tmp_path: Path) -> Path:
    """Books of 2090: a month no real clock has reached, so only ``--today`` or
    ``ALUSAGE_TODAY`` can make it a past month."""
    toml = DON_REVENUE.replace(
        'rate = "0.05"', 'rate = "0.05"\ncommitment = "convention 2090"'
    ).replace("since = 2026-01-01", "since = 2090-01-01")
    root = _ws(tmp_path, toml)
    config = root / "alusage.toml"
    text = config.read_text("utf-8")
    assert 'books_start = "2026-01"' in text
    config.write_text(text.replace('books_start = "2026-01"', 'books_start = "2090-01"'), "utf-8")
    book(root, "alusage", "2090-01", deposit("2090-01-02", "5000.00"))
    book(root, "alusage", "2090-01", sale("2090-01-12", "F2090-0001", "3000.00"))
    return root


@pytest.mark.parametrize("how", ["ALUSAGE_TODAY", "--today"])
def test_close_and_paid_date_from_the_commands_today_not_the_clock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    """The month-end step and ``redistribute --post --paid`` take today from ``close
    --today`` or ``ALUSAGE_TODAY``: with the real clock, 2090-01 has not started yet (the
    post is refused) and the accounts they open would be dated from the clock's month."""
    root = _future_ws(tmp_path)
    cli = Cli(root)

    def opens() -> set[str]:
        return {
            line
            for entity in ("alusage", "myceliandre")
            for line in (root / f"ledgers/{entity}/accounts.beancount")
            .read_text("utf-8")
            .splitlines()
            if " open " in line
        }

    before = opens()
    monkeypatch.delenv("ALUSAGE_TODAY", raising=False)
    if how == "ALUSAGE_TODAY":
        monkeypatch.setenv("ALUSAGE_TODAY", "2090-02-03")
        result = cli("close", "2090-01")
    else:
        result = cli("close", "2090-01", "--today", "2090-02-03")
    assert result.exit_code == 0, result.output
    assert "redistribution don-commun: donation promised (commitment) of €150.00" in (result.output)
    january = (root / "ledgers/alusage/2090/01.beancount").read_text("utf-8")
    assert '2090-01-31 * "Mycéliandre SCIC" "Don promis - don-commun 2090-01"' in january
    # The accounts the step opened start with the books, not in the clock's month.
    new = sorted(opens() - before)
    assert any("Passif:ChargesAPayer:Myceliandre" in line for line in new), new
    assert any("Actif:ProduitsARecevoir:Alusage" in line for line in new), new
    assert all(line.startswith("2090-01-01 open ") for line in new), new
    assert cli("check").exit_code == 0

    monkeypatch.setenv("ALUSAGE_TODAY", "2090-02-03")
    result = cli("redistribute", "--month", "2090-01", "--post", "--paid", "--date", "2090-02-03")
    assert result.exit_code == 0, result.output
    february = (root / "ledgers/alusage/2090/02.beancount").read_text("utf-8")
    assert "2090-02-03 * " in february
    assert "Passif:ChargesAPayer:Myceliandre   150.00 EUR" in february
    assert "Actif:Banque:Courant              -150.00 EUR" in february
    assert cli("check").exit_code == 0


def test_post_of_a_month_after_alusage_today_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other way round: a month the real clock has passed, not yet begun on
    ``ALUSAGE_TODAY``."""
    root = _revenue_ws(tmp_path)
    monkeypatch.setenv("ALUSAGE_TODAY", "2026-02-15")
    before = snapshot(root)
    result = Cli(root)("redistribute", "--month", "2026-03", "--post")
    assert result.exit_code == 2, result.output
    assert "2026-03 has not started yet" in result.output
    assert snapshot(root) == before


# --------------------------------------------------------------------------- configuration

BASE_TOML = """
[entities.alusage]
name = "Alusage SAS"
kind = "sas"
ledger = "ledgers/alusage/main.beancount"

[entities.myceliandre]
name = "Mycéliandre SCIC"
kind = "scic"
ledger = "ledgers/myceliandre/main.beancount"
"""


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"to": "nobody"}, "redistribution.0.to: policy 'p' names the unknown entity 'nobody'"),
        ({"from": "nobody"}, "redistribution.0.from: policy 'p' names the unknown entity"),
        ({"rate": '"1.5"'}, "the field 'rate' of policy 'p' must be between 0 and 1"),
        ({"rate": '"-0.1"'}, "the field 'rate' of policy 'p' must be between 0 and 1"),
        ({"rate": "0.05"}, 'redistribution.0.rate: expected a number written as text, e.g. "0.05"'),
        ({"rate": None}, "the field 'rate' of policy 'p' is required with base 'revenue'"),
        ({"base": '"fixed"', "rate": None}, "the field 'amount' of policy 'p' is required"),
        ({"base": '"project"'}, "the field 'project' of policy 'p' is required with base"),
        ({"base": '"surplus"', "rate": None}, "the field 'floor' of policy 'p' is required"),
        ({"amount": '"10.00"'}, "the field 'amount' of policy 'p' is not used with base"),
        ({"kind": '"gift"'}, "redistribution.0.kind: "),
        ({"kind": '"retribution"', "commitment": '"x"'}, "'commitment' of policy 'p' is only"),
        ({"colour": '"red"'}, "redistribution.0.colour: unknown field"),
        ({"to": '"alusage"'}, "the field 'to' of policy 'p' must differ from 'from'"),
        ({"label": '"two\\nlines"'}, "the field 'label' of policy 'p' must be one line"),
    ],
)
def test_bad_policy_configuration(
    tmp_path: Path, fields: dict[str, str | None], words: str
) -> None:
    from alusage_ledger.books.config import parse_config
    from alusage_ledger.core.errors import ConfigError
    from alusage_ledger.core.i18n import set_language

    set_language("en")
    values: dict[str, str | None] = {
        "id": '"p"',
        "from": '"alusage"',
        "to": '"myceliandre"',
        "kind": '"don"',
        "base": '"revenue"',
        "rate": '"0.05"',
    }
    for key, value in fields.items():
        values[key] = value if value is None or value.startswith(('"', "0")) else f'"{value}"'
    text = (
        BASE_TOML
        + "\n[[redistribution]]\n"
        + "".join(f"{k} = {v}\n" for k, v in values.items() if v is not None)
    )
    with pytest.raises(ConfigError) as caught:
        parse_config(text, Path("alusage.toml"))
    message = caught.value.message
    assert words in message, message
    assert message.startswith("alusage.toml: ") and message.endswith(".")
    assert "\n" not in message


def test_bad_policy_configuration_exits_3_and_changes_nothing(tmp_path: Path) -> None:
    root = _ws(tmp_path, policy("p", "revenue", rate="2"))
    before = snapshot(root)
    for args in (("redistribute", "--month", "2026-03"), ("check",)):
        result = Cli(root)(*args)
        assert result.exit_code == 3, result.output
        assert "the field 'rate' of policy 'p' must be between 0 and 1" in result.output
        assert "Traceback" not in result.output
    result = Cli(root)("redistribute", "--month", "2026-03", lang="fr")
    assert result.exit_code == 3
    assert "le champ 'rate' de la politique 'p'" in result.output
    assert snapshot(root) == before


def test_duplicate_policy_id(tmp_path: Path) -> None:
    from alusage_ledger.books.config import parse_config
    from alusage_ledger.core.errors import ConfigError
    from alusage_ledger.core.i18n import set_language

    set_language("en")
    one = '\n[[redistribution]]\nid = "p"\nfrom = "alusage"\nto = "myceliandre"\nkind = "don"\nbase = "fixed"\namount = "1.00"\n'
    with pytest.raises(
        ConfigError, match=r"redistribution\.1\.id: the policy id 'p' is used twice"
    ):
        parse_config(BASE_TOML + one + one, Path("alusage.toml"))


# --------------------------------------------------------------------------- example workspace


def test_example_policies_are_posted_and_idempotent(cli: Cli, example_ws: Path) -> None:
    """The example's hand-made donations count: only the difference was posted (-2)."""
    data = json.loads(cli("--json", "redistribute", "--month", "2026-03").output)
    don = next(p for p in data["policies"] if p["id"] == "don-myceliandre")
    assert [f["link"] for f in don["flows"]] == [
        "ic-don-myceliandre-2026-03",
        "ic-don-myceliandre-2026-03-2",
    ]
    assert don["recorded"] == don["due"]
    assert don["flows"][0]["value"] == "300.00"  # the donation made by hand
    before = snapshot(example_ws)
    # November is left out: its credit note lowered the donation (test_regularisation.py).
    for args in (("2026-03", "--post", "--paid"), ("2026-10", "--post")):
        result = cli("redistribute", "--month", *args)
        assert result.exit_code == 0, result.output
        assert "Nothing to write" in result.output
    assert snapshot(example_ws) == before


def test_example_deleting_one_side_by_hand_fails_check(cli: Cli, example_ws: Path) -> None:
    scic = example_ws / "ledgers/myceliandre/2026/11.beancount"
    text = scic.read_text("utf-8")
    marker = 'gen-id: "redistribution/ic-don-myceliandre-2026-11/commitment"'
    start = text.rindex("\n\n", 0, text.index(marker)) + 2
    end = text.find("\n\n", start)
    scic.write_text(text[:start] + (text[end + 2 :] if end != -1 else ""), "utf-8")
    result = cli("check")
    assert result.exit_code == 1
    sas = (example_ws / "ledgers/alusage/2026/11.beancount").read_text("utf-8")
    line = sas[: sas.index(marker)].count("\n")  # the transaction line is the one before
    assert (
        f"ledgers/alusage/2026/11.beancount:{line}: intercompany flow "
        "^ic-don-myceliandre-2026-11: the other side is missing in the ledger of myceliandre "
        "(ledgers/myceliandre/main.beancount); this side is "
        f"ledgers/alusage/2026/11.beancount:{line} (alusage)."
    ) in result.output, result.output


def test_a_retribution_invoice_warns_at_the_franchise_thresholds_of_the_recipient(
    tmp_path: Path,
) -> None:
    """A retribution is turnover of the SCIC under the franchise: redistribute --post says
    where its year stands (domains/sales/thresholds.py, the figures of check)."""
    toml = policy("retrib", "fixed", kind="retribution", amount="200.00")
    root = _ws(tmp_path, toml)
    config = root / "alusage.toml"
    text = config.read_text("utf-8").replace(
        'books_start = "2026-01"     # first month kept in these books\n\n[entities.nicolas-jeudy]',
        'books_start = "2026-01"     # first month kept in these books\n'
        '[[entities.myceliandre.vat]]\nsince = 2026-01-01\nregime = "franchise"\n'
        'services_threshold = "240"\nservices_threshold_major = "380"\n\n'
        "[entities.nicolas-jeudy]",
    )
    config.write_text(text, "utf-8")
    cli = Cli(root)
    march = cli("redistribute", "--month", "2026-03", "--post")
    assert march.exit_code == 0, march.output
    assert (
        "warning: the turnover of 2026 (services) is €200.00, over 80 % of the franchise "
        "threshold of €240.00"
    ) in march.output
    april = cli("redistribute", "--month", "2026-04", "--post")
    assert april.exit_code == 0, april.output
    assert (
        "warning: the turnover of myceliandre for 2026 (services) is €400.00, past the seuil "
        "majoré of €380.00: the franchise ended on 2026-04-30 and VAT is due from that day."
    ) in april.output
