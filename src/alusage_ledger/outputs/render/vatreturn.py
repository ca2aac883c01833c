"""``vat``'s printout: the return by the form's boxes (whole euros), its JSON, its detail.

The text shows each box of the 3310-CA3 (or the 3517-S CA12) with its number and label,
as it is copied into the impots.gouv form, then the exact amounts of the ledger and the
rounding the settlement books. ``--detail`` lists the entries behind each box.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from alusage_ledger.core.fmt import machine, money
from alusage_ledger.core.i18n import _, babel_locale
from alusage_ledger.core.money import ZERO
from alusage_ledger.domains.sales.boxes import ordered
from alusage_ledger.domains.sales.returns import posting_totals, settlement_postings
from alusage_ledger.domains.sales.settlement import relative_path

if TYPE_CHECKING:
    from alusage_ledger.books.ledger import Workspace
    from alusage_ledger.domains.sales.boxes import FormBoxes
    from alusage_ledger.domains.sales.index import Accounts
    from alusage_ledger.domains.sales.returns import Detail, VatReturn

#: Boxes printed even when zero: the form's totals.
_ALWAYS = {"16", "23", "28", "32", "CA12-16", "CA12-27", "CA12-28", "CA12-33"}


def euros(value: Decimal) -> str:
    """Whole euros as the form shows them: ``1 193`` (fr) / ``1,193`` (en)."""
    # lazy: Babel loads only when a number is formatted
    from babel import numbers

    return str(numbers.format_decimal(value, format="#,##0", locale=babel_locale()))


def rate_text(rate: str) -> str:
    """``20 %``, ``5,5 %`` (fr) / ``5.5 %`` (en); the rate as written when not a number."""
    # lazy: Babel loads only when a number is formatted
    from babel import numbers

    if rate == "?":
        return _("unknown rate")
    try:
        value = Decimal(rate)
    except InvalidOperation:
        return rate
    return f"{numbers.format_decimal(value, format='#,##0.##', locale=babel_locale())} %"


def _where(ws: Workspace, entry: Any) -> str:
    meta = entry.meta or {}
    return f"{relative_path(ws, meta.get('filename'))}:{meta.get('lineno')}"


def settlement_json(
    ws: Workspace, result: VatReturn, acc: Accounts, status: str | None
) -> dict[str, Any]:
    planned = settlement_postings(result, acc) if result.form != "none" else None
    return {
        "date": result.settlement_date.isoformat() if result.settlement_date else None,
        "gen_id": result.gen_id or None,
        "entry": _where(ws, result.existing) if result.existing is not None else None,
        "status": status,
        "postings": {
            account: machine(amount) for account, amount in posting_totals(planned or ()).items()
        },
    }


def boxes_json(boxes: FormBoxes) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for box in ordered(boxes):
        if not (box.base or box.tax) and box.code not in _ALWAYS:
            continue
        item: dict[str, str] = {}
        if box.base is not None:
            item["base"] = str(box.base)
        if box.tax is not None:
            item["tax"] = str(box.tax)
        out[box.number] = item
    return out


def as_json(ws: Workspace, result: VatReturn, acc: Accounts, status: str | None) -> dict[str, Any]:
    """The return for a script: the form's boxes in whole euros (strings), the settlement,
    and the exact amounts of the ledger."""
    form = {"CA3": "3310-CA3", "CA12": "3517-S-CA12"}.get(result.form, result.form)
    out: dict[str, Any] = {
        "entity": result.entity,
        "regime": result.regime,
        "form": form,
        "exigibility": result.exigibility,
        "period": {
            "label": result.period.label,
            "from": result.period.start.isoformat(),
            "to": result.period.last_day.isoformat(),
        },
    }
    if result.form in ("CA3", "CA12"):
        out["boxes"] = boxes_json(result.boxes)
    out.update(
        {
            "collected": [
                {"rate": line.rate, "base": machine(line.base), "vat": machine(line.vat)}
                for line in result.collected
            ],
            "taxable_base": machine(result.taxable_base),
            "collected_total": machine(result.collected_total),
            "exempt_operations": machine(result.exempt_base),
            "deductible": {kind: machine(value) for kind, value in result.deductible.items()},
            "deductible_total": machine(result.deductible_total),
            "previous_credit": machine(result.previous_credit),
            "instalments": machine(result.instalments),
            "instalment_base": machine(result.instalment_base),
            "exact_net": machine(result.exact_net),
            "due": machine(result.due),
            "credit": machine(result.credit),
            "settlement": settlement_json(ws, result, acc, status),
        }
    )
    return out


def render_text(ws: Workspace, result: VatReturn, acc: Accounts, status: str | None) -> str:
    lines: list[str] = []
    period = result.period.label
    if result.form == "none":
        return _(
            "{entity} is under the VAT franchise (art. 293 B du CGI) for {period}: it has no VAT "
            "return to file."
        ).format(entity=result.entity, period=period)
    header = {
        "CA3": _(
            "VAT return 3310-CA3 of {entity} for {period} ({regime}, VAT on services: {exig})"
        ),
        "CA12": _(
            "Annual VAT return 3517-S CA12 of {entity} for {period} ({regime}, VAT on "
            "services: {exig})"
        ),
        "instalment": _("VAT instalment of {entity} for {period} ({regime})"),
    }[result.form]
    exig = _("on receipt") if result.exigibility == "encaissements" else _("on debits")
    lines.append(
        header.format(entity=result.entity, period=period, regime=result.regime, exig=exig)
    )
    if result.form == "instalment":
        share = "55 %" if result.period.start.month == 7 else "40 %"
        lines.append(
            _("Base (last year's net VAT): {base}; instalment {share}: {amount}.").format(
                base=money(result.instalment_base), share=share, amount=money(result.instalments)
            )
        )
        if not result.instalments:
            lines.append(_("No instalment is due when the base is under 1 000 €."))
        lines.append(settlement_line(ws, result, status))
        return "\n".join(lines)
    boxes = result.boxes
    head = (_("Box"), _("Label"), _("Base"), _("Tax"))
    rows = []
    for box in ordered(boxes):
        if not (box.base or box.tax) and box.code not in _ALWAYS:
            continue
        rows.append(
            (
                box.number,
                _(box.label),
                euros(box.base) if box.base is not None else "",
                euros(box.tax) if box.tax is not None else "",
            )
        )
    widths = [max(len(row[i]) for row in [head, *rows]) for i in range(4)]
    for row in [head, *rows]:
        lines.append(
            f"  {row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  "
            f"{row[2]:>{widths[2]}}  {row[3]:>{widths[3]}}".rstrip()
        )
    lines.append(
        _(
            "In the ledger, to the cent: collected {collected}, deductible {deductible}, "
            "credit carried {previous}, net {net}."
        ).format(
            collected=money(result.collected_total),
            deductible=money(result.deductible_total),
            previous=money(result.previous_credit),
            net=money(result.exact_net),
        )
    )
    planned = settlement_postings(result, acc)
    totals = posting_totals(planned or ())
    charge = totals.get(acc.rounding_charge, ZERO)
    income = -totals.get(acc.rounding_income, ZERO)
    if charge:
        lines.append(
            _("Rounding to the euro: {amount} booked to {account} (658).").format(
                amount=money(charge), account=acc.rounding_charge
            )
        )
    elif income:
        lines.append(
            _("Rounding to the euro: {amount} booked to {account} (758).").format(
                amount=money(income), account=acc.rounding_income
            )
        )
    if result.credit:
        lines.append(_("VAT credit to carry forward: {amount}").format(amount=money(result.credit)))
    else:
        lines.append(_("Net VAT due: {amount}").format(amount=money(result.due)))
    lines.append(settlement_line(ws, result, status))
    return "\n".join(lines)


def render_detail(ws: Workspace, result: VatReturn, details: list[Detail]) -> str:
    """Every invoice, receipt, credit note and bill behind each box, with its file:line."""
    if result.form not in ("CA3", "CA12"):
        return ""
    boxes = result.boxes
    by_box: dict[str, list[Detail]] = {}
    for item in details:
        if item.what == "rate":
            code = boxes.rate_box.get(item.key, "?")
        elif item.what == "exempt":
            code = "05" if boxes.form == "3517-S" else "E2"
        else:
            code = boxes.kind_box.get(item.key, "?")
        by_box.setdefault(code.removeprefix("CA12-"), []).append(item)
    lines = [_("Detail of the boxes:")]
    order = [box.number for box in ordered(boxes)]
    for number in sorted(by_box, key=lambda n: order.index(n) if n in order else len(order)):
        lines.append(f"  {number}")
        for item in by_box[number]:
            entry = item.entry
            rate = f" {rate_text(item.key)}" if item.what == "rate" else ""
            lines.append(
                f"    {entry.date}  {entry.narration}{rate}  "
                + _("base {base}, tax {tax}").format(base=money(item.base), tax=money(item.tax))
                + f"  ({_where(ws, entry)})"
            )
    return "\n".join(lines)


def settlement_line(ws: Workspace, result: VatReturn, status: str | None) -> str:
    day = result.settlement_date.isoformat() if result.settlement_date else "-"
    if status == "posted":
        return _("Settlement entry posted on {day}.").format(day=day)
    if status == "would-post":
        return _("Dry run: the settlement entry would be posted on {day}.").format(day=day)
    if result.existing is not None:
        return _("Settlement already in the ledger: {where}.").format(
            where=_where(ws, result.existing)
        )
    if (
        status == "nothing"
        or (result.empty and result.form != "instalment")
        or (result.form == "instalment" and not result.instalments)
    ):
        return _("Nothing to settle.")
    return _("Not settled yet: run with --post to write the entry dated {day}.").format(day=day)
