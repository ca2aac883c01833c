"""Inventory entries (``year inventory``): the year-end work dated the exercice's last day.

Once the exercice's last month is closed, the writer still accepts transactions dated the
exercice's last day and tagged ``#inventaire`` until the exercice is closed
(``books.exercice.inventory_window_open``, called by the ledger's writer); the month lock
leaves them out of the month's digest (``locks.is_inventory``), the exercice lock covers
them. :func:`book_inventory` writes one (accrual, prepaid, depreciation, provision,
corporate tax).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from alusage_ledger.books.accounts import resolve_account
from alusage_ledger.books.entries import new_meta
from alusage_ledger.books.exercice import INVENTORY_TAG, closed_exercices
from alusage_ledger.books.text import check_text
from alusage_ledger.books.writer import Append
from alusage_ledger.core.errors import RefusedError, UsageError
from alusage_ledger.core.i18n import _
from alusage_ledger.core.periods import Exercice
from alusage_ledger.domains.year.balances import ZERO, posting, transaction
from alusage_ledger.domains.year.exercices import kept_books
from alusage_ledger.domains.year.reversal import ACCRUAL_TAG

if TYPE_CHECKING:
    from alusage_ledger.books.ledger import Workspace


@dataclass
class InventoryResult:
    entity: str
    day: date
    total: Decimal
    dry_run: bool = False
    text: str = ""
    files: list[str] = field(default_factory=list)


def book_inventory(
    ws: Workspace,
    entity: str,
    year: int,
    lines: Sequence[tuple[str, Decimal]],
    label: str,
    *,
    payee: str | None = None,
    piece_ref: str | None = None,
    accrual: bool = False,
    dry_run: bool = False,
) -> InventoryResult:
    """An inventory entry (accrual, prepaid, depreciation, provision, corporate tax) dated
    the exercice's last day, tagged ``#inventaire``: accepted after that month is closed,
    until the exercice is closed. ``accrual``: also tagged ``#extourne``, reversed on the
    next exercice's first day (:mod:`alusage_ledger.domains.year.reversal`)."""
    config = kept_books(ws.config, entity)
    end = Exercice.ending_in(year, config.exercice_start).last_day
    text = check_text(label.strip(), _("label"))
    if not text:
        raise UsageError(_("Say what the inventory entry is with --label."))
    if payee is not None:
        check_text(payee.strip(), _("payee"))
    if len(lines) < 2:
        raise UsageError(_("An inventory entry needs at least two --line ACCOUNT:AMOUNT."))
    if sum((amount for _a, amount in lines), ZERO) != 0:
        raise UsageError(
            _(
                "The lines do not balance (off by {diff}); debits are positive, credits negative."
            ).format(diff=sum((amount for _a, amount in lines), ZERO))
        )
    with ws.lock():
        ledger = ws.load_checked(entity)
        if year in closed_exercices(ledger.entries):
            raise RefusedError(
                _(
                    "The exercice {year} of {entity} is closed: its inventory entries can no "
                    "longer change; book corrections in the next exercice."
                ).format(year=year, entity=entity)
            )
        postings = [
            posting(resolve_account(ledger, account, _("account")), amount)
            for account, amount in lines
        ]
        entry = transaction(
            end,
            payee.strip() if payee else None,
            text,
            postings,
            meta=new_meta(piece_ref=piece_ref),
            tags=(INVENTORY_TAG, ACCRUAL_TAG) if accrual else (INVENTORY_TAG,),
        )
        planned = ws.write([Append(entity, (entry,))], dry_run=dry_run)
    return InventoryResult(
        entity,
        end,
        sum((a for _acc, a in lines if a > 0), ZERO),
        dry_run,
        "\n".join(p.text for p in planned),
        [p.rel for p in planned],
    )
