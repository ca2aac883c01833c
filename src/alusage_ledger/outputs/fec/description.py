"""The description that must accompany the FEC (A47 A-1 II and XI), in French
(:func:`render_description`)."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal

from alusage_ledger.outputs.fec.fields import clean_text, fec_amount, transliterate
from alusage_ledger.outputs.fec.rows import FecExport
from alusage_ledger.outputs.fec.writer import ENCODINGS, EOL


def _fr_date(value: date) -> str:
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def _ecritures(count: int) -> str:
    return f"{count} écriture" + ("s" if count > 1 else "")


def _fr_amount(value: Decimal) -> str:
    return fec_amount(value)


FIELD_DESCRIPTIONS: tuple[tuple[str, str, str], ...] = (
    ("JournalCode", "Alphanumérique", "Code du journal (voir la liste des journaux)"),
    ("JournalLib", "Alphanumérique", "Libellé du journal"),
    (
        "EcritureNum",
        "Alphanumérique",
        "Code du journal suivi d'un numéro à 6 chiffres, continu par journal et par exercice, "
        "attribué dans l'ordre (date, fichier, ligne) ; les à-nouveaux en premier",
    ),
    ("EcritureDate", "Date AAAAMMJJ", "Date de comptabilisation de l'écriture"),
    ("CompteNum", "Alphanumérique", "Numéro de compte du PCG (métadonnée pcg du compte)"),
    ("CompteLib", "Alphanumérique", "Libellé du compte (métadonnée label du compte)"),
    (
        "CompAuxNum",
        "Alphanumérique",
        "Compte auxiliaire des tiers (clients, fournisseurs, personnes, usagers) : numéro "
        "collectif suivi du nom du tiers ; à blanc sinon",
    ),
    ("CompAuxLib", "Alphanumérique", "Nom du tiers ; à blanc sinon"),
    (
        "PieceRef",
        "Alphanumérique",
        "Référence de la pièce : piece-ref, sinon numéro d'avoir ou de facture, sinon lien "
        "de l'écriture, sinon le numéro d'écriture",
    ),
    (
        "PieceDate",
        "Date AAAAMMJJ",
        "Date de la pièce (piece-date, sinon date de sa première écriture)",
    ),
    ("EcritureLib", "Alphanumérique", "Libellé de l'écriture (tiers - libellé)"),
    ("Debit", "Numérique", "Montant au débit"),
    ("Credit", "Numérique", "Montant au crédit"),
    ("EcritureLet", "Alphanumérique", "Code de lettrage ; à blanc sinon"),
    ("DateLet", "Date AAAAMMJJ", "Date du lettrage ; à blanc sinon"),
    ("ValidDate", "Date AAAAMMJJ", "Date de validation : date de clôture du mois de l'écriture"),
    ("Montantdevise", "Numérique", "Montant en devise ; à blanc si l'écriture est en euros"),
    ("Idevise", "Alphanumérique", "Code ISO de la devise ; à blanc si l'écriture est en euros"),
)


def render_description(
    export: FecExport,
    fec_bytes: bytes,
    encoding: str = "utf-8",
    separator: str = "tab",
    version: str = "",
) -> bytes:
    """The description that must accompany the FEC (A47 A-1 II and XI), in French."""
    settings = export.settings
    debit, credit = export.totals()
    sep_text = {
        "tab": "tabulation (caractère ASCII 9)",
        "pipe": "barre verticale « | » (caractère ASCII 124)",
    }[separator]
    lines = [
        "DESCRIPTION DU FICHIER DES ÉCRITURES COMPTABLES (FEC)",
        "Article A47 A-1 du livre des procédures fiscales (arrêté du 29 juillet 2013)",
        "",
        f"Entreprise : {clean_text(settings.name)}",
        f"SIREN : {settings.siren}",
        f"Exercice : du {_fr_date(settings.start)} au {_fr_date(settings.end)}",
        f"Fichier : {export.filename}",
        f"Empreinte SHA-256 du fichier : {hashlib.sha256(fec_bytes).hexdigest()}",
        f"Date de l'export : {_fr_date(settings.export_date)}",
        f"Logiciel : alusage-ledger {version} (livres Beancount en texte brut)".replace("  ", " "),
        "",
    ]
    if export.provisional:
        lines.append("STATUT : PROVISOIRE. Ce fichier ne doit pas être remis comme FEC définitif.")
        if export.open_months:
            lines.append(
                "Les mois suivants ne sont pas clôturés : "
                + ", ".join(map(str, export.open_months))
                + " ; pour leurs écritures, ValidDate est la date de l'export et les écritures "
                "peuvent encore changer."
            )
        if export.pending_inventory:
            lines.append(
                f"L'exercice n'est pas clôturé : pour ses {_ecritures(export.pending_inventory)} "
                "d'inventaire (#inventaire), ValidDate est la date de l'export."
            )
    else:
        lines.append(
            "STATUT : DÉFINITIF. Tous les mois de l'exercice sont clôturés ; ValidDate est la "
            "date de clôture du mois de chaque écriture."
        )
    lines += [
        "",
        "FORMAT",
        "- Fichier à plat, un enregistrement par ligne, fin de ligne CR LF.",
        f"- Jeu de caractères : {ENCODINGS[encoding]}, sans marque d'ordre d'octets.",
        f"- Séparateur de zones : {sep_text}.",
        "- Première ligne : noms des 18 zones, dans l'ordre de l'article A47 A-1 VII 1°.",
        "- Montants : virgule décimale, deux décimales, sans séparateur de milliers ni "
        "signe ; débit et crédit dans deux zones distinctes, l'une des deux à 0,00.",
        "- Dates : AAAAMMJJ, sans séparateur.",
        "- Les libellés sont débarrassés des tabulations, barres verticales et retours à la "
        "ligne"
        + (
            " ; les caractères absents de l'ISO-8859-15 sont translittérés."
            if encoding != "utf-8"
            else "."
        ),
        "",
        "CONTENU",
        f"- {len(export.lines)} lignes, {_ecritures(export.entries)}.",
        f"- Total des débits : {_fr_amount(debit)} ; total des crédits : {_fr_amount(credit)}.",
        "- L'écriture d'ouverture (reprise des soldes, journal AN) figure en premier ; les "
        "autres écritures suivent dans l'ordre chronologique (date, fichier, ligne).",
        "- Sont exclues : les écritures de clôture des comptes de charges et de produits "
        "(classes 6 et 7) dans le résultat (étiquette #cloture ou journal CL), et les "
        "lignes de montant nul.",
        "- Comptes de tiers : les clients (411), fournisseurs (401), personnes et usagers "
        "des lieux utilisent le compte collectif dans CompteNum et un compte auxiliaire par "
        "tiers dans CompAuxNum / CompAuxLib.",
        "",
        "JOURNAUX",
    ]
    for journal in export.journals:
        lines.append(
            f"- {journal.code} : {journal.label} ; {_ecritures(journal.entries)}, "
            f"numéros {journal.first} à {journal.last}."
        )
    lines += ["", "ZONES"]
    for index, (name, kind, text) in enumerate(FIELD_DESCRIPTIONS, start=1):
        lines.append(f"{index:2d}. {name} ({kind}) : {text}.")
    text = EOL.join(transliterate(line, encoding) for line in lines) + EOL
    return text.encode(encoding)
