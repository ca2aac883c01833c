"""The books: a workspace, its configuration, its ledgers read safely and written safely.

Owns ``alusage.toml`` (:mod:`~alusage_ledger.books.config`, with the section models of
``placeconfig``), the workspace object (:mod:`~alusage_ledger.books.ledger`), the vetted
loader (``parsing``, ``loader``, ``beanpipe``, the disk cache ``cache``), the safe writer
(``writer``, with the checks of ``validate`` and ``text``), the canonical form of entries
and month locks (``canonical``, ``locks``, ``exercice``), the registries of ``check`` rules
and month-end steps (``checks``, ``monthend``), accounts and their roles (``roles``,
``accounts``, ``entries``, ``vatregime``), queries (``query``), ``init`` and the demo
(``workspace_init``, ``demo``), and the replay of read-only commands (``answers``).

May import: :mod:`alusage_ledger.core`, Beancount, beanquery, pydantic and the standard
library; never a domain, an output, an integration or the command line. Its modules form
a DAG. ``answers`` (and ``cache``, which it uses) run before the command line is built:
they import nothing heavy, and Beancount only inside functions.
"""
