"""The FEC's pure core: values, rows from entries, rendering and the verifier."""

from __future__ import annotations

import textwrap
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alusage_ledger.core.errors import LedgerErrors, RefusedError, UsageError
from alusage_ledger.outputs import fec
from alusage_ledger.outputs.fec.build import build_fec
from alusage_ledger.outputs.fec.fields import (
    FIELDS,
    clean_text,
    fec_amount,
    parse_fec_number,
    transliterate,
)
from alusage_ledger.outputs.fec.rows import FecExport, FecLine, JournalSummary
from alusage_ledger.outputs.fec.settings import FecSettings, exercice_bounds
from alusage_ledger.outputs.fec.verifier import verify_fec
from alusage_ledger.outputs.fec.writer import render_fec

HEADER = textwrap.dedent(
    """\
    option "name_assets" "Actif"
    option "name_liabilities" "Passif"
    option "name_equity" "Capitaux"
    option "name_income" "Produits"
    option "name_expenses" "Charges"
    """
)

OPENS = textwrap.dedent(
    """\
    2026-01-01 commodity EUR
    2026-01-01 open Actif:Banque:Courant
      pcg: "5121"
      label: "Banques - compte courant"
    2026-01-01 open Actif:Clients:CoopDesTilleuls
      pcg: "411"
      label: "Clients"
    2026-01-01 open Passif:Fournisseurs:EnergieLocale
      pcg: "401"
      label: "Fournisseurs"
    2026-01-01 open Passif:NotesDeFrais:CamillePerrin
      pcg: "467"
      label: "Autres comptes débiteurs ou créditeurs"
    2026-01-01 open Actif:Usagers:Le97:NicolasJeudy
      pcg: "4581"
      label: "Usagers du 97"
    2026-01-01 open Capitaux:Capital
      pcg: "1013"
      label: "Capital souscrit - appelé, versé"
    2026-01-01 open Capitaux:Resultat
      pcg: "120"
      label: "Résultat de l'exercice (bénéfice)"
    2026-01-01 open Charges:Energie
      pcg: "6061"
      label: "Fournitures non stockables (eau, énergie)"
    2026-01-01 open Charges:Voyages
      pcg: "6251"
      label: "Voyages et déplacements"
    2026-01-01 open Produits:Prestations
      pcg: "706"
      label: "Prestations de services"
    """
)

PARENTS = ("Actif:Clients", "Passif:Fournisseurs", "Passif:NotesDeFrais", "Actif:Usagers:Le97")


def load(text: str, *, opens: str = OPENS) -> list[Any]:
    from beancount import loader

    entries, errors, _options = loader.load_string(HEADER + opens + textwrap.dedent(text))
    assert not errors, errors
    return list(entries)


def make_settings(tmp_path: Path, **changes: Any) -> FecSettings:
    values: dict[str, Any] = {
        "entity": "coop",
        "name": "Coop Test SAS",
        "siren": "123456782",
        "start": date(2026, 1, 1),
        "end": date(2026, 12, 31),
        "export_date": date(2026, 12, 15),
        "root": tmp_path,
        "allow_open": True,
        "third_party_parents": PARENTS,
    }
    values.update(changes)
    return FecSettings(**values)


def by_num(export: FecExport) -> dict[str, list[FecLine]]:
    out: dict[str, list[FecLine]] = {}
    for line in export.lines:
        out.setdefault(line.ecriture_num, []).append(line)
    return out


# --------------------------------------------------------------------------- values


def test_amounts_and_dates() -> None:
    assert fec_amount(Decimal("1234.5")) == "1234,50"
    assert fec_amount(Decimal("0")) == "0,00"
    assert fec_amount(Decimal("1234567.89")) == "1234567,89"
    assert fec.fec_date(date(2026, 1, 8)) == "20260108"
    assert parse_fec_number("1234,50") == Decimal("1234.50")
    assert parse_fec_number("-12,5") == Decimal("-12.5")
    assert parse_fec_number("12,50-") == Decimal("-12.50")
    assert parse_fec_number("12") == Decimal(12)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1 234,50", "thousands"),
        ("1\u202f234,50", "thousands"),
        ("1.234,50", "thousands"),
        ("1,234,50", "thousands"),
        ("1234.50", "point"),
        ("12a", "number"),
        ("", "number"),
        ("+-12", "number"),
    ],
)
def test_malformed_numbers_say_why(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_fec_number(text)


@settings(max_examples=300)
@given(st.decimals(min_value=-(10**12), max_value=10**12, places=2, allow_nan=False))
def test_amount_round_trip(value: Decimal) -> None:
    text = fec_amount(abs(value))
    assert "." not in text and " " not in text
    assert parse_fec_number(text) == abs(value)


@settings(max_examples=300)
@given(st.text())
def test_clean_text_is_one_safe_line(value: str) -> None:
    cleaned = clean_text(value)
    assert not set(cleaned) & set("\t|\r\n\x0b\x0c\x85\u2028\u2029")
    assert cleaned == cleaned.strip()
    assert "  " not in cleaned
    assert clean_text(cleaned) == cleaned
    latin = clean_text(transliterate(cleaned, "iso-8859-15"))
    latin.encode("iso-8859-15")
    assert not set(latin) & set("\t|\r\n")


def test_transliteration_keeps_french() -> None:
    assert transliterate("Cœur d’été – 5 € … «ok»", "iso-8859-15") == "Cœur d'été - 5 € ... «ok»"
    assert transliterate("Łódź", "iso-8859-15") == "?ódz"
    assert transliterate("Łódź", "utf-8") == "Łódź"


def test_exercice_bounds() -> None:
    assert exercice_bounds("01-01", 2026) == (date(2026, 1, 1), date(2026, 12, 31))
    assert exercice_bounds("07-01", 2026) == (date(2025, 7, 1), date(2026, 6, 30))
    with pytest.raises(UsageError):
        exercice_bounds("01-01", 26)


def test_export_date_from_environment() -> None:
    assert fec.export_date({"ALUSAGE_TODAY": "2026-12-15"}) == date(2026, 12, 15)
    with pytest.raises(UsageError, match="ALUSAGE_TODAY"):
        fec.export_date({"ALUSAGE_TODAY": "15/12/2026"})


def test_third_party_parents_and_names_from_roles_and_places(tmp_path: Path) -> None:
    from alusage_ledger.books.config import parse_config

    config = parse_config(
        textwrap.dedent(
            """\
            [entities.coop]
            name = "Coop"
            kind = "scic"
            ledger = "ledgers/coop/main.beancount"
            [entities.coop.accounts]
            clients = "Actif:Tiers:Clients"
            [entities.alusage]
            name = "Alusage SAS"
            kind = "sas"
            ledger = "ledgers/alusage/main.beancount"
            [places.le97]
            host = "coop"
            receivable = "Actif:Usagers:Le97"
            income = "Produits:Le97"
            mirror_expense = "Charges:Locations:Le97"
            [[places.le97.members]]
            id = "alusage"
            entity = "alusage"
            since = 2026-01-01
            [[places.le97.members]]
            id = "nicolas-jeudy"
            name = "Nicolas Jeudy"
            since = 2026-01-01
            [[places.le97.members]]
            id = "atelier"
            since = 2026-01-01
            """
        ),
        tmp_path / "alusage.toml",
    )
    assert fec.third_party_parents(config, "coop") == (
        "Actif:Tiers:Clients",
        "Passif:Fournisseurs",
        "Passif:NotesDeFrais",
        "Actif:Usagers:Le97",
    )
    assert fec.third_party_parents(config, "alusage") == (
        "Actif:Clients",
        "Passif:Fournisseurs",
        "Passif:NotesDeFrais",
    )
    assert fec.third_party_names(config, "coop") == {
        "Actif:Usagers:Le97:Alusage": "Alusage SAS",
        "Actif:Usagers:Le97:NicolasJeudy": "Nicolas Jeudy",
    }


# --------------------------------------------------------------------------- rows


LEDGER = """
2026-01-01 * "Reprise des soldes" #ouverture
  journal: "AN"
  Actif:Banque:Courant        1000.00 EUR
  Capitaux:Capital           -1000.00 EUR

2026-01-10 * "Coop des Tilleuls" "Facture F2026-0001" ^F2026-0001
  invoice: "F2026-0001"
  client: "Coop des Tilleuls"
  Actif:Clients:CoopDesTilleuls   600.00 EUR
  Produits:Prestations           -600.00 EUR

2026-01-20 * "Énergie locale" "Électricité | janvier" ^coop-E-55
  piece-ref: "E-55"
  Charges:Energie                 120.00 EUR
  Passif:Fournisseurs:EnergieLocale  -120.00 EUR

2026-02-05 * "Coop des Tilleuls" "Règlement F2026-0001" ^F2026-0001
  invoice: "F2026-0001"
  Actif:Banque:Courant            600.00 EUR
  Actif:Clients:CoopDesTilleuls  -600.00 EUR

2026-02-10 * "Énergie locale" "Paiement E-55" ^coop-E-55
  piece-ref: "E-55"
  Passif:Fournisseurs:EnergieLocale   120.00 EUR
  Actif:Banque:Courant               -120.00 EUR

2026-03-01 * "Camille Perrin" "Train pour Dijon"
  Charges:Voyages                  45.00 EUR
  Passif:NotesDeFrais:CamillePerrin  -45.00 EUR
  Charges:Energie                   0.00 EUR

2026-03-02 * "Énergie locale" "Régularisation 2025" ^coop-E-77
  piece-ref: "E-77"
  piece-date: 2026-01-28
  Charges:Energie                  30.00 EUR
  Passif:Fournisseurs:EnergieLocale  -30.00 EUR

2026-03-03 * "Appel du 97 - mars"
  member: "Nicolas Jeudy"
  Actif:Usagers:Le97:NicolasJeudy  150.00 EUR
  Produits:Prestations            -150.00 EUR

2026-03-04 * "Virement" "Sans pièce"
  journal: "OD"
  Actif:Banque:Courant   0.00 EUR
  Capitaux:Capital       0.00 EUR

2026-12-31 * "Clôture des comptes de gestion" #cloture
  journal: "CL"
  Produits:Prestations     750.00 EUR
  Charges:Energie         -150.00 EUR
  Charges:Voyages          -45.00 EUR
  Capitaux:Resultat       -555.00 EUR

2026-02-28 custom "alusage-letter" Actif:Clients:CoopDesTilleuls "AA" "F2026-0001"
2026-02-28 custom "alusage-letter" Passif:Fournisseurs:EnergieLocale "AB" "coop-E-55"
2026-02-01 custom "alusage-close" "2026-01" "d1"
  closed-on: 2026-02-03
"""


def test_rows_follow_the_mapping(tmp_path: Path) -> None:
    export = build_fec(load(LEDGER), make_settings(tmp_path))
    entries = by_num(export)
    # Opening first, then (date, file, line); journals by rule; closing excluded.
    assert list(entries) == [
        "AN000001",
        "VT000001",
        "AC000001",
        "BQ000001",
        "BQ000002",
        "OD000001",
        "AC000002",
        "OD000002",
    ]
    assert export.entries == 8
    assert [(j.code, j.entries, j.first, j.last) for j in export.journals] == [
        ("AN", 1, "AN000001", "AN000001"),
        ("AC", 2, "AC000001", "AC000002"),
        ("BQ", 2, "BQ000001", "BQ000002"),
        ("OD", 2, "OD000001", "OD000002"),
        ("VT", 1, "VT000001", "VT000001"),
    ]
    assert not any(line.account == "Capitaux:Resultat" for line in export.lines)
    # No zero line: the 0.00 posting is dropped; the all-zero entry is not numbered.
    assert all(line.debit or line.credit for line in export.lines)
    assert len(entries["OD000001"]) == 2

    invoice = entries["VT000001"]
    assert invoice[0].cells() == (
        "VT",
        "Ventes",
        "VT000001",
        "20260110",
        "411",
        "Clients",
        "411CoopDesTilleuls",
        "Coop des Tilleuls",
        "F2026-0001",
        "20260110",
        "Coop des Tilleuls - Facture F2026-0001",
        "600,00",
        "0,00",
        "AA",
        "20260228",
        "20260203",
        "",
        "",
    )
    assert invoice[1].comp_aux_num == "" and invoice[1].ecriture_let == ""
    receipt = entries["BQ000001"]
    assert receipt[0].piece_ref == "F2026-0001" and receipt[0].piece_date == date(2026, 1, 10)
    assert receipt[1].ecriture_let == "AA"
    assert receipt[0].valid_date == date(2026, 12, 15)  # February is open: export date
    bill = entries["AC000001"]
    assert bill[0].ecriture_lib == "Énergie locale - Électricité janvier"
    assert bill[1].comp_aux_num == "401EnergieLocale"
    assert bill[1].comp_aux_lib == "Énergie locale"
    assert bill[1].ecriture_let == "AB"
    payment = entries["BQ000002"]
    assert (payment[0].piece_ref, payment[0].piece_date) == ("E-55", date(2026, 1, 20))
    late = entries["AC000002"]
    assert (late[0].piece_ref, late[0].piece_date) == ("E-77", date(2026, 1, 28))
    expense = entries["OD000001"]
    assert expense[1].compte_num == "467"
    assert expense[1].comp_aux_num == "467CamillePerrin"
    assert expense[1].comp_aux_lib == "Camille Perrin"
    assert expense[0].piece_ref == "OD000001"  # no reference at all: the entry's number
    member = entries["OD000002"]
    assert member[0].comp_aux_num == "4581NicolasJeudy"
    assert member[0].comp_aux_lib == "Nicolas Jeudy"
    assert member[0].ecriture_lib == "Appel du 97 - mars"
    opening = entries["AN000001"]
    assert opening[0].journal_lib == "À-nouveaux"
    assert opening[0].valid_date == date(2026, 2, 3)
    assert tuple(map(str, export.open_months)) == tuple(f"2026-{m:02d}" for m in range(2, 13))
    assert export.provisional


def test_open_months_are_refused_and_listed(tmp_path: Path) -> None:
    with pytest.raises(RefusedError, match=r"2026-02, 2026-03, .*2026-12"):
        build_fec(load(LEDGER), make_settings(tmp_path, allow_open=False))


def test_all_months_closed_gives_a_final_file(tmp_path: Path) -> None:
    closes = "".join(
        f'{date(2026 + m // 12, m % 12 + 1, 1)} custom "alusage-close" "2026-{m:02d}" "d{m}"\n'
        f"  closed-on: {date(2026 + m // 12, m % 12 + 1, 5)}\n"
        for m in range(1, 13)
    )
    ledger = LEDGER.replace(
        '2026-02-01 custom "alusage-close" "2026-01" "d1"\n  closed-on: 2026-02-03\n', closes
    )
    export = build_fec(load(ledger), make_settings(tmp_path, allow_open=False))
    assert not export.provisional
    valid = {(line.ecriture_date.month, line.valid_date) for line in export.lines}
    assert valid == {(1, date(2026, 2, 5)), (2, date(2026, 3, 5)), (3, date(2026, 4, 5))}


def test_inventory_entries_are_validated_by_the_exercice_close(tmp_path: Path) -> None:
    closes = "".join(
        f'{date(2026 + m // 12, m % 12 + 1, 1)} custom "alusage-close" "2026-{m:02d}" "d{m}"\n'
        f"  closed-on: {date(2026 + m // 12, m % 12 + 1, 5)}\n"
        for m in range(1, 13)
    )
    inventory = """
2026-12-31 * "Cabinet Vauban" "Honoraires de clôture à payer" #inventaire
  Charges:Energie            80.00 EUR
  Passif:Fournisseurs:EnergieLocale  -80.00 EUR
"""
    ledger = (
        LEDGER.replace(
            '2026-02-01 custom "alusage-close" "2026-01" "d1"\n  closed-on: 2026-02-03\n', closes
        )
        + inventory
    )
    with pytest.raises(RefusedError, match="1 inventory entries"):
        build_fec(load(ledger), make_settings(tmp_path, allow_open=False))
    provisional = build_fec(load(ledger), make_settings(tmp_path, allow_open=True))
    assert provisional.provisional and provisional.pending_inventory == 1
    assert provisional.open_months == ()
    late = [x for x in provisional.lines if x.ecriture_date == date(2026, 12, 31)]
    assert {x.valid_date for x in late} == {date(2026, 12, 15)}
    closed = ledger + '2027-01-01 custom "alusage-close-exercice" "2026"\n  closed-on: 2027-03-01\n'
    final = build_fec(load(closed), make_settings(tmp_path, allow_open=False))
    assert not final.provisional
    late = [x for x in final.lines if x.ecriture_date == date(2026, 12, 31)]
    assert {x.valid_date for x in late} == {date(2027, 3, 1)}
    assert {x.valid_date for x in final.lines if x.ecriture_date.month == 1} == {date(2026, 2, 5)}


def test_books_start_limits_the_months_to_close(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, allow_open=False, books_start=date(2026, 2, 1))
    with pytest.raises(RefusedError) as caught:
        build_fec(load(LEDGER), settings)
    assert "2026-01" not in caught.value.message and "2026-02" in caught.value.message


def test_missing_pcg_numbers_are_one_error(tmp_path: Path) -> None:
    opens = OPENS.replace('  pcg: "706"\n', "").replace('  pcg: "6251"\n', "")
    with pytest.raises(LedgerErrors) as caught:
        build_fec(load(LEDGER, opens=opens), make_settings(tmp_path))
    error = caught.value
    assert "2 account(s)" in error.message
    assert "Charges:Voyages, Produits:Prestations" in error.message
    assert [p.message for p in error.problems] == [
        "Charges:Voyages has no PCG number (pcg metadata on its open).",
        "Produits:Prestations has no PCG number (pcg metadata on its open).",
    ]


def test_bad_pcg_journal_and_cents_are_reported(tmp_path: Path) -> None:
    opens = OPENS.replace('pcg: "706"', 'pcg: "7x6"')
    ledger = LEDGER.replace('journal: "OD"', 'journal: "O D"').replace(
        "Charges:Voyages                  45.00 EUR\n  Passif:NotesDeFrais:CamillePerrin  -45.00 EUR",
        "Charges:Voyages                  45.004 EUR\n  Passif:NotesDeFrais:CamillePerrin  -45.004 EUR",
    )
    with pytest.raises(LedgerErrors) as caught:
        build_fec(load(ledger, opens=opens), make_settings(tmp_path))
    messages = " | ".join(p.message for p in caught.value.problems)
    assert "journal code 'O D'" in messages
    assert "45.004" in messages and "more than 2 decimals" in messages
    assert "'7x6'" in messages


def test_foreign_currency_uses_the_euro_value(tmp_path: Path) -> None:
    ledger = """
2026-01-01 * "Reprise" #ouverture
  Actif:Banque:Courant        1000.00 EUR
  Capitaux:Capital           -1000.00 EUR
2026-01-05 * "Hôtel à Genève"
  Charges:Voyages     100.00 CHF @ 1.05 EUR
  Actif:Banque:Courant  -105.00 EUR
"""
    export = build_fec(load(ledger), make_settings(tmp_path))
    line = next(x for x in export.lines if x.account == "Charges:Voyages")
    assert (line.debit, line.montant_devise, line.idevise) == (
        Decimal("105.00"),
        Decimal("100.00"),
        "CHF",
    )
    assert line.cells()[16:] == ("100,00", "CHF")


def test_earlier_books_without_opening_entry_are_refused(tmp_path: Path) -> None:
    ledger = """
2025-06-01 * "Apport"
  Actif:Banque:Courant        1000.00 EUR
  Capitaux:Capital           -1000.00 EUR
2026-01-05 * "Facture" ^F1
  invoice: "F1"
  Actif:Clients:CoopDesTilleuls   10.00 EUR
  Produits:Prestations           -10.00 EUR
"""
    opens = OPENS.replace("2026-01-01", "2025-01-01")
    with pytest.raises(LedgerErrors, match="no opening entry"):
        build_fec(load(ledger, opens=opens), make_settings(tmp_path))


def test_empty_exercice_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="nothing to export"):
        build_fec(
            load(LEDGER), make_settings(tmp_path, start=date(2030, 1, 1), end=date(2030, 12, 31))
        )


# --------------------------------------------------------------------------- render + verify


def _line(num: str, label: str, debit: str, credit: str, **changes: Any) -> FecLine:
    values: dict[str, Any] = {
        "journal_code": num[:2],
        "journal_lib": "Opérations diverses",
        "ecriture_num": num,
        "ecriture_date": date(2026, 3, 1),
        "compte_num": "6061",
        "compte_lib": "Énergie",
        "comp_aux_num": "",
        "comp_aux_lib": "",
        "piece_ref": "P-1",
        "piece_date": date(2026, 3, 1),
        "ecriture_lib": label,
        "debit": Decimal(debit),
        "credit": Decimal(credit),
        "ecriture_let": "",
        "date_let": None,
        "valid_date": date(2026, 4, 2),
        "montant_devise": None,
        "idevise": "",
    }
    values.update(changes)
    return FecLine(**values)


def _export(lines: list[FecLine], tmp_path: Path) -> FecExport:
    return FecExport(
        make_settings(tmp_path),
        tuple(lines),
        (JournalSummary("OD", "Opérations diverses", 1, "OD000001", "OD000001"),),
        1,
        (),
    )


@settings(max_examples=150, deadline=None)
@given(
    label=st.text(min_size=1),
    amount=st.decimals(min_value=Decimal("0.01"), max_value=10**9, places=2),
    encoding=st.sampled_from(["utf-8", "iso-8859-15"]),
    separator=st.sampled_from(["tab", "pipe"]),
)
def test_any_label_renders_a_valid_file(
    tmp_path_factory: pytest.TempPathFactory,
    label: str,
    amount: Decimal,
    encoding: str,
    separator: str,
) -> None:
    tmp = tmp_path_factory.getbasetemp()
    lines = [
        _line("OD000001", label, str(amount), "0"),
        _line("OD000001", label, "0", str(amount), compte_num="512", compte_lib=label),
    ]
    data = render_fec(_export(lines, tmp), encoding, separator)
    report = verify_fec(data)
    # A label that cleans down to nothing leaves EcritureLib/CompteLib empty: reported.
    if clean_text(transliterate(clean_text(label), encoding)):
        assert report.ok, report.problems
        rows = data.decode(encoding).split("\r\n")
        cells = rows[1].split(fec.SEPARATORS[separator])
        assert len(cells) == 18
        if encoding == "utf-8":
            assert cells[10] == clean_text(label)
        assert parse_fec_number(cells[11]) == amount
    else:
        assert any("EcritureLib is empty" in p.message for p in report.errors)


def _fec_text(rows: list[list[str]], sep: str = "\t") -> bytes:
    return ("\r\n".join(sep.join(r) for r in [list(FIELDS), *rows]) + "\r\n").encode("utf-8")


def _row(num: str, debit: str, credit: str, **changes: str) -> list[str]:
    values = dict(
        zip(
            FIELDS,
            [
                num[:2],
                "Ventes",
                num,
                "20260110",
                "411",
                "Clients",
                "",
                "",
                "F1",
                "20260110",
                "Facture",
                debit,
                credit,
                "",
                "",
                "20260203",
                "",
                "",
            ],
        )
    )
    values.update(changes)
    return [values[name] for name in FIELDS]


def test_verify_accepts_a_good_file() -> None:
    report = verify_fec(
        _fec_text(
            [
                _row("VT000001", "120,00", "0,00"),
                _row("VT000001", "0,00", "120,00", CompteNum="706"),
                _row("VT000002", "10,00", "0,00"),
                _row("VT000002", "0,00", "10,00"),
            ]
        ),
        "123456782FEC20261231.txt",
    )
    assert report.ok and not report.warnings, report.problems
    assert (report.lines, report.entries, report.journals) == (4, 2, {"VT": 2})
    assert (report.encoding, report.separator) == ("ascii", "tab")


def test_verify_finds_each_problem_with_its_line() -> None:
    rows = [
        _row("VT000001", "120,00", "0,00"),
        _row("VT000001", "0,00", "100,00"),  # line 3: unbalanced entry (reported at line 2)
        _row("VT000003", "1 000,00", "0,00"),  # line 4: thousands, gap 1 -> 3
        _row("VT000003", "0,00", "1000.00"),  # line 5: decimal point
        _row("VT000004", "5,00", "5,00", CompteNum="A11"),  # line 6: both sides, bad account
        _row("VT000004", "0,00", "0,00", EcritureDate="20260111", PieceDate="20260230"),  # line 7
        _row("VT000004", "0,00", "0,00")[:17],  # line 8: a missing field
        _row("VT000005", "1,00", "0,00", EcritureLib="", PieceRef=""),  # line 9: empty fields
        _row("VT000005", "0,00", "1,00", ValidDate="2026-02-03"),  # line 10: bad date
    ]
    report = verify_fec(_fec_text(rows), "export.txt")
    found = [(p.line, p.severity, p.message) for p in report.problems]
    assert (
        1,
        "warning",
        "the file name 'export.txt' is not SirenFECAAAAMMJJ (e.g. 123456789FEC20261231.txt).",
    ) in found
    expected_errors = [
        (2, "is not balanced"),
        (4, "has a thousands separator"),
        (4, "jumps from VT000001 to VT000003: 1 number(s) missing"),
        (5, "uses a point"),
        (6, "both a debit and a credit"),
        (6, "CompteNum 'A11' must start with 3 digits"),
        (6, "several EcritureDate values"),
        (7, "PieceDate '20260230' is not a valid date"),
        (8, "this line has 17 fields; the header has 18."),
        (9, "EcritureLib is empty"),
        (9, "PieceRef is empty"),
        (10, "ValidDate '2026-02-03' is not a valid date"),
    ]
    for line, text in expected_errors:
        assert any(p.line == line and text in p.message for p in report.errors), (line, text, found)
    assert any(p.line == 7 and "neither a debit nor a credit" in p.message for p in report.warnings)
    assert not report.ok


def test_verify_header_and_encodings() -> None:
    empty = verify_fec(b"")
    assert [p.message for p in empty.errors] == [
        "the file is empty: a FEC starts with a header line of field names."
    ]
    no_sep = verify_fec(b"JournalCode;JournalLib\r\n")
    assert "no field separator" in no_sep.errors[0].message
    header = list(FIELDS)
    header[16] = "MontantDevise"  # case is not significant (Test Compta Demat upper-cases)
    header[0], header[1] = header[1], header[0]
    swapped = verify_fec(("|".join(header) + "\n").encode())
    assert any("not in the official order" in p.message for p in swapped.errors)
    assert any("has a header but no entry" in p.message for p in swapped.errors)
    missing = verify_fec(("\t".join(FIELDS[:-1]) + "\tDevise\n").encode())
    assert [p.message for p in missing.errors] == [
        "the header lacks the field Idevise.",
        "the header has an unknown field 'Devise'.",
    ]
    latin = verify_fec(
        (
            "\t".join(FIELDS)
            + "\n"
            + "\t".join(_row("VT000001", "0,00", "0,00", CompteLib="Créances"))
        ).encode("iso-8859-15")
    )
    assert latin.encoding == "iso-8859-15"
    bom = verify_fec(
        b"\xef\xbb\xbf"
        + _fec_text([_row("VT000001", "1,00", "0,00"), _row("VT000001", "0,00", "1,00")])
    )
    assert bom.ok and "byte-order mark" in bom.warnings[0].message


def test_verify_montant_sens_variant() -> None:
    header = list(fec.FIELDS_SENS)
    rows = [
        _row("OD000001", "50,00", "D"),
        _row("OD000001", "50,00", "-1"),
        _row("OD000002", "50,00", "X"),
    ]
    text = "\r\n".join("\t".join(r) for r in [header, *rows]) + "\r\n"
    report = verify_fec(text.encode())
    assert [(p.line, p.message) for p in report.errors] == [(4, "Sens 'X' must be D, C, +1 or -1.")]
