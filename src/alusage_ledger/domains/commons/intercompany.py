"""Both sides of every intercompany flow, and ``check``'s proof that they agree.

A flow between two entities of the workspace (a share of le 97 billed to Alusage SAS, a
donation from Alusage SAS to Mycéliandre) is written in *both* ledgers, joined by one
link. A link is intercompany when it starts with ``ic-`` (``^ic-<policy>-<YYYY-MM>``,
``^ic-le97-alusage-2026-03``...) or with a place's id (``^le97-<YYYY-MM>-<member>``)::

    ; ledgers/alusage/2026/03.beancount
    2026-03-16 * "Mycéliandre SCIC" "Don - mars 2026" ^ic-don-myceliandre-2026-03
      Charges:Dons:Myceliandre                 300.00 EUR
      Actif:Banque:CreditCooperatif           -300.00 EUR
    ; ledgers/myceliandre/2026/03.beancount
    2026-03-17 * "Alusage SAS" "Don reçu - mars 2026" ^ic-don-myceliandre-2026-03
      Actif:Banque:Nef                         300.00 EUR
      Produits:Dons:Alusage                   -300.00 EUR

The matching rule (docs/redistribution.md, "The intercompany proof"):

* links that appear together on one entry form one *flow* (a payment settling two calls
  joins them); a flow must appear in exactly two ledgers;
* **cash crosses**: the sum of the treasury postings (PCG 512x, 53x) of one side is the
  opposite of the other side's: money out of one is money into the other;
* **debts cross**: on third-party accounts (PCG 40x, 41x, 45x, 46x: suppliers, clients,
  members, 4686/4687 accruals), each side's debits equal the other side's credits: a
  receivable of 800.00 on one side is a payable of 800.00 on the other, and settling it
  is a debit on one side and a credit on the other. A side that records the flow in cash
  only (a micro-entrepreneur paying le 97 directly) has no third-party postings; the other
  side's third-party postings must then net to zero (the receivable was settled);
* a flow present in one ledger only is an error when its other side is known to be an
  entity of the workspace: always for ``ic-`` links (the name says two sides), and for a
  place's links when the member keeps its books here.

Each error is located at one side's first entry and names the other side's file and line
(or, when missing, the ledger where it should be). This rule is the generic one: the
le 97 shares and redistribution features rely on it rather than adding their own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from beancount.core import data

from alusage_ledger.books import checks
from alusage_ledger.books.roles import role_account
from alusage_ledger.core.errors import LedgerProblem
from alusage_ledger.core.fmt import machine
from alusage_ledger.core.i18n import _
from alusage_ledger.core.money import ZERO

if TYPE_CHECKING:
    from alusage_ledger.books.config import Config
    from alusage_ledger.books.ledger import Workspace
    from alusage_ledger.books.loader import LoadedLedger

#: Link prefixes that always mean "a flow between two entities" (the brief's convention).
BASE_PREFIXES = ("ic-", "le97-")
#: PCG prefixes of the accounts whose postings must cross between the two sides.
TREASURY_PCG = ("512", "53")
THIRD_PARTY_PCG = ("40", "41", "45", "46")
_MONTH_TAIL = re.compile(r"^(?P<body>.+?)-(?P<month>\d{4}-(0[1-9]|1[0-2]))(?:-(?P<n>\d+))?$")
_MAX_LINES_SHOWN = 3


def intercompany_prefixes(config: Config) -> tuple[str, ...]:
    """``ic-``, ``le97-`` and ``<place>-`` for every configured place."""
    places = tuple(f"{place}-" for place in sorted(config.places))
    return tuple(dict.fromkeys((*BASE_PREFIXES, *places)))


def intercompany_links(entry: Any, prefixes: tuple[str, ...]) -> set[str]:
    return {link for link in (getattr(entry, "links", None) or ()) if link.startswith(prefixes)}


def account_classes(config: Config, ledger: LoadedLedger) -> dict[str, str]:
    """``{account: "treasury" | "third-party"}`` from the PCG numbers of the ``open``s.

    An account without a ``pcg`` falls back on the roles (bank and cash are treasury;
    clients, suppliers, persons and the 4686/4687 accruals are third parties).
    """

    classes: dict[str, str] = {}
    fallback: list[tuple[str, str]] = []
    for role, role_kind in (
        ("bank", "treasury"),
        ("cash", "treasury"),
        ("clients", "third-party"),
        ("suppliers", "third-party"),
        ("persons", "third-party"),
        ("accrued-charges", "third-party"),
        ("accrued-income", "third-party"),
    ):
        fallback.append((role_account(config, ledger.entity, role).account, role_kind))
    for entry in ledger.entries:
        if not isinstance(entry, data.Open):
            continue
        pcg = (entry.meta or {}).get("pcg")
        kind: str | None = None
        if isinstance(pcg, str) and pcg:
            if pcg.startswith(TREASURY_PCG):
                kind = "treasury"
            elif pcg.startswith(THIRD_PARTY_PCG):
                kind = "third-party"
        else:
            for parent, fallback_kind in fallback:
                if entry.account == parent or entry.account.startswith(parent + ":"):
                    kind = fallback_kind
                    break
        if kind is not None:
            classes[entry.account] = kind
    return classes


# --------------------------------------------------------------------------- flows


@dataclass
class Side:
    """One entity's entries of a flow, and the sums that must cross."""

    entity: str
    entries: list[Any] = field(default_factory=list)
    cash: Decimal = ZERO  # treasury postings: + money in, - money out
    debits: Decimal = ZERO  # third-party debits (receivables, payables settled)
    credits: Decimal = ZERO  # third-party credits, as a positive number

    @property
    def has_third_party(self) -> bool:
        return bool(self.debits or self.credits)

    def add(self, entry: Any, classes: dict[str, str]) -> None:
        self.entries.append(entry)
        for posting in entry.postings:
            units = posting.units
            if units is None or not isinstance(units.number, Decimal):
                continue
            kind = classes.get(posting.account)
            if kind == "treasury":
                self.cash += units.number
            elif kind == "third-party":
                if units.number > 0:
                    self.debits += units.number
                else:
                    self.credits -= units.number


@dataclass
class Flow:
    links: set[str]
    sides: dict[str, Side] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return ", ".join(f"^{link}" for link in sorted(self.links))


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, item: str) -> str:
        self.parent.setdefault(item, item)
        while self.parent[item] != item:
            self.parent[item] = self.parent[self.parent[item]]
            item = self.parent[item]
        return item

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def collect_flows(config: Config, ledgers: dict[str, LoadedLedger]) -> list[Flow]:
    """Every intercompany flow of the loaded ledgers, with each entity's side summed."""

    prefixes = intercompany_prefixes(config)
    found: list[tuple[str, Any, set[str]]] = []
    groups = _UnionFind()
    for entity in sorted(ledgers):
        for entry in ledgers[entity].entries:
            if not isinstance(entry, data.Transaction):
                continue
            links = intercompany_links(entry, prefixes)
            if not links:
                continue
            ordered = sorted(links)
            for other in ordered[1:]:
                groups.union(ordered[0], other)
            groups.find(ordered[0])
            found.append((entity, entry, links))
    flows: dict[str, Flow] = {}
    classes = {entity: account_classes(config, ledger) for entity, ledger in ledgers.items()}
    for entity, entry, links in found:
        root = groups.find(next(iter(links)))
        flow = flows.setdefault(root, Flow(set()))
        flow.links |= links
        side = flow.sides.setdefault(entity, Side(entity))
        side.add(entry, classes[entity])
    return [flows[key] for key in sorted(flows)]


def expected_entities(config: Config, link: str, holder: str) -> set[str]:
    """The entities that should hold the other side of ``link`` (empty when unknown).

    ``ic-<policy>-<month>``: the policy's ``from`` and ``to``; another ``ic-`` link: the
    entity ids and the places (standing for their host) named in it; a place's link
    ``<place>-<month>-<member>``: the host and the member's entity, when the member keeps
    its books in this workspace (an outside member has no ledger here).
    """
    others: set[str] = set()
    for policy in config.redistribution:
        if link_of_policy(link, policy.id):
            others |= {policy.from_, policy.to}
    if link.startswith("ic-"):
        body = link.removeprefix("ic-")
        match = _MONTH_TAIL.match(body)
        words = f"-{match.group('body') if match else body}-"
        others |= {entity for entity in config.entities if f"-{entity}-" in words}
        others |= {place.host for pid, place in config.places.items() if f"-{pid}-" in words}
    else:
        for place_id, place in config.places.items():
            found = re.fullmatch(rf"{re.escape(place_id)}-\d{{4}}-\d{{2}}-(?P<member>.+)", link)
            if found is None:
                continue
            entities = {
                row.entity
                for row in place.members
                if row.id == found.group("member") and row.entity is not None
            }
            if entities:
                others |= {place.host, *entities}
    others.discard(holder)
    return others


def link_of_policy(link: str, policy_id: str) -> bool:
    """``ic-<policy>-<YYYY-MM>`` or ``ic-<policy>-<YYYY-MM>-<n>``."""
    prefix = f"ic-{policy_id}-"
    if not link.startswith(prefix):
        return False
    return bool(re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])(-[2-9]|-[1-9]\d+)?", link[len(prefix) :]))


# --------------------------------------------------------------------------- the rule


def _where(ws: Workspace, entry: Any) -> str:

    meta = entry.meta or {}
    filename, line = meta.get("filename"), meta.get("lineno")
    if not filename or str(filename).startswith("<"):
        return "?"
    try:
        rel = Path(filename).resolve().relative_to(ws.root).as_posix()
    except ValueError:
        rel = str(filename)
    return f"{rel}:{line}" if line else rel


def _lines(ws: Workspace, side: Side) -> str:
    """``ledgers/a/2026/03.beancount:19, :55`` (the file is not repeated)."""
    shown: list[str] = []
    previous = None
    for entry in _ordered(side.entries)[:_MAX_LINES_SHOWN]:
        where = _where(ws, entry)
        file, _sep, line = where.rpartition(":")
        shown.append(f":{line}" if file and file == previous else where)
        previous = file or None
    more = len(side.entries) - len(shown)
    return ", ".join(shown) + (_(" and {count} more").format(count=more) if more > 0 else "")


def _ordered(entries: list[Any]) -> list[Any]:
    return sorted(entries, key=lambda e: (e.date, str((e.meta or {}).get("filename")), _line(e)))


def _line(entry: Any) -> int:
    line = (entry.meta or {}).get("lineno")
    return line if isinstance(line, int) else 0


def _money(value: Decimal) -> str:
    return f"{machine(value)} EUR"


def flow_problems(
    ws: Workspace, flows: Iterable[Flow], loaded: set[str]
) -> Iterator[LedgerProblem]:
    """The errors of the matching rule (see the module docstring)."""
    config = ws.config
    for flow in flows:
        sides = [flow.sides[e] for e in sorted(flow.sides)]
        if len(sides) == 1:
            side = sides[0]
            expected: set[str] = set()
            for link in flow.links:
                expected |= expected_entities(config, link, side.entity)
            # Without a known counterpart, an ic- link is still one side of two; unless a
            # ledger failed to load (its side may be there), that is an error too.
            unknown = (
                not expected
                and any(link.startswith("ic-") for link in flow.links)
                and loaded >= set(config.entities)
            )
            missing = sorted(e for e in expected if e in loaded)
            if not missing and not unknown:
                continue
            first = _ordered(side.entries)[0]
            if missing:
                where = "; ".join(
                    _("{entity} ({file})").format(entity=e, file=_rel_main(ws, e)) for e in missing
                )
                message = _(
                    "intercompany flow {flow}: the other side is missing in the ledger of "
                    "{where}; this side is {here} ({entity})."
                ).format(flow=flow.name, where=where, here=_lines(ws, side), entity=side.entity)
            else:
                message = _(
                    "intercompany flow {flow} is recorded only in the ledger of {entity} "
                    "({here}); an ic- link needs its other side in another entity's ledger."
                ).format(flow=flow.name, entity=side.entity, here=_lines(ws, side))
            yield checks.problem_at(ws, side.entity, first, message)
            continue
        if len(sides) > 2:
            first = _ordered(sides[0].entries)[0]
            yield checks.problem_at(
                ws,
                sides[0].entity,
                first,
                _(
                    "intercompany flow {flow} appears in {count} ledgers ({entities}); a flow "
                    "joins exactly two entities."
                ).format(
                    flow=flow.name,
                    count=len(sides),
                    entities=", ".join(s.entity for s in sides),
                ),
            )
            continue
        a, b = sides
        first = _ordered(a.entries)[0]
        if a.cash + b.cash != 0:
            yield checks.problem_at(
                ws,
                a.entity,
                first,
                _(
                    "intercompany flow {flow}: the cash does not cross: {a} records {a_cash} "
                    "({a_lines}) but {b} records {b_cash} ({b_lines}); money out of one side "
                    "must be money into the other."
                ).format(
                    flow=flow.name,
                    a=a.entity,
                    a_cash=_signed(a.cash),
                    a_lines=_lines(ws, a),
                    b=b.entity,
                    b_cash=_signed(b.cash),
                    b_lines=_lines(ws, b),
                ),
            )
        if a.has_third_party and b.has_third_party:
            if a.debits != b.credits or a.credits != b.debits:
                yield checks.problem_at(
                    ws,
                    a.entity,
                    first,
                    _(
                        "intercompany flow {flow}: the amounts owed do not cross: {a} has "
                        "{a_debits} debit and {a_credits} credit on third-party accounts "
                        "({a_lines}), {b} has {b_debits} debit and {b_credits} credit "
                        "({b_lines}); a receivable on one side must be the payable on the "
                        "other."
                    ).format(
                        flow=flow.name,
                        a=a.entity,
                        a_debits=_money(a.debits),
                        a_credits=_money(a.credits),
                        a_lines=_lines(ws, a),
                        b=b.entity,
                        b_debits=_money(b.debits),
                        b_credits=_money(b.credits),
                        b_lines=_lines(ws, b),
                    ),
                )
        else:
            for owing, cash_only in ((a, b), (b, a)):
                if owing.has_third_party and owing.debits != owing.credits:
                    yield checks.problem_at(
                        ws,
                        owing.entity,
                        _ordered(owing.entries)[0],
                        _(
                            "intercompany flow {flow}: {a} still has {open} open on "
                            "third-party accounts ({a_lines}) while {b} records it in cash "
                            "only ({b_lines})."
                        ).format(
                            flow=flow.name,
                            a=owing.entity,
                            open=_money(owing.debits - owing.credits),
                            a_lines=_lines(ws, owing),
                            b=cash_only.entity,
                            b_lines=_lines(ws, cash_only),
                        ),
                    )


def _signed(value: Decimal) -> str:
    if value > 0:
        return _("{amount} in").format(amount=_money(value))
    if value < 0:
        return _("{amount} out").format(amount=_money(-value))
    return _("no cash")


def _rel_main(ws: Workspace, entity: str) -> str:
    return ws.config.entity(entity).ledger


@checks.workspace_rule
def intercompany_flows_agree(
    ws: Workspace, ledgers: dict[str, LoadedLedger]
) -> Iterable[LedgerProblem]:
    """Every intercompany link has both sides, and their amounts cross."""
    flows = collect_flows(ws.config, ledgers)
    return list(flow_problems(ws, flows, set(ledgers)))
