"""``check``: every ledger loads cleanly, then every domain rule holds.

Domain modules register their rules here (pure functions from loaded ledgers to
problems, like Beancount plugins return errors as values) and are listed in
``RULE_MODULES`` so that ``check`` imports them.

    @entity_rule
    def pcg_numbers(ws, ledger):
        yield LedgerProblem(...)
"""

from __future__ import annotations

import gc
import importlib
import weakref
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from beancount.core import data

from alusage_ledger.core.errors import LedgerErrors, LedgerProblem
from alusage_ledger.core.i18n import _

if TYPE_CHECKING:
    from alusage_ledger.books.ledger import Workspace
    from alusage_ledger.books.loader import LoadedLedger

EntityRule = Callable[["Workspace", "LoadedLedger"], Iterable[LedgerProblem]]
WorkspaceRule = Callable[["Workspace", dict[str, "LoadedLedger"]], Iterable[LedgerProblem]]

ENTITY_RULES: list[EntityRule] = []
WORKSPACE_RULES: list[WorkspaceRule] = []

#: Modules that register rules when imported.
RULE_MODULES: tuple[str, ...] = (
    "alusage_ledger.books.checks",
    "alusage_ledger.domains.commons.intercompany",
    "alusage_ledger.domains.commons.regularisation",
    "alusage_ledger.books.locks",
    "alusage_ledger.domains.purchases.bills",
    "alusage_ledger.domains.lettering.letters",
    "alusage_ledger.domains.sales.rules",
    "alusage_ledger.domains.places.checks",
    "alusage_ledger.integrations.bank.refs",
    "alusage_ledger.domains.year.checks",
    "alusage_ledger.domains.year.capital_checks",
    "alusage_ledger.outputs.documents.checks",
)


def entity_rule(rule: EntityRule) -> EntityRule:
    ENTITY_RULES.append(rule)
    return rule


def workspace_rule(rule: WorkspaceRule) -> WorkspaceRule:
    WORKSPACE_RULES.append(rule)
    return rule


#: Rules that read only the parsed files (``ledger.parsed_entries()``), so they also run on
#: a ledger whose booking or validation failed: e.g. the month locks name the closed month
#: that a hand edit broke, next to Beancount's failed balance assertions.
PARSED_RULES: list[EntityRule] = []


def parsed_rule(rule: EntityRule) -> EntityRule:
    PARSED_RULES.append(rule)
    return rule


def _load_rules() -> None:
    for name in RULE_MODULES:
        importlib.import_module(name)


def run_checks(ws: Workspace, entities: Iterable[str] | None = None) -> list[LedgerProblem]:
    """Load every ledger (or the ones named) and run every rule; problems as values."""
    _load_rules()
    # The rules build indexes of many small objects (40 000 invoices at 100k transactions)
    # and make no cyclic garbage: collections would only walk them again and again.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _run_checks(ws, entities)
    finally:
        if gc_was_enabled:
            gc.enable()


def _run_checks(ws: Workspace, entities: Iterable[str] | None) -> list[LedgerProblem]:
    wanted = list(entities) if entities is not None else list(ws.config.entities)
    problems: list[LedgerProblem] = []
    loaded: dict[str, LoadedLedger] = {}
    for entity in wanted:
        ws.config.entity(entity)
        try:
            ledger = ws.load(entity)
        except LedgerErrors as exc:
            problems.extend(exc.problems or [LedgerProblem(entity, None, None, exc.message)])
            continue
        problems.extend(ledger.problems)
        if ledger.ok:
            loaded[entity] = ledger
            for rule in ENTITY_RULES:
                problems.extend(rule(ws, ledger))
        if ledger.ok or ledger.options:  # vetting passed: the files were parsed
            for rule in PARSED_RULES:
                problems.extend(rule(ws, ledger))
    if entities is None or len(loaded) > 1:
        for wrule in WORKSPACE_RULES:
            problems.extend(wrule(ws, loaded))
    return problems


_CENT = Decimal("0.01")

#: Facts about one loaded ledger that several rules read, computed once: the rules of a
#: ledger run one after the other, so only the latest ledger's are kept (by a weak
#: reference: they go with it).
_SHARED: dict[str, Any] = {}
_SHARED_OF: list[Any] = []  # [weakref to the ledger the facts are about]


def shared(ledger: LoadedLedger, name: str, compute: Callable[[], Any]) -> Any:
    """``compute()`` once per loaded ledger and ``name`` (a loaded ledger never changes)."""
    if not _SHARED_OF or _SHARED_OF[0]() is not ledger:
        _SHARED.clear()
        _SHARED_OF[:] = [weakref.ref(ledger, lambda _ref: _SHARED.clear())]
    if name not in _SHARED:
        _SHARED[name] = compute()
    return _SHARED[name]


def transactions(ledger: LoadedLedger) -> list[Any]:
    """The ledger's transactions, in order (one ``isinstance`` pass shared by the rules)."""

    def compute() -> list[Any]:
        return [e for e in ledger.entries if isinstance(e, data.Transaction)]

    result: list[Any] = shared(ledger, "transactions", compute)
    return result


def _meta_line(entry: Any) -> tuple[str | None, int | None]:
    meta = entry.meta or {}
    return meta.get("filename"), meta.get("lineno")


def problem_at(
    ws: Workspace, entity: str, entry: Any, message: str, severity: str = "error"
) -> LedgerProblem:
    """A problem located at an entry's file and line, relative to the workspace."""
    filename, line = _meta_line(entry)
    rel = None
    if filename and not str(filename).startswith("<"):
        try:
            rel = Path(filename).resolve().relative_to(ws.root).as_posix()
        except ValueError:
            rel = str(filename)
    return LedgerProblem(entity, rel, line, message, severity)


@entity_rule
def pcg_numbers(ws: Workspace, ledger: LoadedLedger) -> Iterable[LedgerProblem]:
    """Every ``open`` carries its PCG number; accounts sharing a number share a label."""
    opens = [e for e in ledger.entries if isinstance(e, data.Open)]
    if opens and not any("pcg" in (e.meta or {}) for e in opens):
        # A ledger kept without PCG numbers (e.g. an English one): one warning, not one
        # per account.
        yield problem_at(
            ws,
            ledger.entity,
            opens[0],
            _(
                'no account of this ledger has a PCG number (metadata pcg: "NNNN" on each '
                "open); the French reports and the FEC need them."
            ),
            "warning",
        )
        return
    labels: dict[str, tuple[str, Any]] = {}
    for entry in opens:
        pcg = (entry.meta or {}).get("pcg")
        if pcg is None:
            yield problem_at(
                ws,
                ledger.entity,
                entry,
                _('the account {account} has no PCG number (metadata pcg: "NNNN").').format(
                    account=entry.account
                ),
                "warning",
            )
            continue
        if not (isinstance(pcg, str) and pcg.isdigit() and len(pcg) >= 3):
            yield problem_at(
                ws,
                ledger.entity,
                entry,
                _("the PCG number of {account} must be digits, at least 3 ({value!r}).").format(
                    account=entry.account, value=pcg
                ),
            )
            continue
        label = (entry.meta or {}).get("label")
        if label is not None and pcg in labels and labels[pcg][0] != label:
            yield problem_at(
                ws,
                ledger.entity,
                entry,
                _("accounts numbered {pcg} have different labels ({a!r} and {b!r}).").format(
                    pcg=pcg, a=labels[pcg][0], b=label
                ),
                "warning",
            )
        elif label is not None:
            labels.setdefault(pcg, (label, entry))


@entity_rule
def cents_only(ws: Workspace, ledger: LoadedLedger) -> Iterable[LedgerProblem]:
    """A euro amount has at most 2 decimals (M1)."""
    for entry in transactions(ledger):
        for posting in entry.postings:
            units = posting.units
            if (
                units is not None
                and units.currency == "EUR"
                and isinstance(units.number, Decimal)
                # exactly 2 decimals (what the tool writes) is answered without a tuple
                and not units.number.same_quantum(_CENT)
                and units.number.as_tuple().exponent < -2  # type: ignore[operator]
            ):
                yield problem_at(
                    ws,
                    ledger.entity,
                    entry,
                    _("{account}: {amount} EUR has more than 2 decimals.").format(
                        account=posting.account, amount=units.number
                    ),
                )
