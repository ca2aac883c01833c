"""The bank profiles as a beangulp importer (the ecosystem's convention for importers).

``alusage-ledger import bank`` is the way to import into a workspace: it matches invoices,
bills and members, letters, and writes safely. This module lets the same profiles, rules
and ``bank-ref`` references work under beangulp for people who drive their imports with it::

    # import.py
    import beangulp
    from alusage_ledger.integrations.bank.beangulp_importer import BankImporter

    importers = [BankImporter("Actif:Banque:Courant", profile="credit-mutuel")]
    if __name__ == "__main__":
        beangulp.Ingest(importers)()

It implements the :class:`beangulp.Importer` protocol (``identify``, ``account``,
``date``, ``extract``, ``deduplicate``) without beangulp's caches: files are read
directly. Lines are categorised by the rules or sent to the suspense account (``!``);
``deduplicate`` marks lines whose ``bank-ref`` is already in the existing entries, which
is stable where beangulp's default similarity heuristic is not (beangulp#95).
(``beangulp.importers.csvbase`` is not subclassed: its readers decode files leniently and parse amounts
with ``Decimal`` after regex substitutions, where French exports need strict decoding and
``money.parse_amount``.)
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import beangulp
from beancount.core import data
from beancount.core.amount import Amount
from beangulp.extract import DUPLICATE

from alusage_ledger.core.errors import ConfigError, UsageError
from alusage_ledger.core.i18n import _
from alusage_ledger.integrations.bank.entries import line_entry
from alusage_ledger.integrations.bank.refs import bank_refs, present_refs
from alusage_ledger.integrations.bank.rules import RuleSet, load_rules
from alusage_ledger.integrations.bank.statement import StatementError, load_statement

MAX_BYTES = 16 * 1024 * 1024


class BankImporter(beangulp.Importer):  # type: ignore[misc]
    """A French bank CSV export for one account, by profile (``auto`` finds it)."""

    def __init__(
        self,
        account: str,
        profile: str = "auto",
        rules: str | Path | RuleSet | None = None,
        suspense: str = "Actif:Attente",
    ) -> None:
        self.importer_account = account
        self.profile = profile
        self.suspense = suspense
        self.rules = load_rules(Path(rules)) if isinstance(rules, str | Path) else rules

    @property
    def name(self) -> str:
        return f"alusage.bank.{self.profile}"

    def _read(self, filepath: str) -> Any:
        path = Path(filepath)
        if path.stat().st_size > MAX_BYTES:
            raise UsageError(_("{file} is too large for a bank statement.").format(file=filepath))
        return load_statement(path.read_bytes(), filepath, self.profile, self.rules)

    def identify(self, filepath: str) -> bool:
        try:
            self._read(filepath)
        except (StatementError, UsageError, ConfigError, OSError):
            return False
        return True

    def account(self, filepath: str) -> str:
        return self.importer_account

    def date(self, filepath: str) -> datetime.date | None:
        statement = self._read(filepath)
        return max((line.date for line in statement.lines), default=None)

    def extract(self, filepath: str, existing: list[Any]) -> list[Any]:
        statement = self._read(filepath)
        refs = bank_refs(statement.lines, self.importer_account)
        entries = []
        for line, ref in zip(statement.lines, refs, strict=True):
            rule = self.rules.first_match(line.label, line.amount) if self.rules else None
            entry = line_entry(line, ref, self.importer_account, rule, self.suspense)
            meta = data.new_metadata(filepath, line.line)
            meta.update({k: v for k, v in entry.meta.items() if k not in ("filename", "lineno")})
            entries.append(entry._replace(meta=meta))
        closing = statement.closing
        if closing is not None:
            entries.append(
                data.Balance(
                    data.new_metadata(filepath, closing.line),
                    closing.date,
                    self.importer_account,
                    Amount(closing.amount, "EUR"),
                    Decimal("0.00"),  # exact, like every assertion the tool writes
                    None,
                )
            )
        return entries

    def deduplicate(self, entries: list[Any], existing: list[Any]) -> None:
        """Mark the lines whose ``bank-ref`` is already booked on the account."""
        known = present_refs(existing, self.importer_account)
        asserted = {
            (e.date, e.account)
            for e in existing
            if isinstance(e, data.Balance) and e.account == self.importer_account
        }
        for entry in entries:
            if isinstance(entry, data.Transaction):
                seen = entry.meta.get("bank-ref") in known
            else:
                seen = isinstance(entry, data.Balance) and (entry.date, entry.account) in asserted
            if seen:
                entry.meta[DUPLICATE] = True
