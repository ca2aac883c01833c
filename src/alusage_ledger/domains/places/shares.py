"""Le 97's shares in the ledgers: calls, their mirrors, payments, lettering, statements.

:mod:`allocation` says who pays what; this module reads what it needs from the host's
ledger (the charges, the declared days) and writes the result as entries:

* a **call** per member and month in the host's ledger (receivable sub-account debited,
  income credited per group, VAT if the place charges it), numbered in the place's
  series (``L2026-0011``), dated the last day of the month::

      2026-11-30 * "Alusage SAS" "Appel de charges Le 97 - 2026-11" #le97 ^le97-2026-11-alusage
        call: "L2026-0011"
        place: "le97"
        member: "alusage"
        period: "2026-11"
        gen-id: "le97/2026-11/alusage"
        gen-hash: "…"
        Actif:Usagers:Le97:Alusage        312.45 EUR
        Produits:Le97:Refacturation      -250.00 EUR
          group: "loyer"
          covers: "2026-11"
        Produits:Le97:Refacturation       -62.45 EUR
          group: "energie"
          covers: "2026-11"

* for a member that keeps its books in the workspace, the **mirror** in its own ledger
  (its expense per group, deductible VAT if any, payable to the host), with the same
  link: the host's receivable posting equals minus the member's payable posting;
* a **payment** (bank / receivable, and its mirror) carrying the links of the calls it
  settles, and ``custom "alusage-letter"`` directives once calls and payments balance;
* ``--replace``: a reversal of the previous call and a new call, with the same link.

Everything is idempotent: posting a month twice writes nothing the second time.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from alusage_ledger.books.accounts import Opener
from alusage_ledger.books.checks import entity_rule, workspace_rule
from alusage_ledger.books.monthend import month_step
from alusage_ledger.core.errors import LedgerErrors, LedgerProblem, RefusedError, UsageError
from alusage_ledger.core.i18n import N_, _, translate
from alusage_ledger.core.money import quantize_cents
from alusage_ledger.domains.places.allocation import (
    Allocation,
    ChargeLine,
    GroupSpec,
    allocate,
    format_months,
    month_bounds,
    month_of,
    parse_period,
)
from alusage_ledger.domains.places.place import (
    Member,
    Place,
    all_places,
    member_deducts_vat,
    mirror_payable,
)

if TYPE_CHECKING:
    from alusage_ledger.books.config import Config
    from alusage_ledger.books.ledger import LoadedLedger, Workspace

ZERO = Decimal("0.00")
CURRENCY = "EUR"
LETTER_TYPE = "alusage-letter"

#: Default PCG numbers and labels of the accounts the tool opens (PCG 2025).
RECEIVABLE_PCG = ("411", "Clients")
INCOME_PCG = ("708", "Produits des activités annexes")
EXPENSE_PCG = ("6132", "Locations immobilières")
PAYABLE_PCG = ("401", "Fournisseurs")


# --------------------------------------------------------------------------- small helpers


def ledger_lang(config: Config) -> str:
    """Text written *into* a ledger follows the workspace's locale, not the user's."""
    return config.workspace.locale.split("_")[0].lower()


def ledger_text(config: Config, message: str) -> str:
    return translate(message, ledger_lang(config))


def today() -> date:
    """Today, or ``ALUSAGE_TODAY`` (``YYYY-MM-DD``) for reproducible runs and tests."""
    import os

    raw = os.environ.get("ALUSAGE_TODAY")
    if not raw:
        return date.today()
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise UsageError(
            _("ALUSAGE_TODAY must be a date YYYY-MM-DD (got {value!r}).").format(value=raw)
        ) from None


def current_month(today: date) -> str:
    return month_of(today)


def check_not_future(month: str, today: date) -> None:
    if month > current_month(today):
        raise UsageError(
            _(
                "{month} is in the future (today is {today}); shares are computed for "
                "months that have begun."
            ).format(month=month, today=today.isoformat())
        )


def _units(entry: Any, account: str) -> Decimal:
    return sum(
        (p.units.number for p in entry.postings if p.account == account and p.units is not None),
        ZERO,
    )


def _under(account: str, parent: str) -> bool:
    return account == parent or account.startswith(parent + ":")


def _posting(account: str, number: Decimal, meta: dict[str, Any] | None = None) -> Any:
    from beancount.core import data
    from beancount.core.amount import Amount

    return data.Posting(account, Amount(number, CURRENCY), None, None, None, meta or None)


def _transaction(
    day: date,
    payee: str | None,
    narration: str,
    tags: Iterable[str],
    links: Iterable[str],
    meta: dict[str, Any],
    postings: Sequence[Any],
) -> Any:
    from beancount.core import data

    full = data.new_metadata("<alusage>", 0)
    full.update(meta)
    return data.Transaction(
        full, day, "*", payee, narration, frozenset(tags), frozenset(links), list(postings)
    )


def _stamp(entry: Any) -> Any:
    """Add ``gen-hash`` (the canonical hash of the entry without it)."""
    from alusage_ledger.books.canonical import entry_hash

    entry.meta["gen-hash"] = entry_hash(entry, exclude_keys=frozenset({"gen-hash"}))
    return entry


def call_link(place: Place, month: str, member: Member) -> str:
    return f"{place.id}-{month}-{member.id}"


def gen_base(place: Place, month: str, member: Member) -> str:
    return f"{place.id}/{month}/{member.id}"


def _gen_under(entry: Any, base: str) -> bool:
    gen = (entry.meta or {}).get("gen-id")
    return isinstance(gen, str) and (gen == base or gen.startswith(base + "/"))


# --------------------------------------------------------------------------- accounts


def _role(opener: Opener, role: str) -> str:
    """The account of ``role``, opened on first use numbered like its neighbours."""
    from alusage_ledger.books.roles import role_account

    found = role_account(opener.config, opener.ledger.entity, role)
    return opener.need_like(found.account, (found.pcg, found.label))


# --------------------------------------------------------------------------- charges


def group_specs(place: Place) -> list[GroupSpec]:
    specs = []
    for group in place.config.charges:
        key: str | tuple[tuple[str, Decimal], ...]
        key = group.key if isinstance(group.key, str) else tuple(group.key.items())
        specs.append(GroupSpec(group.name, key, group.rest_key))
    return specs


def _source(entry: Any) -> str:
    meta = entry.meta or {}
    ref = meta.get("piece-ref") or meta.get("invoice")
    text = str(ref) if ref else (entry.narration or entry.payee or "")
    return text[:60]


def _problem(ledger: LoadedLedger, entry: Any, message: str) -> LedgerProblem:
    from pathlib import Path

    meta = entry.meta or {}
    filename, line = meta.get("filename"), meta.get("lineno")
    rel = None
    if filename and not str(filename).startswith("<"):
        try:
            rel = Path(filename).resolve().relative_to(ledger.root).as_posix()
        except ValueError:
            rel = str(filename)
    return LedgerProblem(ledger.entity, rel, line, message)


def charge_problems(place: Place, ledger: LoadedLedger) -> list[LedgerProblem]:
    """Charge postings whose ``period`` or currency cannot be read."""
    _lines, problems = _charge_lines(place, ledger)
    return problems


def charge_lines(place: Place, ledger: LoadedLedger) -> list[ChargeLine]:
    """Every charge of the place in the host's ledger (LedgerErrors on a bad ``period``)."""
    lines, problems = _charge_lines(place, ledger)
    if problems:
        raise LedgerErrors(
            _("The charges of {place} cannot be read; fix the entries listed.").format(
                place=place.id
            ),
            problems,
        )
    return lines


def _charge_lines(
    place: Place, ledger: LoadedLedger
) -> tuple[list[ChargeLine], list[LedgerProblem]]:
    from beancount.core import data

    lines: list[ChargeLine] = []
    problems: list[LedgerProblem] = []
    groups: dict[str, Any] = {}  # place.group_of, once per account
    for entry in ledger.entries:
        if not isinstance(entry, data.Transaction) or entry.flag != "*":
            continue
        if "gen-id" in (entry.meta or {}):
            continue
        for posting in entry.postings:
            if posting.account not in groups:
                groups[posting.account] = place.group_of(posting.account)
            group = groups[posting.account]
            if group is None or posting.units is None:
                continue
            if posting.units.currency != CURRENCY:
                problems.append(
                    _problem(
                        ledger,
                        entry,
                        _("{account}: le 97's charges must be in EUR, not {currency}.").format(
                            account=posting.account, currency=posting.units.currency
                        ),
                    )
                )
                continue
            raw = (posting.meta or {}).get("period") or (entry.meta or {}).get("period")
            months: tuple[str, ...] = (month_of(entry.date),)
            if raw is not None:
                try:
                    months = parse_period(str(raw))
                except ValueError:
                    problems.append(
                        _problem(
                            ledger,
                            entry,
                            _(
                                "period {value!r} is not a month or a range of months "
                                '(write "2026-11" or "2026-09..2026-11").'
                            ).format(value=str(raw)),
                        )
                    )
                    continue
            lines.append(
                ChargeLine(group.name, posting.units.number, entry.date, months, _source(entry))
            )
    return lines, problems


def compute_shares(
    ws: Workspace,
    place: Place,
    month: str,
    *,
    today: date,
    assume_zero: bool = False,
    ledger: LoadedLedger | None = None,
) -> Allocation:
    """Month ``month``'s shares of ``place`` from the host's ledger."""
    from alusage_ledger.domains.places.usage import usage_of

    check_not_future(month, today)
    host = ledger or ws.load_checked(place.host)
    return allocate(
        month,
        group_specs(place),
        charge_lines(place, host),
        [m.spec() for m in place.members],
        usage_of(host, place.id),
        assume_zero=assume_zero,
    )


# --------------------------------------------------------------------------- calls


@dataclass(frozen=True)
class GroupAmount:
    group: str
    covers: str
    amount: Decimal


def member_groups(allocation: Allocation, member_id: str) -> list[GroupAmount]:
    """The member's non-zero share of each group, with the months it covers."""
    out = []
    for group in allocation.groups:
        amount = group.shares.get(member_id, ZERO)
        if amount == 0:
            continue
        covered = [s.covered for s in group.splits if s.shares.get(member_id, ZERO) != 0]
        out.append(GroupAmount(group.name, format_months(covered), amount))
    return out


def _number(series: str, day: date, used: set[str], reserved: set[str]) -> str:
    for seq in itertools.count(1):
        candidate = series.format(year=day.year, seq=seq)
        if candidate not in used and candidate not in reserved:
            return candidate
    raise AssertionError("unreachable")  # pragma: no cover


def _used_numbers(place: Place, entries: Iterable[Any]) -> set[str]:
    from beancount.core import data

    used = set()
    for entry in entries:
        if isinstance(entry, data.Transaction):
            meta = entry.meta or {}
            if meta.get("place") == place.id and isinstance(meta.get("call"), str):
                used.add(meta["call"])
    return used


def _vat_accounts(config: Config, place: Place, opener: Opener, day: date) -> str:
    """The host's VAT account for calls: pending until paid, unless it opted for débits."""
    from alusage_ledger.domains.purchases.bills import vat_treatment

    treatment = vat_treatment(config, place.host, day)
    return _role(opener, "vat-pending" if treatment.exigibility != "debits" else "vat-collected")


def build_call(
    config: Config,
    place: Place,
    member: Member,
    month: str,
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
        day = month_bounds(month)[1]
    receivable = opener.need_like(place.member_account(member), RECEIVABLE_PCG)
    income = opener.need_like(place.config.income, INCOME_PCG)
    total_ht = sum((g.amount for g in groups), ZERO)
    postings = []
    for group in groups:
        postings.append(
            _posting(income, -group.amount, {"group": group.group, "covers": group.covers})
        )
    rate = place.config.vat_rate()
    vat = ZERO
    if rate is not None:
        vat = quantize_cents(total_ht * rate / 100)
        if vat != 0:
            account = _vat_accounts(config, place, opener, day)
            postings.append(_posting(account, -vat, {"vat-rate": place.config.vat}))
    postings.insert(0, _posting(receivable, total_ht + vat))
    narration = ledger_text(config, N_("Charges call {place} - {month}")).format(
        place=place.name, month=month
    )
    meta = {
        "call": number,
        "place": place.id,
        "member": member.id,
        "period": month,
        "gen-id": gen_id,
    }
    return _transaction(
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
        postings.append(_posting(account, -amount, extra))
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
    return _transaction(
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
    from alusage_ledger.domains.purchases.bills import vat_treatment

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
        if posting.account == receivable or _under(posting.account, place.config.receivable):
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
                    _posting(_role(opener, role), amount, {"vat-rate": pmeta["vat-rate"]})
                )
            else:
                postings.append(_posting(expense, amount, {"vat": "non-deductible"}))
            continue
        extra = {k: pmeta[k] for k in ("group", "covers") if k in pmeta}
        postings.append(_posting(expense, amount, extra))
    postings.append(_posting(payable, -total))
    host_meta = host_entry.meta
    meta: dict[str, Any] = {}
    for key in ("call", "cancels", "place", "member", "period", "gen-id"):
        if key in host_meta:
            meta[key] = host_meta[key]
    meta["supplier"] = config.entity(place.host).name
    if "call" in host_meta:
        meta["piece-ref"] = host_meta["call"]
    return _transaction(
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
            if _under(account, receivable_parent):
                account = "<receivable>"
            key = (account, str(meta.get("group") or meta.get("vat-rate") or ""))
            out[key] += posting.units.number
    return Counter({k: v for k, v in out.items() if v != 0})


@dataclass(frozen=True)
class Action:
    """One thing a post did or would do, for the report."""

    kind: str  # call | reversal | mirror | letter | vat
    entity: str
    member: str
    number: str
    amount: Decimal


@dataclass
class PostResult:
    place: Place
    month: str
    allocation: Allocation
    actions: list[Action] = field(default_factory=list)
    planned: list[Any] = field(default_factory=list)

    @property
    def written(self) -> bool:
        return bool(self.actions)


def _host_generated(host: LoadedLedger, place: Place, month: str, member: Member) -> list[Any]:
    from beancount.core import data

    base = gen_base(place, month, member)
    return [
        e
        for e in host.entries
        if isinstance(e, data.Transaction)
        and (e.meta or {}).get("place") == place.id
        and _gen_under(e, base)
    ]


def _gen_ids(ledger: LoadedLedger, place: Place) -> set[str]:
    from beancount.core import data

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
    month: str,
    *,
    today: date,
    replace: bool = False,
    assume_zero: bool = False,
    dry_run: bool = False,
) -> PostResult:
    """Write month ``month``'s calls (and mirrors, and letters); idempotent."""
    from alusage_ledger.books.ledger import closed_months

    config = ws.config
    with ws.lock():
        host = ws.load_checked(place.host)
        allocation = compute_shares(
            ws, place, month, today=today, assume_zero=assume_zero, ledger=host
        )
        result = PostResult(place, month, allocation)
        _first, day = month_bounds(month)
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
                            sum((_units_under(e, place) for e in existing), ZERO),
                            _units_under(draft, place) if groups else ZERO,
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
                    new_for_member.append(_stamp(reversal))
                    result.actions.append(
                        Action(
                            "reversal",
                            place.host,
                            member.id,
                            str(reversal.meta["cancels"]),
                            _units_under(reversal, place),
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
                    new_for_member.append(_stamp(call))
                    result.actions.append(
                        Action("call", place.host, member.id, number, _units_under(call, place))
                    )
            host_entries.extend(new_for_member)
            if member.is_entity_member(place.host):
                assert member.entity is not None
                ledger = member_ledgers.get(member.entity) or ws.load_checked(member.entity)
                member_ledgers[member.entity] = ledger
                opener = member_openers.setdefault(member.entity, Opener(config, ledger, day))
                have = _gen_ids(ledger, place)
                for host_entry in [*existing, *new_for_member]:
                    gen = host_entry.meta["gen-id"]
                    if gen in have:
                        continue
                    mirror = _stamp(build_mirror(config, place, member, host_entry, opener))
                    member_entries.setdefault(member.entity, []).append(mirror)
                    result.actions.append(
                        Action(
                            "mirror" if "call" in host_entry.meta else "mirror-reversal",
                            member.entity,
                            member.id,
                            str(host_entry.meta.get("call") or host_entry.meta.get("cancels")),
                            -_units(mirror, mirror_payable(config, place, member.entity)),
                        )
                    )

        if changed:
            detail = "; ".join(
                f"{member_id}: {before:f} → {after:f}" for member_id, before, after in changed
            )
            raise RefusedError(
                _(
                    "The shares of {place} for {month} changed since they were posted "
                    "({detail}); run again with --replace to reverse and re-post them."
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
            for written in sorted({month_of(e.date) for e in entries}):
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
    from datetime import timedelta

    from alusage_ledger.domains.lettering.letters import read_letters

    link = call_link(place, month_of(day), member)
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


def _units_under(entry: Any, place: Place) -> Decimal:
    return sum(
        (
            p.units.number
            for p in entry.postings
            if _under(p.account, place.config.receivable) and p.units is not None
        ),
        ZERO,
    )


# --------------------------------------------------------------------------- lettering
#
# Lettering is lettering.py's (the Purchases feature): its ``letter_account`` proposes
# and proves the letters. Calls and the payments that settle them share links, so a
# call and its payment form one link group that sums to zero and gets a letter.


def _place_links(entry: Any, place: Place) -> set[str]:
    return {link for link in entry.links or () if link.startswith(place.id + "-")}


class _View:
    """The part of a ledger that lettering sees: place entries plus the new ones."""

    def __init__(self, entries: list[Any]) -> None:
        self.entries = entries


def _letter_view(
    existing: Iterable[Any], new: Sequence[Any], place: Place, member: Member
) -> list[Any]:
    """This member's place entries, every directive that is not a transaction, the new
    entries: lettering never touches what is not le 97's."""
    from beancount.core import data

    kept = []
    for entry in [*existing, *new]:
        if not isinstance(entry, data.Transaction) or (
            (entry.meta or {}).get("member") == member.id and _place_links(entry, place)
        ):
            kept.append(entry)
    return sorted(kept, key=data.entry_sortkey)


def open_groups(entries: list[Any], account: str, place: Place) -> list[tuple[set[str], Decimal]]:
    """Unlettered items of ``account`` joined by links: (their place links, their sum)."""
    from alusage_ledger.domains.lettering.letters import assign, link_groups

    open_now, _letters = assign(entries, account)
    out = []
    for group in link_groups(open_now):
        links = set().union(*(_place_links(i.entry, place) for i in group))
        out.append((links, sum((i.amount for i in group), ZERO)))
    return out


def _vat_transfer(
    config: Config,
    place: Place,
    member: Member,
    entity: str,
    letter: Any,
    entries: Sequence[Any],
    opener: Opener,
    *,
    host_side: bool,
) -> Any | None:
    """Pending VAT of the lettered calls becomes due (host) or deductible (member)."""
    from alusage_ledger.books.roles import role_account
    from alusage_ledger.domains.purchases.bills import vat_treatment

    day, code = letter.date, str(letter.values[1].value)
    refs = {str(v.value) for v in letter.values[2:]}
    if place.config.vat_rate() is None:
        return None
    if vat_treatment(config, place.host, day).exigibility == "debits":
        return None
    pending_role = "vat-pending" if host_side else "vat-deductible-pending"
    final_role = "vat-collected" if host_side else "vat-deductible"
    pending = role_account(config, entity, pending_role).account
    settled = [e for e in entries if hasattr(e, "postings") and set(e.links or ()) & refs]
    amount = sum(
        (
            p.units.number
            for e in settled
            for p in e.postings
            if p.account == pending and "vat-rate" in (p.meta or {})
        ),
        ZERO,
    )
    if amount == 0:
        return None
    postings = [
        _posting(_role(opener, pending_role), -amount),
        _posting(_role(opener, final_role), amount),
    ]
    narration = ledger_text(config, N_("VAT on the charges calls settled ({code})")).format(
        code=code
    )
    meta = {"place": place.id, "member": member.id, "gen-id": f"{place.id}/vat/{member.id}/{code}"}
    payee = member.name if host_side else config.entity(place.host).name
    links = sorted(refs & {link for e in settled for link in e.links or ()})
    return _stamp(_transaction(day, payee, narration, {place.id}, links, meta, postings))


def _letters(
    config: Config,
    place: Place,
    member: Member,
    entity: str,
    existing: Iterable[Any],
    new: Sequence[Any],
    account: str,
    opener: Opener,
    *,
    host_side: bool,
) -> tuple[list[Any], list[Action]]:
    from typing import cast

    from alusage_ledger.domains.lettering.letters import letter_account

    view = _letter_view(existing, new, place, member)
    out: list[Any] = []
    actions: list[Action] = []
    for letter in letter_account(cast("LoadedLedger", _View(view)), account):
        out.append(letter)
        code = str(letter.values[1].value)
        actions.append(Action("letter", entity, member.id, code, ZERO))
        vat = _vat_transfer(
            config, place, member, entity, letter, view, opener, host_side=host_side
        )
        if vat is not None:
            out.append(vat)
            actions.append(Action("vat", entity, member.id, code, ZERO))
    return out, actions


def letter_entries(
    ws: Workspace,
    place: Place,
    member: Member,
    host: LoadedLedger,
    member_ledgers: dict[str, LoadedLedger],
    host_new: Sequence[Any],
    mirror_new: Sequence[Any],
    host_opener: Opener,
    member_openers: dict[str, Opener],
) -> tuple[list[Any], dict[str, list[Any]], list[Action]]:
    """Letters (and VAT transfers) for what balances once the new entries are written."""
    config = ws.config
    host_out, actions = _letters(
        config,
        place,
        member,
        place.host,
        host.entries,
        host_new,
        place.member_account(member),
        host_opener,
        host_side=True,
    )
    member_out: dict[str, list[Any]] = {}
    if member.is_entity_member(place.host) and member.entity in member_ledgers:
        entity = member.entity
        assert entity is not None
        ledger = member_ledgers[entity]
        opener = member_openers.setdefault(entity, Opener(config, ledger, host_opener.day))
        mine, more = _letters(
            config,
            place,
            member,
            entity,
            ledger.entries,
            mirror_new,
            mirror_payable(config, place, entity),
            opener,
            host_side=False,
        )
        if mine:
            member_out[entity] = mine
        actions.extend(more)
    return host_out, member_out, actions


# --------------------------------------------------------------------------- payments


@dataclass
class PayResult:
    place: Place
    member: Member
    amount: Decimal
    day: date
    links: list[str]
    actions: list[Action]
    planned: list[Any]


def _payment_account(config: Config, ledger: LoadedLedger, text: str | None, what: str) -> str:
    from alusage_ledger.books.roles import DEFAULT_ROLES, role_account
    from alusage_ledger.core.suggest import did_you_mean

    opened = ledger.open_accounts()
    if text is None or text.strip() in DEFAULT_ROLES:
        role = "bank" if text is None else text.strip()
        account = role_account(config, ledger.entity, role).account
    else:
        account = text.strip()
    if account not in opened:
        raise UsageError(
            _(
                "The {what} {account} is not an open account of {entity}{hint}; open it or "
                "name another one."
            ).format(
                what=what, account=account, entity=ledger.entity, hint=did_you_mean(account, opened)
            )
        )
    return account


def pay_member(
    ws: Workspace,
    place: Place,
    member: Member,
    amount: Decimal,
    *,
    day: date,
    today: date,
    account: str | None = None,
    member_account: str | None = None,
    dry_run: bool = False,
) -> PayResult:
    """A member's payment to the host (and its mirror), lettered with what it settles."""
    from alusage_ledger.books.ledger import closed_months

    config = ws.config
    if member.entity == place.host:
        raise UsageError(
            _("{member} is the host of {place}: it bears its share and pays no call.").format(
                member=member.id, place=place.id
            )
        )
    if amount <= 0:
        raise UsageError(_("A payment must be a positive amount."))
    if day > today:
        raise UsageError(
            _("The payment date {day} is in the future; record payments once received.").format(
                day=day.isoformat()
            )
        )
    with ws.lock():
        host = ws.load_checked(place.host)
        month = month_of(day)
        if month in closed_months(host.entries):
            raise RefusedError(
                _(
                    "{month} is closed for {entity}: record the payment at an open date, or "
                    "reopen the month."
                ).format(month=month, entity=place.host)
            )
        receivable = place.member_account(member)
        host_opener = Opener(config, host, day)
        bank = _payment_account(config, host, account, _("account"))
        host_opener.need_like(receivable, RECEIVABLE_PCG)
        view = _letter_view(host.entries, [], place, member)
        links: list[str] = []
        left = amount
        for group_links, total in open_groups(view, receivable, place):
            if left <= 0:
                break
            if total > 0 and group_links:
                links.extend(sorted(group_links))
                left -= total
        if not links:
            base = f"{place.id}-pay-{day.isoformat()}-{member.id}"
            taken = {link for e in host.entries for link in getattr(e, "links", None) or ()}
            link = base
            for n in itertools.count(2):
                if link not in taken:
                    break
                link = f"{base}-{n}"
            links = [link]
        narration = ledger_text(config, N_("Payment of charges {place}")).format(place=place.name)
        meta = {"place": place.id, "member": member.id}
        host_entry = _transaction(
            day,
            member.name,
            narration,
            {place.id},
            links,
            meta,
            [_posting(bank, amount), _posting(receivable, -amount)],
        )
        actions = [Action("payment", place.host, member.id, ",".join(links), amount)]
        member_ledgers: dict[str, LoadedLedger] = {}
        member_openers: dict[str, Opener] = {}
        mirror_new: list[Any] = []
        if member.is_entity_member(place.host):
            entity = member.entity
            assert entity is not None
            ledger = ws.load_checked(entity)
            if month in closed_months(ledger.entries):
                raise RefusedError(
                    _(
                        "{month} is closed for {entity}: record the payment at an open date, "
                        "or reopen the month."
                    ).format(month=month, entity=entity)
                )
            member_ledgers[entity] = ledger
            opener = member_openers.setdefault(entity, Opener(config, ledger, day))
            payable = opener.need_like(mirror_payable(config, place, entity), PAYABLE_PCG)
            their_bank = _payment_account(config, ledger, member_account, _("member's account"))
            mirror_new.append(
                _transaction(
                    day,
                    config.entity(place.host).name,
                    narration,
                    {place.id},
                    links,
                    meta,
                    [_posting(payable, amount), _posting(their_bank, -amount)],
                )
            )
            actions.append(Action("mirror-payment", entity, member.id, ",".join(links), amount))
        host_letters, member_letters, letter_actions = letter_entries(
            ws,
            place,
            member,
            host,
            member_ledgers,
            [host_entry],
            mirror_new,
            host_opener,
            member_openers,
        )
        actions.extend(letter_actions)
        appends = host_opener.appends([host_entry, *host_letters])
        for entity, opener in member_openers.items():
            appends.extend(opener.appends([*mirror_new, *member_letters.get(entity, [])]))
        planned = ws.write(appends, dry_run=dry_run)
        return PayResult(place, member, amount, day, links, actions, planned)


# --------------------------------------------------------------------------- statements


@dataclass(frozen=True)
class StatementLine:
    day: date
    kind: str  # call | reversal | payment | other
    number: str
    label: str
    amount: Decimal  # debit positive (the member owes more)
    balance: Decimal
    groups: tuple[GroupAmount, ...]
    letter: str | None


@dataclass(frozen=True)
class Statement:
    place: Place
    member: Member
    host_name: str
    account: str
    start: date | None
    end: date
    opening: Decimal
    lines: tuple[StatementLine, ...]
    closing: Decimal

    @property
    def called(self) -> Decimal:
        return sum((li.amount for li in self.lines if li.kind in ("call", "reversal")), ZERO)

    @property
    def paid(self) -> Decimal:
        return -sum((li.amount for li in self.lines if li.kind == "payment"), ZERO)


def _kind(entry: Any, place: Place) -> str:
    meta = entry.meta or {}
    if meta.get("place") == place.id and "call" in meta:
        return "call"
    if meta.get("place") == place.id and "cancels" in meta:
        return "reversal"
    if (
        any(p.units is not None and p.units.number < 0 for p in entry.postings)
        and meta.get("place") == place.id
    ):
        return "payment"
    return "other"


def member_statement(
    ws: Workspace, place: Place, member: Member, *, start: date | None, end: date
) -> Statement:
    """The member's account at the host: opening balance, calls, payments, closing."""
    from beancount.core import data

    if member.entity == place.host:
        raise UsageError(
            _("{member} is the host of {place}: it has no account to state.").format(
                member=member.id, place=place.id
            )
        )
    host = ws.load_checked(place.host)
    account = place.member_account(member)
    from alusage_ledger.domains.lettering.letters import assign

    # Letters made by the end of the period (a later payment's letter is not shown).
    _open_items, letters = assign(host.entries, account, as_of=end)
    codes = {id(item.entry): letter.code for letter in letters for item in letter.items}
    opening = ZERO
    balance = ZERO
    lines = []
    for entry in host.entries:
        if not isinstance(entry, data.Transaction) or entry.date > end:
            continue
        amount = _units(entry, account)
        if amount == 0 and not any(p.account == account for p in entry.postings):
            continue
        if start is not None and entry.date < start:
            opening += amount
            balance += amount
            continue
        balance += amount
        meta = entry.meta or {}
        kind = _kind(entry, place)
        if kind == "payment" and amount > 0:
            kind = "other"
        groups = tuple(
            GroupAmount(str(p.meta["group"]), str(p.meta.get("covers", "")), -p.units.number)
            for p in entry.postings
            if (p.meta or {}).get("group") is not None
        )
        number = str(meta.get("call") or meta.get("cancels") or "")
        letter = codes.get(id(entry))
        lines.append(
            StatementLine(
                entry.date,
                kind,
                number,
                entry.narration or "",
                amount,
                balance,
                groups,
                letter,
            )
        )
    return Statement(
        place,
        member,
        ws.config.entity(place.host).name,
        account,
        start,
        end,
        opening,
        tuple(lines),
        balance,
    )


@dataclass(frozen=True)
class MemberBalance:
    member: Member
    account: str | None
    called: Decimal
    paid: Decimal
    balance: Decimal


def place_balances(ws: Workspace, place: Place, *, as_of: date) -> list[MemberBalance]:
    """What each member owes the host (positive) or is owed (negative) on ``as_of``."""
    out = []
    for member in place.members:
        if member.entity == place.host:
            out.append(MemberBalance(member, None, ZERO, ZERO, ZERO))
            continue
        st = member_statement(ws, place, member, start=None, end=as_of)
        out.append(MemberBalance(member, st.account, st.called, st.paid, st.closing))
    return out


# --------------------------------------------------------------------------- month-end


def post_all_places(
    ws: Workspace, month: str, *, today: date, dry_run: bool = False
) -> list[PostResult]:
    return [
        post_shares(ws, place, month, today=today, dry_run=dry_run)
        for place in all_places(ws.config)
    ]


@month_step("shares")
def post_shares_for_close(
    ws: Workspace, month: str, *, dry_run: bool = False, today: date | None = None
) -> list[str]:
    """Month-end: post every place's shares for ``month`` (idempotent, never --replace);
    ``today`` is the close's (``--today``), by default ``ALUSAGE_TODAY`` or the clock."""
    from alusage_ledger.core.periods import resolve_today

    out = []
    for result in post_all_places(ws, month, today=resolve_today(today), dry_run=dry_run):
        calls = [a for a in result.actions if a.kind == "call"]
        if calls:
            out.append(
                _("{place}: {count} call(s) posted for {month}, {total} in all.").format(
                    place=result.place.id,
                    count=len(calls),
                    month=month,
                    total=f"{sum((a.amount for a in calls), ZERO):f}",
                )
            )
        elif not result.actions:
            out.append(
                _("{place}: the shares of {month} are already posted.").format(
                    place=result.place.id, month=month
                )
            )
    return out


# --------------------------------------------------------------------------- checks


def _belongs(entry: Any, link: str, place: Place, member: Member) -> bool:
    import re

    owner = (entry.meta or {}).get("member")
    if owner is not None:
        return bool(owner == member.id)
    match = re.fullmatch(rf"{re.escape(place.id)}-\d{{4}}-\d{{2}}-(.+)", link)
    return bool(match and match.group(1) == member.id)


def _link_sums(
    entries: Iterable[Any], place: Place, member: Member, parent: str, *, exact: bool
) -> dict[str, tuple[Decimal, Any]]:
    from beancount.core import data

    sums: dict[str, tuple[Decimal, Any]] = {}
    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        for link in _place_links(entry, place):
            if not _belongs(entry, link, place, member):
                continue
            amount = sum(
                (
                    p.units.number
                    for p in entry.postings
                    if p.units is not None
                    and (p.account == parent if exact else _under(p.account, parent))
                ),
                ZERO,
            )
            before, first = sums.get(link, (ZERO, entry))
            sums[link] = (before + amount, first)
    return sums


@workspace_rule
def place_links_balanced(ws: Workspace, loaded: dict[str, LoadedLedger]) -> Iterable[LedgerProblem]:
    """Every ``^le97-…`` link: the host's receivable equals minus the member's payable."""
    from alusage_ledger.books.checks import problem_at

    for place in all_places(ws.config):
        host = loaded.get(place.host)
        if host is None:
            continue
        for member in place.members:
            if not member.is_entity_member(place.host):
                continue
            assert member.entity is not None
            theirs = loaded.get(member.entity)
            if theirs is None:
                continue
            payable = mirror_payable(ws.config, place, member.entity)
            host_sums = _link_sums(
                host.entries, place, member, place.config.receivable, exact=False
            )
            member_sums = _link_sums(theirs.entries, place, member, payable, exact=True)
            for link in sorted(set(host_sums) | set(member_sums)):
                ours, host_entry = host_sums.get(link, (ZERO, None))
                mirrored, member_entry = member_sums.get(link, (ZERO, None))
                if ours == -mirrored:
                    continue
                entity, entry = (
                    (place.host, host_entry)
                    if host_entry is not None
                    else (member.entity, member_entry)
                )
                yield problem_at(
                    ws,
                    entity,
                    entry,
                    _(
                        "^{link} is not balanced across the ledgers: {host}'s receivable "
                        "says {ours}, {member}'s payable says {theirs} (it should say {want})."
                    ).format(
                        link=link,
                        host=place.host,
                        ours=f"{ours:f}",
                        member=member.entity,
                        theirs=f"{mirrored:f}",
                        want=f"{-ours:f}",
                    ),
                )


@entity_rule
def place_host_rules(ws: Workspace, ledger: LoadedLedger) -> Iterable[LedgerProblem]:
    """At a host: members' accounts as configured, readable periods, known usage ids."""
    from beancount.core import data

    from alusage_ledger.books.checks import problem_at
    from alusage_ledger.domains.places.usage import USAGE_TYPE

    places = [p for p in all_places(ws.config) if p.host == ledger.entity]
    if not places:
        return
    by_id = {p.id: p for p in places}
    for place in places:
        yield from charge_problems(place, ledger)
        known = {m.id: m for m in place.members}
        reported: set[tuple[str, str]] = set()
        for entry in ledger.entries:
            if not isinstance(entry, data.Transaction):
                continue
            meta = entry.meta or {}
            if meta.get("place") != place.id or not isinstance(meta.get("member"), str):
                continue
            member = known.get(meta["member"])
            if member is None:
                yield problem_at(
                    ws,
                    ledger.entity,
                    entry,
                    _("member {member!r} is not a member of {place} in alusage.toml.").format(
                        member=meta["member"], place=place.id
                    ),
                    "warning",
                )
                continue
            derived = place.member_account(member)
            for posting in entry.postings:
                account = posting.account
                if (
                    _under(account, place.config.receivable)
                    and account != derived
                    and (member.id, account) not in reported
                ):
                    reported.add((member.id, account))
                    yield problem_at(
                        ws,
                        ledger.entity,
                        entry,
                        _(
                            "the ledger uses {account} for the member {member} of {place}, but "
                            "alusage.toml now gives {derived}; an account never changes once "
                            'used: add account = "{component}" to this member in alusage.toml.'
                        ).format(
                            account=account,
                            member=member.id,
                            place=place.id,
                            derived=derived,
                            component=account.rsplit(":", 1)[-1],
                        ),
                    )
    for entry in ledger.entries:
        if isinstance(entry, data.Custom) and entry.type == USAGE_TYPE:
            values = [v.value for v in entry.values]
            place_id = values[0] if values else None
            target = by_id.get(str(place_id)) if place_id is not None else None
            if len(values) != 3 or not isinstance(values[2], Decimal):
                yield problem_at(
                    ws,
                    ledger.entity,
                    entry,
                    _('an alusage-usage directive is "place" "member" days.'),
                )
            elif target is None:
                yield problem_at(
                    ws,
                    ledger.entity,
                    entry,
                    _("days of use for an unknown place {place!r}.").format(place=place_id),
                    "warning",
                )
            elif str(values[1]) not in {m.id for m in target.members}:
                yield problem_at(
                    ws,
                    ledger.entity,
                    entry,
                    _("days of use for {member!r}, who is not a member of {place}.").format(
                        member=values[1], place=target.id
                    ),
                    "warning",
                )
