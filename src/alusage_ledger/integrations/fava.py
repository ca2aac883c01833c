"""Fava, the web interface of Beancount, on the workspace's ledgers: read-only and vetted.

Fava is optional (the ``web`` extra: ``pip install "alusage-ledger[web]"``). Left to
itself, Fava loads a ledger with Beancount's loader, which runs any ``plugin`` the file
names, follows any ``include``, and imports the Python modules of ``fava-extension``
directives and of the ``import-config`` option. ``alusage-ledger fava`` serves it the
other way round:

* before starting, every ledger served is loaded by the tool's own loader
  (:func:`alusage_ledger.books.ledger.load_ledger`: vetting L1-L3, then booking, plugins of
  the allow-list only, validation) and refused (exit 1, each problem as file:line) when
  it has an error, or when it asks Fava to run code (:func:`fava_refusals`);
* Fava's loading function (``fava.core.load_uncached``, which ``FavaLedger.load_file``
  calls at start and after every change of a file) is replaced by :func:`vetted_load`:
  the same vetting runs **before each reload**; a ledger that fails it is served empty,
  with the reasons in Fava's error page, and nothing of it is run;
* the application is created read-only (Fava refuses every request but ``GET``), so
  the web page never writes the ledgers: writes go through the tool's commands.

Fava has no authentication: whoever reaches its address reads every ledger served. It
listens on this computer only (loopback, :func:`is_loopback`) unless the user asks for
another address with ``--host ADDR --public``, and is then warned.

The replaced function is a private detail of Fava (checked with Fava 1.30): when a
Fava version lacks it, the command refuses to start rather than serve an unvetted load.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from beancount.core import data
from beancount.parser import parser

from alusage_ledger.core.errors import IOFailure, LedgerErrors, LedgerProblem
from alusage_ledger.core.i18n import _

if TYPE_CHECKING:
    from alusage_ledger.books.ledger import Workspace
    from alusage_ledger.books.loader import LoadedLedger

#: ``custom "fava-option"`` names that make Fava import or run Python files.
CODE_OPTIONS = frozenset({"import-config", "import-dirs"})


class VettingError(NamedTuple):
    """A problem shown by Fava (its errors are ``(source, message, entry)`` tuples)."""

    source: dict[str, Any] | None
    message: str
    entry: Any = None


def is_loopback(host: str) -> bool:
    """Whether ``host`` is an address of this computer only (127.0.0.0/8, ::1, localhost).

    Any other name is not: it may resolve to an address reachable from elsewhere.
    """
    name = host.strip().strip("[]")
    if name.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def public_host_problem(host: str, public: bool) -> str | None:
    """Why listening on ``host`` is refused (without ``--public``), or None."""
    if public or is_loopback(host):
        return None
    return _(
        "Fava has no authentication: listening on {host} would let anyone who can reach "
        "this computer read the ledgers; leave --host out, or add --public to do it anyway."
    ).format(host=host)


def install_hint() -> str:
    return _(
        "Fava is not installed: install the web extra with pip install "
        "'alusage-ledger[web]' (from a checkout: pip install -e '.[web]')."
    )


def require_fava() -> Any:
    """The ``fava.core`` module, or an :class:`IOFailure` (exit 5) saying how to install it."""
    try:
        # lazy: Fava is an optional dependency (the 'web' extra); its absence is an answer
        import fava.core
    except ImportError as exc:
        raise IOFailure(install_hint()) from exc
    if not callable(getattr(fava.core, "load_uncached", None)):
        raise IOFailure(
            _(
                "This version of Fava ({version}) loads ledgers in a way alusage-ledger cannot "
                "vet; install a supported one: pip install 'fava>=1.28,<2'."
            ).format(version=_fava_version())
        )
    return fava.core


def _fava_version() -> str:

    try:
        return version("fava")
    except PackageNotFoundError:
        return "?"


def fava_refusals(ledger: LoadedLedger) -> list[LedgerProblem]:
    """Directives that would make Fava import Python code: extensions, import-config."""

    problems = []
    for entry in ledger.entries:
        if not isinstance(entry, data.Custom):
            continue
        name = str(entry.values[0].value) if entry.values else ""
        if entry.type == "fava-extension" or (entry.type == "fava-option" and name in CODE_OPTIONS):
            what = entry.type if entry.type == "fava-extension" else f"fava-option {name}"
            meta = entry.meta or {}
            file = meta.get("filename")
            problems.append(
                LedgerProblem(
                    ledger.entity,
                    _relative(file, ledger.root) if file else None,
                    meta.get("lineno"),
                    _(
                        "'{what}' makes Fava run Python code; alusage-ledger serves ledgers "
                        "without it: remove this directive."
                    ).format(what=what),
                )
            )
    return problems


def _relative(file: str, root: Path) -> str:
    try:
        return Path(file).resolve().relative_to(root).as_posix()
    except ValueError:
        return file


def vet_for_fava(ws: Workspace, entity: str) -> LoadedLedger:
    """Load ``entity`` afresh with the tool's loader; :class:`LedgerErrors` if unfit for Fava."""
    ledger = ws.load(entity, fresh=True)
    problems = [p for p in ledger.problems if p.severity == "error"] + fava_refusals(ledger)
    if problems:
        raise LedgerErrors(
            _(
                "The ledger of {entity} has {count} problem(s); Fava is not started on it. "
                "Fix them (alusage-ledger check) and start again."
            ).format(entity=entity, count=len(problems)),
            problems,
        )
    return ledger


def _empty_options(main: Path, title: str, files: Sequence[Path]) -> dict[str, Any]:

    _entries, _errors, options = parser.parse_string("")
    options = dict(options)
    options["filename"] = str(main)
    options["title"] = title
    options["include"] = [str(p) for p in files] or [str(main)]
    return dict(options)


def vetted_load(ws: Workspace, mains: dict[str, str]) -> Any:
    """A replacement of ``fava.core.load_uncached`` that vets before Beancount runs.

    ``mains`` maps each served main file (resolved path) to its entity.
    """

    def load(path: str, *, is_encrypted: bool = False) -> tuple[list[Any], list[Any], Any]:
        main = Path(path).resolve()
        entity = mains.get(str(main))
        if entity is None or is_encrypted:
            error = VettingError(
                {"filename": str(main), "lineno": 0},
                _("alusage-ledger serves only the ledgers of its workspace."),
            )
            return [], [error], _empty_options(main, main.name, [])
        ledger = ws.load(entity, fresh=True)
        problems = [p for p in ledger.problems if p.severity == "error"]
        refusals = fava_refusals(ledger) if not problems else []
        if not problems and not refusals:
            return list(ledger.entries), [], ledger.options
        errors = [
            VettingError(
                {
                    "filename": str(ws.root / p.file) if p.file else str(main),
                    "lineno": p.line or 0,
                },
                p.render(),
            )
            for p in [*problems, *refusals]
        ]
        vetted_away = not ledger.entries or refusals
        if vetted_away:  # nothing of a refused ledger is shown, nor run
            title = ws.config.entity(entity).name or entity
            return [], errors, _empty_options(main, title, list(ledger.files))
        return list(ledger.entries), errors, ledger.options

    return load


def create_app(
    ws: Workspace, entities: Sequence[str], *, poll_watcher: bool = False
) -> tuple[Any, list[Path]]:
    """A read-only Fava application on ``entities``, every load vetted (see module doc).

    Every ledger is vetted first (:class:`LedgerErrors` when one is unfit); returns the
    Flask application and the main files served.
    """
    fava_core = require_fava()
    for entity in entities:
        vet_for_fava(ws, entity)
    mains = [ws.ledger_main(entity).resolve() for entity in entities]
    fava_core.load_uncached = vetted_load(
        ws, {str(main): entity for main, entity in zip(mains, entities)}
    )
    # lazy: Fava is an optional dependency, present once fava_core() has answered
    from fava.application import create_app as fava_app

    flask_app = fava_app(
        [str(m) for m in mains], load=True, read_only=True, poll_watcher=poll_watcher
    )
    return flask_app, mains


def serve(app: Any, host: str, port: int) -> None:
    """Serve ``app`` until interrupted (Fava's own server, cheroot)."""
    # lazy: cheroot comes with Fava, an optional dependency
    from cheroot.wsgi import Server

    server = Server((host, port), app)
    try:
        server.start()
    except KeyboardInterrupt:
        server.stop()
    except OSError as exc:
        raise IOFailure(
            _("Cannot listen on {host}:{port}: {reason}; choose another --port.").format(
                host=host, port=port, reason=exc.strerror or exc
            )
        ) from exc
