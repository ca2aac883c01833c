"""Invoices: plan and write a new invoice; find an invoice by its number.

An invoice is one transaction: the client's receivable (a sub-account of the role
``clients``, PCG 411), the income of each activity, and the VAT of each rate. VAT on
services waits on ``vat-pending`` (44588) until the invoice is paid (exigibility on
receipt, the French default); VAT on goods, or on services of an entity that opted for
debits, goes straight to ``vat-collected`` (44571)::

    2026-01-08 * "Client Alpha" "Facture F2026-0001" ^F2026-0001
      invoice: "F2026-0001"
      client: "Client Alpha"
      activity: "programmation"
      vat-rate: "20"
      due-date: 2026-02-07
      Actif:Clients:ClientAlpha                      3780.00 EUR
      Produits:Prestations:Programmation            -3150.00 EUR
      Passif:Etat:TVAEnAttente                       -630.00 EUR

A receipt carries the same link and ``invoice``; it moves the VAT of what was received
from pending to collected. A credit note (``credit-note: "A2026-0001"``, its own series)
reverses an invoice; nothing is ever deleted (:mod:`payments`, :mod:`credit_notes`). An
invoice of several lines carries ``activity`` and ``vat-rate`` on each income and VAT
posting as well.

Numbers follow the entity's series (``[entities.<id>.series]``, default
``F{year}-{seq:04}`` and ``A{year}-{seq:04}``): continuous, restarting each January 1st
when the pattern has ``{year}``, dates never decreasing along numbers (CGI ann. II
242 nonies A; :mod:`numbering`). ``check`` reports gaps and duplicates by number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from alusage_ledger.books.accounts import Opener
from alusage_ledger.books.entityconfig import ActivityConfig
from alusage_ledger.books.entries import ledger_text, posting, transaction
from alusage_ledger.books.roles import role_account
from alusage_ledger.books.vatregime import regime_on
from alusage_ledger.core.chart import account_component
from alusage_ledger.core.errors import LedgerErrors, UsageError
from alusage_ledger.core.i18n import N_, _
from alusage_ledger.core.money import ZERO, split_exact
from alusage_ledger.core.suggest import did_you_mean
from alusage_ledger.domains.sales.activities import SERVICES_706, resolve_activity
from alusage_ledger.domains.sales.index import Invoice, SalesIndex, sales_index
from alusage_ledger.domains.sales.numbering import choose_number, series_of
from alusage_ledger.domains.sales.rates import EXEMPT, NO_VAT, VatChoice, vat_on
from alusage_ledger.domains.sales.requests import InvoiceRequest, clean_text

if TYPE_CHECKING:
    from alusage_ledger.books.config import Config
    from alusage_ledger.books.ledger import Workspace
    from alusage_ledger.books.loader import LoadedLedger


@dataclass
class Planned:
    """What a sales command is about to write: the entry, the opens, a summary."""

    entity: str
    entry: Any
    opens: list[Any]
    number: str
    appends: list[Any]
    notes: list[str] = field(default_factory=list)
    ht: Decimal = ZERO
    vat: Decimal = ZERO
    ttc: Decimal = ZERO
    left: Decimal | None = None  # what is still due on the invoice after a credit note


def plan_invoice(config: Config, ledger: LoadedLedger, request: InvoiceRequest) -> Planned:
    """Build (pure, apart from reading the ledger) the invoice transaction and its opens."""
    entity = request.entity
    index = sales_index(config, ledger)
    client = clean_text(request.client, _("client name"))
    assert client is not None
    label = clean_text(request.label, _("label"))
    project = clean_text(request.project, _("project"))
    siren = request.client_siren.strip() if request.client_siren else None
    if siren is not None and not (len(siren) == 9 and siren.isdigit()):
        raise UsageError(_("--client-siren {value!r}: a SIREN is 9 digits.").format(value=siren))
    if not request.lines:
        raise UsageError(_("Give --activity and --amount-ht, or at least one --line."))
    if request.due is not None and request.due < request.day:
        raise UsageError(
            _("The due date {due} is before the invoice date {day}.").format(
                due=request.due, day=request.day
            )
        )
    regime = regime_on(config, entity, request.day)
    franchise = regime.regime == "franchise"
    invoice_series, _credit = series_of(config, entity)
    number, notes = choose_number(
        invoice_series,
        request.number,
        request.day,
        {n: inv.entry for n, inv in index.invoices.items()},
        _("invoice"),
    )

    opener = Opener(config, ledger, request.day)
    lines: list[tuple[str, ActivityConfig, Decimal, VatChoice]] = []
    for line in request.lines:
        activity = resolve_activity(config, entity, line.activity)
        name = line.activity.strip().lower()
        choice = line.vat
        if franchise:
            if choice is not None and choice.rate != EXEMPT:
                raise UsageError(
                    _(
                        "{entity} is under the VAT franchise (art. 293 B du CGI) on {day}: its "
                        "invoices carry no VAT; drop --vat or change its regime in alusage.toml."
                    ).format(entity=entity, day=request.day)
                )
            choice = choice or VatChoice(NO_VAT)
        elif choice is None:
            choice = VatChoice(activity.rate, activity.exemption)
        if choice.rate == EXEMPT and not choice.exemption:
            if activity.exemption:
                choice = VatChoice(EXEMPT, activity.exemption)
            else:
                raise UsageError(
                    _(
                        "An exempt invoice must cite its legal basis: write --vat "
                        '"exempt:<basis>", e.g. "exempt:CGI art. 261-4-4° a".'
                    )
                )
        lines.append((name, activity, line.amount, choice))

    exemptions = sorted({c.exemption for _n, _a, _m, c in lines if c.exemption})
    if len(exemptions) > 1:
        raise UsageError(_("One invoice can cite only one exemption basis."))

    # VAT per rate on the total of the rate (not per line), split between goods (due now)
    # and services (pending until paid, unless the entity opted for debits).
    by_rate: dict[str, list[tuple[str, ActivityConfig, Decimal]]] = {}
    for name, activity, amount, choice in lines:
        by_rate.setdefault(choice.rate, []).append((name, activity, amount))
    multi = len(lines) > 1
    income_postings = []
    for name, activity, amount, choice in lines:
        account = opener.need(
            activity.account,
            activity.pcg or ("707" if activity.kind == "goods" else SERVICES_706[0]),
            activity.label
            or ("Ventes de marchandises" if activity.kind == "goods" else SERVICES_706[1]),
        )
        line_meta: dict[str, Any] | None = None
        if multi:
            line_meta = (
                {"activity": name} if franchise else {"activity": name, "vat-rate": choice.rate}
            )
        income_postings.append(posting(account, -amount, line_meta))
    vat_postings = []
    total_vat = ZERO
    for rate, items in by_rate.items():
        if rate in (EXEMPT, NO_VAT):
            continue
        base = sum((amount for _n, _a, amount in items), ZERO)
        tax = vat_on(base, rate)
        total_vat += tax
        services = sum((a for _n, act, a in items if act.kind == "services"), ZERO)
        goods = base - services
        if regime.exigibility == "debits":
            services, goods = ZERO, base
        parts = split_exact(tax, {"services": services, "goods": goods}) if tax else {}
        rate_meta: dict[str, Any] | None = {"vat-rate": rate} if multi else None
        if parts.get("services"):
            vat_postings.append(posting(opener.role("vat-pending"), -parts["services"], rate_meta))
        if parts.get("goods"):
            vat_postings.append(posting(opener.role("vat-collected"), -parts["goods"], rate_meta))
    ht = sum((amount for _n, _a, amount, _c in lines), ZERO)
    ttc = ht + total_vat
    receivable = index.by_client().get(client)
    if receivable is None:
        parent = role_account(config, entity, "clients")
        receivable = opener.need(
            f"{parent.account}:{account_component(client)}", parent.pcg, parent.label
        )
    else:
        opener.need(receivable, "411", "Clients")
    due = request.due or request.day + timedelta(days=config.entity(entity).series.payment_days)
    names = [name for name, *_rest in lines]
    rates = []
    for _n, _a, _m, choice in lines:
        if choice.rate not in rates:
            rates.append(choice.rate)
    txn_meta: dict[str, Any] = {
        "invoice": number,
        "client": client,
        "client-siren": siren,
        "activity": ",".join(dict.fromkeys(names)),
        "vat-rate": None
        if franchise and rates == [NO_VAT]
        else ",".join(r for r in rates if r != NO_VAT),
        "vat-exemption": exemptions[0] if exemptions else None,
        "vat-mention": regime.mention if franchise else None,
        "due-date": due,
        "project": project,
    }
    narration = ledger_text(config, N_("Invoice {number}")).format(number=number)
    if label:
        narration = f"{narration} - {label}"
    entry = transaction(
        request.day,
        client,
        narration,
        [number],
        txn_meta,
        [posting(receivable, ttc), *income_postings, *vat_postings],
    )
    return Planned(
        entity,
        entry,
        opener.opens,
        number,
        opener.appends([entry]),
        notes,
        ht=ht,
        vat=total_vat,
        ttc=ttc,
    )


def locate_invoice(ws: Workspace, number: str, entity: str | None) -> str:
    """The entity whose ledger holds invoice ``number`` (``--entity`` or a unique match)."""
    if entity is not None:
        ws.config.entity(entity)
        return entity
    found = []
    for candidate in ws.config.entities:
        try:
            ledger = ws.load_checked(candidate)
        except LedgerErrors:  # a ledger with errors is searched once it is fixed
            continue
        if number in sales_index(ws.config, ledger).invoices:
            found.append(candidate)
    if not found:
        raise UsageError(
            _(
                "No invoice numbered {number} in any ledger; see 'alusage-ledger invoice list'."
            ).format(number=number)
        )
    if len(found) > 1:
        raise UsageError(
            _("The invoice number {number} exists in {entities}; pass --entity.").format(
                number=number, entities=", ".join(found)
            )
        )
    return found[0]


def get_invoice(index: SalesIndex, number: str, entity: str) -> Invoice:
    invoice = index.invoices.get(number.strip())
    if invoice is None:
        raise UsageError(
            _("No invoice numbered {number} in the ledger of {entity}{hint}.").format(
                number=number, entity=entity, hint=did_you_mean(number, index.invoices)
            )
        )
    return invoice


def write_planned(
    ws: Workspace, entity: str, plan: Any, request: Any, dry_run: bool
) -> tuple[Planned, list[Any]]:
    """Under the workspace lock: load (no error allowed), plan, write (W1-W8)."""
    with ws.lock():
        ledger = ws.load_checked(entity)
        planned: Planned = plan(ws.config, ledger, request)
        files = ws.write(planned.appends, dry_run=dry_run)
    return planned, files


def add_invoice(
    ws: Workspace, request: InvoiceRequest, *, dry_run: bool = False
) -> tuple[Planned, list[Any]]:
    return write_planned(ws, request.entity, plan_invoice, request, dry_run)
