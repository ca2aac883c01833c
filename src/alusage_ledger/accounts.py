"""Opening the accounts a write needs, the first time it needs them.

Commands never ask the accountant to open an account by hand: an :class:`Opener` collects
``Open`` directives (with ``pcg`` and ``label`` metadata) for the accounts a batch uses
that are not open yet, dated the first day of the books (or the first day of the entry's
month when an earlier month is closed), and puts them in ``accounts.beancount`` when the
ledger includes it, in the same write as the entries that use them.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .config import Config
    from .ledger import Append, LoadedLedger


def open_date(config: Config, ledger: LoadedLedger, day: date) -> date:
    """First day of the books, or of the entry's month when an earlier month is closed."""
    from .ledger import closed_months

    start = config.entity(ledger.entity).books_start_date()
    candidate = start if start is not None and start <= day else day.replace(day=1)
    month = f"{candidate.year:04d}-{candidate.month:02d}"
    if any(closed >= month for closed in closed_months(ledger.entries)):
        candidate = day.replace(day=1)
    return candidate


@dataclass
class Opener:
    """Accounts a write needs that are not open yet: ``Open`` entries for the same batch."""

    config: Config
    ledger: LoadedLedger
    day: date
    opens: list[Any] = field(default_factory=list)

    def need(self, account: str, pcg: str, label: str) -> str:
        from beancount.core import data

        if account in self.ledger.open_accounts() or any(o.account == account for o in self.opens):
            return account
        meta = data.new_metadata("<alusage>", 0)
        meta["pcg"] = pcg
        meta["label"] = label
        self.opens.append(
            data.Open(meta, open_date(self.config, self.ledger, self.day), account, ["EUR"], None)
        )
        return account

    def role(self, role: str) -> str:
        from .roles import role_account

        found = role_account(self.config, self.ledger.entity, role)
        return self.need(found.account, found.pcg, found.label)

    def third_party(self, role: str, name: str) -> str:
        """The sub-account of ``role`` for a named third party (opened on first use)."""
        from .roles import account_component, role_account

        parent = role_account(self.config, self.ledger.entity, role)
        return self.need(f"{parent.account}:{account_component(name)}", parent.pcg, parent.label)

    def appends(self, entries: Sequence[Any]) -> list[Append]:
        """The write batch: new ``open`` directives go to accounts.beancount when included."""
        from .ledger import Append

        entity = self.ledger.entity
        batch = []
        if self.opens:
            accounts_file = Path(os.path.realpath(self.ledger.folder() / "accounts.beancount"))
            included = accounts_file in self.ledger.files
            batch.append(
                Append(entity, tuple(self.opens), "accounts.beancount" if included else None)
            )
        batch.append(Append(entity, tuple(entries)))
        return batch
