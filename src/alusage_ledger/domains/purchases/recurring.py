"""Recurring bills: monthly rent and subscriptions posted from templates, once per month.

Templates live in ``alusage.toml``::

    [[recurring]]
    id = "le97-loyer"
    entity = "myceliandre"
    supplier = "SCI Propriétaire Battant"
    account = "Charges:Le97:Loyer"
    amount = "1200.00"          # before tax, or "last": the previous bill's amount
    day = 1                     # day of the month (the last day when the month is shorter)
    piece_ref = "QUIT-{year}-{month:02}"
    label = "Loyer du 97 rue Battant - {month_name} {year}"
    period = "month"            # month | quarter | year | none: the months it covers
    since = 2026-12-01
    pay_day = 5                 # optional: paid by direct debit on that day

``recurring post --month M`` builds each active template's bill with the same code as
``bill add`` (VAT by exigibility, supplier account opened on first use) and stamps it
with ``gen-id: "recurring/<id>/<YYYY-MM>"`` and ``gen-hash``. Posting is idempotent: an
instance whose ``gen-id`` is already in the ledger is skipped, and so is a bill of the
same supplier with the same piece-ref typed by hand (a document is booked once).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from babel.dates import format_date
from beancount.core import data

from alusage_ledger.books.accounts import Opener, resolve_account, role_parent
from alusage_ledger.books.entries import is_under, stamp
from alusage_ledger.books.monthend import month_step
from alusage_ledger.core.errors import ConfigError, UsageError
from alusage_ledger.core.i18n import _
from alusage_ledger.core.money import ZERO, parse_amount
from alusage_ledger.core.periods import Month
from alusage_ledger.domains.purchases.bills import BillLine, BillRequest, plan_bill, plan_payment
from alusage_ledger.domains.purchases.deductible import parse_vat_rate, vat_treatment
from alusage_ledger.domains.purchases.documents import Document, documents, party_account

if TYPE_CHECKING:
    from alusage_ledger.books.config import Config, RecurringTemplate
    from alusage_ledger.books.ledger import Workspace
    from alusage_ledger.books.loader import LoadedLedger

GEN_PREFIX = "recurring/"


def parse_month(text: str) -> Month:
    """``recurring post --month``: :meth:`Month.parse`, with this command's message."""
    try:
        return Month.parse(text)
    except UsageError:
        raise UsageError(
            _("The month {value!r} must be written YYYY-MM, e.g. 2026-11.").format(value=text)
        ) from None


def _clamp(month: Month, day: int) -> date:
    """Day ``day`` of ``month``, or its last day when the month is shorter."""
    return date(month.year, month.number, min(day, month.days))


def active(template: RecurringTemplate, month: Month) -> bool:
    if template.since is not None and template.since > month.last_day:
        return False
    if template.until is not None and template.until < month.first_day:
        return False
    return template.months is None or month.number in template.months


def period_of(rule: str, month: Month) -> str | None:
    """The ``period:`` a bill covers: its month, its quarter or its year."""
    if rule == "month":
        return str(month)
    if rule == "quarter":
        first = Month(month.year, 3 * ((month.number - 1) // 3) + 1)
        return f"{first}..{first.next(2)}"
    if rule == "year":
        return f"{Month(month.year, 1)}..{Month(month.year, 12)}"
    return None


def month_name(config: Config, month: Month) -> str:
    return str(format_date(month.first_day, "MMMM", locale=config.workspace.locale))


def gen_id(template: RecurringTemplate, month: Month, suffix: str = "") -> str:
    return f"{GEN_PREFIX}{template.id}/{month}{suffix}"


def _last_amount(
    ledger: LoadedLedger, supplier_account: str, account: str, before: date
) -> Decimal:
    last: Decimal | None = None
    for entry in ledger.entries:
        if not isinstance(entry, data.Transaction) or entry.date >= before:
            continue
        if not any(p.account == supplier_account and p.units.number < 0 for p in entry.postings):
            continue
        amounts = [p.units.number for p in entry.postings if p.account == account]
        if amounts:
            last = sum(amounts, ZERO)
    if last is None or last <= 0:
        raise UsageError(
            _(
                'No earlier bill of this supplier on {account} to take the "last" amount '
                "from; give the amount in alusage.toml."
            ).format(account=account)
        )
    return last


@dataclass
class Instance:
    """What ``recurring post`` did (or would do) with one template for one month."""

    template: str
    entity: str
    status: str  # posted | already | by-hand | inactive | paid
    day: date | None = None
    amount: Decimal | None = None
    piece_ref: str | None = None
    entries: list[Any] = field(default_factory=list)


def plan_template(
    config: Config,
    ledger: LoadedLedger,
    template: RecurringTemplate,
    month: Month,
    opener: Opener,
    planned: Sequence[Any],
) -> Instance:
    """The month's bill (and direct-debit payment) of one template, or why not."""
    if not active(template, month):
        return Instance(template.id, template.entity, "inactive")
    gid = gen_id(template, month)
    have = {(e.meta or {}).get("gen-id") for e in (*ledger.entries, *planned)}
    day = _clamp(month, template.day)
    names = {"year": month.year, "month": month.number, "month_name": month_name(config, month)}
    piece_ref = (template.piece_ref or f"{template.id}-{{year}}-{{month:02}}").format(**names)
    label = template.label.format(**names) if template.label else None
    supplier_account = party_account(
        config, ledger, "suppliers", template.supplier, template.supplier_account
    )
    if gid in have:
        instance = Instance(template.id, template.entity, "already", day, piece_ref=piece_ref)
    elif any(
        d.account == supplier_account and d.piece_ref == piece_ref
        for d in documents(config, ledger)
    ):
        instance = Instance(template.id, template.entity, "by-hand", day, piece_ref=piece_ref)
    else:
        account = resolve_account(ledger, template.account, _("account"))
        vat = template.vat
        if template.amount == "last":
            amount = _last_amount(ledger, supplier_account, account, day)
            if not vat_treatment(config, ledger.entity, day).deducts:
                vat = None  # the last amount already includes the VAT it could not deduct
        else:
            amount = parse_amount(template.amount)
        rate, rate_text = parse_vat_rate(vat)
        request = BillRequest(
            entity=ledger.entity,
            supplier=template.supplier,
            lines=(BillLine(account, amount, rate, rate_text),),
            day=day,
            piece_ref=piece_ref,
            period=period_of(template.period, month),
            label=label,
            nature=template.nature,
            supplier_account=template.supplier_account,
        )
        _opener, bill = plan_bill(config, ledger, request, opener=opener, planned=planned)
        stamp(bill, gid)
        instance = Instance(
            template.id, template.entity, "posted", day, amount, piece_ref, entries=[bill]
        )
    if template.pay_day is not None and gen_id(template, month, "/payment") not in have:
        payment = _plan_direct_debit(config, ledger, template, month, opener, instance)
        if payment is not None:
            instance.entries.append(payment)
            if instance.status != "posted":
                instance.status = "paid"
    return instance


def _plan_direct_debit(
    config: Config,
    ledger: LoadedLedger,
    template: RecurringTemplate,
    month: Month,
    opener: Opener,
    instance: Instance,
) -> Any | None:
    """The payment of this month's bill, when the bill exists (now or in the ledger)."""
    if instance.entries:
        bill = instance.entries[0]
        supplier_posting = bill.postings[-1]
        pending = role_parent(config, ledger.entity, "vat-deductible-pending")
        pending_vat = sum((p.units.number for p in bill.postings if p.account == pending), ZERO)
        doc = Document(
            entry=bill,
            entity=ledger.entity,
            account=supplier_posting.account,
            link=sorted(bill.links)[0],
            piece_ref=str(instance.piece_ref),
            party=template.supplier,
            ttc=-supplier_posting.units.number,
            vat=ZERO,
            pending_vat=pending_vat,
            pending_left=pending_vat,
        )
    else:
        found = [
            d
            for d in documents(config, ledger)
            if d.piece_ref == instance.piece_ref
            and is_under(d.account, role_parent(config, ledger.entity, "suppliers"))
        ]
        if not found or found[0].remaining <= 0:
            return None
        doc = found[0]
    day = max(_clamp(month, template.pay_day or 1), doc.date)
    _opener, payment = plan_payment(
        config, ledger, doc, amount=None, day=day, account=template.pay_account
    )
    opener.opens.extend(
        o for o in _opener.opens if o.account not in {x.account for x in opener.opens}
    )
    return stamp(payment, gen_id(template, month, "/payment"))


def plan_month(
    config: Config,
    ledger: LoadedLedger,
    templates: Sequence[RecurringTemplate],
    month: Month,
) -> tuple[Opener, list[Instance]]:
    opener = Opener(config, ledger, month.first_day)
    planned: list[Any] = []
    out = []
    for template in templates:
        instance = plan_template(config, ledger, template, month, opener, planned)
        planned.extend(instance.entries)
        out.append(instance)
    return opener, out


def post_month(
    ws: Workspace,
    month: Month,
    *,
    entity: str | None = None,
    entities: Sequence[str] | None = None,
    dry_run: bool = False,
) -> list[Instance]:
    """Post every active template's instance for ``month`` (idempotent).

    ``entity`` or ``entities`` limit it to some entities (month-end passes the entities
    it closes).
    """
    wanted = set(entities) if entities is not None else None
    if entity is not None:
        ws.config.entity(entity)
        wanted = {entity}
    templates = [t for t in ws.config.recurring if wanted is None or t.entity in wanted]
    by_entity: dict[str, list[RecurringTemplate]] = {}
    for template in templates:
        by_entity.setdefault(template.entity, []).append(template)
    results: list[Instance] = []
    with ws.lock():
        batch: list[Any] = []
        for name, mine in sorted(by_entity.items()):
            ledger = ws.load_checked(name)
            try:
                opener, instances = plan_month(ws.config, ledger, mine, month)
            except UsageError as exc:
                raise ConfigError(
                    _("alusage.toml: recurring templates of {entity}: {problem}").format(
                        entity=name, problem=exc.message
                    )
                ) from exc
            results.extend(instances)
            entries = [e for i in instances for e in i.entries]
            if entries:
                batch.extend(opener.appends(entries))
        if batch:
            ws.write(batch, dry_run=dry_run)
    return results


@month_step("recurring")
def recurring_for_close(
    ws: Workspace,
    month: Month,
    *,
    dry_run: bool = False,
    entities: Sequence[str] | None = None,
) -> list[str]:
    """Month-end: post the month's recurring bills; one line per instance written."""
    lines = []
    for instance in post_month(ws, month, entities=entities, dry_run=dry_run):
        if instance.status in ("posted", "paid"):
            lines.append(
                _("{entity}: recurring {template} posted ({piece}).").format(
                    entity=instance.entity, template=instance.template, piece=instance.piece_ref
                )
            )
    return lines
