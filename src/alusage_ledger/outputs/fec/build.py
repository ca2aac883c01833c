"""From an entity's entries to the FEC's rows: which entries, in which journal, numbered
how, with which account number, third party, piece, lettering and validation date, or
precisely why they cannot be exported (:func:`build_fec`)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from beancount.core import convert, data

from alusage_ledger.core.errors import LedgerErrors, LedgerProblem, RefusedError, UsageError
from alusage_ledger.core.i18n import _
from alusage_ledger.core.money import CENT, ZERO
from alusage_ledger.core.periods import Month
from alusage_ledger.domains.lettering.letters import ITEM_LINK_KEY, LetterIndex
from alusage_ledger.outputs.fec.closes import (
    close_dates,
    exercice_closed_on,
    meta_date,
)
from alusage_ledger.outputs.fec.fields import clean_text
from alusage_ledger.outputs.fec.rows import FecExport, FecLine, JournalSummary
from alusage_ledger.outputs.fec.settings import FecSettings

#: Journal codes the tool assigns, with their labels (French: the FEC is French).
JOURNAL_LABELS: dict[str, str] = {
    "AN": "À-nouveaux",
    "BQ": "Banque",
    "VT": "Ventes",
    "AC": "Achats",
    "OD": "Opérations diverses",
    "CL": "Clôture",
}
OPENING_JOURNAL = "AN"
OPENING_TAG = "ouverture"
CLOSING_JOURNAL = "CL"
CLOSING_TAG = "cloture"
INVENTORY_TAG = "inventaire"
BANK_PREFIXES = ("512", "53")
SUPPLIER_PREFIX = "401"
AUX_PREFIXES = ("401", "411")
#: Metadata naming the third party of an entry (``member`` holds an id: weaker than payee).
THIRD_PARTY_KEYS = ("client", "supplier", "person")
MEMBER_KEY = "member"

_JOURNAL_CODE = re.compile(r"^[A-Za-z0-9]{1,10}$")
_PCG = re.compile(r"^\d{3}[A-Za-z0-9]*$")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


@dataclass(frozen=True)
class _Account:
    pcg: str | None
    label: str | None
    third_party: str | None
    file: str | None
    line: int | None


def _rel(filename: Any, root: Path) -> str | None:
    if not filename or str(filename).startswith("<"):
        return None
    try:
        return Path(str(filename)).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(filename)


def _sort_key(entry: Any, root: Path) -> tuple[date, str, int]:
    meta = entry.meta or {}
    return (entry.date, _rel(meta.get("filename"), root) or "", int(meta.get("lineno") or 0))


def _meta_str(meta: Mapping[str, Any] | None, key: str) -> str | None:
    if not meta or key not in meta or meta[key] is None:
        return None
    value = meta[key]
    return value if isinstance(value, str) else str(value)


def humanize_component(component: str) -> str:
    """``CoopDesTilleuls`` → ``Coop Des Tilleuls`` (last resort for a third party's name)."""
    return " ".join(part for part in _CAMEL.split(component) if part)


def _is_opening(entry: Any) -> bool:
    return (entry.meta or {}).get("journal") == OPENING_JOURNAL or OPENING_TAG in (entry.tags or ())


def _is_closing(entry: Any) -> bool:
    return (entry.meta or {}).get("journal") == CLOSING_JOURNAL or CLOSING_TAG in (entry.tags or ())


class _Builder:
    def __init__(self, entries: Sequence[Any], settings: FecSettings) -> None:

        self.settings = settings
        self.root = settings.root
        self.all_entries = entries
        # Nothing dated after the exercice changes its FEC (names, pieces, letters): a
        # closed exercice's file is the same whatever happens later.
        self.transactions = sorted(
            (e for e in entries if isinstance(e, data.Transaction) and e.date <= settings.end),
            key=lambda e: _sort_key(e, self.root),
        )
        self.accounts: dict[str, _Account] = {}
        for entry in entries:
            if isinstance(entry, data.Open):
                meta = entry.meta or {}
                pcg = _meta_str(meta, "pcg")
                self.accounts[entry.account] = _Account(
                    pcg.strip() if pcg else None,
                    _meta_str(meta, "label"),
                    _meta_str(meta, "third-party"),
                    _rel(meta.get("filename"), self.root),
                    meta.get("lineno"),
                )
        self.problems: list[LedgerProblem] = []
        self.missing_pcg: dict[str, _Account | None] = {}
        self._aux_cache: dict[str, tuple[str, str] | None] = {}
        self._aux_names: dict[str, str] = {}
        self._docs: dict[tuple[str, str], list[Any]] = defaultdict(list)

    # ---- problems

    def problem(self, entry: Any, message: str) -> None:
        meta = entry.meta or {}
        self.problems.append(
            LedgerProblem(
                self.settings.entity,
                _rel(meta.get("filename"), self.root),
                meta.get("lineno"),
                message,
            )
        )

    # ---- accounts

    def pcg(self, account: str) -> str:
        info = self.accounts.get(account)
        if info is None or not info.pcg:
            self.missing_pcg.setdefault(account, info)
            return ""
        return info.pcg

    def aux(self, account: str) -> tuple[str, str] | None:
        """``(component, name)`` when ``account`` is a third party's account."""
        if account in self._aux_cache:
            return self._aux_cache[account]
        info = self.accounts.get(account)
        component: str | None = None
        if info is not None and info.third_party:
            component = account.split(":")[-1]
        else:
            for parent in self.settings.third_party_parents:
                if account.startswith(parent + ":"):
                    component = account[len(parent) + 1 :].split(":")[0]
                    break
            else:
                pcg = info.pcg if info is not None else None
                if pcg and pcg.startswith(AUX_PREFIXES) and account.count(":") >= 2:
                    component = account.split(":")[-1]
        result = None
        if component is not None:
            name = (
                (info.third_party if info is not None else None)
                or self.settings.third_party_names.get(account)
                or self._aux_names.get(account)
            )
            result = (component, clean_text(name or humanize_component(component)))
        self._aux_cache[account] = result
        return result

    def _learn_aux_names(self) -> None:
        """A third party's name: from the first entry that names it (metadata, then payee)."""
        from_meta: dict[str, str] = {}
        from_payee: dict[str, str] = {}
        from_member: dict[str, str] = {}
        candidates = {
            p.account for e in self.transactions for p in e.postings if self._maybe_aux(p.account)
        }
        for entry in self.transactions:
            touched = {p.account for p in entry.postings if p.account in candidates}
            if len(touched) != 1:
                continue
            (account,) = touched
            meta = entry.meta or {}
            for key in THIRD_PARTY_KEYS:
                value = _meta_str(meta, key)
                if value and account not in from_meta:
                    from_meta[account] = value
            if entry.payee and account not in from_payee:
                from_payee[account] = entry.payee
            member = _meta_str(meta, MEMBER_KEY)
            if member and account not in from_member:
                from_member[account] = member
        self._aux_names = {**from_member, **from_payee, **from_meta}

    def _maybe_aux(self, account: str) -> bool:
        info = self.accounts.get(account)
        if info is not None and (info.third_party or (info.pcg or "").startswith(AUX_PREFIXES)):
            return True
        return any(account.startswith(p + ":") for p in self.settings.third_party_parents)

    def label(self, account: str) -> str:
        info = self.accounts.get(account)
        text = clean_text(info.label) if info is not None and info.label else ""
        return text or humanize_component(account.split(":")[-1])

    # ---- journals

    def journal(self, entry: Any) -> str:
        meta = entry.meta or {}
        code = _meta_str(meta, "journal")
        if code is not None:
            if not _JOURNAL_CODE.fullmatch(code):
                self.problem(
                    entry,
                    _(
                        "the journal code {code!r} must be 1 to 10 letters or digits "
                        "(journal metadata)."
                    ).format(code=code),
                )
            return code
        if OPENING_TAG in (entry.tags or ()):
            return OPENING_JOURNAL
        pcgs = [self.pcg(p.account) for p in entry.postings]
        if any(p.startswith(BANK_PREFIXES) for p in pcgs):
            return "BQ"
        if "invoice" in meta or "credit-note" in meta:
            return "VT"
        if any(p.startswith(SUPPLIER_PREFIX) for p in pcgs):
            return "AC"
        return "OD"

    # ---- pieces

    def _index_documents(self) -> None:
        for entry in self.transactions:
            meta = entry.meta or {}
            for key in ("piece-ref", "credit-note", "invoice"):
                value = _meta_str(meta, key)
                if value:
                    self._docs[(key, value)].append(entry)

    def _document_date(self, key: str, ref: str, entry: Any) -> date:
        """The date of the document ``ref``: its ``piece-date``, else its first entry's date.

        The document's first entry is the earliest one carrying the same reference and
        sharing a link with ``entry`` (a payment points to its bill through the link); for
        an invoice, the entry that names the client (the invoice itself) is preferred.
        """
        links = set(entry.links or ())
        same = [
            e
            for e in self._docs.get((key, ref), [])
            if not links or not e.links or links & set(e.links)
        ]
        if key == "invoice":
            named = [e for e in same if "client" in (e.meta or {})]
            same = named or same
        origin = same[0] if same else entry
        raw = (origin.meta or {}).get("piece-date")
        if raw is not None:
            parsed = meta_date(raw)
            if parsed is None:
                self.problem(
                    origin,
                    _("piece-date {value!r} is not a date YYYY-MM-DD.").format(value=str(raw)),
                )
            else:
                return parsed
        return origin.date  # type: ignore[no-any-return]

    def piece(self, entry: Any, number: str) -> tuple[str, date]:
        meta = entry.meta or {}
        for key in ("piece-ref", "credit-note", "invoice"):
            ref = _meta_str(meta, key)
            if ref:
                return clean_text(ref), self._document_date(key, ref, entry)
        own = meta_date(meta.get("piece-date")) or entry.date
        if entry.links:
            return clean_text(sorted(entry.links)[0]), own
        return number, own

    def carried_piece(self, posting: Any) -> tuple[str, date] | None:
        """The piece of an à-nouveaux line carrying one open item: its document's number
        and date (``item-link`` lines written by ``year close``), else None."""
        meta = posting.meta or {}
        if not meta.get(ITEM_LINK_KEY):
            return None
        for key in ("invoice", "piece-ref", "credit-note"):
            ref = _meta_str(meta, key)
            if ref:
                day = meta_date(meta.get("piece-date"))
                if day is not None:
                    return clean_text(ref), day
        return None

    # ---- amounts

    def amounts(self, entry: Any, posting: Any) -> tuple[Decimal, Decimal | None, str] | None:
        """``(signed amount in the book currency, foreign amount, currency)`` or None."""

        units = posting.units
        if units is None or not isinstance(units.number, Decimal):
            self.problem(
                entry, _("a posting on {account} has no amount.").format(account=posting.account)
            )
            return None
        currency = self.settings.currency
        if units.currency == currency and posting.cost is None and posting.price is None:
            number = units.number
            foreign: Decimal | None = None
            idevise = ""
        else:
            weight = convert.get_weight(posting)
            if weight.currency != currency or not isinstance(weight.number, Decimal):
                self.problem(
                    entry,
                    _(
                        "a posting on {account} in {currency} has no value in {book} "
                        "(give it a price or a cost in {book})."
                    ).format(account=posting.account, currency=units.currency, book=currency),
                )
                return None
            number = weight.number
            foreign, idevise = abs(units.number), units.currency
        if number != number.quantize(CENT):
            self.problem(
                entry,
                _(
                    "the amount {amount} on {account} has more than 2 decimals; the FEC "
                    "(and the books) need whole cents."
                ).format(amount=number, account=posting.account),
            )
            return None
        return number, foreign, idevise

    # ---- the whole file

    def months(self) -> tuple[list[Month], dict[Month, date]]:
        start = self.settings.start
        if self.settings.books_start and self.settings.books_start > start:
            start = self.settings.books_start
        end = self.settings.end
        months = list(Month.of(start).until(Month.of(end))) if start <= end else []
        closes = close_dates(self.all_entries)
        return [m for m in months if m not in closes], closes

    def build(self) -> FecExport:
        settings = self.settings
        open_months, closes = self.months()
        if open_months and not settings.allow_open:
            raise RefusedError(
                _(
                    "The exercice {year} of {entity} has months that are not closed: {months}. "
                    "Close them first ('alusage-ledger close MONTH'), or pass --allow-open "
                    "for a provisional FEC."
                ).format(
                    year=settings.end.year,
                    entity=settings.entity,
                    months=", ".join(map(str, open_months)),
                )
            )
        in_range = [
            e
            for e in self.transactions
            if settings.start <= e.date <= settings.end and not _is_closing(e)
        ]
        if not in_range:
            raise UsageError(
                _(
                    "{entity} has no entry in the exercice {year} ({start} to {end}); "
                    "there is nothing to export."
                ).format(
                    entity=settings.entity,
                    year=settings.end.year,
                    start=settings.start.isoformat(),
                    end=settings.end.isoformat(),
                )
            )
        # Inventory entries are booked after December is closed: validated by the exercice
        # close (the Year issue), not by their month's close.
        inventory_valid = exercice_closed_on(self.all_entries, settings.end.year)
        pending = [
            e for e in in_range if INVENTORY_TAG in (e.tags or ()) and inventory_valid is None
        ]
        if pending and not settings.allow_open:
            raise RefusedError(
                _(
                    "The exercice {year} of {entity} has {count} inventory entries (#inventaire) "
                    "but the exercice is not closed yet; close it first ('alusage-ledger year "
                    "close'), or pass --allow-open for a provisional FEC."
                ).format(year=settings.end.year, entity=settings.entity, count=len(pending))
            )
        ordered = [e for e in in_range if _is_opening(e)] + [
            e for e in in_range if not _is_opening(e)
        ]
        self._check_opening(ordered)
        self._learn_aux_names()
        self._index_documents()
        letters = LetterIndex(self.all_entries, until=settings.end)

        counters: dict[str, int] = defaultdict(int)
        numbers: dict[str, list[str]] = defaultdict(list)
        lines: list[FecLine] = []
        exported = 0
        for entry in ordered:
            code = self.journal(entry)
            month = Month.of(entry.date)
            if INVENTORY_TAG in (entry.tags or ()):
                valid = inventory_valid or settings.export_date
            else:
                valid = closes.get(month, settings.export_date)
            postings = []
            for index, posting in enumerate(entry.postings):
                amounts = self.amounts(entry, posting)
                if amounts is None or amounts[0] == 0:
                    continue
                postings.append((index, posting, amounts))
            if not postings:
                continue
            counters[code] += 1
            number = f"{code}{counters[code]:06d}"
            numbers[code].append(number)
            exported += 1
            piece_ref, piece_date = self.piece(entry, number)
            label = clean_text(
                " - ".join(t for t in (entry.payee, entry.narration) if t and t.strip())
            )
            for index, posting, (amount, foreign, idevise) in postings:
                account = posting.account
                aux = self.aux(account)
                compte = self.pcg(account)
                line_piece = self.carried_piece(posting) or (piece_ref, piece_date)
                letter = letters.get(entry, account, index)
                letter_code = clean_text(letter.code) if letter is not None else ""
                letter_date = letter.date if letter is not None else None
                lines.append(
                    FecLine(
                        journal_code=code,
                        journal_lib=JOURNAL_LABELS.get(code, code),
                        ecriture_num=number,
                        ecriture_date=entry.date,
                        compte_num=compte,
                        compte_lib=self.label(account),
                        comp_aux_num=f"{compte}{aux[0]}" if aux else "",
                        comp_aux_lib=aux[1] if aux else "",
                        piece_ref=line_piece[0],
                        piece_date=line_piece[1],
                        ecriture_lib=label or piece_ref,
                        debit=amount if amount > 0 else ZERO,
                        credit=-amount if amount < 0 else ZERO,
                        ecriture_let=letter_code,
                        date_let=letter_date if letter_code else None,
                        valid_date=valid,
                        montant_devise=foreign,
                        idevise=idevise,
                        account=account,
                    )
                )
        self._check_pcg_format(lines)
        self._raise_problems()
        journals = tuple(
            JournalSummary(code, JOURNAL_LABELS.get(code, code), len(nums), nums[0], nums[-1])
            for code, nums in sorted(
                numbers.items(), key=lambda item: (item[0] != OPENING_JOURNAL, item[0])
            )
        )
        return FecExport(
            settings,
            tuple(lines),
            journals,
            exported,
            tuple(open_months),
            closes,
            pending_inventory=len(pending),
        )

    def _check_opening(self, ordered: list[Any]) -> None:
        """Earlier books must be carried forward by an opening entry in the exercice."""
        if any(_is_opening(e) for e in ordered):
            return
        balances: dict[str, Decimal] = defaultdict(Decimal)
        for entry in self.transactions:
            if entry.date >= self.settings.start:
                break
            for posting in entry.postings:
                if posting.units is not None and isinstance(posting.units.number, Decimal):
                    balances[posting.account] += posting.units.number
        carried = []
        for account, total in sorted(balances.items()):
            info = self.accounts.get(account)
            pcg = info.pcg if info is not None else None
            # Balance-sheet classes 1-5 carry forward; 6 and 7 start again each year.
            if total != 0 and (pcg is None or pcg[:1] in "12345"):
                carried.append(account)
        if carried:
            raise LedgerErrors(
                _(
                    "The exercice {year} of {entity} has no opening entry (journal AN or tag "
                    "#ouverture) although earlier entries leave balances on {accounts}; "
                    "close the previous exercice first ('alusage-ledger year close')."
                ).format(
                    year=self.settings.end.year,
                    entity=self.settings.entity,
                    accounts=", ".join(carried[:5]) + (" ..." if len(carried) > 5 else ""),
                )
            )

    def _check_pcg_format(self, lines: list[FecLine]) -> None:
        seen: set[str] = set()
        for line in lines:
            if line.account in seen or not line.compte_num:
                continue
            seen.add(line.account)
            if not _PCG.fullmatch(line.compte_num):
                info = self.accounts[line.account]
                self.problems.append(
                    LedgerProblem(
                        self.settings.entity,
                        info.file,
                        info.line,
                        _(
                            "the PCG number {pcg!r} of {account} must start with 3 digits "
                            "and hold only letters and digits."
                        ).format(pcg=line.compte_num, account=line.account),
                    )
                )

    def _raise_problems(self) -> None:
        self.problems = list(dict.fromkeys(self.problems))  # a piece shared by several entries
        missing = sorted(self.missing_pcg)
        for account in missing:
            info = self.missing_pcg[account]
            self.problems.append(
                LedgerProblem(
                    self.settings.entity,
                    info.file if info else None,
                    info.line if info else None,
                    _("{account} has no PCG number (pcg metadata on its open).").format(
                        account=account
                    ),
                )
            )
        if missing:
            raise LedgerErrors(
                _(
                    "{count} account(s) of {entity} have no PCG number, so the FEC has no "
                    'CompteNum for them: {accounts}. Add pcg: "NNN" to each open directive.'
                ).format(
                    count=len(missing), entity=self.settings.entity, accounts=", ".join(missing)
                ),
                self.problems,
            )
        if self.problems:
            raise LedgerErrors(
                _("The ledger of {entity} cannot be exported as a FEC: {count} problem(s).").format(
                    entity=self.settings.entity, count=len(self.problems)
                ),
                self.problems,
            )


def build_fec(entries: Sequence[Any], settings: FecSettings) -> FecExport:
    """The FEC lines of one entity and exercice, or an error saying what stops them.

    Raises :class:`RefusedError` when months of the exercice are not closed (unless
    ``settings.allow_open``), :class:`LedgerErrors` listing every account without a PCG
    number and every other ledger problem, :class:`UsageError` when the exercice is empty.
    """
    return _Builder(entries, settings).build()
