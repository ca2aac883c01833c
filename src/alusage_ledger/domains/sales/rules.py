"""The check rules of sales and VAT (registered with ``books.checks`` when imported).

Numbering: continuous per series and year, no duplicate, dates following numbers. VAT:
no VAT under the franchise, the franchise thresholds, 5.5 % for food, VAT pending only on
unpaid service invoices, settlements equal to the returns computed from the books.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alusage_ledger.books.checks import entity_rule, problem_at, transactions
from alusage_ledger.books.entries import is_under
from alusage_ledger.books.vatregime import regime_finder, regime_on, regimes_of
from alusage_ledger.core.errors import LedgerProblem, UsageError
from alusage_ledger.core.fmt import money
from alusage_ledger.core.i18n import _
from alusage_ledger.core.money import ZERO
from alusage_ledger.core.periods import parse_period
from alusage_ledger.domains.sales.activities import (
    activities_of,
)
from alusage_ledger.domains.sales.index import Accounts, SalesIndex, sales_index
from alusage_ledger.domains.sales.numbering import Series, series_of
from alusage_ledger.domains.sales.returns import (
    LedgerVat,
    compute_return,
    matches_return,
)
from alusage_ledger.domains.sales.thresholds import turnover_steps

if TYPE_CHECKING:
    from alusage_ledger.books.config import Config
    from alusage_ledger.books.ledger import Workspace
    from alusage_ledger.books.loader import LoadedLedger


def _series_problems(
    ws: Workspace,
    ledger: LoadedLedger,
    series: Series,
    documents: dict[str, Any],
    duplicates: list[tuple[str, Any]],
) -> Iterable[LedgerProblem]:
    entity = ledger.entity
    for number, entry in duplicates:
        first = documents.get(number)
        where = ""
        if first is not None:
            meta = first.meta or {}
            where = f" ({Path(str(meta.get('filename', ''))).name}:{meta.get('lineno')})"
        yield problem_at(
            ws,
            entity,
            entry,
            _("the number {number} is used twice{where}; numbers must be unique.").format(
                number=number, where=where
            ),
        )
    # series_numbers(series, documents.items()), each number parsed once
    parse = series.parser()
    parsed = {number: parse(number) for number in documents}
    groups: dict[int | None, list[tuple[int, str, Any]]] = {}
    for number, entry in documents.items():
        found = parsed[number]
        if found is not None:
            groups.setdefault(found[0], []).append((found[1], number, entry))
    for items in groups.values():
        items.sort(key=lambda item: item[0])
    start = ws.config.entity(entity).books_start_date()
    for number, entry in documents.items():
        if parsed[number] is None:
            yield problem_at(
                ws,
                entity,
                entry,
                _("the number {number} does not fit the series {pattern}.").format(
                    number=number, pattern=series.pattern
                ),
                "warning",
            )
    for year, items in sorted(groups.items(), key=lambda kv: kv[0] or 0):
        # Books started mid-year: the first numbers of that year live in the old books.
        first_seq = 1
        if (start is not None and year == start.year and start.month > 1) or (
            year is None and start
        ):
            first_seq = items[0][0]
        present = {seq for seq, _n, _e in items}
        missing = [s for s in range(first_seq, items[-1][0]) if s not in present]
        if missing:
            shown = [series.format(year or 0, s) for s in missing[:20]]
            more = len(missing) - len(shown)
            text = ", ".join(shown) + (f" (+{more})" if more > 0 else "")
            yield problem_at(
                ws,
                entity,
                items[-1][2],
                _(
                    "the series {pattern} has a gap: {numbers} missing (numbering must be "
                    "continuous; cancel with a credit note, never delete)."
                ).format(pattern=series.pattern, numbers=text),
            )
        for (_s1, n1, e1), (_s2, n2, e2) in itertools.pairwise(items):
            if e2.date < e1.date:
                yield problem_at(
                    ws,
                    entity,
                    e2,
                    _(
                        "{number} is dated {day}, before {previous} ({previous_day}): dates must "
                        "not decrease along numbers."
                    ).format(number=n2, day=e2.date, previous=n1, previous_day=e1.date),
                )


@entity_rule
def invoice_numbering(ws: Workspace, ledger: LoadedLedger) -> Iterable[LedgerProblem]:
    """Continuous numbering per series and year; no duplicate; dates follow numbers."""
    index = sales_index(ws.config, ledger)
    invoice_series, credit_series = series_of(ws.config, ledger.entity)
    yield from _series_problems(
        ws,
        ledger,
        invoice_series,
        {n: i.entry for n, i in index.invoices.items()},
        [(n, e) for kind, n, e in index.duplicates if kind == "invoice"],
    )
    yield from _series_problems(
        ws,
        ledger,
        credit_series,
        {n: c.entry for n, c in index.credit_notes.items()},
        [(n, e) for kind, n, e in index.duplicates if kind == "credit-note"],
    )
    for note in index.credit_notes.values():
        if note.invoice is not None and note.invoice not in index.invoices:
            yield problem_at(
                ws,
                ledger.entity,
                note.entry,
                _(
                    "the credit note {number} cancels {invoice}, which is not in this ledger."
                ).format(number=note.number, invoice=note.invoice),
            )


def _franchise_days(config: Config, entity: str) -> list[tuple[date, date | None]]:
    """Intervals ``[since, until)`` when the entity is under the franchise."""
    items = regimes_of(config, entity)
    out = []
    for index, item in enumerate(items):
        if item.regime == "franchise":
            until = items[index + 1].since if index + 1 < len(items) else None
            out.append((item.since, until))
    return out


def _in_franchise(spans: list[tuple[date, date | None]], day: date) -> bool:
    return any(start <= day and (end is None or day < end) for start, end in spans)


@entity_rule
def no_vat_under_franchise(ws: Workspace, ledger: LoadedLedger) -> Iterable[LedgerProblem]:
    """An entity under the franchise invoices no VAT."""
    spans = _franchise_days(ws.config, ledger.entity)
    if not spans:
        return
    index = sales_index(ws.config, ledger)
    acc = Accounts.of(ws.config, ledger)
    for invoice in index.invoices.values():
        if not _in_franchise(spans, invoice.date):
            continue
        if invoice.vat_total or any(
            p.units is not None and acc.is_vat_out(p.account) for p in invoice.entry.postings
        ):
            yield problem_at(
                ws,
                ledger.entity,
                invoice.entry,
                _(
                    "{number} charges VAT while {entity} is under the franchise (art. 293 B "
                    "du CGI); issue a credit note, or change the regime in alusage.toml."
                ).format(number=invoice.number, entity=ledger.entity),
            )


@entity_rule
def franchise_thresholds(ws: Workspace, ledger: LoadedLedger) -> Iterable[LedgerProblem]:
    """Franchise thresholds per calendar year: warn at 80 % and when crossed; an invoice
    without VAT after the seuil majoré is an error."""
    spans = _franchise_days(ws.config, ledger.entity)
    if not spans:
        return
    config = ws.config
    entity = ledger.entity
    index = sales_index(config, ledger)
    invoice_entries = {id(inv.entry): inv for inv in index.invoices.values()}

    totals: dict[int, dict[str, Decimal]] = {}
    warned: set[tuple[int, str, str]] = set()
    crossed_major: dict[int, str] = {}
    for step in turnover_steps(config, ledger):  # the same figures as at the door
        entry, year, regime = step.entry, step.year, step.regime
        total = totals.setdefault(year, {"services": ZERO, "all": ZERO})
        total["services"], total["all"] = step.services, step.total
        if regime.regime != "franchise":
            continue
        limits = (
            ("services", regime.services_threshold, regime.services_threshold_major),
            ("all", regime.sales_threshold, regime.sales_threshold_major),
        )
        for key, base, major in limits:
            value = total[key]
            what = _("services") if key == "services" else _("all activities")
            if value > major:
                crossed_major.setdefault(year, key)
            elif value > base and (year, key, "base") not in warned:
                warned.add((year, key, "base"))
                yield problem_at(
                    ws,
                    entity,
                    entry,
                    _(
                        "turnover {year} ({what}) is {value}, above the franchise threshold of "
                        "{limit}: the franchise ends on January 1st, {next_year}."
                    ).format(
                        year=year,
                        what=what,
                        value=money(value),
                        limit=money(base),
                        next_year=year + 1,
                    ),
                    "warning",
                )
            elif value >= base * Decimal("0.8") and (year, key, "80") not in warned:
                warned.add((year, key, "80"))
                yield problem_at(
                    ws,
                    entity,
                    entry,
                    _(
                        "turnover {year} ({what}) is {value}, over 80 % of the franchise "
                        "threshold of {limit}."
                    ).format(year=year, what=what, value=money(value), limit=money(base)),
                    "warning",
                )
        invoice = invoice_entries.get(id(entry))
        if year in crossed_major and invoice is not None and not invoice.vat_total:
            key = crossed_major[year]
            limit = (
                regime.services_threshold_major
                if key == "services"
                else (regime.sales_threshold_major)
            )
            yield problem_at(
                ws,
                entity,
                entry,
                _(
                    "{number} has no VAT but the turnover of {year} crossed {limit} (seuil "
                    "majoré): the franchise ended on that day; charge VAT and change the regime "
                    "in alusage.toml."
                ).format(number=invoice.number, year=year, limit=money(limit)),
            )
    for year, total in sorted(totals.items()):
        nxt = regime_on(config, entity, date(year + 1, 1, 1))
        if nxt.regime != "franchise":
            continue
        crossed = total["services"] > nxt.services_threshold or total["all"] > nxt.sales_threshold
        later = [e for e in _entries_with_revenue(index) if e.date.year == year + 1]
        if crossed and later:
            yield problem_at(
                ws,
                entity,
                later[0],
                _(
                    "{entity} is still under the franchise in {next_year} although its "
                    "turnover of {year} crossed the threshold; set its VAT regime from "
                    "January 1st, {next_year}."
                ).format(entity=entity, year=year, next_year=year + 1),
                "warning",
            )


def _entries_with_revenue(index: SalesIndex) -> list[Any]:
    return [inv.entry for inv in sorted(index.invoices.values(), key=lambda i: i.date)]


@entity_rule
def reduced_rate_for_food(ws: Workspace, ledger: LoadedLedger) -> Iterable[LedgerProblem]:
    """5.5 % is the rate of food (vegetables); anything else at 5.5 % gets a warning."""
    acts = activities_of(ws.config, ledger.entity)
    index = sales_index(ws.config, ledger)
    for invoice in index.invoices.values():
        for line in invoice.lines:
            activity = acts.get(line.activity)
            if line.rate == "5.5" and (activity is None or activity.rate != "5.5"):
                yield problem_at(
                    ws,
                    ledger.entity,
                    invoice.entry,
                    _(
                        "{number}: 5.5 % VAT on {activity}; this rate is for food such as "
                        "vegetables (CGI 278-0 bis A), check the rate."
                    ).format(number=invoice.number, activity=line.activity),
                    "warning",
                )
                break


@entity_rule
def pending_vat_only_on_unpaid_services(
    ws: Workspace, ledger: LoadedLedger
) -> Iterable[LedgerProblem]:
    """VAT waits on vat-pending only for service invoices not yet paid (encaissements)."""
    index = sales_index(ws.config, ledger)
    acc = Accounts.of(ws.config, ledger)
    entity = ledger.entity
    regime_of = regime_finder(ws.config, entity)
    attached = ZERO
    for invoice in index.invoices.values():
        left = invoice.pending_left()
        attached += sum(left.values(), ZERO)
        pending_total = sum(invoice.pending.values(), ZERO)
        if pending_total:
            goods_only = all(line.kind == "goods" for line in invoice.lines)
            regime = regime_of(invoice.date)
            if goods_only:
                yield problem_at(
                    ws,
                    entity,
                    invoice.entry,
                    _(
                        "{number} sells goods but books its VAT as pending: VAT on goods is "
                        "due on delivery (44571)."
                    ).format(number=invoice.number),
                )
            elif regime.exigibility == "debits":
                yield problem_at(
                    ws,
                    entity,
                    invoice.entry,
                    _(
                        "{number} books VAT as pending while {entity} pays VAT on debits: it "
                        "is due on the invoice (44571)."
                    ).format(number=invoice.number, entity=entity),
                )
        if any(value < 0 for value in left.values()):
            yield problem_at(
                ws,
                entity,
                (invoice.receipts[-1].entry if invoice.receipts else invoice.entry),
                _("{number}: more VAT was moved out of pending than the invoice carried.").format(
                    number=invoice.number
                ),
            )
        elif (invoice.remaining <= 0 or invoice.cancelled) and any(left.values()):
            last = invoice.receipts[-1].entry if invoice.receipts else invoice.entry
            yield problem_at(
                ws,
                entity,
                last,
                _(
                    "{number} is settled but {amount} of its VAT is still pending; move it to "
                    "VAT collected (44571)."
                ).format(number=invoice.number, amount=sum(left.values(), ZERO)),
            )

    balance = ZERO
    pending_accounts: dict[str, bool] = {}
    for entry in transactions(ledger):
        for p in entry.postings:
            under = pending_accounts.get(p.account)
            if under is None:
                under = pending_accounts[p.account] = is_under(p.account, acc.pending)
            if under and p.units is not None:
                balance -= p.units.number
    if balance != attached:
        yield LedgerProblem(
            entity,
            None,
            None,
            _(
                "VAT pending (44588) is {balance} but the unpaid invoices account for {attached}; "
                "some pending VAT is not linked to an invoice."
            ).format(balance=balance, attached=attached),
            "warning",
        )


@entity_rule
def settlements_match_returns(ws: Workspace, ledger: LoadedLedger) -> Iterable[LedgerProblem]:
    """A VAT settlement in the books equals the return computed from the same books."""
    regimes = regimes_of(ws.config, ledger.entity)
    if all(item.regime == "franchise" for item in regimes):
        return
    vat_ledger = LedgerVat(ws.config, ledger)

    for entry in vat_ledger.settlements:
        label = (entry.meta or {}).get("period")
        if not isinstance(label, str):
            continue
        try:
            period = parse_period(label)
            result = compute_return(ws.config, vat_ledger, period)
        except UsageError:
            continue
        if result.existing is not entry or result.form == "none":
            continue
        # settlement_entry()'s amounts (its texts are not compared: not written here)
        if not matches_return(entry, result, vat_ledger.acc):
            yield problem_at(
                ws,
                ledger.entity,
                entry,
                _(
                    "the VAT settlement of {period} differs from the return computed from the "
                    "ledger ({due} due, {credit} credit); see 'alusage-ledger vat --entity "
                    "{entity} --period {period}'."
                ).format(
                    period=period.label,
                    due=result.due,
                    credit=result.credit,
                    entity=ledger.entity,
                ),
                "warning",
            )
