"""Opening the accounts a write needs, the first time it needs them.

Commands never ask the accountant to open an account by hand: an :class:`Opener` collects
``Open`` directives (with ``pcg`` and ``label`` metadata) for the accounts a batch uses
that are not open yet, dated the first day of the books (or the first day of the entry's
month when an earlier month is closed), and puts them in ``accounts.beancount`` when the
ledger includes it, in the same write as the entries that use them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from beancount.core import data

from alusage_ledger.books.loader import LoadedLedger
from alusage_ledger.books.roles import DEFAULT_ROLES, role_account
from alusage_ledger.books.writer import Append, closed_months
from alusage_ledger.core.chart import account_component
from alusage_ledger.core.errors import UsageError
from alusage_ledger.core.i18n import _
from alusage_ledger.core.pcg import official
from alusage_ledger.core.periods import Month
from alusage_ledger.core.suggest import did_you_mean

if TYPE_CHECKING:
    from alusage_ledger.books.config import Config


def open_date(config: Config, ledger: LoadedLedger, day: date) -> date:
    """First day of the books, or of the entry's month when an earlier month is closed."""
    start = config.entity(ledger.entity).books_start_date()
    candidate = start if start is not None and start <= day else day.replace(day=1)
    month = Month.of(candidate)
    if any(closed >= month for closed in closed_months(ledger.entries)):
        candidate = day.replace(day=1)
    return candidate


def account_info(entries: Iterable[Any]) -> dict[str, tuple[str, str]]:
    """``{account: (pcg, label)}`` from the ``open`` directives' metadata."""
    info: dict[str, tuple[str, str]] = {}
    for entry in entries:
        if type(entry).__name__ == "Open":
            meta = entry.meta or {}
            info[entry.account] = (str(meta.get("pcg") or ""), str(meta.get("label") or ""))
    return info


@dataclass
class Opener:
    """Accounts a write needs that are not open yet: ``Open`` entries for the same batch."""

    config: Config
    ledger: LoadedLedger
    day: date
    opens: list[Any] = field(default_factory=list)
    #: The ledger's ``Open`` metadata by account, read once (the ledger does not change).
    _known: dict[str, dict[str, Any]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def _open_meta(self) -> dict[str, dict[str, Any]]:
        if self._known is None:
            self._known = {
                e.account: dict(e.meta or {})
                for e in self.ledger.entries
                if isinstance(e, data.Open)
            }
        return self._known

    def _has(self, account: str) -> bool:
        return account in self._open_meta() or any(o.account == account for o in self.opens)

    def need(self, account: str, pcg: str, label: str) -> str:
        if self._has(account):
            return account
        meta = data.new_metadata("<alusage>", 0)
        meta["pcg"] = pcg
        meta["label"] = label
        self.opens.append(
            data.Open(meta, open_date(self.config, self.ledger, self.day), account, ["EUR"], None)
        )
        return account

    def need_like(self, account: str, default: tuple[str, str]) -> str:
        """:meth:`need`, numbered like the account's neighbours: the PCG number and label
        of its nearest open ancestor or of an open account under that ancestor (the longest
        shared prefix first), else the label of an open account numbered ``default[0]``,
        else ``default`` (``(pcg, label)``)."""
        if self._has(account):
            return account
        return self.need(account, *self._numbered_like(account, default))

    def _numbered_like(self, account: str, default: tuple[str, str]) -> tuple[str, str]:
        known = self._open_meta()
        parts = account.split(":")
        candidates: list[str] = []
        for size in range(len(parts) - 1, 1, -1):
            prefix = ":".join(parts[:size])
            candidates.append(prefix)
            candidates.extend(sorted(a for a in known if a.startswith(prefix + ":")))
        for candidate in candidates:
            meta = known.get(candidate)
            if meta and isinstance(meta.get("pcg"), str):
                return str(meta["pcg"]), str(meta.get("label") or default[1])
        pcg = default[0]
        for meta in known.values():
            if meta.get("pcg") == pcg and isinstance(meta.get("label"), str):
                return pcg, str(meta["label"])
        return default

    def role(self, role: str) -> str:
        found = role_account(self.config, self.ledger.entity, role)
        return self.need(found.account, found.pcg, found.label)

    def third_party(self, role: str, name: str) -> str:
        """The sub-account of ``role`` for a named third party (opened on first use)."""
        parent = role_account(self.config, self.ledger.entity, role)
        return self.need(f"{parent.account}:{account_component(name)}", parent.pcg, parent.label)

    def appends(self, entries: Sequence[Any]) -> list[Append]:
        """The write batch: new ``open`` directives go to accounts.beancount when included."""
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


def account_meta(ledger: LoadedLedger) -> dict[str, dict[str, Any]]:
    return {e.account: dict(e.meta or {}) for e in ledger.entries if isinstance(e, data.Open)}


def resolve_account(
    ledger: LoadedLedger, text: str, what: str, *, opener: Opener | None = None
) -> str:
    """An open account given by name or by its PCG number (when only one has it).

    With an ``opener``, a PCG number that no open account carries opens the chart's
    account of that number (:mod:`alusage_ledger.core.pcg`), with its official label, in
    the same write: ``bill add --account 6064`` works on a new workspace.
    """
    value = text.strip()
    opened = account_meta(ledger)
    if value in opened:
        return value
    if value.isdigit():
        matches = sorted(a for a, meta in opened.items() if meta.get("pcg") == value)
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise UsageError(
                _("Several accounts carry the PCG number {pcg}: {accounts}; name one.").format(
                    pcg=value, accounts=", ".join(matches)
                )
            )
        chart = official(value)
        if opener is not None and chart is not None:
            return opener.need(chart.name, chart.pcg, chart.label)
    raise UsageError(
        _(
            "The {what} {value!r} is not an open account of {entity}{hint}; open it in "
            "accounts.beancount (with its pcg number) or name an open one."
        ).format(what=what, value=text, entity=ledger.entity, hint=did_you_mean(value, opened))
    )


def resolve_payment_account(config: Config, ledger: LoadedLedger, text: str | None) -> str:
    """``--account``: an open account, a PCG number, or a role (``bank``, ``cash``)."""
    if text is None or text.strip() in DEFAULT_ROLES:
        role = "bank" if text is None else text.strip()
        account = role_account(config, ledger.entity, role).account
        if account not in ledger.open_accounts():
            raise UsageError(
                _(
                    "The {role} account {account} is not open in the ledger of {entity}; "
                    "open it or pass --account."
                ).format(role=role, account=account, entity=ledger.entity)
            )
        return account
    return resolve_account(ledger, text, _("payment account"))


def role_parent(config: Config, entity: str, role: str) -> str:
    return role_account(config, entity, role).account
