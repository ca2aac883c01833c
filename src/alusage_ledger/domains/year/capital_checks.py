"""``check`` rule of the members' capital: the register ties to the capital accounts (1013,
1011, 4567); warnings for the capital floor (a quarter of the highest capital reached, loi
1947 art. 13) and for subscriptions paid less than a quarter.

Registered in :mod:`alusage_ledger.books.checks` when this module is imported
(``RULE_MODULES``).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

from alusage_ledger.books.checks import entity_rule, problem_at
from alusage_ledger.core.errors import LedgerProblem
from alusage_ledger.core.i18n import _
from alusage_ledger.domains.year.accounts import accounts_with_pcg
from alusage_ledger.domains.year.balances import CENT, balances_of, highest_capital, total
from alusage_ledger.domains.year.register import build_register, member_names

if TYPE_CHECKING:
    from alusage_ledger.books.ledger import Workspace
    from alusage_ledger.books.loader import LoadedLedger


@entity_rule
def capital_register(ws: Workspace, ledger: LoadedLedger) -> Iterable[LedgerProblem]:
    """The members' register ties to the capital accounts; the capital floor (warning)."""
    entity = ledger.entity
    if entity not in ws.config.entities:
        return []
    config = ws.config.entity(entity)
    if config.kind == "micro":
        return []
    register = build_register(entity, ledger.entries, member_names(ws.config))
    problems: list[LedgerProblem] = []
    for move, what in register.problems:
        message = {
            "pay": _("{member} pays more than is subscribed and not paid."),
            "withdraw": _("{member} withdraws more shares than held."),
            "refund": _("{member} is refunded more than is due."),
        }[what].format(member=move.member)
        problems.append(problem_at(ws, entity, move.entry, message))
    labels = {
        "paid": _("capital paid (1013)"),
        "uncalled": _("capital not paid yet (1011)"),
        "refund_due": _("capital due to former members (4567)"),
    }
    if register.moves:
        for key, mine, books in register.ties():
            problems.append(
                LedgerProblem(
                    entity,
                    None,
                    None,
                    _(
                        "the members' register does not tie to the books: {what} is {register} "
                        "in the register, {books} in the books; record the missing movements "
                        "('alusage-ledger capital subscribe ... --booked' for what the books "
                        "already hold)."
                    ).format(what=labels[key], register=mine, books=books),
                )
            )
    elif config.kind == "scic" and (register.books_paid or register.books_uncalled):
        problems.append(
            LedgerProblem(
                entity,
                None,
                None,
                _(
                    "{entity} holds {amount} of capital but no members' register; record its "
                    "members ('alusage-ledger capital subscribe ... --booked')."
                ).format(entity=entity, amount=register.books_paid + register.books_uncalled),
                "warning",
            )
        )
    if config.kind == "scic":
        capital_accounts = accounts_with_pcg(ledger, "101")
        now = -total(balances_of(ledger.entries, set(capital_accounts)), capital_accounts)
        highest = highest_capital(ledger)
        floor = (highest * ws.config.year.capital_floor_rate / Decimal(100)).quantize(CENT)
        if now < floor:
            problems.append(
                LedgerProblem(
                    entity,
                    None,
                    None,
                    _(
                        "the capital of {entity} ({now}) is below a quarter of the highest "
                        "capital reached ({highest}); loi 1947 art. 13 forbids it."
                    ).format(entity=entity, now=now, highest=highest),
                    "warning",
                )
            )
    for member in register.members:
        if member.subscribed > 0 and member.paid * 4 < member.subscribed:
            problems.append(
                LedgerProblem(
                    entity,
                    None,
                    None,
                    _(
                        "{member} has paid {paid} of {subscribed} subscribed: less than the "
                        "quarter the law asks at subscription."
                    ).format(member=member.id, paid=member.paid, subscribed=member.subscribed),
                    "warning",
                )
            )
    return problems
