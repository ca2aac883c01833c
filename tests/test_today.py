"""One "today" for the whole tool: ``--today`` where a command has it, else ``ALUSAGE_TODAY``,
else the clock (``closing.resolve_today``). Each test names a date no clock shows with the
option omitted, and checks that the command used it.

(The month-end redistribution step: tests/test_redistribution.py.)
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from conftest import Cli

TODAY = "2026-12-15"


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALUSAGE_TODAY", TODAY)


def _json(cli: Cli, *args: str) -> dict[str, object]:
    result = cli("--json", *args)
    assert result.exit_code == 0, result.output
    data: dict[str, object] = json.loads(result.output)
    return data


def test_invoice_dates_default_to_alusage_today(cli: Cli) -> None:
    # fmt: off
    data = _json(
        cli, "invoice", "add", "-e", "alusage", "--client", "Coop X",
        "--activity", "facilitation", "--amount-ht", "100.00", "--dry-run",
    )
    # fmt: on
    assert data["date"] == TODAY
    assert data["file"] == "ledgers/alusage/2026/12.beancount"
    assert _json(cli, "invoice", "list")["as_of"] == TODAY


def test_bill_and_expense_dates_default_to_alusage_today(cli: Cli) -> None:
    # fmt: off
    data = _json(
        cli, "bill", "add", "-e", "alusage", "--supplier", "Papeterie", "--account", "6064",
        "--amount-ht", "10.00", "--dry-run",
    )
    # fmt: on
    assert data["date"] == TODAY
    assert _json(cli, "bill", "list")["as_of"] == TODAY
    assert _json(cli, "expense", "list")["as_of"] == TODAY


def test_revenue_defaults_to_the_year_of_alusage_today(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALUSAGE_TODAY", "2027-06-01")
    period = _json(cli, "revenue")["period"]
    assert period == {"label": "2027", "from": "2027-01-01", "to": "2027-12-31"}


def test_reports_of_empty_books_show_the_exercice_of_alusage_today(
    cli_empty: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALUSAGE_TODAY", "2031-05-05")
    data = _json(cli_empty, "report", "trial-balance", "-e", "alusage")
    assert (data["start"], data["end"]) == ("2031-01-01", "2031-12-31")


def test_the_word_today_is_alusage_today() -> None:
    from alusage_ledger.core.periods import parse_date

    assert parse_date("today", "date") == date.fromisoformat(TODAY)
    assert parse_date("aujourd'hui", "date") == date.fromisoformat(TODAY)


def test_a_bad_alusage_today_is_a_usage_error(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALUSAGE_TODAY", "15/12/2026")
    result = cli("expense", "list")
    assert result.exit_code == 2
    assert "'15/12/2026' is not a date; write it as YYYY-MM-DD." in result.output
