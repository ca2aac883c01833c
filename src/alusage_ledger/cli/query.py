"""``query``: beanquery over one entity's vetted load."""

from __future__ import annotations

from typing import Annotated

import typer

from alusage_ledger.cli import state
from alusage_ledger.core.i18n import N_


def register(app: typer.Typer) -> None:
    @app.command("query", help=N_("Run a beanquery (BQL) query on one entity's ledger."))
    def query(
        entity: Annotated[str, typer.Argument(help=N_("The entity id, e.g. alusage."))],
        bql: Annotated[
            str,
            typer.Argument(
                help=N_('The query, e.g. "SELECT account, sum(position) GROUP BY account".')
            ),
        ],
    ) -> None:
        from alusage_ledger.books.query import run_query
        from alusage_ledger.outputs.render.console import emit_json, table

        st = state.current()
        ws = st.workspace()
        ws.config.entity(entity)
        columns, rows = run_query(ws.load_checked(entity), bql)
        if st.json:
            emit_json({"columns": columns, "rows": rows})
        else:
            table(None, columns, rows)
