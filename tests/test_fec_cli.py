"""``export fec``: golden FECs of the example, --verify on mutated copies, balances against
beanquery, encodings and separators, the closed path, refusals and exit codes.

Golden files live in ``tests/golden/fec/``; ``ALUSAGE_REGEN_GOLDEN=1`` rewrites them.
The example's months are not closed in the repository, so its golden FECs are
provisional (``--allow-open``) with a fixed export date (``ALUSAGE_TODAY``); the final
(closed) path is proven on a small workspace whose close directives the test plants.
"""

from __future__ import annotations

import os
import textwrap
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import Cli, run_subprocess, snapshot

from alusage_ledger import __version__
from alusage_ledger.outputs.fec.fields import FIELDS, parse_fec_number

GOLDEN = Path(__file__).resolve().parent / "golden" / "fec"
REGEN = os.environ.get("ALUSAGE_REGEN_GOLDEN") == "1"
TODAY = "2026-12-15"
EXAMPLE = {"alusage": "917426355", "myceliandre": "930281571"}


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALUSAGE_TODAY", TODAY)


def _rows(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("iso-8859-15")
    sep = "\t" if "\t" in text.split("\r\n", 1)[0] else "|"
    return [line.split(sep) for line in text.split("\r\n")[:-1]]


def _export(cli: Cli, entity: str, out: Path, *extra: str) -> Path:
    result = cli(
        "export", "fec", "--entity", entity, "--exercice", "2026", "--out", str(out), *extra
    )
    assert result.exit_code == 0, result.output
    return out / f"{EXAMPLE.get(entity, '123456782')}FEC20261231.txt"


# --------------------------------------------------------------------------- golden


@pytest.mark.parametrize("entity", sorted(EXAMPLE))
def test_golden_fec_of_the_example(cli: Cli, tmp_path: Path, entity: str) -> None:
    out = tmp_path / "out"
    fec = _export(cli, entity, out, "--allow-open")
    description = fec.with_name(fec.name.replace(".txt", "-description.txt"))
    expected_dir = GOLDEN / entity
    version = f"alusage-ledger {__version__} ".encode()
    for path in (fec, description):
        golden = expected_dir / path.name
        # The description names the tool's version; a release must not break the golden.
        got = path.read_bytes().replace(version, b"alusage-ledger VERSION ")
        if REGEN:
            expected_dir.mkdir(parents=True, exist_ok=True)
            golden.write_bytes(got)
        assert got == golden.read_bytes(), f"{path.name} differs from {golden}"
    text = description.read_text(encoding="utf-8")
    assert "STATUT : PROVISOIRE" in text and "2026-01, 2026-02" in text
    assert f"SIREN : {EXAMPLE[entity]}" in text
    rows = _rows(fec)
    assert rows[0] == list(FIELDS)
    assert rows[1][0] == "AN" and rows[1][2] == "AN000001"
    assert {r[15] for r in rows[1:]} == {"20261215"}

    verified = cli("export", "fec", "--verify", str(fec))
    assert verified.exit_code == 0, verified.output
    assert "valid FEC" in verified.output


def test_export_is_reproducible_and_leaves_the_workspace_alone(
    cli: Cli, example_ws: Path, tmp_path: Path
) -> None:
    before = snapshot(example_ws)
    first = _export(cli, "alusage", tmp_path / "a", "--allow-open")
    second = _export(cli, "alusage", tmp_path / "a", "--allow-open")
    assert first == second
    again = _export(cli, "alusage", tmp_path / "b", "--allow-open")
    assert first.read_bytes() == again.read_bytes()
    assert snapshot(example_ws) == before


# --------------------------------------------------------------------------- verify


Mutation = Callable[[list[str]], str]


def _find(lines: list[str], predicate: Callable[[list[str]], bool]) -> int:
    return next(i for i, line in enumerate(lines) if i and predicate(line.split("\t")))


def _missing_field(lines: list[str]) -> str:
    i = _find(lines, lambda c: c[2] == "VT000001")
    lines[i] = "\t".join(lines[i].split("\t")[:-1])
    return f":{i + 1}: this line has 17 fields; the header has 18."


def _thousands(lines: list[str]) -> str:
    i = _find(lines, lambda c: c[11] == "14000,00")
    lines[i] = lines[i].replace("14000,00", "14 000,00")
    return f":{i + 1}: Debit '14 000,00' has a thousands separator"


def _dot_decimal(lines: list[str]) -> str:
    i = _find(lines, lambda c: c[2] == "VT000001" and c[12] != "0,00")
    cells = lines[i].split("\t")
    cells[12] = cells[12].replace(",", ".")
    lines[i] = "\t".join(cells)
    return f":{i + 1}: Credit '{cells[12]}' uses a point"


def _unbalanced(lines: list[str]) -> str:
    i = _find(lines, lambda c: c[2] == "VT000002")
    cells = lines[i].split("\t")
    side = 11 if cells[11] != "0,00" else 12
    cells[side] = "1,00"
    lines[i] = "\t".join(cells)
    return f":{i + 1}: entry VT000002 (journal VT, lines {i + 1}-"


def _gap(lines: list[str]) -> str:
    doomed = [i for i, line in enumerate(lines) if "\tVT000003\t" in line]
    after = next(i for i, line in enumerate(lines) if "\tVT000004\t" in line)
    for i in reversed(doomed):
        del lines[i]
    return (
        f":{after + 1 - len(doomed)}: the numbering of journal VT jumps from VT000002 to "
        "VT000004: 1 number(s) missing."
    )


@pytest.mark.parametrize(
    "mutation",
    [_missing_field, _thousands, _dot_decimal, _unbalanced, _gap],
    ids=lambda m: m.__name__,
)
def test_verify_fails_on_mutated_copies_naming_the_line(
    cli: Cli, tmp_path: Path, mutation: Mutation
) -> None:
    fec = _export(cli, "alusage", tmp_path / "out", "--allow-open")
    lines = fec.read_bytes().decode("utf-8").split("\r\n")
    expected = mutation(lines)
    copy = tmp_path / fec.name
    copy.write_bytes("\r\n".join(lines).encode("utf-8"))
    result = cli("export", "fec", "--verify", str(copy))
    assert result.exit_code == 1, result.output
    assert f"{copy}{expected}" in result.output, result.output
    assert "error(s) found" in result.output


def test_verify_json_and_missing_file(cli: Cli, tmp_path: Path) -> None:
    fec = _export(cli, "myceliandre", tmp_path, "--allow-open")
    result = cli("--json", "export", "fec", "--verify", str(fec))
    assert result.exit_code == 0, result.output
    import json

    document = json.loads(result.output)
    assert document["ok"] is True and document["errors"] == []
    assert document["journals"]["AN"] == 1 and document["separator"] == "tab"
    missing = cli("export", "fec", "--verify", str(tmp_path / "nope.txt"))
    assert missing.exit_code == 2
    assert "does not exist" in missing.output


# --------------------------------------------------------------------------- balances


@pytest.mark.parametrize("entity", sorted(EXAMPLE))
def test_fec_balances_equal_beanquery(
    cli: Cli, example_ws: Path, tmp_path: Path, entity: str
) -> None:
    """Debits minus credits per account in the FEC = beanquery's balances of the exercice."""
    from beancount.core import data

    from alusage_ledger.books.ledger import Workspace
    from alusage_ledger.books.query import run_query

    fec = _export(cli, entity, tmp_path, "--allow-open")
    by_number: dict[str, Decimal] = defaultdict(Decimal)
    by_aux: dict[str, Decimal] = defaultdict(Decimal)
    for cells in _rows(fec)[1:]:
        amount = parse_fec_number(cells[11]) - parse_fec_number(cells[12])
        by_number[cells[4]] += amount
        if cells[6]:
            by_aux[cells[6]] += amount

    ledger = Workspace.open(example_ws).load_checked(entity)
    pcg = {e.account: e.meta["pcg"] for e in ledger.entries if isinstance(e, data.Open)}
    _columns, rows = run_query(
        ledger,
        "SELECT account, sum(number) AS total "
        "WHERE date >= 2026-01-01 AND date <= 2026-12-31 AND currency = 'EUR' "
        "GROUP BY account ORDER BY account",
    )
    expected_number: dict[str, Decimal] = defaultdict(Decimal)
    expected_aux: dict[str, Decimal] = defaultdict(Decimal)
    for account, total in rows:
        amount = Decimal(total)
        expected_number[pcg[account]] += amount
        if pcg[account] in ("401", "411", "467") or account.startswith("Actif:Usagers:"):
            expected_aux[pcg[account] + account.split(":")[-1]] += amount
    nonzero = lambda d: {k: v for k, v in d.items() if v}  # noqa: E731
    assert nonzero(by_number) == nonzero(expected_number)
    assert nonzero(by_aux) == nonzero(expected_aux)
    assert by_number  # the comparison is not vacuous
    # The opening entry is part of it: the bank's opening balance is in the FEC.
    assert any(cells[0] == "AN" for cells in _rows(fec)[1:])


# --------------------------------------------------------------------------- formats


def test_both_encodings_and_separators_verify(cli: Cli, tmp_path: Path) -> None:
    reference = _rows(_export(cli, "myceliandre", tmp_path / "ref", "--allow-open"))
    for encoding in ("utf-8", "iso-8859-15"):
        for separator in ("tab", "pipe"):
            out = tmp_path / f"{encoding}-{separator}"
            fec = _export(
                cli,
                "myceliandre",
                out,
                "--allow-open",
                "--encoding",
                encoding,
                "--separator",
                separator,
            )
            data = fec.read_bytes()
            text = data.decode(encoding)
            sep = "\t" if separator == "tab" else "|"
            assert text.split("\r\n", 1)[0] == sep.join(FIELDS)
            if encoding == "iso-8859-15":
                with pytest.raises(UnicodeDecodeError):
                    data.decode("utf-8")  # really Latin-9: "Mycéliandre" has an é
            description = fec.with_name(fec.name.replace(".txt", "-description.txt"))
            assert "Mycéliandre" in description.read_bytes().decode(encoding)
            result = cli("export", "fec", "--verify", str(fec))
            assert result.exit_code == 0, result.output
            assert f"{encoding}, {separator})" in result.output
            assert _rows(fec) == reference


# --------------------------------------------------------------------------- closed path


CONFIG = """\
[workspace]
locale = "fr_FR"
currency = "EUR"
allowed_plugins = []

[entities.coop]
name = "Coop Test SAS"
kind = "sas"
ledger = "ledgers/coop/main.beancount"
siren = "123456782"
exercice_start = "01-01"
books_start = "2026-01"
"""

ROOTS = textwrap.dedent(
    """\
    option "name_assets" "Actif"
    option "name_liabilities" "Passif"
    option "name_equity" "Capitaux"
    option "name_income" "Produits"
    option "name_expenses" "Charges"
    """
)

ACCOUNTS = """
2026-01-01 commodity EUR

2026-01-01 open Actif:Banque:Courant EUR
  pcg: "5121"
  label: "Banques - compte courant"

2026-01-01 open Actif:Clients:CoopDesTilleuls EUR
  pcg: "411"
  label: "Clients"

2026-01-01 open Capitaux:Capital EUR
  pcg: "1013"
  label: "Capital souscrit - appelé, versé"

2026-01-01 open Produits:Prestations EUR
  pcg: "706"
  label: "Prestations de services"

2026-01-01 open Charges:Honoraires EUR
  pcg: "6226"
  label: "Honoraires"
"""

JANUARY = """
2026-01-01 * "Reprise des soldes" #ouverture
  journal: "AN"
  Actif:Banque:Courant        2000.00 EUR
  Capitaux:Capital           -2000.00 EUR

2026-01-15 * "Coop des Tilleuls" "Facture F2026-0001" ^F2026-0001
  invoice: "F2026-0001"
  client: "Coop des Tilleuls"
  Actif:Clients:CoopDesTilleuls   500.00 EUR
  Produits:Prestations           -500.00 EUR
"""

JUNE = """
2026-06-10 * "Coop des Tilleuls" "Règlement F2026-0001" ^F2026-0001
  invoice: "F2026-0001"
  Actif:Banque:Courant            500.00 EUR
  Actif:Clients:CoopDesTilleuls  -500.00 EUR

2026-06-12 * "Cabinet Vauban" "Honoraires"
  Charges:Honoraires      100.00 EUR
  Actif:Banque:Courant   -100.00 EUR

2026-06-30 custom "alusage-letter" Actif:Clients:CoopDesTilleuls "AA" "F2026-0001"
"""


def _close(month: int) -> str:
    year, next_month = (2027, 1) if month == 12 else (2026, month + 1)
    return (
        f'{year}-{next_month:02d}-01 custom "alusage-close" "2026-{month:02d}" "digest{month}"\n'
        f"  closed-on: {year}-{next_month:02d}-03\n"
    )


def _small_ws(root: Path, closed: range = range(1, 13), *, letters: bool = True) -> Path:
    folder = root / "ledgers" / "coop"
    (folder / "2026").mkdir(parents=True)
    (root / "alusage.toml").write_text(CONFIG, encoding="utf-8")
    files = {
        "accounts.beancount": ACCOUNTS,
        "2026/01.beancount": JANUARY,
        "2026/06.beancount": JUNE if letters else JUNE.split("2026-06-30 custom")[0],
        "2026/closes.beancount": "\n".join(_close(m) for m in closed),
    }
    main = ROOTS + 'option "operating_currency" "EUR"\n\n'
    for name, text in files.items():
        (folder / name).write_text(ROOTS + text, encoding="utf-8")
        main += f'include "{name}"\n'
    (folder / "main.beancount").write_text(main, encoding="utf-8")
    return root


def test_closed_exercice_exports_a_final_fec(tmp_path: Path) -> None:
    ws = _small_ws(tmp_path / "ws")
    cli = Cli(ws)
    out = tmp_path / "out"
    fec = _export(cli, "coop", out)
    rows = _rows(fec)
    assert [(r[2], r[3], r[15]) for r in rows[1:]] == [
        ("AN000001", "20260101", "20260203"),
        ("AN000001", "20260101", "20260203"),
        ("VT000001", "20260115", "20260203"),
        ("VT000001", "20260115", "20260203"),
        ("BQ000001", "20260610", "20260703"),
        ("BQ000001", "20260610", "20260703"),
        ("BQ000002", "20260612", "20260703"),
        ("BQ000002", "20260612", "20260703"),
    ]
    lettered = [(r[2], r[6], r[13], r[14]) for r in rows[1:] if r[13]]
    assert lettered == [
        ("VT000001", "411CoopDesTilleuls", "AA", "20260630"),
        ("BQ000001", "411CoopDesTilleuls", "AA", "20260630"),
    ]
    description = out / "123456782FEC20261231-description.txt"
    assert "STATUT : DÉFINITIF" in description.read_text(encoding="utf-8")
    first = fec.read_bytes()
    _export(cli, "coop", out)
    assert fec.read_bytes() == first
    assert cli("export", "fec", "--verify", str(fec)).exit_code == 0


def test_months_closed_and_lettered_by_the_tool_itself(tmp_path: Path) -> None:
    """The real ``letter`` and ``close`` write what the FEC reads (EcritureLet, ValidDate)."""
    from alusage_ledger.books.ledger import Workspace
    from alusage_ledger.domains.closing.close import close_through

    ws = _small_ws(tmp_path / "ws", closed=range(0), letters=False)
    cli = Cli(ws)
    refused = cli("export", "fec", "-e", "coop", "--exercice", "2026", "--out", str(tmp_path))
    assert refused.exit_code == 4, refused.output
    lettered = cli("letter", "--entity", "coop")
    assert lettered.exit_code == 0, lettered.output
    closed = close_through(Workspace.open(ws), "2027-01-10")
    assert [str(r.month) for r in closed][-1] == "2026-12"
    fec = _export(cli, "coop", tmp_path / "out")
    rows = _rows(fec)[1:]
    assert {r[15] for r in rows} == {"20270110"}
    lettered_rows = [(r[2], r[6], r[14]) for r in rows if r[13]]
    assert lettered_rows == [
        ("VT000001", "411CoopDesTilleuls", "20260610"),
        ("BQ000001", "411CoopDesTilleuls", "20260610"),
    ]
    assert len({r[13] for r in rows if r[13]}) == 1
    assert cli("export", "fec", "--verify", str(fec)).exit_code == 0


def test_open_months_are_refused_and_nothing_is_written(tmp_path: Path) -> None:
    ws = _small_ws(tmp_path / "ws", closed=range(1, 11))
    before = snapshot(ws)
    out = tmp_path / "out"
    result = Cli(ws)("export", "fec", "--entity", "coop", "--exercice", "2026", "--out", str(out))
    assert result.exit_code == 4, result.output
    assert "months that are not closed: 2026-11, 2026-12" in result.output
    assert "--allow-open" in result.output
    assert not out.exists()
    assert snapshot(ws) == before
    french = Cli(ws)(
        "export", "fec", "--entity", "coop", "--exercice", "2026", "--out", str(out), lang="fr"
    )
    assert french.exit_code == 4
    assert "ne sont pas clôturés : 2026-11, 2026-12" in french.output
    # --allow-open: closed months keep their close date, open ones the export date.
    fec = _export(Cli(ws), "coop", out, "--allow-open")
    assert {(r[3][:6], r[15]) for r in _rows(fec)[1:]} == {
        ("202601", "20260203"),
        ("202606", "20260703"),
    }
    assert "PROVISOIRE" in (out / "123456782FEC20261231-description.txt").read_text("utf-8")


def test_accounts_without_pcg_are_listed_in_one_error(tmp_path: Path) -> None:
    ws = _small_ws(tmp_path / "ws")
    accounts = ws / "ledgers" / "coop" / "accounts.beancount"
    text = accounts.read_text(encoding="utf-8")
    accounts.write_text(
        text.replace('  pcg: "706"\n', "").replace('  pcg: "6226"\n', ""), encoding="utf-8"
    )
    before = snapshot(ws)
    result = Cli(ws)(
        "export", "fec", "--entity", "coop", "--exercice", "2026", "--out", str(tmp_path / "o")
    )
    assert result.exit_code == 1, result.output
    assert result.output.count("Error:") == 1
    assert "2 account(s) of coop have no PCG number" in result.output
    assert "Charges:Honoraires, Produits:Prestations" in result.output
    assert "ledgers/coop/accounts.beancount:" in result.output
    assert snapshot(ws) == before and not (tmp_path / "o").exists()


# --------------------------------------------------------------------------- usage and I/O


def test_bad_usage_exit_codes(cli: Cli, example_ws: Path, tmp_path: Path) -> None:
    cases = [
        (("export", "fec", "--entity", "alusage"), 2, "Give --entity and --exercice"),
        (
            ("export", "fec", "-e", "alusage", "--exercice", "2026", "--encoding", "cp1252"),
            2,
            "cp1252",
        ),
        (("export", "fec", "-e", "alusage", "--exercice", "2026", "--separator", ";"), 2, "';'"),
        (("export", "fec", "--verify", "x.txt", "--entity", "alusage"), 2, "--entity"),
        (("export", "fec", "-e", "alusage", "--exercice", "26"), 2, "between 1900 and 2099"),
        (("export", "fec", "-e", "alusgae", "--exercice", "2026"), 2, "Unknown entity"),
    ]
    before = snapshot(example_ws)
    for args, code, text in cases:
        result = cli(*args, "--out", str(tmp_path / "o")) if "--verify" not in args else cli(*args)
        assert result.exit_code == code, (args, result.output)
        assert text in result.output, (args, result.output)
    assert snapshot(example_ws) == before and not (tmp_path / "o").exists()


def test_missing_siren_is_a_config_error(tmp_path: Path) -> None:
    ws = _small_ws(tmp_path / "ws")
    config = ws / "alusage.toml"
    config.write_text(config.read_text().replace('siren = "123456782"\n', ""), encoding="utf-8")
    result = Cli(ws)(
        "export", "fec", "--entity", "coop", "--exercice", "2026", "--out", str(tmp_path)
    )
    assert result.exit_code == 3, result.output
    assert "entities.coop.siren is required" in result.output


def test_io_failure_is_exit_5(tmp_path: Path) -> None:
    ws = _small_ws(tmp_path / "ws")
    cli = Cli(ws)
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    result = cli("export", "fec", "-e", "coop", "--exercice", "2026", "--out", str(blocker / "d"))
    assert result.exit_code == 5, result.output
    assert "Cannot create the folder" in result.output
    out = tmp_path / "out"
    (out / "123456782FEC20261231.txt").mkdir(parents=True)  # the target is a folder
    result = cli("export", "fec", "-e", "coop", "--exercice", "2026", "--out", str(out))
    assert result.exit_code == 5, result.output
    assert "Cannot write" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["123456782FEC20261231.txt"]


def test_json_summary(tmp_path: Path) -> None:
    import json

    ws = _small_ws(tmp_path / "ws")
    result = Cli(ws)(
        "--json", "export", "fec", "-e", "coop", "--exercice", "2026", "--out", str(tmp_path)
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["provisional"] is False and document["open_months"] == []
    assert (document["lines"], document["entries"]) == (8, 4)
    assert document["debit"] == document["credit"] == "3100.00"
    assert [j["code"] for j in document["journals"]] == ["AN", "BQ", "VT"]
    assert document["file"].endswith("123456782FEC20261231.txt")


def test_real_process(tmp_path: Path) -> None:
    ws = _small_ws(tmp_path / "ws")
    out = tmp_path / "out"
    done = run_subprocess(
        "--workspace", str(ws), "export", "fec", "--entity", "coop", "--exercice", "2026",
        "--out", str(out), "--separator", "pipe", "--encoding", "iso-8859-15",
        env={"ALUSAGE_TODAY": TODAY},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    fec = out / "123456782FEC20261231.txt"
    checked = run_subprocess("export", "fec", "--verify", str(fec))
    assert checked.returncode == 0, checked.stderr
    assert "valid FEC (8 lines, 4 entries, iso-8859-15, pipe)" in checked.stdout
    fec.write_bytes(fec.read_bytes().replace(b"|500,00|", b"|500.00|", 1))
    broken = run_subprocess("export", "fec", "--verify", str(fec))
    assert broken.returncode == 1
    assert f"{fec}:4: Debit '500.00' uses a point" in broken.stdout
