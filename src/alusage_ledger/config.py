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
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import ConfigError
from .i18n import _

CONFIG_NAME = "alusage.toml"
ENTITY_ID = re.compile(r"^[a-z][a-z0-9-]{0,62}$")
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")

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


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class WorkspaceSettings(_Model):
    locale: str = "fr_FR"
    currency: Literal["EUR"] = "EUR"
    allowed_plugins: list[str] = Field(default_factory=list)


class EntityConfig(_Model):
    name: str
    kind: Literal["sas", "scic", "micro"]
    ledger: str
    siren: str | None = None
    exercice_start: str = "01-01"
    books_start: str | None = None
    # Domain sections refined by their own issues (sales, VAT, series...).
    vat: list[dict[str, Any]] = Field(default_factory=list)
    series: dict[str, str] = Field(default_factory=dict)
    accounts: dict[str, str] = Field(default_factory=dict)
    activities: dict[str, dict[str, Any]] = Field(default_factory=dict)

    @field_validator("siren")
    @classmethod
    def _siren(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"\d{9}", value):
            raise ValueError("a SIREN is 9 digits")
        return value

    @field_validator("exercice_start")
    @classmethod
    def _exercice_start(cls, value: str) -> str:
        if not re.fullmatch(r"(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])", value):
            raise ValueError('expected "MM-DD", e.g. "01-01"')
        return value

    @field_validator("books_start")
    @classmethod
    def _books_start(cls, value: str | None) -> str | None:
        if value is not None and not MONTH.fullmatch(value):
            raise ValueError('expected a month "YYYY-MM", e.g. "2026-01"')
        return value

    @field_validator("ledger")
    @classmethod
    def _ledger(cls, value: str) -> str:
        if value.startswith("/") or ".." in Path(value).parts:
            raise ValueError("expected a path inside the workspace, relative to alusage.toml")
        if not value.endswith(".beancount"):
            raise ValueError("expected a .beancount file")
        return value

    def books_start_date(self) -> date | None:
        if self.books_start is None:
            return None
        year, month = self.books_start.split("-")
        return date(int(year), int(month), 1)


class Config(_Model):
    workspace: WorkspaceSettings = Field(default_factory=WorkspaceSettings)
    entities: dict[str, EntityConfig] = Field(default_factory=dict)
    # Sections owned by later issues; validated by their own models when used.
    places: dict[str, dict[str, Any]] = Field(default_factory=dict)
    redistribution: list[dict[str, Any]] = Field(default_factory=list)
    recurring: list[dict[str, Any]] = Field(default_factory=list)
    bank: dict[str, Any] = Field(default_factory=dict)
    review: dict[str, Any] = Field(default_factory=dict)
    year: dict[str, Any] = Field(default_factory=dict)

    @field_validator("entities")
    @classmethod
    def _entity_ids(cls, value: dict[str, EntityConfig]) -> dict[str, EntityConfig]:
        for key in value:
            if not ENTITY_ID.fullmatch(key):
                raise ValueError(f"entity id {key!r} must be lowercase letters, digits and dashes")
        return value

    def allowed_plugins(self) -> frozenset[str]:
        return DEFAULT_ALLOWED_PLUGINS | frozenset(self.workspace.allowed_plugins)

    def entity(self, entity_id: str) -> EntityConfig:
        try:
            return self.entities[entity_id]
        except KeyError:
            from .errors import UsageError
            from .suggest import did_you_mean

            raise UsageError(
                _("Unknown entity {name!r}{hint}; the entities are: {known}.").format(
                    name=entity_id,
                    hint=did_you_mean(entity_id, self.entities),
                    known=", ".join(sorted(self.entities)) or "-",
                )
            ) from None


def _describe(error: dict[str, Any]) -> str:
    loc = ".".join(str(part) for part in error.get("loc", ()) if part != "__root__")
    msg = str(error.get("msg", ""))
    msg = msg.removeprefix("Value error, ")
    if error.get("type") == "extra_forbidden":
        msg = _("unknown field")
    elif error.get("type") == "missing":
        msg = _("this field is required")
    return f"{loc}: {msg}" if loc else msg


def parse_config(text: str, source: Path) -> Config:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            _("{file}: the TOML syntax is invalid ({detail}); fix that line.").format(
                file=source, detail=exc
            )
        ) from exc
    try:
        return Config.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ConfigError(
            _("{file}: {problem}.").format(file=source, problem=_describe(dict(first)))
        ) from exc


def load_config(path: Path) -> Config:
    try:
        data = path.read_bytes()
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
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    raise ConfigError(
        _(
            "No {name} found in {folder} or its parents; run 'alusage-ledger init' "
            "or pass --workspace."
        ).format(name=CONFIG_NAME, folder=here)
    )
