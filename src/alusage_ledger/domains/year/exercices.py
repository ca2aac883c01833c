"""Which exercice: the year as typed on the command line, and the entities that keep
books with exercices (not a micro-entrepreneur).

An exercice is named by the calendar year it *ends* in (``--exercice 2026``); its bounds
follow the entity's ``exercice_start``: ``Exercice.ending_in(year, config.exercice_start)``
(:class:`alusage_ledger.core.periods.Exercice`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from alusage_ledger.core.errors import UsageError
from alusage_ledger.core.i18n import _

if TYPE_CHECKING:
    from alusage_ledger.books.config import Config
    from alusage_ledger.books.entityconfig import EntityConfig


def parse_exercice(text: str | int) -> int:
    value = str(text).strip()
    if not re.fullmatch(r"\d{4}", value) or not 1900 <= int(value) <= 2099:
        raise UsageError(
            _("{value!r} is not an exercice; give the year it ends in, e.g. 2026.").format(
                value=str(text)
            )
        )
    return int(value)


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
