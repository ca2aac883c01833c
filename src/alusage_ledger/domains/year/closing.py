"""``year close`` (:func:`close_exercice`): the closing entries, the result, the à-nouveaux.

Closing December is not closing the exercice. The year-end work (accruals, depreciation,
provisions, corporate tax) is dated the exercice's last day but done in the following
weeks (:mod:`alusage_ledger.domains.year.inventory`); then ``year close`` needs every
month of the exercice closed and writes, in one operation:

* ``<YYYY>/exercice.close.beancount``: the closing of the income and expense accounts into
  the result (120 profit, 129 loss) and the closing of every balance-sheet account (both
  dated the last day, tagged ``#cloture``, ``journal: "CL"``: the FEC leaves them out),
  then the exercice lock ``custom "alusage-close-exercice" "<YYYY>" "<digest>"`` with
  ``closed-on`` (the FEC's ``ValidDate`` of the inventory entries) and ``lock-hash``;
* ``<YYYY+1>/exercice.open.beancount``: the à-nouveaux, the balance sheet at the last day
  (result awaiting allocation included) as one entry dated the next exercice's first day,
  tagged ``#ouverture``, ``journal: "AN"``: the next exercice's books and FEC start from it;
  a third-party account's balance is carried as one line per open item
  (:mod:`alusage_ledger.domains.year.carry`); the accruals tagged ``#extourne`` not yet
  reversed are reversed there on the same day (:mod:`alusage_ledger.domains.year.reversal`).

The closing and the à-nouveaux cancel out: every balance is the same after the next
exercice's first day as before the close, except that the income and expense accounts
start again from zero and the result sits on 120/129. The digest is
``canonical.chain_digest`` of the last month's close digest and of everything the close
wrote plus the inventory entries (:func:`covered_entries`); ``check`` recomputes it
(:func:`alusage_ledger.domains.year.checks.exercice_locks`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from beancount.core import data
from beancount.parser.grammar import ValueType

from alusage_ledger.books.accounts import account_info
from alusage_ledger.books.canonical import chain_digest
from alusage_ledger.books.checks import problem_at, run_checks
from alusage_ledger.books.entries import ledger_text, new_meta, stamp
from alusage_ledger.books.exercice import (
    CLOSED_ON_KEY,
    CLOSING_JOURNAL,
    CLOSING_TAG,
    EXERCICE_CLOSE_TYPE,
    LOCK_HASH_KEY,
    OPENING_JOURNAL,
    OPENING_TAG,
    YEAR_CLOSE_GEN_PREFIX,
    close_file_rel,
    closed_exercices,
    gen_id,
    is_transaction,
    open_file_rel,
)
from alusage_ledger.books.locks import (
    EXERCICE_END_TAGS,
    close_records,
    lock_hash,
    start_month,
)
from alusage_ledger.books.writer import Append
from alusage_ledger.core.errors import LedgerErrors, RefusedError, UsageError
from alusage_ledger.core.i18n import N_, _
from alusage_ledger.core.periods import Exercice, Month, resolve_today
from alusage_ledger.domains.year.accounts import result_accounts
from alusage_ledger.domains.year.balances import CURRENCY, ZERO, balances, posting, transaction
from alusage_ledger.domains.year.carry import carried_lines
from alusage_ledger.domains.year.exercices import kept_books
from alusage_ledger.domains.year.reversal import year_close_reversals

if TYPE_CHECKING:
    from alusage_ledger.books.ledger import Workspace
    from alusage_ledger.books.roles import Role


@dataclass
class CloseExerciceResult:
    entity: str
    exercice: int
    start: date
    end: date
    result: Decimal = ZERO
    digest: str = ""
    closed_on: date | None = None
    accounts: int = 0
    already_closed: bool = False
    dry_run: bool = False
    files: list[str] = field(default_factory=list)
    planned: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "entity": self.entity,
            "exercice": self.exercice,
            "start": self.start,
            "end": self.end,
            "result": self.result,
            "digest": self.digest,
            "closed_on": self.closed_on,
            "balance_sheet_accounts": self.accounts,
            "already_closed": self.already_closed,
            "dry_run": self.dry_run,
            "files": self.files,
            "planned": self.planned if self.dry_run else {},
        }


def covered_entries(parsed: Iterable[Any], year: int, end: date) -> list[Any]:
    """What the exercice lock of ``year`` covers: what ``year close`` wrote (but the lock
    itself) and the inventory and closing entries dated the exercice's last day."""
    prefix = f"{YEAR_CLOSE_GEN_PREFIX}{year:04d}/"
    out = []
    for entry in parsed:
        if type(entry).__name__ == "Custom" and entry.type == EXERCICE_CLOSE_TYPE:
            continue
        if gen_id(entry).startswith(prefix) or (
            getattr(entry, "date", None) == end
            and is_transaction(entry)
            and EXERCICE_END_TAGS & set(entry.tags or ())
        ):
            out.append(entry)
    return out


def close_exercice(
    ws: Workspace,
    entity: str,
    year: int,
    *,
    dry_run: bool = False,
    today: date | str | None = None,
) -> CloseExerciceResult:
    """Close exercice ``year`` of ``entity`` (see the module docstring); idempotent."""
    config = kept_books(ws.config, entity)
    day = resolve_today(today)
    exercice = Exercice.ending_in(year, config.exercice_start)
    start, end = exercice.first_day, exercice.last_day
    result = CloseExerciceResult(entity, year, start, end, dry_run=dry_run)
    next_start = end + timedelta(days=1)
    prefix = f"{YEAR_CLOSE_GEN_PREFIX}{year:04d}/"
    with ws.lock():
        ledger = ws.load_checked(entity)
        parsed = ledger.parsed_entries()
        books = start_month(config, parsed)
        if books is None or exercice.last_month < books:
            raise UsageError(
                _("The exercice {year} ends before the books of {entity} start.").format(
                    year=year, entity=entity
                )
            )
        if day <= end:
            raise UsageError(
                _(
                    "The exercice {year} is not over yet (it ends on {end}); it can be closed "
                    "from {day}."
                ).format(year=year, end=end.isoformat(), day=next_start.isoformat())
            )
        records, _dups = close_records(parsed)
        months = [
            str(month)
            for month in max(exercice.first_month, books).until(exercice.last_month)
            if month not in records
        ]
        if months:
            raise RefusedError(
                _(
                    "The exercice {year} of {entity} has months that are not closed: {months}; "
                    "close them first ('alusage-ledger close MONTH')."
                ).format(year=year, entity=entity, months=", ".join(months))
            )
        closed = closed_exercices(parsed)
        previous_end = start - timedelta(days=1)
        if books <= Month.of(previous_end) and previous_end.year not in closed:
            raise RefusedError(
                _(
                    "The previous exercice ({previous}) of {entity} is not closed; close it "
                    "first ('alusage-ledger year close --entity {entity} --exercice "
                    "{previous}')."
                ).format(previous=previous_end.year, entity=entity)
            )
        errors = [p for p in run_checks(ws, [entity]) if p.severity == "error"]
        if errors:
            raise LedgerErrors(
                _(
                    "The ledger of {entity} has {count} error(s); run 'alusage-ledger check' "
                    "and fix them before closing the exercice; nothing was written."
                ).format(entity=entity, count=len(errors)),
                errors,
            )
        flagged = [
            e
            for e in ledger.entries
            if is_transaction(e) and e.flag == "!" and start <= e.date <= end
        ]
        if flagged:
            raise LedgerErrors(
                _(
                    "The exercice {year} has {count} transaction(s) flagged '!'; confirm or "
                    "correct them before closing it."
                ).format(year=year, count=len(flagged)),
                [problem_at(ws, entity, e, _("this transaction is flagged '!'.")) for e in flagged],
            )

        def own(entry: Any) -> bool:
            return gen_id(entry).startswith(prefix)

        for entry in ledger.entries:
            if is_transaction(entry) and entry.date <= end and not own(entry):
                for p in entry.postings:
                    if p.units is not None and (p.units.currency != CURRENCY or p.cost):
                        raise UsageError(
                            _(
                                "{account} holds {units}: the exercice close handles euro "
                                "amounts only."
                            ).format(account=p.account, units=p.units)
                        )
        roots = ledger.roots()
        income_roots = (roots[3], roots[4])
        sheet_roots = roots[:3]
        balance = balances(ledger.entries, until=end, skip=own)
        info = account_info(ledger.entries)

        def order(account: str) -> tuple[str, str]:
            return (info.get(account, ("", ""))[0] or "~", account)

        profit, loss = result_accounts(ws.config, ledger)
        opens: list[Any] = []
        opened = ledger.open_accounts()

        def need(role: Role) -> str:
            info.setdefault(role.account, (role.pcg, role.label))
            if role.account not in opened and all(o.account != role.account for o in opens):
                meta = new_meta(pcg=role.pcg, label=role.label)
                opens.append(
                    stamp(
                        data.Open(meta, end, role.account, [CURRENCY], None),
                        f"{prefix}open/{role.account}",
                    )
                )
            return role.account

        close_entries: list[Any] = []
        flows = sorted(
            (a for a, v in balance.items() if v and a.split(":")[0] in income_roots), key=order
        )
        result_number = -sum((balance[a] for a in flows), ZERO)
        result.result = result_number
        text = ledger_text
        if flows:
            target = need(profit if result_number >= 0 else loss)
            postings = [posting(a, -balance[a]) for a in flows]
            if result_number:
                postings.append(posting(target, -result_number))
                balance[target] = balance.get(target, ZERO) - result_number
            for account in flows:
                balance[account] = ZERO
            close_entries.append(
                stamp(
                    transaction(
                        end,
                        None,
                        text(ws.config, N_("Result of the exercice {year}")).format(year=year),
                        postings,
                        meta=new_meta(journal=CLOSING_JOURNAL, exercice=str(year)),
                        tags=(CLOSING_TAG,),
                    ),
                    f"{prefix}result",
                )
            )
        sheet = sorted(
            (a for a, v in balance.items() if v and a.split(":")[0] in sheet_roots), key=order
        )
        result.accounts = len(sheet)
        if sum((balance[a] for a in sheet), ZERO) != 0:  # pragma: no cover - books balance
            raise LedgerErrors(
                _("The balance sheet of {entity} does not balance.").format(entity=entity)
            )
        opening: list[Any] = []
        carried = carried_lines(ws.config, ledger, balance, end)
        if sheet:
            close_entries.append(
                stamp(
                    transaction(
                        end,
                        None,
                        text(
                            ws.config, N_("Closing of the balance-sheet accounts of {year}")
                        ).format(year=year),
                        [posting(a, -balance[a]) for a in sheet],
                        meta=new_meta(journal=CLOSING_JOURNAL, exercice=str(year)),
                        tags=(CLOSING_TAG,),
                    ),
                    f"{prefix}balance-sheet",
                )
            )
            opening.append(
                stamp(
                    transaction(
                        next_start,
                        None,
                        text(ws.config, N_("Balances brought forward at {day}")).format(
                            day=next_start.isoformat()
                        ),
                        [line for a in sheet for line in carried.get(a, [posting(a, balance[a])])],
                        meta=new_meta(journal=OPENING_JOURNAL, exercice=str(next_start.year)),
                        tags=(OPENING_TAG,),
                    ),
                    f"{prefix}opening",
                )
            )
        # The accruals (#extourne) that the first month close of the next exercice has not
        # reversed yet are reversed on its first day, with the à-nouveaux.
        opening.extend(year_close_reversals(ws.config, ledger, exercice))
        # Balance assertions dated the next exercice's first day are checked before its
        # à-nouveaux, after the closing: they would fail.
        gap = [
            e
            for e in ledger.entries
            if type(e).__name__ == "Balance"
            and e.date == next_start
            and balance.get(e.account, ZERO) != 0
        ]
        if gap:
            raise RefusedError(
                _(
                    "The balance assertion on {account} dated {day} would be checked between "
                    "the closing and the à-nouveaux; date it {later} instead, then close the "
                    "exercice."
                ).format(
                    account=gap[0].account,
                    day=next_start.isoformat(),
                    later=(next_start + timedelta(days=1)).isoformat(),
                )
            )
        previous_digest = records[exercice.last_month].digest
        others = [e for e in covered_entries(parsed, year, end) if not own(e)]
        digest = chain_digest(previous_digest, [*others, *opens, *close_entries, *opening])
        existing = closed.get(year)
        if existing is not None:
            result.digest = str(existing.values[1].value) if len(existing.values) > 1 else ""
            stored_on = (existing.meta or {}).get(CLOSED_ON_KEY)
            result.closed_on = stored_on if isinstance(stored_on, date) else None
        else:
            result.digest = digest
            result.closed_on = day
        lock_meta = new_meta(closed_on=day)
        lock_meta["gen-id"] = f"{prefix}lock"
        lock = data.Custom(
            lock_meta,
            next_start,
            EXERCICE_CLOSE_TYPE,
            [ValueType(f"{year:04d}", str), ValueType(digest, str)],
        )
        file_entries = [*opens, *close_entries, lock]
        lock_meta[LOCK_HASH_KEY] = lock_hash(file_entries)
        appends = [Append(entity, tuple(file_entries), file=close_file_rel(year))]
        if opening:
            appends.append(Append(entity, tuple(opening), file=open_file_rel(next_start.year)))
        planned = ws.write(appends, allow_closed=True, dry_run=dry_run, skip_present="gen-id")
        written = [p for p in planned if p.entries]
        if not written and existing is not None:
            result.already_closed = True
        result.files = [p.rel for p in written]
        result.planned = {p.rel: p.text for p in written}
    return result
