"""VAT: dated regimes per entity, exigibility, and the returns each regime asks for.

Each entity has dated VAT settings (``[[entities.<id>.vat]]``: ``since``, ``regime``,
``exigibility``); without any, a company (``sas``, ``scic``) is ``reel-mensuel`` with VAT
on services due on receipt (``encaissements``), and a micro-entrepreneur is under the
franchise (art. 293 B CGI).

The return of a period is computed from the ledger, never typed in:

- VAT collected: credits to ``vat-collected`` (44571) dated in the period, by rate. Goods
  reach 44571 on the invoice; services move there from ``vat-pending`` (44588) with each
  receipt, so a service invoiced in May and paid in June is declared in June.
- VAT deductible: debits to ``vat-deductible`` (44566) dated in the period, on goods or
  services after the ``vat-kind`` metadata of the posting or transaction (default
  services; ``fixed-assets`` for immobilisations).
- the credit carried from the previous return (44567) and, for the CA12, the instalments
  paid during the year (44581).

Settlement entries (``--post``, or ``close`` in a declaration month) are excluded from
the sums: any transaction that moves 44571/44566 against 44551/44567/44581, or carries a
``gen-id`` starting with ``vat/``. They are dated ``settlement_day`` (default the 20th)
of the month the return is filed in, and idempotent by ``gen-id``::

    2026-12-20 * "SIE" "Déclaration de TVA de novembre 2026 (CA3)" ^tva-2026-11
      period: "2026-11"
      gen-id: "vat/ca3/2026-11"
      Passif:Etat:TVACollectee        1254.10 EUR
      Actif:Etat:TVADeductible        -115.54 EUR
      Passif:Etat:TVAADecaisser      -1138.56 EUR

Returns are exact to the cent; the paper CA3 rounds to the euro (the difference is not
booked by this tool, see docs/sales-and-vat.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from alusage_ledger.books.checks import entity_rule, problem_at
from alusage_ledger.books.config import VatRegimeConfig
from alusage_ledger.books.entries import is_under, ledger_text, posting, transaction
from alusage_ledger.books.monthend import month_step
from alusage_ledger.books.vatregime import (
    DEFAULT_REGIME as DEFAULT_REGIME,
)
from alusage_ledger.books.vatregime import (
    regime_finder as regime_finder,
)
from alusage_ledger.books.vatregime import (
    regime_on as regime_on,
)
from alusage_ledger.books.vatregime import (
    regimes_of as regimes_of,
)
from alusage_ledger.core.errors import RefusedError, UsageError
from alusage_ledger.core.i18n import N_, _
from alusage_ledger.core.money import ZERO, quantize_cents
from alusage_ledger.core.periods import Period, month_period, quarter_period, year_period
from alusage_ledger.domains.sales.invoices import (
    EXEMPT,
    NO_VAT,
    Accounts,
    SalesIndex,
    activities_of,
    activity_of_account,
    sales_index,
)

if TYPE_CHECKING:
    from alusage_ledger.books.config import Config
    from alusage_ledger.books.ledger import LoadedLedger, Workspace
    from alusage_ledger.core.errors import LedgerProblem


# --------------------------------------------------------------------------- settlements


def is_settlement(entry: Any, acc: Accounts) -> bool:
    """A VAT return's settlement (or instalment): excluded from the sums of returns."""
    gen = (entry.meta or {}).get("gen-id")
    if isinstance(gen, str) and gen.startswith("vat/"):
        return True
    main = any(
        is_under(p.account, acc.collected) or is_under(p.account, acc.deductible)
        for p in entry.postings
    )
    out = any(
        is_under(p.account, acc.due)
        or is_under(p.account, acc.credit)
        or is_under(p.account, acc.instalment)
        for p in entry.postings
    )
    return main and out


# --------------------------------------------------------------------------- returns


@dataclass
class RateLine:
    rate: str
    base: Decimal
    vat: Decimal


@dataclass
class VatReturn:
    """One return (CA3, CA12, an rsi instalment) or ``none`` under the franchise."""

    entity: str
    regime: str
    form: str  # CA3 | CA12 | instalment | none
    period: Period
    exigibility: str
    collected: list[RateLine] = field(default_factory=list)
    exempt_base: Decimal = ZERO
    deductible: dict[str, Decimal] = field(default_factory=dict)
    previous_credit: Decimal = ZERO
    instalments: Decimal = ZERO  # CA12: paid during the year; instalment: its amount
    instalment_base: Decimal = ZERO
    settlement_date: date | None = None
    gen_id: str = ""
    link: str = ""
    existing: Any = None  # the settlement already in the ledger, if any

    @property
    def collected_total(self) -> Decimal:
        return sum((line.vat for line in self.collected), ZERO)

    @property
    def taxable_base(self) -> Decimal:
        return sum((line.base for line in self.collected), ZERO)

    @property
    def deductible_total(self) -> Decimal:
        return sum(self.deductible.values(), ZERO)

    @property
    def net(self) -> Decimal:
        if self.form == "instalment":
            return self.instalments
        return (
            self.collected_total - self.deductible_total - self.previous_credit - self.instalments
        )

    @property
    def due(self) -> Decimal:
        return max(self.net, ZERO)

    @property
    def credit(self) -> Decimal:
        return max(-self.net, ZERO)

    @property
    def empty(self) -> bool:
        return not (
            self.collected_total
            or self.deductible_total
            or self.previous_credit
            or self.instalments
        )


def _rate_of(meta: Any) -> str | None:
    value = (meta or {}).get("vat-rate")
    if isinstance(value, str) and value and "," not in value:
        return value
    return None


def _fallback_base(tax: Decimal, rate: str) -> Decimal:
    if rate in (EXEMPT, NO_VAT, "?"):
        return ZERO
    try:
        fraction = Fraction(Decimal(rate)) / 100
    except ArithmeticError:
        return ZERO
    if not fraction:
        return ZERO
    return quantize_cents(Fraction(tax) / fraction)


def _share(total: Decimal, part: Decimal, whole: Decimal) -> Decimal:
    if whole == 0:
        return ZERO
    return quantize_cents(Fraction(total) * Fraction(part) / Fraction(whole))


def _kind_of(posting_meta: Any, entry_meta: Any) -> str:
    value = (posting_meta or {}).get("vat-kind") or (entry_meta or {}).get("vat-kind")
    if value in ("fixed-assets", "immobilisations", "immobilisation"):
        return "fixed-assets"
    if value == "goods":
        return "goods"
    return "services"


@dataclass
class _Sums:
    collected: dict[str, RateLine] = field(default_factory=dict)
    exempt: Decimal = ZERO
    deductible: dict[str, Decimal] = field(default_factory=dict)


_S_INCOME, _S_OUT, _S_COLLECTED, _S_DEDUCTIBLE = 1, 2, 4, 8


def _sum_bits(account: str, acc: Accounts) -> int:
    """How :func:`_entry_sums` sees an account, as bits."""
    return (
        _S_INCOME * acc.is_income(account)
        | _S_OUT * acc.is_vat_out(account)
        | _S_COLLECTED * is_under(account, acc.collected)
        | _S_DEDUCTIBLE * is_under(account, acc.deductible)
    )


def _entry_sums(
    entry: Any,
    acc: Accounts,
    index: SalesIndex,
    sums: _Sums,
    kinds: dict[str, int] | None = None,
) -> None:
    meta = entry.meta or {}
    txn_rate = _rate_of(meta)
    if kinds is None:
        kinds = {}
    for p in entry.postings:
        if p.account not in kinds:
            kinds[p.account] = _sum_bits(p.account, acc)
    income = [p for p in entry.postings if p.units is not None and kinds[p.account] & _S_INCOME]
    out = [p for p in entry.postings if p.units is not None and kinds[p.account] & _S_OUT]
    collected = [p for p in out if kinds[p.account] & _S_COLLECTED]
    base_by_rate: dict[str, Decimal] = {}
    for p in income:
        rate = _rate_of(p.meta) or txn_rate or NO_VAT
        base_by_rate[rate] = base_by_rate.get(rate, ZERO) - p.units.number
    if EXEMPT in base_by_rate:
        sums.exempt += base_by_rate[EXEMPT]
    single_income_rate = next(iter(base_by_rate)) if len(base_by_rate) == 1 else None
    vat_by_rate: dict[str, Decimal] = {}
    for p in out:
        rate = _rate_of(p.meta) or txn_rate or single_income_rate or "?"
        vat_by_rate[rate] = vat_by_rate.get(rate, ZERO) - p.units.number
    number = meta.get("invoice")
    invoice = index.invoices.get(number) if isinstance(number, str) else None
    for p in collected:
        tax = -p.units.number
        found = _rate_of(p.meta) or txn_rate or single_income_rate
        if found is None and invoice is not None:
            taxable = {line.rate for line in invoice.lines if line.rate not in (EXEMPT, NO_VAT)}
            found = taxable.pop() if len(taxable) == 1 else None
        rate = found or "?"
        given = (p.meta or {}).get("vat-base")
        if isinstance(given, Decimal):
            base = given
        elif income and rate in base_by_rate:
            base = _share(base_by_rate[rate], tax, vat_by_rate.get(rate, ZERO))
        elif invoice is not None and invoice.simple and len(collected) == 1:
            received = -sum(
                (q.units.number for q in entry.postings if q.account == invoice.receivable),
                ZERO,
            )
            base = received - tax if received else _fallback_base(tax, rate)
        else:
            base = _fallback_base(tax, rate)
        line = sums.collected.setdefault(rate, RateLine(rate, ZERO, ZERO))
        line.base += base
        line.vat += tax
    for p in entry.postings:
        if p.units is not None and kinds[p.account] & _S_DEDUCTIBLE:
            kind = _kind_of(p.meta, meta)
            sums.deductible[kind] = sums.deductible.get(kind, ZERO) + p.units.number


_MAIN, _OUT, _CREDIT, _INSTALMENT = 1, 2, 4, 8


def _account_bits(account: str, acc: Accounts) -> int:
    """How :func:`is_settlement` and :class:`LedgerVat` see an account, as bits."""
    return (
        _MAIN * (is_under(account, acc.collected) or is_under(account, acc.deductible))
        | _OUT
        * (
            is_under(account, acc.due)
            or is_under(account, acc.credit)
            or is_under(account, acc.instalment)
        )
        | _CREDIT * is_under(account, acc.credit)
        | _INSTALMENT * is_under(account, acc.instalment)
    )


class LedgerVat:
    """One pass over a ledger: transactions bucketed by month, settlements found once."""

    def __init__(self, config: Config, ledger: LoadedLedger) -> None:
        from beancount.core import data

        self.config = config
        self.ledger = ledger
        self.entity = ledger.entity
        self.acc = Accounts.of(config, ledger)
        self.index = sales_index(config, ledger)
        self.by_month: dict[str, list[Any]] = {}
        self.settlements: list[Any] = []
        self.credit_moves: list[tuple[date, Decimal, Any]] = []
        self.instalment_moves: list[tuple[date, Decimal, Any]] = []
        self._sum_kinds: dict[str, int] = {}  # account → _S_* bits, for _entry_sums
        kinds: dict[str, int] = {}  # account → _MAIN | _OUT | _CREDIT | _INSTALMENT bits
        months: dict[date, str] = {}  # day → "YYYY-MM"
        from alusage_ledger.books.exercice import is_year_end_entry

        for entry in ledger.entries:
            # The exercice's closing and its à-nouveaux move VAT accounts to zero and back:
            # neither is a VAT operation nor a settlement.
            if not isinstance(entry, data.Transaction) or is_year_end_entry(entry):
                continue
            bits = 0
            for p in entry.postings:
                kind = kinds.get(p.account)
                if kind is None:
                    kind = kinds[p.account] = _account_bits(p.account, self.acc)
                bits |= kind
            gen = (entry.meta or {}).get("gen-id")
            # is_settlement(entry, acc), with each account classified once
            settlement = (isinstance(gen, str) and gen.startswith("vat/")) or (
                bool(bits & _MAIN) and bool(bits & _OUT)
            )
            main = bool(bits & _MAIN)
            if settlement:
                self.settlements.append(entry)
            else:
                key = months.get(entry.date)
                if key is None:
                    key = months[entry.date] = f"{entry.date.year:04d}-{entry.date.month:02d}"
                self.by_month.setdefault(key, []).append(entry)
            if not bits & (_CREDIT | _INSTALMENT):
                continue
            for p in entry.postings:
                if p.units is None:
                    continue
                if kinds[p.account] & _CREDIT:
                    self.credit_moves.append((entry.date, p.units.number, entry))
                elif kinds[p.account] & _INSTALMENT and not (settlement and main):
                    # instalments paid (not the CA12 settlement that uses them up)
                    self.instalment_moves.append((entry.date, p.units.number, entry))

    def sums(self, period: Period) -> _Sums:
        sums = _Sums()
        for month in period.months():
            for entry in self.by_month.get(month, ()):
                if entry.date in period:
                    _entry_sums(entry, self.acc, self.index, sums, self._sum_kinds)
        return sums

    def find_settlement(self, gen_id: str, link: str) -> Any:
        for entry in self.settlements:
            if (entry.meta or {}).get("gen-id") == gen_id:
                return entry
        for entry in self.settlements:
            if link in (entry.links or ()):
                return entry
        return None


def _declaration_date(regime: VatRegimeConfig, month_start: date) -> date:
    return month_start.replace(day=regime.settlement_day)


def return_form(regime: VatRegimeConfig, period: Period, entity: str) -> str:
    """Which return ``period`` is for this regime, or a usage error saying what to give."""
    name = regime.regime
    if name == "franchise":
        return "none"
    if name == "reel-mensuel":
        if period.kind != "month":
            raise UsageError(
                _("{entity} files a monthly CA3 ({regime}): give a month, e.g. 2026-11.").format(
                    entity=entity, regime=name
                )
            )
        return "CA3"
    if name == "reel-trimestriel":
        if period.kind != "quarter":
            raise UsageError(
                _(
                    "{entity} files a quarterly CA3 ({regime}): give a quarter, e.g. 2026-Q4."
                ).format(entity=entity, regime=name)
            )
        return "CA3"
    # rsi: the annual CA12 and two instalments (July 55 %, December 40 %).
    if period.kind == "year":
        return "CA12"
    if period.kind == "month" and period.start.month in (7, 12):
        return "instalment"
    raise UsageError(
        _(
            "{entity} is under the simplified regime (rsi): give a year for the CA12 (2026) or "
            "2026-07 / 2026-12 for an instalment."
        ).format(entity=entity)
    )


def instalment_base(vat_ledger: LedgerVat, regime: VatRegimeConfig, year: int) -> Decimal:
    """Last year's net VAT before fixed assets: configured, else computed from the books."""
    if regime.instalment_base is not None:
        return regime.instalment_base
    previous = year_period(year - 1)
    sums = vat_ledger.sums(previous)
    collected = sum((line.vat for line in sums.collected.values()), ZERO)
    deductible = sum(
        (amount for kind, amount in sums.deductible.items() if kind != "fixed-assets"), ZERO
    )
    return max(collected - deductible, ZERO)


#: Below this base (last year's net VAT), no instalment is due (CGI 1692 ter).
INSTALMENT_FLOOR = Decimal("1000")


def compute_return(config: Config, vat_ledger: LedgerVat, period: Period) -> VatReturn:
    """The return of ``period`` for the entity's regime in force at the period's end."""
    entity = vat_ledger.entity
    regime = regime_on(config, entity, period.last_day)
    form = return_form(regime, period, entity)
    result = VatReturn(entity, regime.regime, form, period, regime.exigibility)
    if form == "none":
        return result
    if form == "instalment":
        base = instalment_base(vat_ledger, regime, period.start.year)
        share = Decimal("0.55") if period.start.month == 7 else Decimal("0.40")
        result.instalment_base = base
        result.instalments = quantize_cents(base * share) if base >= INSTALMENT_FLOOR else ZERO
        result.settlement_date = _declaration_date(regime, period.start)
        result.gen_id = f"vat/acompte/{period.label}"
        result.link = f"tva-acompte-{period.label}"
    else:
        sums = vat_ledger.sums(period)
        result.collected = sorted(
            sums.collected.values(), key=lambda line: (-_rate_sort(line.rate), line.rate)
        )
        result.exempt_base = sums.exempt
        result.deductible = {
            kind: sums.deductible.get(kind, ZERO) for kind in ("goods", "services", "fixed-assets")
        }
        if form == "CA12":
            filed = date(period.start.year + 1, 5, 1)
            result.gen_id = f"vat/ca12/{period.label}"
        else:
            filed = period.end
            result.gen_id = f"vat/ca3/{period.label}"
        result.settlement_date = _declaration_date(regime, filed)
        result.link = f"tva-{period.label}"
        own = vat_ledger.find_settlement(result.gen_id, result.link)
        result.previous_credit = sum(
            (
                amount
                for day, amount, entry in vat_ledger.credit_moves
                if day < result.settlement_date and entry is not own
            ),
            ZERO,
        )
        if form == "CA12":
            result.instalments = sum(
                (
                    amount
                    for day, amount, entry in vat_ledger.instalment_moves
                    if day in period and entry is not own
                ),
                ZERO,
            )
    result.existing = vat_ledger.find_settlement(result.gen_id, result.link)
    return result


def _rate_sort(rate: str) -> Decimal:
    try:
        return Decimal(rate)
    except ArithmeticError:
        return Decimal(-1)


# --------------------------------------------------------------------------- posting


_MONTHS_FR = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def period_words(config: Config, period: Period) -> str:
    """``novembre 2026`` / ``November 2026``, ``2026-Q4``, ``2026``: the ledger's language."""
    from alusage_ledger.books.entries import ledger_language

    if period.kind == "month":
        if ledger_language(config) == "fr":
            return f"{_MONTHS_FR[period.start.month - 1]} {period.start.year}"
        return period.start.strftime("%B %Y")
    return period.label


def settlement_entry(config: Config, vat_return: VatReturn, acc: Accounts) -> Any | None:
    """The settlement (or instalment) transaction of a return; None when nothing moves."""
    from alusage_ledger.books.canonical import entry_hash

    assert vat_return.settlement_date is not None
    postings = settlement_postings(vat_return, acc)
    if postings is None:
        return None
    if vat_return.form == "instalment":
        narration = ledger_text(config, N_("VAT instalment of {period} (simplified regime)"))
    else:
        narration = ledger_text(config, N_("VAT return of {period} ({form})"))
    text = narration.format(period=period_words(config, vat_return.period), form=vat_return.form)
    entry = transaction(
        vat_return.settlement_date,
        ledger_text(config, N_("Tax office")),
        text,
        [vat_return.link],
        {"period": vat_return.period.label, "gen-id": vat_return.gen_id},
        postings,
    )
    entry.meta["gen-hash"] = entry_hash(entry, exclude_keys=frozenset({"gen-hash"}))
    return entry


def settlement_postings(vat_return: VatReturn, acc: Accounts) -> list[Any] | None:
    """The postings of a return's settlement (or instalment); None when nothing moves."""
    postings = []
    if vat_return.form == "instalment":
        if not vat_return.instalments:
            return None
        postings = [
            posting(acc.instalment, vat_return.instalments),
            posting(acc.due, -vat_return.instalments),
        ]
    else:
        if vat_return.empty:
            return None
        if vat_return.collected_total:
            postings.append(posting(acc.collected, vat_return.collected_total))
        if vat_return.deductible_total:
            postings.append(posting(acc.deductible, -vat_return.deductible_total))
        if vat_return.previous_credit:
            postings.append(posting(acc.credit, -vat_return.previous_credit))
        if vat_return.instalments:
            postings.append(posting(acc.instalment, -vat_return.instalments))
        if vat_return.due:
            postings.append(posting(acc.due, -vat_return.due))
        if vat_return.credit:
            postings.append(posting(acc.credit, vat_return.credit))
        if len(postings) < 2:
            return None
    return postings


def _totals(postings: Iterable[Any]) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for p in postings:
        if p.units is not None:
            out[p.account] = out.get(p.account, ZERO) + p.units.number
    return {k: v for k, v in out.items() if v}


def same_amounts(entry: Any, planned: Any) -> bool:
    return _totals(entry.postings) == _totals(planned.postings)


@dataclass
class PostResult:
    vat_return: VatReturn
    entry: Any | None
    status: str  # posted | already | nothing | franchise | would-post


def post_return(ws: Workspace, entity: str, period: Period, *, dry_run: bool = False) -> PostResult:
    """Write the settlement of a return (idempotent: an existing one is never doubled)."""
    from alusage_ledger.books.ledger import Append

    with ws.lock():
        ledger = ws.load_checked(entity)
        vat_ledger = LedgerVat(ws.config, ledger)
        result = compute_return(ws.config, vat_ledger, period)
        if result.form == "none":
            return PostResult(result, None, "franchise")
        planned = settlement_entry(ws.config, result, vat_ledger.acc)
        if result.existing is not None:
            if planned is None or same_amounts(result.existing, planned):
                return PostResult(result, result.existing, "already")
            meta = result.existing.meta or {}
            raise RefusedError(
                _(
                    "A settlement for {period} already exists ({file}:{line}) with other "
                    "amounts than the return; correct it with a new entry, nothing was written."
                ).format(
                    period=period.label,
                    file=_rel(ws, meta.get("filename")),
                    line=meta.get("lineno"),
                )
            )
        if planned is None:
            return PostResult(result, None, "nothing")
        opened = ledger.open_accounts()
        missing = sorted({p.account for p in planned.postings} - opened)
        opens = []
        if missing:
            from alusage_ledger.domains.sales.invoices import Opener

            opener = Opener(ws.config, ledger, planned.date)
            roles = {
                vat_ledger.acc.collected: "vat-collected",
                vat_ledger.acc.deductible: "vat-deductible",
                vat_ledger.acc.due: "vat-due",
                vat_ledger.acc.credit: "vat-credit",
                vat_ledger.acc.instalment: "vat-instalment",
            }
            for account in missing:
                opener.role(roles[account])
            opens = opener.appends([planned])
        appends = opens or [Append(entity, (planned,))]
        ws.write(appends, dry_run=dry_run)
        return PostResult(result, planned, "would-post" if dry_run else "posted")


def _rel(ws: Workspace, filename: Any) -> str:
    from pathlib import Path

    if not filename:
        return "?"
    try:
        return Path(str(filename)).resolve().relative_to(ws.root).as_posix()
    except ValueError:
        return str(filename)


# --------------------------------------------------------------------------- month end


def declared_in(regime: VatRegimeConfig, month: date) -> list[Period]:
    """The returns a regime files in ``month`` (the month the settlement is dated in)."""
    previous = (
        date(month.year - 1, 12, 1) if month.month == 1 else month.replace(month=month.month - 1)
    )
    if regime.regime == "reel-mensuel":
        return [month_period(previous.year, previous.month)]
    if regime.regime == "reel-trimestriel":
        if month.month in (1, 4, 7, 10):
            return [quarter_period(previous.year, (previous.month - 1) // 3 + 1)]
        return []
    if regime.regime == "rsi":
        out = []
        if month.month == 5:
            out.append(year_period(month.year - 1))
        if month.month in (7, 12):
            out.append(month_period(month.year, month.month))
        return out
    return []


@month_step("vat")
def post_vat_for_close(ws: Workspace, month: str, *, dry_run: bool = False) -> list[str]:
    """Close of a month: post the returns filed in that month (idempotent)."""
    from alusage_ledger.core.fmt import money

    year, mon = (int(part) for part in month.split("-"))
    first = date(year, mon, 1)
    lines: list[str] = []
    for entity in ws.config.entities:
        start = ws.config.entity(entity).books_start_date()
        candidates: dict[str, Period] = {}
        for item in regimes_of(ws.config, entity):
            for period in declared_in(item, first):
                candidates.setdefault(period.label, period)
        for period in sorted(candidates.values(), key=lambda p: (p.start, p.end)):
            regime = regime_on(ws.config, entity, period.last_day)
            if regime.regime == "franchise" or (start is not None and period.end <= start):
                continue
            if period.label not in {p.label for p in declared_in(regime, first)}:
                continue
            result = post_return(ws, entity, period, dry_run=dry_run)
            vat_return = result.vat_return
            if result.status == "posted":
                lines.append(
                    _("{entity}: VAT {form} {period} posted: {due} due, {credit} credit.").format(
                        entity=entity,
                        form=vat_return.form,
                        period=period.label,
                        due=money(vat_return.due),
                        credit=money(vat_return.credit),
                    )
                )
            elif result.status == "would-post":
                lines.append(
                    _("{entity}: VAT {form} {period} would be posted.").format(
                        entity=entity, form=vat_return.form, period=period.label
                    )
                )
            elif result.status == "already":
                lines.append(
                    _("{entity}: VAT {form} {period} already posted.").format(
                        entity=entity, form=vat_return.form, period=period.label
                    )
                )
    return lines


# --------------------------------------------------------------------------- check rules


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
    from alusage_ledger.core.fmt import money

    spans = _franchise_days(ws.config, ledger.entity)
    if not spans:
        return
    config = ws.config
    entity = ledger.entity
    acts = activities_of(config, entity)
    by_account = activity_of_account(config, entity)
    index = sales_index(config, ledger)
    revenue_accounts = revenue_account_set(config, ledger)
    invoice_entries = {id(inv.entry): inv for inv in index.invoices.values()}
    regime_of = regime_finder(config, entity)
    from beancount.core import data

    totals: dict[int, dict[str, Decimal]] = {}
    warned: set[tuple[int, str, str]] = set()
    crossed_major: dict[int, str] = {}
    for entry in ledger.entries:
        if not isinstance(entry, data.Transaction):
            continue
        amount = {"services": ZERO, "all": ZERO}
        for p in entry.postings:
            if p.units is None or p.account not in revenue_accounts:
                continue
            activity = acts.get(str((p.meta or {}).get("activity") or "")) or acts.get(
                by_account.get(p.account, "")
            )
            kind = activity.kind if activity is not None else "services"
            amount["all"] -= p.units.number
            if kind == "services":
                amount["services"] -= p.units.number
        if not amount["all"]:
            continue
        year = entry.date.year
        total = totals.setdefault(year, {"services": ZERO, "all": ZERO})
        total["services"] += amount["services"]
        total["all"] += amount["all"]
        regime = regime_of(entry.date)
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


def revenue_account_set(config: Config, ledger: LoadedLedger) -> set[str]:
    """Turnover accounts: PCG class 70 (sales, services, ancillary income) and every
    configured activity's account."""
    from beancount.core import data

    out = {act.account for act in activities_of(config, ledger.entity).values()}
    income_root = ledger.roots()[3]
    for entry in ledger.entries:
        if isinstance(entry, data.Open) and entry.account.split(":", 1)[0] == income_root:
            pcg = (entry.meta or {}).get("pcg")
            if isinstance(pcg, str) and pcg.startswith("70"):
                out.add(entry.account)
    return out


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
    from alusage_ledger.books.checks import transactions

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
        from alusage_ledger.core.errors import LedgerProblem

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
    from alusage_ledger.core.periods import parse_period

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
        planned = settlement_postings(result, vat_ledger.acc)
        if planned is None or _totals(entry.postings) != _totals(planned):
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
