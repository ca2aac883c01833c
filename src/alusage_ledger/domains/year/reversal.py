"""Contre-passation: an entry's exact opposite, in an open month (:func:`reverse_entry`),
and the automatic reversal of the accruals booked at the year-end (:func:`accrual_reversals`).

A closed month is never edited: a wrong entry is reversed by a new one, dated in an open
month, with every posting's amount of the opposite sign, the same links (so that a
reversed bill and its reversal net to zero and are lettered together), and::

    2027-02-03 * "Cabinet Vauban" "Contre-passation : Honoraires CV-31" ^alusage-CV-31
      reverses: "id-0123456789abcdef"
      reason: "Facture en double"
      gen-id: "reverse/id-0123456789abcdef"

``reverses`` names the original (its ``gen-id`` when it has one, else its entry id,
``id-<16 hex digits>`` as ``aged`` shows it); ``gen-id`` is ``reverse/<entry id>``: an
entry is reversed at most once. ``reverse`` finds the original by its ``gen-id``, its
entry id, its document number or its link, and asks for the id when several entries
answer.

The year-end accruals — charges à payer (408, 4286, 4386, 4486, 4686), produits à
recevoir (418, 4287, 4387, 4487, 4687), charges et produits constatés d'avance (486,
487) — are booked on the exercice's last day as inventory entries; the one to reverse is
tagged ``#extourne`` (``year inventory --accrual``). Its reversal is dated the first day
of the next exercice, written by the first month close of that exercice (a month-end
step) or by ``year close``, whichever comes first, exactly once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from beancount.core import data
from beancount.core.amount import Amount

from alusage_ledger.books.entries import ledger_text, new_meta, stamp
from alusage_ledger.books.exercice import (
    INVENTORY_TAG,
    YEAR_CLOSE_GEN_PREFIX,
    closed_exercices,
    gen_id,
    is_closing,
    is_opening,
    is_transaction,
)
from alusage_ledger.books.monthend import month_step
from alusage_ledger.books.text import check_text
from alusage_ledger.books.writer import Append
from alusage_ledger.core.errors import RefusedError, UsageError
from alusage_ledger.core.i18n import N_, _
from alusage_ledger.core.periods import Exercice, Month
from alusage_ledger.domains.lettering import entry_id, ledger_settlement_letters

if TYPE_CHECKING:
    from alusage_ledger.books.config import Config
    from alusage_ledger.books.ledger import Workspace
    from alusage_ledger.books.loader import LoadedLedger

#: The tag of a year-end accrual to reverse on the next exercice's first day.
ACCRUAL_TAG = "extourne"
REVERSES_KEY = "reverses"
REVERSE_GEN_PREFIX = "reverse/"
#: Entry metadata a reversal keeps (who, which place or member); document numbers are not
#: kept (the reversal is not a new invoice, bill or receipt), the links are.
_KEPT_KEYS = ("supplier", "client", "person", "member", "place")


def _txns(ledger: LoadedLedger) -> list[Any]:
    return [e for e in ledger.entries if is_transaction(e)]


def find_entry(ledger: LoadedLedger, ref: str) -> Any:
    """The one transaction named by ``ref``: a ``gen-id``, an entry id, a document number
    (``invoice``, ``piece-ref``, ``credit-note``) or a link; else a clear error."""
    wanted = ref.strip().lstrip("^")
    txns = _txns(ledger)

    def by_gen_id(e: Any) -> bool:
        return gen_id(e) == wanted

    def by_id(e: Any) -> bool:
        return wanted.startswith("id-") and entry_id(e) == wanted

    def by_number(e: Any) -> bool:
        meta = e.meta or {}
        keys = ("invoice", "piece-ref", "credit-note")
        return REVERSES_KEY not in meta and any(str(meta.get(k)) == wanted for k in keys)

    def by_link(e: Any) -> bool:
        return wanted in (e.links or ()) and REVERSES_KEY not in (e.meta or {})

    for test in (by_gen_id, by_id, by_number, by_link):
        hits = [e for e in txns if test(e)]
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            raise UsageError(
                _("{ref!r} names {count} entries of {entity}; name one by its id: {ids}.").format(
                    ref=ref,
                    count=len(hits),
                    entity=ledger.entity,
                    ids=", ".join(f"{e.date} {entry_id(e)}" for e in hits),
                )
            )
    raise UsageError(
        _(
            "No entry of {entity} is named {ref!r} (a gen-id, a link, a document number or "
            "an id shown by 'aged')."
        ).format(entity=ledger.entity, ref=ref)
    )


def original_ref(entry: Any) -> str:
    """How a reversal names its original: its ``gen-id``, else its entry id (unique)."""
    return gen_id(entry) or entry_id(entry)


def reversal_of(
    config: Config,
    entry: Any,
    day: date,
    *,
    reason: str | None = None,
    gid: str | None = None,
) -> Any:
    """The exact opposite of ``entry`` on ``day`` (pure; see the module docstring)."""
    postings = [
        data.Posting(
            p.account,
            Amount(-p.units.number, p.units.currency),
            None,
            None,
            None,
            {k: v for k, v in (p.meta or {}).items() if k not in ("filename", "lineno")} or None,
        )
        for p in entry.postings
    ]
    meta = new_meta(**{k.replace("-", "_"): (entry.meta or {}).get(k) for k in _KEPT_KEYS})
    meta[REVERSES_KEY] = original_ref(entry)
    if reason:
        meta["reason"] = reason
    text = ledger_text(config, N_("Reversal: {narration}")).format(
        narration=entry.narration or original_ref(entry)
    )
    tags = frozenset(t for t in (entry.tags or ()) if t not in (INVENTORY_TAG, ACCRUAL_TAG))
    reversal = data.Transaction(
        meta, day, "*", entry.payee, text, tags, frozenset(entry.links or ()), postings
    )
    return stamp(reversal, gid or f"{REVERSE_GEN_PREFIX}{entry_id(entry)}")


def reversed_by(ledger: LoadedLedger, entry: Any) -> Any | None:
    """The reversal already written for ``entry``, if any."""
    ref = original_ref(entry)
    for other in _txns(ledger):
        if (other.meta or {}).get(REVERSES_KEY) == ref:
            return other
    return None


@dataclass
class Reversed:
    entity: str
    original: Any
    entry: Any
    letters: list[Any]
    files: list[str]
    text: str = ""


def reverse_entry(
    ws: Workspace,
    entity: str,
    ref: str,
    day: date,
    *,
    reason: str | None = None,
    dry_run: bool = False,
) -> Reversed:
    """``reverse``: write the opposite of the entry ``ref`` names on ``day`` (an open month;
    the writer refuses a closed one), with the letters it completes."""
    if reason is not None:
        reason = check_text(reason.strip(), _("reason")) or None
    ws.config.entity(entity)
    with ws.lock():
        ledger = ws.load_checked(entity)
        original = find_entry(ledger, ref)
        if is_opening(original) or is_closing(original):
            raise UsageError(
                _(
                    "The entry of {day} opens or closes an exercice; it is not reversed by hand "
                    "(reopen or correct the exercice instead)."
                ).format(day=original.date.isoformat())
            )
        if any(p.cost is not None or p.price is not None for p in original.postings):
            raise UsageError(
                _(
                    "The entry of {day} holds a cost or a price; reverse it by hand, with the "
                    "same cost or price."
                ).format(day=original.date.isoformat())
            )
        if day < original.date:
            raise UsageError(
                _("The reversal date {day} is before the entry's date {original}.").format(
                    day=day.isoformat(), original=original.date.isoformat()
                )
            )
        done = reversed_by(ledger, original)
        if done is not None:
            raise RefusedError(
                _("This entry is already reversed by the entry of {day} ({ref}).").format(
                    day=done.date.isoformat(), ref=gen_id(done) or entry_id(done)
                )
            )
        entry = reversal_of(ws.config, original, day, reason=reason)
        letters = ledger_settlement_letters(ws.config, ledger, [entry])
        planned = ws.write([Append(entity, (entry, *letters))], dry_run=dry_run)
    return Reversed(
        entity,
        original,
        entry,
        letters,
        [p.rel for p in planned],
        "\n".join(p.text for p in planned),
    )


# --------------------------------------------------------------------------- accruals


def is_accrual(entry: Any) -> bool:
    return is_transaction(entry) and ACCRUAL_TAG in (entry.tags or ())


def accrual_reversals(
    config: Config, ledger: LoadedLedger, exercice: Exercice, *, gid_prefix: str = ""
) -> list[Any]:
    """The reversals, dated the day after ``exercice``, of its accruals not reversed yet."""
    day = exercice.last_day.toordinal() + 1
    first = date.fromordinal(day)
    out = []
    for entry in _txns(ledger):
        if not is_accrual(entry) or not exercice.first_day <= entry.date <= exercice.last_day:
            continue
        if reversed_by(ledger, entry) is not None:
            continue
        gid = f"{gid_prefix}{REVERSE_GEN_PREFIX}{entry_id(entry)}"
        out.append(reversal_of(config, entry, first, gid=gid))
    return out


def year_close_reversals(config: Config, ledger: LoadedLedger, exercice: Exercice) -> list[Any]:
    """What ``year close`` writes with the à-nouveaux: the accruals' reversals that the
    first month close of the next exercice has not written (covered by the exercice lock)."""
    prefix = f"{YEAR_CLOSE_GEN_PREFIX}{exercice.last_day.year:04d}/"
    return accrual_reversals(config, ledger, exercice, gid_prefix=prefix)


@month_step("accruals")
def reverse_accruals_for_close(
    ws: Workspace,
    month: Month,
    *,
    dry_run: bool = False,
    entities: Sequence[str] | None = None,
) -> list[str]:
    """Month-end: on the first month of an exercice, reverse the previous exercice's
    accruals (``#extourne``) on its first day; one line per reversal written."""
    lines: list[str] = []
    for name, entity in ws.config.entities.items():
        if (entities is not None and name not in entities) or entity.kind == "micro":
            continue
        exercice = Exercice.containing(month.first_day, entity.exercice_start)
        if exercice.first_day != month.first_day:
            continue
        previous = Exercice.containing(
            date.fromordinal(month.first_day.toordinal() - 1), entity.exercice_start
        )
        with ws.lock():
            ledger = ws.load_checked(name)
            if previous.last_day.year in closed_exercices(ledger.entries):
                continue  # year close wrote them with the à-nouveaux
            reversals = accrual_reversals(ws.config, ledger, previous)
            if not reversals:
                continue
            ws.write([Append(name, tuple(reversals))], dry_run=dry_run, skip_present="gen-id")
        for entry in reversals:
            lines.append(
                _("{entity}: accrual reversed on {day} ({ref}).").format(
                    entity=name, day=entry.date.isoformat(), ref=entry.meta[REVERSES_KEY]
                )
            )
    return lines
