"""``import suspense`` and ``import assign`` (issue 23, item 6): the bank lines left on the
suspense account (471) are listed with their label, date, amount and reference, and each
can be booked where it belongs — to an account, as an invoice's receipt or a bill's
payment, lettered — by a new entry in an open month; the ledger checks afterwards.
Statements from tests/fixtures/bank."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import Cli, snapshot
from le97_workspace import add_text

from alusage_ledger.books.ledger import Workspace

#: Start and end every test in English (``conftest.english``).
pytestmark = pytest.mark.usefixtures("english")

FIXTURES = Path(__file__).parent / "fixtures" / "bank"
BANK = "Actif:Banque:Courant"
SUSPENSE = "Actif:Attente"

#: Each reference statement, with the options its layout needs.
STATEMENTS = {
    "banque-postale.csv": (),
    "bpce.csv": (),
    "caisse-epargne.csv": (),
    "credit-mutuel.csv": (),
    "credit-mutuel-montant.csv": (),
    "generic-nef.csv": ("--profile", "generic", "--rules", str(FIXTURES / "generic-nef.toml")),
}


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    """The statements are of November-December 2026: "today" comes after them."""
    monkeypatch.setenv("ALUSAGE_TODAY", "2027-01-15")


def opening(ws: Path) -> None:
    add_text(
        ws,
        "alusage",
        "2026-10",
        f'\n2026-10-01 * "Apport" "Solde d\'ouverture"\n'
        f"  {BANK}   10000.00 EUR\n"
        f"  Capitaux:Capital  -10000.00 EUR\n",
    )


def ok(done: object) -> str:
    assert done.exit_code == 0, done.output  # type: ignore[attr-defined]
    return str(done.stdout)  # type: ignore[attr-defined]


def waiting(cli: Cli, *args: str) -> list[dict]:  # type: ignore[type-arg]
    return json.loads(ok(cli("--json", "import", "suspense", *args)))["lines"]  # type: ignore[no-any-return]


def balance(ws: Path, account: str) -> Decimal:
    ledger = Workspace.open(ws).load_checked("alusage")
    return sum(
        (
            p.units.number
            for e in ledger.entries
            for p in getattr(e, "postings", ())
            if p.account == account
        ),
        Decimal(0),
    )


@pytest.mark.parametrize("name", sorted(STATEMENTS))
def test_every_suspense_line_of_a_statement_can_be_assigned(
    empty_ws: Path, cli_empty: Cli, name: str
) -> None:
    opening(empty_ws)
    args = STATEMENTS[name]
    ok(cli_empty("import", "bank", str(FIXTURES / name), "-e", "alusage", "--no-balance", *args))
    lines = waiting(cli_empty, "-e", "alusage")
    assert lines and balance(empty_ws, SUSPENSE) == -sum(Decimal(x["amount"]) for x in lines)
    for line in lines:
        assert line["label"] and line["bank_ref"] and line["date"]
        target = "Charges:Banque:Frais" if Decimal(line["amount"]) < 0 else "Capitaux:Capital"
        done = json.loads(
            ok(cli_empty("--json", "import", "assign", line["bank_ref"], "--account", target))
        )
        assert done["account"] == target and done["amount"] == line["amount"]
    assert waiting(cli_empty) == []
    assert balance(empty_ws, SUSPENSE) == 0
    assert len(waiting(cli_empty, "--all")) == len(lines)
    assert cli_empty("check").exit_code == 0
    # Importing the statement again adds nothing: assigned lines stay assigned.
    before = snapshot(empty_ws)
    ok(cli_empty("import", "bank", str(FIXTURES / name), "-e", "alusage", "--no-balance", *args))
    assert snapshot(empty_ws) == before


def test_a_receipt_and_a_payment_settle_an_invoice_and_a_bill_lettered(
    empty_ws: Path, cli_empty: Cli
) -> None:
    opening(empty_ws)
    # Documents whose third parties the bank labels do not name: the import leaves the
    # lines on 471 (no automatic match), the accountant knows better.
    ok(
        cli_empty(
            "invoice", "add", "-e", "alusage", "--client", "Studio Delta",
            "--activity", "programmation", "--amount-ht", "250", "--date", "2026-11-02",
        )
    )  # fmt: skip
    ok(
        cli_empty(
            "bill", "add", "-e", "alusage", "--supplier", "Fournisseur Elec",
            "--account", "Charges:Telecom", "--amount-ht", "119.39", "--vat", "20",
            "--date", "2026-10-31", "--piece-ref", "ELEC-2026-10",
        )
    )  # fmt: skip
    ok(cli_empty("import", "bank", str(FIXTURES / "bpce.csv"), "-e", "alusage"))
    refs = {x["amount"]: x["bank_ref"] for x in waiting(cli_empty)}
    assert refs["300.00"] == "2611120004" and refs["-143.27"] == "2611070003"

    text = ok(cli_empty("import", "assign", "2611120004", "--invoice", "F2026-0001"))
    assert "as the receipt of the invoice F2026-0001" in text and "Lettered: AA." in text
    done = json.loads(
        ok(cli_empty("--json", "import", "assign", "26110700", "--bill", "ELEC-2026-10"))
    )
    assert done["bank_ref"] == "2611070003"  # a unique start of the reference is enough
    assert done["kind"] == "bill" and done["letters"] == ["AA"]
    # The receipt moves the invoice's VAT from pending to collected, from 471.
    month = (empty_ws / "ledgers/alusage/2026/11.beancount").read_text(encoding="utf-8")
    flat = "\n".join(" ".join(row.split()) for row in month.splitlines())
    assert (
        'suspense-ref: "2611120004"\nActif:Attente 300.00 EUR\n'
        "Actif:Clients:StudioDelta -300.00 EUR\n"
        "Passif:Etat:TVAEnAttente 50.00 EUR\nPassif:Etat:TVACollectee -50.00 EUR"
    ) in flat
    assert 'custom "alusage-letter" Actif:Clients:StudioDelta "AA" "F2026-0001"' in flat
    invoices = json.loads(ok(cli_empty("--json", "invoice", "list")))["invoices"]
    assert invoices[0]["status"] == "paid"
    bills = json.loads(ok(cli_empty("--json", "bill", "list")))["documents"]
    assert bills[0]["due"] == "0.00"
    assert cli_empty("check").exit_code == 0
    aged = ok(cli_empty("--json", "aged", "-e", "alusage"))
    assert "StudioDelta" not in aged and "FournisseurElec" not in aged


def test_refusals_are_one_sentence_and_write_nothing(empty_ws: Path, cli_empty: Cli) -> None:
    opening(empty_ws)
    ok(cli_empty("import", "bank", str(FIXTURES / "bpce.csv"), "-e", "alusage"))
    ok(cli_empty("import", "assign", "2611050002", "--account", "Capitaux:Capital"))
    cases = [
        (("nope-123",), 2, "No bank line nope-123 on the suspense account of any entity;"),
        (
            ("2611050002",),
            4,
            "The bank line 2611050002 (2026-11-05, €480.00) was already assigned on "
            "2026-11-05 to Capitaux:Capital; nothing was written.",
        ),
        (
            ("2611030001", "--date", "2026-11-01"),
            2,
            "The date 2026-11-01 is before the bank line's date 2026-11-03.",
        ),
        (("2611030001", "--invoice", "F2026-0099"), 2, "money out"),
        (("2611030001", "--account", "Charges:Nope"), 2, "is not open in the ledger"),
    ]
    add = ("--account", "Charges:Banque:Frais")
    for args, code, message in cases:
        before = snapshot(empty_ws)
        extra = () if any(a.startswith("--") and a != "--date" for a in args) else add
        done = cli_empty("import", "assign", *args, *extra)
        assert done.exit_code == code, done.output
        assert message in done.stderr and "Traceback" not in done.output
        assert len(done.stderr.strip().splitlines()) == 1
        assert snapshot(empty_ws) == before
    done = cli_empty("import", "assign", "2611030001")
    assert done.exit_code == 2
    assert "one of --account, --invoice or --bill" in done.stderr
    # A closed month: the line's own day is refused, a day of an open month is not.
    add_text(
        empty_ws,
        "alusage",
        "2026-11",
        '\n2026-12-01 custom "alusage-close" "2026-11" "0"\n  closed-on: 2026-12-02\n',
    )
    before = snapshot(empty_ws)
    done = cli_empty("import", "assign", "2611030001", "--account", "Charges:Locations:Le97")
    assert done.exit_code == 4
    assert "2026-11 is closed in alusage: nothing was written;" in done.stderr
    assert snapshot(empty_ws) == before
    ok(
        cli_empty(
            "import", "assign", "2611030001", "--account", "Charges:Locations:Le97",
            "--date", "2026-12-01",
        )
    )  # fmt: skip
    december = (empty_ws / "ledgers/alusage/2026/12.beancount").read_text(encoding="utf-8")
    assert '2026-12-01 * "SCI BATTANT" "PRLV SEPA SCI BATTANT LOYER NOV"' in december
    assert 'suspense-ref: "2611030001"' in december


def test_the_list_in_both_csv_dialects_and_french(empty_ws: Path, cli_empty: Cli) -> None:
    opening(empty_ws)
    ok(cli_empty("import", "bank", str(FIXTURES / "bpce.csv"), "-e", "alusage"))
    table = ok(cli_empty("import", "suspense"))
    assert "PRLV SEPA EDF ELEC 10/2026" in table and "2611070003" in table
    assert "-€143.27" in table
    assert "FRAIS TENUE DE COMPTE" not in table  # booked by a rule shipped with the profile
    assert "4 line(s) to assign" in table
    machine = ok(cli_empty("import", "suspense", "-f", "csv"))
    assert machine.splitlines()[0].startswith("entity,date,amount,label,payee,bank_ref")
    assert "alusage,2026-11-07,-143.27,PRLV SEPA EDF ELEC 10/2026" in machine
    french = ok(cli_empty("import", "suspense", "-f", "csv", "--csv-dialect", "fr"))
    assert french.startswith("\ufeffEntité;Date;Montant;Libellé")
    assert "alusage;2026-11-07;-143,27;PRLV SEPA EDF ELEC 10/2026" in french
    text = ok(cli_empty("import", "suspense", lang="fr"))
    assert "4 ligne(s) à imputer" in text


# --------------------------------------------------------------------------- shipped rules

SHIPPED = [
    "Date;Date de valeur;Débit;Crédit;Libellé;Solde",
    "02/11/2026;02/11/2026;-812,00;;PRLV SEPA URSSAF RHONE ALPES 10/2026;",
    "04/11/2026;04/11/2026;-3,42;;COMMISSION CB REMISE 0411;",
    "06/11/2026;06/11/2026;-18,00;;F COTIS EUROCOMPTE PRO;",
    "09/11/2026;09/11/2026;-12,50;;FRAIS TENUE DE COMPTE;",
    "10/11/2026;10/11/2026;-640,00;;FRAIS DE DOSSIER PRET;",
    "12/11/2026;12/11/2026;;45,00;FRAIS REMBOURSES GESTE COMMERCIAL;",
    "13/11/2026;13/11/2026;-60,00;;VIR REMBOURSEMENT FRAIS CAMILLE;",
]


def shipped_statement(tmp_path: Path) -> Path:
    path = tmp_path / "releve.csv"
    path.write_bytes("\r\n".join(SHIPPED).encode("iso-8859-15") + b"\r\n")
    return path


def test_rules_shipped_with_the_profile(empty_ws: Path, cli_empty: Cli, tmp_path: Path) -> None:
    opening(empty_ws)
    path = shipped_statement(tmp_path)
    doc = json.loads(ok(cli_empty("--json", "import", "bank", str(path), "-e", "alusage")))
    got = {line["label"]: (line["status"], line["detail"]) for line in doc["lines"]}
    assert got["PRLV SEPA URSSAF RHONE ALPES 10/2026"] == (
        "rule",
        "shipped rule (Cotisations URSSAF)",
    )
    assert got["COMMISSION CB REMISE 0411"][1] == (
        "shipped rule (Commissions sur encaissements par carte)"
    )
    assert got["F COTIS EUROCOMPTE PRO"][1] == "shipped rule (Frais bancaires)"
    assert got["FRAIS TENUE DE COMPTE"][1] == "shipped rule (Frais bancaires)"
    # Above 500.00, money in, or a transfer that merely mentions fees: left for review.
    for label in (
        "FRAIS DE DOSSIER PRET",
        "FRAIS REMBOURSES GESTE COMMERCIAL",
        "VIR REMBOURSEMENT FRAIS CAMILLE",
    ):
        assert got[label][0] == "review", label
    assert balance(empty_ws, "Passif:Organismes:Urssaf") == Decimal("812.00")
    assert balance(empty_ws, "Charges:Banque:Frais") == Decimal("33.92")
    assert cli_empty("check").exit_code == 0


def test_the_workspace_rules_win_and_the_shipped_ones_can_be_left_out(
    empty_ws: Path, cli_empty: Cli, tmp_path: Path
) -> None:
    opening(empty_ws)
    path = shipped_statement(tmp_path)
    rules = tmp_path / "rules.toml"
    rules.write_text(
        '[[rule]]\npattern = "URSSAF"\naccount = "Charges:Personnel:ChargesSociales"\n',
        encoding="utf-8",
    )
    doc = json.loads(
        ok(cli_empty("--json", "import", "bank", str(path), "-e", "alusage", "--rules", str(rules)))
    )
    urssaf = doc["lines"][0]
    assert (urssaf["status"], urssaf["detail"]) == ("rule", "rule 1 (URSSAF)")
    assert doc["summary"]["categorized"] == 4 and doc["summary"]["to_review"] == 3
    other = tmp_path / "other"
    other.mkdir()
    # (a fresh workspace for the same statement without the shipped rules)
    from alusage_ledger.books.workspace_init import create_workspace

    create_workspace(other / "ws", git=False)
    opening(other / "ws")
    bare = Cli(other / "ws")
    doc = json.loads(
        ok(bare("--json", "import", "bank", str(path), "-e", "alusage", "--no-default-rules"))
    )
    assert doc["summary"]["categorized"] == 0 and doc["summary"]["to_review"] == 7
