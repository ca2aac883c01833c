"""Rendering for humans (Rich tables on a terminal, plain text when piped) and machines.

Modules: ``console`` (``say``, ``warn``, ``table``, ``emit_json``: the terminal, colour or
not), ``progress`` (``working``, ``steps``: spinners and bars on a terminal only),
``shares`` (le 97's shares: JSON document, explanation tables, member statements, and
``shares_reports``, their files in ``reports/<M>/``), ``redistribution``
(``redistribution_reports``: what each policy owed, in ``reports/<M>/``).

May import: domains, books, core and ``outputs.reports`` (``console`` and ``progress``
still read the CLI's state, ``cli.state``: to be passed down instead).
"""
