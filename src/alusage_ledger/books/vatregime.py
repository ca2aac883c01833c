"""The VAT regime of an entity on a given day, from ``[[entities.<id>.vat]]``.

An entity's regime may change over time (franchise, then ``reel-mensuel``...); each
setting applies from its ``since`` day. Before the first one, the entity's kind gives the
default: a company is ``reel-mensuel``, a micro-entrepreneur under the franchise::

    [[entities.alusage.vat]]
    since = 2026-01-01
    regime = "reel-mensuel"
    exigibility = "encaissements"

Sales, purchases and the commons read the regime in force through :func:`regime_on`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from alusage_ledger.books.entityconfig import VatRegimeConfig

if TYPE_CHECKING:
    from alusage_ledger.books.config import Config

DEFAULT_REGIME = {"sas": "reel-mensuel", "scic": "reel-mensuel", "micro": "franchise"}
_EPOCH = date(1900, 1, 1)


def regimes_of(config: Config, entity: str) -> list[VatRegimeConfig]:
    """The entity's dated regimes, oldest first; before the first one, its kind's default."""
    entity_config = config.entity(entity)
    default = VatRegimeConfig(
        since=_EPOCH,
        regime=DEFAULT_REGIME.get(entity_config.kind, "reel-mensuel"),  # type: ignore[arg-type]
    )
    configured = list(entity_config.vat)
    if configured and configured[0].since > _EPOCH:
        return [default, *configured]
    return configured or [default]


def regime_on(config: Config, entity: str, day: date) -> VatRegimeConfig:
    """The VAT settings in force on ``day``."""
    current = None
    for item in regimes_of(config, entity):
        if item.since <= day:
            current = item
    assert current is not None
    return current


def regime_finder(config: Config, entity: str) -> Callable[[date], VatRegimeConfig]:
    """:func:`regime_on` for many days: the regimes are read once, each day looked up once."""
    regimes = regimes_of(config, entity)
    found: dict[date, VatRegimeConfig] = {}

    def on(day: date) -> VatRegimeConfig:
        current = found.get(day)
        if current is None:
            for item in regimes:
                if item.since <= day:
                    current = item
            assert current is not None
            found[day] = current
        return current

    return on
