"""Posting the calls of a month: the host's calls, their reversals, the members' mirrors.

* a **call** per member and month in the host's ledger (receivable sub-account debited,
  income credited per group, VAT if the place charges it), numbered in the place's
  series (``L2026-0011``), dated the last day of the month;
* for a member that keeps its books in the workspace, the **mirror** in its own ledger
  (its expense per group, deductible VAT if any, payable to the host), with the same
  link: the host's receivable posting equals minus the member's payable posting;
* ``--replace``: a reversal of the previous call and a new call, with the same link.

Posting a month twice writes nothing the second time; what the new calls settle (payments
made in advance) is lettered by :mod:`payments`.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from beancount.core import data

from alusage_ledger.books.accounts import Opener
from alusage_ledger.books.entries import is_under, ledger_text
from alusage_ledger.books.entries import posting as eur_posting
from alusage_ledger.books.writer import closed_months
from alusage_ledger.core.errors import RefusedError
from alusage_ledger.core.i18n import N_, _
from alusage_ledger.core.money import quantize_cents
from alusage_ledger.core.periods import Month
from alusage_ledger.domains.lettering import read_letters
from alusage_ledger.domains.places.allocation import Allocation
from alusage_ledger.domains.places.compute import GroupAmount, compute_shares, member_groups
from alusage_ledger.domains.places.payments import letter_entries
from alusage_ledger.domains.places.place import (
    Member,
    Place,
    member_deducts_vat,
    mirror_payable,
)
from alusage_ledger.domains.places.writes import (
    EXPENSE_PCG,
    INCOME_PCG,
    PAYABLE_PCG,
    RECEIVABLE_PCG,
    ZERO,
    Action,
    open_role,
    place_transaction,
    stamp_generated,
    units,
)
from alusage_ledger.domains.purchases import vat_treatment

if TYPE_CHECKING:
    from alusage_ledger.books.config import Config
    from alusage_ledger.books.ledger import Workspace
    from alusage_ledger.books.loader import LoadedLedger


def call_link(place: Place, month: Month, member: Member) -> str:
    return f"{place.id}-{month}-{member.id}"


def gen_base(place: Place, month: Month, member: Member) -> str:
    return f"{place.id}/{month}/{member.id}"


def _gen_under(entry: Any, base: str) -> bool:
    gen = (entry.meta or {}).get("gen-id")
    return isinstance(gen, str) and (gen == base or gen.startswith(base + "/"))


# --------------------------------------------------------------------------- building


def _number(series: str, day: date, used: set[str], reserved: set[str]) -> str:
    for seq in itertools.count(1):
        candidate = series.format(year=day.year, seq=seq)
        if candidate not in used and candidate not in reserved:
            return candidate
    raise AssertionError("unreachable")  # pragma: no cover


def _used_numbers(place: Place, entries: Iterable[Any]) -> set[str]:
    used = set()
    for entry in entries:
        if isinstance(entry, data.Transaction):
            meta = entry.meta or {}
            if meta.get("place") == place.id and isinstance(meta.get("call"), str):
                used.add(meta["call"])
    return used


def _vat_accounts(config: Config, place: Place, opener: Opener, day: date) -> str:
    """The host's VAT account for calls: pending until paid, unless it opted for débits."""
    treatment = vat_treatment(config, place.host, day)
    return open_role(
        opener, "vat-pending" if treatment.exigibility != "debits" else "vat-collected"
    )


def build_call(
    config: Config,
    place: Place,
    member: Member,
    month: Month,
    groups: Sequence[GroupAmount],
    *,
    number: str,
    gen_id: str,
    opener: Opener,
    day: date | None = None,
) -> Any:
    """The host's call for one member and month (not yet stamped).

    Dated the last day of the month, or ``day`` (a replacement booked after a letter).
    """
    if day is None:
        day = month.last_day
    receivable = opener.need_like(place.member_account(member), RECEIVABLE_PCG)
    income = opener.need_like(place.config.income, INCOME_PCG)
    total_ht = sum((g.amount for g in groups), ZERO)
    postings = []
    for group in groups:
        postings.append(
            eur_posting(income, -group.amount, {"group": group.group, "covers": group.covers})
        )
    rate = place.config.vat_rate()
    vat = ZERO
    if rate is not None:
        vat = quantize_cents(total_ht * rate / 100)
        if vat != 0:
            account = _vat_accounts(config, place, opener, day)
            postings.append(eur_posting(account, -vat, {"vat-rate": place.config.vat}))
    postings.insert(0, eur_posting(receivable, total_ht + vat))
    narration = ledger_text(config, N_("Charges call {place} - {month}")).format(
        place=place.name, month=month
    )
    meta = {
        "call": number,
        "place": place.id,
        "member": member.id,
        "period": str(month),
        "gen-id": gen_id,
    }
    return place_transaction(
        day, member.name, narration, {place.id}, {call_link(place, month, member)}, meta, postings
    )


def build_reversal(
    config: Config, place: Place, previous: Sequence[Any], *, gen_id: str, day: date
) -> Any:
    """Cancel what ``previous`` (a call and its earlier reversals) still says."""
    first = previous[0]
    totals: dict[tuple[str, str | None, str | None, str | None], Decimal] = {}
    for entry in previous:
        for posting in entry.postings:
            meta = posting.meta or {}
            key = (posting.account, meta.get("group"), meta.get("covers"), meta.get("vat-rate"))
            totals[key] = totals.get(key, ZERO) + posting.units.number
    postings = []
    for (account, group, covers, rate), amount in totals.items():
        if amount == 0:
            continue
        extra: dict[str, Any] = {}
        if group is not None:
            extra["group"] = group
        if covers is not None:
            extra["covers"] = covers
        if rate is not None:
            extra["vat-rate"] = rate
        postings.append(eur_posting(account, -amount, extra))
    numbers = [e.meta.get("call") for e in previous if isinstance(e.meta.get("call"), str)]
    cancelled = numbers[-1] if numbers else ""
    narration = ledger_text(config, N_("Reversal of charges call {number}")).format(
        number=cancelled
    )
    meta_entry = {
        "cancels": cancelled,
        "place": first.meta["place"],
        "member": first.meta["member"],
        "period": first.meta.get("period"),
        "gen-id": gen_id,
    }
    return place_transaction(
        day,
        first.payee,
        narration,
        first.tags or (),
        first.links or (),
        {k: v for k, v in meta_entry.items() if v is not None},
        postings,
    )


def build_mirror(
    config: Config, place: Place, member: Member, host_entry: Any, opener: Opener
) -> Any:
    """The member entity's side of a host call or reversal (same link, opposite sign)."""
    assert member.entity is not None
    payable = opener.need_like(mirror_payable(config, place, member.entity), PAYABLE_PCG)
    expense_account = place.config.mirror_expense
    assert expense_account is not None
    expense = opener.need_like(expense_account, EXPENSE_PCG)
    deducts = member_deducts_vat(config, member.entity, host_entry.date)
    receivable = place.member_account(member)
    postings = []
    total = ZERO
    for posting in host_entry.postings:
        pmeta = posting.meta or {}
        amount = -posting.units.number
        if posting.account == receivable or is_under(posting.account, place.config.receivable):
            total += posting.units.number
            continue
        if "vat-rate" in pmeta:
            if deducts:
                treatment = vat_treatment(config, place.host, host_entry.date)
                role = (
                    "vat-deductible-pending"
                    if treatment.exigibility != "debits"
                    else "vat-deductible"
                )
                postings.append(
                    eur_posting(open_role(opener, role), amount, {"vat-rate": pmeta["vat-rate"]})
                )
            else:
                postings.append(eur_posting(expense, amount, {"vat": "non-deductible"}))
            continue
        extra = {k: pmeta[k] for k in ("group", "covers") if k in pmeta}
        postings.append(eur_posting(expense, amount, extra))
    postings.append(eur_posting(payable, -total))
    host_meta = host_entry.meta
    meta: dict[str, Any] = {}
    for key in ("call", "cancels", "place", "member", "period", "gen-id"):
        if key in host_meta:
            meta[key] = host_meta[key]
    meta["supplier"] = config.entity(place.host).name
    if "call" in host_meta:
        meta["piece-ref"] = host_meta["call"]
    return place_transaction(
        host_entry.date,
        config.entity(place.host).name,
        host_entry.narration,
        host_entry.tags or (),
        host_entry.links or (),
        meta,
        postings,
    )


def _vector(entries: Iterable[Any], receivable_parent: str) -> Counter[tuple[str, str]]:
    """What a set of host entries says, per (account, group), without zeros."""
    out: Counter[tuple[str, str]] = Counter()
    for entry in entries:
        for posting in entry.postings:
            meta = posting.meta or {}
            account = posting.account
            if is_under(account, receivable_parent):
                account = "<receivable>"
            key = (account, str(meta.get("group") or meta.get("vat-rate") or ""))
            out[key] += posting.units.number
    return Counter({k: v for k, v in out.items() if v != 0})


# --------------------------------------------------------------------------- posting


@dataclass
class PostResult:
    place: Place
    month: Month
    allocation: Allocation
    actions: list[Action] = field(default_factory=list)
    planned: list[Any] = field(default_factory=list)

    @property
    def written(self) -> bool:
        return bool(self.actions)


def _host_generated(host: LoadedLedger, place: Place, month: Month, member: Member) -> list[Any]:
    base = gen_base(place, month, member)
    return [
        e
        for e in host.entries
        if isinstance(e, data.Transaction)
        and (e.meta or {}).get("place") == place.id
        and _gen_under(e, base)
    ]


def _gen_ids(ledger: LoadedLedger, place: Place) -> set[str]:
    out = set()
    for entry in ledger.entries:
        if isinstance(entry, data.Transaction) and (entry.meta or {}).get("place") == place.id:
            gen = entry.meta.get("gen-id")
            if isinstance(gen, str):
                out.add(gen)
    return out


def post_shares(
    ws: Workspace,
    place: Place,
    month: Month,
    *,
    today: date,
    replace: bool = False,
    assume_zero: bool = False,
    dry_run: bool = False,
) -> PostResult:
    """Write month ``month``'s calls (and mirrors, and letters); idempotent."""
    config = ws.config
    with ws.lock():
        host = ws.load_checked(place.host)
        allocation = compute_shares(
            ws, place, month, today=today, assume_zero=assume_zero, ledger=host
        )
        result = PostResult(place, month, allocation)
        day = month.last_day
        host_opener = Opener(config, host, day)
        host_entries: list[Any] = []
        member_ledgers: dict[str, LoadedLedger] = {}
        member_openers: dict[str, Opener] = {}
        member_entries: dict[str, list[Any]] = {}
        used = _used_numbers(place, host.entries)
        reserved: set[str] = set()
        changed: list[tuple[str, Decimal, Decimal]] = []

        for member in place.members:
            if member.entity == place.host:
                continue  # the host bears its own share: no call
            groups = member_groups(allocation, member.id)
            existing = _host_generated(host, place, month, member)
            if not groups and not existing:
                continue
            base = gen_base(place, month, member)
            draft = build_call(
                config,
                place,
                member,
                month,
                groups,
                number="-",
                gen_id=base,
                opener=Opener(config, host, day),
            )
            target = _vector([draft] if groups else [], place.config.receivable)
            current = _vector(existing, place.config.receivable)
            new_for_member: list[Any] = []
            if target != current:
                if existing and not replace:
                    changed.append(
                        (
                            member.id,
                            sum((_receivable_units(e, place) for e in existing), ZERO),
                            _receivable_units(draft, place) if groups else ZERO,
                        )
                    )
                    continue
                versions = sum(1 for e in existing if "call" in (e.meta or {}))
                when = day
                if existing:
                    when = _replacement_day(config, place, member, host, ws, day)
                if existing and current:
                    reversal = build_reversal(
                        config,
                        place,
                        existing,
                        gen_id=f"{base}/v{versions}-reversal",
                        day=when,
                    )
                    new_for_member.append(stamp_generated(reversal))
                    result.actions.append(
                        Action(
                            "reversal",
                            place.host,
                            member.id,
                            str(reversal.meta["cancels"]),
                            _receivable_units(reversal, place),
                        )
                    )
                if groups:
                    number = _number(place.config.series, day, used, reserved)
                    reserved.add(number)
                    gen_id = base if versions == 0 else f"{base}/v{versions + 1}"
                    call = build_call(
                        config,
                        place,
                        member,
                        month,
                        groups,
                        number=number,
                        gen_id=gen_id,
                        opener=host_opener,
                        day=when,
                    )
                    new_for_member.append(stamp_generated(call))
                    result.actions.append(
                        Action(
                            "call", place.host, member.id, number, _receivable_units(call, place)
                        )
                    )
            host_entries.extend(new_for_member)
            if member.is_entity_member(place.host):
                assert member.entity is not None
                # Read even with errors (they keep only that entity's close from running,
                # issue 21): the mirrors already there are its own; a mirror still to write
                # is refused by the writer, which wants the ledger without error.
                ledger = member_ledgers.get(member.entity) or ws.load(member.entity)
                member_ledgers[member.entity] = ledger
                opener = member_openers.setdefault(member.entity, Opener(config, ledger, day))
                have = _gen_ids(ledger, place)
                for host_entry in [*existing, *new_for_member]:
                    gen = host_entry.meta["gen-id"]
                    if gen in have:
                        continue
                    mirror = stamp_generated(
                        build_mirror(config, place, member, host_entry, opener)
                    )
                    member_entries.setdefault(member.entity, []).append(mirror)
                    result.actions.append(
                        Action(
                            "mirror" if "call" in host_entry.meta else "mirror-reversal",
                            member.entity,
                            member.id,
                            str(host_entry.meta.get("call") or host_entry.meta.get("cancels")),
                            -units(mirror, mirror_payable(config, place, member.entity)),
                        )
                    )

        if changed:
            detail = "; ".join(
                f"{member_id}: {before:f} → {after:f}" for member_id, before, after in changed
            )
            raise RefusedError(
                _(
                    "The shares of {place} for {month} changed since they were posted "
                    "({detail}); 'alusage-ledger shares {place} --month {month} --post "
                    "--replace' reverses and re-posts them."
                ).format(place=place.id, month=month, detail=detail)
            )

        # Letter what the new calls settle (payments made in advance).
        letters_host: list[Any] = []
        letters_members: dict[str, list[Any]] = {}
        for member in place.members:
            if member.entity == place.host:
                continue
            news = [e for e in host_entries if e.meta.get("member") == member.id]
            if not news:
                continue
            mirror_news = (
                [
                    e
                    for e in member_entries.get(member.entity or "", [])
                    if e.meta.get("member") == member.id
                ]
                if member.is_entity_member(place.host)
                else []
            )
            h, m, actions = letter_entries(
                ws,
                place,
                member,
                host,
                member_ledgers,
                news,
                mirror_news,
                host_opener,
                member_openers,
            )
            letters_host.extend(h)
            for entity, entries in m.items():
                letters_members.setdefault(entity, []).extend(entries)
            result.actions.extend(actions)
        host_entries.extend(letters_host)
        for entity, entries in letters_members.items():
            member_entries.setdefault(entity, []).extend(entries)

        if not host_entries and not any(member_entries.values()):
            return result
        for entity, entries in [(place.host, host_entries), *member_entries.items()]:
            ledger = host if entity == place.host else member_ledgers[entity]
            closed = closed_months(ledger.entries)
            for written in sorted({Month.of(e.date) for e in entries}):
                if written in closed:
                    raise RefusedError(
                        _(
                            "{month} is closed for {entity}: the shares of a closed month "
                            "cannot be posted or replaced; reopen the month first."
                        ).format(month=written, entity=entity)
                    )
        appends = host_opener.appends(host_entries)
        for entity, entries in member_entries.items():
            appends.extend(member_openers[entity].appends(entries))
        result.planned = ws.write(appends, dry_run=dry_run)
        return result


def _replacement_day(
    config: Config, place: Place, member: Member, host: LoadedLedger, ws: Workspace, day: date
) -> date:
    """The date of a reversal and new call: the last day of the month, or the day after
    the last letter that names the call (an earlier date would put them in that letter)."""
    link = call_link(place, Month.of(day), member)
    sides = [(host.entries, place.member_account(member))]
    if member.is_entity_member(place.host):
        assert member.entity is not None
        sides.append(
            (ws.load_checked(member.entity).entries, mirror_payable(config, place, member.entity))
        )
    latest = day
    for entries, account in sides:
        for letter in read_letters(entries)[0]:
            if letter.account == account and link in letter.refs and letter.date >= latest:
                latest = letter.date + timedelta(days=1)
    return latest


def _receivable_units(entry: Any, place: Place) -> Decimal:
    return sum(
        (
            p.units.number
            for p in entry.postings
            if is_under(p.account, place.config.receivable) and p.units is not None
        ),
        ZERO,
    )
