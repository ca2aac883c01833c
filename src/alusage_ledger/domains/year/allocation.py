"""``year allocate`` (:func:`allocate`): the general assembly's vote on the result.

Months after the close, the general assembly votes how the result is allocated: from 120
to the reserves (1061 legal, 1063 statutory), the carry-forward (110/119) and interest on
shares (457). The law's minimums (:func:`minimums`, :func:`violations`) refuse an unlawful
allocation, ``--propose`` prints them (:func:`propose`), and ``check`` verifies the
allocations in the books
(:func:`alusage_ledger.domains.year.checks.allocation_rules`, by :func:`read_allocation`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_UP, Decimal
from typing import TYPE_CHECKING, Any

from alusage_ledger.books.accounts import Opener, account_info
from alusage_ledger.books.entries import ledger_text, new_meta, stamp
from alusage_ledger.books.exercice import (
    ALLOCATE_GEN_PREFIX,
    ALLOCATION_TAG,
    YEAR_CLOSE_GEN_PREFIX,
    closed_exercices,
    gen_id,
    is_transaction,
)
from alusage_ledger.core.errors import LedgerErrors, LedgerProblem, RefusedError, UsageError
from alusage_ledger.core.fmt import money
from alusage_ledger.core.i18n import N_, _, get_language
from alusage_ledger.core.periods import Exercice
from alusage_ledger.domains.year.accounts import accounts_with_pcg, ledger_role, result_accounts
from alusage_ledger.domains.year.balances import (
    CENT,
    ZERO,
    balances,
    highest_capital,
    posting,
    total,
    transaction,
)
from alusage_ledger.domains.year.exercices import kept_books

if TYPE_CHECKING:
    from alusage_ledger.books.config import AllocationRules
    from alusage_ledger.books.ledger import Workspace
    from alusage_ledger.books.loader import LoadedLedger


@dataclass(frozen=True)
class Minimums:
    """What the law asks of a profit (``year allocate --propose``)."""

    kind: str
    result: Decimal
    absorbed: Decimal  # a debit carry-forward (119) absorbed first
    base: Decimal  # result - absorbed
    legal_reserve: Decimal  # the legal reserve before the allocation
    legal_cap: Decimal | None  # where the legal reserve stops being fed
    legal_rate: Decimal
    legal_min: Decimal
    statutory_rate: Decimal
    statutory_min: Decimal  # on base - legal_min
    interest_max: Decimal | None  # from the configured rate cap, on the paid-up capital

    @property
    def reserves_min(self) -> Decimal:
        return self.legal_min + self.statutory_min

    @property
    def free(self) -> Decimal:
        """What may go to interest on shares or the carry-forward."""
        return self.base - self.reserves_min


def _percent_of(rate: Decimal, base: Decimal) -> Decimal:
    """``rate`` % of ``base``, rounded up to the cent (a minimum the law asks)."""
    if base <= 0 or rate <= 0:
        return ZERO
    return (base * rate / Decimal(100)).quantize(CENT, rounding=ROUND_UP)


def statutory_min(rules: AllocationRules, base: Decimal, legal: Decimal) -> Decimal:
    return _percent_of(rules.statutory_reserve_rate, base - legal)


def minimums(
    rules: AllocationRules,
    kind: str,
    result: Decimal,
    carry_debit: Decimal,
    legal_now: Decimal,
    capital_now: Decimal,
    capital_highest: Decimal,
    paid_capital: Decimal,
) -> Minimums:
    """The legal minimums of an allocation (pure; amounts positive, ``result`` a profit)."""
    absorbed = min(max(result, ZERO), max(carry_debit, ZERO))
    base = max(result - absorbed, ZERO)
    cap: Decimal | None = None
    if rules.legal_reserve_cap != "none":
        cap_base = capital_highest if rules.legal_reserve_cap == "highest-capital" else capital_now
        cap = (cap_base * rules.legal_reserve_cap_rate / Decimal(100)).quantize(CENT)
    legal_min = _percent_of(rules.legal_reserve_rate, base)
    if cap is not None:
        legal_min = min(legal_min, max(cap - legal_now, ZERO))
    stat = statutory_min(rules, base, legal_min)
    interest_max = None
    if rules.interest_rate_max is not None:
        interest_max = (paid_capital * rules.interest_rate_max / Decimal(100)).quantize(CENT)
    return Minimums(
        kind,
        result,
        absorbed,
        base,
        legal_now,
        cap,
        rules.legal_reserve_rate,
        legal_min,
        rules.statutory_reserve_rate,
        stat,
        interest_max,
    )


@dataclass(frozen=True)
class Allocation:
    """What the general assembly voted (positive amounts; carry-forward signed)."""

    legal_reserve: Decimal = ZERO
    statutory_reserve: Decimal = ZERO
    carry_forward: Decimal = ZERO
    interest: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.legal_reserve + self.statutory_reserve + self.carry_forward + self.interest


def violations(rules: AllocationRules, mins: Minimums, alloc: Allocation) -> list[str]:
    """Every legal rule the allocation breaks, as sentences (empty: it is lawful)."""
    out = []
    if mins.result <= 0:
        if alloc.interest:
            out.append(_("no interest on shares can be paid out of a loss."))
        if alloc.total != mins.result:
            out.append(
                _(
                    "the allocation ({total}) does not match the loss of the exercice ({result})."
                ).format(total=money(alloc.total), result=money(mins.result))
            )
        return out
    if min(alloc.legal_reserve, alloc.statutory_reserve, alloc.interest) < 0:
        out.append(_("out of a profit, the reserves and the interest are positive amounts."))
    if alloc.total != mins.base:
        out.append(
            _(
                "the allocation ({total}) does not match the result to allocate ({base}: "
                "result {result} less the debit carry-forward absorbed {absorbed})."
            ).format(
                total=money(alloc.total),
                base=money(mins.base),
                result=money(mins.result),
                absorbed=money(mins.absorbed),
            )
        )
    if alloc.legal_reserve < mins.legal_min:
        out.append(
            _(
                "the legal reserve gets {given}, less than the {rate} % the law asks ({minimum})."
            ).format(
                given=money(alloc.legal_reserve),
                rate=_rate(mins.legal_rate),
                minimum=money(mins.legal_min),
            )
        )
    needed = statutory_min(rules, mins.base, alloc.legal_reserve)
    if alloc.statutory_reserve < needed:
        out.append(
            _(
                "the statutory reserve gets {given}, less than {rate} % of what remains "
                "after the legal reserve ({minimum}); a SCIC puts at least 57.5 % of its "
                "surplus in reserves."
            ).format(
                given=money(alloc.statutory_reserve),
                rate=_rate(mins.statutory_rate),
                minimum=money(needed),
            )
            if mins.kind == "scic"
            else _(
                "the statutory reserve gets {given}, less than {rate} % of what remains "
                "after the legal reserve ({minimum})."
            ).format(
                given=money(alloc.statutory_reserve),
                rate=_rate(mins.statutory_rate),
                minimum=money(needed),
            )
        )
    if mins.interest_max is not None and alloc.interest > mins.interest_max:
        out.append(
            _("the interest on shares ({given}) is above the configured cap ({maximum}).").format(
                given=money(alloc.interest), maximum=money(mins.interest_max)
            )
        )
    return out


def _rate(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text.replace(".", ",") if get_language() == "fr" else text


@dataclass(frozen=True)
class AllocationState:
    """What an allocation of exercice ``year`` starts from, on ``day``."""

    year: int
    end: date
    result: Decimal  # positive: a profit
    carry_credit: Decimal  # 110, credit balance (positive)
    debit_119: Decimal  # 119, debit balance (positive)
    debit_110: Decimal  # a debit balance on 110 (books with one carry-forward account)
    legal_now: Decimal
    capital_now: Decimal
    capital_highest: Decimal
    paid_capital: Decimal


def allocation_state(
    ws: Workspace, ledger: LoadedLedger, year: int, day: date | None, *, skip: Any = None
) -> AllocationState:
    """The exercice's result (from its closing entry) and the equity before ``day``."""
    config = kept_books(ws.config, ledger.entity)
    end = Exercice.ending_in(year, config.exercice_start).last_day
    if year not in closed_exercices(ledger.entries):
        raise RefusedError(
            _(
                "The exercice {year} of {entity} is not closed; close it first "
                "('alusage-ledger year close --entity {entity} --exercice {year}')."
            ).format(year=year, entity=ledger.entity)
        )
    profit, loss = result_accounts(ws.config, ledger)
    gid = f"{YEAR_CLOSE_GEN_PREFIX}{year:04d}/result"
    result = ZERO
    for entry in ledger.entries:
        if is_transaction(entry) and gen_id(entry) == gid:
            for p in entry.postings:
                if p.account in (profit.account, loss.account):
                    result -= p.units.number
    before = day if day is not None else date.max
    bal = balances(ledger.entries, before=before, skip=skip)
    credit_accounts = accounts_with_pcg(ledger, "110")
    debit_accounts = accounts_with_pcg(ledger, "119")
    carry = -total(bal, credit_accounts)
    return AllocationState(
        year,
        end,
        result,
        max(carry, ZERO),
        max(total(bal, debit_accounts), ZERO),
        max(-carry, ZERO),
        -total(bal, accounts_with_pcg(ledger, "1061")),
        -total(bal, accounts_with_pcg(ledger, "101")),
        highest_capital(ledger, None if day is None else day - timedelta(days=1)),
        -total(bal, accounts_with_pcg(ledger, "1013")),
    )


def state_minimums(ws: Workspace, ledger: LoadedLedger, state: AllocationState) -> Minimums:
    config = ws.config.entity(ledger.entity)
    rules = ws.config.year.rules(config.kind)
    assert rules is not None
    return minimums(
        rules,
        config.kind,
        state.result,
        state.debit_119 + state.debit_110,
        state.legal_now,
        state.capital_now,
        state.capital_highest,
        state.paid_capital,
    )


@dataclass
class AllocateResult:
    entity: str
    exercice: int
    day: date
    minimums: Minimums
    allocation: Allocation
    already: bool = False
    dry_run: bool = False
    text: str = ""
    files: list[str] = field(default_factory=list)


def propose(ws: Workspace, entity: str, year: int, day: date | None = None) -> Minimums:
    """The minimum the law asks of the exercice's result (nothing is written)."""
    kept_books(ws.config, entity)
    ledger = ws.load_checked(entity)
    gid = f"{ALLOCATE_GEN_PREFIX}{year:04d}"
    state = allocation_state(ws, ledger, year, day, skip=lambda e: gen_id(e) == gid)
    return state_minimums(ws, ledger, state)


def allocate(
    ws: Workspace,
    entity: str,
    year: int,
    allocation: Allocation,
    day: date,
    *,
    dry_run: bool = False,
) -> AllocateResult:
    """Book the allocation voted by the general assembly; refused when unlawful."""
    kept_books(ws.config, entity)
    gid = f"{ALLOCATE_GEN_PREFIX}{year:04d}"
    with ws.lock():
        ledger = ws.load_checked(entity)
        state = allocation_state(ws, ledger, year, day, skip=lambda e: gen_id(e) == gid)
        if day <= state.end:
            raise UsageError(
                _(
                    "The allocation is voted after the exercice {year} ends ({end}); give the "
                    "date of the general assembly with --date."
                ).format(year=year, end=state.end.isoformat())
            )
        mins = state_minimums(ws, ledger, state)
        rules = ws.config.year.rules(ws.config.entity(entity).kind)
        assert rules is not None
        broken = violations(rules, mins, allocation)
        if broken:
            raise LedgerErrors(
                _(
                    "This allocation of the result of {year} breaks the law's minimums; "
                    "nothing was written (see 'year allocate --propose')."
                ).format(year=year),
                [LedgerProblem(entity, None, None, message) for message in broken],
            )
        opener = Opener(ws.config, ledger, day)

        def role(name: str) -> str:
            found = ledger_role(ws.config, ledger, name)
            return opener.need(found.account, found.pcg, found.label)

        postings = []
        if state.result > 0:
            postings.append(posting(role("result-profit"), state.result))
        elif state.result < 0:
            postings.append(posting(role("result-loss"), state.result))
        if mins.absorbed:
            on_119 = min(mins.absorbed, state.debit_119)
            if on_119:
                postings.append(posting(role("carry-forward-debit"), -on_119))
            if mins.absorbed - on_119:
                postings.append(posting(role("carry-forward"), on_119 - mins.absorbed))
        for name, amount in (
            ("legal-reserve", allocation.legal_reserve),
            ("statutory-reserve", allocation.statutory_reserve),
            ("dividends-due", allocation.interest),
        ):
            if amount:
                postings.append(posting(role(name), -amount))
        carry = allocation.carry_forward
        if carry > 0:
            postings.append(posting(role("carry-forward"), -carry))
        elif carry < 0:
            from_credit = min(-carry, state.carry_credit)
            if from_credit:
                postings.append(posting(role("carry-forward"), from_credit))
            if -carry - from_credit:
                postings.append(posting(role("carry-forward-debit"), -carry - from_credit))
        if not postings:
            raise UsageError(
                _(
                    "The result of the exercice {year} is zero: there is nothing to allocate."
                ).format(year=year)
            )
        entry = stamp(
            transaction(
                day,
                None,
                ledger_text(
                    ws.config, N_("Allocation of the result of the exercice {year}")
                ).format(year=year),
                postings,
                meta=new_meta(exercice=f"{year:04d}"),
                tags=(ALLOCATION_TAG,),
            ),
            gid,
        )
        result = AllocateResult(entity, year, day, mins, allocation, dry_run=dry_run)
        existing = [e for e in ledger.entries if gen_id(e) == gid]
        if existing:
            if existing[0].meta.get("gen-hash") == entry.meta["gen-hash"]:
                result.already = True
                return result
            raise RefusedError(
                _(
                    "The result of {year} is already allocated (entry of {day}); correct it "
                    "with a reversal and a new entry."
                ).format(year=year, day=existing[0].date.isoformat())
            )
        planned = ws.write([*opener.appends([entry])], dry_run=dry_run)
        result.text = "\n".join(p.text for p in planned)
        result.files = [p.rel for p in planned]
    return result


def read_allocation(ledger: LoadedLedger, entry: Any) -> tuple[Decimal, Allocation, Decimal]:
    """(result allocated, allocation, debit carry-forward absorbed) from an allocation entry,
    by the PCG numbers of its accounts."""
    info = account_info(ledger.entries)

    def pcg(p: Any) -> str:
        return info.get(p.account, ("", ""))[0]

    result = sum(
        (p.units.number for p in entry.postings if pcg(p).startswith(("120", "129"))), ZERO
    )
    absorbed = ZERO
    legal = statutory = carry = interest = ZERO
    for p in entry.postings:
        number = p.units.number
        if pcg(p).startswith(("120", "129")):
            continue
        if pcg(p).startswith("1061"):
            legal -= number
        elif pcg(p).startswith("1063"):
            statutory -= number
        elif pcg(p).startswith("457"):
            interest -= number
        elif pcg(p).startswith("119") and number < 0 and result > 0:
            absorbed -= number
        elif pcg(p).startswith(("110", "119")):
            carry -= number
    return result, Allocation(legal, statutory, carry, interest), absorbed
