"""VAT returns: exigibility, and the return (CA3, CA12, instalment) of a period.

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
  services; ``fixed-assets`` for immobilisations; ``reversal`` for VAT deducted in an
  earlier return and given back, line 15; ``regularisation`` for a deduction completed
  later, line 21).
- the credit carried from the previous return (44567) and, for the CA12, the instalments
  paid during the year (44581).

Settlement entries (``--post``, or ``close`` in a declaration month) are excluded from
the sums: any transaction that moves 44571/44566 against 44551/44567/44581, or carries a
``gen-id`` starting with ``vat/`` (written by :mod:`settlement`). They are dated ``settlement_day`` (default the 20th)
of the month the return is filed in, and idempotent by ``gen-id``::

    2026-12-20 * "SIE" "Déclaration de TVA de novembre 2026 (CA3)" ^tva-2026-11
      period: "2026-11"
      gen-id: "vat/ca3/2026-11"
      Passif:Etat:TVACollectee        1254.10 EUR
      Actif:Etat:TVADeductible        -115.54 EUR
      Passif:Etat:TVAADecaisser      -1138.56 EUR

Returns are computed to the cent; the form (:mod:`boxes`) rounds each box to the euro, and
the settlement books the difference to 658 / 758 so that the ledger ties to the form. A
period with nothing to declare (no VAT collected, deducted or paid in instalments) writes
no settlement: a credit simply stays in 44567 for the next return.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from beancount.core import data

from alusage_ledger.books.entityconfig import VatRegimeConfig
from alusage_ledger.books.entries import is_under, posting
from alusage_ledger.books.exercice import is_year_end_entry
from alusage_ledger.books.vatregime import regime_on
from alusage_ledger.core.errors import UsageError
from alusage_ledger.core.i18n import _
from alusage_ledger.core.money import ZERO, quantize_cents
from alusage_ledger.core.periods import Month, Period, year_period
from alusage_ledger.domains.sales.boxes import FormBoxes, form_boxes
from alusage_ledger.domains.sales.index import Accounts, SalesIndex, meta_rate, sales_index
from alusage_ledger.domains.sales.rates import EXEMPT, NO_VAT, share

if TYPE_CHECKING:
    from alusage_ledger.books.config import Config
    from alusage_ledger.books.loader import LoadedLedger


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
    def exact_net(self) -> Decimal:
        """The net VAT to the cent (before the form's rounding to the euro)."""
        if self.form == "instalment":
            return self.instalments
        return (
            self.collected_total - self.deductible_total - self.previous_credit - self.instalments
        )

    @property
    def boxes(self) -> FormBoxes:
        """The form's boxes, rounded to the euro (CA3 or CA12 only)."""
        return form_boxes(self)

    @property
    def due(self) -> Decimal:
        """What is paid: the form's line 28 (CA12: the balance after instalments)."""
        if self.form in ("CA3", "CA12"):
            return quantize_cents(self.boxes.due)
        return max(self.exact_net, ZERO)

    @property
    def credit(self) -> Decimal:
        """What is carried to the next return: the form's line 27 (CA12: 29 and excess)."""
        if self.form in ("CA3", "CA12"):
            return quantize_cents(self.boxes.credit)
        return max(-self.exact_net, ZERO)

    @property
    def empty(self) -> bool:
        """Nothing declared in the period: no settlement (a credit stays carried)."""
        return not (self.collected_total or self.deductible_total or self.instalments)


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


def _kind_of(posting_meta: Any, entry_meta: Any) -> str:
    value = (posting_meta or {}).get("vat-kind") or (entry_meta or {}).get("vat-kind")
    if value in ("fixed-assets", "immobilisations", "immobilisation"):
        return "fixed-assets"
    if value in ("goods", "reversal", "regularisation"):
        return str(value)
    return "services"


@dataclass
class _Sums:
    collected: dict[str, RateLine] = field(default_factory=dict)
    exempt: Decimal = ZERO
    deductible: dict[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class Detail:
    """One entry's share of a return (``vat --detail``)."""

    entry: Any
    what: str  # rate | exempt | deductible
    key: str  # the rate, or the deductible kind
    base: Decimal
    tax: Decimal


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
    txn_rate = meta_rate(meta)
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
        rate = meta_rate(p.meta) or txn_rate or NO_VAT
        base_by_rate[rate] = base_by_rate.get(rate, ZERO) - p.units.number
    if EXEMPT in base_by_rate:
        sums.exempt += base_by_rate[EXEMPT]
    single_income_rate = next(iter(base_by_rate)) if len(base_by_rate) == 1 else None
    vat_by_rate: dict[str, Decimal] = {}
    for p in out:
        rate = meta_rate(p.meta) or txn_rate or single_income_rate or "?"
        vat_by_rate[rate] = vat_by_rate.get(rate, ZERO) - p.units.number
    number = meta.get("invoice")
    invoice = index.invoices.get(number) if isinstance(number, str) else None
    for p in collected:
        tax = -p.units.number
        found = meta_rate(p.meta) or txn_rate or single_income_rate
        if found is None and invoice is not None:
            taxable = {line.rate for line in invoice.lines if line.rate not in (EXEMPT, NO_VAT)}
            found = taxable.pop() if len(taxable) == 1 else None
        rate = found or "?"
        given = (p.meta or {}).get("vat-base")
        if isinstance(given, Decimal):
            base = given
        elif income and rate in base_by_rate:
            base = share(base_by_rate[rate], tax, vat_by_rate.get(rate, ZERO))
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
    if not collected and invoice is not None and invoice.simple:
        _zero_vat_base(entry, meta, invoice, income, sums)
    for p in entry.postings:
        if p.units is not None and kinds[p.account] & _S_DEDUCTIBLE:
            kind = _kind_of(p.meta, meta)
            sums.deductible[kind] = sums.deductible.get(kind, ZERO) + p.units.number


def declared(acc: Accounts, index: SalesIndex, entries: Iterable[Any]) -> dict[str, RateLine]:
    """What ``entries`` (an invoice and its receipts) put in the returns, by rate: the base
    and VAT a credit note gives back, and a later receipt completes to the invoice's."""
    sums = _Sums()
    for entry in entries:
        _entry_sums(entry, acc, index, sums)
    return sums.collected


def _zero_vat_base(entry: Any, meta: Any, invoice: Any, income: list[Any], sums: _Sums) -> None:
    """A receipt of a simple invoice that moves no VAT (a few cents, whose VAT rounds to
    zero) still declares its base; a credit note that gives back no collected VAT gives
    back those bases."""
    rate = invoice.rates()[0]
    if meta.get("credit-note") and meta.get("partial"):
        return  # a part given back before any VAT moved: the receipts keep their bases
    if meta.get("credit-note"):
        base = -sum(
            (
                r.amount
                for r in invoice.receipts
                if r.date <= entry.date and not any(r.moved.values())
            ),
            ZERO,
        )
    elif not income:
        base = -sum(
            (p.units.number for p in entry.postings if p.account == invoice.receivable), ZERO
        )
    else:
        return
    if base:
        line = sums.collected.setdefault(rate, RateLine(rate, ZERO, ZERO))
        line.base += base


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
        self.config = config
        self.ledger = ledger
        self.entity = ledger.entity
        self.acc = Accounts.of(config, ledger)
        self.index = sales_index(config, ledger)
        self.by_month: dict[Month, list[Any]] = {}
        self.settlements: list[Any] = []
        self.credit_moves: list[tuple[date, Decimal, Any]] = []
        self.instalment_moves: list[tuple[date, Decimal, Any]] = []
        self._sum_kinds: dict[str, int] = {}  # account → _S_* bits, for _entry_sums
        kinds: dict[str, int] = {}  # account → _MAIN | _OUT | _CREDIT | _INSTALMENT bits
        months: dict[date, Month] = {}  # day → its month

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
                    key = months[entry.date] = Month.of(entry.date)
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

    def details(self, period: Period) -> list[Detail]:
        """Each entry behind a return: what it adds to a rate, the exempt operations or a
        kind of deductible VAT (``--detail``), in the ledger's order."""
        out: list[Detail] = []
        for month in period.months():
            for entry in self.by_month.get(month, ()):
                if entry.date not in period:
                    continue
                sums = _Sums()
                _entry_sums(entry, self.acc, self.index, sums, self._sum_kinds)
                for rate, line in sums.collected.items():
                    if line.base or line.vat:
                        out.append(Detail(entry, "rate", rate, line.base, line.vat))
                if sums.exempt:
                    out.append(Detail(entry, "exempt", EXEMPT, sums.exempt, ZERO))
                for kind, amount in sums.deductible.items():
                    if amount:
                        out.append(Detail(entry, "deductible", kind, ZERO, amount))
        return out

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
        for kind in ("reversal", "regularisation"):  # lines 15 and 21 (boxes.py)
            if sums.deductible.get(kind):
                result.deductible[kind] = sums.deductible[kind]
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


def settlement_postings(
    vat_return: VatReturn, acc: Accounts, *, to_the_cent: bool = False
) -> list[Any] | None:
    """The postings of a return's settlement (or instalment); None when nothing moves.

    The VAT accounts are emptied to the cent; 44551 (due) and 44567 (credit) take the
    form's euros, the difference goes to 658 / 758. ``to_the_cent`` gives the settlement
    as versions before the rounding wrote it (exact due or credit, no 658 / 758): such a
    settlement already in the books is accepted as it is.
    """
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
        if to_the_cent:
            net = vat_return.exact_net
            due, credit = max(net, ZERO), max(-net, ZERO)
        else:
            due, credit = vat_return.due, vat_return.credit
        if vat_return.collected_total:
            postings.append(posting(acc.collected, vat_return.collected_total))
        if vat_return.deductible_total:
            postings.append(posting(acc.deductible, -vat_return.deductible_total))
        if vat_return.previous_credit:
            postings.append(posting(acc.credit, -vat_return.previous_credit))
        if vat_return.instalments:
            postings.append(posting(acc.instalment, -vat_return.instalments))
        if due:
            postings.append(posting(acc.due, -due))
        if credit:
            postings.append(posting(acc.credit, credit))
        rest = -sum((p.units.number for p in postings), ZERO)
        if rest > 0:
            postings.append(posting(acc.rounding_charge, rest))
        elif rest < 0:
            postings.append(posting(acc.rounding_income, rest))
        if not posting_totals(postings):
            return None
    return postings


def matches_return(entry: Any, vat_return: VatReturn, acc: Accounts) -> bool:
    """A settlement in the books has the return's amounts: rounded to the euro, or to the
    cent as versions before the rounding wrote it (accepted as they are, never rewritten)."""
    found = posting_totals(entry.postings)
    for exact in (False, True):
        planned = settlement_postings(vat_return, acc, to_the_cent=exact)
        if planned is not None and found == posting_totals(planned):
            return True
    return False


def posting_totals(postings: Iterable[Any]) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for p in postings:
        if p.units is not None:
            out[p.account] = out.get(p.account, ZERO) + p.units.number
    return {k: v for k, v in out.items() if v}
