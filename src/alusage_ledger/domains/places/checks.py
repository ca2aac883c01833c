"""The check rules of places (registered with :mod:`alusage_ledger.books.checks`).

* across ledgers: every ``^le97-…`` link sums to the same amount, with opposite signs, on
  the host's receivable and on the member's payable;
* at a host: charges with a readable ``period`` in EUR, members' accounts as configured
  (an account never changes once used), ``alusage-usage`` directives that name a known
  place and member.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from beancount.core import data

from alusage_ledger.books.checks import entity_rule, problem_at, workspace_rule
from alusage_ledger.books.entries import is_under
from alusage_ledger.core.errors import LedgerProblem
from alusage_ledger.core.i18n import _
from alusage_ledger.domains.places.compute import charge_problems
from alusage_ledger.domains.places.place import Member, Place, all_places, mirror_payable
from alusage_ledger.domains.places.usage import USAGE_TYPE
from alusage_ledger.domains.places.writes import ZERO, place_links

if TYPE_CHECKING:
    from alusage_ledger.books.ledger import Workspace
    from alusage_ledger.books.loader import LoadedLedger


def _belongs(entry: Any, link: str, place: Place, member: Member) -> bool:
    owner = (entry.meta or {}).get("member")
    if owner is not None:
        return bool(owner == member.id)
    match = re.fullmatch(rf"{re.escape(place.id)}-\d{{4}}-\d{{2}}-(.+)", link)
    return bool(match and match.group(1) == member.id)


def _link_sums(
    entries: Iterable[Any], place: Place, member: Member, parent: str, *, exact: bool
) -> dict[str, tuple[Decimal, Any]]:
    sums: dict[str, tuple[Decimal, Any]] = {}
    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        for link in place_links(entry, place):
            if not _belongs(entry, link, place, member):
                continue
            amount = sum(
                (
                    p.units.number
                    for p in entry.postings
                    if p.units is not None
                    and (p.account == parent if exact else is_under(p.account, parent))
                ),
                ZERO,
            )
            before, first = sums.get(link, (ZERO, entry))
            sums[link] = (before + amount, first)
    return sums


@workspace_rule
def place_links_balanced(ws: Workspace, loaded: dict[str, LoadedLedger]) -> Iterable[LedgerProblem]:
    """Every ``^le97-…`` link: the host's receivable equals minus the member's payable."""
    for place in all_places(ws.config):
        host = loaded.get(place.host)
        if host is None:
            continue
        for member in place.members:
            if not member.is_entity_member(place.host):
                continue
            assert member.entity is not None
            theirs = loaded.get(member.entity)
            if theirs is None:
                continue
            payable = mirror_payable(ws.config, place, member.entity)
            host_sums = _link_sums(
                host.entries, place, member, place.config.receivable, exact=False
            )
            member_sums = _link_sums(theirs.entries, place, member, payable, exact=True)
            for link in sorted(set(host_sums) | set(member_sums)):
                ours, host_entry = host_sums.get(link, (ZERO, None))
                mirrored, member_entry = member_sums.get(link, (ZERO, None))
                if ours == -mirrored:
                    continue
                entity, entry = (
                    (place.host, host_entry)
                    if host_entry is not None
                    else (member.entity, member_entry)
                )
                yield problem_at(
                    ws,
                    entity,
                    entry,
                    _(
                        "^{link} is not balanced across the ledgers: {host}'s receivable "
                        "says {ours}, {member}'s payable says {theirs} (it should say {want})."
                    ).format(
                        link=link,
                        host=place.host,
                        ours=f"{ours:f}",
                        member=member.entity,
                        theirs=f"{mirrored:f}",
                        want=f"{-ours:f}",
                    ),
                )


@entity_rule
def place_host_rules(ws: Workspace, ledger: LoadedLedger) -> Iterable[LedgerProblem]:
    """At a host: members' accounts as configured, readable periods, known usage ids."""
    places = [p for p in all_places(ws.config) if p.host == ledger.entity]
    if not places:
        return
    by_id = {p.id: p for p in places}
    for place in places:
        yield from charge_problems(place, ledger)
        known = {m.id: m for m in place.members}
        reported: set[tuple[str, str]] = set()
        for entry in ledger.entries:
            if not isinstance(entry, data.Transaction):
                continue
            meta = entry.meta or {}
            if meta.get("place") != place.id or not isinstance(meta.get("member"), str):
                continue
            member = known.get(meta["member"])
            if member is None:
                yield problem_at(
                    ws,
                    ledger.entity,
                    entry,
                    _("member {member!r} is not a member of {place} in alusage.toml.").format(
                        member=meta["member"], place=place.id
                    ),
                    "warning",
                )
                continue
            derived = place.member_account(member)
            for posting in entry.postings:
                account = posting.account
                if (
                    is_under(account, place.config.receivable)
                    and account != derived
                    and (member.id, account) not in reported
                ):
                    reported.add((member.id, account))
                    yield problem_at(
                        ws,
                        ledger.entity,
                        entry,
                        _(
                            "the ledger uses {account} for the member {member} of {place}, but "
                            "alusage.toml now gives {derived}; an account never changes once "
                            'used: add account = "{component}" to this member in alusage.toml.'
                        ).format(
                            account=account,
                            member=member.id,
                            place=place.id,
                            derived=derived,
                            component=account.rsplit(":", 1)[-1],
                        ),
                    )
    for entry in ledger.entries:
        if isinstance(entry, data.Custom) and entry.type == USAGE_TYPE:
            values = [v.value for v in entry.values]
            place_id = values[0] if values else None
            target = by_id.get(str(place_id)) if place_id is not None else None
            if len(values) != 3 or not isinstance(values[2], Decimal):
                yield problem_at(
                    ws,
                    ledger.entity,
                    entry,
                    _('an alusage-usage directive is "place" "member" days.'),
                )
            elif target is None:
                yield problem_at(
                    ws,
                    ledger.entity,
                    entry,
                    _("days of use for an unknown place {place!r}.").format(place=place_id),
                    "warning",
                )
            elif str(values[1]) not in {m.id for m in target.members}:
                yield problem_at(
                    ws,
                    ledger.entity,
                    entry,
                    _("days of use for {member!r}, who is not a member of {place}.").format(
                        member=values[1], place=target.id
                    ),
                    "warning",
                )
