"""The entries of a redistribution flow, written on both sides: a donation (paid or
promised), a retribution invoice mirrored as a supplier bill, a payment; and the step a
generated entry recorded, to write a side a crash left out."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from alusage_ledger.books.accounts import Opener, resolve_payment_account
from alusage_ledger.books.canonical import entry_hash
from alusage_ledger.books.entries import ledger_text, link_part, transaction
from alusage_ledger.books.vatregime import regime_on
from alusage_ledger.core.errors import ConfigError
from alusage_ledger.core.i18n import N_, _
from alusage_ledger.core.money import ZERO
from alusage_ledger.core.periods import Month
from alusage_ledger.domains.commons.flows import GEN_PREFIX, flow_month, under
from alusage_ledger.domains.commons.intercompany import account_classes
from alusage_ledger.domains.purchases import vat_in
from alusage_ledger.domains.purchases import vat_posting as posting
from alusage_ledger.domains.sales import sales_index, series_numbers, series_of

if TYPE_CHECKING:
    from alusage_ledger.books.config import Config, RedistributionPolicy
    from alusage_ledger.books.loader import LoadedLedger

STEPS = ("don", "commitment", "invoice", "payment", "regularisation")


# --------------------------------------------------------------------------- entries


@dataclass(frozen=True)
class FlowStep:
    """One thing to record on both sides of a flow."""

    policy: str
    month: Month
    link: str
    step: str  # don | commitment | invoice | payment | regularisation
    day: date
    amount: Decimal  # before tax (don, commitment, invoice) or paid (payment)
    vat: Decimal = ZERO  # the invoice's VAT (for a payment: the VAT the invoice carried)
    vat_rate: str | None = None  # "20", "exempt"... (invoices)
    invoice: str | None = None  # the number in ``to``'s series (retributions)
    from_bank: str | None = None  # the account ``from`` pays from
    suffix: str = ""  # "-2", "-3"... for a flow's further regularisations

    @property
    def gen_id(self) -> str:
        return f"{GEN_PREFIX}{self.link}/{self.step}{self.suffix}"

    def describe(self, money: Callable[[Decimal], str]) -> str:
        names = {
            "don": _("donation paid"),
            "commitment": _("donation promised (commitment)"),
            "invoice": _("invoice {number}"),
            "payment": _("payment"),
            "regularisation": _("regularisation of the promised donation"),
        }
        what = names[self.step].format(number=self.invoice or "")
        return _("{what} of {amount} (^{link})").format(
            what=what,
            amount=money(self.amount + (self.vat if self.step == "invoice" else ZERO)),
            link=self.link,
        )


def vat_setup(
    config: Config, policy: RedistributionPolicy, day: date
) -> tuple[str, Decimal | None, bool, bool]:
    """(vat-rate text, rate, ``to`` books VAT on receipt, ``from`` deducts VAT)."""
    seller = regime_on(config, policy.to, day)
    buyer_deducts = regime_on(config, policy.from_, day).regime != "franchise"
    if seller.regime == "franchise":
        if policy.vat_rate not in (None, "exempt"):
            raise ConfigError(
                _(
                    "alusage.toml: the field 'vat_rate' of policy {policy!r} asks for VAT, but "
                    "{entity} is under the VAT franchise; remove it."
                ).format(policy=policy.id, entity=policy.to)
            )
        return "exempt", None, False, buyer_deducts
    text = policy.vat_rate or "20"
    if text == "exempt":
        return text, None, False, buyer_deducts
    return text, Decimal(text), seller.exigibility != "debits", buyer_deducts


class FlowSides:
    """Builds both sides' entries of a policy's flows, opening accounts on first use."""

    def __init__(
        self,
        config: Config,
        policy: RedistributionPolicy,
        ledgers: dict[str, LoadedLedger],
        today: date,
    ) -> None:
        self.config = config
        self.policy = policy
        self.from_ledger = ledgers[policy.from_]
        self.to_ledger = ledgers[policy.to]
        self.openers = {
            "from": Opener(config, self.from_ledger, today),
            "to": Opener(config, self.to_ledger, today),
        }
        self.entries: dict[str, list[Any]] = {"from": [], "to": []}

    def _text(self, message: str, **values: Any) -> str:
        return ledger_text(self.config, message).format(**values)

    def _opener(self, side: str, day: date) -> Any:
        opener = self.openers[side]
        opener.day = min(opener.day, day)
        return opener

    def _income_account(self, opener: Any) -> str:
        if self.policy.income_account:
            return self._must_be_open(self.to_ledger, opener, self.policy.income_account)
        return str(opener.role("retributions-income"))

    def _expense_account(self, opener: Any) -> str:
        if self.policy.expense_account:
            return self._must_be_open(self.from_ledger, opener, self.policy.expense_account)
        return str(opener.third_party("retributions-expense", self.policy.to))

    def _must_be_open(self, ledger: LoadedLedger, opener: Any, account: str) -> str:
        if account not in ledger.open_accounts():
            raise ConfigError(
                _(
                    "alusage.toml: policy {policy!r} names the account {account}, which is not "
                    "open in the ledger of {entity}; open it with its pcg number."
                ).format(policy=self.policy.id, account=account, entity=ledger.entity)
            )
        return account

    def build(self, step: FlowStep, sides: Iterable[str] = ("from", "to")) -> None:
        for side in sides:
            entry = self._entry(step, side)
            self.entries[side].append(entry)

    def _entry(self, step: FlowStep, side: str) -> Any:
        policy = self.policy
        opener = self._opener(side, step.day)
        names = {e: self.config.entity(e).name for e in (policy.from_, policy.to)}
        other = policy.to if side == "from" else policy.from_
        payee = names[other]
        meta: dict[str, Any] = {
            "gen-id": step.gen_id,
            "policy": policy.id,
            "period": str(step.month),
        }
        links = [step.link]
        label = policy.label or policy.id
        postings: list[Any]
        if step.step in ("don", "commitment", "regularisation"):
            if side == "from":
                gift = opener.third_party("donations-given", policy.to)
                counter = (
                    self._bank("from", step)
                    if step.step == "don"
                    else opener.third_party("accrued-charges", policy.to)
                )
                postings = [posting(gift, step.amount), posting(counter, -step.amount)]
                message = {
                    "don": N_("Donation - {label} {month}"),
                    "commitment": N_("Donation promised - {label} {month}"),
                    "regularisation": N_(
                        "Regularisation of the promised donation - {label} {month}"
                    ),
                }[step.step]
            else:
                gift = opener.third_party("donations-received", policy.from_)
                counter = (
                    self._bank("to", step)
                    if step.step == "don"
                    else opener.third_party("accrued-income", policy.from_)
                )
                postings = [posting(counter, step.amount), posting(gift, -step.amount)]
                message = {
                    "don": N_("Donation received - {label} {month}"),
                    "commitment": N_("Donation promised, to receive - {label} {month}"),
                    "regularisation": N_(
                        "Regularisation of the promised donation, to receive - {label} {month}"
                    ),
                }[step.step]
            if step.step in ("commitment", "regularisation") and policy.commitment:
                meta["commitment"] = policy.commitment
        elif step.step == "invoice":
            ttc = step.amount + step.vat
            rate_text, _rate, pending, deducts = vat_setup(self.config, policy, step.day)
            meta["vat-rate"] = step.vat_rate or rate_text
            if side == "to":
                meta.update(
                    {
                        "invoice": step.invoice,
                        "client": names[policy.from_],
                        "activity": policy.activity or "retribution",
                    }
                )
                seller = regime_on(self.config, policy.to, step.day)
                if seller.regime == "franchise":
                    meta["vat-mention"] = seller.mention
                if policy.project:
                    meta["project"] = policy.project
                links.append(str(step.invoice))
                postings = [
                    posting(opener.third_party("clients", policy.from_), ttc),
                    posting(self._income_account(opener), -step.amount),
                ]
                if step.vat:
                    role = "vat-pending" if pending else "vat-collected"
                    postings.append(posting(opener.role(role), -step.vat))
                message = N_("Invoice {invoice} - {label} {month}")
            else:
                meta.update({"piece-ref": step.invoice, "supplier": names[policy.to]})
                links.append(f"{policy.from_}-{link_part(str(step.invoice))}")
                expense = self._expense_account(opener)
                if step.vat and deducts:
                    role = "vat-deductible-pending" if pending else "vat-deductible"
                    postings = [
                        posting(expense, step.amount),
                        posting(opener.role(role), step.vat),
                    ]
                else:
                    postings = [posting(expense, ttc)]
                postings.append(posting(opener.third_party("suppliers", policy.to), -ttc))
                message = N_("Bill {invoice} - {label} {month}")
        else:  # payment of a commitment or of an invoice
            retribution = policy.kind == "retribution"
            _rt, _r, pending, deducts = (
                vat_setup(self.config, policy, step.day)
                if retribution
                else ("", None, False, False)
            )
            if retribution:
                meta["invoice" if side == "to" else "piece-ref"] = step.invoice
                links.append(
                    str(step.invoice)
                    if side == "to"
                    else f"{policy.from_}-{link_part(str(step.invoice))}"
                )
            if side == "from":
                owed = opener.third_party(
                    "suppliers" if retribution else "accrued-charges", policy.to
                )
                postings = [posting(owed, step.amount)]
                if retribution and step.vat and pending and deducts:
                    postings.append(posting(opener.role("vat-deductible"), step.vat))
                    postings.append(posting(opener.role("vat-deductible-pending"), -step.vat))
                postings.append(posting(self._bank("from", step), -step.amount))
            else:
                owed = opener.third_party(
                    "clients" if retribution else "accrued-income", policy.from_
                )
                postings = [posting(self._bank("to", step), step.amount)]
                if retribution and step.vat and pending:
                    postings.append(posting(opener.role("vat-pending"), step.vat))
                    postings.append(posting(opener.role("vat-collected"), -step.vat))
                postings.append(posting(owed, -step.amount))
            message = (
                N_("Payment of invoice {invoice} - {label} {month}")
                if retribution
                else N_("Payment of the promised donation - {label} {month}")
            )
        narration = self._text(
            message, other=payee, label=label, month=step.month, invoice=step.invoice or ""
        )
        entry = transaction(step.day, payee, narration, sorted(set(links)), meta, postings)
        entry.meta["gen-hash"] = entry_hash(entry, exclude_keys=frozenset({"gen-hash"}))
        return entry

    def _bank(self, side: str, step: FlowStep) -> str:
        if side == "from":
            return resolve_payment_account(self.config, self.from_ledger, step.from_bank)
        return resolve_payment_account(self.config, self.to_ledger, None)

    def appends(self) -> list[Any]:
        batch: list[Any] = []
        for side in ("from", "to"):
            if self.entries[side]:
                batch += self.openers[side].appends(self.entries[side])
        return batch


def step_from_entry(
    config: Config, policy: RedistributionPolicy, entry: Any, side: str, ledger: LoadedLedger
) -> FlowStep | None:
    """Rebuild the step a generated entry recorded (to write a side a crash left out)."""
    gen = str((entry.meta or {}).get("gen-id", ""))
    match = re.fullmatch(
        rf"{re.escape(GEN_PREFIX)}(?P<link>[^/]+)/(?P<step>[a-z]+)(?P<suffix>-[0-9]+)?", gen
    )
    if match is None or match.group("step") not in STEPS:
        return None
    link, kind = match.group("link"), match.group("step")
    month = flow_month(link, policy.id)
    if month is None:
        return None
    classes = account_classes(config, ledger)
    roots = ledger.roots()

    def total(predicate: Callable[[str], bool]) -> Decimal:
        return sum(
            (p.units.number for p in entry.postings if predicate(p.account) and p.units),
            ZERO,
        )

    meta = entry.meta or {}
    number = meta.get("invoice") if side == "to" else meta.get("piece-ref")
    from_bank = None
    if side == "from":
        from_bank = next(
            (p.account for p in entry.postings if classes.get(p.account) == "treasury"), None
        )
    cash = total(lambda a: classes.get(a) == "treasury")
    if kind in ("don", "commitment", "regularisation"):
        amount = (
            total(lambda a: under(a, roots[4]))
            if side == "from"
            else -total(lambda a: under(a, roots[3]))
        )
        vat = ZERO
    elif kind == "invoice":
        owed = total(lambda a: classes.get(a) == "third-party")
        ttc = owed if side == "to" else -owed
        if side == "to":
            amount = -total(lambda a: under(a, roots[3]))
        else:
            rate = meta.get("vat-rate")
            expense = total(lambda a: under(a, roots[4]))
            amount = expense
            if expense == ttc and isinstance(rate, str) and re.fullmatch(r"\d+(\.\d+)?", rate):
                amount = ttc - vat_in(ttc, Decimal(rate))
        vat = ttc - amount
    else:
        amount = abs(cash)
        vat = ZERO
    return FlowStep(
        policy.id,
        month,
        link,
        kind,
        entry.date,
        amount,
        vat,
        meta.get("vat-rate") if isinstance(meta.get("vat-rate"), str) else None,
        str(number) if number else None,
        from_bank,
        match.group("suffix") or "",
    )


# --------------------------------------------------------------------------- invoices


def next_invoice(
    config: Config, ledger: LoadedLedger, day: date, taken: Iterable[tuple[str, date]] = ()
) -> tuple[str, date]:
    """The next number of the entity's invoice series and the date it may carry.

    The series is the Sales one (``[entities.<id>.series]``, ``F{year}-{seq:04}`` by
    default), continuous per year; the date is never before the series' last invoice
    (numbers and dates both increase), so a retribution for a past month may be dated
    later than that month (its ``period`` metadata says which month it is for).
    ``taken`` are numbers given earlier in the same operation.
    """

    series, _credit_notes = series_of(config, ledger.entity)
    existing = [(n, inv.entry) for n, inv in sales_index(config, ledger).invoices.items()]
    issued = [(n, _Dated(d)) for n, d in taken]
    groups = series_numbers(series, [*existing, *issued])
    items = groups.get(series.key(day), [])
    issue = max([day, *(entry.date for _seq, _n, entry in items)])
    items = groups.get(series.key(issue), [])
    seq = max((item[0] for item in items), default=0) + 1
    return series.format(issue.year, seq), issue


@dataclass(frozen=True)
class _Dated:
    date: date
