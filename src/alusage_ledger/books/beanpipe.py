"""Beancount's booking, plugins and validation, with the same results, faster (issue 13).

``bean-check`` runs, after parsing: booking, the plugins (``documents`` first, the
ledger's own, then ``pad`` and ``balance``), then the validations. Two of these steps do
work whose result is known in advance on the ledgers this tool writes; they are
skipped only in those cases, and the outcome (entries and errors, in the same order) is
the one Beancount would produce:

- Booking (``booking_full``) groups postings by currency, copies an inventory per
  posting, resolves lots and interpolates missing numbers. When every posting of every
  transaction has its number and currency and no cost nor price (the tool writes every
  posting so, W2), none of that changes a posting and no error can arise: each
  transaction comes out with its postings grouped by currency (in order of first
  appearance) and the inferred tolerances in its metadata, which is what
  :func:`book` computes then. Any other ledger goes through Beancount's booking.
- ``beancount.ops.pad`` walks every posting of every account even when the ledger has
  no ``pad`` directive, and then returns the entries unchanged: it is left out of the
  plugin chain when there is no ``Pad`` entry; so is ``beancount.ops.balance`` when
  there is no ``balance`` directive (it would look every posting's account up in an
  empty tree and return the entries unchanged). Both are decided on the entries the
  ledger's own plugins returned (``check_closing`` and ``check_drained`` add
  ``balance`` entries, issue 24). With balance directives and no pad,
  the balance plugin is the last of the chain: :func:`balances_hold` first sums the
  postings of the asserted accounts (exactly, in plain Decimals instead of an
  inventory per account) and, when every assertion holds, the plugin, which would
  return the entries unchanged and no error, is not run; otherwise it runs, last, as
  it would have.
- ``validate_check_transaction_balances`` sums the weight of every posting in an
  ``Inventory`` and infers tolerances for every transaction. A transaction whose
  postings carry plain amounts (no cost, no price) that add up to exactly zero in each
  currency has an empty residual, which is "small" whatever the tolerance: only the
  other transactions are handed to Beancount's check.

The tests compare this pipeline with Beancount's on ledgers with pads, unbalanced
transactions, costs and prices (tests/test_cache.py).
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from beancount import loader
from beancount.core import data, interpolate
from beancount.core.amount import Amount
from beancount.ops import balance, validation
from beancount.parser import booking

ZERO = Decimal(0)


def book_transform_validate(
    entries: list[Any], parse_errors: list[Any], options_map: dict[str, Any]
) -> tuple[list[Any], list[Any]]:
    """Sorted parsed entries → booked, transformed, validated entries and every error.

    The parsed entries are left as they are (the loader keeps them for the next load):
    what Beancount's booking would change in place is copied first (:func:`unshared`).
    """
    fast = book(entries, options_map)
    if fast is not None:
        entries, balance_errors = fast, []
    else:
        entries, balance_errors = booking.book(unshared(entries), options_map)
    errors = [*parse_errors, *balance_errors]
    if options_map.get("plugin_processing_mode", "default") != "default":
        entries, errors = loader.run_transformations(entries, errors, options_map, None)
        errors.extend(validate(entries, options_map))
        return entries, errors
    # Beancount's chain is documents, the ledger's plugins, auto, then pad and balance.
    # The first part runs as it is; what pad and balance have to do is decided on what
    # it returned (check_closing and check_drained add balance entries, a plugin may
    # add pads).
    entries, errors = _run(
        entries,
        errors,
        options_map,
        [*loader.PLUGINS_PRE, *options_map["plugin"], *loader.PLUGINS_AUTO],
    )
    has_pad = any(isinstance(entry, data.Pad) for entry in entries)
    has_balance = any(isinstance(entry, data.Balance) for entry in entries)
    post = [
        plugin
        for plugin in loader.PLUGINS_POST
        if (plugin[0] != "beancount.ops.pad" or has_pad)
        and (plugin[0] != "beancount.ops.balance" or has_balance)
    ]
    # With no pad, the balance plugin runs last: it is run only if balances_hold() cannot
    # tell that every assertion holds (then it would return the entries unchanged).
    if has_balance and not has_pad and balances_hold(entries, options_map):
        post = []
    if post:
        entries, errors = _run(entries, errors, options_map, post)
    errors.extend(validate(entries, options_map))
    return entries, errors


def _run(
    entries: list[Any], errors: list[Any], options_map: dict[str, Any], plugins: list[Any]
) -> tuple[list[Any], list[Any]]:
    """``loader.run_transformations`` with exactly these ``plugins``, in this order."""
    chosen = dict(options_map)
    chosen["plugin_processing_mode"] = "raw"
    chosen["plugin"] = plugins
    return loader.run_transformations(entries, errors, chosen, None)  # type: ignore[no-any-return]


def unshared(entries: list[Any]) -> list[Any]:
    """``entries`` with a metadata of their own for the postings Beancount's booking may
    complete: it marks an interpolated posting by writing into its metadata
    (``__automatic__``), which is the parsed posting's own dict."""
    out: list[Any] = []
    for entry in entries:
        if isinstance(entry, data.Transaction) and any(_incomplete(p) for p in entry.postings):
            entry = entry._replace(
                postings=[
                    p._replace(meta=dict(p.meta)) if p.meta is not None and _incomplete(p) else p
                    for p in entry.postings
                ]
            )
        out.append(entry)
    return out


def _incomplete(posting: Any) -> bool:
    """A posting that booking may replace (a number or currency left out, a cost, a price)."""
    units = posting.units
    return (
        posting.cost is not None
        or posting.price is not None
        or type(units) is not Amount
        or type(units.number) is not Decimal
        or type(units.currency) is not str
    )


def balances_hold(entries: list[Any], options_map: dict[str, Any]) -> bool:
    """True when Beancount's ``balance`` plugin would find every assertion of ``entries``
    holds: then it returns the entries unchanged and no error. False when one fails or
    anything is unusual (costs, an account opened twice or not at all, a currency the
    account does not allow, sums that would not be exact): Beancount decides then.

    Like the plugin, each assertion compares the sum of the units, in its currency, of
    the postings before it (in the sorted entries) to its account and the accounts under
    it, with :func:`beancount.ops.balance.get_balance_tolerance`.
    """
    transaction, assertion = data.Transaction, data.Balance
    exact = (transaction, assertion, data.Open)
    asserted = {e.account for e in entries if type(e) is assertion}
    opens: dict[str, Any] = {}
    twice: set[str] = set()
    for entry in entries:
        kind = type(entry)
        if kind is data.Open:
            if entry.account in opens:
                twice.add(entry.account)
            opens[entry.account] = entry
        elif kind not in exact and isinstance(entry, exact):
            return False  # a subclass: let Beancount decide
    targets_of: dict[str, tuple[str, ...]] = {}
    sums: dict[tuple[str, str], Decimal] = {}
    with decimal.localcontext() as context:
        # Exact sums only: then the plugin's, added in another order, are the same.
        context.traps[decimal.Inexact] = True
        magnitude = ZERO
        try:
            for entry in entries:
                kind = type(entry)
                if kind is transaction:
                    for posting in entry.postings:
                        account = posting.account
                        targets = targets_of.get(account)
                        if targets is None:
                            targets = targets_of[account] = tuple(
                                name
                                for name in asserted
                                if account == name or account.startswith(name + ":")
                            )
                        if not targets:
                            continue
                        units = posting.units
                        if (
                            posting.cost is not None
                            or type(units) is not Amount
                            or type(units.number) is not Decimal
                        ):
                            return False
                        number = units.number
                        magnitude += abs(number)
                        for name in targets:
                            key = (name, units.currency)
                            sums[key] = sums.get(key, ZERO) + number
                elif kind is assertion:
                    expected = entry.amount
                    opened = opens.get(entry.account)
                    if (
                        opened is None
                        or entry.account in twice
                        or type(expected) is not Amount
                        or type(expected.number) is not Decimal
                        or (opened.currencies and expected.currency not in opened.currencies)
                    ):
                        return False
                    magnitude += abs(expected.number)
                    diff = sums.get((entry.account, expected.currency), ZERO) - expected.number
                    if abs(diff) > balance.get_balance_tolerance(entry, options_map):
                        return False
        except decimal.Inexact:
            return False
    return True


def plain_postings(postings: Iterable[Any]) -> bool:
    """Every posting has its number and currency, no cost and no price: what the tool
    writes, and what Beancount's booking leaves as it is."""
    for posting in postings:
        units = posting.units
        if (
            posting.cost is not None
            or posting.price is not None
            or type(units) is not Amount
            or type(units.number) is not Decimal
            or type(units.currency) is not str
        ):
            return False
    return True


def book(entries: list[Any], options_map: dict[str, Any]) -> list[Any] | None:
    """Beancount's booking of a ledger of plain postings, or None for any other ledger."""
    transaction = data.Transaction
    for entry in entries:
        if type(entry) is transaction:
            if not plain_postings(entry.postings):
                return None
        elif isinstance(entry, transaction):
            return None
    infer = interpolate.infer_tolerances
    key = interpolate.AUTOMATIC_TOLERANCES
    automatic = interpolate.AUTOMATIC_META
    # The tolerances depend only on each posting's currency, exponent and "automatic"
    # mark (no cost, no price here): computed once per shape, shared (they are immutable).
    shapes: dict[tuple[Any, ...], Any] = {}
    booked: list[Any] = []
    for entry in entries:
        if type(entry) is not transaction:
            booked.append(entry)
            continue
        postings = entry.postings
        first = postings[0].units.currency if postings else None
        if all(p.units.currency == first for p in postings):
            grouped = list(postings)
        else:
            groups: dict[str, list[Any]] = {}
            for posting in postings:
                groups.setdefault(posting.units.currency, []).append(posting)
            grouped = [p for group in groups.values() for p in group]
        shape = tuple(
            (
                p.units.currency,
                p.units.number.as_tuple().exponent,
                bool(p.meta) and automatic in p.meta,
            )
            for p in postings
        )
        tolerances = shapes.get(shape)
        if tolerances is None:
            tolerances = shapes[shape] = infer(postings, options_map, mode="max")
        meta = entry.meta.copy()
        meta[key] = tolerances
        booked.append(entry._replace(postings=grouped, meta=meta))
    return booked


def validate(entries: list[Any], options_map: dict[str, Any]) -> list[Any]:
    """``beancount.ops.validation.validate`` with the balance check's fast path."""
    errors: list[Any] = []
    for function in validation.VALIDATIONS:
        if function is validation.validate_check_transaction_balances:
            errors.extend(check_transaction_balances(entries, options_map))
        else:
            errors.extend(function(entries, options_map))
    return errors


def check_transaction_balances(entries: list[Any], options_map: dict[str, Any]) -> list[Any]:
    """Beancount's check, run only on transactions that do not trivially balance."""
    residual_key = interpolate.AUTOMATIC_RESIDUAL
    transaction = data.Transaction
    others: list[Any] = []
    for entry in entries:
        if type(entry) is not transaction:
            if isinstance(entry, transaction):  # a subclass: let Beancount decide
                others.append(entry)
            continue
        sums: dict[str, Decimal] = {}
        simple = True
        for posting in entry.postings:
            if posting.meta and posting.meta.get(residual_key, False):
                continue  # Beancount skips these too
            units = posting.units
            if (
                posting.cost is not None
                or posting.price is not None
                or type(units) is not Amount
                or type(units.number) is not Decimal
            ):
                simple = False
                break
            sums[units.currency] = sums.get(units.currency, ZERO) + units.number
        if not simple or any(sums.values()):
            others.append(entry)
    return list(validation.validate_check_transaction_balances(others, options_map))
