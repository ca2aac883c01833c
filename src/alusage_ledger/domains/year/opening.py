"""``year open`` (:func:`open_books`): a trial balance booked as the opening entry.

The trial balance (``compte;libellé;débit;crédit``, read by
:mod:`alusage_ledger.domains.year.trialbalance`) becomes one entry at ``books_start``::

    2026-01-01 * "Reprise des soldes au 2026-01-01" #ouverture
      journal: "AN"
      Actif:Banque:Nef                 6500.00 EUR
      Capitaux:Capital:PartsSociales  -4000.00 EUR
      ...

Each line goes to the open account with its PCG number; the accounts missing are opened
in the same write (a third party's line to a sub-account of its role, e.g. 411 clients).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from beancount.core import account as account_lib
from beancount.core import data

from alusage_ledger.books.accounts import account_info
from alusage_ledger.books.entries import ledger_text, link_part, new_meta, stamp
from alusage_ledger.books.exercice import (
    OPENING_JOURNAL,
    OPENING_TAG,
    YEAR_OPEN_GEN_PREFIX,
    gen_id,
    is_opening,
    is_transaction,
)
from alusage_ledger.books.roles import DEFAULT_ROLES
from alusage_ledger.books.writer import Append
from alusage_ledger.core.chart import BY_KIND, account_component, label_for
from alusage_ledger.core.errors import LedgerErrors, LedgerProblem, RefusedError, UsageError
from alusage_ledger.core.i18n import N_, _
from alusage_ledger.domains.lettering import ITEM_LINK_KEY
from alusage_ledger.domains.year.accounts import ledger_role
from alusage_ledger.domains.year.balances import CURRENCY, ZERO, posting, transaction
from alusage_ledger.domains.year.exercices import kept_books
from alusage_ledger.domains.year.trialbalance import BalanceLine, fold, read_trial_balance

if TYPE_CHECKING:
    from alusage_ledger.books.config import Config
    from alusage_ledger.books.ledger import Workspace
    from alusage_ledger.books.loader import LoadedLedger


#: Collective numbers whose lines are third parties' items (sub-accounts of a role).
_THIRD_PARTY_ROLES = (("411", "clients"), ("401", "suppliers"), ("467", "persons"))
_GROUP_NAMES = {
    "15": "Provisions",
    "16": "Emprunts",
    "17": "Dettes",
    "18": "Dettes",
    "2": "Immobilisations",
    "28": "Amortissements",
    "29": "Depreciations",
    "3": "Stocks",
    "39": "Depreciations",
    "4+": "Creances",
    "4-": "Dettes",
    "5": "Tresorerie",
}


def _root_for(pcg: str, net: Decimal, roots: Sequence[str]) -> tuple[str, str | None]:
    """(root, group) of an account created for a PCG number (class, then sign for class 4)."""
    assets, liabilities, equity, income, expenses = roots[:5]
    two = pcg[:2]
    if pcg[0] == "1":
        if two in ("15", "16", "17", "18"):
            return liabilities, _GROUP_NAMES[two]
        return equity, None
    if pcg[0] in "23":
        return assets, _GROUP_NAMES.get(two, _GROUP_NAMES[pcg[0]])
    if pcg[0] == "4":
        if pcg.startswith(
            ("409", "41", "4456", "4458", "4562", "486", "4687")
        ) and not pcg.startswith("419"):
            return assets, _GROUP_NAMES["4+"]
        if net > 0 and not pcg.startswith(("40", "419", "42", "43", "4457", "455", "457")):
            return assets, _GROUP_NAMES["4+"]
        return liabilities, _GROUP_NAMES["4-"]
    if pcg[0] == "5":
        return (
            (liabilities, "Tresorerie")
            if two == "51" and pcg.startswith("519")
            else (
                assets,
                _GROUP_NAMES["5"],
            )
        )
    return (expenses, None) if pcg[0] == "6" else (income, None)


@dataclass
class _Opening:
    """Accounts an opening needs: existing ones found by PCG number, new ones opened."""

    config: Config
    ledger: LoadedLedger
    day: date
    opens: list[Any] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.info = account_info(self.ledger.entries)
        self.by_pcg: dict[str, list[str]] = {}
        for account, (pcg, _label) in self.info.items():
            self.by_pcg.setdefault(pcg, []).append(account)

    def need(self, account: str, pcg: str, label: str) -> str:
        if account in self.info:
            return account
        if not account_lib.is_valid(account) or account.split(":")[0] not in self.ledger.roots():
            raise UsageError(
                _("The account {name!r} is not a valid account name.").format(name=account)
            )
        self.info[account] = (pcg, label)
        self.by_pcg.setdefault(pcg, []).append(account)
        meta = new_meta(pcg=pcg, label=label or pcg)
        self.opens.append(data.Open(meta, self.day, account, [CURRENCY], None))
        return account

    def account_for(self, line: BalanceLine) -> str:
        label = line.label.strip()
        known_label = label_for(line.pcg) or ""
        if line.ledger_account:
            return self.need(line.ledger_account, line.pcg, label or known_label)
        for prefix, role_name in _THIRD_PARTY_ROLES:
            if not line.pcg.startswith(prefix):
                continue
            parent = ledger_role(self.config, self.ledger, role_name)
            name = line.third_party or label
            collective = fold(name) in ("", fold(parent.label), fold(known_label))
            if not collective:
                return self.need(
                    f"{parent.account}:{account_component(name)}", line.pcg, parent.label
                )
            break
        found = sorted(self.by_pcg.get(line.pcg, []))
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            named = [a for a in found if fold(self.info[a][1]) == fold(label)]
            if len(named) == 1:
                return named[0]
            raise UsageError(
                _(
                    "line {line}: several accounts carry the PCG number {pcg} ({accounts}); "
                    "name the ledger account in a 'compte beancount' column."
                ).format(line=line.line, pcg=line.pcg, accounts=", ".join(found))
            )
        for name, default in DEFAULT_ROLES.items():
            if default.pcg == line.pcg:
                chosen = ledger_role(self.config, self.ledger, name)
                return self.need(chosen.account, chosen.pcg, chosen.label)
        kind = self.config.entity(self.ledger.entity).kind
        for chart_account in BY_KIND.get(kind, ()):
            if chart_account.pcg == line.pcg and self.ledger.roots()[0] == "Actif":
                return self.need(chart_account.name, chart_account.pcg, chart_account.label)
        root, group = _root_for(line.pcg, line.net, self.ledger.roots())
        component = account_component(label or known_label or f"Compte{line.pcg}")
        name = ":".join(part for part in (root, group, component) if part)
        if name in self.info and self.info[name][0] != line.pcg:
            name = f"{name}{line.pcg}"
        return self.need(name, line.pcg, label or known_label or line.pcg)


@dataclass
class OpenResult:
    entity: str
    day: date
    lines: int
    total: Decimal
    opened: list[str]
    already: bool = False
    dry_run: bool = False
    text: str = ""
    files: list[str] = field(default_factory=list)


def open_books(
    ws: Workspace,
    entity: str,
    raw: bytes,
    source: str,
    *,
    day: date | None = None,
    encoding: str = "utf-8",
    dry_run: bool = False,
) -> OpenResult:
    """Book a trial balance as the entity's opening entry (see the module docstring)."""
    config = kept_books(ws.config, entity)
    lines = read_trial_balance(raw, source, entity, encoding)
    start = config.books_start_date()
    if day is None:
        if start is None:
            raise UsageError(
                _(
                    "{entity} has no books_start in alusage.toml; give the opening date "
                    "with --date."
                ).format(entity=entity)
            )
        day = start
    elif start is not None and day != start:
        raise UsageError(
            _(
                "The opening balances of {entity} are dated the first day of its books "
                "({start}); books_start in alusage.toml says so."
            ).format(entity=entity, start=start.isoformat())
        )
    if not lines:
        raise LedgerErrors(
            _("{file} has no line with an amount; nothing was written.").format(file=source)
        )
    at_exercice_start = config.exercice_of(day).first_day == day
    problems = []
    for line in lines:
        if line.pcg[0] in "67" and at_exercice_start and line.net:
            problems.append(
                LedgerProblem(
                    entity,
                    source,
                    line.line,
                    _(
                        "{pcg} is an income or expense account: at the start of an exercice "
                        "its balance was carried to the result (120/129); put it there."
                    ).format(pcg=line.pcg),
                )
            )
    debit = sum((line.debit for line in lines), ZERO)
    credit = sum((line.credit for line in lines), ZERO)
    if debit != credit:
        problems.append(
            LedgerProblem(
                entity,
                source,
                None,
                _(
                    "the trial balance is not balanced: debits {debit}, credits {credit} "
                    "(difference {diff})."
                ).format(debit=debit, credit=credit, diff=debit - credit),
            )
        )
    if problems:
        raise LedgerErrors(
            _("{file} has {count} error(s); nothing was written.").format(
                file=source, count=len(problems)
            ),
            problems,
        )
    gid = f"{YEAR_OPEN_GEN_PREFIX}{day.isoformat()}"
    with ws.lock():
        ledger = ws.load_checked(entity)
        earlier = [e for e in ledger.entries if is_transaction(e) and e.date < day]
        if earlier:
            raise RefusedError(
                _(
                    "{entity} already has entries before {day} (the first on {first}); the "
                    "opening balances must come first."
                ).format(entity=entity, day=day.isoformat(), first=earlier[0].date.isoformat())
            )
        opener = _Opening(ws.config, ledger, day)
        postings = []
        links: set[str] = set()
        for line in sorted(lines, key=lambda item: (item.pcg, item.line)):
            if not line.net:
                continue
            account = opener.account_for(line)
            meta: dict[str, Any] | None = None
            if line.piece or line.piece_date:
                key = "invoice" if line.pcg.startswith("411") else "piece-ref"
                meta = new_meta(
                    **{key.replace("-", "_"): line.piece, "piece_date": line.piece_date}
                )
            if line.piece and link_part(line.piece):
                # The documents' links (the sales and purchases conventions): a payment that
                # carries the same link is lettered with the opening item.
                piece = link_part(line.piece)
                link = piece if line.pcg.startswith("411") else f"{entity}-{piece}"
                links.add(link)
                if meta is not None and line.pcg.startswith(("401", "411", "467")):
                    # One item of its own for lettering, as the à-nouveaux of year close.
                    meta[ITEM_LINK_KEY] = link
            postings.append(posting(account, line.net, meta))
        entry = transaction(
            day,
            None,
            ledger_text(ws.config, N_("Opening balances at {day}")).format(day=day.isoformat()),
            postings,
            meta=new_meta(journal=OPENING_JOURNAL, source=Path(source).name),
            tags=(OPENING_TAG,),
            links=sorted(links),
        )
        stamp(entry, gid)
        result = OpenResult(entity, day, len(postings), debit, [o.account for o in opener.opens])
        existing = [e for e in ledger.entries if gen_id(e) == gid]
        if existing:
            if existing[0].meta.get("gen-hash") == entry.meta["gen-hash"]:
                result.already = True
                return result
            raise RefusedError(
                _(
                    "{entity} already has opening balances at {day} (another trial balance); "
                    "correct them with an entry in an open month."
                ).format(entity=entity, day=day.isoformat())
            )
        others = [e for e in ledger.entries if is_transaction(e) and is_opening(e)]
        if others:
            raise RefusedError(
                _("{entity} already has an opening entry on {day}; nothing was written.").format(
                    entity=entity, day=others[0].date.isoformat()
                )
            )
        appends = []
        if opener.opens:
            accounts_file = Path(os.path.realpath(ledger.folder() / "accounts.beancount"))
            file = "accounts.beancount" if accounts_file in ledger.files else None
            appends.append(Append(entity, tuple(opener.opens), file))
        appends.append(Append(entity, (entry,)))
        planned = ws.write(appends, dry_run=dry_run)
        result.dry_run = dry_run
        result.text = "\n".join(p.text for p in planned)
        result.files = [p.rel for p in planned]
    return result
