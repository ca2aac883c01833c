"""What :func:`~alusage_ledger.outputs.fec.build.build_fec` needs besides the entries, and
where it comes from: the exercice, the export date, the entity's third-party accounts."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from alusage_ledger.books.roles import DEFAULT_ROLES, role_account
from alusage_ledger.core.errors import UsageError
from alusage_ledger.core.i18n import _
from alusage_ledger.core.periods import Exercice
from alusage_ledger.domains.lettering.letters import THIRD_PARTY_ROLES
from alusage_ledger.domains.places.place import all_places

if TYPE_CHECKING:
    from alusage_ledger.books.config import Config


@dataclass(frozen=True)
class FecSettings:
    """What :func:`~alusage_ledger.outputs.fec.build.build_fec` needs besides the entries (all from the config and the CLI)."""

    entity: str
    name: str
    siren: str
    start: date
    end: date
    export_date: date
    root: Path
    books_start: date | None = None
    allow_open: bool = False
    #: Parents whose sub-accounts are third parties (clients, suppliers, persons, places).
    third_party_parents: tuple[str, ...] = ()
    #: Known names of third-party accounts (members of places), for CompAuxLib.
    third_party_names: Mapping[str, str] = field(default_factory=dict)
    currency: str = "EUR"


def export_date(environ: Mapping[str, str] | None = None) -> date:
    """Today, or ``ALUSAGE_TODAY`` (``YYYY-MM-DD``) for reproducible exports and tests."""
    env = os.environ if environ is None else environ
    raw = env.get("ALUSAGE_TODAY")
    if not raw:
        return date.today()
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise UsageError(
            _("ALUSAGE_TODAY must be a date YYYY-MM-DD (got {value!r}).").format(value=raw)
        ) from None


def exercice_bounds(exercice_start: str, year: int) -> tuple[date, date]:
    """First and last day of exercice ``year``: the exercice that *closes* in ``year``.

    With ``exercice_start = "01-01"`` that is January 1st to December 31st of ``year``;
    with ``"07-01"``, exercice 2026 runs from 2025-07-01 to 2026-06-30 (French usage:
    "l'exercice clos en 2026"; the FEC is named after its closing date).
    """
    if not 1900 <= year <= 2099:
        raise UsageError(
            _("The exercice must be a year between 1900 and 2099 (got {year}).").format(year=year)
        )
    exercice = Exercice.ending_in(year, exercice_start)
    return exercice.first_day, exercice.last_day


def third_party_parents(config: Config, entity: str) -> tuple[str, ...]:
    """Accounts whose sub-accounts belong to one third party each (CompAuxNum).

    The entity's third-party roles (``clients``, ``suppliers``, ``persons``, and
    ``members`` when configured: the roles lettering works on) and the members'
    receivable of every place the entity hosts (``[places.<id>] receivable``, e.g.
    ``Actif:Usagers:Le97``).
    """
    parents = [
        role_account(config, entity, role).account
        for role in THIRD_PARTY_ROLES
        if role in DEFAULT_ROLES or role in config.entity(entity).accounts
    ]
    parents += [p.config.receivable for p in all_places(config) if p.config.host == entity]
    return tuple(dict.fromkeys(parents))


def third_party_names(config: Config, entity: str) -> dict[str, str]:
    """``{account: name}`` of the members of the places ``entity`` hosts (CompAuxLib).

    A member's configured ``name``, else the name of the entity it is, else nothing (the
    name is then learnt from the entries).
    """
    names: dict[str, str] = {}
    for place in all_places(config):
        if place.config.host != entity:
            continue
        for member in place.members:
            name = member.name if member.name != member.id else None
            if name is None and member.entity and member.entity in config.entities:
                name = config.entities[member.entity].name
            if name:
                names[place.member_account(member)] = name
    return names
