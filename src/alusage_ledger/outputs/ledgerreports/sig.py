"""The *soldes intermédiaires de gestion* (SIG) of an exercice, from its annual accounts.

Each balance is built from the lines of the income statement (``annual_lines``), in the
PCG order of the SIG table: marge commerciale, production de l'exercice, valeur ajoutée,
excédent brut d'exploitation, résultat d'exploitation, résultat courant avant impôts,
résultat exceptionnel, résultat net. The last equals Σ class 7 − Σ class 6 (tested).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from alusage_ledger.core.i18n import _
from alusage_ledger.outputs.ledgerreports.annual import AnnualAccounts, Column
from alusage_ledger.outputs.ledgerreports.annual_lines import LINE_BY_KEY
from alusage_ledger.outputs.ledgerreports.tables import csv_text, formatter, md_escape, md_table
from alusage_ledger.outputs.reports import ZERO

#: (balance key, French label, its terms: (+1 | -1, a line key or an earlier balance)).
SIG_TABLE: tuple[tuple[str, str, tuple[tuple[int, str], ...]], ...] = (
    (
        "marge_commerciale",
        "Marge commerciale",
        ((1, "ventes_marchandises"), (-1, "achats_marchandises"), (-1, "variation_marchandises")),
    ),
    (
        "production",
        "Production de l'exercice",
        ((1, "production_vendue"), (1, "production_stockee"), (1, "production_immobilisee")),
    ),
    (
        "valeur_ajoutee",
        "Valeur ajoutée",
        (
            (1, "marge_commerciale"),
            (1, "production"),
            (-1, "achats_matieres"),
            (-1, "variation_matieres"),
            (-1, "charges_externes"),
        ),
    ),
    (
        "ebe",
        "Excédent brut d'exploitation",
        (
            (1, "valeur_ajoutee"),
            (1, "subventions_exploitation"),
            (-1, "impots_taxes"),
            (-1, "salaires"),
            (-1, "charges_sociales"),
        ),
    ),
    (
        "resultat_exploitation",
        "Résultat d'exploitation",
        (
            (1, "ebe"),
            (1, "reprises_exploitation"),
            (1, "autres_produits"),
            (-1, "dotations_exploitation"),
            (-1, "autres_charges"),
        ),
    ),
    (
        "resultat_courant",
        "Résultat courant avant impôts",
        ((1, "resultat_exploitation"), (1, "produits_financiers"), (-1, "charges_financieres")),
    ),
    (
        "resultat_exceptionnel",
        "Résultat exceptionnel",
        ((1, "produits_exceptionnels"), (-1, "charges_exceptionnelles")),
    ),
    (
        "resultat_net",
        "Résultat de l'exercice",
        (
            (1, "resultat_courant"),
            (1, "resultat_exceptionnel"),
            (-1, "participation"),
            (-1, "impot_benefices"),
        ),
    ),
)

SIG_LABELS = {key: label for key, label, _terms in SIG_TABLE}


def sig_values(column: Column) -> dict[str, Decimal]:
    """Every balance of the SIG table for one exercice."""
    values: dict[str, Decimal] = {}
    for key, _label, terms in SIG_TABLE:
        values[key] = sum(
            (sign * values.get(term, column.amount(term)) for sign, term in terms), ZERO
        )
    return values


@dataclass(frozen=True)
class SigRow:
    kind: str  # "term" or "balance"
    key: str
    label: str
    sign: int
    current: Decimal
    previous: Decimal | None


def sig_rows(accounts: AnnualAccounts) -> list[SigRow]:
    """Each balance after its terms (terms that are zero in both exercices left out)."""
    current = sig_values(accounts.current)
    previous = None if accounts.previous is None else sig_values(accounts.previous)
    out = []
    for key, label, terms in SIG_TABLE:
        for sign, term in terms:
            if term in SIG_LABELS:
                continue  # an earlier balance, shown above
            now = accounts.current.amount(term)
            before = None if accounts.previous is None else accounts.previous.amount(term)
            if now or before:
                out.append(SigRow("term", term, LINE_BY_KEY[term].label, sign, now, before))
        out.append(
            SigRow(
                "balance",
                key,
                label,
                1,
                current[key],
                None if previous is None else previous[key],
            )
        )
    return out


def _sign(row: SigRow) -> str:
    if row.kind == "balance":
        return "="
    return "+" if row.sign > 0 else "−"


def sig_table_rows(accounts: AnnualAccounts) -> list[list[str]]:
    fmt = formatter(True)
    out = []
    for row in sig_rows(accounts):
        cells = [_sign(row), row.label, fmt(row.current)]
        if accounts.previous is not None:
            cells.append(fmt(row.previous or ZERO))
        out.append(cells)
    return out


def sig_headers(accounts: AnnualAccounts) -> list[str]:
    names = [_("Exercice ending {end}").format(end=accounts.current.window.end.isoformat())]
    if accounts.previous is not None:
        names.append(
            _("Exercice ending {end}").format(end=accounts.previous.window.end.isoformat())
        )
    return ["", _("Line"), *names]


def sig_title(accounts: AnnualAccounts) -> str:
    window = accounts.current.window
    return _("Intermediate management balances (SIG) — {name} — {start} to {end}").format(
        name=accounts.entity_name, start=window.start.isoformat(), end=window.end.isoformat()
    )


def sig_markdown(accounts: AnnualAccounts) -> str:
    rows = sig_rows(accounts)
    table = [
        [f"**{md_escape(c)}**" if c else "" for c in cells] if row.kind == "balance" else cells
        for cells, row in zip(sig_table_rows(accounts), rows, strict=True)
    ]
    lines = [f"# {md_escape(sig_title(accounts))}", ""]
    if not accounts.current.closed:
        lines += [md_escape(_("Provisional: the exercice is not closed.")), ""]
    lines.append(md_table(sig_headers(accounts), table, range(2, 4)))
    return "\n".join(lines)


SIG_KEYS = ("kind", "key", "label", "sign", "current", "previous")


def sig_csv(accounts: AnnualAccounts) -> str:
    fmt = formatter(False)
    out: list[list[str]] = [list(SIG_KEYS)]
    for row in sig_rows(accounts):
        previous = "" if row.previous is None else fmt(row.previous)
        out.append([row.kind, row.key, row.label, str(row.sign), fmt(row.current), previous])
    return csv_text(out)


def sig_json(accounts: AnnualAccounts) -> dict[str, Any]:
    fmt = formatter(False)
    return {
        "entity": accounts.entity,
        "start": accounts.current.window.start,
        "end": accounts.current.window.end,
        "closed": accounts.current.closed,
        "rows": [
            {
                "kind": r.kind,
                "key": r.key,
                "label": r.label,
                "sign": r.sign,
                "current": fmt(r.current),
                "previous": None if r.previous is None else fmt(r.previous),
            }
            for r in sig_rows(accounts)
        ],
    }
