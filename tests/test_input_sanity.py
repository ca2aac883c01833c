"""Input sanity before booking (issue 22, items 3 and 4): wrong input is refused, not booked.

One table: each case is a command on a copy of the example workspace that must exit with
its documented code, say one sentence (in English and in French) and leave every file of
the workspace byte-identical. A few cases also run through the real console script.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import Cli, run_subprocess, snapshot

FIXTURES = Path(__file__).parent / "fixtures" / "bank"
TODAY = "2026-12-20"  # the example's books run to November; the bank fixtures to mid-December


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALUSAGE_TODAY", TODAY)


def bank_file(
    name: str, old: str, new: str, encoding: str = "iso-8859-15", *, whole_line: bool = False
) -> Callable[[Path], Path]:
    """A fixture statement with ``old`` replaced by ``new`` (or, ``whole_line``, the line
    starting with ``old``)."""

    def make(folder: Path) -> Path:
        text = (FIXTURES / name).read_bytes().decode(encoding)
        assert old in text, old
        if whole_line:
            rows = text.split("\r\n")
            text = "\r\n".join(new if row.startswith(old) else row for row in rows)
        else:
            text = text.replace(old, new, 1)
        path = folder / "releve.csv"
        path.write_bytes(text.encode(encoding))
        return path

    return make


def bank(make: Callable[[Path], Path], *extra: str) -> Callable[[Path], list[str]]:
    def args(folder: Path) -> list[str]:
        return ["import", "bank", str(make(folder)), "-e", "alusage", *extra]

    return args


def fixed(*argv: str) -> Callable[[Path], list[str]]:
    return lambda _folder: list(argv)


@dataclass(frozen=True)
class Case:
    id: str
    argv: Callable[[Path], list[str]]  # from a scratch folder outside the workspace
    code: int
    en: str  # a fragment of the English sentence
    fr: str  # the same fragment in French
    env: dict[str, str] = field(default_factory=dict)
    prepare: Callable[[Path], None] | None = None  # changes the workspace before the run


CM = "credit-mutuel-montant.csv"

CASES = [
    # --- 3a: a bank line whose fields fail the profile's shape refuses the whole file
    Case(
        "bank-truncated-line",  # the repro: was booked as -0.90 with no payee
        bank(bank_file(CM, "15/12/2026;", "15/12/2026;15/12/2026;-0,9", whole_line=True)),
        1,
        "releve.csv:6: the line has 3 fields where the header has 5",
        "releve.csv:6 : la ligne a 3 champs alors que l'en-tête en a 5",
    ),
    Case(
        "bank-extra-field",
        bank(bank_file("credit-mutuel.csv", "PRLV FREE PRO", "PRLV FREE;PRO")),
        1,
        "releve.csv:6: the line has 7 fields where the header has 6",
        "releve.csv:6 : la ligne a 7 champs alors que l'en-tête en a 6",
    ),
    Case(
        "bank-amount-one-decimal",
        bank(bank_file(CM, ";-0,99;", ";-0,9;")),
        1,
        "releve.csv:6: the amount '-0,9' in column 'Montant' is not written with 2 decimals",
        "releve.csv:6 : le montant '-0,9' de la colonne 'Montant' n'est pas écrit avec 2 décimales",
    ),
    Case(
        "bank-amount-no-decimals",
        bank(bank_file("credit-mutuel.csv", ";-143,27;", ";-143;")),
        1,
        "releve.csv:4: the amount '-143' in column 'Débit' is not written with 2 decimals",
        "releve.csv:4 : le montant '-143' de la colonne 'Débit' n'est pas écrit avec 2 décimales",
    ),
    Case(
        "bank-empty-label",
        bank(bank_file(CM, "-4,20;CB BOULANGERIE DU 97;", "-4,20; ;")),
        1,
        "releve.csv:4: the line has no label (column 'Libellé')",
        "releve.csv:4 : la ligne n'a pas de libellé (colonne 'Libellé')",
    ),
    Case(
        "bank-date-after-the-statement-period",
        bank(bank_file("caisse-epargne.csv", "28/11/26;2611280005", "28/12/26;2611280005")),
        1,
        "releve.csv:8: the date 2026-12-28 is after 2026-11-30, the last day of the period",
        "releve.csv:8 : la date 2026-12-28 est postérieure au 2026-11-30, dernier jour",
    ),
    Case(
        "bank-date-before-the-statement-period",
        bank(bank_file("caisse-epargne.csv", "03/11/26;2611030001", "03/10/26;2611030001")),
        1,
        "releve.csv:6: the date 2026-10-03 is before 2026-11-01, the first day of the period",
        "releve.csv:6 : la date 2026-10-03 est antérieure au 2026-11-01, premier jour",
    ),
    Case(
        "bank-date-after-the-balance-date",
        bank(bank_file("banque-postale.csv", "28/11/2026;FRAIS", "30/11/2026;FRAIS", "cp1252")),
        1,
        "releve.csv:8: the date 2026-11-30 is after 2026-11-29",
        "releve.csv:8 : la date 2026-11-30 est postérieure au 2026-11-29",
    ),
]


INVOICE = ["invoice", "add", "-e", "alusage", "--client", "Les Jardins"]
ONE_LINE = ["--activity", "facilitation", "--amount-ht"]

CASES += [
    # --- 3d: a value given but empty is an error naming the option, never its default
    Case(
        "empty-date",  # the repro: --date "" silently meant today
        fixed(*INVOICE, *ONE_LINE, "100.00", "--date", ""),
        2,
        "The option --date is empty; give it a value or leave it out.",
        "L'option --date est vide ; donnez-lui une valeur ou omettez-la.",
    ),
    Case(
        "empty-date-with-equals",
        fixed(*INVOICE, *ONE_LINE, "100.00", "--date="),
        2,
        "The option --date is empty",
        "L'option --date est vide",
    ),
    Case(
        "blank-entity",
        fixed("bill", "add", "-e", "  ", "--supplier", "EDF", "--line", "6061:10.00"),
        2,
        "The option --entity is empty",
        "L'option --entity est vide",
    ),
    Case(
        "empty-repeated-line",
        fixed(*INVOICE, "--line", "facilitation:100.00", "--line", ""),
        2,
        "The option --line is empty",
        "L'option --line est vide",
    ),
    Case(
        "empty-workspace",  # of the root, before any command
        fixed("--workspace", "", "check"),
        2,
        "The option --workspace is empty",
        "L'option --workspace est vide",
    ),
    Case(
        "empty-argument",
        fixed("invoice", "pay", ""),
        2,
        "The argument NUMBER is empty; give it a value.",
        "L'argument NUMBER est vide ; donnez-lui une valeur.",
    ),
]


def config_text(text: str) -> Callable[[Path], None]:
    def prepare(ws: Path) -> None:
        (ws / "alusage.toml").write_text(text, encoding="utf-8")

    return prepare


CASES += [
    # --- 3e: alusage.toml without any entity is a configuration error, in one sentence
    Case(
        "config-without-entity",
        fixed("check"),
        3,
        "alusage.toml defines no entity; add an [entities.<id>] section",
        "alusage.toml ne définit aucune entité ; ajoutez une section [entities.<id>]",
        prepare=config_text('[workspace]\nlocale = "fr_FR"\n'),
    ),
    Case(
        "config-empty",  # the repro: passed check with zero entities
        fixed("check"),
        3,
        "alusage.toml defines no entity",
        "alusage.toml ne définit aucune entité",
        prepare=config_text(""),
    ),
]


def max_amount(value: str) -> Callable[[Path], None]:
    """``max_amount`` of alusage set to ``value`` in the workspace's alusage.toml."""

    def prepare(ws: Path) -> None:
        config = ws / "alusage.toml"
        text = config.read_text(encoding="utf-8")
        anchor = 'books_start = "2026-01"\n'
        assert anchor in text
        config.write_text(
            text.replace(anchor, anchor + f"max_amount = {value}\n", 1), encoding="utf-8"
        )

    return prepare


BILL = ["bill", "add", "-e", "alusage", "--supplier", "EDF", "--line", "6061:10.00"]
EXPENSE = ["expense", "add", "-e", "alusage", "--person", "Ana", "--account", "6257"]

CASES += [
    # --- 3b: a document dated after today is refused unless --allow-future
    Case(
        "future-invoice",  # the repro: then blocked every earlier 2027 invoice
        fixed(*INVOICE, *ONE_LINE, "100.00", "--date", "2027-06-01"),
        2,
        "The invoice date 2027-06-01 is after today (2026-12-20); record a document once it "
        "exists, or give --allow-future for a scheduled one.",
        "La date de facture 2027-06-01 est postérieure à aujourd'hui (2026-12-20)",
    ),
    Case(
        "future-invoice-today-from-the-environment",
        fixed(*INVOICE, *ONE_LINE, "100.00", "--date", "2026-12-20"),
        2,
        "The invoice date 2026-12-20 is after today (2026-12-19)",
        "La date de facture 2026-12-20 est postérieure à aujourd'hui (2026-12-19)",
        env={"ALUSAGE_TODAY": "2026-12-19"},
    ),
    Case(
        "future-bill",
        fixed(*BILL, "--date", "2026-12-21"),
        2,
        "The date 2026-12-21 is after today (2026-12-20)",
        "La date 2026-12-21 est postérieure à aujourd'hui (2026-12-20)",
    ),
    Case(
        "future-bill-piece-date",
        fixed(*BILL, "--date", "2026-12-20", "--piece-date", "2027-01-02"),
        2,
        "The piece date 2027-01-02 is after today (2026-12-20)",
        "La date de pièce 2027-01-02 est postérieure à aujourd'hui (2026-12-20)",
    ),
    Case(
        "future-expense",
        fixed(*EXPENSE, "--amount", "12.00", "--date", "2027-01-01"),
        2,
        "The date 2027-01-01 is after today (2026-12-20)",
        "La date 2027-01-01 est postérieure à aujourd'hui (2026-12-20)",
    ),
    Case(
        "future-bank-line",  # the repro: created 2030/12.beancount
        bank(bank_file(CM, "15/12/2026;15/12/2026;", "15/12/2030;15/12/2030;")),
        1,
        "releve.csv:6: the date 2030-12-15 is after today (2026-12-20)",
        "releve.csv:6 : la date 2030-12-15 est postérieure à aujourd'hui (2026-12-20)",
    ),
    # --- 3c: an amount above the entity's ceiling (max_amount, 10 000 000 by default)
    Case(
        "huge-invoice",  # the repro: a 10^26 EUR invoice was accepted
        fixed(*INVOICE, *ONE_LINE, "100000000000000000000000000.00"),
        2,
        "the amount 120000000000000000000000000.00 is above the ceiling of 10000000.00 of "
        "alusage (max_amount in alusage.toml)",
        "le montant 120000000000000000000000000.00 dépasse le plafond de 10000000.00 de alusage",
    ),
    Case(
        "invoice-just-above-the-ceiling",
        fixed(*INVOICE, *ONE_LINE, "8333333.34"),
        2,
        "on Actif:Clients:LesJardins, the amount 10000000.01 is above the ceiling",
        "sur Actif:Clients:LesJardins, le montant 10000000.01 dépasse le plafond",
    ),
    Case(
        "bank-line-above-a-lowered-ceiling",
        bank(bank_file(CM, "02/12/2026;", "02/12/2026;")),
        1,
        "releve.csv:2: the amount -1250.00 is above the ceiling of 1000.00 of alusage",
        "releve.csv:2 : le montant -1250.00 dépasse le plafond de 1000.00 de alusage",
        prepare=max_amount('"1000.00"'),
    ),
    Case(
        "ceiling-not-positive",
        fixed("check"),
        3,
        "entities.alusage.max_amount: expected an amount above zero",
        "entities.alusage.max_amount: attendu : un montant supérieur à zéro",
        prepare=max_amount('"0"'),
    ),
]


CASES += [
    # --- 4: Fava has no authentication: an address other than loopback needs --public
    Case(
        "fava-on-every-interface",  # the repro: listened everywhere, help said local
        fixed("fava", "--host", "0.0.0.0"),
        2,
        "Fava has no authentication: listening on 0.0.0.0 would let anyone who can reach "
        "this computer read the ledgers; leave --host out, or add --public to do it anyway.",
        "Fava n'a pas d'authentification : écouter sur 0.0.0.0 laisserait quiconque",
    ),
    Case(
        "fava-on-a-host-name",
        fixed("fava", "--host", "books.example.org", "--port", "5001"),
        2,
        "listening on books.example.org would let anyone",
        "écouter sur books.example.org laisserait quiconque",
    ),
]


def _one_sentence(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_refused_with_its_code_one_sentence_files_unchanged(
    example_ws: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    case: Case,
    lang: str,
) -> None:
    for name, value in case.env.items():
        monkeypatch.setenv(name, value)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    if case.prepare is not None:
        case.prepare(example_ws)
    argv = case.argv(scratch)
    before = snapshot(example_ws)
    result = Cli(example_ws)(*argv, lang=lang)
    assert result.exit_code == case.code, result.output
    line = _one_sentence(result.stderr)
    prefix = "Error: " if lang == "en" else "Erreur\u00a0: "
    assert line.startswith(prefix), line
    assert (case.en if lang == "en" else case.fr) in line, line
    assert snapshot(example_ws) == before


SUBPROCESS = [
    "bank-truncated-line",
    "empty-date",
    "empty-workspace",
    "config-empty",
    "future-invoice",
    "huge-invoice",
    "fava-on-every-interface",
]


@pytest.mark.parametrize("case", [c for c in CASES if c.id in SUBPROCESS], ids=lambda c: c.id)
def test_refused_through_the_console_script(example_ws: Path, tmp_path: Path, case: Case) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    if case.prepare is not None:
        case.prepare(example_ws)
    before = snapshot(example_ws)
    result = run_subprocess(
        "--workspace",
        str(example_ws),
        *case.argv(scratch),
        env={"ALUSAGE_TODAY": TODAY, **case.env},
    )
    assert result.returncode == case.code, result.stderr
    assert case.en in _one_sentence(result.stderr)
    assert snapshot(example_ws) == before


def test_a_byte_order_mark_in_alusage_toml_is_accepted(example_ws: Path, cli: Cli) -> None:
    """Windows editors save UTF-8 with a BOM; tomllib alone called it a syntax error."""
    config = example_ws / "alusage.toml"
    config.write_bytes(b"\xef\xbb\xbf" + config.read_bytes())
    before = snapshot(example_ws)
    result = cli("check")
    assert result.exit_code == 0, result.output
    assert snapshot(example_ws) == before


def test_allow_future_records_a_scheduled_invoice(example_ws: Path, cli: Cli) -> None:
    result = cli(*INVOICE, *ONE_LINE, "100.00", "--date", "2027-06-01", "--allow-future")
    assert result.exit_code == 0, result.output
    assert "F2027-0001" in (example_ws / "ledgers/alusage/2027/06.beancount").read_text()


def test_allow_future_imports_a_bank_line_dated_after_today(
    example_ws: Path, cli: Cli, tmp_path: Path
) -> None:
    path = bank_file(CM, "15/12/2026;15/12/2026;", "21/12/2026;21/12/2026;")(tmp_path)
    argv = ["import", "bank", str(path), "-e", "alusage", "--no-balance"]
    assert cli(*argv).exit_code == 1
    result = cli(*argv, "--allow-future")
    assert result.exit_code == 0, result.output
    assert "2026-12-21" in (example_ws / "ledgers/alusage/2026/12.beancount").read_text()


def test_a_raised_ceiling_accepts_a_larger_amount(example_ws: Path, cli: Cli) -> None:
    max_amount('"50000000.00"')(example_ws)
    result = cli(*INVOICE, *ONE_LINE, "20000000.00", "--date", "2026-12-20")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("host", "local"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.10", False),
        ("books.example.org", False),
    ],
)
def test_fava_listens_on_loopback_only_without_public(host: str, local: bool) -> None:
    from alusage_ledger.integrations.fava import is_loopback, public_host_problem

    assert is_loopback(host) is local
    assert (public_host_problem(host, public=False) is None) is local
    assert public_host_problem(host, public=True) is None


def test_fava_public_serves_with_a_warning(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    core = pytest.importorskip("fava.core")
    monkeypatch.setattr(core, "load_uncached", core.load_uncached)
    from alusage_ledger.integrations import fava

    served: list[tuple[str, int]] = []
    monkeypatch.setattr(fava, "serve", lambda _app, host, port: served.append((host, port)))
    result = cli("fava", "-e", "alusage", "--host", "0.0.0.0", "--public")
    assert result.exit_code == 0, result.output
    assert served == [("0.0.0.0", 5000)]
    assert result.stderr == (
        "Warning: Fava has no authentication: anyone who can reach 0.0.0.0:5000 reads every "
        "ledger served, until Ctrl-C.\n"
    )
    result = cli("fava", "-e", "alusage")  # loopback: no warning
    assert result.exit_code == 0, result.output
    assert served[-1] == ("127.0.0.1", 5000) and result.stderr == ""


def test_fava_help_says_it_has_no_authentication(cli: Cli) -> None:
    text = " ".join(cli("fava", "--help").stdout.split())
    assert "on this computer only: Fava has no authentication" in text
    assert "Another address needs --public" in text
    text = " ".join(cli("fava", "--help", lang="fr").stdout.split())
    assert "Fava n'a pas d'authentification" in text
