"""Lettering by hand and by command: the entries a reference names (:func:`resolve_refs`),
``letter --manual`` (:func:`manual_letter`), ``letter`` over entities
(:func:`letter_entities`), and the writing of letter directives."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from beancount.core import data

from alusage_ledger.books.writer import Append
from alusage_ledger.core.errors import UsageError
from alusage_ledger.core.i18n import _
from alusage_ledger.core.money import ZERO
from alusage_ledger.domains.lettering.letters import (
    REFERENCE_KEYS,
    entry_id,
    letter_ledger,
    planner_for,
    third_party_accounts,
)

if TYPE_CHECKING:
    from alusage_ledger.books.config import Config
    from alusage_ledger.books.ledger import Workspace
    from alusage_ledger.books.loader import LoadedLedger


def resolve_refs(ledger: LoadedLedger, tokens: Sequence[str]) -> list[Any]:
    """Entries named by a link, an entry id, or a document number (invoice, piece-ref)."""
    txns = [e for e in ledger.entries if isinstance(e, data.Transaction)]
    found: list[Any] = []
    for token in tokens:
        wanted = token.strip().lstrip("^")
        hits = [e for e in txns if wanted in (e.links or ())]
        if not hits and wanted.startswith("id-"):
            hits = [e for e in txns if entry_id(e) == wanted]
        if not hits:
            hits = [
                e for e in txns if any(str((e.meta or {}).get(k)) == wanted for k in REFERENCE_KEYS)
            ]
        if not hits:
            raise UsageError(
                _(
                    "No entry of {entity} is named {ref!r} (a link, a document number or "
                    "an id shown by 'aged')."
                ).format(entity=ledger.entity, ref=token)
            )
        found.extend(e for e in hits if all(e is not f for f in found))
    return found


def manual_letter(
    config: Config, ledger: LoadedLedger, tokens: Sequence[str], account: str | None = None
) -> Any:
    """One directive lettering the open items of the entries named by ``tokens``."""
    entries = resolve_refs(ledger, tokens)
    if account is None:
        candidates = sorted(
            {
                p.account
                for e in entries
                for p in e.postings
                if p.account in set(third_party_accounts(config, ledger))
            }
        )
        if len(candidates) != 1:
            raise UsageError(
                _(
                    "These entries touch {count} third-party accounts ({accounts}); "
                    "choose one with --account."
                ).format(count=len(candidates), accounts=", ".join(candidates) or "-")
            )
        account = candidates[0]
    planner, open_now = planner_for(list(ledger.entries), account)
    chosen = [i for i in open_now if any(i.entry is e for e in entries)]
    if not chosen:
        raise UsageError(
            _("Nothing left to letter on {account} in these entries.").format(account=account)
        )
    total = sum((i.amount for i in chosen), ZERO)
    if total != 0:
        raise UsageError(
            _(
                "These items on {account} do not balance (off by {diff}); a letter "
                "matches items summing to zero."
            ).format(account=account, diff=total)
        )
    entry = planner.propose(chosen, open_now)
    if entry is None:
        raise UsageError(
            _("These items cannot be lettered on their own; letter the older ones first.")
        )
    return entry


def write_letters(ws: Workspace, entity: str, directives: Sequence[Any], *, dry_run: bool) -> Any:
    if not directives:
        return []
    return ws.write([Append(entity, tuple(directives))], dry_run=dry_run)


def letter_entities(
    ws: Workspace,
    entities: Sequence[str],
    *,
    account: str | None = None,
    dry_run: bool = False,
) -> dict[str, list[Any]]:
    """``letter`` for the named entities: the directives written (or planned), by entity."""
    out: dict[str, list[Any]] = {}
    with ws.lock():
        for entity in entities:
            ledger = ws.load_checked(entity)
            accounts = None
            if account is not None:
                if account not in ledger.open_accounts():
                    continue
                accounts = [account]
            directives = letter_ledger(ws.config, ledger, accounts)
            write_letters(ws, entity, directives, dry_run=dry_run)
            out[entity] = directives
    return out
