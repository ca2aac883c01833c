"""Bank import rules: how to book the bank lines that no invoice, bill or member matched.

A rules file is TOML, kept in the workspace (``[bank] rules`` in alusage.toml names the
default one, ``import bank --rules FILE`` another). Rules are tried in order; the first
whose ``pattern`` (a regular expression, case and accents ignored) is found in the line's
label, and whose optional ``sign`` and amount range fit, gives the counter-account, payee,
narration and tags::

    [[rule]]
    pattern = "FRAIS TENUE DE COMPTE|COMMISSION"
    sign = "debit"              # debit (money out) | credit (money in)
    max = "50.00"               # range on the amount without its sign (min, max)
    account = "Charges:Banque:Frais"
    payee = "Crédit Coopératif"
    narration = "Frais bancaires"
    tags = ["banque"]

A ``[profile]`` table describes a bank that has no built-in profile (``--profile
generic``): encoding, separator, decimal mark, date format and the columns by their
header names. With a built-in profile, ``[profile] encoding`` alone overrides its
encoding. Any mistake in the file is a configuration error (exit 3) naming the rule.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from alusage_ledger.books.accounts import Opener
from alusage_ledger.books.config import describe_error, toml_document
from alusage_ledger.books.loader import LoadedLedger
from alusage_ledger.books.text import check_text
from alusage_ledger.core.chart import BY_KIND
from alusage_ledger.core.errors import ConfigError, UsageError
from alusage_ledger.core.i18n import _
from alusage_ledger.core.money import MoneyError, parse_amount
from alusage_ledger.integrations.bank.profiles import (
    ENCODINGS,
    Layout,
    Profile,
    date_pattern,
    header_key,
)

_TAG = re.compile(r"^[A-Za-z0-9\-_/.]+$")
_ACCOUNT = re.compile(r"^[A-Z][A-Za-z0-9-]*(:[A-Z0-9][A-Za-z0-9-]*)+$")
_PCG = re.compile(r"^[1-8][0-9]{1,9}$")


def fold(text: str) -> str:
    """Text without accents or case, so a pattern ``electricite`` finds ``ÉLECTRICITÉ``."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def _amount(value: Any) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError(_('write the amount as text, e.g. "12.50"'))
    try:
        return parse_amount(str(value), allow_negative=False)
    except MoneyError:
        raise ValueError(_("not an amount: {value!r}").format(value=value)) from None


def _text(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        check_text(value, _("text"))
    except UsageError as exc:
        raise ValueError(exc.message) from None
    return value.strip() or None


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RuleModel(_Model):
    pattern: str
    sign: Literal["debit", "credit"] | None = None
    min: Any = None
    max: Any = None
    account: str
    pcg: str | None = None
    label: str | None = None
    payee: str | None = None
    narration: str | None = None
    tags: list[str] = Field(default_factory=list)

    @field_validator("pattern")
    @classmethod
    def _pattern(cls, value: str) -> str:
        if not value.strip():
            raise ValueError(_("the pattern is empty"))
        try:
            re.compile(fold(value))
        except re.error as exc:
            raise ValueError(
                _("not a valid regular expression ({detail})").format(detail=exc)
            ) from None
        return value

    @field_validator("min", "max")
    @classmethod
    def _range(cls, value: Any) -> Decimal | None:
        return _amount(value)

    @field_validator("account")
    @classmethod
    def _account(cls, value: str) -> str:
        if not _ACCOUNT.fullmatch(value):
            raise ValueError(_("not an account name: {value!r}").format(value=value))
        return value

    @field_validator("pcg")
    @classmethod
    def _pcg(cls, value: str | None) -> str | None:
        if value is not None and not _PCG.fullmatch(value):
            raise ValueError(
                _('a PCG number is digits, e.g. "627" (got {value!r})').format(value=value)
            )
        return value

    @field_validator("label", "payee", "narration")
    @classmethod
    def _free_text(cls, value: str | None) -> str | None:
        return _text(value)

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        for tag in value:
            if not _TAG.fullmatch(tag):
                raise ValueError(
                    _("the tag {tag!r} can only contain letters, digits and - _ / .").format(
                        tag=tag
                    )
                )
        return value


class ColumnsModel(_Model):
    date: str
    label: str | list[str]
    amount: str | None = None
    debit: str | None = None
    credit: str | None = None
    reference: str | None = None
    payee: str | None = None
    balance: str | None = None
    value_date: str | None = None


class ProfileModel(_Model):
    name: str = "generic"
    encoding: str | None = None
    delimiter: str = ";"
    decimal: Literal[",", "."] = ","
    date_format: str | list[str] = "JJ/MM/AAAA"
    newest_first: bool = False
    #: Digits after the decimal mark of every amount the bank writes.
    decimals: int = Field(default=2, ge=0, le=4)
    columns: ColumnsModel | None = None

    @field_validator("encoding")
    @classmethod
    def _encoding(cls, value: str | None) -> str | None:
        if value is not None and value.lower() not in ENCODINGS:
            raise ValueError(
                _("unknown encoding {value!r}; use utf-8, cp1252 or iso-8859-15").format(
                    value=value
                )
            )
        return value

    @field_validator("delimiter")
    @classmethod
    def _delimiter(cls, value: str) -> str:
        if len(value) != 1 or value in '"\r\n':
            raise ValueError(_('one character, e.g. ";"'))
        return value

    @field_validator("date_format")
    @classmethod
    def _formats(cls, value: str | list[str]) -> str | list[str]:
        for fmt in [value] if isinstance(value, str) else value:
            try:
                date_pattern(fmt)
            except ValueError:
                raise ValueError(
                    _("unknown date format {fmt!r}; e.g. JJ/MM/AAAA, JJ/MM/AA, AAAA-MM-JJ").format(
                        fmt=fmt
                    )
                ) from None
        return value


class RulesFileModel(_Model):
    profile: ProfileModel | None = None
    rule: list[RuleModel] = Field(default_factory=list)


@dataclass(frozen=True)
class Rule:
    number: int  # 1-based, in file order
    pattern: str
    regex: re.Pattern[str]
    sign: str | None
    min: Decimal | None
    max: Decimal | None
    account: str
    pcg: str | None
    label: str | None
    payee: str | None
    narration: str | None
    tags: tuple[str, ...]

    def matches(self, label: str, amount: Decimal) -> bool:
        if self.sign == "debit" and amount >= 0:
            return False
        if self.sign == "credit" and amount <= 0:
            return False
        size = abs(amount)
        if self.min is not None and size < self.min:
            return False
        if self.max is not None and size > self.max:
            return False
        return self.regex.search(fold(label)) is not None

    def describe(self) -> str:
        return _("rule {number} ({pattern})").format(number=self.number, pattern=self.pattern)


@dataclass(frozen=True)
class RuleSet:
    source: str
    rules: tuple[Rule, ...]
    profile: Profile | None = None  # a generic profile
    encoding: str | None = None  # overrides a built-in profile's encoding

    def first_match(self, label: str, amount: Decimal) -> Rule | None:
        for rule in self.rules:
            if rule.matches(label, amount):
                return rule
        return None

    def need_account(self, rule: Rule, ledger: LoadedLedger, opener: Opener) -> str:
        """The rule's account, opened in the same batch when it gives a PCG number."""
        roots = ledger.roots()
        if rule.account.split(":")[0] not in roots:
            raise ConfigError(
                _(
                    "{file}: rule {number}: the account {account} does not start with a root "
                    "of the ledger of {entity} ({roots})."
                ).format(
                    file=self.source,
                    number=rule.number,
                    account=rule.account,
                    entity=ledger.entity,
                    roots=", ".join(roots),
                )
            )
        if rule.account in ledger.open_accounts():
            return rule.account
        if rule.pcg is None:
            raise ConfigError(
                _(
                    "{file}: rule {number}: the account {account} is not open in the ledger "
                    'of {entity}; open it, or give its PCG number in the rule (pcg = "627").'
                ).format(
                    file=self.source,
                    number=rule.number,
                    account=rule.account,
                    entity=ledger.entity,
                )
            )
        return opener.need(rule.account, rule.pcg, rule.label or _pcg_label(rule))


def _pcg_label(rule: Rule) -> str:
    for accounts in BY_KIND.values():
        for known in accounts:
            if known.pcg == rule.pcg:
                return known.label
    return rule.account.rsplit(":", 1)[-1]


def _profile(model: ProfileModel, source: str) -> Profile | None:
    """A ``[profile]`` with columns as a :class:`~.profiles.Profile` (None without columns)."""

    columns = model.columns
    if columns is None:
        return None
    if (columns.amount is None) == (columns.debit is None and columns.credit is None) or (
        (columns.debit is None) != (columns.credit is None)
    ):
        raise ConfigError(
            _(
                "{file}: profile.columns: give either amount (one signed column) or both "
                "debit and credit."
            ).format(file=source)
        )
    if model.encoding is None:
        raise ConfigError(
            _(
                "{file}: profile.encoding: say how the bank encodes its files (utf-8, cp1252 "
                "or iso-8859-15); it is never guessed."
            ).format(file=source)
        )
    labels = [columns.label] if isinstance(columns.label, str) else list(columns.label)

    def key(name: str | None) -> str | None:
        return header_key(name) if name is not None else None

    required = [
        header_key(name)
        for name in (
            columns.date,
            *labels,
            columns.amount,
            columns.debit,
            columns.credit,
            columns.reference,
            columns.payee,
            columns.balance,
            columns.value_date,
        )
        if name is not None
    ]
    if any(not name for name in required):
        raise ConfigError(
            _("{file}: profile.columns: a column name needs letters or digits.").format(file=source)
        )
    layout = Layout(
        model.name,
        tuple(dict.fromkeys(required)),
        date=header_key(columns.date),
        label=tuple(header_key(name) for name in labels),
        amount=key(columns.amount),
        debit=key(columns.debit),
        credit=key(columns.credit),
        reference=key(columns.reference),
        payee=key(columns.payee),
        balance=key(columns.balance),
        value_date=key(columns.value_date),
        newest_first=model.newest_first,
    )
    formats = (model.date_format,) if isinstance(model.date_format, str) else model.date_format
    return Profile(
        model.name,
        model.encoding,
        (layout,),
        delimiter=model.delimiter,
        decimal=model.decimal,
        date_formats=tuple(formats),
        decimals=model.decimals,
    )


def parse_rules(text: str, source: str) -> RuleSet:
    """A rules file's text as a :class:`RuleSet`; :class:`ConfigError` (exit 3) otherwise."""
    raw = toml_document(text, source)
    try:
        model = RulesFileModel.model_validate(raw)
    except ValidationError as exc:
        first = dict(exc.errors()[0])
        loc: list[Any] = list(exc.errors()[0].get("loc", ()))
        if len(loc) >= 2 and loc[0] == "rule" and isinstance(loc[1], int):
            loc[1] = loc[1] + 1  # rules are numbered from 1, as the messages say
            first["loc"] = tuple(loc)
        raise ConfigError(
            _("{file}: {problem}.").format(file=source, problem=describe_error(first))
        ) from exc
    rules = []
    for number, item in enumerate(model.rule, start=1):
        if item.min is not None and item.max is not None and item.min > item.max:
            raise ConfigError(
                _("{file}: rule {number}: min is above max.").format(file=source, number=number)
            )
        rules.append(
            Rule(
                number=number,
                pattern=item.pattern,
                regex=re.compile(fold(item.pattern)),
                sign=item.sign,
                min=item.min,
                max=item.max,
                account=item.account,
                pcg=item.pcg,
                label=item.label,
                payee=item.payee,
                narration=item.narration,
                tags=tuple(item.tags),
            )
        )
    profile = _profile(model.profile, source) if model.profile is not None else None
    encoding = model.profile.encoding if model.profile is not None and profile is None else None
    return RuleSet(source, tuple(rules), profile, encoding)


def load_rules(path: Path, shown: str | None = None) -> RuleSet:
    """Read a rules file (UTF-8 TOML); a missing or unreadable file is a ConfigError."""
    source = shown or str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(
            _("Cannot read the rules file {file}: {reason}.").format(
                file=source, reason=exc.strerror
            )
        ) from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            _("{file} is not UTF-8 text; save it as UTF-8.").format(file=source)
        ) from exc
    return parse_rules(text, source)
