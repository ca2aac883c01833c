"""The foundation: what every layer may use, knowing nothing of ledgers or workspaces.

Owns money (:mod:`~alusage_ledger.core.money`: amounts, rounding, shares), periods
(:mod:`~alusage_ledger.core.periods`: ``Month``, ``Exercice``, ``Period``, today's date),
the error types and exit codes (:mod:`~alusage_ledger.core.errors`), translation
(:mod:`~alusage_ledger.core.i18n`), the PCG account plan and account names
(:mod:`~alusage_ledger.core.chart`), "did you mean" suggestions
(:mod:`~alusage_ledger.core.suggest`) and locale formatting (:mod:`~alusage_ledger.core.fmt`).

May import: the standard library, Babel (lazily: see ``fmt``) and other ``core`` modules;
nothing else of the project. It stays light: the command line's start-up imports it.
"""
