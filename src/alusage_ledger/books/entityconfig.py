"""The ``[entities.<id>]`` sections of ``alusage.toml``: one entity and its books' settings.

An entity (an SAS, a SCIC or a micro-entrepreneur) names its ledger, its exercice, when
its books start, and for sales: its dated VAT regimes (:class:`VatRegimeConfig`), its
invoice series (:class:`SeriesConfig`), its activities (:class:`ActivityConfig`) and the
accounts of its roles. :class:`ConfigModel` is the base of every model of the file
(:mod:`alusage_ledger.books.config` assembles them).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from alusage_ledger.books.sanity import DEFAULT_MAX_AMOUNT
from alusage_ledger.core.i18n import N_
from alusage_ledger.core.money import MoneyError, parse_amount
from alusage_ledger.core.periods import Exercice, Month
from alusage_ledger.core.siren import siren_problem

ENTITY_ID = re.compile(r"^[a-z][a-z0-9-]{0,62}$")


class ConfigModel(BaseModel):
    """A section of ``alusage.toml``: unknown fields refused, values frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


#: VAT rates of metropolitan France (CGI 278, 278-0 bis, 279, 281 quater).
VAT_RATES = ("20", "10", "5.5", "2.1")
_SERIES_FIELD = re.compile(r"\{([a-z]+)(?::0(\d))?\}")
_SERIES_LITERAL = re.compile(r"^[A-Za-z0-9._/-]*$")


def series_regex(pattern: str) -> re.Pattern[str]:
    """The regex of a numbering pattern like ``F{year}-{seq:04}`` (groups ``year``, ``seq``).

    Raises ValueError when the pattern is not one the tool can number with.
    """
    parts: list[str] = []
    seen: list[str] = []
    position = 0
    for match in _SERIES_FIELD.finditer(pattern):
        literal = pattern[position : match.start()]
        if not _SERIES_LITERAL.fullmatch(literal) or "{" in literal or "}" in literal:
            raise ValueError(f"{literal!r}: only letters, digits and - _ / . between fields")
        parts.append(re.escape(literal))
        name, width = match.group(1), match.group(2)
        if name not in ("year", "seq") or name in seen:
            raise ValueError(f"{{{name}}}: only one {{year}} and one {{seq}} are allowed")
        seen.append(name)
        if name == "year":
            if width:
                raise ValueError("{year} takes no width")
            parts.append(r"(?P<year>\d{4})")
        else:
            parts.append(rf"(?P<seq>\d{{{int(width or 1)},}})")
        position = match.end()
    tail = pattern[position:]
    if not _SERIES_LITERAL.fullmatch(tail):
        raise ValueError(f"{tail!r}: only letters, digits and - _ / . between fields")
    parts.append(re.escape(tail))
    if "seq" not in seen:
        raise ValueError("the pattern needs a {seq} field, e.g. F{year}-{seq:04}")
    return re.compile("".join(parts))


def _config_decimal(value: Any) -> Any:
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError('expected a whole number or an amount written as text, e.g. "37500"')
    try:
        return parse_amount(str(value), allow_negative=False)
    except MoneyError:
        raise ValueError('expected an amount written as text, e.g. "37500"') from None


class VatRegimeConfig(ConfigModel):
    """One ``[[entities.<id>.vat]]`` item: the VAT regime in force from ``since`` on.

    Thresholds of the franchise (CGI 293 B, loi 2025-1044) are configurable: the law
    changes often (docs/sales-and-vat.md).
    """

    since: date
    regime: Literal["franchise", "rsi", "reel-mensuel", "reel-trimestriel"]
    #: When VAT on services is due: on receipt (the default) or on invoicing (option).
    exigibility: Literal["encaissements", "debits"] = "encaissements"
    #: The settlement entry of a return is dated this day of the month after the period.
    settlement_day: int = Field(default=20, ge=1, le=28)
    #: The invoice mention while under the franchise.
    mention: str = "TVA non applicable, art. 293 B du CGI"
    services_threshold: Decimal = Decimal("37500")
    services_threshold_major: Decimal = Decimal("41250")
    sales_threshold: Decimal = Decimal("85000")
    sales_threshold_major: Decimal = Decimal("93500")
    #: rsi: last year's net VAT, base of the July (55 %) and December (40 %) instalments;
    #: computed from last year's books when not given.
    instalment_base: Decimal | None = None
    #: Deductible share of a non-deductible VAT category (purchases/nondeductible.py),
    #: when it differs from the sourced default: ``{ "fuel-diesel" = "0.8" }``.
    deductible_shares: dict[str, Decimal] = Field(default_factory=dict)
    #: A mixed entity (taxable and exempt sales): VAT on its purchases is deducted by the
    #: coefficient of deduction (CGI ann. II art. 206), provisional from last year's
    #: turnover, final at the year's end. ``coefficient`` is the provisional one of the
    #: first year (no turnover of last year), e.g. "0.70".
    prorata: bool = False
    coefficient: Decimal | None = None

    @field_validator("deductible_shares", mode="before")
    @classmethod
    def _shares(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: _config_decimal(v) for k, v in value.items()}
        return value

    @field_validator(
        "coefficient",
        "services_threshold",
        "services_threshold_major",
        "sales_threshold",
        "sales_threshold_major",
        "instalment_base",
        mode="before",
    )
    @classmethod
    def _amounts(cls, value: Any) -> Any:
        return _config_decimal(value)

    @model_validator(mode="after")
    def _majors(self) -> VatRegimeConfig:
        if self.services_threshold_major < self.services_threshold:
            raise ValueError("services_threshold_major is below services_threshold")
        if self.sales_threshold_major < self.sales_threshold:
            raise ValueError("sales_threshold_major is below sales_threshold")
        return self


class SeriesConfig(ConfigModel):
    """``[entities.<id>.series]``: numbering of invoices and credit notes, payment terms."""

    invoice: str = "F{year}-{seq:04}"
    credit_note: str = "A{year}-{seq:04}"
    #: Days from the invoice date to its due date when ``--due`` is not given.
    payment_days: int = Field(default=30, ge=0, le=365)

    @field_validator("invoice", "credit_note")
    @classmethod
    def _pattern(cls, value: str) -> str:
        series_regex(value)
        return value

    @model_validator(mode="after")
    def _distinct(self) -> SeriesConfig:
        invoice, credit = series_regex(self.invoice), series_regex(self.credit_note)
        sample_i = self.invoice.replace("{year}", "2026")
        sample_c = self.credit_note.replace("{year}", "2026")
        sample_i = _SERIES_FIELD.sub("1", sample_i)
        sample_c = _SERIES_FIELD.sub("1", sample_c)
        if credit.fullmatch(sample_i) or invoice.fullmatch(sample_c):
            raise ValueError("the invoice and credit note patterns must not look alike")
        return self


class ActivityConfig(ConfigModel):
    """``[entities.<id>.activities.<activity>]``: what is sold, where it is booked, its VAT."""

    account: str
    pcg: str | None = None
    label: str | None = None
    #: Default VAT rate: "20", "10", "5.5", "2.1" or "exempt" (then ``exemption`` is required).
    rate: Literal["20", "10", "5.5", "2.1", "exempt"] = "20"
    #: goods: VAT due on delivery; services: on receipt unless the entity opted for debits.
    kind: Literal["goods", "services"] = "services"
    #: The legal basis printed on an exempt invoice, e.g. "CGI art. 261-4-4° a".
    exemption: str | None = None
    #: Micro-entrepreneurs: the URSSAF turnover category of this activity.
    urssaf: Literal["bnc", "bic-services", "bic-sales"] | None = None

    @field_validator("pcg")
    @classmethod
    def _pcg(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"\d{3,}", value):
            raise ValueError("a PCG number is at least 3 digits")
        return value

    @model_validator(mode="after")
    def _exemption(self) -> ActivityConfig:
        if self.rate == "exempt" and not self.exemption:
            raise ValueError('an exempt activity needs its legal basis in "exemption"')
        return self


def _luhn_siren(value: str | None) -> str | None:
    """A SIREN: 9 digits whose Luhn key is right (None stays None)."""
    if value is None:
        return None
    if not re.fullmatch(r"\d{9}", value):
        raise ValueError(N_("a SIREN is 9 digits"))
    total = 0
    for index, char in enumerate(reversed(value)):
        digit = int(char) * (2 if index % 2 else 1)
        total += digit - 9 if digit > 9 else digit
    if total % 10:
        raise ValueError(N_("this SIREN's Luhn key is wrong"))
    return value


class AddressConfig(ConfigModel):
    """A postal address printed on invoices and carried in their Factur-X XML."""

    #: Street and number.
    line1: str
    #: A second line (building, lieu-dit), optional.
    line2: str | None = None
    postcode: str
    city: str
    #: ISO 3166 code of the country.
    country: str = Field(default="FR", pattern=r"^[A-Z]{2}$")


class ClientConfig(ConfigModel):
    """What an invoice says of a client beyond its name (``documents.clients."Name"``)."""

    address: AddressConfig
    siren: str | None = None
    #: Intra-community VAT number (FR + key + SIREN), when the client has one.
    vat_number: str | None = None
    #: A professional client: the 40 EUR indemnity and its SIREN are on the invoice.
    professional: bool = True

    @field_validator("siren")
    @classmethod
    def _client_siren(cls, value: str | None) -> str | None:
        return _luhn_siren(value)


class DocumentsConfig(ConfigModel):
    """What issued documents need beyond the ledger (docs/e-invoicing.md)."""

    #: The seller's address, printed on every document.
    address: AddressConfig | None = None
    #: The seller's intra-community VAT number (none under the franchise).
    vat_number: str | None = None
    #: The late-payment penalty clause (C. com. L441-10: at least 3 times the legal rate).
    penalties: str = (
        "Pénalités de retard : taux de refinancement de la BCE majoré de 10 points "
        "(C. com. art. L441-10)"
    )
    #: The fixed indemnity for recovery costs owed by a professional (C. com. D441-5).
    indemnity: str = "Indemnité forfaitaire pour frais de recouvrement : 40 € (C. com. art. D441-5)"
    #: The early-payment discount terms.
    discount: str = "Pas d'escompte pour paiement anticipé"
    #: Clients by the name their invoices carry.
    clients: dict[str, ClientConfig] = Field(default_factory=dict)


class EntityConfig(ConfigModel):
    name: str
    kind: Literal["sas", "scic", "micro"]
    ledger: str
    siren: str | None = None
    exercice_start: str = "01-01"
    books_start: str | None = None
    # Sales and VAT (docs/sales-and-vat.md): dated VAT regimes, invoice series, activities.
    # Empty means the defaults of the entity's kind (vat.default_regime, sales.activities_of).
    vat: list[VatRegimeConfig] = Field(default_factory=list)
    series: SeriesConfig = Field(default_factory=lambda: SeriesConfig())
    accounts: dict[str, str] = Field(default_factory=dict)
    activities: dict[str, ActivityConfig] = Field(default_factory=dict)
    #: The largest amount one posting may book (books/sanity.py): a typo's guard.
    max_amount: Decimal = DEFAULT_MAX_AMOUNT
    #: Addresses, VAT numbers and clients for issued documents (invoice document).
    documents: DocumentsConfig = Field(default_factory=lambda: DocumentsConfig())

    @field_validator("max_amount", mode="before")
    @classmethod
    def _max_amount(cls, value: Any) -> Any:
        amount = _config_decimal(value)
        if isinstance(amount, Decimal) and amount <= 0:
            raise ValueError(N_("expected an amount above zero"))
        return amount

    @field_validator("vat")
    @classmethod
    def _vat_dates(cls, value: list[VatRegimeConfig]) -> list[VatRegimeConfig]:
        days = [item.since for item in value]
        if len(set(days)) != len(days):
            raise ValueError("two VAT regimes start on the same day")
        return sorted(value, key=lambda item: item.since)

    @field_validator("activities")
    @classmethod
    def _activity_ids(cls, value: dict[str, ActivityConfig]) -> dict[str, ActivityConfig]:
        for key in value:
            if not re.fullmatch(r"[a-z][a-z0-9-]{0,40}", key):
                raise ValueError(
                    f"activity id {key!r} must be lowercase letters, digits and dashes"
                )
        return value

    @field_validator("siren")
    @classmethod
    def _siren(cls, value: str | None) -> str | None:
        problem = None if value is None else siren_problem(value)
        if problem == "digits":
            raise ValueError(N_("a SIREN is 9 digits"))
        if problem == "key":
            raise ValueError(N_("this SIREN fails its check digit (Luhn key): a digit is mistyped"))
        return value

    @field_validator("exercice_start")
    @classmethod
    def _exercice_start(cls, value: str) -> str:
        if not re.fullmatch(r"(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])", value):
            raise ValueError(N_('expected "MM-DD", e.g. "01-01"'))
        try:  # a day of every year (02-30 and 02-29 are not)
            date.fromisoformat(f"2027-{value}")
        except ValueError:
            raise ValueError(N_('expected "MM-DD", e.g. "01-01"')) from None
        return value

    @field_validator("books_start")
    @classmethod
    def _books_start(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                Month.from_text(value)
            except ValueError:
                raise ValueError(N_('expected a month "YYYY-MM", e.g. "2026-01"')) from None
        return value

    @field_validator("ledger")
    @classmethod
    def _ledger(cls, value: str) -> str:
        if value.startswith("/") or ".." in Path(value).parts:
            raise ValueError(N_("expected a path inside the workspace, relative to alusage.toml"))
        if not value.endswith(".beancount"):
            raise ValueError(N_("expected a .beancount file"))
        return value

    def books_start_month(self) -> Month | None:
        """``books_start`` (validated when the configuration was read) as a month."""
        return None if self.books_start is None else Month.from_text(self.books_start)

    def books_start_date(self) -> date | None:
        month = self.books_start_month()
        return None if month is None else month.first_day

    def exercice_of(self, day: date) -> Exercice:
        """The exercice (fiscal year) of this entity that contains ``day``."""
        return Exercice.containing(day, self.exercice_start)
