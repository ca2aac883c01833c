"""Regularisation: when what a policy recorded for a month is no longer what it gives.

A promised donation is booked from the month's figures; a credit note dated in the same
month lowers the revenue afterwards, and the policy now gives less than was promised. The
books must not keep the old amount, and nobody edits a booked entry: ``check`` warns with
both amounts, and ``redistribute --month M --post`` books the difference as a new entry on
both sides, carrying the commitment's link, dated the last day of M (or the first open
day when M is closed)::

    2026-11-30 * "Mycéliandre SCIC" "Régularisation du don promis - Fonds commun du 97 2026-11" ^ic-don-myceliandre-2026-11
      gen-id: "redistribution/ic-don-myceliandre-2026-11/regularisation"
      Charges:Dons:Myceliandre           -62.50 EUR
      Passif:ChargesAPayer:Myceliandre    62.50 EUR

The commitment then owes what the policy gives (420.50), and ``--paid`` pays that. A
further change of the same month is a further regularisation (``regularisation-2``...).
What more is due is a new flow of the month (``^ic-<policy>-<M>-2``), as before. A
donation already paid, or a retribution already invoiced, is not taken back here: the
warning says what is recorded and what is due, and a credit note or a refund is the
accountant's decision.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from alusage_ledger.books import checks
from alusage_ledger.books.writer import closed_months
from alusage_ledger.core.fmt import money
from alusage_ledger.core.i18n import _
from alusage_ledger.core.periods import Month
from alusage_ledger.domains.commons.dues import PolicyDue, compute_month
from alusage_ledger.domains.commons.flows import GEN_PREFIX, FlowState, flow_month, transactions

if TYPE_CHECKING:
    from alusage_ledger.books.ledger import Workspace
    from alusage_ledger.books.loader import LoadedLedger
    from alusage_ledger.core.errors import LedgerProblem


def _is_commitment(entry: Any) -> bool:
    gen = str((entry.meta or {}).get("gen-id", ""))
    return gen.startswith(GEN_PREFIX) and gen.endswith("/commitment")


def commitment_flow(due: PolicyDue) -> FlowState | None:
    """The flow a decrease is booked on: the month's last commitment that still owes at
    least the difference (a donation promised and not paid yet)."""
    if due.policy.kind != "don" or not due.policy.commitment or due.excess <= 0:
        return None
    for flow in reversed(due.flows):
        if any(_is_commitment(e) for e in flow.from_entries) and flow.owed >= due.excess:
            return flow
    return None


def regularisation_suffix(flow: FlowState) -> str:
    """``""`` for a flow's first regularisation, then ``-2``, ``-3``..."""
    taken = {
        gen.rsplit("/", 1)[1]
        for side in ("from", "to")
        for gen in flow.gen_ids(side)
        if gen.rsplit("/", 1)[1].startswith("regularisation")
    }
    if "regularisation" not in taken:
        return ""
    number = 2
    while f"regularisation-{number}" in taken:
        number += 1
    return f"-{number}"


def open_day(ledgers: Iterable[LoadedLedger], month: Month) -> date:
    """The last day of ``month``, or the first day after the last closed month of either
    ledger when that is later (a correction is booked in an open month)."""
    day = month.last_day
    for ledger in ledgers:
        closed = [m for m in closed_months(ledger.entries) if m >= month]
        if closed:
            day = max(day, max(closed).next().first_day)
    return day


def _flow_months(config: Any, ledgers: dict[str, LoadedLedger]) -> set[Month]:
    months: set[Month] = set()
    for policy in config.redistribution:
        for entity in (policy.from_, policy.to):
            for entry in transactions(ledgers[entity]):
                for link in entry.links or ():
                    month = flow_month(link, policy.id)
                    if month is not None:
                        months.add(month)
    return months


def differences(config: Any, ledgers: dict[str, LoadedLedger]) -> list[PolicyDue]:
    """Every policy and month whose recorded flows differ from what the policy gives now
    (months with nothing recorded are left out: they wait for ``--post``)."""
    policies = [p for p in config.redistribution if p.from_ in ledgers and p.to in ledgers]
    if not policies:
        return []
    found: list[PolicyDue] = []
    for month in sorted(_flow_months(config, ledgers)):
        for due in compute_month(config, month, ledgers, policies):
            if due.flows and due.recorded != due.due:
                found.append(due)
    return found


def describe(due: PolicyDue) -> str:
    """The warning of ``check``: both amounts, and what to do."""
    text = _(
        "redistribution {policy} for {month}: {recorded} is recorded but the policy gives "
        "{due} now (difference {difference})"
    ).format(
        policy=due.policy.id,
        month=due.month,
        recorded=money(due.recorded),
        due=money(due.due),
        difference=money(due.due - due.recorded),
    )
    if due.due > due.recorded or commitment_flow(due) is not None:
        return text + _("; 'redistribute --month {month} --post' books the difference.").format(
            month=due.month
        )
    if due.policy.kind == "retribution":
        return text + _("; a credit note of {entity} corrects the invoice.").format(
            entity=due.policy.to
        )
    return text + _("; the donation is paid: a refund is for the two entities to agree on.")


@checks.workspace_rule
def redistribution_matches_policies(
    ws: Workspace, ledgers: dict[str, LoadedLedger]
) -> Iterable[LedgerProblem]:
    """What is recorded for a policy and month is what the policy gives now (warning)."""
    problems = []
    for due in differences(ws.config, ledgers):
        flow = due.flows[-1]
        entries = flow.from_entries or flow.to_entries
        entity = due.policy.from_ if flow.from_entries else due.policy.to
        entry = max(entries, key=lambda e: e.date)
        problems.append(checks.problem_at(ws, entity, entry, describe(due), "warning"))
    return problems
