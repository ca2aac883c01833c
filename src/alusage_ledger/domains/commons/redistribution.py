"""Redistribution to the commons: what each policy owes for a month, written on both sides.

"I sell services whose value pays me; the rest I put into commons like Mycéliandre."
A ``[[redistribution]]`` policy of ``alusage.toml`` says what an entity (``from``) gives
back to another (``to``) each month, as a donation (``don``) or a retribution for
collective projects (``retribution``), and on which base::

    revenue   rate × revenue excluding VAT of the month (intercompany income left out)
    margin    rate × (revenue − expenses) of the month, never below zero
    project   rate × revenue of the invoices carrying ``project: "<name>"``
    fixed     the amount, each month
    surplus   bank and cash (512, 53) at month end, after the other policies of the
              month, above ``floor`` (× rate, 1 by default)

Policies run in config order, ``surplus`` last; amounts are rounded half-up to the cent.
What a flow already recorded (the link ``^ic-<policy>-<YYYY-MM>``, then ``-2``, ``-3``
for further flows of the same policy and month) is subtracted: only the difference is
written, so running ``redistribute --post`` twice writes nothing the second time, and
hand-made entries carrying the policy's link count too.

Both sides are written in one operation, every entry with ``gen-id``
(``redistribution/<link>/<step>``) and ``gen-hash``::

    ; alusage: a donation promised (commitment), then paid
    2026-03-31 * "Mycéliandre SCIC" "Don promis - don-myceliandre 2026-03" ^ic-don-myceliandre-2026-03-2
      Charges:Dons:Myceliandre              132.50 EUR      ; 6238
      Passif:ChargesAPayer:Myceliandre     -132.50 EUR      ; 4686
    ; myceliandre
    2026-03-31 * "Alusage SAS" "Don promis reçu - ..." ^ic-don-myceliandre-2026-03-2
      Actif:ProduitsARecevoir:Alusage       132.50 EUR      ; 4687
      Produits:Dons:Alusage                -132.50 EUR      ; 7582

A retribution is an invoice of ``to`` in its series (706, its VAT, 411) mirrored as a
supplier bill in ``from``'s ledger (a purchase account, deductible VAT, 401).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from alusage_ledger.books.monthend import month_step
from alusage_ledger.core.errors import UsageError
from alusage_ledger.core.fmt import money
from alusage_ledger.core.i18n import _
from alusage_ledger.core.money import ZERO, quantize_cents
from alusage_ledger.core.periods import Month, resolve_today
from alusage_ledger.domains.commons.dues import PolicyDue, compute_month
from alusage_ledger.domains.commons.flowentries import (
    FlowSides,
    FlowStep,
    next_invoice,
    step_from_entry,
    vat_setup,
)
from alusage_ledger.domains.commons.flows import GEN_PREFIX, FlowState, next_link, transactions
from alusage_ledger.domains.commons.regularisation import (
    commitment_flow,
    open_day,
    regularisation_suffix,
)
from alusage_ledger.domains.sales import year_notes

if TYPE_CHECKING:
    from alusage_ledger.books.config import Config, RedistributionPolicy
    from alusage_ledger.books.ledger import Workspace
    from alusage_ledger.books.loader import LoadedLedger


# --------------------------------------------------------------------------- plan and post


@dataclass
class MonthResult:
    month: Month
    dues: list[PolicyDue]
    steps: list[tuple[str, FlowStep, tuple[str, ...]]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # things not written, and why
    files: list[str] = field(default_factory=list)
    written: bool = False


def _policies(config: Config, entity: str | None) -> list[RedistributionPolicy]:
    if entity is not None:
        config.entity(entity)
        return [p for p in config.redistribution if entity in (p.from_, p.to)]
    return list(config.redistribution)


def redistribute(
    ws: Workspace,
    month: Month,
    *,
    entity: str | None = None,
    post: bool = False,
    paid: bool = False,
    account: str | None = None,
    pay_date: date | None = None,
    for_close: bool = False,
    dry_run: bool = False,
    today: date | None = None,
) -> MonthResult:
    """Compute (and with ``post`` write) the month's redistribution; see the module doc.

    ``today`` is the command's (``close --today``); by default ``ALUSAGE_TODAY``, else the
    clock (:func:`~alusage_ledger.core.periods.resolve_today`)."""

    if account is not None and not paid:
        raise UsageError(_("--account says where a payment comes from; it needs --paid."))
    first, last = month.first_day, month.last_day
    now = resolve_today(today) if post else None
    if now is not None and first > now:
        raise UsageError(
            _("{month} has not started yet; redistribution is posted for past months.").format(
                month=month
            )
        )
    config = ws.config
    policies = _policies(config, entity)
    if now is None:
        return MonthResult(month, compute_month(config, month, _load(ws, policies), policies))
    with ws.lock():
        ledgers = _load(ws, policies)
        dues = compute_month(config, month, ledgers, policies)
        result = MonthResult(month, dues)
        builders = _plan(config, ledgers, result, paid, account, pay_date or last, for_close, now)
        batch = [a for b in builders for a in b.appends()]
        if batch:
            planned = ws.write(batch, dry_run=dry_run, skip_present="gen-id")
            result.files = sorted({p.rel for p in planned})
            result.written = not dry_run
        if result.written:
            # A retribution invoice is turnover of the recipient: the franchise thresholds.
            invoiced = {
                due.policy.to: step.day
                for due in dues
                for pid, step, _which in result.steps
                if pid == due.policy.id and step.step == "invoice"
            }
            for receiver, day in sorted(invoiced.items()):
                result.notes += year_notes(config, ws.load_checked(receiver), day)
    return result


def _load(ws: Workspace, policies: Sequence[RedistributionPolicy]) -> dict[str, LoadedLedger]:
    wanted = sorted({e for p in policies for e in (p.from_, p.to)})
    return {e: ws.load_checked(e) for e in wanted}


def _plan(
    config: Config,
    ledgers: dict[str, LoadedLedger],
    result: MonthResult,
    paid: bool,
    account: str | None,
    pay_day: date,
    for_close: bool,
    today: date,
) -> list[FlowSides]:
    month = result.month
    last = month.last_day
    # The --paid rule: checked for every policy before anything is written.
    if not paid and not for_close:
        for due in result.dues:
            if due.policy.kind == "don" and not due.policy.commitment and due.to_record > 0:
                raise UsageError(
                    _(
                        "The policy {policy} owes {amount} for {month}: a donation without "
                        "commitment is recorded when it is paid; run again with --paid "
                        "(and --account if it is not paid from the bank)."
                    ).format(policy=due.policy.id, amount=money(due.to_record), month=month)
                )
    builders: list[FlowSides] = []
    numbers: dict[str, list[tuple[str, date]]] = {}
    for due in result.dues:
        policy = due.policy
        sides = FlowSides(config, policy, ledgers, today)
        steps: list[tuple[FlowStep, tuple[str, ...]]] = []
        # 1. A side a crash left out is completed from the other side.
        for flow in due.flows:
            mine, theirs = flow.gen_ids("from"), flow.gen_ids("to")
            for gen_id in sorted(set(mine) ^ set(theirs)):
                present = "from" if gen_id in mine else "to"
                entry = (mine if present == "from" else theirs)[gen_id]
                ledger = ledgers[policy.from_ if present == "from" else policy.to]
                step = step_from_entry(config, policy, entry, present, ledger)
                if step is not None and step.step == "payment" and policy.kind == "retribution":
                    invoice = _invoice_step(config, policy, flow, ledgers)
                    if invoice is not None:
                        step = replace(step, vat=invoice.vat, invoice=invoice.invoice)
                if step is not None:
                    missing = "to" if present == "from" else "from"
                    steps.append((step, (missing,)))
        # 2. What is due and not recorded yet.
        used = {f.link for f in due.flows}
        new_flow: FlowStep | None = None
        adjusted: dict[str, Decimal] = {}  # link → what a regularisation changes it by
        adjusted_on: dict[str, date] = {}  # link → the regularisation's date
        if due.to_record > 0:
            if policy.kind == "don" and not policy.commitment and not paid:
                result.notes.append(
                    _(
                        "{policy}: {amount} due, not recorded: a donation without commitment "
                        "is recorded when it is paid (redistribute --post --paid)."
                    ).format(policy=policy.id, amount=money(due.to_record))
                )
            else:
                link = next_link(policy.id, month, used | _all_links(ledgers, policy))
                if policy.kind == "don":
                    kind = "commitment" if policy.commitment else "don"
                    new_flow = FlowStep(
                        policy.id, month, link, kind, last, due.to_record, from_bank=account
                    )
                else:
                    number, day = next_invoice(
                        config, ledgers[policy.to], last, numbers.get(policy.to, [])
                    )
                    numbers.setdefault(policy.to, []).append((number, day))
                    rate_text, rate, _pending, _deducts = vat_setup(config, policy, day)
                    vat = quantize_cents(due.to_record * rate / 100) if rate else ZERO
                    new_flow = FlowStep(
                        policy.id,
                        month,
                        link,
                        "invoice",
                        day,
                        due.to_record,
                        vat,
                        rate_text,
                        number,
                    )
                steps.append((new_flow, ("from", "to")))
        elif due.excess > 0:
            flow_to_lower = commitment_flow(due)
            if flow_to_lower is not None:
                day = open_day((ledgers[policy.from_], ledgers[policy.to]), month)
                lowered = FlowStep(
                    policy.id,
                    month,
                    flow_to_lower.link,
                    "regularisation",
                    day,
                    -due.excess,
                    suffix=regularisation_suffix(flow_to_lower),
                )
                steps.append((lowered, ("from", "to")))
                adjusted[flow_to_lower.link] = -due.excess
                adjusted_on[flow_to_lower.link] = day
            else:
                result.notes.append(
                    _(
                        "{policy}: {amount} more than due is already recorded; nothing is "
                        "written ('check' says why)."
                    ).format(policy=policy.id, amount=money(due.excess))
                )
        # 3. Payments: every flow still owed, and the new one.
        if paid and not for_close:
            for flow in due.flows:
                owed = flow.owed + adjusted.get(flow.link, ZERO)
                if owed > 0 and f"{GEN_PREFIX}{flow.link}/payment" not in flow.gen_ids("from"):
                    invoice = _invoice_step(config, policy, flow, ledgers)
                    steps.append(
                        (
                            FlowStep(
                                policy.id,
                                month,
                                flow.link,
                                "payment",
                                max(
                                    pay_day,
                                    max(e.date for e in flow.from_entries),
                                    adjusted_on.get(flow.link, pay_day),
                                ),
                                owed,
                                invoice.vat if invoice else ZERO,
                                invoice=invoice.invoice if invoice else None,
                                from_bank=account,
                            ),
                            ("from", "to"),
                        )
                    )
            if new_flow is not None and new_flow.step in ("commitment", "invoice"):
                steps.append(
                    (
                        replace(
                            new_flow,
                            step="payment",
                            day=max(pay_day, new_flow.day),
                            amount=new_flow.amount + new_flow.vat,
                            from_bank=account,
                        ),
                        ("from", "to"),
                    )
                )
        for step, which in steps:
            sides.build(step, which)
            result.steps.append((policy.id, step, which))
        if steps:
            builders.append(sides)
    return builders


def _invoice_step(
    config: Config,
    policy: RedistributionPolicy,
    flow: FlowState,
    ledgers: dict[str, LoadedLedger],
) -> FlowStep | None:
    for side, entries, entity in (
        ("to", flow.to_entries, policy.to),
        ("from", flow.from_entries, policy.from_),
    ):
        for entry in entries:
            if str((entry.meta or {}).get("gen-id", "")).endswith("/invoice"):
                return step_from_entry(config, policy, entry, side, ledgers[entity])
    return None


def _all_links(ledgers: dict[str, LoadedLedger], policy: RedistributionPolicy) -> set[str]:
    return {
        link
        for entity in (policy.from_, policy.to)
        for e in transactions(ledgers[entity])
        for link in (e.links or ())
        if link.startswith(f"ic-{policy.id}-")
    }


# --------------------------------------------------------------------------- month end


@month_step("redistribution")
def post_redistribution_for_close(
    ws: Workspace, month: Month, *, dry_run: bool = False, today: date | None = None
) -> list[str]:
    """Close: commitments and retribution invoices are posted; gifts wait for --paid."""
    if not ws.config.redistribution:
        return []
    result = redistribute(ws, month, post=True, for_close=True, dry_run=dry_run, today=today)
    lines = [
        _("redistribution {policy}: {what}").format(policy=policy, what=step.describe(money))
        for policy, step, _which in result.steps
    ]
    return lines + result.notes
