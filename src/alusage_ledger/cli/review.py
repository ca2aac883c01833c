"""``review [BASE] [HEAD]``: the accounting meaning of a git change; ``hooks install``.

The library does the work (:mod:`alusage_ledger.integrations.review.git_sides` reads and loads both sides
safely, :mod:`alusage_ledger.integrations.review.findings` compares them); this module renders the result as
tables (Rich on a terminal, plain text when piped), Markdown for a pull-request comment
(``--format md``) or JSON (``--json``), and exits 1 when there is an error finding.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from alusage_ledger.cli import state
from alusage_ledger.cli.options import command_group
from alusage_ledger.core.fmt import money
from alusage_ledger.core.i18n import N_, _
from alusage_ledger.outputs.render.console import emit_json, say, table
from alusage_ledger.outputs.render.progress import working

if TYPE_CHECKING:
    from decimal import Decimal

    from alusage_ledger.integrations.review.results import EntityReview, Finding, Review
    from alusage_ledger.integrations.review.sides import Entry


class Format(StrEnum):
    table = "table"
    md = "md"


def register(app: typer.Typer) -> None:
    @app.command(
        "review",
        help=N_(
            "Show what a git change means in accounting terms: entries added, removed and "
            "modified, balance changes, opened accounts, and findings (closed months touched, "
            "plugins added, generated entries edited). BASE defaults to the merge-base with "
            "origin/HEAD, main or master; HEAD to the working tree. Nothing of the reviewed "
            "revisions is run. Exit 1 when there is an error finding."
        ),
    )
    def review(
        base: Annotated[
            str | None,
            typer.Argument(
                metavar="BASE",
                help=N_("The revision to compare with (default: the merge-base with main)."),
                show_default=False,
            ),
        ] = None,
        head: Annotated[
            str | None,
            typer.Argument(
                metavar="HEAD",
                help=N_("The revision reviewed (default: the working tree)."),
                show_default=False,
            ),
        ] = None,
        fmt: Annotated[
            Format,
            typer.Option(
                "--format",
                help=N_("table (on a terminal or piped) or md (Markdown, for a pull request)."),
            ),
        ] = Format.table,
    ) -> None:
        # lazy: the books (pydantic, Beancount) load only when the command runs
        from alusage_ledger.books.config import find_workspace

        # lazy: the integration loads only when the command runs
        from alusage_ledger.integrations.review.document import review_document

        # lazy: the integration loads only when the command runs
        from alusage_ledger.integrations.review.findings import compare

        # lazy: the integration loads only when the command runs
        from alusage_ledger.integrations.review.git_sides import read_sides

        # lazy: the integration loads only when the command runs
        from alusage_ledger.integrations.review.sides import Side

        st = state.current()
        root = find_workspace(st.workspace_path)
        with working(_("Loading both sides of the change…")):
            base_side, head_side, settings = read_sides(root, base, head)
        sides = [
            Side.from_data(
                data.tree.label,
                data.result,
                config_text=data.config_text,
                failure=data.failure,
                skipped=data.tree.skipped,
            )
            for data in (base_side, head_side)
        ]
        result = compare(sides[0], sides[1], amount_warning=settings.amount_warning)
        if st.json:
            emit_json(review_document(result))
        elif fmt is Format.md:
            sys.stdout.write(markdown(result))
        else:
            show_tables(result)
        if result.errors:
            raise typer.Exit(1)

    hooks = command_group(app, "hooks", N_("Git hooks of the workspace."))

    @hooks.command(
        "install",
        help=N_(
            "Install a git pre-commit hook that runs 'alusage-ledger check' and refuses the "
            "commit while a ledger has an error."
        ),
    )
    def install(
        force: Annotated[
            bool,
            typer.Option(
                "--force", help=N_("Replace an existing pre-commit hook (a backup is kept).")
            ),
        ] = False,
    ) -> None:
        # lazy: the books (pydantic, Beancount) load only when the command runs
        from alusage_ledger.books.config import find_workspace

        # lazy: the integration loads only when the command runs
        from alusage_ledger.integrations.review.git_sides import install_pre_commit

        root = find_workspace(state.current().workspace_path)
        report_hook(*install_pre_commit(root, force=force))


def report_hook(path: object, status: str) -> None:
    """What ``hooks install`` (and ``init --git-hooks``) did, in the user's language."""
    if state.current().json:
        emit_json({"hook": str(path), "status": status})
        return
    if status == "unchanged":
        say(_("The pre-commit hook is already installed: {path}").format(path=path))
    elif status == "replaced":
        say(
            _("Pre-commit hook replaced (the old one is kept as a backup): {path}").format(
                path=path
            )
        )
    else:
        say(_("Pre-commit hook installed: {path}").format(path=path))


# --------------------------------------------------------------------------- rendering


def _severity(name: str) -> str:
    return {"error": _("error"), "warning": _("warning"), "info": _("info")}.get(name, name)


def _amount(value: Decimal | None, currency: str) -> str:
    if value is None:
        return ""

    try:
        return money(value, currency)
    except Exception:  # a commodity Babel does not know
        return f"{value:f} {currency}"


def _signed(value: Decimal, currency: str) -> str:
    text = _amount(value, currency)
    return "+" + text if value > 0 else text


def _what(entry: Entry) -> str:
    if entry.kind == "transaction":
        parts = [entry.payee, entry.narration]
        text = " — ".join(p for p in parts if p)
        links = " ".join(f"^{link}" for link in entry.links)
        return f"{text} {links}".strip()
    return entry.summary().removeprefix(entry.date + " ")


def _field(name: str) -> str:
    """A changed field of an entry, named for a reader."""
    return {
        "date": _("date"),
        "flag": _("flag"),
        "payee": _("payee"),
        "narration": _("narration"),
        "tags": _("tags"),
        "links": _("links"),
        "meta": _("metadata"),
        "postings": _("postings"),
        "account": _("account"),
        "amount": _("amount"),
        "type": _("type"),
        "values": _("values"),
        "text": _("text"),
    }.get(name, name)


def _where(finding: Finding) -> str:
    return finding.location()


def entry_rows(result: Review, entity_index: int) -> list[list[str]]:
    """Rows ``change, date, entry, account, before, after`` of one entity's changes."""
    entity = result.changed[entity_index]
    rows: list[list[str]] = []
    for label, entries, side in (
        (_("added"), entity.added, "new"),
        (_("removed"), entity.removed, "old"),
    ):
        for entry in entries:
            rows.append([label, entry.date, _what(entry), "", "", ""])
            for posting in entry.postings:
                amount = _amount(posting.number, posting.currency or "")
                before, after = ("", amount) if side == "new" else (amount, "")
                rows.append(["", "", "", posting.account, before, after])
    for change in entity.modified:
        date = (
            change.new.date
            if change.old.date == change.new.date
            else (f"{change.old.date} → {change.new.date}")
        )
        what = _what(change.new)
        if _what(change.old) != what:
            what = f"{_what(change.old)} → {what}"
        fields = ", ".join(_field(name) for name in change.fields)
        rows.append([_("modified"), date, f"{what} ({fields})", "", "", ""])
        for amounts in change.postings:
            rows.append(
                [
                    "",
                    "",
                    "" if amounts.changed else "=",
                    amounts.account,
                    _amount(amounts.old, amounts.currency),
                    _amount(amounts.new, amounts.currency),
                ]
            )
    return rows


def balance_rows(entity: EntityReview) -> list[list[str]]:
    """Rows ``account, before, after, change`` of one entity's changed balances."""
    return [
        [
            b.account,
            _amount(b.old, b.currency),
            _amount(b.new, b.currency),
            _signed(b.delta, b.currency),
        ]
        for b in entity.balances
    ]


def _summary(result: Review) -> str:
    errors, warnings = len(result.errors), len(result.warnings)
    if not result.changed and not result.findings:
        return _("No accounting change and no finding between {base} and {head}.").format(
            base=result.base, head=result.head
        )
    return _("{errors} error(s), {warnings} warning(s).").format(errors=errors, warnings=warnings)


def show_tables(result: Review) -> None:
    say(_("Review of {head} against {base}").format(head=result.head, base=result.base))
    for index, entity in enumerate(result.changed):
        rows = entry_rows(result, index)
        if rows:
            table(
                _("{entity}: {added} added, {removed} removed, {modified} modified").format(
                    entity=entity.entity,
                    added=len(entity.added),
                    removed=len(entity.removed),
                    modified=len(entity.modified),
                ),
                [_("Change"), _("Date"), _("Entry"), _("Account"), _("Before"), _("After")],
                rows,
                right=(4, 5),
            )
        if entity.balances:
            table(
                _("{entity}: balances").format(entity=entity.entity),
                [_("Account"), _("Before"), _("After"), _("Change")],
                balance_rows(entity),
                right=(1, 2, 3),
            )
        if entity.opened:
            say(_("Accounts opened: {accounts}").format(accounts=", ".join(entity.opened)))
        if entity.closed:
            say(_("Accounts closed: {accounts}").format(accounts=", ".join(entity.closed)))
    if result.findings:
        table(
            _("Findings"),
            [_("Severity"), _("Entity"), _("Where"), _("Message")],
            [
                [_severity(f.severity), f.entity or "", _where(f), f.message]
                for f in result.findings
            ],
        )
    say(_summary(result))


def _md(text: str) -> str:
    """Text safe in a Markdown table cell of a pull-request comment."""
    return (
        text.replace("\\", "\\\\")
        .replace("|", "\\|")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("`", "\\`")
        .replace("\n", " ")
        .replace("\r", " ")
    )


def _md_table(columns: list[str], rows: list[list[str]], right: tuple[int, ...] = ()) -> list[str]:
    lines = ["| " + " | ".join(_md(c) for c in columns) + " |"]
    lines.append("|" + "|".join("---:" if i in right else "---" for i in range(len(columns))) + "|")
    lines += ["| " + " | ".join(_md(c) for c in row) + " |" for row in rows]
    return lines


def markdown(result: Review) -> str:
    """The review as Markdown, for a pull-request comment."""
    out = [
        "## "
        + _("Ledger review: {head} against {base}").format(
            head=_md(result.head), base=_md(result.base)
        ),
        "",
        "**" + _summary(result) + "**",
        "",
    ]
    if result.findings:
        out += ["### " + _("Findings"), ""]
        out += _md_table(
            [_("Severity"), _("Entity"), _("Where"), _("Message")],
            [
                [_severity(f.severity), f.entity or "", _where(f), f.message]
                for f in result.findings
            ],
        )
        out.append("")
    for index, entity in enumerate(result.changed):
        out += ["### " + _md(entity.entity), ""]
        rows = entry_rows(result, index)
        if rows:
            out += [
                _("{added} added, {removed} removed, {modified} modified").format(
                    added=len(entity.added),
                    removed=len(entity.removed),
                    modified=len(entity.modified),
                ),
                "",
            ]
            out += _md_table(
                [_("Change"), _("Date"), _("Entry"), _("Account"), _("Before"), _("After")],
                rows,
                right=(4, 5),
            )
            out.append("")
        if entity.balances:
            out += ["#### " + _("Balances"), ""]
            out += _md_table(
                [_("Account"), _("Before"), _("After"), _("Change")],
                balance_rows(entity),
                right=(1, 2, 3),
            )
            out.append("")
        if entity.opened:
            out += [
                _("Accounts opened: {accounts}").format(accounts=_md(", ".join(entity.opened))),
                "",
            ]
        if entity.closed:
            out += [
                _("Accounts closed: {accounts}").format(accounts=_md(", ".join(entity.closed))),
                "",
            ]
    return "\n".join(out).rstrip("\n") + "\n"
