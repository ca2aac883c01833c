"""The books' own reports: balance générale, grand livre and livre-journal, for a period.

* **Trial balance** (*balance générale*): one row per PCG number (or per account with
  ``detail``), with the opening balance, the period's debits and credits, the closing
  balance, each as debit/credit columns; the totals of debits and credits are equal.
* **General ledger** (*grand livre*) of an account, a parent account or a PCG number or
  prefix: the opening balance, each posting with its journal, piece and running balance.
* **Journal** (*livre-journal*): every entry of the period, grouped by journal code (the
  FEC's codes: ``AN`` à-nouveaux, ``BQ`` bank, ``VT`` sales, ``AC`` purchases, ``OD``,
  ``CL`` closing), each with its lines and the journal's totals.

Period semantics, the same for the three (docs/year.md): the *opening* of a period starting
on day S is every transaction dated before S plus the opening entries (à-nouveaux:
``journal: "AN"`` or ``#ouverture``) dated S; the period's *movements* are the other
transactions dated S to E, except the closing entries (``#cloture``) dated E, so that a
report of an exercice shows its balances before they are closed into the result, as the
FEC does. Closing = opening + movements. The journal lists every entry of the period,
closing entries included (journal ``CL``).

Pure functions from booked entries to dataclasses; renderers to Markdown, CSV, JSON and
plain rows. No timestamp, stable order: regenerated from the same books, byte-identical.

* **Annual accounts** (*comptes annuels*): the bilan and compte de résultat of an
  exercice in the French abridged presentation, the previous exercice beside
  (``annual``, its lines and PCG mapping in ``annual_lines``).

Modules: ``window`` (the period and where a transaction counts in it), ``trialbalance``,
``generalledger``, ``journal`` (with the journal codes), ``tables`` (columns, Markdown,
CSV). May import: domains (year), books, core, and outputs.reports.
"""

from alusage_ledger.outputs.ledgerreports.annual import (
    AnnualAccounts,
    AnnualRow,
    Column,
    annual_accounts,
    annual_column,
    annual_column_names,
    annual_csv,
    annual_json,
    annual_markdown,
    annual_rows,
    annual_table_rows,
    statement_headings,
)
from alusage_ledger.outputs.ledgerreports.generalledger import (
    AccountLedger,
    LedgerLine,
    general_ledger,
    ledger_csv,
    ledger_headers,
    ledger_json,
    ledger_markdown,
    ledger_rows,
    select_accounts,
)
from alusage_ledger.outputs.ledgerreports.journal import (
    JournalEntry,
    JournalLine,
    journal_book,
    journal_code,
    journal_csv,
    journal_headers,
    journal_json,
    journal_markdown,
    journal_rows,
)
from alusage_ledger.outputs.ledgerreports.trialbalance import (
    TrialBalance,
    TrialRow,
    trial_balance,
    trial_csv,
    trial_headers,
    trial_json,
    trial_markdown,
    trial_rows,
)
from alusage_ledger.outputs.ledgerreports.window import (
    Window,
    report_window,
)

__all__ = [
    "AccountLedger",
    "AnnualAccounts",
    "AnnualRow",
    "Column",
    "JournalEntry",
    "JournalLine",
    "LedgerLine",
    "TrialBalance",
    "TrialRow",
    "Window",
    "annual_accounts",
    "annual_column",
    "annual_column_names",
    "annual_csv",
    "annual_json",
    "annual_markdown",
    "annual_rows",
    "annual_table_rows",
    "general_ledger",
    "journal_book",
    "journal_code",
    "journal_csv",
    "journal_headers",
    "journal_json",
    "journal_markdown",
    "journal_rows",
    "ledger_csv",
    "ledger_headers",
    "ledger_json",
    "ledger_markdown",
    "ledger_rows",
    "report_window",
    "select_accounts",
    "statement_headings",
    "trial_balance",
    "trial_csv",
    "trial_headers",
    "trial_json",
    "trial_markdown",
    "trial_rows",
]
