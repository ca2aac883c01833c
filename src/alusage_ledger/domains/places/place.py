"""Shared places (le 97): their members and accounts.

A place is paid for by a *host* entity (Mycéliandre SCIC for le 97) and used by
*members*; each member pays its share of the place's rent and charges ("propriété
d'usage"). The ``[places.*]`` section of ``alusage.toml`` (example and pydantic models in
:mod:`alusage_ledger.books.placeconfig`) is read by the configuration; this module holds
the small helpers every command needs (find a place or a member, its sub-account). The
arithmetic lives in :mod:`allocation`, the ledger work in :mod:`calls`, :mod:`payments`
and :mod:`statement`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from alusage_ledger.books.placeconfig import (
    ChargeGroupConfig,
    MemberConfig,
    PlaceConfig,
    covers,
    derive_component,
)
from alusage_ledger.books.roles import role_account
from alusage_ledger.core.chart import account_component
from alusage_ledger.core.errors import UsageError
from alusage_ledger.core.i18n import _
from alusage_ledger.core.suggest import did_you_mean
from alusage_ledger.domains.places.allocation import MemberSpec, PeriodSpec

if TYPE_CHECKING:
    from alusage_ledger.books.config import Config
    from alusage_ledger.core.periods import Month


# --------------------------------------------------------------------------- helpers


@dataclass(frozen=True)
class Member:
    """A member of a place, all its configured periods together."""

    id: str
    name: str
    entity: str | None
    account: str  # the sub-account component under the place's receivable
    periods: tuple[MemberConfig, ...]

    def spec(self) -> MemberSpec:
        """The member as the allocation core sees it (its dated periods)."""
        return MemberSpec(
            self.id,
            tuple(
                PeriodSpec(row.since, row.until, row.surface_m2, row.desks, row.fixed)
                for row in self.periods
            ),
        )

    def active_days(self, month: Month) -> int:
        """Calendar days of membership in ``month``."""
        return self.spec().active_days(month)

    def is_entity_member(self, host: str) -> bool:
        return self.entity is not None and self.entity != host


@dataclass(frozen=True)
class Place:
    """A configured place with its members gathered by id (ordered by id)."""

    id: str
    config: PlaceConfig
    members: tuple[Member, ...]

    @property
    def name(self) -> str:
        return self.config.name or self.id

    @property
    def host(self) -> str:
        return self.config.host

    def member(self, member_id: str) -> Member:
        for member in self.members:
            if member.id == member_id:
                return member
        raise UsageError(
            _("Unknown member {name!r} of {place}{hint}; the members are: {known}.").format(
                name=member_id,
                place=self.id,
                hint=did_you_mean(member_id, [m.id for m in self.members]),
                known=", ".join(m.id for m in self.members) or "-",
            )
        )

    def member_account(self, member: Member) -> str:
        return f"{self.config.receivable}:{member.account}"

    def group_of(self, account: str) -> ChargeGroupConfig | None:
        for group in self.config.charges:
            if any(covers(parent, account) for parent in group.accounts):
                return group
        return None

    def active_members(self, month: Month) -> list[Member]:
        return [m for m in self.members if m.active_days(month) > 0]


def build_place(place_id: str, config: PlaceConfig) -> Place:
    rows: dict[str, list[MemberConfig]] = {}
    for row in config.members:
        rows.setdefault(row.id, []).append(row)
    members = []
    for member_id in sorted(rows):
        periods = tuple(sorted(rows[member_id], key=lambda r: r.since))
        name = next((r.name for r in periods if r.name), None) or member_id
        entity = next((r.entity for r in periods if r.entity), None)
        account = next((r.account for r in periods if r.account), None) or derive_component(
            member_id
        )
        members.append(Member(member_id, name, entity, account, periods))
    return Place(place_id, config, tuple(members))


def get_place(config: Config, place_id: str) -> Place:
    """The place ``place_id``, or UsageError (exit 2) naming the known places."""
    place = config.places.get(place_id)
    if place is None:
        raise UsageError(
            _("Unknown place {name!r}{hint}; the places are: {known}.").format(
                name=place_id,
                hint=did_you_mean(place_id, list(config.places)),
                known=", ".join(sorted(config.places)) or "-",
            )
        )
    return build_place(place_id, place)


def all_places(config: Config) -> list[Place]:
    return [build_place(pid, cfg) for pid, cfg in sorted(config.places.items())]


def mirror_payable(config: Config, place: Place, entity: str) -> str:
    """The payable to the host in a member entity's ledger (configured, else derived)."""
    if place.config.mirror_payable is not None:
        return place.config.mirror_payable
    host_name = config.entity(place.host).name
    return f"{role_account(config, entity, 'suppliers').account}:{account_component(host_name)}"


def member_deducts_vat(config: Config, entity: str, day: date) -> bool:
    """Whether a member entity deducts the VAT of its calls (not under the franchise)."""
    entity_config = config.entity(entity)
    if entity_config.kind == "micro":
        return False
    regime = None
    for item in sorted(entity_config.vat, key=lambda r: r.since):
        if item.since <= day:
            regime = item.regime
    return regime != "franchise"
