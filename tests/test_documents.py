"""Issued documents (#20): every November invoice and credit note of the example gets a
Factur-X PDF whose XML passes the EN 16931 XSD, carries the ledger's amounts to the cent,
shows the legal mentions, comes out byte for byte the same, and ``check`` catches edits."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import PROJECT, Cli, run_subprocess, snapshot
from facturx import get_xml_from_pdf, xml_check_xsd
from facturx.parse_xml import parse_ubl_cii_xml
from pypdf import PdfReader

from alusage_ledger.books.ledger import Workspace
from alusage_ledger.domains.sales.index import sales_index

#: Every invoice and credit note issued in November 2026 in the example, by entity.
NOVEMBER = {
    "alusage": [
        "F2026-0050",
        "F2026-0051",
        "F2026-0052",
        "F2026-0053",
        "F2026-0054",
        "F2026-0055",
        "A2026-0001",
    ],
    "christine-dornier": ["F2026-0016", "F2026-0017"],
    "myceliandre": ["F2026-0007"],
    "nicolas-jeudy": ["F2026-0017", "F2026-0018"],
}
TODAY = "2026-12-02"


def _copy(dest: Path) -> Path:
    dest.mkdir()
    shutil.copy2(PROJECT / "alusage.toml", dest / "alusage.toml")
    shutil.copytree(PROJECT / "ledgers", dest / "ledgers")
    return dest


@pytest.fixture(scope="module")
def issued(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the example with every November document issued once."""
    ws = _copy(tmp_path_factory.mktemp("docs") / "ws")
    cli = Cli(ws)
    for entity, numbers in NOVEMBER.items():
        for number in numbers:
            result = cli("invoice", "document", number, "--entity", entity, "--today", TODAY)
            assert result.exit_code == 0, result.output
    return ws


def _pdf(ws: Path, entity: str, number: str) -> bytes:
    return (ws / "documents" / entity / "2026" / f"{number}.pdf").read_bytes()


def _text(ws: Path, entity: str, number: str) -> str:
    reader = PdfReader(ws / "documents" / entity / "2026" / f"{number}.pdf")
    return " ".join((page.extract_text() or "") for page in reader.pages)


ALL = [(e, n) for e, numbers in NOVEMBER.items() for n in numbers]


@pytest.mark.parametrize(("entity", "number"), ALL)
def test_each_document_is_factur_x_en16931_and_passes_the_xsd(
    issued: Path, entity: str, number: str
) -> None:
    name, xml = get_xml_from_pdf(_pdf(issued, entity, number), check_xsd=False)
    assert name == "factur-x.xml"
    assert b"urn:cen.eu:en16931:2017" in xml
    assert xml_check_xsd(xml, flavor="factur-x", level="en16931")
    reader = PdfReader(issued / "documents" / entity / "2026" / f"{number}.pdf")
    xmp = reader.xmp_metadata
    assert xmp is not None
    raw = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b"<pdfaid:part>3</pdfaid:part>" in raw
    assert b"EN 16931" in raw


@pytest.mark.parametrize(("entity", "number"), ALL)
def test_xml_amounts_equal_the_ledger_to_the_cent(issued: Path, entity: str, number: str) -> None:
    _name, xml = get_xml_from_pdf(_pdf(issued, entity, number), check_xsd=False)
    terms = parse_ubl_cii_xml(xml)
    ws = Workspace.open(issued)
    ledger = ws.load_checked(entity)
    index = sales_index(ws.config, ledger)
    if number in index.invoices:
        invoice = index.invoices[number]
        assert terms["BT-3"] == "380"
        ttc, vat, ht = invoice.ttc, invoice.vat_total, invoice.ht
        day = invoice.date
        by_rate = {
            rate: sum((line.ht for line in invoice.lines if line.rate == rate), Decimal(0))
            for rate in invoice.rates()
        }
    else:
        note = index.credit_notes[number]
        assert terms["BT-3"] == "381"
        refs = terms["BG-3"] if isinstance(terms["BG-3"], list) else [terms["BG-3"]]
        assert [ref["BT-25"] for ref in refs] == [note.invoice]
        ttc = note.ttc  # what is credited to the receivable
        vat = sum(
            (p.units.number for p in note.entry.postings if p.account.startswith("Passif:Etat")),
            Decimal(0),
        )
        ht = ttc - vat
        day = note.date
        by_rate = None
    assert Decimal(terms["BT-112"]) == ttc
    assert Decimal(terms["BT-115"]) == ttc
    assert Decimal(terms["BT-110"]) == vat
    assert Decimal(terms["BT-109"]) == ht
    assert terms["BT-1"] == number
    assert terms["BT-2"] == day
    taxes = terms["BG-23"] if isinstance(terms["BG-23"], list) else [terms["BG-23"]]
    assert sum((Decimal(t["BT-116"]) for t in taxes), Decimal(0)) == ht
    assert sum((Decimal(t["BT-117"]) for t in taxes), Decimal(0)) == vat
    if by_rate is not None:
        assert len(taxes) == len(by_rate)
    assert terms["BG-4"]["name"] == Workspace.open(issued).config.entity(entity).name


# One test per mandatory mention (C. com. L441-9, CGI 242 nonies A), on a taxable
# invoice of Alusage to a professional (F2026-0051, 20 %).
MENTIONS = {
    "seller name": "Alusage SAS",
    "seller address": "12 rue de la Liberté",
    "seller city": "25000 Besançon",
    "seller SIREN": "SIREN 917426355",
    "seller VAT number": "FR10917426355",
    "buyer name": "Coop des Tilleuls",
    "buyer address": "7 place des Tilleuls",
    "buyer SIREN": "SIREN 823456785",
    "buyer VAT number": "FR81823456785",
    "number": "F2026-0051",
    "issue date": "Date d'émission : 06/11/2026",
    "service date": "Date de la prestation : 06/11/2026",
    "designation": "Programmation",
    "base per rate": "2\u202f650,00 €",
    "rate": "20 %",
    "VAT per rate": "530,00 €",
    "total": "3\u202f180,00 €",
    "due date": "Date d'échéance : 06/12/2026",
    "penalty rate": "Pénalités de retard : taux de refinancement de la BCE majoré de 10 points",
    "40 EUR indemnity": "Indemnité forfaitaire pour frais de recouvrement : 40 €",
    "discount terms": "Pas d'escompte pour paiement anticipé",
    "category of operation": "Catégorie de l'opération : prestation de services",
}


def _squash(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("mention", sorted(MENTIONS))
def test_taxable_invoice_shows_the_mention(issued: Path, mention: str) -> None:
    text = _squash(_text(issued, "alusage", "F2026-0051"))
    assert _squash(MENTIONS[mention]) in text


def test_franchise_invoice_shows_293_b_and_no_vat_number(issued: Path) -> None:
    text = _squash(_text(issued, "christine-dornier", "F2026-0016"))
    assert "TVA non applicable, art. 293 B du CGI" in text
    assert "TVA intracommunautaire" not in text
    assert "Christine Dornier" in text and "SIREN 981766405" in text
    _name, xml = get_xml_from_pdf(_pdf(issued, "christine-dornier", "F2026-0016"))
    assert b"VATEX-FR-FRANCHISE" in xml


def test_exempt_training_invoice_shows_its_legal_basis(issued: Path) -> None:
    text = _squash(_text(issued, "alusage", "F2026-0050"))
    assert "Exonération de TVA, CGI art. 261-4-4° a" in text
    _name, xml = get_xml_from_pdf(_pdf(issued, "alusage", "F2026-0050"))
    assert b"<ram:CategoryCode>E</ram:CategoryCode>" in xml


def test_private_client_gets_no_40_eur_indemnity(issued: Path) -> None:
    text = _squash(_text(issued, "nicolas-jeudy", "F2026-0017"))
    assert "Client Alpha" in text
    assert "40 €" not in text
    assert "TVA non applicable, art. 293 B du CGI" in text


def test_credit_note_names_the_invoice_it_cancels(issued: Path) -> None:
    text = _squash(_text(issued, "alusage", "A2026-0001"))
    assert "Avoir" in text and "Avoir sur la facture n° F2026-0048" in text


def test_regeneration_is_byte_identical_and_links_once(issued: Path, tmp_path: Path) -> None:
    other = _copy(tmp_path / "again")
    cli = Cli(other)
    result = cli("invoice", "document", "F2026-0051", "--entity", "alusage", "--today", TODAY)
    assert result.exit_code == 0, result.output
    first = _pdf(other, "alusage", "F2026-0051")
    assert first == _pdf(issued, "alusage", "F2026-0051")  # another workspace, another time
    before = snapshot(other)
    result = cli("invoice", "document", "F2026-0051", "--today", "2026-12-20")
    assert result.exit_code == 0, result.output
    assert "already the document" in result.output
    assert snapshot(other) == before
    december = (other / "ledgers/alusage/2026/12.beancount").read_text()
    assert december.count('custom "alusage-document" "F2026-0051"') == 1
    assert 'document: "documents/alusage/2026/F2026-0051.pdf"' in december


def test_check_passes_on_issued_documents(issued: Path) -> None:
    result = Cli(issued)("check")
    assert result.exit_code == 0, result.output


def test_check_catches_an_edited_document(issued: Path, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(issued, ws)
    path = ws / "documents/alusage/2026/F2026-0052.pdf"
    body = bytearray(path.read_bytes())
    body[-300] ^= 1
    path.write_bytes(bytes(body))
    result = Cli(ws)("check")
    assert result.exit_code == 1
    assert "ledgers/alusage/2026/12.beancount:" in result.output
    assert "documents/alusage/2026/F2026-0052.pdf was changed after it was made" in result.output


def test_check_catches_an_entry_changed_after_its_document(issued: Path, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(issued, ws)
    november = ws / "ledgers/alusage/2026/11.beancount"
    text = november.read_text()
    old = (
        "  Actif:Clients:CommunauteCommunesGamma          2280.00 EUR\n"
        "  Produits:Prestations:Facilitation             -1900.00 EUR\n"
        "  Passif:Etat:TVAEnAttente                       -380.00 EUR\n"
    )
    new = (
        "  Actif:Clients:CommunauteCommunesGamma          2400.00 EUR\n"
        "  Produits:Prestations:Facilitation             -2000.00 EUR\n"
        "  Passif:Etat:TVAEnAttente                       -400.00 EUR\n"
    )
    assert old in text
    november.write_text(text.replace(old, new))
    result = Cli(ws)("check")
    assert result.exit_code == 1
    assert (
        "documents/alusage/2026/F2026-0052.pdf disagrees with the entry of F2026-0052: "
        "total before VAT, VAT, total, VAT per rate" in result.output
    )


def test_missing_document_data_is_a_config_error_naming_the_key(tmp_path: Path) -> None:
    ws = _copy(tmp_path / "ws")
    config = (ws / "alusage.toml").read_text()
    config = config.replace('[entities.alusage.documents.clients."Coop des Tilleuls"]', "[x]")
    config = config.replace(
        'siren = "823456785"\nvat_number = "FR81823456785"\n'
        'address = { line1 = "7 place des Tilleuls", postcode = "39000", city = "Lons-le-Saunier" }\n',
        "",
    ).replace("[x]\n", "")
    (ws / "alusage.toml").write_text(config)
    before = snapshot(ws)
    result = Cli(ws)("invoice", "document", "F2026-0051", "--entity", "alusage", "--today", TODAY)
    assert result.exit_code == 3, result.output
    assert 'entities.alusage.documents.clients."Coop des Tilleuls".address' in result.output
    assert snapshot(ws) == before


def test_client_siren_with_a_wrong_luhn_key_is_refused(tmp_path: Path) -> None:
    ws = _copy(tmp_path / "ws")
    config = (ws / "alusage.toml").read_text().replace('"823456785"', '"823456786"')
    (ws / "alusage.toml").write_text(config)
    result = Cli(ws)("check")
    assert result.exit_code == 3
    assert "Luhn" in result.output


def test_console_check_sees_a_document_edited_between_two_runs(
    issued: Path, tmp_path: Path
) -> None:
    """The console script replays a read-only command's answer while nothing it read
    changed: the documents it read count."""
    ws = tmp_path / "ws"
    shutil.copytree(issued, ws)
    first = run_subprocess("--lang", "en", "--workspace", str(ws), "check")
    assert first.returncode == 0, first.stdout + first.stderr
    path = ws / "documents/alusage/2026/F2026-0053.pdf"
    body = bytearray(path.read_bytes())
    body[-300] ^= 1
    path.write_bytes(bytes(body))
    second = run_subprocess("--lang", "en", "--workspace", str(ws), "check")
    assert second.returncode == 1
    assert "F2026-0053.pdf was changed after it was made" in second.stdout + second.stderr
    path.unlink()
    third = run_subprocess("--lang", "en", "--workspace", str(ws), "check")
    assert third.returncode == 1
    assert "F2026-0053.pdf of F2026-0053 is missing" in third.stdout + third.stderr


def test_a_different_file_in_the_way_is_refused_and_nothing_changes(tmp_path: Path) -> None:
    ws = _copy(tmp_path / "ws")
    target = ws / "documents/alusage/2026/F2026-0054.pdf"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"%PDF-1.4 another tool's invoice\n")
    before = snapshot(ws)
    result = Cli(ws)("invoice", "document", "F2026-0054", "--today", TODAY)
    assert result.exit_code == 4, result.output
    assert "documents/alusage/2026/F2026-0054.pdf exists and differs" in result.output
    assert snapshot(ws) == before


def test_an_unknown_number_is_a_usage_error(tmp_path: Path) -> None:
    ws = _copy(tmp_path / "ws")
    before = snapshot(ws)
    result = Cli(ws)("invoice", "document", "F2099-0001", "--today", TODAY)
    assert result.exit_code == 2, result.output
    assert "No invoice nor credit note numbered F2099-0001" in result.output
    assert snapshot(ws) == before
