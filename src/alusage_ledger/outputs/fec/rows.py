"""The FEC's rows: one :class:`FecLine` per posting, a :class:`JournalSummary` per journal,
and the whole :class:`FecExport` of an entity's exercice."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from alusage_ledger.core.money import ZERO
from alusage_ledger.core.periods import Month
from alusage_ledger.outputs.fec.fields import fec_amount, fec_date
from alusage_ledger.outputs.fec.settings import FecSettings


@dataclass(frozen=True)
class FecLine:
    """One line of the FEC (one posting), with typed values."""

    journal_code: str
    journal_lib: str
    ecriture_num: str
    ecriture_date: date
    compte_num: str
    compte_lib: str
    comp_aux_num: str
    comp_aux_lib: str
    piece_ref: str
    piece_date: date
    ecriture_lib: str
    debit: Decimal
    credit: Decimal
    ecriture_let: str
    date_let: date | None
    valid_date: date
    montant_devise: Decimal | None
    idevise: str
    account: str = ""  # the Beancount account (not written)

    def cells(self) -> tuple[str, ...]:
        return (
            self.journal_code,
            self.journal_lib,
            self.ecriture_num,
            fec_date(self.ecriture_date),
            self.compte_num,
            self.compte_lib,
            self.comp_aux_num,
            self.comp_aux_lib,
            self.piece_ref,
            fec_date(self.piece_date),
            self.ecriture_lib,
            fec_amount(self.debit),
            fec_amount(self.credit),
            self.ecriture_let,
            fec_date(self.date_let) if self.date_let else "",
            fec_date(self.valid_date),
            fec_amount(self.montant_devise) if self.montant_devise is not None else "",
            self.idevise,
        )


@dataclass(frozen=True)
class JournalSummary:
    code: str
    label: str
    entries: int
    first: str
    last: str


@dataclass(frozen=True)
class FecExport:
    settings: FecSettings
    lines: tuple[FecLine, ...]
    journals: tuple[JournalSummary, ...]
    entries: int
    open_months: tuple[Month, ...]
    closed_on: Mapping[Month, date] = field(default_factory=dict)
    #: Inventory entries (#inventaire) of an exercice not closed yet (with --allow-open).
    pending_inventory: int = 0

    @property
    def provisional(self) -> bool:
        return bool(self.open_months or self.pending_inventory)

    @property
    def filename(self) -> str:
        return f"{self.settings.siren}FEC{fec_date(self.settings.end)}.txt"

    @property
    def description_name(self) -> str:
        return f"{self.settings.siren}FEC{fec_date(self.settings.end)}-description.txt"

    def totals(self) -> tuple[Decimal, Decimal]:
        return (
            sum((line.debit for line in self.lines), ZERO),
            sum((line.credit for line in self.lines), ZERO),
        )
