"""VAT returns by regime, settlement posting, month-end step and VAT check rules (issue 3)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import snapshot
from sales_helpers import FastCli, book, check_golden, make_sales_ws

from alusage_ledger.core.periods import Month

SUPPLIER_OPEN = (
    '2026-01-01 open Passif:Fournisseurs:Cabinet EUR\n  pcg: "401"\n  label: "Fournisseurs"\n'
)


def bill(day: str, account: str, ht: str, vat: str, kind: str | None = None) -> str:
    ttc = f"{float(ht) + float(vat):.2f}"  # test data only; the tool never uses floats
    meta = f'  vat-kind: "{kind}"\n' if kind else ""
    return (
        f'{day} * "Cabinet" "Facture {day}"\n{meta}'
        f"  {account}  {ht} EUR\n"
        f"  Actif:Etat:TVADeductible  {vat} EUR\n"
        f"  Passif:Fournisseurs:Cabinet  -{ttc} EUR\n"
    )


def ok(result) -> str:  # type: ignore[no-untyped-def]
    assert result.exit_code == 0, result.output
    return str(result.output)


@pytest.fixture(scope="module")
def populated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once per module; each test gets its own copy (``ws``)."""
    return _populate(tmp_path_factory.mktemp("vat") / "ws")


@pytest.fixture
def ws(populated: Path, tmp_path: Path) -> Path:
    import shutil

    return Path(shutil.copytree(populated, tmp_path / "ws"))


def _populate(folder: Path) -> Path:
    root = make_sales_ws(folder)
    run = FastCli(root)
    # reel (reel-mensuel, encaissements): May invoices, the service one paid in June.
    ok(run("invoice", "add", "-e", "reel", "--client", "Coop", "--activity", "programmation",
           "--amount-ht", "1000", "--date", "2026-05-10"))  # fmt: skip
    ok(run("invoice", "add", "-e", "reel", "--client", "AMAP", "--activity", "maraichage",
           "--amount-ht", "400", "--date", "2026-05-12"))  # fmt: skip
    ok(run("invoice", "add", "-e", "reel", "--client", "Lycee", "--activity", "formation",
           "--amount-ht", "600", "--date", "2026-05-20"))  # fmt: skip
    ok(run("invoice", "pay", "F2026-0001", "-e", "reel", "--date", "2026-06-05"))
    ok(run("invoice", "pay", "F2026-0002", "-e", "reel", "--date", "2026-05-30"))
    for entity in ("reel", "trim", "simpl"):
        book(root, entity, SUPPLIER_OPEN)
    book(
        root,
        "reel",
        bill("2026-05-15", "Charges:Honoraires", "300.00", "60.00")
        + bill("2026-05-16", "Charges:Achats:Fournitures", "100.00", "20.00", "goods"),
    )
    # trim (reel-trimestriel): services and goods in Q2.
    ok(run("invoice", "add", "-e", "trim", "--client", "Alusage", "--activity", "le97",
           "--amount-ht", "800", "--date", "2026-04-02"))  # fmt: skip
    ok(run("invoice", "add", "-e", "trim", "--client", "Voisin", "--line", "atelier:250:20",
           "--line", "le97:150", "--date", "2026-05-02"))  # fmt: skip
    ok(run("invoice", "pay", "F2026-0001", "-e", "trim", "--date", "2026-06-10"))
    ok(run("invoice", "pay", "F2026-0002", "-e", "trim", "--amount", "200", "--date", "2026-06-11"))
    book(root, "trim", bill("2026-04-20", "Charges:Honoraires", "50.00", "10.00"))
    # simpl (rsi): a year of sales, instalment base configured (4000).
    ok(run("invoice", "add", "-e", "simpl", "--client", "Coop", "--activity", "facilitation",
           "--amount-ht", "5000", "--date", "2026-03-10", "--vat", "20"))  # fmt: skip
    ok(run("invoice", "pay", "F2026-0001", "-e", "simpl", "--date", "2026-09-01"))
    book(root, "simpl", bill("2026-10-01", "Charges:Honoraires", "1000.00", "200.00"))
    # solo (franchise)
    ok(run("invoice", "add", "-e", "solo", "--client", "Coop", "--activity", "conseil",
           "--amount-ht", "700", "--date", "2026-05-10"))  # fmt: skip
    return root


def test_service_invoice_paid_next_month_is_declared_next_month(ws: Path) -> None:
    run = FastCli(ws)
    may = json.loads(ok(run("--json", "vat", "--entity", "reel", "--period", "2026-05")))
    june = json.loads(ok(run("--json", "vat", "--entity", "reel", "--period", "2026-06")))
    assert may["collected"] == [{"rate": "5.5", "base": "400.00", "vat": "22.00"}]
    assert may["exempt_operations"] == "600.00"
    assert may["deductible"] == {"goods": "20.00", "services": "60.00", "fixed-assets": "0.00"}
    assert (may["due"], may["credit"]) == ("0.00", "58.00")
    assert june["collected"] == [{"rate": "20", "base": "1000.00", "vat": "200.00"}]
    assert june["previous_credit"] == "0.00"  # May's credit is not posted yet


@pytest.mark.parametrize(
    ("name", "entity", "period"),
    [
        ("reel-mensuel", "reel", "2026-05"),
        ("reel-trimestriel", "trim", "2026-Q2"),
        ("rsi-ca12", "simpl", "2026"),
        ("rsi-instalment", "simpl", "2026-07"),
        ("franchise", "solo", "2026-05"),
    ],
)
def test_return_of_each_regime_golden(ws: Path, name: str, entity: str, period: str) -> None:
    run = FastCli(ws)
    text = ok(run("vat", "--entity", entity, "--period", period))
    check_golden("vat", f"{name}.txt", text)
    data = ok(run("--json", "vat", "--entity", entity, "--period", period))
    check_golden("vat", f"{name}.json", data)


def test_french_return_golden(ws: Path) -> None:
    text = ok(FastCli(ws)("vat", "--entity", "trim", "--period", "2026-Q2", lang="fr"))
    check_golden("vat", "reel-trimestriel.fr.txt", text)


def test_post_writes_the_settlement_once(ws: Path) -> None:
    run = FastCli(ws)
    out = ok(run("vat", "--entity", "reel", "--period", "2026-06", "--post"))
    assert "Settlement entry posted on 2026-07-20." in out
    text = (ws / "ledgers/reel/2026/07.beancount").read_text(encoding="utf-8")
    body = text.split("\n\n", 1)[1]
    assert body.startswith(
        '2026-07-20 * "SIE" "Déclaration de TVA de juin 2026 (CA3)" ^tva-2026-06\n'
        '  period: "2026-06"\n'
        '  gen-id: "vat/ca3/2026-06"\n'
        '  gen-hash: "'
    )
    assert body.endswith(
        "  Passif:Etat:TVACollectee    200.00 EUR\n  Passif:Etat:TVAADecaisser  -200.00 EUR\n"
    )
    before = snapshot(ws)
    again = ok(run("vat", "--entity", "reel", "--period", "2026-06", "--post"))
    assert "Settlement already in the ledger: ledgers/reel/2026/07.beancount:" in again
    assert snapshot(ws) == before
    # the return is unchanged by its own settlement (dated in July, excluded from July too)
    july = json.loads(ok(run("--json", "vat", "--entity", "reel", "--period", "2026-07")))
    assert (july["collected_total"], july["deductible_total"], july["due"]) == ("0.00",) * 3
    assert ok(run("check")).startswith("All ledgers are valid")


def test_a_credit_is_carried_to_the_next_return(ws: Path) -> None:
    run = FastCli(ws)
    ok(run("vat", "--entity", "reel", "--period", "2026-05", "--post"))
    text = (ws / "ledgers/reel/2026/06.beancount").read_text(encoding="utf-8")
    assert "  Actif:Etat:CreditTVA       58.00 EUR\n" in text
    june = json.loads(ok(run("--json", "vat", "--entity", "reel", "--period", "2026-06")))
    assert (june["previous_credit"], june["due"]) == ("58.00", "142.00")
    ok(run("vat", "--entity", "reel", "--period", "2026-06", "--post"))
    july = json.loads(ok(run("--json", "vat", "--entity", "reel", "--period", "2026-07")))
    assert july["previous_credit"] == "0.00"
    assert ok(run("check")).startswith("All ledgers are valid")


def test_rsi_instalments_are_deducted_in_the_ca12(ws: Path) -> None:
    run = FastCli(ws)
    out = ok(run("vat", "--entity", "simpl", "--period", "2026-07", "--post"))
    assert "€2,200.00" in out
    ok(run("vat", "--entity", "simpl", "--period", "2026-12", "--post"))
    ca12 = json.loads(ok(run("--json", "vat", "--entity", "simpl", "--period", "2026")))
    assert ca12["instalments"] == "3800.00"
    assert (ca12["collected_total"], ca12["deductible_total"]) == ("1000.00", "200.00")
    assert (ca12["due"], ca12["credit"]) == ("0.00", "3000.00")
    assert ca12["settlement"]["date"] == "2027-05-20"


def test_a_settlement_with_other_amounts_is_refused(ws: Path) -> None:
    run = FastCli(ws)
    book(
        ws,
        "reel",
        "2026-01-01 open Passif:Etat:TVAADecaisser2 EUR\n"
        '2026-07-20 * "SIE" "CA3 juin" ^tva-2026-06\n'
        '  period: "2026-06"\n'
        "  Passif:Etat:TVACollectee  150.00 EUR\n"
        "  Passif:Etat:TVAADecaisser  -150.00 EUR\n",
    )
    before = snapshot(ws)
    result = run("vat", "--entity", "reel", "--period", "2026-06", "--post")
    assert result.exit_code == 4
    assert "already exists" in result.output
    assert snapshot(ws) == before
    check = run("check")
    assert "the VAT settlement of 2026-06 differs from the return" in check.output


@pytest.mark.parametrize(
    ("entity", "period", "message"),
    [
        ("reel", "2026-Q2", "monthly CA3"),
        ("trim", "2026-05", "quarterly CA3"),
        ("simpl", "2026-05", "simplified regime"),
        ("reel", "2026-14", "is not valid"),
        ("nobody", "2026-05", "Unknown entity"),
    ],
)
def test_wrong_period_for_the_regime(ws: Path, entity: str, period: str, message: str) -> None:
    result = FastCli(ws)("vat", "--entity", entity, "--period", period)
    assert result.exit_code == 2
    assert message in result.output


def test_month_end_step_posts_returns_filed_that_month(ws: Path) -> None:
    from alusage_ledger.books import monthend
    from alusage_ledger.books.ledger import Workspace

    steps = dict(monthend.steps())
    step = steps["vat"]
    workspace = Workspace.open(ws)
    june = step(workspace, Month.parse("2026-06"))
    assert june == ["reel: VAT CA3 2026-05 posted: €0.00 due, €58.00 credit."]
    july = step(Workspace.open(ws), Month.parse("2026-07"))
    assert july == [
        "reel: VAT CA3 2026-06 posted: €142.00 due, €0.00 credit.",
        # line 08 222.50 -> 223 (half up), line 20 10 -> 10: 213 (0.50 to 658)
        "trim: VAT CA3 2026-Q2 posted: €213.00 due, €0.00 credit.",
        "simpl: VAT instalment 2026-07 posted: €2,200.00 due, €0.00 credit.",
    ]
    before = snapshot(ws)
    again = step(Workspace.open(ws), Month.parse("2026-07"))
    assert again == [
        "reel: VAT CA3 2026-06 already posted.",
        "trim: VAT CA3 2026-Q2 already posted.",
        "simpl: VAT instalment 2026-07 already posted.",
    ]
    assert snapshot(ws) == before
    dry = step(Workspace.open(ws), Month.parse("2026-08"), dry_run=True)
    assert dry == ["reel: VAT CA3 2026-07 would be posted."] or dry == []
    assert snapshot(ws) == before


def test_example_settlements_equal_the_computed_returns(example_ws: Path) -> None:
    cli = FastCli(example_ws)
    for month in range(1, 11):
        period = f"2026-{month:02d}"
        data = json.loads(ok(cli("--json", "vat", "--entity", "alusage", "--period", period)))
        assert data["settlement"]["entry"] is not None, period
        out = ok(cli("--json", "vat", "--entity", "alusage", "--period", period, "--post"))
        assert json.loads(out)["settlement"]["status"] == "already", period
    october = json.loads(ok(cli("--json", "vat", "--entity", "alusage", "--period", "2026-10")))
    assert (october["collected_total"], october["deductible_total"], october["exact_net"]) == (
        "1254.10",
        "115.54",
        "1138.56",
    )
    # settled to the cent before the form's rounding: accepted as it is, never rewritten
    assert october["due"] == "1138.00"  # 1220 + 34 (16: 1254) - 116 (20), each box rounded
    result = cli("check")
    assert "differs from the return" not in result.output


# --------------------------------------------------------------------------- check rules


def test_vat_from_a_franchise_entity_is_an_error(ws: Path) -> None:
    book(
        ws,
        "solo",
        "2026-01-01 open Passif:Etat:TVACollectee EUR\n"
        "2026-01-01 open Actif:Clients:Coop2 EUR\n"
        '2026-05-11 * "Coop" "Facture F2026-0002" ^F2026-0002\n'
        '  invoice: "F2026-0002"\n  client: "Coop"\n  vat-rate: "20"\n'
        "  Actif:Clients:Coop2  120.00 EUR\n"
        "  Produits:Prestations:Conseil  -100.00 EUR\n"
        "  Passif:Etat:TVACollectee  -20.00 EUR\n",
    )
    result = FastCli(ws)("check")
    assert result.exit_code == 1
    assert "F2026-0002 charges VAT while solo is under the franchise" in result.output


def test_franchise_thresholds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALUSAGE_TODAY", "2027-01-31")  # the last invoice is of 2027-01-05
    root = make_sales_ws(tmp_path / "ws")
    toml = root / "alusage.toml"
    text = toml.read_text(encoding="utf-8")
    text = text.replace(
        '[[entities.solo.vat]]\nsince = 2026-01-01\nregime = "franchise"\n',
        '[[entities.solo.vat]]\nsince = 2026-01-01\nregime = "franchise"\n'
        'services_threshold = "1000"\nservices_threshold_major = "1100"\n'
        'sales_threshold = "2000"\nsales_threshold_major = "2200"\n',
    )
    toml.write_text(text, encoding="utf-8")
    run = FastCli(root)
    outputs = []
    for amount, day in (("700", "2026-02-01"), ("150", "2026-02-02"), ("200", "2026-02-03")):
        ok(run("invoice", "add", "-e", "solo", "--client", "C", "--activity", "conseil",
               "--amount-ht", amount, "--date", day))  # fmt: skip
        outputs.append(run("check", "--entity", "solo"))
    assert outputs[0].output.strip() == "All ledgers are valid (entities checked: 1)."
    assert "over 80 % of the franchise threshold of €1,000.00" in outputs[1].output
    assert (
        "above the franchise threshold of €1,000.00: the franchise ends on January 1st, 2027"
        in (outputs[2].output)
    )
    assert all(o.exit_code == 0 for o in outputs)
    ok(run("invoice", "add", "-e", "solo", "--client", "C", "--activity", "conseil",
           "--amount-ht", "100", "--date", "2026-02-04"))  # fmt: skip
    ok(run("invoice", "add", "-e", "solo", "--client", "C", "--activity", "revente",
           "--amount-ht", "100", "--date", "2026-02-05"))  # fmt: skip
    result = run("check", "--entity", "solo")
    assert result.exit_code == 1
    assert "F2026-0004 has no VAT but the turnover of 2026 crossed €1,100.00" in result.output
    assert "F2026-0005 has no VAT" in result.output  # still after the crossing, goods too
    # next year: still franchise although 2026 crossed the threshold
    ok(run("invoice", "add", "-e", "solo", "--client", "C", "--activity", "conseil",
           "--amount-ht", "10", "--date", "2027-01-05"))  # fmt: skip
    assert "is still under the franchise in 2027" in run("check", "--entity", "solo").output


def test_reduced_rate_on_services_is_a_warning(ws: Path) -> None:
    run = FastCli(ws)
    ok(run("invoice", "add", "-e", "reel", "--client", "X", "--activity", "facilitation",
           "--amount-ht", "100", "--vat", "5.5", "--date", "2026-06-30"))  # fmt: skip
    result = run("check")
    assert result.exit_code == 0
    assert "warning: ledgers/reel/2026/06.beancount:" in result.output
    assert "5.5 % VAT on facilitation" in result.output


def test_pending_vat_on_goods_or_under_debits_is_an_error(ws: Path) -> None:
    book(
        ws,
        "reel",
        "2026-01-01 open Actif:Clients:Z EUR\n"
        '2026-06-30 * "Z" "Facture F2026-0004" ^F2026-0004\n'
        '  invoice: "F2026-0004"\n  client: "Z"\n  activity: "maraichage"\n  vat-rate: "5.5"\n'
        "  Actif:Clients:Z  105.50 EUR\n"
        "  Produits:Ventes:Maraichage  -100.00 EUR\n"
        "  Passif:Etat:TVAEnAttente  -5.50 EUR\n",
    )
    result = FastCli(ws)("check")
    assert result.exit_code == 1
    assert "F2026-0004 sells goods but books its VAT as pending" in result.output


def test_real_process_reports_one_sentence_and_exit_code(ws: Path) -> None:
    from conftest import run_subprocess

    result = run_subprocess(
        "--workspace", str(ws), "vat", "--entity", "reel", "--period", "2026-Q2"
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "Error: reel files a monthly CA3 (reel-mensuel): give a month, e.g. 2026-11."
    )
    assert "Traceback" not in result.stderr
    result = run_subprocess(
        "--workspace", str(ws), "--lang", "fr", "vat", "--entity", "solo", "--period", "2026-05"
    )
    assert result.returncode == 0
    assert "n'a pas de déclaration de TVA à déposer" in result.stdout


def test_franchise_thresholds_at_the_door(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """invoice add says it at once: past 80 % of a threshold, above it, and past the seuil
    majoré from which day VAT is due and what the invoice must then carry (the figures of
    the check rule franchise_thresholds, domains/sales/thresholds.py)."""
    monkeypatch.setenv("ALUSAGE_TODAY", "2026-12-31")
    root = make_sales_ws(tmp_path / "ws")
    toml = root / "alusage.toml"
    text = toml.read_text(encoding="utf-8")
    text = text.replace(
        '[[entities.solo.vat]]\nsince = 2026-01-01\nregime = "franchise"\n',
        '[[entities.solo.vat]]\nsince = 2026-01-01\nregime = "franchise"\n'
        'services_threshold = "1000"\nservices_threshold_major = "1100"\n'
        'sales_threshold = "2000"\nsales_threshold_major = "2200"\n',
    )
    toml.write_text(text, encoding="utf-8")
    run = FastCli(root)

    def add(amount: str, day: str, *extra: str, lang: str = "en"):  # type: ignore[no-untyped-def]
        return run("invoice", "add", "-e", "solo", "--client", "C", "--activity", "conseil",
                   "--amount-ht", amount, "--date", day, *extra, lang=lang)  # fmt: skip

    assert "warning" not in ok(add("700", "2026-02-01"))
    before = snapshot(root)
    dry = add("150", "2026-02-02", "--dry-run")
    assert dry.exit_code == 0 and snapshot(root) == before
    eighty = (
        "warning: the turnover of 2026 (services) is €850.00, over 80 % of the franchise "
        "threshold of €1,000.00 (the franchise ends on January 1st, 2027 above it, and at once "
        "past €1,100.00, the seuil majoré)."
    )
    assert eighty in dry.output
    assert eighty in ok(add("150", "2026-02-02"))
    assert (
        "warning: the turnover of 2026 (services) is €1,050.00, above the franchise threshold "
        "of €1,000.00: the franchise ends on January 1st, 2027 (at once past €1,100.00, the "
        "seuil majoré)."
    ) in ok(add("200", "2026-02-03"))
    crossing = add("100", "2026-02-04")
    assert crossing.exit_code == 0, crossing.output
    assert (
        "warning: the turnover of 2026 (services) is €1,150.00, past the seuil majoré of "
        "€1,100.00: the franchise ended on 2026-02-04 and VAT is due from that day, this "
        "invoice included. From 2026-02-04 an invoice carries the VAT rate and amount of each "
        "line, the totals excluding and including VAT and the seller's VAT number, and no "
        "longer the mention 'TVA non applicable, art. 293 B du CGI': add a VAT regime from "
        "2026-02-04 to [[entities.solo.vat]] in alusage.toml, then cancel this invoice "
        "('invoice cancel') and issue it again."
    ) in crossing.output
    later = json.loads(ok(add("10", "2026-03-01", "--json")))
    assert any("ended on 2026-02-04" in note for note in later["notes"])
    french = add("10", "2026-03-02", lang="fr")
    assert "la franchise a pris fin le 2026-02-04" in french.output
    # check says the same of the same invoices
    checked = run("check", "--entity", "solo")
    assert "F2026-0004 has no VAT but the turnover of 2026 crossed €1,100.00" in checked.output


def test_no_warning_at_the_door_for_a_vat_registered_entity(ws: Path) -> None:
    out = ok(FastCli(ws)("invoice", "add", "-e", "reel", "--client", "X", "--activity",
                         "facilitation", "--amount-ht", "90000", "--date", "2026-06-30"))  # fmt: skip
    assert "warning" not in out
