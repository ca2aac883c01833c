"""Reading a trial balance (``year open``): a CSV of ``compte;libellé;débit;crédit``.

The delimiter is ``;``, a tab or ``,``; amounts take a decimal comma or point; headers may
be French or English, with or without accents (:func:`fold`), and may name the third party,
the document (``pièce``, ``date pièce``) and the ledger account. Every problem is reported
as ``file:line`` and nothing is written.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from alusage_ledger.core.errors import LedgerErrors, LedgerProblem
from alusage_ledger.core.i18n import _
from alusage_ledger.core.money import MoneyError, parse_amount
from alusage_ledger.domains.year.balances import ZERO

_HEADER_NAMES: dict[str, tuple[str, ...]] = {
    "pcg": (
        "compte",
        "numero",
        "numero de compte",
        "n compte",
        "no compte",
        "comptenum",
        "compte num",
        "account",
        "account number",
        "number",
    ),
    "label": ("libelle", "intitule", "comptelib", "label", "name", "description"),
    "debit": ("debit", "solde debiteur", "debit balance"),
    "credit": ("credit", "solde crediteur", "credit balance"),
    "third_party": ("tiers", "auxiliaire", "third party", "counterparty"),
    "piece": ("piece", "piece ref", "reference", "ref", "facture", "invoice", "document"),
    "piece_date": ("date piece", "piece date", "date", "date de piece", "document date"),
    "ledger_account": ("compte beancount", "ledger account", "beancount account"),
}
_REQUIRED = ("pcg", "debit", "credit")


def fold(text: str) -> str:
    """Lowercase, without accents, punctuation as spaces: how headers are compared."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", ascii_text.lower()).split())


@dataclass(frozen=True)
class BalanceLine:
    """One line of a trial balance: a PCG number, its label, its debit and credit."""

    line: int
    pcg: str
    label: str
    debit: Decimal
    credit: Decimal
    third_party: str | None = None
    piece: str | None = None
    piece_date: date | None = None
    ledger_account: str | None = None

    @property
    def net(self) -> Decimal:
        return self.debit - self.credit


def read_trial_balance(
    raw: bytes, source: str, entity: str | None = None, encoding: str = "utf-8"
) -> list[BalanceLine]:
    """Parse a trial balance CSV (``;``, tab or ``,``; decimal comma or point; French or
    English headers); every problem is reported as ``file:line`` (exit 1)."""
    try:
        text = raw.decode(
            "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
        )
    except (UnicodeDecodeError, LookupError):
        raise LedgerErrors(
            _(
                "{file} is not {encoding} text; convert it to UTF-8 or pass --encoding "
                "(e.g. --encoding cp1252)."
            ).format(file=source, encoding=encoding),
            [LedgerProblem(entity, source, None, _("this file cannot be decoded."))],
        ) from None
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise LedgerErrors(
            _("{file} is empty.").format(file=source),
            [LedgerProblem(entity, source, None, _("the file holds no trial balance."))],
        )
    head = lines[first]
    delimiter = ";" if ";" in head else "\t" if "\t" in head else ","
    rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter))
    header = [fold(cell) for cell in rows[first]]
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        for key, names in _HEADER_NAMES.items():
            if name in names and key not in columns:
                columns[key] = index
    missing = [key for key in _REQUIRED if key not in columns]
    if missing:
        raise LedgerErrors(
            _(
                "{file}: the header must name the columns compte (or account), débit and "
                "crédit, and may name libellé, tiers, pièce, date pièce; found: {found}."
            ).format(file=source, found=" | ".join(rows[first]) or "-"),
            [
                LedgerProblem(
                    entity,
                    source,
                    first + 1,
                    _("missing column(s): {columns}.").format(
                        columns=", ".join(
                            {"pcg": "compte", "debit": "débit", "credit": "crédit"}[k]
                            for k in missing
                        )
                    ),
                )
            ],
        )

    def cell(row: list[str], key: str) -> str:
        index = columns.get(key)
        return row[index].strip() if index is not None and index < len(row) else ""

    problems: list[LedgerProblem] = []
    out: list[BalanceLine] = []
    for number, row in enumerate(rows[first + 1 :], start=first + 2):
        if not any(c.strip() for c in row):
            continue
        pcg = cell(row, "pcg").replace(" ", "")
        if not re.fullmatch(r"[1-7]\d{2}[0-9A-Za-z]*", pcg):
            problems.append(
                LedgerProblem(
                    entity,
                    source,
                    number,
                    _(
                        "{value!r} is not a PCG account number (3 digits or more, classes 1 to 7)."
                    ).format(value=cell(row, "pcg")),
                )
            )
            continue
        amounts = []
        for key in ("debit", "credit"):
            value = cell(row, key)
            try:
                amounts.append(parse_amount(value) if value else ZERO)
            except MoneyError:
                problems.append(
                    LedgerProblem(
                        entity,
                        source,
                        number,
                        _("{value!r} is not an amount (e.g. 1234,50 or 1234.50).").format(
                            value=value
                        ),
                    )
                )
                break
        if len(amounts) != 2:
            continue
        piece_date = None
        if cell(row, "piece_date"):
            try:
                piece_date = date.fromisoformat(cell(row, "piece_date"))
            except ValueError:
                try:
                    day, month, year = cell(row, "piece_date").split("/")
                    piece_date = date(int(year), int(month), int(day))
                except ValueError:
                    problems.append(
                        LedgerProblem(
                            entity,
                            source,
                            number,
                            _("{value!r} is not a date (YYYY-MM-DD or DD/MM/YYYY).").format(
                                value=cell(row, "piece_date")
                            ),
                        )
                    )
                    continue
        out.append(
            BalanceLine(
                number,
                pcg,
                cell(row, "label"),
                amounts[0],
                amounts[1],
                cell(row, "third_party") or None,
                cell(row, "piece") or None,
                piece_date,
                cell(row, "ledger_account") or None,
            )
        )
    if problems:
        raise LedgerErrors(
            _("{file} has {count} error(s); nothing was written.").format(
                file=source, count=len(problems)
            ),
            problems,
        )
    return out
