"""The workspace file ``alusage.toml``, read into validated pydantic models.

A workspace is a folder (a git repository) with ``alusage.toml`` at its root, found by
walking up from the current directory or given with ``--workspace``. The file holds
what is static or slowly changing: entities, places, policies, series, rules. Dated
facts of a period live in the ledgers themselves.

A configuration error names the file, the field path and what is expected, in one
sentence, and exits with code 3.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from alusage_ledger.books import answers
from alusage_ledger.books.entityconfig import (
    ENTITY_ID,
    ConfigModel,
    EntityConfig,
)
from alusage_ledger.books.placeconfig import PlaceConfig, check_references
from alusage_ledger.books.text import check_text
from alusage_ledger.core.errors import ConfigError, UsageError
from alusage_ledger.core.i18n import N_, _
from alusage_ledger.core.money import MoneyError, parse_amount
from alusage_ledger.core.suggest import did_you_mean

__all__ = [
    "CONFIG_NAME",
    "DEFAULT_ALLOWED_PLUGINS",
    "POLICY_ID",
    "RECURRING_ID",
    "AllocationRules",
    "BankSettings",
    "Config",
    "RecurringTemplate",
    "RedistributionPolicy",
    "ReviewSettings",
    "WorkspaceSettings",
    "YearSettings",
    "describe_error",
    "find_workspace",
    "load_config",
    "parse_config",
]

CONFIG_NAME = "alusage.toml"

#: Beancount's own plugins that only check or add harmless entries. ``auto_accounts``
#: and ``auto`` are left out on purpose: they hide misspelt accounts.
DEFAULT_ALLOWED_PLUGINS = frozenset(
    f"beancount.plugins.{name}"
    for name in (
        "check_average_cost",
        "check_closing",
        "check_commodity",
        "check_drained",
        "close_tree",
        "coherent_cost",
        "commodity_attr",
        "currency_accounts",
        "implicit_prices",
        "leafonly",
        "noduplicates",
        "nounused",
        "onecommodity",
        "pedantic",
        "sellgains",
        "unique_prices",
    )
)


class WorkspaceSettings(ConfigModel):
    locale: str = "fr_FR"
    currency: Literal["EUR"] = "EUR"
    allowed_plugins: list[str] = Field(default_factory=list)


class BankSettings(ConfigModel):
    """``[bank]``: bank statement import (docs/bank-import.md)."""

    rules: str | None = None  # the default rules file, relative to the workspace
    reconcile_days: int = Field(default=3, ge=0, le=31)  # a line meets an entry booked by hand


class ReviewSettings(ConfigModel):
    """``[review]``: what ``review`` warns about and how long a side may take to load."""

    #: A posting above this amount (absolute value) in an added or changed entry is a warning.
    amount_warning: Decimal = Decimal("5000.00")
    #: Each side of a review is loaded in a child process killed after this many seconds.
    timeout_seconds: int = Field(default=300, ge=1, le=86400)

    @field_validator("amount_warning", mode="before")
    @classmethod
    def _amount_warning(cls, value: Any) -> Decimal:
        if not isinstance(value, str):
            raise ValueError('expected an amount written as a string, e.g. "5000.00"')
        try:
            return parse_amount(value, allow_negative=False)
        except MoneyError:
            raise ValueError('expected an amount written as a string, e.g. "5000.00"') from None


POLICY_ID = re.compile(r"^[a-z]([a-z0-9-]{0,40}[a-z0-9])?$")
#: Which parameters each base needs (``rate`` is optional for ``surplus``: default 1).
POLICY_PARAMS: dict[str, tuple[str, ...]] = {
    "revenue": ("rate",),
    "margin": ("rate",),
    "project": ("rate", "project"),
    "fixed": ("amount",),
    "surplus": ("floor",),
}


def _policy_decimal(value: Any, example: str) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError(
            _('expected a number written as text, e.g. "{example}"').format(example=example)
        )
    try:
        return parse_amount(str(value), decimals=6 if example.startswith("0.") else 2)
    except MoneyError:
        raise ValueError(
            _('expected a number written as text, e.g. "{example}"').format(example=example)
        ) from None


class RedistributionPolicy(ConfigModel):
    """One ``[[redistribution]]`` policy: what ``from`` gives back to ``to`` each month.

    See docs/redistribution.md. ``from`` is a Python keyword, hence ``from_``.
    """

    id: str
    from_: str = Field(alias="from")
    to: str
    kind: Literal["don", "retribution"]
    base: Literal["revenue", "margin", "project", "fixed", "surplus"]
    rate: Decimal | None = None
    amount: Decimal | None = None
    project: str | None = None
    floor: Decimal | None = None
    commitment: str | None = None
    since: date | None = None
    until: date | None = None
    label: str | None = None
    activity: str | None = None
    vat_rate: Literal["20", "10", "5.5", "exempt"] | None = None
    income_account: str | None = None
    expense_account: str | None = None

    @field_validator("rate", mode="before")
    @classmethod
    def _rate(cls, value: Any) -> Decimal | None:
        return _policy_decimal(value, "0.05")

    @field_validator("amount", "floor", mode="before")
    @classmethod
    def _amounts(cls, value: Any) -> Decimal | None:
        return _policy_decimal(value, "100.00")

    @model_validator(mode="after")
    def _coherent(self) -> RedistributionPolicy:
        def bad(name: str, message: str) -> ValueError:
            return ValueError(
                _("the field {field!r} of policy {policy!r} {message}").format(
                    field=name, policy=self.id, message=message
                )
            )

        if not POLICY_ID.fullmatch(self.id):
            raise bad("id", _("must be lowercase letters, digits and dashes (e.g. don-commun)"))
        needed = POLICY_PARAMS[self.base]
        for name in ("rate", "amount", "project", "floor"):
            given = getattr(self, name) is not None
            if name in needed and not given:
                raise bad(name, _("is required with base {base!r}").format(base=self.base))
            if given and name not in needed and not (name == "rate" and self.base == "surplus"):
                raise bad(name, _("is not used with base {base!r}").format(base=self.base))
        if self.rate is not None and not (0 <= self.rate <= 1):
            raise bad("rate", _("must be between 0 and 1 (0.05 is 5 %)"))
        if self.amount is not None and self.amount <= 0:
            raise bad("amount", _("must be more than zero"))
        if self.floor is not None and self.floor < 0:
            raise bad("floor", _("must not be negative"))
        if self.kind == "retribution" and self.commitment is not None:
            raise bad("commitment", _("is only for donations (a retribution is invoiced)"))
        if self.kind == "don":
            for name in ("activity", "vat_rate", "income_account", "expense_account"):
                if getattr(self, name) is not None:
                    raise bad(name, _("is only for retributions"))
        if self.since and self.until and self.until < self.since:
            raise bad("until", _("is before since"))
        for name in ("label", "commitment", "project", "activity"):
            value = getattr(self, name)
            try:
                if value is not None:
                    check_text(value, name)
            except UsageError:
                raise bad(
                    name, _("must be one line of plain text (no control characters)")
                ) from None
        if self.from_ == self.to:
            raise bad("to", _("must differ from 'from'"))
        return self


RECURRING_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,40}$")


class RecurringTemplate(ConfigModel):
    """One ``[[recurring]]`` template: a bill posted every month by ``recurring post``.

    See docs/purchases-and-lettering.md. ``amount`` is the amount before tax as text, or
    ``"last"`` (the amount of the previous bill of this supplier on this account).
    ``piece_ref`` and ``label`` may use ``{year}``, ``{month}`` (a number, ``{month:02}``)
    and ``{month_name}``; ``period`` is the months the bill covers (``month``,
    ``quarter``, ``year`` or ``none``); ``months`` limits the months it is posted in.
    """

    id: str
    entity: str
    supplier: str
    account: str
    amount: str
    day: int = Field(default=1, ge=1, le=31)
    vat: str | None = None
    label: str | None = None
    piece_ref: str | None = None
    period: Literal["month", "quarter", "year", "none"] = "month"
    months: list[int] | None = None
    since: date | None = None
    until: date | None = None
    nature: Literal["goods", "services"] | None = None
    #: Paid by direct debit: the payment is posted too, on this day of the month.
    pay_day: int | None = Field(default=None, ge=1, le=31)
    pay_account: str | None = None
    #: The supplier's payable when it exists under another name (default: found or derived).
    supplier_account: str | None = None

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not RECURRING_ID.fullmatch(value):
            raise ValueError("a template id is lowercase letters, digits and dashes")
        return value

    @field_validator("amount", mode="before")
    @classmethod
    def _amount(cls, value: Any) -> str:
        if not isinstance(value, str):
            raise ValueError('expected an amount written as text, e.g. "1200.00", or "last"')
        if value.strip() != "last":
            try:
                parse_amount(value, allow_negative=False, allow_zero=False)
            except MoneyError:
                raise ValueError('expected an amount written as text, e.g. "1200.00"') from None
        return value.strip()

    @field_validator("vat", mode="before")
    @classmethod
    def _vat(cls, value: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise ValueError('expected a VAT rate written as text, e.g. "20" or "exempt"')
        return value

    @field_validator("piece_ref", "label")
    @classmethod
    def _pattern(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                value.format(year=2026, month=1, month_name="janvier")
            except (KeyError, IndexError, ValueError) as exc:
                raise ValueError(
                    f"{value!r}: only {{year}}, {{month}} and {{month_name}} fields ({exc})"
                ) from None
        return value

    @field_validator("months")
    @classmethod
    def _months(cls, value: list[int] | None) -> list[int] | None:
        if value is not None and (not value or any(not 1 <= m <= 12 for m in value)):
            raise ValueError("months are numbers from 1 to 12")
        return value

    @model_validator(mode="after")
    def _dates(self) -> RecurringTemplate:
        if self.since and self.until and self.until < self.since:
            raise ValueError("until is before since")
        return self


def _percent(value: Any) -> Any:
    """A percentage (``"15"``, ``15``, ``"57.5"``) between 0 and 100, as a Decimal."""
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(N_('expected a percentage written as text, e.g. "15" or "57.5"'))
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except ArithmeticError:
        raise ValueError(N_('expected a percentage written as text, e.g. "15" or "57.5"')) from None
    if not number.is_finite() or number < 0 or number > 100:
        raise ValueError(N_("expected a percentage between 0 and 100"))
    return number


class AllocationRules(ConfigModel):
    """How much of a profit the law sends to the reserves (``[year.scic]``, ``[year.sas]``).

    Checked by ``check`` on every allocation and printed by ``year allocate --propose``
    (docs/year.md). SCIC: loi 1947 art. 16 (legal reserve) and 19 nonies (statutory
    reserve); SAS: Code de commerce L232-10.
    """

    #: Percentage of the result (after absorbing a debit carry-forward) for the legal reserve.
    legal_reserve_rate: Decimal
    #: Until what the legal reserve is fed: the highest capital ever reached, the capital
    #: at the allocation, or no cap.
    legal_reserve_cap: Literal["highest-capital", "capital", "none"]
    #: The cap as a percentage of that base (SAS: 10 % of the share capital).
    legal_reserve_cap_rate: Decimal = Decimal("100")
    #: Percentage of what remains after the legal reserve, for the statutory reserve.
    statutory_reserve_rate: Decimal = Decimal("0")
    #: Interest on shares at most this percentage of the paid-up capital (none: unchecked).
    interest_rate_max: Decimal | None = None

    @field_validator(
        "legal_reserve_rate",
        "legal_reserve_cap_rate",
        "statutory_reserve_rate",
        "interest_rate_max",
        mode="before",
    )
    @classmethod
    def _rates(cls, value: Any) -> Any:
        return _percent(value)


def _scic_rules() -> AllocationRules:
    return AllocationRules(
        legal_reserve_rate=Decimal("15"),
        legal_reserve_cap="highest-capital",
        statutory_reserve_rate=Decimal("50"),
    )


def _sas_rules() -> AllocationRules:
    return AllocationRules(
        legal_reserve_rate=Decimal("5"),
        legal_reserve_cap="capital",
        legal_reserve_cap_rate=Decimal("10"),
    )


class CorporateTaxRules(ConfigModel):
    """``[year.corporate_tax]``: the rates of the IS (``report corporate-tax``, docs/year.md).

    Defaults: CGI art. 219 I (normal rate 25 %) and 219 I b (15 % up to 42 500 € of profit
    for an SME with turnover under 10 M€, capital fully paid up and at least 75 % held by
    natural persons) — to confirm against the finance law of the year. Whether an entity
    meets the paid-up and holding conditions is for its accountant: list it in
    ``reduced_rate_entities`` (none by default).
    """

    normal_rate: Decimal = Decimal("25")
    reduced_rate: Decimal = Decimal("15")
    reduced_ceiling: Decimal = Decimal("42500")
    turnover_limit: Decimal = Decimal("10000000")
    reduced_rate_entities: list[str] = Field(default_factory=list)

    @field_validator("normal_rate", "reduced_rate", mode="before")
    @classmethod
    def _rates(cls, value: Any) -> Any:
        return _percent(value)

    @field_validator("reduced_ceiling", "turnover_limit", mode="before")
    @classmethod
    def _amounts(cls, value: Any) -> Any:
        if isinstance(value, Decimal):
            return value
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ValueError(N_('expected an amount written as text, e.g. "42500"'))
        try:
            number = Decimal(str(value).strip())
        except ArithmeticError:
            raise ValueError(N_('expected an amount written as text, e.g. "42500"')) from None
        if not number.is_finite() or number < 0:
            raise ValueError(N_('expected an amount written as text, e.g. "42500"'))
        return number


class YearSettings(ConfigModel):
    """``[year]``: the exercice close, the allocation of the result, members' capital."""

    scic: AllocationRules = Field(default_factory=_scic_rules)
    sas: AllocationRules = Field(default_factory=_sas_rules)
    #: Warn when the capital falls below this percentage of the highest capital reached
    #: (loi 1947 art. 13: a quarter).
    capital_floor_rate: Decimal = Decimal("25")
    #: Members' categories a subscription may name (empty: any id).
    capital_categories: list[str] = Field(default_factory=list)
    #: The rates of the corporate tax (IS).
    corporate_tax: CorporateTaxRules = Field(default_factory=lambda: CorporateTaxRules())

    @model_validator(mode="before")
    @classmethod
    def _kind_defaults(cls, value: Any) -> Any:
        # ``[year.scic]`` with one field keeps the law's defaults for the others.
        if isinstance(value, dict):
            value = dict(value)
            for kind, defaults in (("scic", _scic_rules), ("sas", _sas_rules)):
                given = value.get(kind)
                if isinstance(given, dict):
                    base = defaults().model_dump()
                    value[kind] = {**base, **given}
        return value

    @field_validator("capital_floor_rate", mode="before")
    @classmethod
    def _floor(cls, value: Any) -> Any:
        return _percent(value)

    @field_validator("capital_categories")
    @classmethod
    def _categories(cls, value: list[str]) -> list[str]:
        for item in value:
            if not re.fullmatch(r"[a-z][a-z0-9-]{0,40}", item):
                raise ValueError(N_("a category is lowercase letters, digits and dashes"))
        return value

    def rules(self, kind: str) -> AllocationRules | None:
        """The allocation rules of an entity's kind (none for a micro-entrepreneur)."""
        return {"scic": self.scic, "sas": self.sas}.get(kind)


class Config(ConfigModel):
    workspace: WorkspaceSettings = Field(default_factory=WorkspaceSettings)
    entities: dict[str, EntityConfig] = Field(default_factory=dict)
    # Sections owned by later issues; validated by their own models when used.
    places: dict[str, PlaceConfig] = Field(default_factory=dict)  # places.py (le 97)
    redistribution: list[RedistributionPolicy] = Field(default_factory=list)
    recurring: list[RecurringTemplate] = Field(default_factory=list)  # recurring.py
    bank: BankSettings = Field(default_factory=lambda: BankSettings())  # bankimport.py
    review: ReviewSettings = Field(default_factory=lambda: ReviewSettings())
    year: YearSettings = Field(default_factory=lambda: YearSettings())  # yearend.py, capital.py

    @field_validator("entities")
    @classmethod
    def _entity_ids(cls, value: dict[str, EntityConfig]) -> dict[str, EntityConfig]:
        for key in value:
            if not ENTITY_ID.fullmatch(key):
                raise ValueError(
                    _("entity id {key!r} must be lowercase letters, digits and dashes").format(
                        key=key
                    )
                )
        return value

    @model_validator(mode="after")
    def _recurring_references(self) -> Config:
        seen: set[str] = set()
        for index, template in enumerate(self.recurring):
            if template.entity not in self.entities:
                raise ValueError(
                    _(
                        "recurring.{index}.entity: template {id!r} names the unknown entity "
                        "{entity!r}; the entities are: {known}"
                    ).format(
                        index=index,
                        id=template.id,
                        entity=template.entity,
                        known=", ".join(sorted(self.entities)) or "-",
                    )
                )
            if template.id in seen:
                raise ValueError(
                    _("recurring.{index}.id: the template id {id!r} is used twice").format(
                        index=index, id=template.id
                    )
                )
            seen.add(template.id)
        return self

    @model_validator(mode="after")
    def _place_references(self) -> Config:
        check_references(self.places, {key: item.kind for key, item in self.entities.items()})
        return self

    @model_validator(mode="after")
    def _redistribution_references(self) -> Config:
        seen: set[str] = set()
        for index, policy in enumerate(self.redistribution):
            for name, value in (("from", policy.from_), ("to", policy.to)):
                if value not in self.entities:
                    raise ValueError(
                        _(
                            "redistribution.{index}.{field}: policy {policy!r} names the "
                            "unknown entity {entity!r}; the entities are: {known}"
                        ).format(
                            index=index,
                            field=name,
                            policy=policy.id,
                            entity=value,
                            known=", ".join(sorted(self.entities)) or "-",
                        )
                    )
            if policy.id in seen:
                raise ValueError(
                    _("redistribution.{index}.id: the policy id {policy!r} is used twice").format(
                        index=index, policy=policy.id
                    )
                )
            seen.add(policy.id)
        return self

    def allowed_plugins(self) -> frozenset[str]:
        return DEFAULT_ALLOWED_PLUGINS | frozenset(self.workspace.allowed_plugins)

    def entity(self, entity_id: str) -> EntityConfig:
        try:
            return self.entities[entity_id]
        except KeyError:
            raise UsageError(
                _("Unknown entity {name!r}{hint}; the entities are: {known}.").format(
                    name=entity_id,
                    hint=did_you_mean(entity_id, self.entities),
                    known=", ".join(sorted(self.entities)) or "-",
                )
            ) from None


#: Pydantic error types, said in words (and translated): what is expected.
_EXPECTED = {
    "string_type": N_("expected text in quotes"),
    "int_type": N_("expected a whole number"),
    "int_parsing": N_("expected a whole number"),
    "bool_type": N_("expected true or false"),
    "bool_parsing": N_("expected true or false"),
    "date_type": N_("expected a date YYYY-MM-DD"),
    "date_parsing": N_("expected a date YYYY-MM-DD"),
    "date_from_datetime_parsing": N_("expected a date YYYY-MM-DD"),
    "decimal_type": N_("expected a number written as text"),
    "decimal_parsing": N_("expected a number written as text"),
    "list_type": N_("expected a list [...]"),
    "dict_type": N_("expected a table"),
    "model_type": N_("expected a table"),
    "model_attributes_type": N_("expected a table"),
    "greater_than_equal": N_("expected a number at least {ge}"),
    "less_than_equal": N_("expected a number at most {le}"),
    "greater_than": N_("expected a number above {gt}"),
    "less_than": N_("expected a number below {lt}"),
}


def describe_error(error: dict[str, Any]) -> str:
    """One pydantic error as ``field.path: what is expected (got ...)``, translated."""
    loc = ".".join(str(part) for part in error.get("loc", ()) if part != "__root__")
    kind = str(error.get("type", ""))
    ctx = dict(error.get("ctx") or {})
    got = error.get("input")
    shown = repr(got) if isinstance(got, str | int | float | bool) else None
    if kind == "extra_forbidden":
        msg = _("unknown field (a misspelling?)")
        shown = None
    elif kind == "missing":
        msg = _("this field is required")
        shown = None
    elif kind == "literal_error":
        # pydantic says "'a', 'b' or 'c'": its English "or" is translated.
        values = str(ctx.get("expected", "")).replace(" or ", _(" or "))
        msg = _("expected one of {values}").format(values=values)
    elif kind in _EXPECTED:
        msg = _(_EXPECTED[kind]).format(**{k: str(v) for k, v in ctx.items()})
    elif kind in ("value_error", "assertion_error"):
        error_obj = ctx.get("error")
        text = str(error_obj) if error_obj is not None else str(error.get("msg", ""))
        msg = _(text.removeprefix("Value error, "))
    else:
        msg = str(error.get("msg", ""))
    if shown is not None:
        msg = _("{expected} (got {value})").format(expected=msg, value=shown)
    return f"{loc}: {msg}" if loc else msg


def toml_document(text: str, source: Path | str) -> dict[str, Any]:
    """A TOML file's text as a dict (a UTF-8 byte order mark, as Windows editors save, is
    ignored); :class:`ConfigError` (exit 3) naming the file otherwise."""
    try:
        return tomllib.loads(text.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            _("{file}: the TOML syntax is invalid ({detail}); fix that line.").format(
                file=source, detail=exc
            )
        ) from exc


def parse_config(text: str, source: Path) -> Config:
    """``alusage.toml`` as a :class:`Config`; :class:`ConfigError` (exit 3) otherwise.

    A UTF-8 byte order mark (as Windows editors save) is accepted and ignored; a file
    without any entity is an error (every command needs one).
    """
    raw = toml_document(text, source)
    try:
        config = Config.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ConfigError(
            _("{file}: {problem}.").format(file=source, problem=describe_error(dict(first)))
        ) from exc
    if not config.entities:
        raise ConfigError(
            _(
                "{file} defines no entity; add an [entities.<id>] section (see "
                "docs/configuration.md), or create a workspace with 'alusage-ledger init'."
            ).format(file=source)
        )
    return config


def load_config(path: Path) -> Config:
    try:
        data = path.read_bytes()
        answers.observe_bytes(path, data)
    except OSError as exc:
        raise ConfigError(
            _("Cannot read {file}: {reason}.").format(file=path, reason=exc.strerror)
        ) from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            _("{file} is not UTF-8 text; save it as UTF-8.").format(file=path)
        ) from exc
    return parse_config(text, path)


def find_workspace(start: Path | None = None) -> Path:
    """The folder holding ``alusage.toml``, walking up from ``start`` (default: cwd)."""
    here = (start or Path.cwd()).resolve()
    answers.observe("real", str(start or Path.cwd()), str(here))
    for folder in (here, *here.parents):
        found = (folder / CONFIG_NAME).is_file()
        answers.observe("isfile", str(folder / CONFIG_NAME), "1" if found else "0")
        if found:
            answers.found_workspace(folder)
            return folder
    raise ConfigError(
        _(
            "No {name} found in {folder} or its parents; run 'alusage-ledger init' "
            "or pass --workspace."
        ).format(name=CONFIG_NAME, folder=here)
    )
