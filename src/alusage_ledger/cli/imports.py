"""``import bank FILE``: a French bank's CSV export into an entity's ledger, idempotent.

(The module is not named ``import``, a Python keyword; the command group is.)
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from alusage_ledger.cli import state
from alusage_ledger.cli.options import (
    AllowFuture,
    CsvDialect,
    DryRun,
    EntityId,
    ListFormat,
    OnlyEntity,
    OnlyEntityOrAll,
    chosen_entities,
    command_group,
    emit_csv,
    list_format,
    optional,
)
from alusage_ledger.core import fmt
from alusage_ledger.core.errors import UsageError
from alusage_ledger.core.i18n import N_, _
from alusage_ledger.outputs.render.console import emit_json, say, table

if TYPE_CHECKING:
    from alusage_ledger.books.ledger import Workspace
    from alusage_ledger.integrations.bank.importer import ImportPlan
    from alusage_ledger.integrations.bank.rules import RuleSet

PROGRESS_FROM = 100  # lines: smaller statements are read in the blink of an eye


def register(app: typer.Typer) -> None:
    group = command_group(
        app, "import", N_("Import outside files into the ledgers: bank statements.")
    )

    @group.command(
        "bank",
        help=N_(
            "Import a bank's CSV export (Crédit Mutuel/CIC, BPCE, La Banque Postale, or a "
            "layout described in a rules file): lines already booked are skipped, receipts "
            "and payments of open invoices, bills and place members are matched and lettered, "
            "rules categorise the rest, and what is left goes to the suspense account (471) "
            "flagged '!' for review."
        ),
    )
    def bank(
        file: Annotated[
            Path, typer.Argument(help=N_("The CSV file exported by the bank."), show_default=False)
        ],
        entity: EntityId,
        account: Annotated[
            str | None,
            optional(
                "--account",
                "-a",
                help=N_("The bank account in the ledger (default: the entity's bank role)."),
            ),
        ] = None,
        profile: Annotated[
            str,
            typer.Option(
                "--profile",
                help=N_(
                    "The bank's layout: auto (found from the header), credit-mutuel, bpce, "
                    "banque-postale, or generic (described in the rules file)."
                ),
            ),
        ] = "auto",
        rules: Annotated[
            Path | None,
            optional(
                "--rules",
                help=N_("A TOML rules file (default: [bank] rules in alusage.toml, if set)."),
            ),
        ] = None,
        no_balance: Annotated[
            bool,
            typer.Option(
                "--no-balance",
                help=N_("Do not assert the closing balance the file gives."),
            ),
        ] = False,
        no_default_rules: Annotated[
            bool,
            typer.Option(
                "--no-default-rules",
                help=N_(
                    "Leave out the rules shipped with the bank's profile (bank fees, card "
                    "commissions, URSSAF), tried after the workspace's own rules."
                ),
            ),
        ] = False,
        allow_future: AllowFuture = False,
        dry_run: DryRun = False,
    ) -> None:
        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.places.compute import today

        # lazy: the integration loads only when the command runs
        from alusage_ledger.integrations.bank.importer import import_bank

        st = state.current()
        ws = st.workspace()
        ws.config.entity(entity)
        ruleset = _rules(ws, rules)
        try:
            raw = file.read_bytes()
        except FileNotFoundError:
            raise UsageError(_("The file {file} does not exist.").format(file=file)) from None
        except IsADirectoryError:
            raise UsageError(_("{file} is a folder, not a file.").format(file=file)) from None
        progress = _Progress() if _show_progress(st) else None
        try:
            plan, files = import_bank(
                ws,
                entity,
                raw,
                str(file),
                account=account,
                profile=profile.strip().lower(),
                rules=ruleset,
                with_balance=not no_balance,
                allow_future=allow_future,
                dry_run=dry_run,
                today=today(),
                progress=progress.update if progress is not None else None,
                with_shipped_rules=not no_default_rules,
            )
        finally:
            if progress is not None:
                progress.stop()
        _report(plan, files, dry_run)

    @group.command(
        "suspense",
        help=N_(
            "The bank lines booked to the suspense account (471): date, amount, bank label "
            "and reference (the BANK-REF of 'import assign'); assigned ones with --all."
        ),
    )
    def suspense(
        entity: OnlyEntityOrAll = None,
        every: Annotated[
            bool, typer.Option("--all", help=N_("Also the lines already assigned."))
        ] = False,
        output: ListFormat = None,
        dialect: CsvDialect = "machine",
    ) -> None:
        # lazy: the integration loads only when the command runs
        from alusage_ledger.integrations.bank.suspense import suspense_lines

        fmt = list_format(output, dialect)
        ws = state.current().workspace()
        lines = [
            line
            for name in chosen_entities(ws, entity)
            for line in suspense_lines(ws.config, ws.load_checked(name))
            if every or line.assigned is None
        ]
        _report_suspense(lines, fmt, dialect)

    @group.command(
        "assign",
        help=N_(
            "Book a bank line of the suspense account where it belongs: a new entry, dated "
            "the line's day (or --date) in an open month, moves it out of 471 to an account, "
            "or settles an invoice or a bill (VAT on receipt moved, lettered)."
        ),
    )
    def assign(
        ref: Annotated[
            str,
            typer.Argument(
                help=N_("The line's bank-ref, from 'import suspense' (a unique start is enough)."),
                show_default=False,
            ),
        ],
        entity: OnlyEntity = None,
        account: Annotated[
            str | None,
            optional(
                "--account",
                "-a",
                help=N_("To this open account or role, e.g. Charges:Banque:Frais."),
            ),
        ] = None,
        invoice: Annotated[
            str | None,
            optional("--invoice", help=N_("As the receipt of this invoice, e.g. F2026-0007.")),
        ] = None,
        bill: Annotated[
            str | None,
            optional("--bill", help=N_("As the payment of this bill (its piece-ref).")),
        ] = None,
        day: Annotated[
            str | None,
            optional("--date", help=N_("Date of the entry (default: the bank line's).")),
        ] = None,
        dry_run: DryRun = False,
    ) -> None:
        # lazy: the domain (and Beancount) loads only when the command runs
        from alusage_ledger.domains.purchases.input import date_arg

        # lazy: the integration loads only when the command runs
        from alusage_ledger.integrations.bank.suspense import assign_line

        ws = state.current().workspace()
        if entity is not None:
            ws.config.entity(entity)
        done, files = assign_line(
            ws,
            entity,
            ref,
            account=account,
            invoice=invoice,
            bill=bill,
            day=date_arg(day, _("date")) if day else None,
            dry_run=dry_run,
        )
        _report_assigned(done, files, dry_run)


#: The columns of ``import suspense --format csv`` (the keys of its JSON).
SUSPENSE_CSV = (
    ("entity", N_("Entity")),
    ("date", N_("Date")),
    ("amount", N_("Amount")),
    ("label", N_("Label")),
    ("payee", N_("Payee")),
    ("bank_ref", N_("Reference")),
    ("assigned", N_("Assigned on")),
    ("assigned_to", N_("Assigned to")),
)


def _report_suspense(lines: list[Any], output: str, dialect: str) -> None:
    rows = [
        [s.entity, s.date, s.amount, s.label, s.payee, s.ref, s.assigned, s.assigned_to]
        for s in lines
    ]
    if output == "csv":
        emit_csv(SUSPENSE_CSV, rows, dialect)
        return
    if output == "json":
        emit_json(
            {"lines": [dict(zip((k for k, _h in SUSPENSE_CSV), row, strict=True)) for row in rows]}
        )
        return
    if not lines:
        say(_("No bank line waits on the suspense account."))
        return
    columns = [_("Entity"), _("Date"), _("Amount"), _("Label"), _("Reference")]
    body = [[s.entity, fmt.day(s.date), fmt.money(s.amount), s.label, s.ref] for s in lines]
    if any(s.assigned_to for s in lines):  # with --all
        columns.append(_("Assigned to"))
        for row, s in zip(body, lines, strict=True):
            row.append(s.assigned_to or "")
    # At 80 columns the date, amount, label and reference stay.
    table(
        _("Bank lines on the suspense account (471)"),
        columns,
        body,
        right=(2,),
        free=(3,),
        drop=(5, 0) if len(columns) > 5 else (0,),
    )
    waiting = [s for s in lines if s.assigned is None]
    if waiting:
        say(
            _(
                "{count} line(s) to assign: 'alusage-ledger import assign BANK-REF --account A' "
                "(or --invoice N, --bill N)."
            ).format(count=len(waiting))
        )


def _report_assigned(done: Any, files: list[Any], dry_run: bool) -> None:
    line = done.line
    if state.current().json:
        emit_json(
            {
                "ok": True,
                "dry_run": dry_run,
                "entity": line.entity,
                "bank_ref": line.ref,
                "date": done.entry.date,
                "amount": fmt.machine(line.amount),
                "kind": done.kind,
                "account": done.target,
                "document": done.document,
                "letters": [str(letter.values[1].value) for letter in done.letters],
                "files": [f.rel for f in files],
            }
        )
        return
    if dry_run:
        for planned in files:
            say(f"--- {planned.rel}")
            say(planned.text.rstrip("\n"))
    what = {
        "account": _("to {account}"),
        "invoice": _("as the receipt of the invoice {document}"),
        "bill": _("as the payment of the bill {document}"),
    }[done.kind].format(account=done.target, document=done.document)
    say(
        _("Bank line {ref} ({day}, {amount}) moved out of the suspense account {what}.").format(
            ref=line.ref, day=fmt.day(line.date), amount=fmt.money(line.amount), what=what
        )
    )
    if done.letters:
        say(
            _("Lettered: {codes}.").format(
                codes=", ".join(str(letter.values[1].value) for letter in done.letters)
            )
        )
    if dry_run:
        say(_("Dry run: nothing was written."))
    elif files:
        say(_("Written: {files}.").format(files=", ".join(sorted({f.rel for f in files}))))


def _rules(ws: Workspace, given: Path | None) -> RuleSet | None:
    # lazy: the integration loads only when the command runs
    from alusage_ledger.integrations.bank.rules import load_rules

    if given is not None:
        return load_rules(given, str(given))
    configured = ws.config.bank.rules
    if configured is None:
        return None
    return load_rules(ws.root / configured, configured)


def _show_progress(st: Any) -> bool:
    return bool(sys.stderr.isatty() and not st.json and not st.quiet)


class _Progress:
    """A Rich progress bar on stderr, for long statements on a terminal only."""

    def __init__(self) -> None:
        self.bar: Any = None
        self.task: Any = None

    def update(self, done: int, total: int) -> None:
        if total < PROGRESS_FROM:
            return
        if self.bar is None:
            # lazy: Rich costs tens of milliseconds; only a terminal needs it
            from rich.console import Console

            # lazy: Rich costs tens of milliseconds; only a terminal needs it
            from rich.progress import Progress

            self.bar = Progress(console=Console(stderr=True), transient=True)
            self.bar.start()
            self.task = self.bar.add_task(_("Bank lines"), total=total)
        self.bar.update(self.task, completed=done)

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def _status(outcome: Any) -> str:
    if outcome.status == "already":
        return _("already there ({how})").format(how=outcome.detail)
    if outcome.status == "matched":
        return _("matched: {what}").format(what=outcome.detail)
    if outcome.status == "rule":
        return outcome.detail  # type: ignore[no-any-return]
    return _("to review (suspense)")


def _report(plan: ImportPlan, files: list[Any], dry_run: bool) -> None:
    st = state.current()
    statement = plan.statement
    summary = {
        "lines": len(plan.outcomes),
        "new": plan.new,
        "already": plan.count("already"),
        "matched": plan.count("matched"),
        "categorized": plan.count("rule"),
        "to_review": plan.count("review"),
    }
    closing = statement.closing
    letters = [str(letter.values[1].value) for letter in plan.letters]
    if st.json:
        emit_json(
            {
                "entity": plan.entity,
                "account": plan.account,
                "file": statement.source,
                "profile": statement.profile,
                "layout": statement.layout,
                "encoding": statement.encoding,
                "dry_run": dry_run,
                "summary": summary,
                "balance": None
                if closing is None
                else {
                    "date": closing.date.isoformat(),
                    "amount": fmt.machine(closing.amount),
                    "status": plan.balance_status,
                },
                "letters": letters,
                "lines": [
                    {
                        "line": o.line.line,
                        "date": o.line.date.isoformat(),
                        "amount": fmt.machine(o.line.amount),
                        "label": o.line.label,
                        "bank_ref": o.ref,
                        "status": o.status,
                        "detail": o.detail,
                    }
                    for o in plan.outcomes
                ],
                "files": [f.rel for f in files],
            }
        )
        return
    if not st.quiet:
        table(
            _("{file} ({profile}, {encoding})").format(
                file=statement.source, profile=statement.layout, encoding=statement.encoding
            ),
            [_("Line"), _("Date"), _("Amount"), _("Label"), _("Result")],
            [
                [
                    str(o.line.line),
                    fmt.day(o.line.date),
                    fmt.money(o.line.amount),
                    o.line.label,
                    _status(o),
                ]
                for o in plan.outcomes
            ],
            right=(0, 2),
        )
    if dry_run:
        for planned in files:
            say(f"--- {planned.rel}")
            say(planned.text.rstrip("\n"))
    if summary["new"] == 0:
        say(
            _("Nothing new: the {count} line(s) are already in the ledger.").format(
                count=summary["lines"]
            )
        )
    else:
        say(
            _(
                "{lines} line(s): {new} new ({matched} matched, {categorized} by a rule, "
                "{review} to review), {already} already there."
            ).format(
                lines=summary["lines"],
                new=summary["new"],
                matched=summary["matched"],
                categorized=summary["categorized"],
                review=summary["to_review"],
                already=summary["already"],
            )
        )
    if letters:
        say(_("Lettered: {codes}.").format(codes=", ".join(letters)))
    if closing is not None:
        text = {
            "new": _("balance {amount} asserted on {day}."),
            "already": _("balance {amount} on {day} already asserted."),
            "skipped": _("balance {amount} on {day} not asserted (--no-balance)."),
            "closed": _("balance {amount} on {day} not asserted: that month is closed."),
            "incomplete": _(
                "balance {amount} on {day} not asserted: the statement ends today, more lines "
                "may come; import a statement of complete days to assert it."
            ),
        }.get(plan.balance_status)
        if text is not None:
            say(text.format(amount=fmt.money(closing.amount), day=fmt.day(closing.date)))
    if plan.count("review"):
        say(
            _(
                "{count} line(s) booked to the suspense account, flagged '!': list them with "
                "'alusage-ledger import suspense' and book each with 'alusage-ledger import "
                "assign', or add a rule."
            ).format(count=plan.count("review"))
        )
    if dry_run:
        say(_("Dry run: nothing was written."))
    elif files:
        say(_("Written: {files}.").format(files=", ".join(sorted({f.rel for f in files}))))
