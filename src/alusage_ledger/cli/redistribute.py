"""``redistribute``: what each policy owes the commons for a month, written on both sides."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from alusage_ledger.cli import state
from alusage_ledger.cli.options import PostDryRun, optional
from alusage_ledger.core.errors import UsageError
from alusage_ledger.core.fmt import machine, money
from alusage_ledger.core.i18n import N_, _
from alusage_ledger.core.periods import Month
from alusage_ledger.outputs.render.console import emit_json, say, table

if TYPE_CHECKING:
    from alusage_ledger.domains.commons.redistribution import MonthResult


def register(app: typer.Typer) -> None:
    @app.command(
        "redistribute",
        help=N_(
            "What each redistribution policy owes for a month: the base, the rate, what is "
            "due and what is already recorded. --post writes the difference in both ledgers "
            "(link ^ic-<policy>-<month>); a donation without commitment needs --paid."
        ),
    )
    def redistribute(
        month: Annotated[
            str, typer.Option("--month", "-m", help=N_("The month, YYYY-MM (e.g. 2026-11)."))
        ],
        entity: Annotated[
            str | None,
            optional(
                "--entity", "-e", help=N_("Only the policies this entity gives or receives under.")
            ),
        ] = None,
        post: Annotated[
            bool, typer.Option("--post", help=N_("Write what is due and not recorded yet."))
        ] = False,
        paid: Annotated[
            bool,
            typer.Option(
                "--paid",
                help=N_(
                    "Record the payment too (donations without commitment are recorded only "
                    "when paid; commitments and invoices still owed are settled)."
                ),
            ),
        ] = False,
        account: Annotated[
            str | None,
            optional(
                "--account",
                help=N_("With --paid: the giver's account or role paid from (default: bank)."),
            ),
        ] = None,
        day: Annotated[
            str | None,
            optional(
                "--date", help=N_("With --paid: the payment date (default: the month's last day).")
            ),
        ] = None,
        dry_run: PostDryRun = False,
    ) -> None:
        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.commons.redistribution import redistribute as run

        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.purchases.input import date_arg

        st = state.current()
        ws = st.workspace()
        if day is not None and not paid:
            raise UsageError(_("--date is the payment date; it needs --paid."))
        if (paid or dry_run) and not post:
            raise UsageError(_("--paid and --dry-run go with --post."))
        result = run(
            ws,
            Month.parse(month),
            entity=entity,
            post=post,
            paid=paid,
            account=account,
            pay_date=date_arg(day, _("payment date")) if day else None,
            dry_run=dry_run,
        )
        if st.json:
            emit_json(as_json(result, post=post))
        else:
            _show(result, post=post, dry_run=dry_run)


def as_json(result: MonthResult, *, post: bool) -> dict[str, Any]:
    # lazy: the domain (and Beancount) loads only when the command runs
    from alusage_ledger.domains.commons.dues import explain

    policies = []
    for due in result.dues:
        p = due.policy
        policies.append(
            {
                "id": p.id,
                "from": p.from_,
                "to": p.to,
                "kind": p.kind,
                "base": p.base,
                "rate": None if due.rate is None else f"{due.rate:f}",
                "base_amount": machine(due.base_amount),
                "figures": {name: machine(value) for name, value in due.figures},
                "computation": explain(due, machine),
                "due": machine(due.due),
                "recorded": machine(due.recorded),
                "to_record": machine(due.to_record),
                "excess": machine(due.excess),
                "owed": machine(due.owed),
                "commitment": p.commitment,
                "flows": [
                    {"link": f.link, "value": machine(f.value), "owed": machine(f.owed)}
                    for f in due.flows
                ],
            }
        )
    return {
        "ok": True,
        "month": str(result.month),
        "policies": policies,
        "posted": [
            {
                "policy": policy,
                "link": step.link,
                "step": step.step,
                "date": step.day.isoformat(),
                "amount": machine(step.amount),
                "vat": machine(step.vat),
                "invoice": step.invoice,
                "sides": list(which),
            }
            for policy, step, which in result.steps
        ]
        if post
        else [],
        "written": result.written,
        "files": result.files,
        "notes": result.notes,
    }


def _show(result: MonthResult, *, post: bool, dry_run: bool) -> None:
    # lazy: the domain (and Beancount) loads only when the command runs
    from alusage_ledger.domains.commons.dues import explain

    if not result.dues:
        say(_("No redistribution policy applies to {month}.").format(month=result.month))
        return
    kinds = {"don": _("donation"), "retribution": _("retribution")}
    rows = [
        [
            due.policy.id,
            f"{due.policy.from_} → {due.policy.to}",
            kinds[due.policy.kind] + (" *" if due.policy.commitment else ""),
            money(due.due),
            money(due.recorded),
            money(due.to_record),
            money(due.owed),
        ]
        for due in result.dues
    ]
    table(
        _("Redistribution for {month}").format(month=result.month),
        [
            _("Policy"),
            _("From → to"),
            _("Kind"),
            _("Due"),
            _("Recorded"),
            _("To record"),
            _("Owed, unpaid"),
        ],
        rows,
        right=(3, 4, 5, 6),
    )
    for due in result.dues:
        say(f"{due.policy.id}: {explain(due, money)}")
    if any(due.policy.commitment for due in result.dues):
        say(_("* recorded as owed (commitment) until paid."))
    if not post:
        return
    parties = {
        due.policy.id: {"from": due.policy.from_, "to": due.policy.to} for due in result.dues
    }
    for policy, step, which in result.steps:
        sides = " + ".join(parties[policy][side] for side in which)
        say(
            _("{verb} {policy}: {what} [{sides}]").format(
                verb=_("Would write") if dry_run else _("Written"),
                policy=policy,
                what=step.describe(money),
                sides=sides,
            )
        )
    for note in result.notes:
        say(note)
    if not result.steps:
        say(
            _("Nothing to write: everything due for {month} is already recorded.").format(
                month=result.month
            )
        )
