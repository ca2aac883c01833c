"""The commons: what the entities of the ecosystem give back and show.

Modules: ``intercompany`` (flows between entities, matched on both sides; a check rule),
``redistribution`` (``[[redistribution]]`` policies: ``redistribute``, planning and posting
a month on both sides; the month-end step), ``flows`` (a policy's flows and links, the
figures its base is computed from), ``dues`` (what each policy owes, explained),
``flowentries`` (the entries of a flow on each side), ``regularisation`` (what is recorded
differs from what a policy gives now: the ``check`` warning and the regularisation of a
promised donation), ``transparency`` (the transparency report, computed;
``outputs.transparency`` shows it).

May import: books, core, and the lower domains sales and purchases through their packages
(``flowentries``: ``domains.purchases`` ``vat_in``, ``vat_posting``; ``domains.sales``
``sales_index``, ``series_numbers``, ``series_of``; ``redistribution``: ``year_notes``).

No other domain uses the commons (only closing stands above them, and it reaches the
month-end step through ``books.monthend``), so this package re-exports nothing: the
outputs and the CLI import its modules. Importing this package imports none of them,
which keeps the order in which ``check`` registers its rules the order of
``books.checks.RULE_MODULES``.
"""
