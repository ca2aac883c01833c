"""What an issued document says: parties, lines, VAT per rate, dates and legal mentions.

Read from the ledger entry and ``alusage.toml`` (never the other way round). A mention the
document needs and the configuration lacks is a :class:`ConfigError` naming the key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from alusage_ledger.books.vatregime import regime_on
from alusage_ledger.core.errors import ConfigError, UsageError
from alusage_ledger.core.i18n import _
from alusage_ledger.core.money import ZERO
from alusage_ledger.domains.sales.index import Accounts, meta_rate, meta_text, sales_index
from alusage_ledger.domains.sales.rates import EXEMPT, NO_VAT

if TYPE_CHECKING:
    from alusage_ledger.books.config import Config
    from alusage_ledger.books.entityconfig import AddressConfig
    from alusage_ledger.books.loader import LoadedLedger

INVOICE = "380"
CREDIT_NOTE = "381"
FRANCHISE_MENTION = "TVA non applicable, art. 293 B du CGI"


@dataclass(frozen=True)
class Party:
    name: str
    line1: str
    line2: str | None
    postcode: str
    city: str
    country: str
    siren: str | None
    vat_number: str | None


@dataclass(frozen=True)
class Line:
    designation: str
    rate: str  # "20" ... | "exempt" | "none"
    ht: Decimal
    kind: str  # goods | services


@dataclass(frozen=True)
class Tax:
    rate: str
    base: Decimal
    vat: Decimal
    mention: str | None  # the exemption basis or the franchise mention


@dataclass(frozen=True)
class Content:
    """One document, amounts positive (a credit note says so by its type code)."""

    entity: str
    number: str
    type_code: str  # 380 invoice, 381 credit note
    issued: date
    delivered: date
    due: date | None
    seller: Party
    buyer: Party
    professional: bool
    lines: tuple[Line, ...]
    taxes: tuple[Tax, ...]
    ht: Decimal
    vat: Decimal
    ttc: Decimal
    refers_to: str | None  # the invoice a credit note corrects
    category: str  # goods | services | both
    debits: bool  # the entity opted for VAT on debits
    penalties: str
    indemnity: str
    discount: str
    entry: Any

    @property
    def mentions(self) -> tuple[str, ...]:
        return tuple(t.mention for t in self.taxes if t.mention)


def _missing(key: str) -> ConfigError:
    return ConfigError(
        _("The document needs {key} in alusage.toml; add it and run the command again.").format(
            key=key
        )
    )


def _party(name: str, address: AddressConfig, siren: str | None, vat_number: str | None) -> Party:
    return Party(
        name,
        address.line1,
        address.line2,
        address.postcode,
        address.city,
        address.country,
        siren,
        vat_number,
    )


def _exemption(
    meta: Any, activities: dict[str, Any], franchise: bool, franchise_mention: str, entity: str
) -> str:
    """The legal basis printed for exempt lines: the entry's, else the activity's, else
    the franchise's mention for an entity under the franchise."""
    basis = meta_text(meta, "vat-exemption")
    if basis is not None:
        return f"Exonération de TVA, {basis}"
    mention = meta_text(meta, "vat-mention")
    if mention is not None:
        return mention
    basis = next((a.exemption for a in activities.values() if a.exemption), None)
    if basis is not None:
        return f"Exonération de TVA, {basis}"
    if franchise:
        return franchise_mention
    raise _missing(f"entities.{entity}.activities.<id>.exemption")


def _signed_lines(
    config: Config, ledger: LoadedLedger, entry: Any, sign: Decimal
) -> tuple[list[Line], dict[str, Decimal]]:
    """The income lines and the VAT per rate of an entry, made positive by ``sign``."""
    accounts = Accounts.of(config, ledger)
    activities = config.entity(ledger.entity).activities
    by_account = {a.account: key for key, a in activities.items()}
    meta = entry.meta or {}
    txn_rate = meta_rate(meta)
    txn_activity = meta_text(meta, "activity")
    lines: list[Line] = []
    vat: dict[str, Decimal] = {}
    vat_postings: list[Any] = []
    for item in entry.postings:
        if item.units is None:
            continue
        if accounts.is_income(item.account):
            activity = (
                meta_text(item.meta, "activity") or txn_activity or by_account.get(item.account)
            )
            conf = activities.get(activity or "")
            rate = meta_rate(item.meta) or txn_rate or NO_VAT  # as the sales index reads it
            label = meta_text(item.meta, "designation") or meta_text(meta, "designation")
            if label is None:
                label = (conf.label if conf and conf.label else None) or (activity or "")
                label = label[:1].upper() + label[1:]
            kind = conf.kind if conf else "services"
            lines.append(Line(label, rate, -sign * item.units.number, kind))
        elif accounts.is_vat_out(item.account):
            vat_postings.append(item)
    taxable = sorted({line.rate for line in lines if line.rate not in (EXEMPT, NO_VAT)})
    for item in vat_postings:
        rate = meta_rate(item.meta) or (taxable[0] if len(taxable) == 1 else txn_rate or "?")
        vat[rate] = vat.get(rate, ZERO) - sign * item.units.number
    return lines, vat


def _find(config: Config, ledger: LoadedLedger, number: str) -> tuple[Any, str, str | None]:
    """The entry of invoice or credit note ``number``, its type code, the invoice referred to."""
    index = sales_index(config, ledger)
    if number in index.invoices:
        return index.invoices[number].entry, INVOICE, None
    if number in index.credit_notes:
        note = index.credit_notes[number]
        return note.entry, CREDIT_NOTE, note.invoice
    raise UsageError(
        _("No invoice nor credit note numbered {number} in the ledger of {entity}.").format(
            number=number, entity=ledger.entity
        )
    )


def document_content(config: Config, ledger: LoadedLedger, number: str) -> Content:
    """What the document of ``number`` says, or a ConfigError naming what is missing."""
    entity = ledger.entity
    conf = config.entity(entity)
    docs = conf.documents
    entry, type_code, refers_to = _find(config, ledger, number)
    meta = entry.meta or {}
    key = f"entities.{entity}.documents"
    regime = regime_on(config, entity, entry.date)
    franchise = regime.regime == "franchise"
    if docs.address is None:
        raise _missing(f"{key}.address")
    if conf.siren is None:
        raise _missing(f"entities.{entity}.siren")
    if docs.vat_number is None and not franchise:
        raise _missing(f"{key}.vat_number")
    client_name = meta_text(meta, "client") or entry.payee or ""
    client = docs.clients.get(client_name)
    if client is None:
        raise _missing(f'{key}.clients."{client_name}".address')
    if client.professional and client.siren is None:
        raise _missing(f'{key}.clients."{client_name}".siren')
    sign = Decimal(1) if type_code == INVOICE else Decimal(-1)
    lines, vat = _signed_lines(config, ledger, entry, sign)
    mention_of: dict[str, str | None] = {}
    activities = conf.activities
    for line in lines:
        if line.rate == NO_VAT:
            mention_of[NO_VAT] = meta_text(meta, "vat-mention") or regime.mention
        elif line.rate == EXEMPT:
            mention_of[EXEMPT] = _exemption(meta, activities, franchise, regime.mention, entity)
    taxes = []
    for rate in dict.fromkeys(line.rate for line in lines):
        base = sum((line.ht for line in lines if line.rate == rate), ZERO)
        taxes.append(Tax(rate, base, vat.get(rate, ZERO), mention_of.get(rate)))
    ht = sum((t.base for t in taxes), ZERO)
    total_vat = sum((t.vat for t in taxes), ZERO)
    kinds = {line.kind for line in lines}
    delivered = meta.get("service-date")
    due = meta.get("due-date", meta.get("due"))
    if type_code == INVOICE:
        due = sales_index(config, ledger).invoices[number].due
    return Content(
        entity=entity,
        number=number,
        type_code=type_code,
        issued=entry.date,
        delivered=delivered if isinstance(delivered, date) else entry.date,
        due=due if isinstance(due, date) else None,
        seller=_party(conf.name, docs.address, conf.siren, docs.vat_number),
        buyer=_party(client_name, client.address, client.siren, client.vat_number),
        professional=client.professional,
        lines=tuple(lines),
        taxes=tuple(taxes),
        ht=ht,
        vat=total_vat,
        ttc=ht + total_vat,
        refers_to=refers_to,
        category="both" if len(kinds) > 1 else (kinds.pop() if kinds else "services"),
        debits=not franchise and regime.exigibility == "debits",
        penalties=docs.penalties,
        indemnity=docs.indemnity,
        discount=docs.discount,
        entry=entry,
    )
