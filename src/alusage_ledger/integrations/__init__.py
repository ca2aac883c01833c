"""Integrations: the product's meeting points with outside tools and files.

* :mod:`.bank`: bank statements (a bank's CSV export) imported as ledger entries, also as
  a beangulp importer;
* :mod:`.review`: what a git change means in accounting terms (``review``, the pre-commit
  hook);
* :mod:`.fava`: the ledgers served by Fava, vetted first.

May import: :mod:`alusage_ledger.outputs`, :mod:`alusage_ledger.domains` (through each
domain's package, eventually), :mod:`alusage_ledger.books`, :mod:`alusage_ledger.core`.
Never :mod:`alusage_ledger.cli`: the command line calls these modules, not the reverse.
This package re-exports nothing: each caller imports the module it needs, so a command
loads only its own integration.
"""
