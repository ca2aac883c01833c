"""The ``[places.*]`` section of ``alusage.toml``: pydantic models and cross-checks.

A place is paid for by a *host* entity (Mycéliandre SCIC for le 97) and used by
*members*; each member pays its share of the place's rent and charges ("propriété
d'usage"). What is static lives in ``alusage.toml``::

    [places.le97]
    host = "myceliandre"
    receivable = "Actif:Usagers:Le97"
    income = "Produits:Le97:Refacturation"
    mirror_expense = "Charges:Locations:Le97"

    [[places.le97.charges]]
    name = "loyer"
    accounts = ["Charges:Le97:Loyer"]
    key = "surface"

    [[places.le97.members]]
    id = "alusage"
    entity = "alusage"
    since = 2026-01-01
    surface_m2 = "20"

The workspace configuration (:mod:`alusage_ledger.books.config`) validates this section
with these models; the places domain (:mod:`alusage_ledger.domains.places`) builds its
members, accounts and shares from them.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from alusage_ledger.core.chart import account_component
from alusage_ledger.core.i18n import _
from alusage_ledger.core.suggest import did_you_mean

PLACE_ID = re.compile(r"^[a-z][a-z0-9-]{0,62}$")
GROUP_NAME = re.compile(r"^[a-z][a-z0-9-]{0,40}$")
ACCOUNT = re.compile(r"^[A-Z][A-Za-z0-9-]*(:[A-Z0-9][A-Za-z0-9-]*)+$")
COMPONENT = re.compile(r"^[A-Z][A-Za-z0-9-]{0,59}$")
SERIES_OUT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-_/.]{0,40}$")

#: Keys a group (or a part of a mix, or ``then``) can use.
WEIGHT_KEYS = ("equal", "surface", "desks", "days")
KEYS = (*WEIGHT_KEYS, "fixed")


def _exact_decimal(value: Any) -> Decimal:
    """A Decimal from TOML text or an integer; floats are refused (they are not exact)."""
    if isinstance(value, bool | float):
        raise ValueError(_('write the number as text, e.g. "12.5" (floats are not exact)'))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, str):
        text = value.strip().replace(",", ".")
        if not re.fullmatch(r"\d+(\.\d+)?", text):
            raise ValueError(_('expected a non-negative number written as text, e.g. "12.5"'))
        try:
            number = Decimal(text)
        except InvalidOperation:  # pragma: no cover - the pattern above prevents it
            raise ValueError(_("expected a number")) from None
    else:
        raise ValueError(_('expected a number written as text, e.g. "12.5"'))
    if not number.is_finite() or number < 0:
        raise ValueError(_("expected a non-negative number"))
    return number


ExactDecimal = Annotated[Decimal, BeforeValidator(_exact_decimal)]


def _check_account(value: str) -> str:
    if not ACCOUNT.fullmatch(value):
        raise ValueError(
            _("{value!r} is not an account name like Root:Part:Part").format(value=value)
        )
    return value


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ChargeGroupConfig(_Model):
    """One group of charge accounts shared by one key (or a weighted mix of keys)."""

    name: str
    accounts: list[str] = Field(min_length=1)
    key: str | dict[str, ExactDecimal]
    then: Literal["equal", "surface", "desks", "days"] | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not GROUP_NAME.fullmatch(value):
            raise ValueError(_("a group name is lowercase letters, digits and dashes"))
        return value

    @field_validator("accounts")
    @classmethod
    def _accounts(cls, value: list[str]) -> list[str]:
        for account in value:
            _check_account(account)
        return value

    @field_validator("key")
    @classmethod
    def _key(cls, value: str | dict[str, Decimal]) -> str | dict[str, Decimal]:
        if isinstance(value, str):
            if value not in KEYS:
                raise ValueError(
                    _("unknown key {key!r}; expected one of: {known}, or a mix").format(
                        key=value, known=", ".join(KEYS)
                    )
                )
            return value
        if not value:
            raise ValueError(_("a mix needs at least one key"))
        for name, ratio in value.items():
            if name not in WEIGHT_KEYS:
                raise ValueError(
                    _("a mix may only use the keys {known} (not {key!r})").format(
                        known=", ".join(WEIGHT_KEYS), key=name
                    )
                )
            if ratio <= 0:
                raise ValueError(
                    _("the ratio of {key!r} in a mix must be positive").format(key=name)
                )
        return dict(sorted(value.items()))

    @model_validator(mode="after")
    def _then(self) -> ChargeGroupConfig:
        if self.then is not None and self.key != "fixed":
            raise ValueError(_("'then' is only used with key = \"fixed\""))
        return self

    @property
    def rest_key(self) -> str:
        """The key that splits what the fixed amounts leave (``then``, default equal)."""
        return self.then or "equal"

    def key_label(self) -> str:
        if isinstance(self.key, str):
            return self.key if self.key != "fixed" else f"fixed, then {self.rest_key}"
        return " + ".join(f"{k} × {r}" for k, r in self.key.items())


class MemberConfig(_Model):
    """One period of a member of a place (a member may have several periods)."""

    id: str
    name: str | None = None
    entity: str | None = None
    account: str | None = None
    since: date
    until: date | None = None
    surface_m2: ExactDecimal = Decimal(0)
    desks: Annotated[int, Field(ge=0, strict=True)] = 0
    fixed: ExactDecimal | None = None

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not PLACE_ID.fullmatch(value):
            raise ValueError(_("a member id is lowercase letters, digits and dashes"))
        return value

    @field_validator("account")
    @classmethod
    def _account(cls, value: str | None) -> str | None:
        if value is not None and not COMPONENT.fullmatch(value):
            raise ValueError(
                _('expected one account component, e.g. "NicolasJeudy" (capital first)')
            )
        return value

    @field_validator("fixed")
    @classmethod
    def _fixed(cls, value: Decimal | None) -> Decimal | None:
        if value is not None and value.as_tuple().exponent < -2:  # type: ignore[operator]
            raise ValueError(_("a fixed amount has at most 2 decimals"))
        return value

    @model_validator(mode="after")
    def _period(self) -> MemberConfig:
        if self.until is not None and self.until < self.since:
            raise ValueError(_("'until' is before 'since'"))
        return self


class PlaceConfig(_Model):
    """``[places.<id>]``: a shared place, its host, its accounts, charges and members."""

    name: str | None = None
    host: str
    receivable: str
    income: str
    vat: str = "none"
    series: str = "L{year}-{seq:04}"
    mirror_expense: str | None = None
    mirror_payable: str | None = None
    charges: list[ChargeGroupConfig] = Field(default_factory=list)
    members: list[MemberConfig] = Field(default_factory=list)
    #: "YYYY-MM": the first month whose ties follow the fair-cents rule (docs/shares.md);
    #: earlier months keep the former rule (the smallest member id first). None: always.
    fair_cents_since: str | None = None

    @field_validator("fair_cents_since")
    @classmethod
    def _fair_since(cls, value: str | None) -> str | None:
        if value is not None and re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value) is None:
            raise ValueError(_('expected a month "YYYY-MM", e.g. "2026-12"'))
        return value

    @field_validator("receivable", "income", "mirror_expense", "mirror_payable")
    @classmethod
    def _accounts(cls, value: str | None) -> str | None:
        return None if value is None else _check_account(value)

    @field_validator("vat")
    @classmethod
    def _vat(cls, value: str) -> str:
        if value != "none":
            try:
                rate = _exact_decimal(value)
            except ValueError:
                raise ValueError(_('expected "none" or a VAT rate such as "20"')) from None
            if not 0 < rate < 100:
                raise ValueError(_('expected "none" or a VAT rate such as "20"'))
        return value

    @field_validator("series")
    @classmethod
    def _series(cls, value: str) -> str:
        try:
            sample = value.format(year=2026, seq=7)
            again = value.format(year=2026, seq=8)
        except (KeyError, IndexError, ValueError):
            raise ValueError(
                _('a series uses only {year} and {seq}, e.g. "L{year}-{seq:04}"')
            ) from None
        if "{seq" not in value or sample == again or not SERIES_OUT.fullmatch(sample):
            raise ValueError(
                _(
                    "a series must contain {seq} and give letters, digits and dashes, "
                    'e.g. "L{year}-{seq:04}"'
                )
            )
        return value

    @model_validator(mode="after")
    def _consistent(self) -> PlaceConfig:
        names = [g.name for g in self.charges]
        for name in names:
            if names.count(name) > 1:
                raise ValueError(
                    _("charges: the group name {name!r} is used twice").format(name=name)
                )
        owners: dict[str, str] = {}
        for group in self.charges:
            for account in group.accounts:
                for other, owner in owners.items():
                    if covers(account, other) or covers(other, account):
                        raise ValueError(
                            _(
                                "charges: the account {a} (group {g}) overlaps {b} (group {h}); "
                                "an account belongs to one group only"
                            ).format(a=account, g=group.name, b=other, h=owner)
                        )
                owners[account] = group.name
        for account in (self.receivable, self.income):
            if any(covers(charge, account) for charge in owners):
                raise ValueError(
                    _("{account} cannot be both a charge account and a place account").format(
                        account=account
                    )
                )
        by_id: dict[str, list[MemberConfig]] = {}
        for row in self.members:
            by_id.setdefault(row.id, []).append(row)
        for member_id, rows in by_id.items():
            for attr in ("name", "entity", "account"):
                values = {getattr(r, attr) for r in rows if getattr(r, attr) is not None}
                if len(values) > 1:
                    raise ValueError(
                        _(
                            "members: {id!r} has different values of {field!r} in its periods"
                        ).format(id=member_id, field=attr)
                    )
            ordered = sorted(rows, key=lambda r: r.since)
            for before, after in itertools.pairwise(ordered):
                if before.until is None or before.until >= after.since:
                    raise ValueError(
                        _("members: the periods of {id!r} overlap ({a} and {b})").format(
                            id=member_id, a=before.since, b=after.since
                        )
                    )
        accounts: dict[str, str] = {}
        for member_id, rows in by_id.items():
            component = next((r.account for r in rows if r.account), None) or derive_component(
                member_id
            )
            if component in accounts:
                raise ValueError(
                    _("members: {a!r} and {b!r} would share the account {account}").format(
                        a=accounts[component], b=member_id, account=component
                    )
                )
            accounts[component] = member_id
        return self

    def vat_rate(self) -> Decimal | None:
        return None if self.vat == "none" else _exact_decimal(self.vat)


def covers(parent: str, account: str) -> bool:
    return account == parent or account.startswith(parent + ":")


def derive_component(member_id: str) -> str:
    """``nicolas-jeudy`` → ``NicolasJeudy`` (the default sub-account of a member)."""
    return account_component(member_id)


def check_references(places: Mapping[str, PlaceConfig], entity_kinds: Mapping[str, str]) -> None:
    """Cross-section checks (hosts and member entities exist); ValueError names the field.

    ``entity_kinds``: the kind (``sas``, ``scic``, ``micro``) of each entity of the workspace.
    """
    for place_id, place in places.items():
        if not PLACE_ID.fullmatch(place_id):
            raise ValueError(
                _("places.{place}: a place id is lowercase letters, digits and dashes").format(
                    place=place_id
                )
            )
        if place.host not in entity_kinds:
            raise ValueError(
                _(
                    "places.{place}.host: unknown entity {host!r}{hint}; the entities are: {known}"
                ).format(
                    place=place_id,
                    host=place.host,
                    hint=did_you_mean(place.host, entity_kinds),
                    known=", ".join(sorted(entity_kinds)),
                )
            )
        host_kind = entity_kinds[place.host]
        if place.vat != "none" and host_kind == "micro":
            raise ValueError(
                _(
                    "places.{place}.vat: the host {host} is under the VAT franchise and "
                    "cannot charge VAT"
                ).format(place=place_id, host=place.host)
            )
        for index, row in enumerate(place.members):
            if row.entity is not None and row.entity not in entity_kinds:
                raise ValueError(
                    _(
                        "places.{place}.members.{index}.entity: unknown entity {entity!r}{hint}; "
                        "the entities are: {known}"
                    ).format(
                        place=place_id,
                        index=index,
                        entity=row.entity,
                        hint=did_you_mean(row.entity, entity_kinds),
                        known=", ".join(sorted(entity_kinds)),
                    )
                )
            if row.entity is not None and row.entity != place.host and place.mirror_expense is None:
                raise ValueError(
                    _(
                        "places.{place}.mirror_expense: required, because the member "
                        "{member} keeps its books in this workspace"
                    ).format(place=place_id, member=row.id)
                )
