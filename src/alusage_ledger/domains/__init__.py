"""The domains: one sub-package per accounting capability, named as an accountant names it.

From top to bottom (a domain may import those below it; those on one line are
independent of each other)::

    closing        month-end closing and reopening (steps, checks and reports come
                   through the registries of books.monthend, never by name)
    commons | year | micro | places
                   redistribution, intercompany flows, transparency | year-end and
                   capital | micro-entrepreneurs' registers | le 97: usage, allocation,
                   shares
    sales | purchases
                   invoices, VAT, revenue | bills, expense claims, recurring bills
    lettering      letters on third-party accounts, aged balances

A domain imports the books and the core, and another domain only through that domain's
package (``from alusage_ledger.domains.sales import sales_index``), whose ``__init__``
re-exports its small public interface. Nothing here imports the outputs, the
integrations or the CLI. Checked by import-linter (``.importlinter``).
"""
