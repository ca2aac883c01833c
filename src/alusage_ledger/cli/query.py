"""``query``: beanquery over one entity's vetted load."""

from __future__ import annotations

from typing import Annotated

import typer

from alusage_ledger.cli import state
from alusage_ledger.core.i18n import N_
from alusage_ledger.outputs.render.console import emit_json, table


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
        # lazy: the books (pydantic, Beancount) load only when the command runs
        from alusage_ledger.books.query import run_query

        st = state.current()
        ws = st.workspace()
        ws.config.entity(entity)
        columns, rows = run_query(ws.load_checked(entity), bql)
        if st.json:
            emit_json({"columns": columns, "rows": rows})
        else:
            table(None, columns, rows)
