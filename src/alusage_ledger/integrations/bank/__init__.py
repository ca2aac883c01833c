"""Bank import: a French bank's CSV export becomes idempotent ledger entries.

Modules, each importing only the ones above it in this list:

* :mod:`.profiles`: banks' export layouts (encoding, columns, date formats, decimal mark);
* :mod:`.rules`: the rules file (TOML) that categorises the lines no document matched,
  and its ``[profile]`` table for a bank without a built-in profile;
* :mod:`.statement`: reading a statement file into dated, signed lines, and choosing its
  profile (``--profile``);
* :mod:`.entries`: the entry of a line (by a rule, or to the suspense account for
  review);
* :mod:`.refs`: ``bank-ref``, the stable reference of a line, and the ``check`` rule
  that finds a line booked twice;
* :mod:`.matching`: a line settling an open invoice, bill or member's call;
* :mod:`.importer`: the import itself (plan, then write under the workspace lock);
* :mod:`.beangulp_importer`: the profiles and rules as a ``beangulp.Importer``.

Entry points for callers: :func:`.importer.import_bank`, :func:`.rules.load_rules`,
:class:`.beangulp_importer.BankImporter`. May import :mod:`alusage_ledger.domains`
(sales, purchases, places, lettering: eventually through their packages),
:mod:`alusage_ledger.books` and :mod:`alusage_ledger.core`; never the CLI. Nothing is
re-exported here, so reading a rules file does not load the matching machinery.
"""
