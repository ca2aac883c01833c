"""``fava``: Fava, read-only, on the workspace's ledgers, every load vetted; on this
computer only unless ``--host ADDR --public`` (Fava has no authentication)."""

from __future__ import annotations

from typing import Annotated

import typer

from alusage_ledger.cli import state
from alusage_ledger.cli.options import optional
from alusage_ledger.core.errors import UsageError
from alusage_ledger.core.i18n import N_, _
from alusage_ledger.outputs.render.console import say, warn
from alusage_ledger.outputs.render.progress import working


def register(app: typer.Typer) -> None:
    @app.command(
        "fava",
        help=N_(
            "Start Fava (the web interface of Beancount) read-only on the ledgers, vetted "
            "like check before starting and before each reload, on this computer only: "
            "Fava has no authentication. Needs the web extra: "
            "pip install 'alusage-ledger[web]'."
        ),
    )
    def fava(
        entity: Annotated[
            str | None,
            optional(
                "--entity",
                "-e",
                help=N_("Only this entity's ledger (default: every ledger, one switcher)."),
            ),
        ] = None,
        host: Annotated[
            str,
            typer.Option(
                "--host",
                help=N_(
                    "Address to listen on; by default this computer only (127.0.0.1). "
                    "Another address needs --public."
                ),
            ),
        ] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", help=N_("Port to listen on."))] = 5000,
        public: Annotated[
            bool,
            typer.Option(
                "--public",
                help=N_(
                    "Allow a --host reachable from other computers. Fava has no "
                    "authentication: anyone who reaches it reads every ledger served."
                ),
            ),
        ] = False,
    ) -> None:
        # lazy: the integration loads only when the command runs
        from alusage_ledger.integrations.fava import (
            create_app,
            is_loopback,
            public_host_problem,
            require_fava,
            serve,
        )

        if not 1 <= port <= 65535:
            raise UsageError(
                _("The port {port} is not valid; give a number from 1 to 65535.").format(port=port)
            )
        problem = public_host_problem(host, public)
        if problem is not None:
            raise UsageError(problem)
        require_fava()  # before anything: exit 5 with the way to install it
        ws = state.current().workspace()
        if entity is not None:
            ws.config.entity(entity)  # an unknown name: exit 2, with "did you mean"
        entities = [entity] if entity else list(ws.config.entities)
        with working(_("Vetting the ledgers…")):
            flask_app, mains = create_app(ws, entities)
        for main in mains:
            say(_("Serving {file}").format(file=main.relative_to(ws.root).as_posix()))
        say(
            _("Fava on http://{host}:{port}/ (read-only; Ctrl-C to stop).").format(
                host=host, port=port
            )
        )
        if not is_loopback(host):
            warn(
                _(
                    "Warning: Fava has no authentication: anyone who can reach {host}:{port} "
                    "reads every ledger served, until Ctrl-C."
                ).format(host=host, port=port)
            )
        serve(flask_app, host, port)
