"""Received e-invoices: a Factur-X PDF, a CII or a UBL 2.1 XML read into a bill.

Modules: ``reading`` (the file → :class:`Received`, refused in one sentence when it is not
a readable, self-consistent invoice), ``billing`` (a received invoice → a bill of the
purchases domain, idempotent, the file kept under ``documents/`` and linked).

May import: ``books``, ``core``, ``domains.purchases`` (bills), and the ``factur-x``
library (inside the functions that read).
"""
