"""``import bank`` end to end: small workspaces built here, statements from tests/fixtures/bank.

Proves: each reference layout lands with its dates, amounts and signs (and its closing
balance as an exact assertion); importing twice changes no byte; an overlapping statement
adds only its new lines; two identical lines of one day both land; an invoice receipt, a
bill payment and a member payment are matched and lettered; bad files and bad rules are
one sentence with file and line and leave every file as it was.
"""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import Cli, run_subprocess, snapshot
from le97_workspace import add_text, make_le97_workspace

FIXTURES = Path(__file__).parent / "fixtures" / "bank"
BANK = "Actif:Banque:Courant"


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    """The statements are of November-December 2026: "today" comes after them."""
    monkeypatch.setenv("ALUSAGE_TODAY", "2027-01-15")


def opening(ws: Path, amount: str, entity: str = "alusage", month: str = "2026-11") -> None:
    """What the bank account held before the statement (an entry of the month)."""
    add_text(
        ws,
        entity,
        month,
        f'\n{month}-01 * "Apport" "Solde d\'ouverture"\n'
        f"  {BANK}   {amount} EUR\n"
        f"  Capitaux:Capital  -{amount} EUR\n",
    )


def statement(tmp_path: Path, name: str, lines: list[str], encoding: str = "iso-8859-15") -> Path:
    """A file made of the given lines (a fixture's header and some of its lines)."""
    path = tmp_path / name
    path.write_bytes("\r\n".join(lines).encode(encoding) + b"\r\n")
    return path


def fixture_lines(name: str, encoding: str = "iso-8859-15") -> list[str]:
    return (FIXTURES / name).read_bytes().decode(encoding).splitlines()


def flat(text: str) -> str:
    """Ledger text with runs of spaces as one (the printer aligns amounts per entry)."""
    return "\n".join(" ".join(row.split()) for row in text.splitlines()) + "\n"


def read_flat(path: Path) -> str:
    return flat(path.read_text(encoding="utf-8"))


def run_json(cli: Cli, *args: str) -> dict:  # type: ignore[type-arg]
    result = cli("--json", "import", "bank", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def bank_postings(ws: Path, entity: str = "alusage", account: str = BANK) -> list[tuple]:  # type: ignore[type-arg]
    """(date, amount, flag, narration, bank-ref) of every imported entry on the account."""
    from alusage_ledger.books.ledger import Workspace

    ledger = Workspace.open(ws).load_checked(entity)
    out = []
    for entry in ledger.entries:
        ref = (getattr(entry, "meta", None) or {}).get("bank-ref")
        if ref is None:
            continue
        for posting in entry.postings:
            if posting.account == account:
                out.append(
                    (entry.date.isoformat(), posting.units.number, entry.flag, entry.narration, ref)
                )
    return sorted(out, key=lambda row: (row[0], row[4]))


# --------------------------------------------------------------------------- layouts


LAYOUTS = [
    # fixture, opening balance, expected (date, amount) rows, balance assertion line
    (
        "credit-mutuel.csv",
        "5562.55",
        [
            ("2026-11-03", "-1250.00"),
            ("2026-11-05", "480.00"),
            ("2026-11-07", "-143.27"),
            ("2026-11-12", "300.00"),
            ("2026-11-15", "-39.99"),
            ("2026-11-28", "-12.50"),
        ],
        "2026-11-29 balance Actif:Banque:Courant 4896.79 ~ 0.00 EUR",
    ),
    (
        "bpce.csv",
        "5000.00",
        [
            ("2026-11-03", "-1250.00"),
            ("2026-11-05", "480.00"),
            ("2026-11-07", "-143.27"),
            ("2026-11-12", "300.00"),
            ("2026-11-28", "-12.50"),
        ],
        None,
    ),
    (
        "banque-postale.csv",
        "1377.10",
        [
            ("2026-11-05", "480.00"),
            ("2026-11-12", "300.00"),
            ("2026-11-15", "-39.99"),
            ("2026-11-28", "-12.50"),
        ],
        "2026-11-30 balance Actif:Banque:Courant 2104.61 ~ 0.00 EUR",
    ),
    (
        "caisse-epargne.csv",
        "3770.00",
        [("2026-11-03", "-1250.00"), ("2026-11-05", "480.00"), ("2026-11-28", "-12.50")],
        "2026-12-01 balance Actif:Banque:Courant 2987.50 ~ 0.00 EUR",
    ),
]


@pytest.mark.parametrize(("name", "start", "expected", "assertion"), LAYOUTS)
def test_each_reference_layout_imports(
    empty_ws: Path,
    cli_empty: Cli,
    name: str,
    start: str,
    expected: list[tuple[str, str]],
    assertion: str | None,
) -> None:
    opening(empty_ws, start)
    # Without the shipped rules (bank fees...): every line lands on the suspense account.
    doc = run_json(cli_empty, str(FIXTURES / name), "-e", "alusage", "--no-default-rules")
    assert doc["summary"]["new"] == len(expected)
    assert doc["summary"]["to_review"] == len(expected)
    got = bank_postings(empty_ws)
    assert [(day, f"{amount:.2f}") for day, amount, *_rest in got] == expected
    assert {flag for _d, _a, flag, _n, _r in got} == {"!"}  # to review, on the suspense
    text = "".join(
        p.read_text(encoding="utf-8")
        for p in sorted((empty_ws / "ledgers/alusage").rglob("*.beancount"))
    )
    assert "Actif:Attente" in text
    if assertion is None:
        assert " balance " not in text
        assert doc["balance"] is None
    else:
        assert assertion in flat(text)
        assert doc["balance"]["status"] == "new"
    assert cli_empty("check").exit_code == 0


def test_suspense_entry_text(empty_ws: Path, cli_empty: Cli) -> None:
    opening(empty_ws, "5000.00")
    done = cli_empty(
        "import", "bank", str(FIXTURES / "bpce.csv"), "-e", "alusage", "--no-default-rules"
    )
    assert done.exit_code == 0
    text = read_flat(empty_ws / "ledgers/alusage/2026/11.beancount")
    assert (
        '2026-11-28 ! "FRAIS BANCAIRES" "FRAIS TENUE DE COMPTE"\n'
        'bank-ref: "2611280005"\n'
        "Actif:Banque:Courant -12.50 EUR\n"
        "Actif:Attente 12.50 EUR\n"
    ) in text
    accounts = (empty_ws / "ledgers/alusage/accounts.beancount").read_text(encoding="utf-8")
    assert accounts.count("open Actif:Attente") == 1  # already opened by init


# --------------------------------------------------------------------------- idempotence


def test_importing_twice_adds_nothing(empty_ws: Path, cli_empty: Cli) -> None:
    opening(empty_ws, "5562.55")
    first = cli_empty("import", "bank", str(FIXTURES / "credit-mutuel.csv"), "-e", "alusage")
    assert first.exit_code == 0, first.output
    assert "6 line(s): 6 new (0 matched, 1 by a rule, 5 to review), 0 already there." in (
        first.stdout
    )
    before = snapshot(empty_ws)
    again = cli_empty("import", "bank", str(FIXTURES / "credit-mutuel.csv"), "-e", "alusage")
    assert again.exit_code == 0, again.output
    assert "Nothing new: the 6 line(s) are already in the ledger." in again.stdout
    assert "already asserted" in again.stdout
    assert snapshot(empty_ws) == before
    doc = run_json(cli_empty, str(FIXTURES / "credit-mutuel.csv"), "-e", "alusage")
    assert doc["summary"] == {
        "lines": 6,
        "new": 0,
        "already": 6,
        "matched": 0,
        "categorized": 0,
        "to_review": 0,
    }
    assert doc["balance"]["status"] == "already"
    assert snapshot(empty_ws) == before


def test_overlapping_statement_adds_only_new_lines(
    empty_ws: Path, cli_empty: Cli, tmp_path: Path
) -> None:
    opening(empty_ws, "5562.55")
    lines = fixture_lines("credit-mutuel.csv")
    early = statement(tmp_path, "early.csv", [lines[0], *lines[1:4]])  # 03/11 .. 07/11
    late = statement(tmp_path, "late.csv", [lines[0], *lines[2:7]])  # 05/11 .. 28/11
    doc = run_json(cli_empty, str(early), "-e", "alusage")
    assert (doc["summary"]["new"], doc["balance"]["date"]) == (3, "2026-11-08")
    doc = run_json(cli_empty, str(late), "-e", "alusage")
    assert (doc["summary"]["new"], doc["summary"]["already"]) == (3, 2)
    assert [line["status"] for line in doc["lines"]] == [
        "already",
        "already",
        "review",
        "review",
        "rule",  # FRAIS TENUE DE COMPTE: a rule shipped with the profile
    ]
    assert len(bank_postings(empty_ws)) == 6
    before = snapshot(empty_ws)
    full = run_json(cli_empty, str(FIXTURES / "credit-mutuel.csv"), "-e", "alusage")
    assert full["summary"]["new"] == 0
    assert snapshot(empty_ws) == before
    assert cli_empty("check").exit_code == 0


def test_two_identical_lines_on_one_day_both_land(
    empty_ws: Path, cli_empty: Cli, tmp_path: Path
) -> None:
    opening(empty_ws, "4896.79", month="2026-12")
    lines = fixture_lines("credit-mutuel-montant.csv")
    # The first export was taken between the two identical purchases of 10/12: its last
    # day is incomplete, so its running balance is not asserted.
    cut = statement(tmp_path, "cut.csv", lines[:4])
    doc = run_json(cli_empty, str(cut), "-e", "alusage", "--no-balance")
    assert doc["summary"]["new"] == 3
    doc = run_json(cli_empty, str(FIXTURES / "credit-mutuel-montant.csv"), "-e", "alusage")
    assert (doc["summary"]["new"], doc["summary"]["already"]) == (2, 3)
    bakery = [row for row in bank_postings(empty_ws) if row[3] == "CB BOULANGERIE DU 97"]
    assert [(day, amount) for day, amount, *_r in bakery] == [
        ("2026-12-10", Decimal("-4.20")),
        ("2026-12-10", Decimal("-4.20")),
    ]
    assert bakery[0][4] != bakery[1][4]
    before = snapshot(empty_ws)
    assert (
        run_json(cli_empty, str(FIXTURES / "credit-mutuel-montant.csv"), "-e", "alusage")[
            "summary"
        ]["new"]
        == 0
    )
    assert snapshot(empty_ws) == before
    assert cli_empty("check").exit_code == 0


# --------------------------------------------------------------------------- matching


def test_invoice_receipt_and_bill_payment_matched_and_lettered(
    empty_ws: Path, cli_empty: Cli
) -> None:
    opening(empty_ws, "5000.00")
    ok = cli_empty(
        "invoice", "add", "-e", "alusage", "--client", "Association Les Jardins",
        "--activity", "programmation", "--amount-ht", "400", "--date", "2026-11-02",
    )  # fmt: skip
    assert ok.exit_code == 0, ok.output
    ok = cli_empty(
        "bill", "add", "-e", "alusage", "--supplier", "EDF", "--account", "Charges:Telecom",
        "--amount-ht", "119.39", "--vat", "20", "--date", "2026-10-31",
        "--piece-ref", "ELEC-2026-10",
    )  # fmt: skip
    assert ok.exit_code == 0, ok.output
    doc = run_json(cli_empty, str(FIXTURES / "bpce.csv"), "-e", "alusage")
    statuses = {line["line"]: (line["status"], line["detail"]) for line in doc["lines"]}
    assert statuses[3] == ("matched", "invoice F2026-0001")
    assert statuses[4] == ("matched", "bill ELEC-2026-10 of EDF")
    assert doc["summary"]["matched"] == 2 and doc["summary"]["to_review"] == 2
    assert statuses[6] == ("rule", "shipped rule (Frais bancaires)")
    assert len(doc["letters"]) == 2
    text = read_flat(empty_ws / "ledgers/alusage/2026/11.beancount")
    # The receipt: the invoice's link, VAT moved from pending to collected, the bank-ref,
    # the payment method the bank's label names ("VIR ...").
    assert (
        '2026-11-05 * "Association Les Jardins" "Règlement F2026-0001" ^F2026-0001\n'
        'invoice: "F2026-0001"\n'
        'payment-method: "virement"\n'
        'bank-ref: "2611050002"\n'
        "Actif:Banque:Courant 480.00 EUR\n"
        "Actif:Clients:AssociationLesJardins -480.00 EUR\n"
        "Passif:Etat:TVAEnAttente 80.00 EUR\n"
        "Passif:Etat:TVACollectee -80.00 EUR\n"
    ) in text
    assert '^alusage-ELEC-2026-10\npiece-ref: "ELEC-2026-10"' in text
    assert 'bank-ref: "2611070003"\nPassif:Fournisseurs:EDF 143.27 EUR' in text
    assert "Actif:Etat:TVADeductibleEnAttente -23.88 EUR" in text
    assert (
        '2026-11-05 custom "alusage-letter" Actif:Clients:AssociationLesJardins "AA" "F2026-0001"'
        in text
    )
    assert (
        '2026-11-07 custom "alusage-letter" Passif:Fournisseurs:EDF "AA" "alusage-ELEC-2026-10"'
        in text
    )
    assert cli_empty("check").exit_code == 0
    aged = json.loads(cli_empty("--json", "aged", "-e", "alusage").stdout)
    assert "AssociationLesJardins" not in json.dumps(aged)
    before = snapshot(empty_ws)
    assert run_json(cli_empty, str(FIXTURES / "bpce.csv"), "-e", "alusage")["summary"]["new"] == 0
    assert snapshot(empty_ws) == before


def test_member_payment_matched_and_lettered(tmp_path: Path) -> None:
    ws = make_le97_workspace(tmp_path / "ws")
    cli = Cli(ws)
    assert cli("shares", "le97", "--month", "2026-01", "--post").exit_code == 0
    lines = [
        "Date;Date de valeur;Débit;Crédit;Libellé;Solde",
        "05/02/2026;05/02/2026;;300,00;VIR MEMBRE B CHARGES JANVIER;5 300,00",
        "06/02/2026;06/02/2026;;600,00;VIR ALUSAGE SAS LE97 JANVIER;5 900,00",
    ]
    host_statement = statement(tmp_path, "nef.csv", lines)
    doc = run_json(cli, str(host_statement), "-e", "myceliandre")
    assert [(line["status"], line["detail"]) for line in doc["lines"]] == [
        ("matched", "member membre-b of le97"),
        ("matched", "member alusage of le97"),
    ]
    host = (ws / "ledgers/myceliandre/2026/02.beancount").read_text(encoding="utf-8")
    assert 'custom "alusage-letter" Actif:Usagers:Le97:MembreB "AA" "le97-2026-01-membre-b"' in host
    assert 'custom "alusage-letter" Actif:Usagers:Le97:Alusage "AA" "le97-2026-01-alusage"' in host
    assert host.count("bank-ref:") == 2
    assert "2026-02-07 balance Actif:Banque:Courant" in host
    # Alusage SAS is a member with its own books: its side of the payment was written too,
    # so importing Alusage's statement finds that line already there.
    mirror = read_flat(ws / "ledgers/alusage/2026/02.beancount")
    assert "Actif:Banque:Courant -600.00 EUR" in mirror
    opening(ws, "1000.00", month="2026-01")
    own = statement(
        tmp_path,
        "alusage.csv",
        [
            "Date;Date de valeur;Débit;Crédit;Libellé;Solde",
            "06/02/2026;06/02/2026;-600,00;;VIR MYCELIANDRE SCIC LE97;400,00",
        ],
    )
    before = snapshot(ws)
    doc = run_json(cli, str(own), "-e", "alusage")
    assert doc["lines"][0]["status"] == "already"
    assert doc["lines"][0]["detail"] == "booked on 2026-02-06"
    assert doc["balance"]["status"] == "new"
    after = snapshot(ws)
    changed = [name for name in after if after[name] != before.get(name)]
    assert changed == ["ledgers/alusage/2026/02.beancount"]  # the balance assertion only
    assert cli("check").exit_code == 0


# --------------------------------------------------------------------------- rules, generic


def test_generic_profile_and_rules(empty_ws: Path, cli_empty: Cli) -> None:
    opening(empty_ws, "5000.00")
    doc = run_json(
        cli_empty,
        str(FIXTURES / "generic-nef.csv"),
        "-e",
        "alusage",
        "--profile",
        "generic",
        "--rules",
        str(FIXTURES / "generic-nef.toml"),
    )
    assert [(line["status"], line["detail"]) for line in doc["lines"]] == [
        ("review", ""),
        ("rule", "rule 2 (EDF)"),
        ("rule", "rule 1 (frais|cotisation carte)"),
    ]
    text = read_flat(empty_ws / "ledgers/alusage/2026/11.beancount")
    assert (
        '2026-11-28 * "La Nef" "Frais bancaires" #banque\n'
        'bank-ref: "N-003"\n'
        'bank-label: "Frais COTISATION CARTE"\n'
        "Actif:Banque:Courant -12.50 EUR\n"
        "Charges:Banque:Frais 12.50 EUR\n"
    ) in text
    accounts = read_flat(empty_ws / "ledgers/alusage/accounts.beancount")
    assert (
        'open Charges:Energie EUR\npcg: "6061"\nlabel: "Fournitures non stockables (eau, énergie)"'
    ) in accounts
    assert "2026-11-29 balance Actif:Banque:Courant" in text
    assert cli_empty("check").exit_code == 0


def test_rules_file_from_the_configuration(empty_ws: Path, cli_empty: Cli) -> None:
    shutil.copy(FIXTURES / "generic-nef.toml", empty_ws / "bank-rules.toml")
    config = empty_ws / "alusage.toml"
    config.write_text(
        config.read_text(encoding="utf-8") + '\n[bank]\nrules = "bank-rules.toml"\n',
        encoding="utf-8",
    )
    opening(empty_ws, "5000.00")
    doc = run_json(cli_empty, str(FIXTURES / "generic-nef.csv"), "-e", "alusage")
    assert doc["profile"] == "nef" and doc["summary"]["categorized"] == 2


def test_rule_account_not_open_without_pcg_is_exit_3(
    empty_ws: Path, cli_empty: Cli, tmp_path: Path
) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text(
        '[[rule]]\npattern = "FRAIS"\naccount = "Charges:Banque:Agios"\n', encoding="utf-8"
    )
    opening(empty_ws, "5000.00")
    before = snapshot(empty_ws)
    result = cli_empty(
        "import", "bank", str(FIXTURES / "bpce.csv"), "-e", "alusage", "--rules", str(rules)
    )
    assert result.exit_code == 3
    assert "rule 1: the account Charges:Banque:Agios is not open" in result.stderr
    assert snapshot(empty_ws) == before


# --------------------------------------------------------------------------- bad input


def corrupt(tmp_path: Path, replace: tuple[bytes, bytes] | None = None, utf8: bool = False) -> Path:
    raw = (FIXTURES / "credit-mutuel.csv").read_bytes()
    if replace is not None:
        raw = raw.replace(*replace)
    if utf8:
        raw = raw.decode("iso-8859-15").encode("utf-8")
    path = tmp_path / "releve.csv"
    path.write_bytes(raw)
    return path


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"replace": (b"Date;Date de valeur;", b"Jour;Valeur;")}, "releve.csv:1: unknown layout"),
        ({"utf8": True}, "releve.csv:1: this file is UTF-8 encoded but the profile expects"),
        ({"replace": (b"-143,27", b"-143,2x")}, "releve.csv:4: the amount '-143,2x'"),
        ({"replace": (b"15/11/2026;15/11", b"15/13/2026;15/11")}, "releve.csv:6: the date"),
    ],
)
def test_bad_files_exit_1_one_sentence_ledger_unchanged(
    empty_ws: Path,
    cli_empty: Cli,
    tmp_path: Path,
    change: dict,
    expected: str,  # type: ignore[type-arg]
) -> None:
    opening(empty_ws, "5562.55")
    path = corrupt(tmp_path, **change)
    before = snapshot(empty_ws)
    result = cli_empty("import", "bank", str(path), "-e", "alusage")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Error: " + str(path.parent) + "/" + expected)
    assert snapshot(empty_ws) == before


def test_bad_rules_file_exit_3(empty_ws: Path, cli_empty: Cli, tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text('[[rule]]\npattern = "(unclosed"\naccount = "Charges:X"\n', encoding="utf-8")
    before = snapshot(empty_ws)
    result = cli_empty(
        "import", "bank", str(FIXTURES / "bpce.csv"), "-e", "alusage", "--rules", str(rules)
    )
    assert result.exit_code == 3
    assert "rules.toml: rule.1.pattern: not a valid regular expression" in result.stderr
    assert snapshot(empty_ws) == before


def test_balance_mismatch_is_refused(empty_ws: Path, cli_empty: Cli) -> None:
    opening(empty_ws, "1000.00")
    before = snapshot(empty_ws)
    result = cli_empty("import", "bank", str(FIXTURES / "credit-mutuel.csv"), "-e", "alusage")
    assert result.exit_code == 1
    assert "credit-mutuel.csv:7: the statement's closing balance 4896.79" in result.stderr
    assert "--no-balance" in result.stderr
    assert snapshot(empty_ws) == before
    result = cli_empty(
        "import", "bank", str(FIXTURES / "credit-mutuel.csv"), "-e", "alusage", "--no-balance"
    )
    assert result.exit_code == 0, result.output
    assert "not asserted (--no-balance)" in result.stdout


def test_closed_month_refused_line_by_line(empty_ws: Path, cli_empty: Cli) -> None:
    opening(empty_ws, "5562.55")
    add_text(
        empty_ws,
        "alusage",
        "2026-11",
        '\n2026-12-01 custom "alusage-close" "2026-11" "0"\n  closed-on: 2026-12-02\n',
    )
    before = snapshot(empty_ws)
    result = cli_empty("import", "bank", str(FIXTURES / "credit-mutuel.csv"), "-e", "alusage")
    assert result.exit_code == 4
    assert "6 new line(s) fall in a closed month of alusage:" in result.stderr
    assert "credit-mutuel.csv:2 (2026-11-03)" in result.stderr
    assert "credit-mutuel.csv:7 (2026-11-28)" in result.stderr
    assert snapshot(empty_ws) == before


def test_missing_file_and_unknown_profile_exit_2(cli_empty: Cli, tmp_path: Path) -> None:
    result = cli_empty("import", "bank", str(tmp_path / "nope.csv"), "-e", "alusage")
    assert result.exit_code == 2
    assert "does not exist" in result.stderr
    result = cli_empty(
        "import", "bank", str(FIXTURES / "bpce.csv"), "-e", "alusage", "--profile", "bcpe"
    )
    assert result.exit_code == 2
    assert "did you mean 'bpce'" in result.stderr
    result = cli_empty(
        "import", "bank", str(FIXTURES / "bpce.csv"), "-e", "alusage", "--account", "Actif:Nope"
    )
    assert result.exit_code == 2


def test_dry_run_writes_nothing(empty_ws: Path, cli_empty: Cli) -> None:
    opening(empty_ws, "5000.00")
    before = snapshot(empty_ws)
    result = cli_empty("import", "bank", str(FIXTURES / "bpce.csv"), "-e", "alusage", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "--- ledgers/alusage/2026/11.beancount" in result.stdout
    assert 'bank-ref: "2611030001"' in result.stdout
    assert "Dry run: nothing was written." in result.stdout
    assert snapshot(empty_ws) == before


def test_french_messages(empty_ws: Path, cli_empty: Cli, tmp_path: Path) -> None:
    opening(empty_ws, "5562.55")
    result = cli_empty(
        "import", "bank", str(corrupt(tmp_path, utf8=True)), "-e", "alusage", lang="fr"
    )
    assert result.exit_code == 1
    assert "ce fichier est encodé en UTF-8" in result.stderr
    result = cli_empty(
        "import", "bank", str(FIXTURES / "credit-mutuel.csv"), "-e", "alusage", lang="fr"
    )
    assert result.exit_code == 0
    assert "6 ligne(s) : 6 nouvelle(s)" in result.stdout


def test_subprocess_wrong_encoding_no_traceback(empty_ws: Path, tmp_path: Path) -> None:
    path = corrupt(tmp_path, utf8=True)
    result = run_subprocess(
        "--workspace", str(empty_ws), "import", "bank", str(path), "-e", "alusage"
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1


def test_duplicate_bank_ref_is_a_check_error(empty_ws: Path, cli_empty: Cli) -> None:
    opening(empty_ws, "5000.00")
    done = cli_empty(
        "import", "bank", str(FIXTURES / "bpce.csv"), "-e", "alusage", "--no-default-rules"
    )
    assert done.exit_code == 0
    month = empty_ws / "ledgers/alusage/2026/11.beancount"
    text = month.read_text(encoding="utf-8")
    start = text.index("2026-11-28 !")
    month.write_text(text + "\n" + text[start:], encoding="utf-8")
    result = cli_empty("check")
    assert result.exit_code == 1
    assert "the bank line 2611280005 of Actif:Banque:Courant is booked twice" in result.output


# --------------------------------------------------------------------------- beangulp


def test_beangulp_importer_protocol(tmp_path: Path) -> None:
    import beangulp
    from beancount.core import data
    from beangulp.extract import DUPLICATE
    from click.testing import CliRunner

    from alusage_ledger.integrations.bank.beangulp_importer import BankImporter

    importer = BankImporter(BANK, profile="auto")
    assert isinstance(importer, beangulp.Importer)
    for name in ("credit-mutuel.csv", "bpce.csv", "banque-postale.csv"):
        assert importer.identify(str(FIXTURES / name))
    assert not importer.identify(str(FIXTURES / "generic-nef.csv"))
    path = str(FIXTURES / "credit-mutuel.csv")
    assert importer.account(path) == BANK
    assert importer.date(path).isoformat() == "2026-11-28"
    entries = importer.extract(path, [])
    txns = [e for e in entries if isinstance(e, data.Transaction)]
    assert [str(t.postings[0].units.number) for t in txns][:2] == ["-1250.00", "480.00"]
    assert next(e for e in entries if isinstance(e, data.Balance)).amount.number == Decimal(
        "4896.79"
    )
    existing = [txns[0]]
    importer.deduplicate(entries, existing)
    assert [bool(e.meta.get(DUPLICATE)) for e in txns] == [True] + [False] * 5
    # Through beangulp's own command line.
    folder = tmp_path / "downloads"
    folder.mkdir()
    shutil.copy(FIXTURES / "bpce.csv", folder / "bpce.csv")
    ingest = beangulp.Ingest([BankImporter(BANK, profile="bpce")])
    result = CliRunner().invoke(ingest.cli, ["extract", str(folder)])
    assert result.exit_code == 0, result.output
    assert 'bank-ref: "2611050002"' in result.output


# --------------------------------------------------------------------------- the example


def test_example_open_invoice_and_a_receipt_already_booked(
    example_ws: Path, cli: Cli, tmp_path: Path
) -> None:
    """On the example: an open invoice of Alusage (e.g. F2026-0040, Client Alpha) is
    settled by a receipt naming it; a receipt already booked with 'invoice pay' (no
    bank-ref) is recognised. Both are read from the example, which keeps changing."""
    from beancount.core import data

    from alusage_ledger.books.ledger import Workspace

    account = "Actif:Banque:CreditCooperatif"
    invoices = json.loads(cli("--json", "invoice", "list", "-e", "alusage").stdout)["invoices"]
    invoice = next(
        i for i in invoices if i["status"] in ("unpaid", "partial") and i["date"] <= "2026-11-20"
    )
    ledger = Workspace.open(example_ws).load_checked("alusage")
    booked = next(
        e
        for e in reversed(ledger.entries)
        if isinstance(e, data.Transaction)
        and "invoice" in e.meta
        and any(p.account == account and p.units.number > 0 for p in e.postings)
    )
    amount = next(p.units.number for p in booked.postings if p.account == account)
    french = f"{amount:.2f}".replace(".", ",")
    remaining = invoice["remaining"].replace(".", ",")
    header = fixture_lines("bpce.csv", "cp1252")[0]
    day = booked.date.strftime("%d/%m/%Y")
    path = statement(
        tmp_path,
        "bpce-alusage.csv",
        [
            header,
            f"{day};CLIENT;VIR RECU;2611240001;;Virement reçu;Revenus;Autres;;+{french};"
            f"{day};{day};0",
            f"27/11/2026;CLIENT;VIR SEPA REGLEMENT {invoice['number']};2611270002;;"
            f"Virement reçu;Revenus;Autres;;+{remaining};27/11/2026;27/11/2026;0",
        ],
        "cp1252",
    )
    doc = run_json(cli, str(path), "-e", "alusage")
    assert doc["account"] == account
    assert [(line["status"], line["detail"]) for line in doc["lines"]] == [
        ("already", f"booked on {booked.date.isoformat()}"),
        ("matched", f"invoice {invoice['number']}"),
    ]
    text = read_flat(example_ws / "ledgers/alusage/2026/11.beancount")
    receivable = text.split('bank-ref: "2611270002"\n')[1].split("\n")[:3]
    assert receivable[0] == f"{account} {invoice['remaining']} EUR"
    assert receivable[1].startswith("Actif:Clients:")
    if invoice["vat"] != "0.00":
        assert receivable[2].startswith("Passif:Etat:TVAEnAttente")  # VAT now due
    letter = text.split(f'custom "alusage-letter" {receivable[1].split()[0]}')[-1]
    assert f'"{invoice["number"]}"' in letter.split("\n")[0]
    assert cli("check").exit_code == 0
    before = snapshot(example_ws)
    assert run_json(cli, str(path), "-e", "alusage")["summary"]["new"] == 0
    assert snapshot(example_ws) == before


def test_progress_bar_only_for_long_statements_on_a_terminal() -> None:
    from alusage_ledger.cli import imports, state

    assert not imports._show_progress(state.current())  # pytest's stderr is no terminal
    progress = imports._Progress()
    progress.update(5, 10)
    assert progress.bar is None  # a short statement: no bar
    progress.update(1, 150)
    assert progress.bar is not None
    progress.update(150, 150)
    progress.stop()
