"""The questionnaire of ``init`` on a terminal: the flags' questions, one at a time.

Each answer goes through the same ``parse_*`` function as its flag
(:mod:`alusage_ledger.books.workspace_spec`); a refused answer is explained and asked
again, three times at most, then ``init`` stops with exit 2 and writes nothing. An empty
answer takes the value shown in brackets; an empty answer to a "another one?" question
ends the list.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import typer

from alusage_ledger.books.workspace_spec import (
    SHORT_ID,
    ActivitySpec,
    ChargeSpec,
    EntitySpec,
    PlaceSpec,
    PolicySpec,
    WorkspaceSpec,
    add_activity,
    add_charges,
    add_entity,
    add_member,
    add_place,
    add_policy,
    default_regime,
    member_spec,
    parse_activity,
    parse_books_start,
    parse_desks,
    parse_exigibility,
    parse_identifier,
    parse_key,
    parse_kind,
    parse_name,
    parse_nature,
    parse_pcgs,
    parse_policy_base,
    parse_policy_kind,
    parse_policy_value,
    parse_rate,
    parse_regime,
    parse_series,
    parse_siren,
    parse_surface,
    parse_urssaf,
    parse_yes,
)
from alusage_ledger.core.errors import UsageError
from alusage_ledger.core.i18n import _
from alusage_ledger.outputs.render.console import error, say

T = TypeVar("T")

#: Answers refused in a row before ``init`` gives up.
TRIES = 3


def ask(question: str, parse: Callable[[str], T], default: str | None = None) -> T:
    """Ask until ``parse`` accepts the answer, :data:`TRIES` times at most."""
    for _attempt in range(TRIES):
        answer = typer.prompt(
            question, default=default or "", show_default=bool(default), prompt_suffix=" : "
        )
        try:
            return parse(str(answer))
        except UsageError as exc:
            error(_("Error: {message}").format(message=exc))
    raise UsageError(
        _("{count} answers in a row were refused; nothing was written.").format(count=TRIES)
    )


def _then(parse: Callable[[str], T], check: Callable[[T], object]) -> Callable[[str], T]:
    """``parse``, then a check of the value against what was answered before."""

    def both(text: str) -> T:
        value = parse(text)
        check(value)
        return value

    return both


def _optional_id(what: str) -> Callable[[str], str | None]:
    def parse(text: str) -> str | None:
        return parse_identifier(text, what) if text.strip() else None

    return parse


def _entity(spec: WorkspaceSpec) -> WorkspaceSpec:
    def new_id(text: str) -> str:
        value = parse_identifier(text, _("entity id"))
        add_entity(spec, EntitySpec(value, "sas", value))  # refuses a duplicate id
        return value

    entity_id = ask(_("Entity id (lowercase letters, digits, dashes)"), new_id)
    kind = ask(_("Kind of {id} (sas, scic, micro)").format(id=entity_id), parse_kind)
    name = ask(_("Name of {id}").format(id=entity_id), lambda t: parse_name(t, _("entity name")))
    siren = ask(
        _("SIREN of {id} (9 digits, empty if not known yet)").format(id=entity_id), parse_siren
    )
    if kind == "micro":
        regime, exigibility = "franchise", "encaissements"
        say(_("{id} is under the VAT franchise (CGI art. 293 B).").format(id=entity_id))
    else:
        regime = ask(
            _("VAT regime of {id} (franchise, rsi, reel-mensuel, reel-trimestriel)").format(
                id=entity_id
            ),
            parse_regime,
            default_regime(kind),
        )
        exigibility = (
            "encaissements"
            if regime == "franchise"
            else ask(
                _("VAT on services due on (encaissements, debits)"),
                parse_exigibility,
                "encaissements",
            )
        )
    series = ask(
        _("Invoice numbers of {id}").format(id=entity_id), parse_series, "F{year}-{seq:04}"
    )
    spec = add_entity(
        spec,
        EntitySpec(entity_id, kind, name, siren, regime, exigibility, series),
    )
    while True:
        first = not next(e for e in spec.entities if e.id == entity_id).activities

        def activity_id(text: str, first: bool = first) -> str | None:
            if not text.strip():
                if first:
                    raise UsageError(_("Name at least one activity, e.g. conseil."))
                return None
            return parse_identifier(text, _("activity id"), SHORT_ID)

        found = ask(
            _("Activity of {id}: what it sells (id, empty when done)").format(id=entity_id),
            activity_id,
        )
        if found is None:
            return spec
        activity: ActivitySpec
        if kind == "micro":
            urssaf = ask(
                _("URSSAF category of {activity} (bnc, bic-services, bic-sales)").format(
                    activity=found
                ),
                parse_urssaf,
                "bnc",
            )
            activity = parse_activity(kind, [found, urssaf])
        else:
            nature = ask(
                _("Nature of {activity} (services, goods)").format(activity=found),
                parse_nature,
                "services",
            )
            rate = ask(
                _("VAT rate of {activity} (20, 10, 5.5, 2.1, exempt)").format(activity=found),
                parse_rate,
                "20",
            )
            parts = [found, nature, rate]
            if rate == "exempt":
                parts.append(
                    ask(
                        _("Legal basis of the exemption (e.g. CGI art. 261-4-4° a)"),
                        lambda t: parse_name(t, _("legal basis")),
                    )
                )
            activity = parse_activity(kind, parts)
        spec = add_activity(spec, entity_id, activity)


def _known_entity(spec: WorkspaceSpec) -> Callable[[str], str]:
    def parse(text: str) -> str:
        value = text.strip()
        if value not in {e.id for e in spec.entities}:
            raise UsageError(
                _("{value!r} is not one of the entities: {known}.").format(
                    value=text, known=", ".join(e.id for e in spec.entities)
                )
            )
        return value

    return parse


def _member(spec: WorkspaceSpec, place_id: str) -> WorkspaceSpec | None:
    """One more member of a place, or None when the answer is empty (after the first)."""
    first = not next(p for p in spec.places if p.id == place_id).members

    def member_id(text: str) -> str | None:
        if not text.strip():
            if first:
                raise UsageError(_("A place needs at least one member."))
            return None
        value = parse_identifier(text, _("member id"))
        add_member(spec, place_id, member_spec(spec, value, "0", "0"))  # refuses a duplicate
        return value

    found = ask(
        _("Member of {id} (an entity id or a new id, empty when done)").format(id=place_id),
        member_id,
    )
    if found is None:
        return None
    entity = next((e for e in spec.entities if e.id == found), None)
    member_name = (
        entity.name
        if entity
        else ask(_("Name of {id}").format(id=found), lambda t: parse_name(t, _("member name")))
    )
    surface = ask(_("Surface used by {id}, in m²").format(id=found), parse_surface)
    desks = ask(_("Desks of {id}").format(id=found), parse_desks, "1")
    return add_member(spec, place_id, member_spec(spec, found, surface, str(desks), member_name))


def _group(spec: WorkspaceSpec, place_id: str) -> WorkspaceSpec | None:
    """One more group of charges of a place, or None when the answer is empty."""
    first = not next(p for p in spec.places if p.id == place_id).charges

    def group_name(text: str) -> str | None:
        if not text.strip():
            if first:
                raise UsageError(_("A place needs at least one group of charges, e.g. loyer."))
            return None
        return parse_identifier(text, _("charge group"), SHORT_ID)

    name = ask(
        _("Group of charges of {id} (a name such as loyer, empty when done)").format(id=place_id),
        group_name,
    )
    if name is None:
        return None
    key = ask(
        _("Key of {group} (equal, surface, desks, days)").format(group=name), parse_key, "surface"
    )
    numbers = ask(
        _("PCG numbers of {group}, separated by commas (e.g. 6132,614)").format(group=name),
        _then(parse_pcgs, lambda n: add_charges(spec, place_id, ChargeSpec(name, key, n))),
    )
    return add_charges(spec, place_id, ChargeSpec(name, key, numbers))


def _place(spec: WorkspaceSpec, place_id: str) -> WorkspaceSpec:
    name = ask(
        _("Name of the place {id}").format(id=place_id), lambda t: parse_name(t, _("place name"))
    )
    host = ask(
        _("Entity that hosts {id} and pays its charges").format(id=place_id), _known_entity(spec)
    )
    spec = add_place(spec, PlaceSpec(place_id, name, host))
    while (more := _member(spec, place_id)) is not None:
        spec = more
    while (more := _group(spec, place_id)) is not None:
        spec = more
    return spec


def _policy(spec: WorkspaceSpec) -> WorkspaceSpec | None:
    """One more redistribution policy, or None when the answer is empty."""
    known = _known_entity(spec)
    giver = ask(
        _("Redistribution to the commons: entity that gives (empty if none)"),
        lambda t: known(t) if t.strip() else None,
    )
    if giver is None:
        return None

    def receiver_of(text: str) -> str:
        value = known(text)
        if value == giver:
            raise UsageError(_("A redistribution goes from one entity to another one."))
        return value

    receiver = ask(_("Entity that receives"), receiver_of)
    kind = ask(_("Kind (don, retribution)"), parse_policy_kind, "don")
    base = ask(_("Base (revenue, margin, fixed)"), parse_policy_base, "revenue")
    question = _("Amount each month") if base == "fixed" else _("Rate (0.05 is 5 %)")
    value = ask(question, lambda t: parse_policy_value(t, base))
    return add_policy(spec, PolicySpec(giver, receiver, kind, base, value))


def _new_place(spec: WorkspaceSpec) -> str | None:
    def place_id(text: str) -> str | None:
        found = _optional_id(_("place id"))(text)
        if found is not None:  # refuses an id given twice
            add_place(spec, PlaceSpec(found, found, spec.entities[0].id))
        return found

    return ask(_("Shared place (an id such as le97, empty if none)"), place_id)


def questionnaire(books_start: str) -> WorkspaceSpec:
    """The workspace, asked for question by question."""
    say(_("A few questions describe the workspace; the answer in brackets is the default."))
    start = ask(_("First month of the books (YYYY-MM)"), parse_books_start, books_start)
    spec = WorkspaceSpec(books_start=start)
    spec = _entity(spec)
    while ask(_("Another entity? (yes, no)"), parse_yes, _("no")):
        spec = _entity(spec)
    while (place_id := _new_place(spec)) is not None:
        spec = _place(spec, place_id)
    while (more := _policy(spec)) is not None:
        spec = more
    return spec
