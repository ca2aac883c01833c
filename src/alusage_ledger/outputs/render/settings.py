"""How output is rendered in this process: ``--json``, ``--no-color``, ``--quiet``, ``--wide``.

The command line sets them once it has parsed its global options (:func:`configure`);
the renderers (:mod:`.console`, :mod:`.progress`) read them (:func:`current`). They live
here, below the command line, so that rendering never imports it.
"""

from __future__ import annotations


class RenderSettings:
    """What the renderers need to know of the global options (a plain class: it is
    imported at every start, where a dataclass would cost a millisecond)."""

    __slots__ = ("color", "json", "quiet", "wide")

    def __init__(
        self, *, json: bool = False, color: bool = True, quiet: bool = False, wide: bool = False
    ) -> None:
        self.json = json
        self.color = color
        self.quiet = quiet
        self.wide = wide


_SETTINGS = RenderSettings()


def configure(
    *, json: bool = False, color: bool = True, quiet: bool = False, wide: bool = False
) -> RenderSettings:
    """Set the settings of this process (the defaults when called without arguments)."""
    global _SETTINGS
    _SETTINGS = RenderSettings(json=json, color=color, quiet=quiet, wide=wide)
    return _SETTINGS


def current() -> RenderSettings:
    return _SETTINGS
