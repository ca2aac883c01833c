"""What ``init`` is told about a new workspace, checked answer by answer.

The questionnaire (on a terminal) and the flags (in a script) build the same
:class:`WorkspaceSpec`; :mod:`alusage_ledger.books.workspace_toml` writes it as
``alusage.toml``. Each ``parse_*`` function checks one answer and raises
:class:`UsageError` (exit 2) with one sentence saying what is expected, so that the
questionnaire can ask again and the flags can stop before anything is written::

    --entity atelier:sas:Atelier Commun SAS   --siren atelier:917426355
    --vat atelier:reel-mensuel                --series atelier:F{year}-{seq:04}
    --activity atelier:facilitation:services:20
    --place le97:atelier:Le 97                --member le97:membre-a:10:1:Membre A
    --charges le97:loyer:surface:6132,614     --redistribution atelier:commun:don:revenue:0.05
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal

from alusage_ledger.books.entityconfig import ENTITY_ID, SeriesConfig
from alusage_ledger.books.text import check_text
from alusage_ledger.core.errors import UsageError
from alusage_ledger.core.i18n import _
from alusage_ledger.core.money import MoneyError, parse_amount
from alusage_ledger.core.pcg import official
from alusage_ledger.core.periods import Month
from alusage_ledger.core.siren import siren_problem

KINDS = ("sas", "scic", "micro")
REGIMES = ("franchise", "rsi", "reel-mensuel", "reel-trimestriel")
EXIGIBILITIES = ("encaissements", "debits")
RATES = ("20", "10", "5.5", "2.1", "exempt")
NATURES = ("services", "goods")
URSSAF = ("bnc", "bic-services", "bic-sales")
SHARE_KEYS = ("equal", "surface", "desks", "days")
POLICY_KINDS = ("don", "retribution")
POLICY_BASES = ("revenue", "margin", "fixed")
SHORT_ID = re.compile(r"^[a-z][a-z0-9-]{0,40}$")


@dataclass(frozen=True)
class ActivitySpec:
    id: str
    nature: str  # services | goods (micro: the URSSAF category decides)
    rate: str | None = None  # sas, scic: 20 | 10 | 5.5 | 2.1 | exempt
    exemption: str | None = None
    urssaf: str | None = None  # micro: bnc | bic-services | bic-sales


@dataclass(frozen=True)
class EntitySpec:
    id: str
    kind: str
    name: str
    siren: str | None = None
    regime: str | None = None  # None: the kind's usual regime (default_regime)
    exigibility: str = "encaissements"
    invoice_series: str = "F{year}-{seq:04}"
    activities: tuple[ActivitySpec, ...] = ()

    @property
    def vat_regime(self) -> str:
        return self.regime or default_regime(self.kind)

    @property
    def credit_series(self) -> str:
        return credit_series_of(self.invoice_series)


@dataclass(frozen=True)
class MemberSpec:
    id: str
    name: str
    surface: str
    desks: int
    entity: str | None = None


@dataclass(frozen=True)
class ChargeSpec:
    name: str
    key: str
    pcgs: tuple[str, ...]


@dataclass(frozen=True)
class PlaceSpec:
    id: str
    name: str
    host: str
    members: tuple[MemberSpec, ...] = ()
    charges: tuple[ChargeSpec, ...] = ()


@dataclass(frozen=True)
class PolicySpec:
    giver: str
    receiver: str
    kind: str
    base: str
    value: str  # a rate (0.05) or, with base fixed, an amount (100.00)

    @property
    def id(self) -> str:
        return f"{self.kind}-{self.receiver}"


@dataclass(frozen=True)
class WorkspaceSpec:
    books_start: str = "2026-01"
    entities: tuple[EntitySpec, ...] = ()
    places: tuple[PlaceSpec, ...] = ()
    policies: tuple[PolicySpec, ...] = field(default=())


def default_regime(kind: str) -> str:
    """Micro-entrepreneurs start under the franchise (CGI 293 B); societies file monthly."""
    return "franchise" if kind == "micro" else "reel-mensuel"


def credit_series_of(invoice: str) -> str:
    """The credit notes' numbering next to the invoices': ``F{year}-…`` → ``A{year}-…``."""
    return "A" + invoice[1:] if invoice.startswith("F") else "AV" + invoice


def _one_of(value: str, allowed: tuple[str, ...], what: str) -> str:
    clean = value.strip()
    if clean not in allowed:
        raise UsageError(
            _("{what} must be one of {allowed} (got {value!r}).").format(
                what=what, allowed=", ".join(allowed), value=value
            )
        )
    return clean


def parse_identifier(value: str, what: str, pattern: re.Pattern[str] = ENTITY_ID) -> str:
    clean = value.strip()
    if not pattern.fullmatch(clean):
        raise UsageError(
            _(
                "The {what} {value!r} must start with a lowercase letter and contain only "
                "lowercase letters, digits and dashes."
            ).format(what=what, value=value)
        )
    return clean


def parse_books_start(value: str) -> str:
    clean = value.strip()
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", clean):
        raise UsageError(
            _("The first month of the books is a month YYYY-MM (got {value!r}).").format(
                value=value
            )
        )
    return str(Month.parse(clean))


def parse_kind(value: str) -> str:
    return _one_of(value, KINDS, _("The kind of an entity"))


def parse_name(value: str, what: str) -> str:
    clean = value.strip()
    if not clean:
        raise UsageError(_("The {what} cannot be empty.").format(what=what))
    check_text(clean, what)
    if '"' in clean or "\\" in clean:
        raise UsageError(_("The {what} cannot contain quotes or backslashes.").format(what=what))
    return clean


def parse_siren(value: str) -> str | None:
    """A SIREN, checked with its Luhn key; spaces are allowed; empty means none yet."""
    clean = value.replace(" ", "").strip()
    if not clean:
        return None
    problem = siren_problem(clean)
    if problem == "digits":
        raise UsageError(_("A SIREN is 9 digits (got {value!r}).").format(value=value))
    if problem == "key":
        raise UsageError(
            _(
                "The SIREN {value} fails its check digit (Luhn key): a digit is mistyped; "
                "copy it from the Kbis or the INSEE notice."
            ).format(value=clean)
        )
    return clean


def parse_regime(value: str) -> str:
    return _one_of(value, REGIMES, _("The VAT regime"))


def parse_exigibility(value: str) -> str:
    return _one_of(value, EXIGIBILITIES, _("The VAT exigibility"))


def parse_series(value: str) -> str:
    """An invoice numbering pattern such as ``F{year}-{seq:04}``."""
    clean = value.strip()
    try:
        SeriesConfig(invoice=clean, credit_note=credit_series_of(clean))
    except ValueError:
        raise UsageError(
            _(
                "An invoice series is letters, digits and - _ / . around {{year}} and "
                "{{seq:04}}, e.g. F{{year}}-{{seq:04}} (got {value!r})."
            ).format(value=value)
        ) from None
    return clean


def parse_nature(value: str) -> str:
    return _one_of(value, NATURES, _("The nature of an activity"))


def parse_rate(value: str) -> str:
    return _one_of(value.replace(",", "."), RATES, _("The VAT rate of an activity"))


def parse_urssaf(value: str) -> str:
    return _one_of(value, URSSAF, _("The URSSAF category of an activity"))


def parse_surface(value: str) -> str:
    try:
        amount = parse_amount(value.strip().replace(",", "."), allow_negative=False)
    except MoneyError:
        amount = None
    if amount is None:
        raise UsageError(
            _("A surface is a number of square metres, e.g. 12.5 (got {value!r}).").format(
                value=value
            )
        )
    return format(amount.normalize(), "f")


def parse_desks(value: str) -> int:
    clean = value.strip()
    if not clean.isdigit() or int(clean) > 999:
        raise UsageError(
            _("A number of desks is a whole number, e.g. 2 (got {value!r}).").format(value=value)
        )
    return int(clean)


def parse_key(value: str) -> str:
    return _one_of(value, SHARE_KEYS, _("The key of a charge group"))


def parse_pcgs(value: str) -> tuple[str, ...]:
    """PCG numbers of charge accounts (class 6) the chart names, separated by commas."""
    numbers = tuple(n.strip() for n in value.split(",") if n.strip())
    if not numbers:
        raise UsageError(_("Give at least one PCG number, e.g. 6132,614."))
    for number in numbers:
        chart = official(number)
        if chart is None or not number.startswith("6"):
            raise UsageError(
                _(
                    "{number} is not a charge account of the chart (class 6, e.g. 6132 "
                    "rent, 614 service charges, 6061 energy, 616 insurance, 626 telecom)."
                ).format(number=number)
            )
    if len(set(numbers)) != len(numbers):
        raise UsageError(_("A PCG number is given twice in {value!r}.").format(value=value))
    return numbers


def parse_policy_kind(value: str) -> str:
    return _one_of(value, POLICY_KINDS, _("The kind of a redistribution"))


def parse_policy_base(value: str) -> str:
    return _one_of(value, POLICY_BASES, _("The base of a redistribution"))


def parse_policy_value(value: str, base: str) -> str:
    clean = value.strip().replace(",", ".")
    try:
        number = Decimal(clean) if re.fullmatch(r"\d+(\.\d+)?", clean) else None
    except ArithmeticError:
        number = None
    if base == "fixed":
        if number is None or number <= 0 or (number * 100) % 1:
            raise UsageError(
                _("A fixed redistribution is an amount, e.g. 100.00 (got {value!r}).").format(
                    value=value
                )
            )
        return f"{number:.2f}"
    if number is None or not 0 < number <= 1:
        raise UsageError(
            _("A rate is between 0 and 1: 0.05 is 5 % (got {value!r}).").format(value=value)
        )
    return clean


def parse_yes(value: str) -> bool:
    clean = value.strip().lower()
    if clean in ("y", "yes", "o", "oui"):
        return True
    if clean in ("n", "no", "non"):
        return False
    raise UsageError(_("Answer yes or no (got {value!r}).").format(value=value))


# --- the flags form ---------------------------------------------------------------------


def _split(spec: str, option: str, form: str, least: int, most: int) -> list[str]:
    parts = spec.split(":", most - 1)
    if len(parts) < least or any(not p.strip() for p in parts):
        raise UsageError(
            _("{option} expects {form} (got {spec!r}).").format(option=option, form=form, spec=spec)
        )
    return parts


def _entity_of(spec: WorkspaceSpec, entity_id: str, option: str) -> EntitySpec:
    for entity in spec.entities:
        if entity.id == entity_id:
            return entity
    raise UsageError(
        _("{option} names the entity {id!r}, which no --entity declares ({known}).").format(
            option=option, id=entity_id, known=", ".join(e.id for e in spec.entities) or "-"
        )
    )


def _with_entity(spec: WorkspaceSpec, entity: EntitySpec) -> WorkspaceSpec:
    return replace(spec, entities=tuple(entity if e.id == entity.id else e for e in spec.entities))


def add_entity(spec: WorkspaceSpec, entity: EntitySpec) -> WorkspaceSpec:
    if any(e.id == entity.id for e in spec.entities):
        raise UsageError(
            _("The entity id {id!r} is given twice; each entity needs its own id.").format(
                id=entity.id
            )
        )
    return replace(spec, entities=(*spec.entities, entity))


def add_activity(spec: WorkspaceSpec, entity_id: str, activity: ActivitySpec) -> WorkspaceSpec:
    entity = _entity_of(spec, entity_id, "--activity")
    if any(a.id == activity.id for a in entity.activities):
        raise UsageError(
            _("The activity {id!r} of {entity} is given twice.").format(
                id=activity.id, entity=entity_id
            )
        )
    return _with_entity(spec, replace(entity, activities=(*entity.activities, activity)))


def parse_activity(kind: str, parts: list[str]) -> ActivitySpec:
    """``ID:NATURE:RATE[:EXEMPTION]`` (sas, scic) or ``ID:URSSAF`` (micro)."""
    activity_id = parse_identifier(parts[0], _("activity id"), SHORT_ID)
    if kind == "micro":
        if len(parts) != 2:
            raise UsageError(
                _("A micro-entrepreneur's activity is ID:CATEGORY, the URSSAF category.")
            )
        urssaf = parse_urssaf(parts[1])
        nature = "goods" if urssaf == "bic-sales" else "services"
        return ActivitySpec(activity_id, nature, urssaf=urssaf)
    if len(parts) < 3:
        raise UsageError(_("An activity of a society is ID:NATURE:RATE, e.g. atelier:services:20."))
    rate = parse_rate(parts[2])
    exemption = parse_name(parts[3], _("legal basis")) if len(parts) > 3 else None
    if rate == "exempt" and exemption is None:
        raise UsageError(
            _(
                "An exempt activity needs its legal basis, e.g. ID:services:exempt:CGI art. 261-4-4° a."
            )
        )
    if rate != "exempt" and exemption is not None:
        raise UsageError(_("Only an exempt activity takes a legal basis."))
    return ActivitySpec(activity_id, parse_nature(parts[1]), rate=rate, exemption=exemption)


def add_place(spec: WorkspaceSpec, place: PlaceSpec) -> WorkspaceSpec:
    _entity_of(spec, place.host, "--place")
    if any(p.id == place.id for p in spec.places):
        raise UsageError(_("The place {id!r} is given twice.").format(id=place.id))
    return replace(spec, places=(*spec.places, place))


def _place_of(spec: WorkspaceSpec, place_id: str, option: str) -> PlaceSpec:
    for place in spec.places:
        if place.id == place_id:
            return place
    raise UsageError(
        _("{option} names the place {id!r}, which no --place declares.").format(
            option=option, id=place_id
        )
    )


def _with_place(spec: WorkspaceSpec, place: PlaceSpec) -> WorkspaceSpec:
    return replace(spec, places=tuple(place if p.id == place.id else p for p in spec.places))


def add_member(spec: WorkspaceSpec, place_id: str, member: MemberSpec) -> WorkspaceSpec:
    place = _place_of(spec, place_id, "--member")
    if any(m.id == member.id for m in place.members):
        raise UsageError(
            _("The member {id!r} of {place} is given twice.").format(id=member.id, place=place_id)
        )
    return _with_place(spec, replace(place, members=(*place.members, member)))


def add_charges(spec: WorkspaceSpec, place_id: str, charges: ChargeSpec) -> WorkspaceSpec:
    place = _place_of(spec, place_id, "--charges")
    if any(c.name == charges.name for c in place.charges):
        raise UsageError(
            _("The charge group {name!r} of {place} is given twice.").format(
                name=charges.name, place=place_id
            )
        )
    taken = {n for c in place.charges for n in c.pcgs}
    for number in charges.pcgs:
        if number in taken:
            raise UsageError(
                _("The account {number} already belongs to another group of {place}.").format(
                    number=number, place=place_id
                )
            )
    return _with_place(spec, replace(place, charges=(*place.charges, charges)))


def add_policy(spec: WorkspaceSpec, policy: PolicySpec) -> WorkspaceSpec:
    _entity_of(spec, policy.giver, "--redistribution")
    _entity_of(spec, policy.receiver, "--redistribution")
    if policy.giver == policy.receiver:
        raise UsageError(_("A redistribution goes from one entity to another one."))
    if any(p.id == policy.id for p in spec.policies):
        raise UsageError(
            _("A {kind} to {to} is given twice.").format(kind=policy.kind, to=policy.receiver)
        )
    return replace(spec, policies=(*spec.policies, policy))


def spec_from_flags(
    books_start: str,
    entities: list[str],
    sirens: list[str],
    vats: list[str],
    series: list[str],
    activities: list[str],
    places: list[str],
    members: list[str],
    charges: list[str],
    policies: list[str],
) -> WorkspaceSpec:
    """The workspace the flags describe; :class:`UsageError` on the first bad one."""
    spec = WorkspaceSpec(books_start=parse_books_start(books_start))
    for text in entities:
        e_id, kind, name = _split(text, "--entity", "id:kind:Name", 3, 3)
        if kind not in KINDS:
            raise UsageError(
                _(
                    "--entity expects id:kind:Name with kind sas, scic or micro (got {spec!r})."
                ).format(spec=text)
            )
        spec = add_entity(
            spec,
            EntitySpec(
                parse_identifier(e_id, _("entity id")),
                parse_kind(kind),
                parse_name(name, _("entity name")),
            ),
        )
    for text in sirens:
        e_id, value = _split(text, "--siren", "id:SIREN", 2, 2)
        entity = _entity_of(spec, e_id, "--siren")
        spec = _with_entity(spec, replace(entity, siren=parse_siren(value)))
    for text in vats:
        parts = _split(text, "--vat", "id:regime[:exigibility]", 2, 3)
        entity = _entity_of(spec, parts[0], "--vat")
        exigibility = parse_exigibility(parts[2]) if len(parts) > 2 else entity.exigibility
        spec = _with_entity(
            spec, replace(entity, regime=parse_regime(parts[1]), exigibility=exigibility)
        )
    for text in series:
        e_id, pattern = _split(text, "--series", "id:F{year}-{seq:04}", 2, 2)
        entity = _entity_of(spec, e_id, "--series")
        spec = _with_entity(spec, replace(entity, invoice_series=parse_series(pattern)))
    for text in activities:
        parts = _split(text, "--activity", "entity:id:nature:rate", 3, 5)
        entity = _entity_of(spec, parts[0], "--activity")
        spec = add_activity(spec, entity.id, parse_activity(entity.kind, parts[1:]))
    for text in places:
        p_id, host, name = _split(text, "--place", "id:host:Name", 3, 3)
        spec = add_place(
            spec,
            PlaceSpec(
                parse_identifier(p_id, _("place id")),
                parse_name(name, _("place name")),
                host.strip(),
            ),
        )
    for text in members:
        parts = _split(text, "--member", "place:id:surface:desks[:Name]", 4, 5)
        spec = add_member(spec, parts[0], member_spec(spec, *parts[1:]))
    for text in charges:
        p_id, name, key, numbers = _split(text, "--charges", "place:group:key:6132,614", 4, 4)
        spec = add_charges(
            spec,
            p_id,
            ChargeSpec(
                parse_identifier(name, _("charge group"), SHORT_ID),
                parse_key(key),
                parse_pcgs(numbers),
            ),
        )
    for text in policies:
        giver, receiver, kind, base, value = _split(
            text, "--redistribution", "from:to:kind:base:rate", 5, 5
        )
        base = parse_policy_base(base)
        spec = add_policy(
            spec,
            PolicySpec(
                giver.strip(),
                receiver.strip(),
                parse_policy_kind(kind),
                base,
                parse_policy_value(value, base),
            ),
        )
    return with_default_activities(spec)


#: The activity of an entity the flags give none: written out in alusage.toml.
DEFAULT_ACTIVITY = {
    "sas": ActivitySpec("prestations", "services", rate="20"),
    "scic": ActivitySpec("prestations", "services", rate="20"),
    "micro": ActivitySpec("prestations", "services", urssaf="bnc"),
}


def with_default_activities(spec: WorkspaceSpec) -> WorkspaceSpec:
    """Entities without an activity get ``prestations`` (services), shown in the file."""
    return replace(
        spec,
        entities=tuple(
            e if e.activities else replace(e, activities=(DEFAULT_ACTIVITY[e.kind],))
            for e in spec.entities
        ),
    )


#: The four entities of the ecosystem, when ``init`` is given none.
ECOSYSTEM = (
    ("alusage", "sas", "Alusage SAS"),
    ("myceliandre", "scic", "Mycéliandre SCIC"),
    ("nicolas-jeudy", "micro", "Nicolas Jeudy"),
    ("christine-dornier", "micro", "Christine Dornier"),
)


def member_spec(
    spec: WorkspaceSpec, member_id: str, surface: str, desks: str, name: str | None = None
) -> MemberSpec:
    """A member of a place; one that is an entity of the workspace takes its name."""
    clean = parse_identifier(member_id, _("member id"))
    entity = next((e for e in spec.entities if e.id == clean), None)
    shown = parse_name(name, _("member name")) if name else (entity.name if entity else clean)
    return MemberSpec(
        clean, shown, parse_surface(surface), parse_desks(desks), entity.id if entity else None
    )


def check_complete(spec: WorkspaceSpec) -> None:
    """What a workspace needs as a whole: an entity, an activity each, members per place."""
    if not spec.entities:
        raise UsageError(_("A workspace needs at least one entity (--entity id:kind:Name)."))
    for entity in spec.entities:
        if not entity.activities:
            raise UsageError(
                _(
                    "The entity {id} has no activity; name what it sells with --activity "
                    "(e.g. {id}:conseil:services:20, or {id}:conseil:bnc for a micro-entrepreneur)."
                ).format(id=entity.id)
            )
        if entity.kind == "micro" and entity.vat_regime != "franchise":
            raise UsageError(
                _(
                    "The micro-entrepreneur {id} is under the VAT franchise here; a "
                    "micro-entrepreneur liable to VAT is kept as a society."
                ).format(id=entity.id)
            )
    for place in spec.places:
        if not place.members or not place.charges:
            raise UsageError(
                _("The place {id} needs members (--member) and charge groups (--charges).").format(
                    id=place.id
                )
            )
