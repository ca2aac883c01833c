"""Shell completion of values from the workspace (issue 23, item 7).

``alusage-ledger --install-completion`` installs click's completion for the shell; this
module makes the values complete, not only the option names: ``--entity <Tab>`` offers
the entities of ``alusage.toml`` (not file names), ``--place``/``PLACE`` the places,
``--activity`` the activities, ``--month``/``--period`` the months of the books, and the
invoice and bill numbers the ledgers hold. Each completer reads the workspace found from
the current directory (or ``--workspace`` on the line being completed); any error yields
no proposal rather than a traceback in the user's shell.

:func:`enable_completion` attaches the completers to the command tree by parameter name,
as the tree is built (``cli/app.py`` calls it where it calls ``enable_prompts``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any


def _workspace(ctx: Any) -> Any:
    # lazy: completion runs rarely; the books load only then
    from alusage_ledger.books.config import find_workspace

    # lazy: completion runs rarely; the books load only then
    from alusage_ledger.books.ledger import Workspace

    root_ctx = ctx.find_root() if ctx is not None else None
    given = (root_ctx.params.get("workspace") if root_ctx is not None else None) or None
    return Workspace.open(find_workspace(Path(given) if given else None))


def _matching(values: list[str], incomplete: str) -> list[str]:
    return [v for v in sorted(set(values)) if v.startswith(incomplete)]


def entities(ctx: Any, _param: Any, incomplete: str) -> list[str]:
    return _matching(list(_workspace(ctx).config.entities), incomplete)


def places(ctx: Any, _param: Any, incomplete: str) -> list[str]:
    return _matching(list(_workspace(ctx).config.places), incomplete)


def activities(ctx: Any, _param: Any, incomplete: str) -> list[str]:
    ws = _workspace(ctx)
    names: list[str] = []
    for entity in ws.config.entities.values():
        names.extend(getattr(entity, "activities", {}) or {})
    return _matching(names, incomplete)


def members(ctx: Any, _param: Any, incomplete: str) -> list[str]:
    ws = _workspace(ctx)
    found: list[str] = []
    for place in ws.config.places.values():
        found.extend(m.id for m in getattr(place, "members", ()) if getattr(m, "id", None))
    return _matching(found, incomplete)


def months(ctx: Any, _param: Any, incomplete: str) -> list[str]:
    """The months that have a ledger file (``ledgers/<entity>/YYYY/MM.beancount``)."""
    ws = _workspace(ctx)
    found = [
        f"{path.parent.name}-{path.stem}"
        for path in (ws.root / "ledgers").glob("*/[0-9][0-9][0-9][0-9]/[0-9][0-9].beancount")
    ]
    return _matching(found, incomplete)


def _links(ctx: Any, prefix: str, incomplete: str) -> list[str]:
    """Document numbers: the ``invoice``/``piece-ref`` metadata of the ledgers' entries."""
    ws = _workspace(ctx)
    found: list[str] = []
    for entity in ws.config.entities:
        for entry in ws.load(entity).entries:
            meta = getattr(entry, "meta", None) or {}
            value = meta.get(prefix)
            if isinstance(value, str):
                found.append(value)
    return _matching(found, incomplete)


def invoices(ctx: Any, _param: Any, incomplete: str) -> list[str]:
    return _links(ctx, "invoice", incomplete)


def bills(ctx: Any, _param: Any, incomplete: str) -> list[str]:
    return _links(ctx, "piece-ref", incomplete)


def _safe(completer: Callable[[Any, Any, str], list[str]]) -> Callable[..., list[str]]:
    def complete(ctx: Any, param: Any, incomplete: str) -> list[str]:
        try:
            return completer(ctx, param, incomplete)
        except Exception:  # completion must never break the user's shell
            return []

    complete.__name__ = completer.__name__
    return complete


#: Completers by option name (``--entity``) or argument name (``place``).
BY_NAME: dict[str, Callable[..., list[str]]] = {
    "--entity": _safe(entities),
    "--place": _safe(places),
    "place": _safe(places),
    "--activity": _safe(activities),
    "member": _safe(members),
    "--member": _safe(members),
    "--month": _safe(months),
    "month": _safe(months),
    "--period": _safe(months),
}
#: Completers of a command's NUMBER/PIECE argument, by the command's group.
BY_GROUP: dict[str, Callable[..., list[str]]] = {
    "invoice": _safe(invoices),
    "bill": _safe(bills),
}


def completer_for(param: Any, group: str | None) -> Callable[..., list[str]] | None:
    """The completer of ``param`` (a click parameter) in a command of ``group``."""
    names = [*getattr(param, "opts", ()), getattr(param, "name", "") or ""]
    for name in names:
        if name in BY_NAME:
            return BY_NAME[name]
    argument = getattr(param, "param_type_name", "") == "argument"
    numbered = (getattr(param, "name", "") or "") in ("number", "piece", "numbers", "pieces")
    if argument and numbered and group in BY_GROUP:
        return BY_GROUP[group]
    return None


def enable_completion(command: Any, group: str | None = None) -> None:
    """Attach the workspace completers to ``command`` and its built subcommands."""
    for param in getattr(command, "params", ()):
        completer = completer_for(param, group)
        if completer is not None and getattr(param, "_custom_shell_complete", None) is None:
            param._custom_shell_complete = completer
    for name, sub in getattr(command, "commands", {}).items():
        enable_completion(sub, name if group is None else group)
