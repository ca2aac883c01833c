"""A review as JSON (``review --format json``): entities' changes and findings."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from alusage_ledger.core.fmt import machine
from alusage_ledger.integrations.review.results import Review
from alusage_ledger.integrations.review.sides import Entry


def _amount_text(value: Decimal | None) -> str | None:
    if value is None:
        return None
    cents = value.quantize(Decimal("0.01"))
    return machine(value) if cents == value else f"{value:f}"


def entry_document(entry: Entry) -> dict[str, Any]:
    out: dict[str, Any] = {
        "kind": entry.kind,
        "date": entry.date,
        "file": entry.file,
        "line": entry.line,
        "summary": entry.summary(),
        "hash": entry.hash,
    }
    if entry.kind == "transaction":
        out.update(
            flag=entry.flag,
            payee=entry.payee,
            narration=entry.narration,
            tags=list(entry.tags),
            links=list(entry.links),
            postings=[
                {"account": p.account, "amount": _amount_text(p.number), "currency": p.currency}
                for p in entry.postings
            ],
        )
    if entry.account is not None:
        out["account"] = entry.account
    if entry.amount is not None:
        out["amount"] = _amount_text(entry.amount[0])
        out["currency"] = entry.amount[1]
    if entry.type is not None:
        out["type"] = entry.type
    if entry.kind == "custom":
        out["values"] = list(entry.values)
    out["meta"] = dict(entry.meta)
    return out


def review_document(review: Review) -> dict[str, Any]:
    """``{"entities": [{"entity", "added", "removed", "modified", "balances"}], "findings": [...]}``."""
    return {
        "entities": [
            {
                "entity": e.entity,
                "added": [entry_document(x) for x in e.added],
                "removed": [entry_document(x) for x in e.removed],
                "modified": [
                    {
                        "old": entry_document(m.old),
                        "new": entry_document(m.new),
                        "changed": list(m.fields),
                        "postings": [
                            {
                                "account": p.account,
                                "currency": p.currency,
                                "old": _amount_text(p.old),
                                "new": _amount_text(p.new),
                            }
                            for p in m.postings
                        ],
                    }
                    for m in e.modified
                ],
                "balances": [
                    {
                        "account": b.account,
                        "currency": b.currency,
                        "old": _amount_text(b.old),
                        "new": _amount_text(b.new),
                        "change": _amount_text(b.delta),
                    }
                    for b in e.balances
                ],
            }
            for e in review.changed
        ],
        "findings": [
            {
                "severity": f.severity,
                "entity": f.entity,
                "file": f.file,
                "line": f.line,
                "message": f.message,
            }
            for f in review.findings
        ],
    }
