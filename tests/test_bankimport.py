"""Bank statement parsing, references and rules: the pure core of ``import bank``.

Every reference layout (copies of ../shared/samples/bank in tests/fixtures/bank, plus the
documented variants) is read with its dates, amounts and signs; amounts and dates in the
French forms; encodings never guessed; bank-refs stable; rules validated.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alusage_ledger.core.errors import ConfigError, UsageError
from alusage_ledger.core.money import MoneyError
from alusage_ledger.integrations.bank.matching import names
from alusage_ledger.integrations.bank.profiles import BUILTIN_PROFILES, date_pattern
from alusage_ledger.integrations.bank.refs import bank_refs
from alusage_ledger.integrations.bank.rules import load_rules, parse_rules
from alusage_ledger.integrations.bank.statement import (
    StatementError,
    load_statement,
    parse_bank_amount,
    parse_date,
)

FIXTURES = Path(__file__).parent / "fixtures" / "bank"
D = Decimal


def read(name: str, profile: str = "auto", rules: str | None = None):  # type: ignore[no-untyped-def]
    ruleset = load_rules(FIXTURES / rules) if rules else None
    return load_statement((FIXTURES / name).read_bytes(), name, profile, ruleset)


def rows(statement) -> list[tuple[int, date, Decimal, str]]:  # type: ignore[no-untyped-def]
    return [(line.line, line.date, line.amount, line.label) for line in statement.lines]


# --------------------------------------------------------------------------- layouts


def test_credit_mutuel_debit_credit_columns() -> None:
    statement = read("credit-mutuel.csv")
    assert (statement.profile, statement.layout, statement.encoding) == (
        "credit-mutuel",
        "credit-mutuel",
        "iso-8859-15",
    )
    assert rows(statement) == [
        (2, date(2026, 11, 3), D("-1250.00"), "PRLV SEPA SCI BATTANT LOYER NOV"),
        (3, date(2026, 11, 5), D("480.00"), "VIR SEPA ASSOCIATION LES JARDINS F2026-0041"),
        (4, date(2026, 11, 7), D("-143.27"), "PRLV SEPA EDF ELEC 10/2026"),
        (5, date(2026, 11, 12), D("300.00"), "VIR ATELIER GRAPHIQUE LE97 NOV"),
        (6, date(2026, 11, 15), D("-39.99"), "PRLV FREE PRO INTERNET"),
        (7, date(2026, 11, 28), D("-12.50"), "FRAIS TENUE DE COMPTE"),
    ]
    # The running balance "4 896,79" (space as thousands separator) of the last line.
    assert statement.closing is not None
    assert (statement.closing.amount, statement.closing.date) == (D("4896.79"), date(2026, 11, 29))
    assert statement.lines[0].balance == D("4312.55")


def test_credit_mutuel_single_signed_amount_column() -> None:
    """The variant with one ``Montant`` column: ``+``, no-break spaces, € in ISO-8859-15."""
    statement = read("credit-mutuel-montant.csv")
    assert statement.layout == "credit-mutuel/montant"
    assert rows(statement) == [
        (2, date(2026, 12, 2), D("-1250.00"), "PRLV SEPA SCI BATTANT LOYER DEC"),
        (3, date(2026, 12, 4), D("1200.00"), "VIR SEPA COOP DES TILLEULS"),
        (4, date(2026, 12, 10), D("-4.20"), "CB BOULANGERIE DU 97"),
        (5, date(2026, 12, 10), D("-4.20"), "CB BOULANGERIE DU 97"),
        (6, date(2026, 12, 15), D("-0.99"), "COMMISSION € INTERVENTION"),
    ]
    assert statement.lines[1].value_date == date(2026, 12, 5)
    assert statement.closing is not None and statement.closing.amount == D("4837.40")


def test_bpce_reference_payee_and_plus_sign() -> None:
    statement = read("bpce.csv")
    assert (statement.profile, statement.encoding) == ("bpce", "cp1252")
    assert rows(statement) == [
        (2, date(2026, 11, 3), D("-1250.00"), "PRLV SEPA SCI BATTANT LOYER NOV"),
        (3, date(2026, 11, 5), D("480.00"), "VIR SEPA ASSOCIATION LES JARDINS F2026-0041"),
        (4, date(2026, 11, 7), D("-143.27"), "PRLV SEPA EDF ELEC 10/2026"),
        (5, date(2026, 11, 12), D("300.00"), "VIR ATELIER GRAPHIQUE LE97 NOV"),
        (6, date(2026, 11, 28), D("-12.50"), "FRAIS TENUE DE COMPTE"),
    ]
    assert [line.reference for line in statement.lines][:2] == ["2611030001", "2611050002"]
    assert statement.lines[1].payee == "ASSOCIATION LES JARDINS"
    assert statement.closing is None  # this export gives no balance


def test_caisse_epargne_older_export_short_years_and_balance_lines() -> None:
    statement = read("caisse-epargne.csv")
    assert (statement.profile, statement.layout) == ("bpce", "bpce/caisse-epargne")
    assert rows(statement) == [
        (6, date(2026, 11, 3), D("-1250.00"), "PRLV SEPA SCI BATTANT"),
        (7, date(2026, 11, 5), D("480.00"), "VIR SEPA ASSOCIATION LES JARDINS"),
        (8, date(2026, 11, 28), D("-12.50"), "FRAIS TENUE DE COMPTE"),
    ]
    # "Solde en fin de période" with the end date of the download: asserted the day after.
    assert statement.closing is not None
    assert (statement.closing.amount, statement.closing.date) == (D("2987.50"), date(2026, 12, 1))


def test_banque_postale_preamble_newest_first() -> None:
    statement = read("banque-postale.csv")
    assert (statement.profile, statement.encoding) == ("banque-postale", "cp1252")
    assert rows(statement) == [
        (8, date(2026, 11, 28), D("-12.50"), "FRAIS TENUE DE COMPTE"),
        (9, date(2026, 11, 15), D("-39.99"), "PRLV FREE PRO INTERNET"),
        (10, date(2026, 11, 12), D("300.00"), "VIR ATELIER GRAPHIQUE LE97 NOV"),
        (11, date(2026, 11, 5), D("480.00"), "VIR SEPA ASSOCIATION LES JARDINS F2026-0041"),
    ]
    assert statement.closing is not None
    assert (statement.closing.amount, statement.closing.date) == (D("2104.61"), date(2026, 11, 30))


def test_banque_postale_older_export_with_francs() -> None:
    statement = read("banque-postale-francs.csv")
    assert rows(statement) == [
        (9, date(2001, 1, 30), D("-45.73"), "CHEQUE N° 1234567"),
        (10, date(2001, 1, 15), D("152.45"), "VIREMENT DE M. DUPONT"),
    ]
    assert statement.closing is not None and statement.closing.amount == D("1234.56")


def test_generic_profile_from_the_rules_file() -> None:
    statement = read("generic-nef.csv", "generic", "generic-nef.toml")
    assert (statement.profile, statement.encoding) == ("nef", "utf-8")
    assert rows(statement) == [
        (3, date(2026, 11, 3), D("1200.00"), "Virement reçu ATELIER GRAPHIQUE LE97 NOV"),
        (4, date(2026, 11, 7), D("-143.27"), "Prélèvement EDF ELEC 10/2026"),
        (5, date(2026, 11, 28), D("-12.50"), "Frais COTISATION CARTE"),
    ]
    assert [line.reference for line in statement.lines] == ["N-001", "N-002", "N-003"]
    # auto finds it too, once the rules file describes it
    assert read("generic-nef.csv", "auto", "generic-nef.toml").profile == "nef"


def test_each_builtin_profile_by_name() -> None:
    for name, fixture in (
        ("credit-mutuel", "credit-mutuel.csv"),
        ("bpce", "bpce.csv"),
        ("banque-postale", "banque-postale.csv"),
    ):
        assert read(fixture, name).profile == name
    assert set(BUILTIN_PROFILES) == {"credit-mutuel", "bpce", "banque-postale"}


# --------------------------------------------------------------------------- bad files


def bad(tmp_path: Path, content: bytes, profile: str = "auto") -> str:
    path = tmp_path / "releve.csv"
    path.write_bytes(content)
    with pytest.raises(StatementError) as caught:
        load_statement(content, "releve.csv", profile, None)
    return caught.value.message


def test_unknown_layout(tmp_path: Path) -> None:
    message = bad(tmp_path, b"when;what;how much\r\n2026-11-03;coffee;-2.00\r\n")
    assert message.startswith("releve.csv:1: unknown layout")


def test_utf8_file_for_an_iso_8859_15_profile_is_refused(tmp_path: Path) -> None:
    content = (FIXTURES / "credit-mutuel.csv").read_bytes().decode("iso-8859-15")
    message = bad(tmp_path, content.encode("utf-8"))
    assert message.startswith("releve.csv:1: this file is UTF-8 encoded")
    assert "iso-8859-15" in message


def test_cp1252_bytes_read_as_iso_8859_15_are_refused(tmp_path: Path) -> None:
    """0x92 is ’ in cp1252 and a control character in ISO-8859-15: never mojibake."""
    content = (FIXTURES / "credit-mutuel.csv").read_bytes().replace(b"FREE PRO", b"FREE\x92PRO")
    message = bad(tmp_path, content)
    assert message.startswith("releve.csv:6: byte 0x92 is a control character in iso-8859-15")


def test_undefined_cp1252_byte(tmp_path: Path) -> None:
    content = (FIXTURES / "bpce.csv").read_bytes().replace(b"EDF ELEC", b"EDF\x81ELEC")
    message = bad(tmp_path, content)
    assert message.startswith("releve.csv:4: byte 0x81 is not a character in cp1252")


def test_malformed_amount_and_date(tmp_path: Path) -> None:
    source = (FIXTURES / "credit-mutuel.csv").read_bytes()
    message = bad(tmp_path, source.replace(b"-143,27", b"-143,2,7"))
    assert message.startswith("releve.csv:4: the amount '-143,2,7' in column 'Débit'")
    message = bad(tmp_path, source.replace(b"12/11/2026;12/11/2026", b"31/11/2026;12/11/2026"))
    assert message.startswith("releve.csv:5: the date '31/11/2026' in column 'Date'")
    message = bad(tmp_path, source.replace(b";;480,00;", b";-480,00;480,00;"))
    assert "exactly one of the columns 'Débit' and 'Crédit'" in message
    message = bad(tmp_path, source.replace(b";;480,00;", b";;-480,00;"))
    assert message.startswith("releve.csv:3: the credit '-480,00' is negative")


def test_wrong_profile_named(tmp_path: Path) -> None:
    message = bad(tmp_path, (FIXTURES / "bpce.csv").read_bytes(), "banque-postale")
    assert message.startswith("releve.csv:1: unknown layout: the header of the banque-postale")
    with pytest.raises(UsageError):
        load_statement(b"", "x.csv", "societe-generale", None)
    with pytest.raises(UsageError):
        load_statement(b"", "x.csv", "generic", None)


# --------------------------------------------------------------------------- amounts, dates


@given(
    cents=st.integers(min_value=-(10**11), max_value=10**11),
    separator=st.sampled_from(["", " ", "\u00a0", "\u202f", "."]),
    plus=st.booleans(),
)
def test_french_amounts_round_trip(cents: int, separator: str, plus: bool) -> None:
    """Any amount written the French way (comma, grouped thousands, ``+``) reads back."""
    value = Decimal(cents).scaleb(-2)
    digits = f"{abs(cents) // 100:,}".replace(",", separator)
    text = f"{'-' if cents < 0 else ('+' if plus else '')}{digits},{abs(cents) % 100:02d}"
    assert parse_bank_amount(text, ",") == value


@given(cents=st.integers(min_value=-(10**11), max_value=10**11))
def test_decimal_point_amounts_round_trip(cents: int) -> None:
    value = Decimal(cents).scaleb(-2)
    assert parse_bank_amount(f"{value:,.2f}", ".") == value
    assert parse_bank_amount(f"{value:.2f}", ".") == value


@pytest.mark.parametrize(
    ("text", "mark"),
    [
        ("1,234.56", ","),
        ("1.234,56", "."),
        ("12,345", ","),
        ("1.5", ","),
        ("12 34,00", ","),
        ("", ","),
    ],
)
def test_malformed_amounts(text: str, mark: str) -> None:
    with pytest.raises(MoneyError):
        parse_bank_amount(text, mark)


def test_thousands_with_the_other_mark() -> None:
    assert parse_bank_amount("1.234", ",") == D("1234.00")
    assert parse_bank_amount("1.234.567,89", ",") == D("1234567.89")
    assert parse_bank_amount("1,234", ".") == D("1234.00")


def test_dates() -> None:
    french = [date_pattern("JJ/MM/AAAA"), date_pattern("JJ/MM/AA")]
    assert parse_date("05/11/2026", french) == date(2026, 11, 5)
    assert parse_date("05/11/26", french) == date(2026, 11, 5)
    assert parse_date("2026-11-05", french) is None
    assert parse_date("31/02/2026", french) is None
    assert parse_date("2026-11-05", [date_pattern("AAAA-MM-JJ")]) == date(2026, 11, 5)
    assert parse_date("05.11.2026", [date_pattern("DD.MM.YYYY")]) == date(2026, 11, 5)
    for wrong in ("JJ/MM", "JJ/MM/AAAA/AA", "QQ/MM/AAAA"):
        with pytest.raises(ValueError):
            date_pattern(wrong)


# --------------------------------------------------------------------------- bank-ref


def test_bank_refs_stable_and_distinct_for_identical_lines() -> None:
    statement = read("credit-mutuel-montant.csv")
    refs = bank_refs(statement.lines, "Actif:Banque:Courant")
    assert refs == bank_refs(statement.lines, "Actif:Banque:Courant")
    assert len(set(refs)) == len(refs)  # the two "CB BOULANGERIE DU 97" of 10/12 differ
    assert all(ref.startswith("sha256:") and len(ref) == 7 + 24 for ref in refs)
    # An overlapping statement that starts on 10/12 gives the same references.
    assert bank_refs(statement.lines[2:], "Actif:Banque:Courant") == refs[2:]
    # Another account, other references.
    assert set(bank_refs(statement.lines, "Actif:Banque:Livret")).isdisjoint(refs)


def test_bank_refs_use_the_bank_reference() -> None:
    statement = read("bpce.csv")
    assert bank_refs(statement.lines, "Actif:Banque:Courant")[0] == "2611030001"
    twice = [statement.lines[0], statement.lines[0]]
    assert bank_refs(twice, "X") == ["2611030001", "2611030001#2"]


def test_names() -> None:
    label = "VIR SEPA ASSOCIATION LES JARDINS F2026-0041"
    assert names(label, "Association Les Jardins")
    assert names(label, "F2026-0041")
    assert names("VIR F20260041 MERCI", "F2026-0041")
    assert not names(label, "F2026-0004")
    assert not names(label, "Jardins du Doubs")
    assert not names("VIR ASSOCIATION LES JARDINSIERS", "Association Les Jardins")
    assert not names(label, "LE")  # too short to mean anything
    assert names("PRLV EDF ELEC", "EDF")
    assert names("VIR MYCÉLIANDRE SCIC", "Mycéliandre")


# --------------------------------------------------------------------------- rules


def test_rules_match_in_order_with_sign_and_range() -> None:
    rules = parse_rules(
        """
[[rule]]
pattern = "frais|commission"
sign = "debit"
max = "50"
account = "Charges:Banque:Frais"
tags = ["banque"]

[[rule]]
pattern = "électricité|EDF"
account = "Charges:Energie"
pcg = "6061"
""",
        "rules.toml",
    )
    assert rules.first_match("FRAIS TENUE DE COMPTE", D("-12.50")).number == 1  # type: ignore[union-attr]
    assert rules.first_match("FRAIS TENUE DE COMPTE", D("12.50")) is None  # a credit
    assert rules.first_match("FRAIS DE DOSSIER", D("-120.00")) is None  # above max
    assert rules.first_match("PRLV ELECTRICITE", D("-80.00")).number == 2  # type: ignore[union-attr]
    assert rules.first_match("VIR EDF REMBOURSEMENT", D("30.00")).number == 2  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[[rule]]\npattern = '('\naccount = 'Charges:X'\n", "rule.1.pattern: not a valid regular"),
        ("[[rule]]\npattern = 'x'\naccount = 'charges:x'\n", "rule.1.account: not an account"),
        ("[[rule]]\npattern = 'x'\naccount = 'Charges:X'\nsign = 'out'\n", "rule.1.sign"),
        (
            "[[rule]]\npattern = 'x'\naccount = 'Charges:X'\nmax = 12.5\n",
            "write the amount as text",
        ),
        (
            "[[rule]]\npattern = 'x'\naccount = 'Charges:X'\nmin = '9'\nmax = '1'\n",
            "min is above max",
        ),
        ("[[rule]]\npattern = 'x'\naccount = 'Charges:X'\ncolour = 'red'\n", "unknown field"),
        ("[[rule]]\npattern = 'x'\naccount = 'Charges:X'\ntags = ['a b']\n", "the tag 'a b'"),
        ("[[rule]]\npattern = 'x'\n", "rule.1.account: this field is required"),
        ("[[rule]\npattern = 'x'\n", "the TOML syntax is invalid"),
        ("[profile]\nencoding = 'ebcdic'\n", "unknown encoding 'ebcdic'"),
        ("[profile]\ndate_format = 'MM/AAAA'\n", "unknown date format"),
        ("[profile]\nencoding = 'utf-8'\n[profile.columns]\ndate = 'D'\nlabel = 'L'\n", "either"),
        ("[profile.columns]\ndate = 'D'\nlabel = 'L'\namount = 'M'\n", "profile.encoding: say"),
    ],
)
def test_bad_rules_files(text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_rules(text, "rules.toml")
    assert caught.value.message.startswith("rules.toml: ")
    assert expected in caught.value.message


def test_missing_rules_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_rules(tmp_path / "nope.toml")
    assert "Cannot read the rules file" in caught.value.message


# --------------------------------------------------------------------------- hostile text


@given(label=st.text(min_size=1, max_size=120), reference=st.text(max_size=20))
def test_any_label_is_written_safely_or_refused_with_its_line(label: str, reference: str) -> None:
    """Quotes, backslashes, newlines, NUL, bidi controls, ledger syntax in a label or a
    reference: the line either reads back as exactly the intended entry (W1/W2), or is
    refused as a bad line of the file; never a broken ledger."""
    import csv
    import io

    from alusage_ledger.books.validate import format_entries, roundtrip_check, validate_entry
    from alusage_ledger.integrations.bank.entries import line_entry
    from alusage_ledger.integrations.bank.statement import read_statement

    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Date de comptabilisation", "Libelle simplifie", "Libelle operation",
                     "Reference", "Debit", "Credit"])  # fmt: skip
    writer.writerow(["05/11/2026", label, label + "\n2026-01-01 open Assets:Evil", reference,
                     "", "+480,00"])  # fmt: skip
    raw = out.getvalue().encode("utf-8")
    profile = replace(BUILTIN_PROFILES["bpce"], encoding="utf-8")
    try:
        statement = read_statement(raw, "hostile.csv", profile)
    except StatementError as exc:
        assert exc.message.startswith("hostile.csv:")
        return
    (line,) = statement.lines
    entry = line_entry(line, line.reference or "ref", "Assets:Bank", None, "Assets:Suspense")
    validate_entry(entry, {"Assets:Bank", "Assets:Suspense"}, ("Assets", "Liabilities",
                   "Equity", "Income", "Expenses"))  # fmt: skip
    roundtrip_check(format_entries([entry]), "", [entry])
    assert "\n" not in line.label and "open Assets:Evil" in line.label
