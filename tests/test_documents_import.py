"""Received e-invoices booked as bills (#20, ``bill import``): four files made by other
tools (a French Factur-X BASIC WL, a bare CII, a UBL 2.1, a Factur-X credit note), with
their bills written by hand; importing twice adds nothing; one number with other amounts,
a malformed or non-conforming file are refused in one sentence, nothing written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import PROJECT, Cli, snapshot

#: Real e-invoices of the ZUGFeRD corpus (Apache 2.0, see LICENSE there), unchanged.
SAMPLES = PROJECT / "tests" / "fixtures" / "einvoices"

#: The buyer of the French samples ("Ma jolie boutique") stands for Alusage here.
BUYER_SIREN = "787878784"

FACTURE = """
2026-11-20 * "Au bon moulin" "Facture FA-2017-0010" ^alusage-FA-2017-0010
  piece-ref: "FA-2017-0010"
  piece-date: 2017-11-13
  supplier: "Au bon moulin"
  due-date: 2017-12-13
  supplier-siren: "999999998"
  document: "documents/alusage/received/2017/Au-bon-moulin-FA-2017-0010.pdf"
  sha256: "2e783dddb6bb77166d65057138826b6cbe96178afe11ee33e6d60c9679809b6e"
  Charges:Achats:Logiciels          624.90 EUR
  Actif:Etat:TVADeductible           46.25 EUR
    vat-kind: "goods"
  Passif:Fournisseurs:AuBonMoulin  -671.15 EUR
"""

AVOIR = """
2026-11-20 * "Au bon moulin" "Avoir fournisseur AV-2017-0005" ^alusage-AV-2017-0005
  piece-ref: "AV-2017-0005"
  piece-date: 2017-11-16
  supplier: "Au bon moulin"
  due-date: 2017-11-16
  supplier-siren: "999999998"
  document: "documents/alusage/received/2017/Au-bon-moulin-AV-2017-0005.pdf"
  sha256: "d7bf31284824e3f1c10d24358b944cfefb6fd4fe470d80a13c21b2945aa443f3"
  Charges:Achats:Logiciels         -218.48 EUR
  Actif:Etat:TVADeductible          -14.99 EUR
    vat-kind: "goods"
  Passif:Fournisseurs:AuBonMoulin   233.47 EUR
"""


def _german(suffix: str, digest: str) -> str:
    # German VAT (7 % and 19 %) is not deductible on a French return: it is in the charge.
    return f"""
2026-11-20 * "Lieferant GmbH" "Facture 471102" ^alusage-471102
  piece-ref: "471102"
  piece-date: 2018-03-05
  supplier: "Lieferant GmbH"
  vat-rate: "exempt"
  document: "documents/alusage/received/2018/Lieferant-GmbH-471102.{suffix}"
  sha256: "{digest}"
  Charges:Achats:Logiciels            529.87 EUR
  Passif:Fournisseurs:LieferantGmbH  -529.87 EUR
"""


CASES = {
    "Facture_FR_BASICWL.pdf": FACTURE,
    "Avoir_FR_type381_BASIC.pdf": AVOIR,
    "EN16931_Einfach.cii.xml": _german(
        "xml", "ca379db6cd6d25b51b1f6194a250e82f43d8ce747b225fcac6d46164da4a8c0c"
    ),
    "EN16931_Einfach.ubl.xml": None,  # filled below: same invoice, its own file's hash
}


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    dest = tmp_path / "ws"
    dest.mkdir()
    config = (PROJECT / "alusage.toml").read_text(encoding="utf-8")
    config = config.replace('siren = "917426355"', f'siren = "{BUYER_SIREN}"', 1)
    (dest / "alusage.toml").write_text(config, encoding="utf-8")
    shutil.copytree(PROJECT / "ledgers", dest / "ledgers")
    return dest


def _import(cli: Cli, *files: str, extra: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    paths = [str(SAMPLES / f) if not Path(f).is_absolute() else f for f in files]
    return cli(
        "bill",
        "import",
        *paths,
        "-e",
        "alusage",
        "--account",
        "6064",
        "--date",
        "2026-11-20",
        *extra,
    )


@pytest.mark.parametrize("name", sorted(CASES))
def test_received_invoice_becomes_the_bill_written_by_hand(ws: Path, name: str) -> None:
    import hashlib

    expected = CASES[name] or _german(
        "xml", hashlib.sha256((SAMPLES / name).read_bytes()).hexdigest()
    )
    cli = Cli(ws)
    result = _import(cli, name)
    assert result.exit_code == 0, result.output
    november = (ws / "ledgers/alusage/2026/11.beancount").read_text(encoding="utf-8")
    assert expected.strip() in november
    kept = ws / expected.split('document: "')[1].split('"')[0]
    assert kept.read_bytes() == (SAMPLES / name).read_bytes()
    before = snapshot(ws)
    again = _import(cli, name)
    assert again.exit_code == 0, again.output
    assert "already booked; nothing added" in again.output
    assert snapshot(ws) == before
    checked = cli("check")
    assert checked.exit_code == 0, checked.output


def test_dry_run_shows_the_bill_and_writes_nothing(ws: Path) -> None:
    before = snapshot(ws)
    result = _import(Cli(ws), "Facture_FR_BASICWL.pdf", extra=("--dry-run",))
    assert result.exit_code == 0, result.output
    assert "Passif:Fournisseurs:AuBonMoulin  -671.15 EUR" in result.output
    assert snapshot(ws) == before


def test_one_number_with_other_amounts_is_an_error(ws: Path) -> None:
    cli = Cli(ws)
    assert _import(cli, "EN16931_Einfach.cii.xml").exit_code == 0
    before = snapshot(ws)
    result = _import(cli, "EN16931_Rabatte.pdf")  # same supplier, same number 471102
    assert result.exit_code == 2
    assert "Lieferant GmbH invoice 471102 is already booked with a total of 529.87" in (
        result.output
    )
    assert snapshot(ws) == before


def test_an_invoice_to_another_company_is_refused(tmp_path: Path) -> None:
    dest = tmp_path / "ws"
    dest.mkdir()
    shutil.copy2(PROJECT / "alusage.toml", dest / "alusage.toml")
    shutil.copytree(PROJECT / "ledgers", dest / "ledgers")
    before = snapshot(dest)
    result = _import(Cli(dest), "Facture_FR_BASICWL.pdf")
    assert result.exit_code == 2
    assert "addressed to SIREN 787878784, not to alusage" in result.output
    assert snapshot(dest) == before


def _one_sentence(output: str) -> str:
    lines = [line for line in output.strip().splitlines() if line.strip()]
    assert len(lines) == 1, output
    assert "Traceback" not in output
    return lines[0]


def test_malformed_and_non_conforming_files_are_refused_in_one_sentence(
    ws: Path, tmp_path: Path
) -> None:
    cii = (SAMPLES / "EN16931_Einfach.cii.xml").read_text(encoding="utf-8")
    bad = {
        "notes.xml": "this is not XML",
        "cut.pdf": (SAMPLES / "Facture_FR_BASICWL.pdf").read_bytes()[:2000],
        "plain.pdf": b"%PDF-1.4\n%%EOF\n",
        # a required element removed: the XSD refuses it
        "noid.xml": cii.replace("<ram:ID>471102</ram:ID>", "", 1),
        # a grand total that is not base + VAT
        "total.xml": cii.replace(
            "<ram:GrandTotalAmount>529.87</ram:GrandTotalAmount>",
            "<ram:GrandTotalAmount>539.87</ram:GrandTotalAmount>",
        ),
    }
    assert bad["noid.xml"] != cii and bad["total.xml"] != cii
    cli = Cli(ws)
    before = snapshot(ws)
    for name, body in bad.items():
        path = tmp_path / name
        if isinstance(body, str):
            path.write_text(body, encoding="utf-8")
        else:
            path.write_bytes(body)
        result = _import(cli, str(path))
        assert result.exit_code == 2, (name, result.output)
        line = _one_sentence(result.output)
        assert name in line
        assert "is not a Factur-X, CII or UBL invoice the tool can read" in line
    assert snapshot(ws) == before


def test_check_catches_a_kept_invoice_edited_or_removed(ws: Path) -> None:
    cli = Cli(ws)
    assert _import(cli, "EN16931_Einfach.ubl.xml").exit_code == 0
    kept = ws / "documents/alusage/received/2018/Lieferant-GmbH-471102.xml"
    kept.write_bytes(kept.read_bytes().replace(b"529.87", b"592.87"))
    result = cli("check")
    assert result.exit_code == 1
    assert "ledgers/alusage/2026/11.beancount:" in result.output
    assert "Lieferant-GmbH-471102.xml was changed after it was linked" in result.output
    kept.unlink()
    result = cli("check")
    assert result.exit_code == 1
    assert "Lieferant-GmbH-471102.xml of this entry is missing" in result.output
