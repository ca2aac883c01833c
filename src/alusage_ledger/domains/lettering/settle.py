"""Letters written by the commands that settle: a payment, a reimbursement, a bank match,
a member's payment, a reversal (:func:`settlement_letters`), and ``letter --undo``
(:func:`undo_letter`).

A command that settles a document appends, in the same write as its entry, the letter
of the group of entries it completes, dated the settlement's day::

    2026-11-20 custom "alusage-letter" Actif:Clients:CoopDesTilleuls "aa" "F2026-0042"
    2026-12-18 custom "alusage-letter" Actif:Clients:CoopDesTilleuls "AA" "F2026-0042"

The group is what shares a link with the new entry on the third-party account. While it
does not sum to zero, the letter is *partial*: a lower-case code (the French convention
of partial lettering), which claims nothing (the items stay open, ``aged`` shows what is
left) but marks them in the FEC. A later settlement of the same group writes the partial
letter again with its new day; the one that completes the group writes the final letter,
the same code in capitals.

``letter --undo CODE`` never removes a directive: it appends
``custom "alusage-unletter" ACCOUNT "CODE"`` in an open month, from which day the letter
no longer letters anything (a closed exercice's FEC, read as of its last day, keeps it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from beancount.core import account as account_lib
from beancount.core import data
from beancount.parser.grammar import ValueType

from alusage_ledger.books.writer import Append
from alusage_ledger.core.errors import UsageError
from alusage_ledger.core.i18n import _
from alusage_ledger.core.money import ZERO
from alusage_ledger.domains.lettering.letters import (
    UNLETTER_TYPE,
    Item,
    Letter,
    code_for,
    letter_directive,
    link_groups,
    planner_for,
    read_letters,
    read_undos,
    segment_of,
    third_party_accounts,
)

if TYPE_CHECKING:
    from alusage_ledger.books.config import Config
    from alusage_ledger.books.ledger import Workspace
    from alusage_ledger.books.loader import LoadedLedger


def _partial_of(
    group: Sequence[Item], partials: Sequence[Letter], starts: Sequence[date]
) -> Letter | None:
    """The latest partial letter naming an item of ``group`` in the group's segment."""
    refs = {link for item in group for link in item.links}
    segment = segment_of(max(i.date for i in group), starts)
    found = [
        lt for lt in partials if set(lt.refs) & refs and segment_of(lt.date, starts) == segment
    ]
    return found[-1] if found else None


def settlement_letters(
    entries: Iterable[Any], new_entries: Sequence[Any], accounts: Iterable[str]
) -> list[Any]:
    """The letters (final or partial) that ``new_entries`` complete on ``accounts``.

    ``entries`` is the ledger as loaded, ``new_entries`` what the command is about to
    write: only the groups of linked items that hold a new entry are lettered.
    """
    view = sorted([*entries, *new_entries], key=data.entry_sortkey)
    new_ids = {id(e) for e in new_entries}
    out: list[Any] = []
    for account in sorted(set(accounts)):
        planner, open_now = planner_for(view, account)
        partials = [lt for lt in read_letters(view, partial=True)[0] if lt.account == account]
        for group in link_groups(open_now):
            if not any(id(i.entry) in new_ids for i in group):
                continue
            if not any(i.amount > 0 for i in group) or not any(i.amount < 0 for i in group):
                continue
            previous = _partial_of(group, partials, planner.starts)
            if sum((i.amount for i in group), ZERO) == 0:
                code = previous.code.upper() if previous is not None else None
                planner.propose(group, open_now, code)
                continue
            if previous is not None:
                code = previous.code
            else:
                code = code_for(planner.next_index).lower()
                planner.next_index += 1
            refs = planner.refs_for(group, open_now)
            out.append(letter_directive(planner.day_for(group), account, code, refs))
        out.extend(planner.new)
    return sorted(out, key=lambda e: (e.date, str(e.values[0].value), e.values[1].value))


def ledger_settlement_letters(
    config: Config, ledger: LoadedLedger, new_entries: Sequence[Any]
) -> list[Any]:
    """:func:`settlement_letters` on every third-party account the new entries touch."""
    parties = set(third_party_accounts(config, ledger))
    touched = {
        p.account
        for e in new_entries
        if isinstance(e, data.Transaction)
        for p in e.postings
        if p.account in parties
    }
    if not touched:
        return []
    return settlement_letters(ledger.entries, new_entries, touched)


def undo_letter(
    ledger: LoadedLedger,
    code: str,
    day: date,
    account: str | None = None,
) -> Any:
    """The ``alusage-unletter`` directive undoing letter ``code`` (final or partial)."""
    wanted = code.strip()
    entries = list(ledger.entries)
    undone = read_undos(entries)
    found = sorted(
        {
            lt.account
            for partial in (False, True)
            for lt in read_letters(entries, partial=partial)[0]
            if lt.code == wanted and (account is None or lt.account == account)
        }
    )
    if not found:
        gone = [key for key in undone if key[1] == wanted]
        if gone:
            raise UsageError(
                _("The letter {code} on {account} is already undone.").format(
                    code=wanted, account=gone[0][0]
                )
            )
        raise UsageError(
            _("No letter {code} in the books of {entity}{where}.").format(
                code=wanted,
                entity=ledger.entity,
                where=_(" on {account}").format(account=account) if account else "",
            )
        )
    if len(found) > 1:
        raise UsageError(
            _(
                "The letter {code} is used on {count} accounts ({accounts}); choose one with "
                "--account."
            ).format(code=wanted, count=len(found), accounts=", ".join(found))
        )
    values = [ValueType(found[0], account_lib.TYPE), ValueType(wanted, str)]
    return data.Custom(data.new_metadata("<alusage>", 0), day, UNLETTER_TYPE, values)


def write_undo(ws: Workspace, entity: str, directive: Any, *, dry_run: bool) -> Any:
    return ws.write([Append(entity, (directive,))], dry_run=dry_run)
