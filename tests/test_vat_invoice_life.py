"""Over an invoice's life, the returns declare exactly its base and VAT (issue 18, item 4):
partial receipts complete the cumulative base, a credit note gives back what was declared."""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sales_helpers import FastCli, make_sales_ws

from alusage_ledger.books.ledger import Workspace
from alusage_ledger.core.periods import year_period
from alusage_ledger.domains.sales.returns import LedgerVat

ACTIVITIES = ("facilitation", "programmation", "maraichage", "formation")
# from 1.00: a line whose VAT rounds to 0.00 moves no VAT, so its base is never declared
# (a known limit, docs/sales-and-vat.md)
cents = st.integers(min_value=100, max_value=500_000).map(lambda n: Decimal(n) / 100)


def ok(result: Any) -> str:
    assert result.exit_code == 0, result.output
    return str(result.output)


def declared(root: Path) -> dict[str, tuple[Decimal, Decimal]]:
    """Base and VAT declared by rate over 2026, summed over every entry."""
    ws = Workspace.open(root)
    vat_ledger = LedgerVat(ws.config, ws.load_checked("reel"))
    out: dict[str, tuple[Decimal, Decimal]] = {}
    for item in vat_ledger.details(year_period(2026)):
        if item.what == "rate":
            base, tax = out.get(item.key, (Decimal(0), Decimal(0)))
            out[item.key] = (base + item.base, tax + item.tax)
    return {rate: pair for rate, pair in out.items() if any(pair)}


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    lines=st.lists(st.tuples(st.sampled_from(ACTIVITIES), cents), min_size=1, max_size=4),
    parts=st.lists(st.integers(min_value=1, max_value=99), max_size=4),
    cancel=st.booleans(),
)
def test_bases_and_vat_over_the_life_of_an_invoice(
    lines: list[tuple[str, Decimal]], parts: list[int], cancel: bool
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = make_sales_ws(Path(folder) / "ws")
        run = FastCli(root)
        args = [arg for activity, amount in lines for arg in ("--line", f"{activity}:{amount}")]
        ok(run("invoice", "add", "-e", "reel", "--client", "C", *args, "--date", "2026-03-01"))
        ws = Workspace.open(root)
        # lazy: the index of the invoice just written
        from alusage_ledger.domains.sales.index import sales_index

        invoice = sales_index(ws.config, ws.load_checked("reel")).invoices["F2026-0001"]
        remaining = invoice.ttc
        for day, percent in enumerate(parts, start=2):
            amount = (remaining * percent / 100).quantize(Decimal("0.01"))
            if amount <= 0 or amount >= remaining:
                continue
            ok(run("invoice", "pay", "F2026-0001", "-e", "reel", "--amount", str(amount),
                   "--date", f"2026-03-{day:02d}"))  # fmt: skip
            remaining -= amount
        if cancel:
            ok(run("invoice", "cancel", "F2026-0001", "-e", "reel", "--reason", "r",
                   "--date", "2026-04-01"))  # fmt: skip
            assert declared(root) == {}
            return
        ok(run("invoice", "pay", "F2026-0001", "-e", "reel", "--date", "2026-04-01"))
        expected: dict[str, tuple[Decimal, Decimal]] = {}
        for line in invoice.lines:
            if line.rate in ("exempt", "none"):
                continue
            base, _tax = expected.get(line.rate, (Decimal(0), Decimal(0)))
            expected[line.rate] = (base + line.ht, invoice.vat.get(line.rate, Decimal(0)))
        assert declared(root) == {r: pair for r, pair in expected.items() if any(pair)}
