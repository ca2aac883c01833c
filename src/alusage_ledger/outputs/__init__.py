"""Outputs: what the books are turned into for people and administrations.

Owns the financial statements (``reports``: income statement, balance sheet), the books
reports (``ledgerreports``: trial balance, general ledger, journal), the FEC (``fec``:
building, writing, describing and verifying the Fichier des Écritures Comptables) and the
rendering of results on the terminal (``render``: console, progress, shares tables).

May import: domains, books and core (never cli, integrations or docgen).
"""
