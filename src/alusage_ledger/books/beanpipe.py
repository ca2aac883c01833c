"""Beancount's booking, plugins and validation, with the same results, faster (issue 13).

``bean-check`` runs, after parsing: booking, the plugins (``documents`` first, the
ledger's own, then ``pad`` and ``balance``), then the validations. Two of these steps do
work whose result is known in advance on the ledgers this tool writes; they are
skipped only in those cases, and the outcome (entries and errors, in the same order) is
the one Beancount would produce:

- Booking (``booking_full``) groups postings by currency, copies an inventory per
  posting, resolves lots and interpolates missing numbers. A transaction without cost,
  whose postings have their numbers and currencies (prices ``@``/``@@`` included) but
  for at most one left without amount, needs none of the lots: :func:`book_transaction`
  books it as ``booking_full`` does (groups, interpolation, quantization, tolerances).
  Every other transaction is booked by ``booking_full`` itself, with the running
  balances it reads (:func:`book_ledger`).
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
transactions, costs and prices (tests/test_beanpipe.py, tests/test_fast_path.py,
tests/test_equivalence.py).
"""

from __future__ import annotations

import collections
import decimal
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from beancount import loader
from beancount.core import data, interpolate, inventory
from beancount.core.amount import Amount
from beancount.core.number import MISSING
from beancount.ops import balance, validation
from beancount.parser import booking, booking_full

ZERO = Decimal(0)


def book_transform_validate(
    entries: list[Any], parse_errors: list[Any], options_map: dict[str, Any]
) -> tuple[list[Any], list[Any]]:
    """Sorted parsed entries → booked, transformed, validated entries and every error.

    The parsed entries are left as they are (the loader keeps them for the next load):
    what Beancount's booking would change in place is copied first (:func:`unshared`).
    """
    entries, balance_errors = book_ledger(entries, options_map)
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
    """Beancount's booking of a ledger of plain postings (:func:`plain_postings`: what the
    tool writes), or None for any other ledger (the closing's planned loads use it)."""
    transaction = data.Transaction
    for entry in entries:
        if type(entry) is transaction:
            if not plain_postings(entry.postings):
                return None
        elif isinstance(entry, transaction):
            return None
    return book_ledger(entries, options_map)[0]


def book_ledger(entries: list[Any], options_map: dict[str, Any]) -> tuple[list[Any], list[Any]]:
    """Beancount's ``booking.book``: the same entries and errors, in the same order.

    A transaction of a common shape (:func:`fast_shape`) is booked here, exactly as
    ``booking_full`` books it (:func:`book_transaction`); every other transaction is
    booked by ``booking_full.book`` itself, in runs, from the running balances it reads:
    those of the accounts such transactions post to, which the transactions booked here
    update too (Beancount reads no other account's balance). The missing-number check
    runs on what Beancount booked (what is booked here has every number).
    """
    transaction = data.Transaction
    fast: list[bool] = []
    slow_accounts: set[str] = set()
    for entry in entries:
        if type(entry) is transaction and fast_shape(entry.postings):
            fast.append(True)
            continue
        fast.append(False)
        if isinstance(entry, transaction):
            slow_accounts.update(posting.account for posting in entry.postings)
    if not slow_accounts:
        shapes: dict[tuple[Any, ...], tuple[Any, Any]] = {}
        return [
            book_transaction(entry, options_map, shapes) if quick else entry
            for entry, quick in zip(entries, fast, strict=True)
        ], []
    methods: dict[str, Any] = collections.defaultdict(lambda: options_map["booking_method"])
    for entry in entries:
        if isinstance(entry, data.Open) and entry.booking:
            methods[entry.account] = entry.booking
    balances: dict[str, Any] = collections.defaultdict(inventory.Inventory)
    booked: list[Any] = []
    errors: list[Any] = []
    by_beancount: list[Any] = []
    pending: list[Any] = []
    shapes = {}

    def flush() -> None:
        if pending:
            out, found = booking_full.book(unshared(pending), options_map, methods, balances)
            booked.extend(out)
            by_beancount.extend(out)
            errors.extend(found)
            pending.clear()

    for entry, quick in zip(entries, fast, strict=True):
        if not quick:
            if pending or isinstance(entry, transaction):
                pending.append(entry)
            else:
                booked.append(entry)  # booking leaves it as it is
            continue
        flush()
        entry = book_transaction(entry, options_map, shapes)
        booked.append(entry)
        for posting in entry.postings:
            if posting.account in slow_accounts:
                balances[posting.account].add_position(posting)
    flush()
    errors.extend(booking.validate_missing_eliminated(by_beancount, options_map))
    return booked, errors


def fast_shape(postings: Sequence[Any]) -> bool:
    """Postings :func:`book_transaction` books as Beancount does: no cost; numbers and
    currencies written (a price ``@``/``@@`` with its number and currency), but for at
    most one posting left without amount (and without price), next to at least one
    other."""
    auto = False
    for posting in postings:
        if posting.cost is not None:
            return False
        units = posting.units
        if units is MISSING:
            if auto or posting.price is not None:
                return False
            auto = True
            continue
        if (
            type(units) is not Amount
            or type(units.number) is not Decimal
            or type(units.currency) is not str
        ):
            return False
        price = posting.price
        if price is not None and (
            type(price) is not Amount
            or type(price.number) is not Decimal
            or type(price.currency) is not str
        ):
            return False
    return not auto or len(postings) > 1


def book_transaction(
    entry: Any, options_map: dict[str, Any], shapes: dict[tuple[Any, ...], tuple[Any, Any]]
) -> Any:
    """``booking_full``'s booking of one transaction of :func:`fast_shape`.

    As ``categorize_by_currency`` and ``replace_currencies`` do, the postings are grouped
    by the currency of their weight (the price's, else the units'), groups in order of
    their first posting, postings in their order; the posting without amount goes into
    every group. In each group, as ``interpolate_group`` does, it takes the opposite of
    the others' weights summed as an ``Inventory`` sums them (in order, a zero sum
    dropped), quantized as ``interpolate.quantize_with_tolerance`` quantizes it, and is
    marked ``__automatic__``; a group whose others sum to zero drops it. The
    transaction's metadata gets the tolerances ``interpolate.infer_tolerances`` infers
    (computed once per shape of postings: they depend on nothing else, costs and prices
    aside).
    """
    postings = entry.postings
    automatic = interpolate.AUTOMATIC_META
    groups: dict[str, list[Any]] = {}
    shape: list[Any] = []
    where = -1
    for index, posting in enumerate(postings):
        units = posting.units
        meta = posting.meta
        marked = meta is not None and automatic in meta
        if units is MISSING:
            where = index
            shape.append((None, marked))
            continue
        price = posting.price
        currency = units.currency
        if price is None:
            shape.append((currency, units.number.as_tuple().exponent, marked))
        else:
            shape.append((currency, units.number.as_tuple().exponent, marked, price.currency))
            currency = price.currency
        group = groups.get(currency)
        if group is None:
            groups[currency] = [posting]
        else:
            group.append(posting)
    key = tuple(shape)
    use_cost = options_map["infer_tolerance_from_cost"]
    tolerances = None if use_cost else shapes.get(key)
    if tolerances is None:
        infer = interpolate.infer_tolerances
        most = infer(postings, options_map, mode="max")
        interp = (
            infer(postings, options_map, mode="min")
            if options_map["use_precise_interpolation"]
            else most
        )
        tolerances = (most, {})
        if not use_cost:
            shapes[key] = tolerances
    else:
        interp = None
    most, quanta = tolerances
    if where < 0:
        booked = list(postings) if len(groups) < 2 else [p for g in groups.values() for p in g]
    else:
        if interp is None:
            interp = (
                interpolate.infer_tolerances(postings, options_map, mode="min")
                if options_map["use_precise_interpolation"]
                else most
            )
        auto = postings[where]
        # Within each group, the posting without amount keeps its place.
        before = {id(p) for p in postings[:where]}
        meta = None if auto.meta is None else dict(auto.meta)
        booked = []
        for currency, group in groups.items():
            filled = _fill(auto, meta, currency, group, interp, quanta)
            if filled is None:
                booked.extend(group)
                continue
            cut = sum(1 for p in group if id(p) in before)
            booked.extend(group[:cut])
            booked.append(filled)
            booked.extend(group[cut:])
    meta = entry.meta.copy()
    meta[interpolate.AUTOMATIC_TOLERANCES] = most
    return data.Transaction(
        meta, entry.date, entry.flag, entry.payee, entry.narration, entry.tags, entry.links, booked
    )


def _quantum(tolerances: Any, currency: str) -> Decimal | None:
    """What ``interpolate.quantize_with_tolerance`` quantizes an interpolated number of
    ``currency`` to (None: it leaves the number as it is), computed as it computes it."""
    tolerance = tolerances.get(currency)
    if tolerance:
        quantum = (tolerance * 2).normalize()
        if interpolate.is_tolerance_user_specified(quantum):
            return quantum  # type: ignore[no-any-return]
    return None


def _fill(
    auto: Any,
    meta: dict[str, Any] | None,
    currency: str,
    group: list[Any],
    tolerances: Any,
    quanta: dict[str, Decimal | None],
) -> Any:
    """The posting without amount, completed in ``currency`` (None: the others sum to zero).

    ``quanta`` keeps :func:`_quantum` by currency for the transactions of one shape (whose
    tolerances are the same)."""
    residual_key = interpolate.AUTOMATIC_RESIDUAL
    total = None
    for posting in group:
        if posting.meta and posting.meta.get(residual_key, False):
            continue
        units = posting.units
        price = posting.price
        number = units.number if price is None else price.number * units.number
        if total is None:
            if number != ZERO:
                total = number
        else:
            total = total + number
            if total == ZERO:
                total = None
    if total is None:
        return None
    if currency in quanta:
        quantum = quanta[currency]
    else:
        quantum = quanta[currency] = _quantum(tolerances, currency)
    number = -total
    if quantum is not None:
        number = number.quantize(quantum)
    if meta is None:
        meta = {}
    meta[interpolate.AUTOMATIC_META] = True
    return data.Posting(auto.account, Amount(number, currency), None, auto.price, auto.flag, meta)


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
    """Beancount's check, run only on transactions that do not trivially balance: those
    whose weights (units, or units times price; no cost) add up, exactly, to zero in
    each currency have an empty residual, which Beancount finds small whatever the
    tolerances."""
    residual_key = interpolate.AUTOMATIC_RESIDUAL
    transaction = data.Transaction
    others: list[Any] = []
    with decimal.localcontext() as context:
        # Exact sums only: then an inventory's sums, in Beancount's order, are the same.
        context.traps[decimal.Inexact] = True
        for entry in entries:
            if type(entry) is not transaction:
                if isinstance(entry, transaction):  # a subclass: let Beancount decide
                    others.append(entry)
                continue
            sums: dict[str, Decimal] = {}
            simple = True
            try:
                for posting in entry.postings:
                    if posting.meta and posting.meta.get(residual_key, False):
                        continue  # Beancount skips these too
                    units = posting.units
                    price = posting.price
                    if (
                        posting.cost is not None
                        or type(units) is not Amount
                        or type(units.number) is not Decimal
                    ):
                        simple = False
                        break
                    if price is None:
                        currency, number = units.currency, units.number
                    elif type(price) is Amount and type(price.number) is Decimal:
                        currency, number = price.currency, price.number * units.number
                    else:
                        simple = False
                        break
                    sums[currency] = sums.get(currency, ZERO) + number
            except decimal.Inexact:
                simple = False
            if not simple or any(sums.values()):
                others.append(entry)
    return list(validation.validate_check_transaction_balances(others, options_map))
