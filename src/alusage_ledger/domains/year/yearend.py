"""The year's bookends: opening balances, the exercice close, the allocation of the result.

Closing December is not closing the exercice. The year-end work (accruals, depreciation,
provisions, corporate tax) is dated the exercice's last day but done in the following
weeks; then the result is carried to the balance sheet and the balances to the next
exercice; months later the general assembly votes how the result is allocated.

``year open`` (:func:`open_books`) books a trial balance (``compte;libellé;débit;crédit``)
as one opening entry at ``books_start``::

    2026-01-01 * "Reprise des soldes au 2026-01-01" #ouverture
      journal: "AN"
      Actif:Banque:Nef                 6500.00 EUR
      Capitaux:Capital:PartsSociales  -4000.00 EUR
      ...

**Inventory window.** Once the exercice's last month is closed, the writer still accepts
transactions dated the exercice's last day and tagged ``#inventaire`` until the exercice
is closed (:func:`inventory_window_open`, called by ``ledger._Writer``); the month lock
leaves them out of the month's digest (``locks.is_inventory``), the exercice lock covers
them.

``year close`` (:func:`close_exercice`) needs every month of the exercice closed and then
writes, in one operation:

* ``<YYYY>/exercice.close.beancount``: the closing of the income and expense accounts into
  the result (120 profit, 129 loss) and the closing of every balance-sheet account (both
  dated the last day, tagged ``#cloture``, ``journal: "CL"``: the FEC leaves them out),
  then the exercice lock ``custom "alusage-close-exercice" "<YYYY>" "<digest>"`` with
  ``closed-on`` (the FEC's ``ValidDate`` of the inventory entries) and ``lock-hash``;
* ``<YYYY+1>/exercice.open.beancount``: the à-nouveaux, the balance sheet at the last day
  (result awaiting allocation included) as one entry dated the next exercice's first day,
  tagged ``#ouverture``, ``journal: "AN"``: the next exercice's books and FEC start from it.

The closing and the à-nouveaux cancel out: every balance is the same after the next
exercice's first day as before the close, except that the income and expense accounts
start again from zero and the result sits on 120/129. The digest is
``canonical.chain_digest`` of the last month's close digest and of everything the close
wrote plus the inventory entries; ``check`` recomputes it (:func:`exercice_locks`).

``year allocate`` (:func:`allocate`) books the general assembly's vote from 120 to the
reserves (1061 legal, 1063 statutory), the carry-forward (110/119) and interest on shares
(457); ``check`` verifies the legal minimums (:func:`allocation_rules`), and
``--propose`` prints them (:func:`propose`).
"""

from __future__ import annotations

import csv
import io
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_UP, Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alusage_ledger.books.accounts import (
    account_info as account_info,  # TRANSITION: moved to books.accounts
)
from alusage_ledger.books.checks import entity_rule, parsed_rule, problem_at
from alusage_ledger.books.entries import ledger_text as ledger_text
from alusage_ledger.books.entries import new_meta
from alusage_ledger.books.entries import stamp as stamp
from alusage_ledger.books.exercice import (
    ALLOCATE_GEN_PREFIX,
    ALLOCATION_TAG,
    CLOSED_ON_KEY,
    CLOSING_JOURNAL,
    CLOSING_TAG,
    EXERCICE_CLOSE_TYPE,
    INVENTORY_TAG,
    LOCK_HASH_KEY,
    OPENING_JOURNAL,
    OPENING_TAG,
    YEAR_CLOSE_GEN_PREFIX,
    YEAR_OPEN_GEN_PREFIX,
    close_file_rel,
    closed_exercices,
    exercice_year,
    gen_id,
    is_opening,
    is_transaction,
    open_file_rel,
)
from alusage_ledger.core.errors import LedgerErrors, LedgerProblem, RefusedError, UsageError
from alusage_ledger.core.i18n import N_, _

if TYPE_CHECKING:
    from alusage_ledger.books.config import AllocationRules, Config, EntityConfig
    from alusage_ledger.books.ledger import LoadedLedger, Workspace
    from alusage_ledger.books.roles import Role

CURRENCY = "EUR"
ZERO = Decimal("0.00")
CENT = Decimal("0.01")
_DIGEST = re.compile(r"^[0-9a-f]{64}$")
#: Roles whose account is the parent of one sub-account per third party.
PARENT_ROLES = frozenset({"clients", "suppliers", "persons", "capital-refunds"})


def exercice_of_year(config: EntityConfig, year: int) -> tuple[date, date]:
    """First and last day of exercice ``year``: the one that ends in that calendar year."""
    from alusage_ledger.books.locks import exercice_bounds

    start, end = exercice_bounds(config, date(year, 12, 31))
    if end.year != year:
        start, end = exercice_bounds(config, start - timedelta(days=1))
    return start, end


def parse_exercice(text: str | int) -> int:
    value = str(text).strip()
    if not re.fullmatch(r"\d{4}", value) or not 1900 <= int(value) <= 2099:
        raise UsageError(
            _("{value!r} is not an exercice; give the year it ends in, e.g. 2026.").format(
                value=str(text)
            )
        )
    return int(value)


# --------------------------------------------------------------------------- accounts


def ledger_role(config: Config, ledger: LoadedLedger, role: str) -> Role:
    """The account of ``role``: configured; else the one open account with the role's PCG
    number (the example names its 1013 ``Capitaux:Capital:PartsSociales``); else the
    default of ``roles.py``."""
    from alusage_ledger.books.roles import DEFAULT_ROLES, Role, role_account

    if role in config.entity(ledger.entity).accounts or role in PARENT_ROLES:
        return role_account(config, ledger.entity, role)
    default = DEFAULT_ROLES[role]
    info = account_info(ledger.entries)
    matches = sorted(a for a, (pcg, _label) in info.items() if pcg == default.pcg)
    if default.account in matches or not matches:
        return default
    chosen = matches[0]
    return Role(chosen, default.pcg, info[chosen][1] or default.label)


def accounts_with_pcg(ledger: LoadedLedger, *prefixes: str) -> list[str]:
    """Open accounts whose PCG number starts with one of ``prefixes``."""
    return sorted(
        a for a, (pcg, _l) in account_info(ledger.entries).items() if pcg.startswith(prefixes)
    )


def balances(
    entries: Iterable[Any],
    *,
    until: date | None = None,
    before: date | None = None,
    skip: Callable[[Any], bool] | None = None,
) -> dict[str, Decimal]:
    """Euro balance of every account from the transactions dated up to ``until``
    (included) or ``before`` (excluded)."""
    out: dict[str, Decimal] = {}
    for entry in entries:
        if not is_transaction(entry):
            continue
        if until is not None and entry.date > until:
            continue
        if before is not None and entry.date >= before:
            continue
        if skip is not None and skip(entry):
            continue
        for posting in entry.postings:
            units = posting.units
            if units is None or units.currency != CURRENCY:
                continue
            out[posting.account] = out.get(posting.account, ZERO) + units.number
    return out


def total(balances_map: dict[str, Decimal], accounts: Iterable[str]) -> Decimal:
    return sum((balances_map.get(a, ZERO) for a in accounts), ZERO)


def highest_capital(ledger: LoadedLedger, until: date | None = None) -> Decimal:
    """The highest capital (PCG 101x, credit balance) reached at the end of any day."""
    accounts = set(accounts_with_pcg(ledger, "101"))
    by_day: dict[date, Decimal] = {}
    for entry in ledger.entries:
        if not is_transaction(entry) or (until is not None and entry.date > until):
            continue
        for posting in entry.postings:
            if posting.account in accounts and posting.units.currency == CURRENCY:
                by_day[entry.date] = by_day.get(entry.date, ZERO) - posting.units.number
    running = ZERO
    best = ZERO
    for day in sorted(by_day):
        running += by_day[day]
        best = max(best, running)
    return best


def posting(account: str, number: Decimal, meta: dict[str, Any] | None = None) -> Any:
    from beancount.core import data
    from beancount.core.amount import Amount

    return data.Posting(account, Amount(number.quantize(CENT), CURRENCY), None, None, None, meta)


def transaction(
    day: date,
    payee: str | None,
    narration: str,
    postings: Sequence[Any],
    *,
    meta: dict[str, Any],
    tags: Iterable[str] = (),
    links: Iterable[str] = (),
) -> Any:
    from beancount.core import data

    return data.Transaction(
        meta, day, "*", payee, narration, frozenset(tags), frozenset(links), list(postings)
    )


def kept_books(config: Config, entity: str) -> EntityConfig:
    """The entity's configuration; a micro-entrepreneur keeps a revenue register only."""
    cfg = config.entity(entity)
    if cfg.kind == "micro":
        raise UsageError(
            _(
                "{entity} is a micro-entrepreneur: its books are a revenue register, with no "
                "balance sheet to open or close."
            ).format(entity=entity)
        )
    return cfg


# =========================================================================== year open


_HEADER_NAMES: dict[str, tuple[str, ...]] = {
    "pcg": (
        "compte",
        "numero",
        "numero de compte",
        "n compte",
        "no compte",
        "comptenum",
        "compte num",
        "account",
        "account number",
        "number",
    ),
    "label": ("libelle", "intitule", "comptelib", "label", "name", "description"),
    "debit": ("debit", "solde debiteur", "debit balance"),
    "credit": ("credit", "solde crediteur", "credit balance"),
    "third_party": ("tiers", "auxiliaire", "third party", "counterparty"),
    "piece": ("piece", "piece ref", "reference", "ref", "facture", "invoice", "document"),
    "piece_date": ("date piece", "piece date", "date", "date de piece", "document date"),
    "ledger_account": ("compte beancount", "ledger account", "beancount account"),
}
_REQUIRED = ("pcg", "debit", "credit")


def _fold(text: str) -> str:
    """Lowercase, without accents, punctuation as spaces: how headers are compared."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", ascii_text.lower()).split())


@dataclass(frozen=True)
class BalanceLine:
    """One line of a trial balance: a PCG number, its label, its debit and credit."""

    line: int
    pcg: str
    label: str
    debit: Decimal
    credit: Decimal
    third_party: str | None = None
    piece: str | None = None
    piece_date: date | None = None
    ledger_account: str | None = None

    @property
    def net(self) -> Decimal:
        return self.debit - self.credit


def read_trial_balance(
    raw: bytes, source: str, entity: str | None = None, encoding: str = "utf-8"
) -> list[BalanceLine]:
    """Parse a trial balance CSV (``;``, tab or ``,``; decimal comma or point; French or
    English headers); every problem is reported as ``file:line`` (exit 1)."""
    from alusage_ledger.core.money import MoneyError, parse_amount

    try:
        text = raw.decode(
            "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
        )
    except (UnicodeDecodeError, LookupError):
        raise LedgerErrors(
            _(
                "{file} is not {encoding} text; convert it to UTF-8 or pass --encoding "
                "(e.g. --encoding cp1252)."
            ).format(file=source, encoding=encoding),
            [LedgerProblem(entity, source, None, _("this file cannot be decoded."))],
        ) from None
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise LedgerErrors(
            _("{file} is empty.").format(file=source),
            [LedgerProblem(entity, source, None, _("the file holds no trial balance."))],
        )
    head = lines[first]
    delimiter = ";" if ";" in head else "\t" if "\t" in head else ","
    rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter))
    header = [_fold(cell) for cell in rows[first]]
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        for key, names in _HEADER_NAMES.items():
            if name in names and key not in columns:
                columns[key] = index
    missing = [key for key in _REQUIRED if key not in columns]
    if missing:
        raise LedgerErrors(
            _(
                "{file}: the header must name the columns compte (or account), débit and "
                "crédit, and may name libellé, tiers, pièce, date pièce; found: {found}."
            ).format(file=source, found=" | ".join(rows[first]) or "-"),
            [
                LedgerProblem(
                    entity,
                    source,
                    first + 1,
                    _("missing column(s): {columns}.").format(
                        columns=", ".join(
                            {"pcg": "compte", "debit": "débit", "credit": "crédit"}[k]
                            for k in missing
                        )
                    ),
                )
            ],
        )

    def cell(row: list[str], key: str) -> str:
        index = columns.get(key)
        return row[index].strip() if index is not None and index < len(row) else ""

    problems: list[LedgerProblem] = []
    out: list[BalanceLine] = []
    for number, row in enumerate(rows[first + 1 :], start=first + 2):
        if not any(c.strip() for c in row):
            continue
        pcg = cell(row, "pcg").replace(" ", "")
        if not re.fullmatch(r"[1-7]\d{2}[0-9A-Za-z]*", pcg):
            problems.append(
                LedgerProblem(
                    entity,
                    source,
                    number,
                    _(
                        "{value!r} is not a PCG account number (3 digits or more, classes 1 to 7)."
                    ).format(value=cell(row, "pcg")),
                )
            )
            continue
        amounts = []
        for key in ("debit", "credit"):
            value = cell(row, key)
            try:
                amounts.append(parse_amount(value) if value else ZERO)
            except MoneyError:
                problems.append(
                    LedgerProblem(
                        entity,
                        source,
                        number,
                        _("{value!r} is not an amount (e.g. 1234,50 or 1234.50).").format(
                            value=value
                        ),
                    )
                )
                break
        if len(amounts) != 2:
            continue
        piece_date = None
        if cell(row, "piece_date"):
            try:
                piece_date = date.fromisoformat(cell(row, "piece_date"))
            except ValueError:
                try:
                    day, month, year = cell(row, "piece_date").split("/")
                    piece_date = date(int(year), int(month), int(day))
                except ValueError:
                    problems.append(
                        LedgerProblem(
                            entity,
                            source,
                            number,
                            _("{value!r} is not a date (YYYY-MM-DD or DD/MM/YYYY).").format(
                                value=cell(row, "piece_date")
                            ),
                        )
                    )
                    continue
        out.append(
            BalanceLine(
                number,
                pcg,
                cell(row, "label"),
                amounts[0],
                amounts[1],
                cell(row, "third_party") or None,
                cell(row, "piece") or None,
                piece_date,
                cell(row, "ledger_account") or None,
            )
        )
    if problems:
        raise LedgerErrors(
            _("{file} has {count} error(s); nothing was written.").format(
                file=source, count=len(problems)
            ),
            problems,
        )
    return out


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
        from beancount.core import account as account_lib
        from beancount.core import data

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
        from alusage_ledger.books.roles import account_component
        from alusage_ledger.core.chart import BY_KIND, label_for

        label = line.label.strip()
        known_label = label_for(line.pcg) or ""
        if line.ledger_account:
            return self.need(line.ledger_account, line.pcg, label or known_label)
        for prefix, role_name in _THIRD_PARTY_ROLES:
            if not line.pcg.startswith(prefix):
                continue
            parent = ledger_role(self.config, self.ledger, role_name)
            name = line.third_party or label
            collective = _fold(name) in ("", _fold(parent.label), _fold(known_label))
            if not collective:
                return self.need(
                    f"{parent.account}:{account_component(name)}", line.pcg, parent.label
                )
            break
        found = sorted(self.by_pcg.get(line.pcg, []))
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            named = [a for a in found if _fold(self.info[a][1]) == _fold(label)]
            if len(named) == 1:
                return named[0]
            raise UsageError(
                _(
                    "line {line}: several accounts carry the PCG number {pcg} ({accounts}); "
                    "name the ledger account in a 'compte beancount' column."
                ).format(line=line.line, pcg=line.pcg, accounts=", ".join(found))
            )
        from alusage_ledger.books.roles import DEFAULT_ROLES

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
    from alusage_ledger.books.entries import link_part
    from alusage_ledger.books.ledger import Append
    from alusage_ledger.books.locks import exercice_bounds

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
    at_exercice_start = exercice_bounds(config, day)[0] == day
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
                links.add(piece if line.pcg.startswith("411") else f"{entity}-{piece}")
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


# =========================================================================== year close


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
    from alusage_ledger.books.locks import EXERCICE_END_TAGS

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


def _result_accounts(config: Config, ledger: LoadedLedger) -> tuple[Role, Role]:
    return ledger_role(config, ledger, "result-profit"), ledger_role(config, ledger, "result-loss")


def close_exercice(
    ws: Workspace,
    entity: str,
    year: int,
    *,
    dry_run: bool = False,
    today: date | str | None = None,
) -> CloseExerciceResult:
    """Close exercice ``year`` of ``entity`` (see the module docstring); idempotent."""
    from beancount.core import data
    from beancount.parser.grammar import ValueType

    from alusage_ledger.books.canonical import chain_digest
    from alusage_ledger.books.checks import run_checks
    from alusage_ledger.books.ledger import Append
    from alusage_ledger.books.locks import (
        close_records,
        lock_hash,
        month_of,
        next_month,
        start_month,
    )
    from alusage_ledger.core.periods import resolve_today

    config = kept_books(ws.config, entity)
    day = resolve_today(today)
    start, end = exercice_of_year(config, year)
    result = CloseExerciceResult(entity, year, start, end, dry_run=dry_run)
    next_start = end + timedelta(days=1)
    prefix = f"{YEAR_CLOSE_GEN_PREFIX}{year:04d}/"
    with ws.lock():
        ledger = ws.load_checked(entity)
        parsed = ledger.parsed_entries()
        books = start_month(config, parsed)
        if books is None or month_of(end) < books:
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
        months = []
        month = max(month_of(start), books)
        while month <= month_of(end):
            if month not in records:
                months.append(month)
            month = next_month(month)
        if months:
            raise RefusedError(
                _(
                    "The exercice {year} of {entity} has months that are not closed: {months}; "
                    "close them first ('alusage-ledger close MONTH')."
                ).format(year=year, entity=entity, months=", ".join(months))
            )
        closed = closed_exercices(parsed)
        previous_end = start - timedelta(days=1)
        if books <= month_of(previous_end) and previous_end.year not in closed:
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

        profit, loss = _result_accounts(ws.config, ledger)
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
                        [posting(a, balance[a]) for a in sheet],
                        meta=new_meta(journal=OPENING_JOURNAL, exercice=str(next_start.year)),
                        tags=(OPENING_TAG,),
                    ),
                    f"{prefix}opening",
                )
            )
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
        last_month = month_of(end)
        previous_digest = records[last_month].digest
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


# =========================================================================== allocation


@dataclass(frozen=True)
class Minimums:
    """What the law asks of a profit (``year allocate --propose``)."""

    kind: str
    result: Decimal
    absorbed: Decimal  # a debit carry-forward (119) absorbed first
    base: Decimal  # result - absorbed
    legal_reserve: Decimal  # the legal reserve before the allocation
    legal_cap: Decimal | None  # where the legal reserve stops being fed
    legal_rate: Decimal
    legal_min: Decimal
    statutory_rate: Decimal
    statutory_min: Decimal  # on base - legal_min
    interest_max: Decimal | None  # from the configured rate cap, on the paid-up capital

    @property
    def reserves_min(self) -> Decimal:
        return self.legal_min + self.statutory_min

    @property
    def free(self) -> Decimal:
        """What may go to interest on shares or the carry-forward."""
        return self.base - self.reserves_min


def _percent_of(rate: Decimal, base: Decimal) -> Decimal:
    """``rate`` % of ``base``, rounded up to the cent (a minimum the law asks)."""
    if base <= 0 or rate <= 0:
        return ZERO
    return (base * rate / Decimal(100)).quantize(CENT, rounding=ROUND_UP)


def statutory_min(rules: AllocationRules, base: Decimal, legal: Decimal) -> Decimal:
    return _percent_of(rules.statutory_reserve_rate, base - legal)


def minimums(
    rules: AllocationRules,
    kind: str,
    result: Decimal,
    carry_debit: Decimal,
    legal_now: Decimal,
    capital_now: Decimal,
    capital_highest: Decimal,
    paid_capital: Decimal,
) -> Minimums:
    """The legal minimums of an allocation (pure; amounts positive, ``result`` a profit)."""
    absorbed = min(max(result, ZERO), max(carry_debit, ZERO))
    base = max(result - absorbed, ZERO)
    cap: Decimal | None = None
    if rules.legal_reserve_cap != "none":
        cap_base = capital_highest if rules.legal_reserve_cap == "highest-capital" else capital_now
        cap = (cap_base * rules.legal_reserve_cap_rate / Decimal(100)).quantize(CENT)
    legal_min = _percent_of(rules.legal_reserve_rate, base)
    if cap is not None:
        legal_min = min(legal_min, max(cap - legal_now, ZERO))
    stat = statutory_min(rules, base, legal_min)
    interest_max = None
    if rules.interest_rate_max is not None:
        interest_max = (paid_capital * rules.interest_rate_max / Decimal(100)).quantize(CENT)
    return Minimums(
        kind,
        result,
        absorbed,
        base,
        legal_now,
        cap,
        rules.legal_reserve_rate,
        legal_min,
        rules.statutory_reserve_rate,
        stat,
        interest_max,
    )


@dataclass(frozen=True)
class Allocation:
    """What the general assembly voted (positive amounts; carry-forward signed)."""

    legal_reserve: Decimal = ZERO
    statutory_reserve: Decimal = ZERO
    carry_forward: Decimal = ZERO
    interest: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.legal_reserve + self.statutory_reserve + self.carry_forward + self.interest


def violations(rules: AllocationRules, mins: Minimums, alloc: Allocation) -> list[str]:
    """Every legal rule the allocation breaks, as sentences (empty: it is lawful)."""
    from alusage_ledger.core.fmt import money

    out = []
    if mins.result <= 0:
        if alloc.interest:
            out.append(_("no interest on shares can be paid out of a loss."))
        if alloc.total != mins.result:
            out.append(
                _(
                    "the allocation ({total}) does not match the loss of the exercice ({result})."
                ).format(total=money(alloc.total), result=money(mins.result))
            )
        return out
    if min(alloc.legal_reserve, alloc.statutory_reserve, alloc.interest) < 0:
        out.append(_("out of a profit, the reserves and the interest are positive amounts."))
    if alloc.total != mins.base:
        out.append(
            _(
                "the allocation ({total}) does not match the result to allocate ({base}: "
                "result {result} less the debit carry-forward absorbed {absorbed})."
            ).format(
                total=money(alloc.total),
                base=money(mins.base),
                result=money(mins.result),
                absorbed=money(mins.absorbed),
            )
        )
    if alloc.legal_reserve < mins.legal_min:
        out.append(
            _(
                "the legal reserve gets {given}, less than the {rate} % the law asks ({minimum})."
            ).format(
                given=money(alloc.legal_reserve),
                rate=_rate(mins.legal_rate),
                minimum=money(mins.legal_min),
            )
        )
    needed = statutory_min(rules, mins.base, alloc.legal_reserve)
    if alloc.statutory_reserve < needed:
        out.append(
            _(
                "the statutory reserve gets {given}, less than {rate} % of what remains "
                "after the legal reserve ({minimum}); a SCIC puts at least 57.5 % of its "
                "surplus in reserves."
            ).format(
                given=money(alloc.statutory_reserve),
                rate=_rate(mins.statutory_rate),
                minimum=money(needed),
            )
            if mins.kind == "scic"
            else _(
                "the statutory reserve gets {given}, less than {rate} % of what remains "
                "after the legal reserve ({minimum})."
            ).format(
                given=money(alloc.statutory_reserve),
                rate=_rate(mins.statutory_rate),
                minimum=money(needed),
            )
        )
    if mins.interest_max is not None and alloc.interest > mins.interest_max:
        out.append(
            _("the interest on shares ({given}) is above the configured cap ({maximum}).").format(
                given=money(alloc.interest), maximum=money(mins.interest_max)
            )
        )
    return out


def _rate(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text.replace(".", ",") if _lang() == "fr" else text


def _lang() -> str:
    from alusage_ledger.core.i18n import get_language

    return get_language()


@dataclass(frozen=True)
class AllocationState:
    """What an allocation of exercice ``year`` starts from, on ``day``."""

    year: int
    end: date
    result: Decimal  # positive: a profit
    carry_credit: Decimal  # 110, credit balance (positive)
    debit_119: Decimal  # 119, debit balance (positive)
    debit_110: Decimal  # a debit balance on 110 (books with one carry-forward account)
    legal_now: Decimal
    capital_now: Decimal
    capital_highest: Decimal
    paid_capital: Decimal


def allocation_state(
    ws: Workspace, ledger: LoadedLedger, year: int, day: date | None, *, skip: Any = None
) -> AllocationState:
    """The exercice's result (from its closing entry) and the equity before ``day``."""
    config = kept_books(ws.config, ledger.entity)
    _start, end = exercice_of_year(config, year)
    if year not in closed_exercices(ledger.entries):
        raise RefusedError(
            _(
                "The exercice {year} of {entity} is not closed; close it first "
                "('alusage-ledger year close --entity {entity} --exercice {year}')."
            ).format(year=year, entity=ledger.entity)
        )
    profit, loss = _result_accounts(ws.config, ledger)
    gid = f"{YEAR_CLOSE_GEN_PREFIX}{year:04d}/result"
    result = ZERO
    for entry in ledger.entries:
        if is_transaction(entry) and gen_id(entry) == gid:
            for p in entry.postings:
                if p.account in (profit.account, loss.account):
                    result -= p.units.number
    before = day if day is not None else date.max
    bal = balances(ledger.entries, before=before, skip=skip)
    credit_accounts = accounts_with_pcg(ledger, "110")
    debit_accounts = accounts_with_pcg(ledger, "119")
    carry = -total(bal, credit_accounts)
    return AllocationState(
        year,
        end,
        result,
        max(carry, ZERO),
        max(total(bal, debit_accounts), ZERO),
        max(-carry, ZERO),
        -total(bal, accounts_with_pcg(ledger, "1061")),
        -total(bal, accounts_with_pcg(ledger, "101")),
        highest_capital(ledger, None if day is None else day - timedelta(days=1)),
        -total(bal, accounts_with_pcg(ledger, "1013")),
    )


def state_minimums(ws: Workspace, ledger: LoadedLedger, state: AllocationState) -> Minimums:
    config = ws.config.entity(ledger.entity)
    rules = ws.config.year.rules(config.kind)
    assert rules is not None
    return minimums(
        rules,
        config.kind,
        state.result,
        state.debit_119 + state.debit_110,
        state.legal_now,
        state.capital_now,
        state.capital_highest,
        state.paid_capital,
    )


@dataclass
class AllocateResult:
    entity: str
    exercice: int
    day: date
    minimums: Minimums
    allocation: Allocation
    already: bool = False
    dry_run: bool = False
    text: str = ""
    files: list[str] = field(default_factory=list)


def propose(ws: Workspace, entity: str, year: int, day: date | None = None) -> Minimums:
    """The minimum the law asks of the exercice's result (nothing is written)."""
    kept_books(ws.config, entity)
    ledger = ws.load_checked(entity)
    gid = f"{ALLOCATE_GEN_PREFIX}{year:04d}"
    state = allocation_state(ws, ledger, year, day, skip=lambda e: gen_id(e) == gid)
    return state_minimums(ws, ledger, state)


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
    dry_run: bool = False,
) -> InventoryResult:
    """An inventory entry (accrual, prepaid, depreciation, provision, corporate tax) dated
    the exercice's last day, tagged ``#inventaire``: accepted after that month is closed,
    until the exercice is closed."""
    from alusage_ledger.books.accounts import resolve_account
    from alusage_ledger.books.ledger import Append, check_text

    config = kept_books(ws.config, entity)
    _start, end = exercice_of_year(config, year)
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
            tags=(INVENTORY_TAG,),
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


def allocate(
    ws: Workspace,
    entity: str,
    year: int,
    allocation: Allocation,
    day: date,
    *,
    dry_run: bool = False,
) -> AllocateResult:
    """Book the allocation voted by the general assembly; refused when unlawful."""
    from alusage_ledger.books.accounts import Opener

    kept_books(ws.config, entity)
    gid = f"{ALLOCATE_GEN_PREFIX}{year:04d}"
    with ws.lock():
        ledger = ws.load_checked(entity)
        state = allocation_state(ws, ledger, year, day, skip=lambda e: gen_id(e) == gid)
        if day <= state.end:
            raise UsageError(
                _(
                    "The allocation is voted after the exercice {year} ends ({end}); give the "
                    "date of the general assembly with --date."
                ).format(year=year, end=state.end.isoformat())
            )
        mins = state_minimums(ws, ledger, state)
        rules = ws.config.year.rules(ws.config.entity(entity).kind)
        assert rules is not None
        broken = violations(rules, mins, allocation)
        if broken:
            raise LedgerErrors(
                _(
                    "This allocation of the result of {year} breaks the law's minimums; "
                    "nothing was written (see 'year allocate --propose')."
                ).format(year=year),
                [LedgerProblem(entity, None, None, message) for message in broken],
            )
        opener = Opener(ws.config, ledger, day)

        def role(name: str) -> str:
            found = ledger_role(ws.config, ledger, name)
            return opener.need(found.account, found.pcg, found.label)

        postings = []
        if state.result > 0:
            postings.append(posting(role("result-profit"), state.result))
        elif state.result < 0:
            postings.append(posting(role("result-loss"), state.result))
        if mins.absorbed:
            on_119 = min(mins.absorbed, state.debit_119)
            if on_119:
                postings.append(posting(role("carry-forward-debit"), -on_119))
            if mins.absorbed - on_119:
                postings.append(posting(role("carry-forward"), on_119 - mins.absorbed))
        for name, amount in (
            ("legal-reserve", allocation.legal_reserve),
            ("statutory-reserve", allocation.statutory_reserve),
            ("dividends-due", allocation.interest),
        ):
            if amount:
                postings.append(posting(role(name), -amount))
        carry = allocation.carry_forward
        if carry > 0:
            postings.append(posting(role("carry-forward"), -carry))
        elif carry < 0:
            from_credit = min(-carry, state.carry_credit)
            if from_credit:
                postings.append(posting(role("carry-forward"), from_credit))
            if -carry - from_credit:
                postings.append(posting(role("carry-forward-debit"), -carry - from_credit))
        if not postings:
            raise UsageError(
                _(
                    "The result of the exercice {year} is zero: there is nothing to allocate."
                ).format(year=year)
            )
        entry = stamp(
            transaction(
                day,
                None,
                ledger_text(
                    ws.config, N_("Allocation of the result of the exercice {year}")
                ).format(year=year),
                postings,
                meta=new_meta(exercice=f"{year:04d}"),
                tags=(ALLOCATION_TAG,),
            ),
            gid,
        )
        result = AllocateResult(entity, year, day, mins, allocation, dry_run=dry_run)
        existing = [e for e in ledger.entries if gen_id(e) == gid]
        if existing:
            if existing[0].meta.get("gen-hash") == entry.meta["gen-hash"]:
                result.already = True
                return result
            raise RefusedError(
                _(
                    "The result of {year} is already allocated (entry of {day}); correct it "
                    "with a reversal and a new entry."
                ).format(year=year, day=existing[0].date.isoformat())
            )
        planned = ws.write([*opener.appends([entry])], dry_run=dry_run)
        result.text = "\n".join(p.text for p in planned)
        result.files = [p.rel for p in planned]
    return result


def read_allocation(ledger: LoadedLedger, entry: Any) -> tuple[Decimal, Allocation, Decimal]:
    """(result allocated, allocation, debit carry-forward absorbed) from an allocation entry,
    by the PCG numbers of its accounts."""
    info = account_info(ledger.entries)

    def pcg(p: Any) -> str:
        return info.get(p.account, ("", ""))[0]

    result = sum(
        (p.units.number for p in entry.postings if pcg(p).startswith(("120", "129"))), ZERO
    )
    absorbed = ZERO
    legal = statutory = carry = interest = ZERO
    for p in entry.postings:
        number = p.units.number
        if pcg(p).startswith(("120", "129")):
            continue
        if pcg(p).startswith("1061"):
            legal -= number
        elif pcg(p).startswith("1063"):
            statutory -= number
        elif pcg(p).startswith("457"):
            interest -= number
        elif pcg(p).startswith("119") and number < 0 and result > 0:
            absorbed -= number
        elif pcg(p).startswith(("110", "119")):
            carry -= number
    return result, Allocation(legal, statutory, carry, interest), absorbed


# =========================================================================== check rules


def _exercice_file(ledger: LoadedLedger, year: int) -> Any:
    folder = Path(os.path.realpath(ledger.main)).parent
    path = Path(os.path.normpath(folder / close_file_rel(year)))
    return ledger.files.get(path)


@parsed_rule
def exercice_locks(ws: Workspace, ledger: LoadedLedger) -> Iterable[LedgerProblem]:
    """Closed exercices: the digest over their closing, inventory and opening entries, and
    their lock file as written (docs/year.md)."""
    from alusage_ledger.books.canonical import chain_digest
    from alusage_ledger.books.locks import close_records, lock_hash, month_of

    entity = ledger.entity
    if entity not in ws.config.entities:
        return []
    config = ws.config.entity(entity)
    parsed = ledger.parsed_entries()
    problems: list[LedgerProblem] = []
    records, _dups = close_records(parsed)
    seen: set[int] = set()
    for entry in parsed:
        if type(entry).__name__ != "Custom" or entry.type != EXERCICE_CLOSE_TYPE:
            continue
        year = exercice_year(entry)
        values = [v.value for v in entry.values]
        digest = str(values[1]) if len(values) > 1 else ""
        if year is None or not _DIGEST.fullmatch(digest):
            problems.append(
                problem_at(
                    ws,
                    entity,
                    entry,
                    _(
                        "this alusage-close-exercice directive is malformed (the year, then a "
                        "SHA-256 digest)."
                    ),
                )
            )
            continue
        if year in seen:
            problems.append(
                problem_at(
                    ws,
                    entity,
                    entry,
                    _("the exercice {year} is closed twice.").format(year=year),
                )
            )
            continue
        seen.add(year)
        _start, end = exercice_of_year(config, year)
        last = records.get(month_of(end))
        if last is None:
            problems.append(
                problem_at(
                    ws,
                    entity,
                    entry,
                    _(
                        "the exercice {year} is closed but its last month {month} is not; "
                        "restore the month's close file from git."
                    ).format(year=year, month=month_of(end)),
                )
            )
            continue
        if chain_digest(last.digest, covered_entries(parsed, year, end)) != digest:
            problems.append(
                problem_at(
                    ws,
                    entity,
                    entry,
                    _(
                        "the exercice {year} is closed, but its closing, inventory or opening "
                        "entries no longer match the lock: one was added, removed or changed "
                        "by hand; undo that change (book corrections in an open month)."
                    ).format(year=year),
                )
            )
        parsed_file = _exercice_file(ledger, year)
        stored = (entry.meta or {}).get(LOCK_HASH_KEY)
        if parsed_file is None or entry not in parsed_file.entries:
            problems.append(
                problem_at(
                    ws,
                    entity,
                    entry,
                    _(
                        "the lock of the exercice {year} must be in {file}; it was moved by hand."
                    ).format(year=year, file=close_file_rel(year)),
                )
            )
        elif stored != lock_hash(parsed_file.entries):
            problems.append(
                problem_at(
                    ws,
                    entity,
                    entry,
                    _(
                        "the lock file of the exercice {year} was edited by hand (it no longer "
                        "matches its lock-hash); restore it with 'git checkout -- {file}'."
                    ).format(year=year, file=parsed_file.rel),
                )
            )
    return problems


@entity_rule
def allocation_rules(ws: Workspace, ledger: LoadedLedger) -> Iterable[LedgerProblem]:
    """Allocations of a result (``#affectation``): the law's minimums of reserves."""
    entity = ledger.entity
    if entity not in ws.config.entities:
        return []
    config = ws.config.entity(entity)
    rules = ws.config.year.rules(config.kind)
    if rules is None:
        return []
    problems: list[LedgerProblem] = []
    for entry in ledger.entries:
        if not is_transaction(entry):
            continue
        if ALLOCATION_TAG not in (entry.tags or ()) and not gen_id(entry).startswith(
            ALLOCATE_GEN_PREFIX
        ):
            continue
        raw_year = str((entry.meta or {}).get("exercice") or "")
        if not re.fullmatch(r"\d{4}", raw_year):
            problems.append(
                problem_at(
                    ws,
                    entity,
                    entry,
                    _(
                        "this allocation does not say which exercice it allocates (metadata "
                        'exercice: "YYYY").'
                    ),
                )
            )
            continue
        year = int(raw_year)
        if year not in closed_exercices(ledger.entries):
            problems.append(
                problem_at(
                    ws,
                    entity,
                    entry,
                    _("this allocation is for the exercice {year}, which is not closed.").format(
                        year=year
                    ),
                )
            )
            continue
        allocated, alloc, absorbed = read_allocation(ledger, entry)
        state = allocation_state(ws, ledger, year, entry.date)
        mins = state_minimums(ws, ledger, state)
        if mins.absorbed > absorbed:  # absorbed from a debit balance on 110
            alloc = Allocation(
                alloc.legal_reserve,
                alloc.statutory_reserve,
                alloc.carry_forward - (mins.absorbed - absorbed),
                alloc.interest,
            )
        broken = violations(rules, mins, alloc)
        if allocated != state.result:
            broken.insert(
                0,
                _(
                    "it allocates {allocated} but the result of the exercice {year} is {result}."
                ).format(allocated=allocated, year=year, result=state.result),
            )
        for message in broken:
            problems.append(
                problem_at(
                    ws,
                    entity,
                    entry,
                    _("allocation of the result of {year}: {problem}").format(
                        year=year, problem=message
                    ),
                )
            )
    return problems
