"""Issued documents: the Factur-X PDF of an invoice or a credit note, made from its entry.

Modules: ``content`` (what a document says, read from the entry and ``alusage.toml``),
``cii`` (the CII XML, profile EN 16931, through the ``factur-x`` library), ``pdf`` (the
visible page with Typst, ``invoice.typ``, and the PDF/A-3 with the XML embedded, byte for
byte reproducible), ``links`` (where documents go and the ledger's link to them),
``checks`` (the ``check`` rule: a linked document still matches its hash and its entry).

May import: ``books``, ``core``, ``domains.sales`` (its index), and the ``factur-x`` and
``typst`` libraries (inside the functions that need them: start-up stays light).
"""
