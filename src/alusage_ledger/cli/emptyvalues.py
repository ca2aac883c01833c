"""An option or argument given an empty value is an error, never its default (issue 22).

``--date ""`` used to mean today, ``--workspace ""`` the current folder: a value that a
script left empty (an unset shell variable, ``--date "$DAY"``) silently became something
else. Click hands every parameter the raw values the command line gave it
(``Parameter.handle_parse_result``); :func:`refuse_empty_values` wraps that method once,
so that a value given but empty (or only white space) is a
:class:`~alusage_ledger.core.errors.UsageError` (exit 2) naming the option. Values that
come from a default or from the environment are not concerned.
"""

from __future__ import annotations

from typing import Any

from alusage_ledger.cli._click import click
from alusage_ledger.core.errors import UsageError
from alusage_ledger.core.i18n import _


def _empty(value: Any) -> bool:
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple):
        return any(_empty(item) for item in value)
    return False


def empty_value_error(param: Any) -> UsageError:
    """The error for ``param`` given an empty value: its longest name, e.g. ``--date``."""
    if getattr(param, "param_type_name", "") == "argument":
        return UsageError(
            _("The argument {name} is empty; give it a value.").format(
                name=getattr(param, "metavar", None) or str(param.name).upper()
            )
        )
    name = max(param.opts, key=len) if param.opts else str(param.name)
    return UsageError(
        _("The option {name} is empty; give it a value or leave it out.").format(name=name)
    )


_INSTALLED: list[bool] = []


def refuse_empty_values() -> None:
    """Make every parameter of every command refuse an empty value (once per process)."""
    if _INSTALLED:
        return
    _INSTALLED.append(True)
    parameter = click.core.Parameter
    original = parameter.handle_parse_result

    def handle_parse_result(self: Any, ctx: Any, opts: Any, args: list[str]) -> Any:
        if (
            self.name in opts
            and not getattr(self, "is_flag", False)
            and not ctx.resilient_parsing
            and _empty(opts[self.name])
        ):
            raise empty_value_error(self)
        return original(self, ctx, opts, args)

    parameter.handle_parse_result = handle_parse_result
