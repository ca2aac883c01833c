"""invoice add/pay/cancel/list and the numbering rules of check (issue 3)."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import snapshot
from sales_helpers import FastCli, book, make_sales_ws, transactions


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    return make_sales_ws(tmp_path / "ws")


@pytest.fixture
def run(ws: Path) -> FastCli:
    return FastCli(ws)


def month_text(ws: Path, entity: str, month: str = "2026-03") -> str:
    """The month file with runs of spaces squashed (the printer aligns amounts per entry)."""
    year, mon = month.split("-")
    text = (ws / "ledgers" / entity / year / f"{mon}.beancount").read_text(encoding="utf-8")
    return squash(text)


def squash(text: str) -> str:
    return re.sub(r"(?<=\S) {2,}(?=-?\d)", " ", text)


def add(run: FastCli, *args: str, entity: str = "reel", client: str = "Coop des Tilleuls"):  # type: ignore[no-untyped-def]
    return run("invoice", "add", "--entity", entity, "--client", client, *args)


# --------------------------------------------------------------------------- add


def test_add_writes_the_invoice_exactly(run: FastCli, ws: Path) -> None:
    result = add(
        run,
        "--activity",
        "programmation",
        "--amount-ht",
        "1200",
        "--date",
        "2026-03-10",
        "--client-siren",
        "123456782",
        "--project",
        "site-web",
        "--label",
        "Refonte du site",
    )
    assert result.exit_code == 0, result.output
    assert "Invoice F2026-0001 written to ledgers/reel/2026/03.beancount" in result.output
    assert "€1,200.00 excl. VAT, €240.00 VAT, €1,440.00 incl. VAT" in result.output
    text = month_text(ws, "reel")
    assert text.endswith(
        '2026-03-10 * "Coop des Tilleuls" "Facture F2026-0001 - Refonte du site" ^F2026-0001\n'
        '  invoice: "F2026-0001"\n'
        '  client: "Coop des Tilleuls"\n'
        '  client-siren: "123456782"\n'
        '  activity: "programmation"\n'
        '  vat-rate: "20"\n'
        "  due-date: 2026-04-09\n"
        '  project: "site-web"\n'
        "  Actif:Clients:CoopDesTilleuls 1440.00 EUR\n"
        "  Produits:Prestations:Programmation -1200.00 EUR\n"
        "  Passif:Etat:TVAEnAttente -240.00 EUR\n"
    )
    accounts = (ws / "ledgers" / "reel" / "accounts.beancount").read_text(encoding="utf-8")
    assert re.search(
        r"2026-01-01 open Actif:Clients:CoopDesTilleuls +EUR\n  pcg: \"411\"\n  label: \"Clients\"",
        accounts,
    )
    assert run("check").exit_code == 0


def test_numbers_follow_the_series_and_restart_each_year(
    run: FastCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALUSAGE_TODAY", "2027-01-31")  # invoices are never dated after today
    numbers = []
    for day in ("2026-01-05", "2026-02-01", "2026-12-31", "2027-01-02", "2027-01-03"):
        result = add(run, "--activity", "facilitation", "--amount-ht", "100", "--date", day)
        assert result.exit_code == 0, result.output
        numbers.append(
            json.loads(run("--json", "invoice", "list", "--period", day).output)["invoices"][-1][
                "number"
            ]
        )
    assert numbers == ["F2026-0001", "F2026-0002", "F2026-0003", "F2027-0001", "F2027-0002"]


def test_goods_vat_is_collected_at_once_and_exempt_training_cites_its_basis(
    run: FastCli, ws: Path
) -> None:
    assert (
        add(run, "--activity", "maraichage", "--amount-ht", "310", "--date", "2026-03-01").exit_code
        == 0
    )
    assert (
        add(run, "--activity", "formation", "--amount-ht", "1800", "--date", "2026-03-02").exit_code
        == 0
    )
    text = month_text(ws, "reel")
    assert (
        '  activity: "maraichage"\n  vat-rate: "5.5"\n  due-date: 2026-03-31\n'
        "  Actif:Clients:CoopDesTilleuls 327.05 EUR\n"
        "  Produits:Ventes:Maraichage -310.00 EUR\n"
        "  Passif:Etat:TVACollectee -17.05 EUR\n"
    ) in text
    assert (
        '  vat-rate: "exempt"\n  vat-exemption: "CGI art. 261-4-4° a"\n  due-date: 2026-04-01\n'
        "  Actif:Clients:CoopDesTilleuls 1800.00 EUR\n"
        "  Produits:Prestations:Formation -1800.00 EUR\n"
    ) in text


def test_exempt_with_a_basis_and_a_rate_override(run: FastCli, ws: Path) -> None:
    result = add(
        run,
        "--activity",
        "facilitation",
        "--amount-ht",
        "500",
        "--vat",
        "exempt:CGI art. 261 D 2°",
        "--date",
        "2026-03-01",
    )
    assert result.exit_code == 0, result.output
    assert 'vat-exemption: "CGI art. 261 D 2°"' in month_text(ws, "reel")
    result = add(
        run, "--activity", "formation", "--amount-ht", "100", "--vat", "20", "--date", "2026-03-02"
    )
    assert result.exit_code == 0
    assert "Passif:Etat:TVAEnAttente -20.00 EUR" in month_text(ws, "reel")


def test_several_lines_carry_activity_and_rate_on_each_posting(run: FastCli, ws: Path) -> None:
    result = add(
        run,
        "--line",
        "programmation:1000",
        "--line",
        "maraichage:200:5.5",
        "--line",
        "formation:500",
        "--date",
        "2026-03-03",
    )
    assert result.exit_code == 0, result.output
    text = month_text(ws, "reel")
    assert (
        '  activity: "programmation,maraichage,formation"\n'
        '  vat-rate: "20,5.5,exempt"\n'
        '  vat-exemption: "CGI art. 261-4-4° a"\n'
    ) in text
    assert (
        "  Actif:Clients:CoopDesTilleuls 1911.00 EUR\n"
        "  Produits:Prestations:Programmation -1000.00 EUR\n"
        '    activity: "programmation"\n'
        '    vat-rate: "20"\n'
        "  Produits:Ventes:Maraichage -200.00 EUR\n"
        '    activity: "maraichage"\n'
        '    vat-rate: "5.5"\n'
        "  Produits:Prestations:Formation -500.00 EUR\n"
        '    activity: "formation"\n'
        '    vat-rate: "exempt"\n'
        "  Passif:Etat:TVAEnAttente -200.00 EUR\n"
        '    vat-rate: "20"\n'
        "  Passif:Etat:TVACollectee -11.00 EUR\n"
        '    vat-rate: "5.5"\n'
    ) in text
    # A partial receipt moves 20 % VAT in proportion and records its base.
    assert (
        run("invoice", "pay", "F2026-0001", "--amount", "500", "--date", "2026-03-20").exit_code
        == 0
    )
    assert (
        "  Passif:Etat:TVAEnAttente 52.33 EUR\n"
        '    vat-rate: "20"\n'
        "  Passif:Etat:TVACollectee -52.33 EUR\n"
        '    vat-rate: "20"\n'
        "    vat-base: 261.64\n"
    ) in month_text(ws, "reel")
    assert run("invoice", "pay", "F2026-0001", "--date", "2026-03-21").exit_code == 0
    assert run("check").exit_code == 0


def test_franchise_writes_the_mention_and_refuses_vat(run: FastCli, ws: Path) -> None:
    result = add(
        run, "--activity", "conseil", "--amount-ht", "900", "--date", "2026-03-04", entity="solo"
    )
    assert result.exit_code == 0, result.output
    assert (
        '  activity: "conseil"\n'
        '  vat-mention: "TVA non applicable, art. 293 B du CGI"\n'
        "  due-date: 2026-04-03\n"
        "  Actif:Clients:CoopDesTilleuls 900.00 EUR\n"
        "  Produits:Prestations:Conseil -900.00 EUR\n"
    ) in month_text(ws, "solo")
    before = snapshot(ws)
    result = add(
        run,
        "--activity",
        "conseil",
        "--amount-ht",
        "900",
        "--vat",
        "20",
        "--date",
        "2026-03-05",
        entity="solo",
    )
    assert result.exit_code == 2
    assert "under the VAT franchise" in result.output
    assert snapshot(ws) == before


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("--activity", "jardinage", "--amount-ht", "10"), 2, "Unknown activity 'jardinage'"),
        (("--activity", "facilitation", "--amount-ht", "10,123"), 2, "not a valid amount"),
        (("--activity", "facilitation", "--amount-ht", "-5"), 2, "not a valid amount"),
        (("--activity", "facilitation", "--amount-ht", "0"), 2, "not a valid amount"),
        (
            ("--activity", "facilitation", "--amount-ht", "10", "--vat", "19.6"),
            2,
            "not a French VAT rate",
        ),
        (("--activity", "facilitation"), 2, "go together"),
        ((), 2, "at least one --line"),
        (("--line", "facilitation"), 2, "activity:amount[:vat]"),
        (
            ("--activity", "facilitation", "--amount-ht", "10", "--client-siren", "12"),
            2,
            "9 digits",
        ),
        (
            ("--activity", "facilitation", "--amount-ht", "10", "--date", "2026-02-30"),
            2,
            "not a date",
        ),
        (
            ("--activity", "facilitation", "--amount-ht", "10", "--due", "2026-03-01"),
            2,
            "before the invoice date",
        ),
        (
            ("--activity", "facilitation", "--amount-ht", "10", "--number", "F2026-12"),
            2,
            "does not fit the series",
        ),
        (
            ("--activity", "facilitation", "--amount-ht", "10", "--number", "F2025-0009"),
            2,
            "does not fit the series",
        ),
        (
            ("--activity", "facilitation", "--amount-ht", "10", "--vat", "exempt:"),
            2,
            "exempt:<legal basis>",
        ),
    ],
)
def test_bad_input_is_refused_and_nothing_changes(
    run: FastCli, ws: Path, args: tuple[str, ...], code: int, message: str
) -> None:
    assert (
        add(
            run, "--activity", "facilitation", "--amount-ht", "10", "--date", "2026-03-05"
        ).exit_code
        == 0
    )
    before = snapshot(ws)
    result = add(run, "--date", "2026-03-10", *args) if "--date" not in args else add(run, *args)
    assert result.exit_code == code, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert snapshot(ws) == before


def test_a_date_before_the_last_invoice_is_refused_exit_4(run: FastCli, ws: Path) -> None:
    assert (
        add(
            run, "--activity", "facilitation", "--amount-ht", "10", "--date", "2026-03-10"
        ).exit_code
        == 0
    )
    before = snapshot(ws)
    result = add(run, "--activity", "facilitation", "--amount-ht", "10", "--date", "2026-03-09")
    assert result.exit_code == 4
    assert "F2026-0001, is dated 2026-03-10" in result.output
    assert snapshot(ws) == before


def test_number_from_elsewhere_must_fit_and_be_unused(run: FastCli, ws: Path) -> None:
    result = add(
        run,
        "--activity",
        "facilitation",
        "--amount-ht",
        "10",
        "--date",
        "2026-03-10",
        "--number",
        "F2026-0003",
    )
    assert result.exit_code == 0, result.output
    assert "Numbers F2026-0001 to F2026-0002 are not recorded yet." in result.output
    before = snapshot(ws)
    result = add(
        run,
        "--activity",
        "facilitation",
        "--amount-ht",
        "10",
        "--date",
        "2026-03-10",
        "--number",
        "F2026-0003",
    )
    assert result.exit_code == 4
    assert "already used" in result.output
    # 0002 dated after 0003 breaks the order of dates.
    result = add(
        run,
        "--activity",
        "facilitation",
        "--amount-ht",
        "10",
        "--date",
        "2026-03-11",
        "--number",
        "F2026-0002",
    )
    assert result.exit_code == 4
    assert snapshot(ws) == before
    for number in ("F2026-0001", "F2026-0002"):
        result = add(
            run,
            "--activity",
            "facilitation",
            "--amount-ht",
            "10",
            "--date",
            "2026-03-09",
            "--number",
            number,
        )
        assert result.exit_code == 0, result.output
    assert run("check").exit_code == 0


def test_closed_month_is_refused_exit_4(run: FastCli, ws: Path) -> None:
    book(ws, "reel", '2026-03-01 custom "alusage-close" "2026-02" "0000"\n')
    before = snapshot(ws)
    result = add(run, "--activity", "facilitation", "--amount-ht", "10", "--date", "2026-02-10")
    assert result.exit_code == 4
    assert "2026-02 is closed" in result.output
    assert snapshot(ws) == before


def test_dry_run_writes_nothing(run: FastCli, ws: Path) -> None:
    before = snapshot(ws)
    result = add(
        run, "--activity", "facilitation", "--amount-ht", "10", "--date", "2026-03-10", "--dry-run"
    )
    assert result.exit_code == 0
    assert "F2026-0001" in result.output
    assert snapshot(ws) == before


# --------------------------------------------------------------------------- pay


def test_partial_then_final_receipt_moves_pending_vat(run: FastCli, ws: Path) -> None:
    assert (
        add(
            run, "--activity", "programmation", "--amount-ht", "1000", "--date", "2026-03-01"
        ).exit_code
        == 0
    )
    result = run(
        "invoice",
        "pay",
        "F2026-0001",
        "--amount",
        "500",
        "--date",
        "2026-03-15",
        "--method",
        "cheque",
    )
    assert result.exit_code == 0, result.output
    assert "Receipt of €500.00 for F2026-0001" in result.output
    assert "€83.33 VAT now collected" in result.output
    text = month_text(ws, "reel")
    assert text.endswith(
        '2026-03-15 * "Coop des Tilleuls" "Règlement F2026-0001" ^F2026-0001\n'
        '  invoice: "F2026-0001"\n'
        '  payment-method: "cheque"\n'
        "  Actif:Banque:Courant 500.00 EUR\n"
        "  Actif:Clients:CoopDesTilleuls -500.00 EUR\n"
        "  Passif:Etat:TVAEnAttente 83.33 EUR\n"
        "  Passif:Etat:TVACollectee -83.33 EUR\n"
        "\n"  # the partial letter of what this receipt settles (docs/purchases-and-lettering.md)
        '2026-03-15 custom "alusage-letter" Actif:Clients:CoopDesTilleuls "aa" "F2026-0001"\n'
    )
    before = snapshot(ws)
    over = run("invoice", "pay", "F2026-0001", "--amount", "700.01", "--date", "2026-03-20")
    assert over.exit_code == 4
    assert "more than what is due on F2026-0001 (700.00)" in over.output
    assert snapshot(ws) == before
    result = run("invoice", "pay", "F2026-0001", "--date", "2026-04-02")
    assert result.exit_code == 0
    assert "€116.67 VAT now collected" in result.output
    again = run("invoice", "pay", "F2026-0001", "--date", "2026-04-03")
    assert again.exit_code == 4
    assert "already paid in full" in again.output
    listing = json.loads(run("--json", "invoice", "list", "--as-of", "2026-05-01").output)
    row = listing["invoices"][0]
    assert (row["received"], row["remaining"], row["status"]) == ("1200.00", "0.00", "paid")
    assert run("check").exit_code == 0


def test_pay_finds_the_entity_or_asks_for_it(run: FastCli) -> None:
    assert (
        add(
            run, "--activity", "programmation", "--amount-ht", "10", "--date", "2026-03-01"
        ).exit_code
        == 0
    )
    assert (
        add(
            run, "--activity", "conseil", "--amount-ht", "10", "--date", "2026-03-01", entity="solo"
        ).exit_code
        == 0
    )
    result = run("invoice", "pay", "F2026-0001", "--date", "2026-03-02")
    assert result.exit_code == 2
    assert "exists in reel, solo; pass --entity" in result.output
    result = run(
        "invoice",
        "pay",
        "F2026-0001",
        "--entity",
        "solo",
        "--date",
        "2026-03-02",
        "--account",
        "cash",
    )
    assert result.exit_code == 0, result.output
    missing = run("invoice", "pay", "F2026-0099", "--date", "2026-03-02")
    assert missing.exit_code == 2
    assert "No invoice numbered F2026-0099" in missing.output


# --------------------------------------------------------------------------- cancel


def test_cancel_writes_a_credit_note_in_its_own_series(run: FastCli, ws: Path) -> None:
    assert (
        add(
            run, "--activity", "programmation", "--amount-ht", "1000", "--date", "2026-03-01"
        ).exit_code
        == 0
    )
    assert (
        run("invoice", "pay", "F2026-0001", "--amount", "600", "--date", "2026-03-05").exit_code
        == 0
    )
    result = run(
        "invoice", "cancel", "F2026-0001", "--date", "2026-03-06", "--reason", 'Erreur de "prix"'
    )
    assert result.exit_code == 0, result.output
    assert "Credit note A2026-0001 cancelling F2026-0001" in result.output
    assert month_text(ws, "reel").endswith(
        '2026-03-06 * "Coop des Tilleuls" "Avoir A2026-0001 annulant la facture F2026-0001" '
        "^A2026-0001 ^F2026-0001\n"
        '  credit-note: "A2026-0001"\n'
        '  invoice: "F2026-0001"\n'
        '  client: "Coop des Tilleuls"\n'
        '  activity: "programmation"\n'
        '  vat-rate: "20"\n'
        '  reason: "Erreur de \\"prix\\""\n'
        "  Actif:Clients:CoopDesTilleuls -1200.00 EUR\n"
        "  Produits:Prestations:Programmation 1000.00 EUR\n"
        "  Passif:Etat:TVAEnAttente 100.00 EUR\n"
        "  Passif:Etat:TVACollectee 100.00 EUR\n"
        '    vat-rate: "20"\n'
        "    vat-base: -500.00\n"
        # the note lands in the group of the invoice (1200 - 600 - 1200): a partial letter
        "\n"
        '2026-03-06 custom "alusage-letter" Actif:Clients:CoopDesTilleuls "aa" "F2026-0001"\n'
    )
    before = snapshot(ws)
    assert run("invoice", "cancel", "F2026-0001", "--date", "2026-03-07").exit_code == 4
    assert run("invoice", "pay", "F2026-0001", "--date", "2026-03-07").exit_code == 4
    assert snapshot(ws) == before
    listing = json.loads(run("--json", "invoice", "list").output)["invoices"][0]
    assert listing["status"] == "cancelled"
    assert listing["credit_notes"] == ["A2026-0001"]
    assert run("check").exit_code == 0
    # The collected part reversed reduces the March return (a regularisation).
    vat = json.loads(run("--json", "vat", "--entity", "reel", "--period", "2026-03").output)
    assert vat["collected"] == [{"rate": "20", "base": "0.00", "vat": "0.00"}]


# --------------------------------------------------------------------------- list


def test_list_shows_amounts_due_dates_and_days_overdue(run: FastCli) -> None:
    assert (
        add(
            run, "--activity", "programmation", "--amount-ht", "1000", "--date", "2026-01-10"
        ).exit_code
        == 0
    )
    assert (
        add(
            run,
            "--activity",
            "maraichage",
            "--amount-ht",
            "100",
            "--date",
            "2026-02-10",
            "--due",
            "2026-02-20",
            client="AMAP",
        ).exit_code
        == 0
    )
    assert (
        add(
            run,
            "--activity",
            "facilitation",
            "--amount-ht",
            "300",
            "--date",
            "2026-03-10",
            client="Epicerie",
        ).exit_code
        == 0
    )
    assert (
        run("invoice", "pay", "F2026-0001", "--amount", "200", "--date", "2026-01-30").exit_code
        == 0
    )
    assert run("invoice", "pay", "F2026-0003", "--date", "2026-03-12").exit_code == 0
    result = run("--wide", "invoice", "list", "--as-of", "2026-03-15", "--unpaid")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == [
        "Entity",
        "Number",
        "Date",
        "Client",
        "Excl.",
        "VAT",
        "VAT",
        "Incl.",
        "VAT",
        "Received",
        "Due",
        "date",
        "Days",
        "overdue",
        "Status",
    ]
    assert lines[2].split() == [
        "reel",
        "F2026-0001",
        "2026-01-10",
        "Coop",
        "des",
        "Tilleuls",
        "€1,000.00",
        "€200.00",
        "€1,200.00",
        "€200.00",
        "2026-02-09",
        "34",
        "partly",
        "paid",
    ]
    assert lines[3].split() == [
        "reel",
        "F2026-0002",
        "2026-02-10",
        "AMAP",
        "€100.00",
        "€5.50",
        "€105.50",
        "€0.00",
        "2026-02-20",
        "23",
        "unpaid",
    ]
    assert lines[-1] == "2 invoice(s); still due: €1,105.50."
    data = json.loads(
        run("--json", "invoice", "list", "--client", "epic", "--as-of", "2026-03-15").output
    )
    assert [(r["number"], r["status"], r["days_overdue"]) for r in data["invoices"]] == [
        ("F2026-0003", "paid", 0)
    ]
    data = json.loads(run("--json", "invoice", "list", "--period", "2026-02").output)
    assert [r["number"] for r in data["invoices"]] == ["F2026-0002"]
    assert run("invoice", "list", "--period", "2026-13").exit_code == 2
    french = run("--wide", "invoice", "list", "--as-of", "2026-03-15", "--unpaid", lang="fr")
    assert "réglée en partie" in french.output and "1\u202f000,00" in french.output


# --------------------------------------------------------------------------- check rules


def _three_invoices(run: FastCli) -> None:
    for day in ("2026-03-01", "2026-03-02", "2026-03-03"):
        assert (
            add(run, "--activity", "facilitation", "--amount-ht", "100", "--date", day).exit_code
            == 0
        )


def test_an_invoice_deleted_by_hand_is_reported_as_a_gap(run: FastCli, ws: Path) -> None:
    _three_invoices(run)
    path = ws / "ledgers" / "reel" / "2026" / "03.beancount"
    text = path.read_text(encoding="utf-8")
    start = text.index('2026-03-02 * "Coop des Tilleuls" "Facture F2026-0002"')
    end = text.index("2026-03-03 *")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    result = run("check")
    assert result.exit_code == 1
    assert "ledgers/reel/2026/03.beancount:" in result.output
    assert "the series F{year}-{seq:04} has a gap: F2026-0002 missing" in result.output
    data = json.loads(run("--json", "check").output)
    assert any("F2026-0002 missing" in e["message"] for e in data["errors"])


def test_duplicates_and_decreasing_dates_are_errors(run: FastCli, ws: Path) -> None:
    _three_invoices(run)
    book(
        ws,
        "reel",
        '2026-03-04 * "X" "Facture F2026-0002" ^F2026-0002\n'
        '  invoice: "F2026-0002"\n  client: "X"\n'
        "  Actif:Clients:CoopDesTilleuls 100.00 EUR\n"
        "  Produits:Prestations:Facilitation -100.00 EUR\n"
        '2026-02-20 * "X" "Facture F2026-0004" ^F2026-0004\n'
        '  invoice: "F2026-0004"\n  client: "X"\n'
        "  Actif:Clients:CoopDesTilleuls 100.00 EUR\n"
        "  Produits:Prestations:Facilitation -100.00 EUR\n",
    )
    result = run("check")
    assert result.exit_code == 1
    assert "the number F2026-0002 is used twice" in result.output
    assert "F2026-0004 is dated 2026-02-20, before F2026-0003 (2026-03-03)" in result.output


def test_numbering_check_passes_on_the_example(example_ws: Path) -> None:
    result = FastCli(example_ws)("check")
    assert result.exit_code == 0, result.output
    assert "gap" not in result.output


def test_vat_pending_on_a_paid_invoice_is_an_error(run: FastCli, ws: Path) -> None:
    assert (
        add(
            run, "--activity", "programmation", "--amount-ht", "100", "--date", "2026-03-01"
        ).exit_code
        == 0
    )
    book(
        ws,
        "reel",
        '2026-03-05 * "Coop des Tilleuls" "Règlement F2026-0001" ^F2026-0001\n'
        '  invoice: "F2026-0001"\n'
        "  Actif:Banque:Courant 120.00 EUR\n"
        "  Actif:Clients:CoopDesTilleuls -120.00 EUR\n",
    )
    result = run("check")
    assert result.exit_code == 1
    assert "F2026-0001 is settled but 20.00 of its VAT is still pending" in result.output


def test_hand_written_invoice_rates_are_read(ws: Path) -> None:
    from alusage_ledger.books.ledger import Workspace
    from alusage_ledger.domains.sales.index import sales_index

    book(
        ws,
        "reel",
        "2026-01-01 open Actif:Clients:CoopDesTilleuls EUR\n"
        '2026-03-05 * "AMAP" "Facture F2026-0001" ^F2026-0001\n'
        '  invoice: "F2026-0001"\n  client: "AMAP"\n  activity: "maraichage"\n  vat-rate: "5.5"\n'
        "  Actif:Clients:CoopDesTilleuls 105.50 EUR\n"
        "  Produits:Ventes:Maraichage -100.00 EUR\n"
        "  Passif:Etat:TVACollectee -5.50 EUR\n",
    )
    workspace = Workspace.open(ws)
    index = sales_index(workspace.config, workspace.load_checked("reel"))
    invoice = index.invoices["F2026-0001"]
    assert invoice.vat == {"5.5": Decimal("5.50")}
    assert invoice.pending == {}
    assert invoice.lines[0].kind == "goods"
    assert [t.narration for t in transactions(ws, "reel")] == ["Facture F2026-0001"]


def test_json_output_of_a_write(run: FastCli) -> None:
    result = add(run, "--activity", "maraichage", "--amount-ht", "310", "--date", "2026-03-01")
    assert result.exit_code == 0
    data = json.loads(
        run("--json", "invoice", "add", "--entity", "reel", "--client", "AMAP", "--activity",
            "maraichage", "--amount-ht", "100", "--date", "2026-03-02").output
    )  # fmt: skip
    assert data == {
        "ok": True,
        "dry_run": False,
        "kind": "invoice",
        "entity": "reel",
        "number": "F2026-0002",
        "date": "2026-03-02",
        "client": "AMAP",
        "ht": "100.00",
        "vat": "5.50",
        "ttc": "105.50",
        "file": "ledgers/reel/2026/03.beancount",
        "notes": [],
        "text": None,
    }
    error = json.loads(run("--json", "invoice", "pay", "F2026-0009", "-e", "reel").stdout)
    assert error["ok"] is False and error["exit_code"] == 2
