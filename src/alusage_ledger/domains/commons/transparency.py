"""The transparency report: what the ecosystem created, paid, gave back and shared.

The document a cooperative shows its general assembly (Open Collective style, from the
ledgers themselves), for a period, month by month:

* **value created**: revenue excluding VAT by entity and activity (the ``activity``
  metadata, else the income account's last component), intercompany flows left out;
* **paid to people**: pay and social charges (PCG 64x) and owners' drawings (108);
* **given back to the commons**: what each ``[[redistribution]]`` policy gave (the
  giver's expense on the entries linked ``^ic-<policy>-...``), by policy and recipient,
  and as a share of the givers' revenue; other gifts (6238) outside any policy too; the
  regularisations among them (a promised donation lowered after a credit note, see
  ``regularisation``) are listed on their own, with the month they correct;
* **le 97** (every configured place): the host's costs by charge group, what each user
  was called for (``member`` metadata, else the call's link), and what the host bore.

Every figure is a sum of postings, and every line carries the beanquery (BQL) queries
whose sum gives the same total (``checks``), so the report ties back to the ledgers: the
tests run each query. Amounts are dated by their entries (a donation for March posted on
March 31st counts in March).

This module computes the report (:class:`Report`); ``outputs.transparency`` shows it
(terminal tables, Markdown, CSV, JSON).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from beancount.core import data

from alusage_ledger.books.exercice import is_year_end_entry
from alusage_ledger.core.money import ZERO
from alusage_ledger.core.periods import Month, parse_period
from alusage_ledger.domains.commons.intercompany import intercompany_prefixes, link_of_policy

if TYPE_CHECKING:
    from alusage_ledger.books.ledger import Workspace
    from alusage_ledger.books.loader import LoadedLedger
    from alusage_ledger.core.periods import Period

_YEAR_MONTH = "[0-9][0-9][0-9][0-9]-[0-9][0-9]"  # no braces: beanquery formats queries
_REGULARISATION = re.compile(r"^redistribution/[^/]+/regularisation(-[0-9]+)?$")


@dataclass(frozen=True)
class Check:
    """A BQL query on one entity's ledger whose single sum, times ``sign``, is a share of
    a total."""

    entity: str
    query: str
    sign: int = 1


@dataclass
class Line:
    """One row of the report: its key (entity, activity...), monthly amounts, checks."""

    key: tuple[str, ...]
    months: dict[Month, Decimal] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum(self.months.values(), ZERO)

    def add(self, month: Month, amount: Decimal) -> None:
        self.months[month] = self.months.get(month, ZERO) + amount


@dataclass
class Section:
    """Lines of one part of the report; ``total_checks`` give its total in a few queries."""

    name: str
    lines: list[Line] = field(default_factory=list)
    total_checks: list[Check] = field(default_factory=list)

    def line(self, key: tuple[str, ...], checks: Iterable[Check] = ()) -> Line:
        for line in self.lines:
            if line.key == key:
                return line
        created = Line(key, checks=list(checks))
        self.lines.append(created)
        return created

    def by_month(self, months: Iterable[Month]) -> dict[Month, Decimal]:
        return {m: sum((ln.months.get(m, ZERO) for ln in self.lines), ZERO) for m in months}

    @property
    def total(self) -> Decimal:
        return sum((ln.total for ln in self.lines), ZERO)


@dataclass(frozen=True)
class Regularisation:
    """A regularisation entry of a policy: the month it corrects, its date, the giver's
    expense (negative when the policy now gives less)."""

    policy: str
    month: str
    day: date
    amount: Decimal


@dataclass
class Report:
    period: Period
    months: list[Month]
    entities: dict[str, str]  # id → name
    value: Section
    people: Section
    commons: Section
    places: list[tuple[str, str, Section, Section]]  # (id, name, costs, calls)
    givers: dict[str, str]  # policy id → from entity (for the share of revenue)
    members: dict[str, dict[str, str]] = field(default_factory=dict)  # place → id → name
    regularisations: list[Regularisation] = field(default_factory=list)

    def revenue_of(self, entities: Iterable[str], month: Month | None = None) -> Decimal:
        wanted = set(entities)
        return sum(
            (
                ln.total if month is None else ln.months.get(month, ZERO)
                for ln in self.value.lines
                if ln.key[0] in wanted
            ),
            ZERO,
        )

    def share(self, given: Decimal, revenue: Decimal) -> Decimal | None:
        if revenue <= 0:
            return None
        return given / revenue


# --------------------------------------------------------------------------- building


def _transactions(ledger: LoadedLedger, period: Period) -> Iterable[Any]:

    return (
        e
        for e in ledger.entries
        if isinstance(e, data.Transaction) and e.date in period and not is_year_end_entry(e)
    )


def _quote(text: str) -> str:
    """A BQL string literal: quotes doubled (the grammar's only escape), and braces
    doubled because beanquery's ``run_query`` passes the query through ``str.format``."""
    escaped = text.replace("'", "''").replace("{", "{{").replace("}", "}}")
    return f"'{escaped}'"


def _when(period: Period) -> str:
    return f"date >= {period.start.isoformat()} AND date < {period.end.isoformat()}"


def _under(account: str, root: str) -> bool:
    return account == root or account.startswith(root + ":")


def _account_regex(accounts: Iterable[str]) -> str:
    alternatives = "|".join(re.escape(a) for a in sorted(accounts))
    return f"^({alternatives})(:|$)"


def build_report(ws: Workspace, period_text: str) -> Report:
    """Load every ledger once and compute the report (see the module docstring)."""
    period = parse_period(period_text)
    config = ws.config
    ledgers = {entity: ws.load_checked(entity) for entity in config.entities}
    return compute_report(ws, ledgers, period)


def compute_report(ws: Workspace, ledgers: dict[str, LoadedLedger], period: Period) -> Report:
    config = ws.config
    prefixes = intercompany_prefixes(config)
    ic_regex = "(^|,)(" + "|".join(re.escape(p) for p in prefixes) + ")"
    when = _when(period)
    pcg: dict[str, dict[str, str]] = {e: _pcg_numbers(ledger) for e, ledger in ledgers.items()}

    value = Section("value")
    people = Section("people")
    for entity, ledger in ledgers.items():
        income = ledger.roots()[3]
        for entry in _transactions(ledger, period):
            if any(link.startswith(prefixes) for link in entry.links or ()):
                continue
            for posting in entry.postings:
                if not _under(posting.account, income) or posting.units is None:
                    continue
                activity = (posting.meta or {}).get("activity") or (entry.meta or {}).get(
                    "activity"
                )
                if activity:
                    key, test = str(activity), f"any_meta('activity') = {_quote(str(activity))}"
                else:
                    leaf = posting.account.rsplit(":", 1)[-1]
                    key = leaf
                    test = f"any_meta('activity') IS NULL AND leaf(account) = {_quote(leaf)}"
                query = (
                    f"SELECT sum(number) WHERE account ~ {_quote('^' + re.escape(income) + ':')} "
                    f"AND {when} AND NOT (joinstr(links) ~ {_quote(ic_regex)}) AND {test}"
                )
                value.line((entity, key), [Check(entity, query, -1)]).add(
                    Month.of(entry.date), -posting.units.number
                )
        numbers = pcg[entity]
        for entry in _transactions(ledger, period):
            for posting in entry.postings:
                number = numbers.get(posting.account, "")
                if posting.units is None:
                    continue
                if number.startswith("64"):
                    what, pattern = "pay", "^64"
                elif number.startswith("108"):
                    what, pattern = "drawings", "^108"
                else:
                    continue
                query = (
                    f"SELECT sum(number) WHERE open_meta(account, 'pcg') ~ {_quote(pattern)} "
                    f"AND {when}"
                )
                people.line((entity, what), [Check(entity, query)]).add(
                    Month.of(entry.date), posting.units.number
                )
    value.lines.sort(key=lambda ln: (list(ledgers).index(ln.key[0]), ln.key[1]))
    people.lines.sort(key=lambda ln: (list(ledgers).index(ln.key[0]), ln.key[1]))
    for entity in dict.fromkeys(ln.key[0] for ln in value.lines):
        income = ledgers[entity].roots()[3]
        value.total_checks.append(
            Check(
                entity,
                f"SELECT sum(number) WHERE account ~ {_quote('^' + re.escape(income) + ':')} "
                f"AND {when} AND NOT (joinstr(links) ~ {_quote(ic_regex)})",
                -1,
            )
        )
    for entity in dict.fromkeys(ln.key[0] for ln in people.lines):
        people.total_checks.append(
            Check(
                entity,
                f"SELECT sum(number) WHERE open_meta(account, 'pcg') ~ '^(64|108)' AND {when}",
            )
        )

    commons = Section("commons")
    regularisations: list[Regularisation] = []
    givers: dict[str, str] = {}
    for policy in config.redistribution:
        givers[policy.id] = policy.from_
        ledger = ledgers[policy.from_]
        expense = ledger.roots()[4]
        link_regex = f"(^|,)ic-{re.escape(policy.id)}-{_YEAR_MONTH}(-[0-9]+)?(,|$)"
        query = (
            f"SELECT sum(number) WHERE account ~ {_quote('^' + re.escape(expense) + ':')} "
            f"AND {when} AND joinstr(links) ~ {_quote(link_regex)}"
        )
        line = commons.line((policy.id, policy.from_, policy.to, policy.kind))
        line.checks.append(Check(policy.from_, query))
        for entry in _transactions(ledger, period):
            if not any(link_of_policy(link, policy.id) for link in entry.links or ()):
                continue
            spent = ZERO
            for posting in entry.postings:
                if _under(posting.account, expense) and posting.units is not None:
                    line.add(Month.of(entry.date), posting.units.number)
                    spent += posting.units.number
            if _REGULARISATION.search(str((entry.meta or {}).get("gen-id", ""))):
                corrected = str((entry.meta or {}).get("period", ""))
                regularisations.append(Regularisation(policy.id, corrected, entry.date, spent))
    for giver in dict.fromkeys(p.from_ for p in config.redistribution):
        ids = "|".join(re.escape(p.id) for p in config.redistribution if p.from_ == giver)
        expense = ledgers[giver].roots()[4]
        commons.total_checks.append(
            Check(
                giver,
                f"SELECT sum(number) WHERE account ~ {_quote('^' + re.escape(expense) + ':')} "
                f"AND {when} AND joinstr(links) ~ "
                f"{_quote(f'(^|,)ic-({ids})-{_YEAR_MONTH}(-[0-9]+)?(,|$)')}",
            )
        )
    _other_gifts(config, ledgers, period, commons, pcg, when)

    places = []
    for place_id, place in sorted(config.places.items()):
        if place.host not in ledgers:
            continue
        costs, calls = _place(place_id, place, ledgers[place.host], period, when)
        places.append((place_id, place.name or place_id, costs, calls))

    return Report(
        period=period,
        months=period.months(),
        entities={e: config.entity(e).name for e in ledgers},
        value=value,
        people=people,
        commons=commons,
        places=places,
        givers=givers,
        members={
            pid: {row.id: row.name or row.id for row in place.members}
            for pid, place in config.places.items()
        },
        regularisations=sorted(regularisations, key=lambda r: (r.day, r.policy, r.month)),
    )


def _pcg_numbers(ledger: LoadedLedger) -> dict[str, str]:

    return {
        e.account: str((e.meta or {}).get("pcg") or "")
        for e in ledger.entries
        if isinstance(e, data.Open)
    }


def _other_gifts(
    config: Any,
    ledgers: dict[str, LoadedLedger],
    period: Period,
    commons: Section,
    pcg: dict[str, dict[str, str]],
    when: str,
) -> None:
    """Donations made (6238) outside any configured policy, per entity."""
    ids = [p.id for p in config.redistribution]
    policies_regex = (
        "(^|,)ic-(" + "|".join(re.escape(i) for i in ids) + f")-{_YEAR_MONTH}(-[0-9]+)?(,|$)"
        if ids
        else None
    )
    for entity, ledger in ledgers.items():
        exclude = f" AND NOT (joinstr(links) ~ {_quote(policies_regex)})" if policies_regex else ""
        query = f"SELECT sum(number) WHERE open_meta(account, 'pcg') ~ '^6238' AND {when}{exclude}"
        found = Line(("", entity, "", "other"), checks=[Check(entity, query)])
        for entry in _transactions(ledger, period):
            if any(link_of_policy(link, i) for link in entry.links or () for i in ids):
                continue
            for posting in entry.postings:
                if pcg[entity].get(posting.account, "").startswith("6238") and posting.units:
                    found.add(Month.of(entry.date), posting.units.number)
        if found.months:
            commons.lines.append(found)
            commons.total_checks.extend(found.checks)


def _place(
    place_id: str, place: Any, host: LoadedLedger, period: Period, when: str
) -> tuple[Section, Section]:
    costs = Section("costs")
    calls = Section("calls")
    charge_accounts = [a for group in place.charges for a in group.accounts]
    if charge_accounts:
        costs.total_checks.append(
            Check(
                place.host,
                f"SELECT sum(number) WHERE account ~ {_quote(_account_regex(charge_accounts))} "
                f"AND {when}",
            )
        )
    calls.total_checks.append(
        Check(
            place.host,
            f"SELECT sum(number) WHERE account ~ {_quote(_account_regex([place.income]))} "
            f"AND {when}",
            -1,
        )
    )
    for group in place.charges:
        query = (
            f"SELECT sum(number) WHERE account ~ {_quote(_account_regex(group.accounts))} "
            f"AND {when}"
        )
        costs.line((group.name,), [Check(place.host, query)])
    members = sorted({row.id for row in place.members})
    member_link = {
        m: re.compile(
            rf"^(ic-{re.escape(place_id)}-{re.escape(m)}-\d{{4}}-\d{{2}}"
            rf"|{re.escape(place_id)}-\d{{4}}-\d{{2}}-{re.escape(m)})(-\d+)?$"
        )
        for m in members
    }

    def link_pattern(m: str) -> str:
        return (
            f"(^|,)(ic-{re.escape(place_id)}-{re.escape(m)}-{_YEAR_MONTH}"
            f"|{re.escape(place_id)}-{_YEAR_MONTH}-{re.escape(m)})(-[0-9]+)?(,|$)"
        )

    income_regex = _account_regex([place.income])
    any_member = "|".join(
        f"ic-{re.escape(place_id)}-{re.escape(m)}-{_YEAR_MONTH}"
        f"|{re.escape(place_id)}-{_YEAR_MONTH}-{re.escape(m)}"
        for m in members
    )
    for m in members:
        query = (
            f"SELECT sum(number) WHERE account ~ {_quote(income_regex)} AND {when} AND "
            f"(any_meta('member') = {_quote(m)} OR (any_meta('member') IS NULL AND "
            f"joinstr(links) ~ {_quote(link_pattern(m))}))"
        )
        calls.line((m,), [Check(place.host, query, -1)])
    other_query = f"SELECT sum(number) WHERE account ~ {_quote(income_regex)} AND {when} AND any_meta('member') IS NULL"
    if any_member:
        other_query += (
            f" AND NOT (joinstr(links) ~ {_quote(f'(^|,)({any_member})(-[0-9]+)?(,|$)')})"
        )
    other = Line(("",), checks=[Check(place.host, other_query, -1)])

    for entry in _transactions(host, period):
        month = Month.of(entry.date)
        for posting in entry.postings:
            if posting.units is None:
                continue
            for group in place.charges:
                if any(_under(posting.account, a) for a in group.accounts):
                    costs.line((group.name,)).add(month, posting.units.number)
            if not _under(posting.account, place.income):
                continue
            member = (posting.meta or {}).get("member") or (entry.meta or {}).get("member")
            if member is None:
                member = next(
                    (
                        m
                        for m, pattern in member_link.items()
                        if any(pattern.match(link) for link in entry.links or ())
                    ),
                    None,
                )
            if member is None:
                other.add(month, -posting.units.number)
            else:
                calls.line((str(member),)).add(month, -posting.units.number)
    if other.months:
        calls.lines.append(other)
    return costs, calls
