"""Bank statement import: a French bank's CSV export becomes idempotent ledger entries.

Why this module exists: most of a volunteer accountant's typing is bank lines. A statement
is read by a *profile* (a bank's layout: encoding, columns, date format, decimal mark),
each line gets a stable ``bank-ref``, lines already in the ledger are skipped, and each new
line is booked, in this order of preference:

1. **matched**: a receipt equal to what is left on an open invoice whose label names the
   client or the invoice number becomes that invoice's receipt (:mod:`sales`, VAT pending
   → collected); a payment equal to what is left on an open bill whose label names the
   supplier or its number becomes the bill's payment (:mod:`purchases`); a receipt naming a
   member of a place hosted by the entity becomes the member's payment (:mod:`shares`);
   matched invoices and bills are lettered (:mod:`lettering`);
2. **categorised** by the first rule of the rules file that fits (:mod:`~alusage_ledger.integrations.bank.rules`);
3. **to review**: the suspense account (role ``suspense``, PCG 471), flagged ``!``::

       2026-11-28 ! "FRAIS TENUE DE COMPTE"
         bank-ref: "sha256:3f0c9d5e2a7b41c08e6d9a1f"
         Actif:Banque:Courant     -12.50 EUR
         Actif:Attente             12.50 EUR

``bank-ref`` is the bank's own reference when the file has one, else a SHA-256 of the
account, the date, the amount, the label and the line's rank among identical lines of that
day: importing the same or an overlapping statement again adds nothing, while two genuine
identical purchases on one day are both kept. An entry already booked by hand on the bank
account (same amount, within ``[bank] reconcile_days`` days, no ``bank-ref``) counts as
already there. A closing balance given by the file becomes an exact balance assertion
(``~ 0.00``) dated the day after.

This module plans and writes the import (:func:`plan_import`, :func:`import_bank`); it
uses :mod:`.statement` (reading the file), :mod:`.refs` (``bank-ref``), :mod:`.matching`
(invoices, bills, members), :mod:`.rules` and :mod:`.entries` (the entries written).
Everything is pure (entries in, entries out) except :func:`plan_import`, which asks
:func:`shares.pay_member` for a dry run of a member's payment.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from beancount.core import data
from beancount.core.amount import Amount

from alusage_ledger.books.accounts import Opener
from alusage_ledger.books.config import Config
from alusage_ledger.books.ledger import Workspace
from alusage_ledger.books.loader import LoadedLedger
from alusage_ledger.books.roles import DEFAULT_ROLES, role_account
from alusage_ledger.books.sanity import ceiling_problem, future_problem
from alusage_ledger.books.writer import Append, closed_months
from alusage_ledger.core.errors import RefusedError, UsageError
from alusage_ledger.core.i18n import _
from alusage_ledger.core.money import ZERO
from alusage_ledger.core.periods import Month, resolve_today
from alusage_ledger.core.suggest import did_you_mean
from alusage_ledger.domains.lettering import settlement_letters
from alusage_ledger.integrations.bank.default_rules import default_rules, shipped_account
from alusage_ledger.integrations.bank.entries import CURRENCY, line_entry, units_on
from alusage_ledger.integrations.bank.matching import Matcher

# Importing refs also registers its check rule, bank_refs_unique (books.checks.RULE_MODULES
# names this module).
from alusage_ledger.integrations.bank.refs import bank_refs, hand_entries, present_refs
from alusage_ledger.integrations.bank.rules import RuleSet
from alusage_ledger.integrations.bank.statement import BankLine, Statement, fail, load_statement

# --------------------------------------------------------------------------- planning


@dataclass
class Outcome:
    """What the import does with one line."""

    line: BankLine
    ref: str
    status: str  # already | matched | rule | review
    detail: str = ""
    entries: list[Any] = field(default_factory=list)


@dataclass
class ImportPlan:
    entity: str
    account: str
    statement: Statement
    outcomes: list[Outcome]
    appends: list[Append]
    letters: list[Any]
    balance: Any | None  # the new data.Balance, if any
    balance_status: str  # new | already | none | skipped | closed | incomplete
    notes: list[str] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def new(self) -> int:
        return sum(1 for o in self.outcomes if o.status != "already")


def check_account(config: Config, ledger: LoadedLedger, text: str | None) -> str:
    """``--account``: a role (``bank``) or an open asset account with no sub-account."""
    value = (text or "bank").strip()
    account = (
        role_account(config, ledger.entity, value).account if value in DEFAULT_ROLES else value
    )
    opened = ledger.open_accounts()
    if account not in opened:
        raise UsageError(
            _("The account {account!r} is not open in the ledger of {entity}{hint}.").format(
                account=account, entity=ledger.entity, hint=did_you_mean(account, opened)
            )
        )
    if account.split(":")[0] != ledger.roots()[0]:
        raise UsageError(
            _("The bank account {account} must be an asset account ({root}:...).").format(
                account=account, root=ledger.roots()[0]
            )
        )
    if any(other.startswith(account + ":") for other in opened):
        raise UsageError(
            _(
                "The account {account} has sub-accounts; import into one of them (a balance "
                "assertion is written on a leaf account)."
            ).format(account=account)
        )
    return account


def plan_import(
    ws: Workspace,
    ledger: LoadedLedger,
    statement: Statement,
    account: str,
    rules: RuleSet | None = None,
    *,
    with_balance: bool = True,
    today: date | None = None,
    progress: Callable[[int, int], None] | None = None,
    shipped: RuleSet | None = None,
) -> ImportPlan:
    """What importing ``statement`` into ``account`` of ``ledger`` writes (nothing is written).

    Raises :class:`RefusedError` (exit 4) when new lines fall in a closed month, naming
    each line, and :class:`StatementError` (exit 1) when the file's closing balance
    disagrees with the ledger after the import.
    """
    config = ws.config
    entity = ledger.entity
    lines = sorted(statement.lines, key=lambda line: (line.date, line.line))
    refs = dict(zip((line.line for line in statement.lines), bank_refs(statement.lines, account)))
    present = present_refs(ledger.entries, account)
    window = timedelta(days=config.bank.reconcile_days)
    by_amount: dict[Decimal, list[tuple[int, date]]] = {}
    for n, (day, amount, _entry) in enumerate(hand_entries(ledger.entries, account)):
        by_amount.setdefault(amount, []).append((n, day))
    claimed: set[int] = set()
    outcomes: list[Outcome] = []
    fresh: list[Outcome] = []
    for line in lines:
        ref = refs[line.line]
        if ref in present:
            outcomes.append(Outcome(line, ref, "already", _("bank-ref")))
            continue
        # Booked by hand (or by 'invoice pay', or as the mirror of a member's payment)
        # without a bank-ref: the nearest such entry of the same amount is this line.
        candidates = [
            (abs((day - line.date).days), day, n)
            for n, day in by_amount.get(line.amount, ())
            if n not in claimed and abs(day - line.date) <= window
        ]
        if candidates:
            _gap, day, n = min(candidates)
            claimed.add(n)
            outcomes.append(
                Outcome(line, ref, "already", _("booked on {day}").format(day=day.isoformat()))
            )
            continue
        outcome = Outcome(line, ref, "review")
        outcomes.append(outcome)
        fresh.append(outcome)

    closed = closed_months(ledger.entries)
    refused = [o for o in fresh if Month.of(o.line.date) in closed]
    if refused:
        where = ", ".join(
            f"{statement.source}:{o.line.line} ({o.line.date.isoformat()})" for o in refused
        )
        raise RefusedError(
            _(
                "{count} new line(s) fall in a closed month of {entity}: {where}; nothing was "
                "written. Reopen the month ('alusage-ledger reopen') or book them by hand at "
                "an open date."
            ).format(count=len(refused), entity=entity, where=where)
        )

    new_entries: list[Any] = []
    today = today or resolve_today()
    matcher = Matcher(ws, ledger, account, today) if fresh else None
    opener = Opener(config, ledger, fresh[0].line.date) if fresh else None
    # By rule number (negative: a shipped rule, default_rules.py); 0: the suspense account.
    counter_accounts: dict[int, str | None] = {}
    for number, outcome in enumerate(fresh, start=1):
        assert matcher is not None and opener is not None
        line = outcome.line
        matched = matcher.match(line, outcome.ref)
        if matched is not None:
            outcome.status, outcome.detail = "matched", matched[1]
            outcome.entries = matched[0]
        else:
            rule = rules.first_match(line.label, line.amount) if rules is not None else None
            key = rule.number if rule is not None else 0
            if rule is None and shipped is not None:
                rule = shipped.first_match(line.label, line.amount)
                if rule is not None:
                    key = -rule.number
                    if key not in counter_accounts:
                        counter_accounts[key] = shipped_account(rule, ledger, opener)
                    if counter_accounts[key] is None:  # another chart: left for review
                        rule, key = None, 0
            if key not in counter_accounts:
                if rule is not None:
                    assert rules is not None
                    counter_accounts[key] = rules.need_account(rule, ledger, opener)
                else:
                    role = role_account(config, entity, "suspense")
                    counter_accounts[key] = opener.need(role.account, role.pcg, role.label)
            if rule is not None:
                outcome.status = "rule"
                outcome.detail = (
                    rule.describe()
                    if key > 0
                    else _("shipped rule ({narration})").format(narration=rule.narration)
                )
            counter = counter_accounts[key]
            assert counter is not None
            outcome.entries = [line_entry(line, outcome.ref, account, rule, counter)]
        new_entries.extend(outcome.entries)
        if progress is not None:
            progress(number, len(fresh))

    transactions = [e for e in new_entries if isinstance(e, data.Transaction)]
    letters: list[Any] = []
    if matcher is not None and matcher.touched:
        letters = settlement_letters(ledger.entries, new_entries, matcher.touched)

    balance, balance_status = _balance(
        statement,
        ledger,
        account,
        transactions,
        closed,
        with_balance=with_balance,
        today=today,
    )
    opens = sorted(
        [
            *(opener.opens if opener is not None else []),
            *(matcher.opens if matcher is not None else []),
        ],
        key=lambda o: (o.date, o.account),
    )
    already_open = ledger.open_accounts()
    unique_opens: dict[str, Any] = {}
    for entry in opens:
        if entry.account not in already_open:
            unique_opens.setdefault(entry.account, entry)
    appends: list[Append] = []
    if unique_opens:
        accounts_file = Path(os.path.realpath(ledger.folder() / "accounts.beancount"))
        target = "accounts.beancount" if accounts_file in ledger.files else None
        appends.append(Append(entity, tuple(unique_opens.values()), target))
    body = [*new_entries, *letters]
    if balance is not None:
        body.append(balance)
    if body:
        appends.append(Append(entity, tuple(body)))
    if matcher is not None:
        appends.extend(matcher.extra)
    return ImportPlan(
        entity,
        account,
        statement,
        sorted(outcomes, key=lambda o: o.line.line),
        appends,
        letters,
        balance,
        balance_status,
    )


def _balance(
    statement: Statement,
    ledger: LoadedLedger,
    account: str,
    new: Sequence[Any],
    closed: set[Month],
    *,
    with_balance: bool,
    today: date,
) -> tuple[Any | None, str]:
    closing = statement.closing
    if closing is None:
        return None, "none"
    if not with_balance:
        return None, "skipped"
    if closing.date > today:
        # The balance was taken today (or is value-dated later): more lines may come that
        # day, and an assertion on the next morning would then be wrong.
        return None, "incomplete"
    existing = [
        e
        for e in ledger.entries
        if isinstance(e, data.Balance)
        and e.account == account
        and e.date == closing.date
        and e.amount.currency == CURRENCY
    ]
    if existing:
        if all(e.amount.number == closing.amount for e in existing):
            return None, "already"
        fail(
            statement.source,
            closing.line,
            _(
                "the ledger already asserts a balance of {ledger} on {account} on {day}, "
                "the statement says {amount}; nothing was written."
            ).format(
                ledger=f"{existing[0].amount.number:.2f}",
                account=account,
                day=closing.date.isoformat(),
                amount=f"{closing.amount:.2f}",
            ),
        )
    if Month.of(closing.date) in closed:
        return None, "closed"
    total = sum(
        (
            units_on(e, account)
            for e in [*ledger.entries, *new]
            if isinstance(e, data.Transaction) and e.date < closing.date
        ),
        ZERO,
    )
    if total != closing.amount:
        fail(
            statement.source,
            closing.line,
            _(
                "the statement's closing balance {amount} (asserted on {day}) does not match "
                "{account}, which would hold {ledger} after this import ({diff} missing); "
                "nothing was written: book the missing operations, or import with "
                "--no-balance."
            ).format(
                amount=f"{closing.amount:.2f}",
                day=closing.date.isoformat(),
                account=account,
                ledger=f"{total:.2f}",
                diff=f"{closing.amount - total:.2f}",
            ),
        )
    meta = data.new_metadata("<alusage>", 0)
    return (
        data.Balance(
            meta, closing.date, account, Amount(closing.amount, CURRENCY), Decimal("0.00"), None
        ),
        "new",
    )


def import_bank(
    ws: Workspace,
    entity: str,
    raw: bytes,
    shown: str,
    *,
    account: str | None = None,
    profile: str = "auto",
    rules: RuleSet | None = None,
    with_balance: bool = True,
    allow_future: bool = False,
    dry_run: bool = False,
    today: date | None = None,
    progress: Callable[[int, int], None] | None = None,
    with_shipped_rules: bool = True,
) -> tuple[ImportPlan, list[Any]]:
    """Read, plan and write (under the workspace lock); returns the plan and the files.

    A line dated after ``today`` (unless ``allow_future``) or above the entity's ceiling
    refuses the whole file with its line (books/sanity.py).
    """
    statement = load_statement(raw, shown, profile, rules)
    ceiling = ws.config.entity(entity).max_amount
    for line in statement.lines:
        problem = ceiling_problem(line.amount, ceiling, entity)
        late = None if allow_future else future_problem(line.date, today)
        if problem is None and late is not None:
            problem = _("the date {problem}").format(problem=late)
        if problem is not None:
            fail(statement.source, line.line, problem)
    with ws.lock():
        ledger = ws.load_checked(entity)
        bank = check_account(ws.config, ledger, account)
        plan = plan_import(
            ws,
            ledger,
            statement,
            bank,
            rules,
            with_balance=with_balance,
            today=today,
            progress=progress,
            shipped=default_rules(statement.profile) if with_shipped_rules else None,
        )
        files = ws.write(plan.appends, dry_run=dry_run) if plan.appends else []
    return plan, files
