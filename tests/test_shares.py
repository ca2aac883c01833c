"""Le 97's shares through the command line: usage, shares --post, pay, statement, balances,
check rules, errors that leave every file unchanged, and the month-end step."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import Cli, run_subprocess, snapshot
from le97_workspace import add_text, bill, make_le97_workspace

from alusage_ledger.core.periods import Month

GOLDEN = Path(__file__).parent / "golden" / "shares"


@pytest.fixture(scope="module")
def base_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_le97_workspace(tmp_path_factory.mktemp("le97") / "ws")


@pytest.fixture
def ws(base_ws: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "ws"
    shutil.copytree(base_ws, dest)
    return dest


@pytest.fixture
def run(ws: Path) -> Cli:
    return Cli(ws)


def declare(run: Cli, month: str, **days: str) -> None:
    for member, value in days.items():
        result = run(
            "usage", "set", "le97", member.replace("_", "-"), "--month", month, "--days", value
        )
        assert result.exit_code == 0, result.output


def shares_json(run: Cli, month: str, *extra: str) -> dict:  # type: ignore[type-arg]
    result = run("--json", "shares", "le97", "--month", month, *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


# --------------------------------------------------------------------------- shares


def test_shares_json_shape(run: Cli) -> None:
    """January: rent 1200.00, surface 20/10/10 m² all month (weights 620/310/310)."""
    doc = shares_json(run, "2026-01")
    assert doc == {
        "place": "le97",
        "month": "2026-01",
        "total": "1200.00",
        "groups": [
            {
                "name": "loyer",
                "key": "surface",
                "amount": "1200.00",
                "shares": {
                    "alusage": "600.00",
                    "membre-b": "300.00",
                    "nicolas-jeudy": "300.00",
                },
            },
            {
                "name": "energie",
                "key": {"days": "0.5", "surface": "0.5"},
                "amount": "0.00",
                "shares": {"alusage": "0.00", "membre-b": "0.00", "nicolas-jeudy": "0.00"},
            },
        ],
        "shares": [
            {"member": "alusage", "amount": "600.00"},
            {"member": "membre-b", "amount": "300.00"},
            {"member": "nicolas-jeudy", "amount": "300.00"},
        ],
    }


def test_shares_table_explains(run: Cli) -> None:
    result = run("shares", "le97", "--month", "2026-03")
    assert result.exit_code == 0, result.output
    assert "surface: 620" in result.output  # alusage: 20 m² × 31 days
    assert "surface: 160" in result.output  # membre-a: 10 m² × 16 days (from the 16th)
    assert "1,200.00" in result.output


def test_late_bill_through_the_ledger(ws: Path, run: Cli) -> None:
    """The hand-computed late bill (test_allocation) read from the host's ledger: an
    energy bill of 310.00 booked in May for February..April, key mix surface+days.

    Portions: Feb 97.53, Mar 107.98, Apr 104.49 (see test_allocation). Each part 50/50:
    Feb 97.53 → days 48.77 (tie to "days"), surface 48.76; membre-b (left 2026-02-20) was
    there in February only, so it still pays for February in May's call.
    """
    add_text(
        ws,
        "myceliandre",
        "2026-05",
        bill("2026-05-05", "Charges:Le97:Energie", "310.00", "Energie", "2026-02..2026-04"),
    )
    declare(run, "2026-02", alusage="10", nicolas_jeudy="5", membre_b="5")
    declare(run, "2026-03", alusage="10", nicolas_jeudy="5", membre_a="5")
    declare(run, "2026-04", alusage="10", nicolas_jeudy="5", membre_a="5")
    doc = shares_json(run, "2026-05")
    energie = doc["groups"][1]
    assert energie["amount"] == "310.00"
    assert doc["total"] == "310.00"
    members = {s["member"] for s in doc["shares"]}
    assert "membre-b" in members  # not a member in May, but pays for February
    assert sum(float(s["amount"]) for s in doc["shares"]) == pytest.approx(310.0)
    # Feb surface part 48.76: alusage 20 × 28 = 560, nicolas 280, membre-b 10 × 20 = 200
    # (Σ 1040): 4876 × 560/1040 = 2625.53…, × 280/1040 = 1312.76…, × 200/1040 = 937.69…
    # → 2625 (.53), 1312 (.76), 937 (.69); floors 4874: two cents left → nicolas (.76)
    # and membre-b (.69): 26.25, 13.13, 9.38.
    # Feb days part 48.77 (Σ 20 days): alusage 4877 × 10/20 = 2438.5, nicolas and
    # membre-b 1219.25 each → one cent left → alusage: 24.39, 12.19, 12.19.
    # membre-b's May call: 9.38 + 12.19 = 21.57.
    assert energie["shares"]["membre-b"] == "21.57"


def test_post_twice_is_byte_identical(ws: Path, run: Cli) -> None:
    first = run("shares", "le97", "--month", "2026-01", "--post")
    assert first.exit_code == 0, first.output
    assert "call L2026-0001 to alusage" in first.output
    after_first = snapshot(ws)
    second = run("shares", "le97", "--month", "2026-01", "--post")
    assert second.exit_code == 0, second.output
    assert "Nothing to write" in second.output
    assert snapshot(ws) == after_first
    host = (ws / "ledgers/myceliandre/2026/01.beancount").read_text(encoding="utf-8")
    assert host.count("^le97-2026-01-") == 3
    assert 'call: "L2026-0003"' in host
    mirror = (ws / "ledgers/alusage/2026/01.beancount").read_text(encoding="utf-8")
    assert "^le97-2026-01-alusage" in mirror
    assert "Passif:Fournisseurs:Myceliandre  -600.00 EUR" in mirror
    assert run("check").exit_code == 0


def test_post_through_a_real_process(ws: Path) -> None:
    result = run_subprocess(
        "--workspace", str(ws), "shares", "le97", "--month", "2026-02", "--post"
    )
    assert result.returncode == 0, result.stderr
    before = snapshot(ws)
    again = run_subprocess("--workspace", str(ws), "shares", "le97", "--month", "2026-02", "--post")
    assert again.returncode == 0, again.stderr
    assert snapshot(ws) == before


def test_changed_shares_refused_then_replaced(ws: Path, run: Cli) -> None:
    assert run("shares", "le97", "--month", "2026-01", "--post").exit_code == 0
    add_text(
        ws,
        "myceliandre",
        "2026-01",
        bill("2026-01-20", "Charges:Le97:ChargesLocatives", "31.00", "Proprietaire"),
    )
    before = snapshot(ws)
    refused = run("shares", "le97", "--month", "2026-01", "--post")
    assert refused.exit_code == 4
    assert "'alusage-ledger shares le97 --month 2026-01 --post --replace'" in " ".join(
        refused.output.split()
    )
    assert snapshot(ws) == before
    replaced = run("shares", "le97", "--month", "2026-01", "--post", "--replace")
    assert replaced.exit_code == 0, replaced.output
    host = (ws / "ledgers/myceliandre/2026/01.beancount").read_text(encoding="utf-8")
    assert 'cancels: "L2026-0001"' in host
    assert 'call: "L2026-0004"' in host  # the new call takes the next number
    assert host.count("^le97-2026-01-alusage") == 3  # call, reversal, new call
    assert run("check").exit_code == 0
    doc = shares_json(run, "2026-01")
    assert doc["total"] == "1231.00"
    again = snapshot(ws)
    assert run("shares", "le97", "--month", "2026-01", "--post", "--replace").exit_code == 0
    assert snapshot(ws) == again


def test_replacing_a_lettered_call_keeps_the_letter_balanced(ws: Path, run: Cli) -> None:
    assert run("shares", "le97", "--month", "2026-01", "--post").exit_code == 0
    paid = run("pay", "nicolas-jeudy", "300", "--place", "le97", "--date", "2026-02-05")
    assert paid.exit_code == 0, paid.output
    assert "letter AA" in paid.output
    add_text(
        ws,
        "myceliandre",
        "2026-01",
        bill("2026-01-20", "Charges:Le97:ChargesLocatives", "31.00", "Proprietaire"),
    )
    assert run("shares", "le97", "--month", "2026-01", "--post", "--replace").exit_code == 0
    # The reversal and the new call come the day after the letter: the letter still balances.
    host = (ws / "ledgers/myceliandre/2026/02.beancount").read_text(encoding="utf-8")
    assert '2026-02-06 * "Nicolas Jeudy" "Appel de charges Le 97 - 2026-01"' in host
    assert run("check").exit_code == 0
    rest = run("pay", "nicolas-jeudy", "7.75", "--place", "le97", "--date", "2026-02-07")
    assert "letter AB" in rest.output
    assert run("check").exit_code == 0


def test_closed_month_is_refused(ws: Path, run: Cli) -> None:
    add_text(ws, "myceliandre", "2026-01", '\n2026-02-01 custom "alusage-close" "2026-01" "x"\n')
    before = snapshot(ws)
    result = run("shares", "le97", "--month", "2026-01", "--post")
    assert result.exit_code == 4
    assert "closed" in result.output
    assert snapshot(ws) == before
    usage = run("usage", "set", "le97", "alusage", "--month", "2026-01", "--days", "3")
    assert usage.exit_code == 4
    assert snapshot(ws) == before


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("shares", "le98", "--month", "2026-01"), 2, "Unknown place 'le98'"),
        (("shares", "le97", "--month", "2099-01", "--post"), 2, "in the future"),
        (("shares", "le97", "--month", "2026-13"), 2, "is not a month"),
        (("shares", "le97", "--month", "2026-03", "--post"), 2, "no declared days of use"),
        (("pay", "zorro", "10", "--place", "le97"), 2, "Unknown member 'zorro'"),
        (("pay", "alusage", "0,001", "--place", "le97"), 2, "positive amount"),
        (("pay", "alusage", "0", "--place", "le97"), 2, "positive amount"),
        (("pay", "alusage", "10", "--place", "le97", "--date", "2099-01-01"), 2, "future"),
        (("statement", "zorro", "--place", "le97"), 2, "Unknown member"),
        (
            ("usage", "set", "le97", "membre-a", "--month", "2026-02", "--days", "3"),
            2,
            "not a member",
        ),
        (("usage", "set", "le97", "alusage", "--month", "2026-02", "--days", "29"), 2, "more than"),
        (("usage", "set", "le97", "alusage", "--month", "2099-02", "--days", "2"), 2, "future"),
        (("balances", "nowhere"), 2, "Unknown place"),
    ],
)
def test_bad_input_changes_nothing(
    ws: Path, run: Cli, args: tuple[str, ...], code: int, message: str
) -> None:
    add_text(
        ws,
        "myceliandre",
        "2026-03",
        bill("2026-03-20", "Charges:Le97:Energie", "90.00", "Energie"),
    )
    before = snapshot(ws)
    result = run(*args)
    assert result.exit_code == code, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert result.output.count("Error:") == 1
    assert snapshot(ws) == before


def test_all_zero_weights(ws: Path, run: Cli) -> None:
    config = ws / "alusage.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + '\n[[places.le97.charges]]\nname = "menage"\naccounts = ["Charges:Le97:Menage"]\n'
        'key = "desks"\n',
        encoding="utf-8",
    )
    accounts = ws / "ledgers/myceliandre/accounts.beancount"
    if "Charges:Le97:Menage" not in accounts.read_text(encoding="utf-8"):
        add_text(
            ws,
            "myceliandre",
            "2026-01",
            '\n2026-01-01 open Charges:Le97:Menage EUR\n  pcg: "6283"\n  label: "Nettoyage"\n',
        )
    add_text(
        ws, "myceliandre", "2026-02", bill("2026-02-27", "Charges:Le97:Menage", "80.00", "Energie")
    )
    before = snapshot(ws)
    result = run("shares", "le97", "--month", "2026-02", "--post")
    assert result.exit_code == 2
    assert "every weight of the key desks is zero" in result.output
    assert snapshot(ws) == before


def test_config_errors_name_the_field(ws: Path, run: Cli) -> None:
    config = ws / "alusage.toml"
    good = config.read_text(encoding="utf-8")
    cases = [
        (good.replace('key = "surface"', 'key = "area"'), "places.le97.charges.0.key"),
        (
            good.replace('surface_m2 = "20"', "surface_m2 = 20.5"),
            "places.le97.members.0.surface_m2",
        ),
        (good.replace('host = "myceliandre"', 'host = "nobody"'), "places.le97.host"),
        (good.replace('entity = "alusage"', 'entity = "alusagee"'), "places.le97.members.0.entity"),
        (good.replace("until = 2026-02-20", "until = 2025-02-20"), "places.le97.members.3"),
        (
            good.replace('receivable = "Actif:Usagers:Le97"', 'receivable = "actif"'),
            "places.le97.receivable",
        ),
    ]
    for text, field in cases:
        config.write_text(text, encoding="utf-8")
        result = run("shares", "le97", "--month", "2026-01")
        assert result.exit_code == 3, (field, result.output)
        assert field in result.output, (field, result.output)
    config.write_text(good, encoding="utf-8")


# --------------------------------------------------------------------------- usage


def test_usage_set_import_list(ws: Path, run: Cli, tmp_path: Path) -> None:
    sheet = tmp_path / "presence.csv"
    sheet.write_text("membre;jours\nalusage;15\nnicolas-jeudy;8,5\n", encoding="utf-8")
    result = run("usage", "import", "le97", str(sheet), "--month", "2026-03")
    assert result.exit_code == 0, result.output
    before = snapshot(ws)
    again = run("usage", "import", "le97", str(sheet), "--month", "2026-03")
    assert "nothing written" in again.output
    assert snapshot(ws) == before
    declare(run, "2026-03", membre_a="2")
    declare(run, "2026-03", membre_a="3")  # the last one wins
    listing = run("--json", "usage", "list", "le97", "--month", "2026-03")
    doc = json.loads(listing.stdout)
    assert {m["member"]: m["declared_days"] for m in doc["members"]} == {
        "alusage": "15",
        "membre-a": "3",
        "nicolas-jeudy": "8.5",
    }
    text = (ws / "ledgers/myceliandre/2026/03.beancount").read_text(encoding="utf-8")
    assert '2026-03-31 custom "alusage-usage" "le97" "nicolas-jeudy" 8.5' in text


def test_usage_import_errors_by_line(ws: Path, run: Cli, tmp_path: Path) -> None:
    sheet = tmp_path / "bad.csv"
    sheet.write_text("member;days\nalusage;abc\nzorro;3\nmembre-a;2\n", encoding="utf-8")
    before = snapshot(ws)
    result = run("usage", "import", "le97", str(sheet), "--month", "2026-03")
    assert result.exit_code == 1
    assert "bad.csv:2:" in result.output
    assert "bad.csv:3:" in result.output
    assert snapshot(ws) == before
    latin = tmp_path / "latin.csv"
    latin.write_bytes("membre;jours\nalusage;3\n# é\n".encode("latin-1"))
    result = run("usage", "import", "le97", str(latin), "--month", "2026-03")
    assert result.exit_code == 1
    assert "UTF-8" in result.output


# --------------------------------------------------------------------------- pay, statement


def test_pay_letter_statement_balances(ws: Path, run: Cli) -> None:
    assert run("shares", "le97", "--month", "2026-01", "--post").exit_code == 0
    assert run("shares", "le97", "--month", "2026-02", "--post").exit_code == 0
    paid = run("pay", "alusage", "1246,15", "--place", "le97", "--date", "2026-03-05")
    assert paid.exit_code == 0, paid.output
    # 600.00 (January) + 646.15 (February): both calls settled by one payment, lettered.
    assert "letter AA" in paid.output
    host = (ws / "ledgers/myceliandre/2026/03.beancount").read_text(encoding="utf-8")
    assert (
        '2026-03-05 custom "alusage-letter" Actif:Usagers:Le97:Alusage "AA" '
        '"le97-2026-01-alusage" "le97-2026-02-alusage"'
    ) in host
    mirror = (ws / "ledgers/alusage/2026/03.beancount").read_text(encoding="utf-8")
    assert "Actif:Banque:Courant" in mirror and "-1246.15 EUR" in mirror
    partial = run("pay", "membre-b", "100", "--place", "le97", "--date", "2026-03-06")
    assert partial.exit_code == 0
    # Paid in part: a partial letter (lower case), no VAT moved (docs/purchases-and-lettering.md).
    assert "letter aa on the account of membre-b" in partial.output
    assert "vat" not in partial.output.lower()
    assert run("check").exit_code == 0

    statement = run("--json", "statement", "alusage", "--place", "le97", "--period", "2026")
    doc = json.loads(statement.stdout)
    assert doc["opening"] == "0.00"
    assert doc["closing"] == "0.00"
    assert [line["kind"] for line in doc["lines"]] == ["call", "call", "payment"]
    assert doc["lines"][0]["groups"] == [
        {"group": "loyer", "covers": "2026-01", "amount": "600.00"}
    ]
    balances = json.loads(run("--json", "balances", "le97", "--as-of", "2026-03-31").stdout)
    by_member = {b["member"]: b["balance"] for b in balances["members"]}
    # membre-b: 300.00 (January) + 230.77 (February, 20 of 28 days) − 100.00 paid.
    assert by_member == {
        "alusage": "0.00",
        "membre-a": "0.00",
        "membre-b": "430.77",
        "nicolas-jeudy": "623.08",
    }
    # The rest paid: the partial letter becomes final (same code, in capitals).
    rest = run("pay", "membre-b", "430,77", "--place", "le97", "--date", "2026-03-20")
    assert rest.exit_code == 0, rest.output
    assert "letter AA on the account of membre-b" in rest.output
    assert run("check").exit_code == 0


def test_statement_markdown_golden(ws: Path, run: Cli) -> None:
    assert run("shares", "le97", "--month", "2026-01", "--post").exit_code == 0
    assert (
        run("pay", "nicolas-jeudy", "300", "--place", "le97", "--date", "2026-02-10").exit_code == 0
    )
    result = run(
        "statement",
        "nicolas-jeudy",
        "--place",
        "le97",
        "--period",
        "2026-01..2026-02",
        "--format",
        "md",
        lang="fr",
    )
    assert result.exit_code == 0, result.output
    golden = GOLDEN / "statement-nicolas-jeudy.fr.md"
    if os.environ.get("ALUSAGE_REGEN_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == golden.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- check rules


def test_a_period_in_year_zero_is_reported_like_any_malformed_period(ws: Path, run: Cli) -> None:
    add_text(
        ws,
        "myceliandre",
        "2026-01",
        bill("2026-01-20", "Charges:Le97:Energie", "31.00", "Energie", "0000-01"),
    )
    message = "period '0000-01' is not a month or a range of months"
    check = run("check")
    assert check.exit_code == 1
    assert message in check.output
    shares = run("shares", "le97", "--month", "2026-01")
    assert shares.exit_code == 1
    assert message in shares.output


def test_check_finds_an_unbalanced_link(ws: Path, run: Cli) -> None:
    assert run("shares", "le97", "--month", "2026-01", "--post").exit_code == 0
    path = ws / "ledgers/nicolas-jeudy/2026/01.beancount"
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        "Charges:Locations:Le97            300.00 EUR",
        "Charges:Locations:Le97            290.00 EUR",
    )
    text = text.replace(
        "Passif:Fournisseurs:Myceliandre  -300.00 EUR",
        "Passif:Fournisseurs:Myceliandre  -290.00 EUR",
    )
    path.write_text(text, encoding="utf-8")
    result = run("check")
    assert result.exit_code == 1
    assert "^le97-2026-01-nicolas-jeudy is not balanced" in result.output


def test_check_finds_a_member_account_that_would_change(ws: Path, run: Cli) -> None:
    assert run("shares", "le97", "--month", "2026-01", "--post").exit_code == 0
    config = ws / "alusage.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            'id = "membre-b"\nname = "Membre B"',
            'id = "membre-b"\nname = "Membre B"\naccount = "MembreBis"',
        ),
        encoding="utf-8",
    )
    result = run("check")
    assert result.exit_code == 1
    assert 'add account = "MembreB"' in result.output


# --------------------------------------------------------------------------- month-end


def test_month_end_step_posts_every_place(ws: Path) -> None:
    from alusage_ledger.books import monthend
    from alusage_ledger.books.ledger import Workspace

    assert "alusage_ledger.domains.places.monthend" in monthend.STEP_MODULES
    steps = dict(monthend.steps())  # loads the modules of STEP_MODULES
    workspace = Workspace.open(ws)
    lines = steps["shares"](workspace, Month.parse("2026-01"), dry_run=False)
    assert lines == ["le97: 3 call(s) posted for 2026-01, 1200.00 in all."]
    before = snapshot(ws)
    workspace = Workspace.open(ws)
    assert steps["shares"](workspace, Month.parse("2026-01"), dry_run=False) == [
        "le97: the shares of 2026-01 are already posted."
    ]
    assert snapshot(ws) == before


def test_vat_on_calls_pending_until_paid(ws: Path, run: Cli) -> None:
    """vat = "20": the host credits VAT pending (44588); Alusage (VAT-registered) books it
    as deductible pending (44586), Nicolas Jeudy (franchise) in the expense; once a call
    is paid and lettered, the pending VAT becomes due / deductible on both sides."""
    config = ws / "alusage.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            'host = "myceliandre"\n', 'host = "myceliandre"\nvat = "20"\n'
        ),
        encoding="utf-8",
    )
    assert run("shares", "le97", "--month", "2026-01", "--post").exit_code == 0
    host = (ws / "ledgers/myceliandre/2026/01.beancount").read_text(encoding="utf-8")
    assert "Actif:Usagers:Le97:Alusage    720.00 EUR" in host
    assert "Passif:Etat:TVAEnAttente     -120.00 EUR" in host
    alusage = (ws / "ledgers/alusage/2026/01.beancount").read_text(encoding="utf-8")
    assert "Actif:Etat:TVADeductibleEnAttente   120.00 EUR" in alusage
    micro = (ws / "ledgers/nicolas-jeudy/2026/01.beancount").read_text(encoding="utf-8")
    assert 'vat: "non-deductible"' in micro
    paid = run("pay", "alusage", "720", "--place", "le97", "--date", "2026-02-02")
    assert paid.exit_code == 0, paid.output
    assert "VAT of the calls lettered AA" in paid.output
    february = (ws / "ledgers/myceliandre/2026/02.beancount").read_text(encoding="utf-8")
    assert "Passif:Etat:TVACollectee  -120.00 EUR" in february
    theirs = (ws / "ledgers/alusage/2026/02.beancount").read_text(encoding="utf-8")
    assert "Actif:Etat:TVADeductible            120.00 EUR" in theirs
    result = run("check")
    assert result.exit_code == 0, result.output


def test_dry_run_writes_nothing(ws: Path, run: Cli) -> None:
    before = snapshot(ws)
    result = run("shares", "le97", "--month", "2026-01", "--post", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "(dry run) myceliandre: call L2026-0001 to alusage" in result.output
    paid = run("pay", "membre-b", "10", "--place", "le97", "--date", "2026-02-02", "--dry-run")
    assert paid.exit_code == 0, paid.output
    assert snapshot(ws) == before


def test_today_can_be_set_for_reproducible_runs(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALUSAGE_TODAY", "2026-01-15")
    result = Cli(ws)("shares", "le97", "--month", "2026-02")
    assert result.exit_code == 2
    assert "2026-02 is in the future (today is 2026-01-15)" in result.output


def test_posted_calls_warn_at_the_franchise_thresholds_of_the_host(ws: Path, run: Cli) -> None:
    """The calls are turnover of the host (708): a host under the franchise hears where its
    year stands when they are posted (domains/sales/thresholds.py)."""
    config = ws / "alusage.toml"
    text = config.read_text("utf-8").replace(
        "[entities.nicolas-jeudy]",
        '[[entities.myceliandre.vat]]\nsince = 2026-01-01\nregime = "franchise"\n'
        'services_threshold = "1000"\nservices_threshold_major = "1100"\n\n'
        "[entities.nicolas-jeudy]",
        1,
    )
    assert text != config.read_text("utf-8")
    config.write_text(text, "utf-8")
    result = run("shares", "le97", "--month", "2026-01", "--post")
    assert result.exit_code == 0, result.output
    assert (
        "warning: the turnover of myceliandre for 2026 (services) is €1,200.00, past the seuil "
        "majoré of €1,100.00: the franchise ended on 2026-01-31"
    ) in result.output
