"""The accounting meaning of a change between two revisions of the ledgers.

Why this module exists: a text diff shows lines; a reviewer needs transactions, balances
and risks. This module is the pure part of ``review``: it takes the plain data that
:mod:`alusage_ledger.integrations.review.worker` returns for each side (BASE and HEAD),
read into :mod:`.sides`, and computes (:func:`compare`), per entity,

* the entries unchanged (same canonical hash, :func:`alusage_ledger.books.canonical.entry_hash`),
  added, removed and modified (:mod:`.pairing`), a modified entry being a removed and an
  added one paired by ``gen-id``, then invoice number, then link, then date and narration
  (or date and postings); other directives are paired likewise (an ``open`` by its
  account, a ``balance`` by account and date, a ``custom`` by type, date and first value);
* the change of every account's balance, the accounts opened and closed;
* the findings: **errors** (an entry of a closed month added, removed or changed; a close
  file changed or removed without a reopen; a balance assertion removed or changed; a
  plugin, include or option added; a generated entry whose ``gen-hash`` no longer
  matches; HEAD failing ``check``) and **warnings** (a new account, an amount above
  ``[review] amount_warning``). Changed lines of ``alusage.toml`` are *info* findings.

For example, a branch that books one invoice::

    2026-11-06 * "Coop des Tilleuls" "Facture F2026-0051" ^F2026-0051
      invoice: "F2026-0051"
      Actif:Clients:CoopDesTilleuls   1200.00 EUR
      Produits:Prestations:Formation -1200.00 EUR

reviews as one added transaction, ``Actif:Clients:CoopDesTilleuls`` +1200.00 and
``Produits:Prestations:Formation`` -1200.00, and no finding.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from alusage_ledger.core.fmt import money
from alusage_ledger.core.i18n import _
from alusage_ledger.integrations.review.pairing import match_entries, modified_entry
from alusage_ledger.integrations.review.results import (
    BalanceChange,
    ConfigLine,
    EntityReview,
    Finding,
    Modified,
    Review,
)
from alusage_ledger.integrations.review.sides import EntitySide, Entry, Posting, Side

__all__ = ["compare"]

SEVERITIES = ("error", "warning", "info")

#: Files written by ``close``: ``<YYYY>/<MM>.close.beancount``.
CLOSE_FILE = re.compile(r"(?:^|/)(\d{4})/(0[1-9]|1[0-2])\.close\.beancount$")
#: Includes the tool itself adds: month files and close files, next to main.beancount.
TOOL_INCLUDE = re.compile(
    r"^\d{4}/((0[1-9]|1[0-2])(\.close)?|exercice\.close|exercice\.open)\.beancount$"
)
#: Options ``init`` writes into a new ledger (accepted for an entity new in HEAD).
INIT_OPTIONS = frozenset(
    {
        "name_assets",
        "name_liabilities",
        "name_equity",
        "name_income",
        "name_expenses",
        "title",
        "operating_currency",
        "account_previous_balances",
        "account_previous_earnings",
        "account_current_earnings",
        "account_previous_conversions",
        "account_current_conversions",
        "account_unrealized_gains",
    }
)
ROOT_OPTIONS = ("name_assets", "name_liabilities", "name_equity", "name_income", "name_expenses")


def _exercice_end_entry(entry: Entry) -> bool:
    """Sanctioned in a closed month (docs/year.md): what ``year close`` writes (``gen-id``
    ``year-close/...``), and inventory or closing entries (``#inventaire``, ``#cloture``)
    dated the last day of a month (the exercice's, which only ``check`` knows; the month and
    exercice locks verify them)."""
    if str(entry.meta.get("gen-id", "")).startswith("year-close/"):
        return True
    if entry.kind != "transaction" or not {"inventaire", "cloture"} & set(entry.tags):
        return False
    try:
        day = date.fromisoformat(entry.date)
    except ValueError:
        return False
    return (day + timedelta(days=1)).day == 1


# --------------------------------------------------------------------------- findings


def _short(entry: Entry, limit: int = 120) -> str:
    text = entry.summary()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _money(value: Decimal, currency: str) -> str:
    try:
        return money(value, currency)
    except Exception:  # an unusual commodity Babel does not know
        return f"{value:f} {currency}"


def _close_months(sides: Iterable[EntitySide | None]) -> dict[str, str]:
    """Close file → the month it locks (from its directive, else from its name)."""
    out: dict[str, str] = {}
    for side in sides:
        if side is None:
            continue
        for rel in side.files:
            match = CLOSE_FILE.search(rel)
            if match:
                out.setdefault(rel, f"{match.group(1)}-{match.group(2)}")
        for mark in side.marks:
            if mark.kind == "close":
                out[mark.file] = mark.month
    return out


class _EntityFindings:
    """The findings of one entity (see the module docstring)."""

    def __init__(
        self,
        entity: str,
        base: EntitySide | None,
        head: EntitySide | None,
        threshold: Decimal,
    ) -> None:
        self.entity = entity
        self.base = base
        self.head = head
        self.threshold = threshold
        self.out: list[Finding] = []
        base_marks = base.marks if base else []
        head_marks = head.marks if head else []
        closed = {m.month for m in base_marks if m.kind == "close"}
        old_reopens = {(m.month, m.date) for m in base_marks if m.kind == "reopen"}
        self.reopened = {
            m.month
            for m in head_marks
            if m.kind == "reopen" and (m.month, m.date) not in old_reopens
        }
        self.locked = closed - self.reopened
        self.close_files = _close_months([base, head])
        # A reopened month's close file may go (reopen) and come back (close again).
        self.sanctioned = {f for f, month in self.close_files.items() if month in self.reopened}

    def add(
        self, severity: str, entry: Entry | None, message: str, file: str | None = None
    ) -> None:
        if entry is not None:
            self.out.append(Finding(severity, self.entity, entry.file, entry.line, message))
        else:
            self.out.append(Finding(severity, self.entity, file, None, message))

    def entries(self, review: EntityReview) -> None:
        for entry in review.added:
            self._closed_month(
                entry, _("an entry dated in the closed month {month} was added: {entry}")
            )
            self._generated(entry)
            self._amount(entry, None)
            if entry.kind == "open":
                self.add(
                    "warning", entry, _("new account {account}.").format(account=entry.account)
                )
        for entry in review.removed:
            self._closed_month(
                entry, _("an entry of the closed month {month} was removed: {entry}")
            )
            if entry.kind == "balance" and entry.file not in self.sanctioned:
                self.add(
                    "error",
                    entry,
                    _("a balance assertion was removed: {entry}").format(entry=_short(entry)),
                )
        for change in review.modified:
            old, new = change.old, change.new
            if old.month in self.locked and old.file not in self.sanctioned:
                self.add(
                    "error",
                    new,
                    _("an entry of the closed month {month} was changed: {entry}").format(
                        month=old.month, entry=_short(old)
                    ),
                )
            elif new.month in self.locked and new.file not in self.sanctioned:
                self.add(
                    "error",
                    new,
                    _("an entry was moved into the closed month {month}: {entry}").format(
                        month=new.month, entry=_short(new)
                    ),
                )
            if new.kind == "balance" and not {old.file, new.file} <= self.sanctioned:
                self.add(
                    "error",
                    new,
                    _("a balance assertion was changed: {old} became {new}").format(
                        old=_short(old), new=_short(new)
                    ),
                )
            self._generated(new)
            self._amount(new, change)

    def _closed_month(self, entry: Entry, message: str) -> None:
        if _exercice_end_entry(entry):
            return
        if entry.month in self.locked and entry.file not in self.sanctioned:
            self.add("error", entry, message.format(month=entry.month, entry=_short(entry)))

    def _generated(self, entry: Entry) -> None:
        if entry.gen_ok is False:
            self.add(
                "error",
                entry,
                _(
                    "the generated entry {gen_id} no longer matches its gen-hash: it was edited "
                    "by hand; book a correction as a new entry instead."
                ).format(gen_id=entry.meta.get("gen-id", entry.summary())),
            )

    def _amount(self, entry: Entry, change: Modified | None) -> None:
        if entry.kind != "transaction":
            return
        changed = (
            None
            if change is None
            else {(p.account, p.currency) for p in change.postings if p.changed}
        )
        biggest: Posting | None = None
        for posting in entry.postings:
            if posting.number is None or abs(posting.number) <= self.threshold:
                continue
            if changed is not None and (posting.account, posting.currency or "") not in changed:
                continue
            if biggest is None or abs(posting.number) > abs(biggest.number or Decimal(0)):
                biggest = posting
        if biggest is not None and biggest.number is not None:
            currency = biggest.currency or ""
            self.add(
                "warning",
                entry,
                _("{account}: {amount} is above the review threshold of {threshold}.").format(
                    account=biggest.account,
                    amount=_money(biggest.number, currency),
                    threshold=_money(self.threshold, currency),
                ),
            )

    def close_files_kept(self) -> None:
        if self.base is None:
            return
        head_files = self.head.files if self.head else {}
        for rel, digest in sorted(self.base.files.items()):
            month = self.close_files.get(rel)
            if month is None or month in self.reopened:
                continue
            if rel not in head_files:
                self.add(
                    "error",
                    None,
                    _(
                        "the close file of {month} was removed without a reopen; only "
                        "'alusage-ledger reopen {month} --reason ...' may remove it."
                    ).format(month=month),
                    rel,
                )
            elif head_files[rel] != digest:
                self.add(
                    "error",
                    None,
                    _(
                        "the close file of {month} was changed by hand; only 'close' writes it."
                    ).format(month=month),
                    rel,
                )

    def directives(self) -> None:
        """Plugins, includes and options that HEAD has and BASE had not."""
        if self.head is None:
            return
        old = self.base.directives if self.base else []
        left: dict[tuple[str, tuple[str, ...]], int] = defaultdict(int)
        for item in old:
            left[(item.kind, item.args)] += 1
        old_options = {item.args for item in old if item.kind == "option"}
        old_includes = {item.args for item in old if item.kind == "include"}
        roots = dict(zip(ROOT_OPTIONS, self.head.roots))
        for item in self.head.directives:
            key = (item.kind, item.args)
            if left[key] > 0:
                left[key] -= 1
                continue
            name = item.args[0] if item.args else ""
            if item.kind == "plugin":
                message = _("plugin {name!r} was added; a plugin is code run on every load.")
            elif item.kind == "include":
                if (
                    TOOL_INCLUDE.fullmatch(name)
                    or item.args in old_includes
                    or (self.base is None and name == "accounts.beancount")
                ):
                    continue
                message = _(
                    "include {name!r} was added; the tool only includes month and close files."
                )
            else:
                value = item.args[1] if len(item.args) > 1 else ""
                if (
                    item.args in old_options
                    or roots.get(name) == value
                    or (self.base is None and name in INIT_OPTIONS)
                ):
                    continue
                message = _("option {name!r} was added; options change how the ledger is read.")
            self.out.append(
                Finding("error", self.entity, item.file, item.line, message.format(name=name))
            )


def _balance_changes(base: EntitySide | None, head: EntitySide | None) -> list[BalanceChange]:
    if (base is not None and not base.booked) or (head is not None and not head.booked):
        return []
    old = base.balances if base else {}
    new = head.balances if head else {}
    out = []
    for key in sorted(set(old) | set(new)):
        before, after = old.get(key, Decimal(0)), new.get(key, Decimal(0))
        if before != after:
            out.append(BalanceChange(key[0], key[1], before, after))
    return out


def config_changes(base: str | None, head: str | None) -> list[ConfigLine]:
    """The lines of ``alusage.toml`` removed (BASE line numbers) and added (HEAD's)."""
    old = (base or "").splitlines()
    new = (head or "").splitlines()
    out: list[ConfigLine] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("replace", "delete"):
            out += [ConfigLine("-", i + 1, old[i]) for i in range(i1, i2)]
        if tag in ("replace", "insert"):
            out += [ConfigLine("+", j + 1, new[j]) for j in range(j1, j2)]
    return out


def _allowed_plugins(text: str | None) -> set[str]:
    try:
        data = tomllib.loads(text or "")
    except tomllib.TOMLDecodeError:
        return set()
    workspace = data.get("workspace")
    plugins = workspace.get("allowed_plugins") if isinstance(workspace, dict) else None
    return {str(p) for p in plugins} if isinstance(plugins, list) else set()


def _config_line(text: str | None, needle: str) -> int | None:
    for number, line in enumerate((text or "").splitlines(), start=1):
        if needle in line:
            return number
    return None


def compare(base: Side, head: Side, *, amount_warning: Decimal = Decimal("5000.00")) -> Review:
    """The review of HEAD against BASE (pure; see the module docstring)."""
    review = Review(base.label, head.label)
    findings = review.findings
    for side in (base, head):
        if side.failure is not None:
            findings.append(
                Finding(
                    "error",
                    None,
                    None,
                    None,
                    _("{side} could not be loaded: {reason}").format(
                        side=side.label, reason=side.failure
                    ),
                )
            )
        for rel in side.skipped:
            findings.append(
                Finding(
                    "warning",
                    None,
                    rel,
                    None,
                    _("{side}: this file is a symbolic link; review does not follow links.").format(
                        side=side.label
                    ),
                )
            )
    if head.config_error is not None:
        findings.append(
            Finding(
                "error",
                None,
                "alusage.toml",
                None,
                _("{side}: {message}").format(side=head.label, message=head.config_error),
            )
        )
    if base.config_error is not None:
        findings.append(
            Finding(
                "warning",
                None,
                "alusage.toml",
                None,
                _("{side}: {message} The entries were not compared.").format(
                    side=base.label, message=base.config_error
                ),
            )
        )

    review.config_lines = config_changes(base.config_text, head.config_text)
    for line in review.config_lines:
        if not line.text.strip():
            continue  # blank lines carry no meaning
        template = _("line added: {text}") if line.sign == "+" else _("line removed: {text}")
        findings.append(
            Finding(
                "info", None, "alusage.toml", line.line, template.format(text=line.text.strip())
            )
        )
    for name in sorted(_allowed_plugins(head.config_text) - _allowed_plugins(base.config_text)):
        findings.append(
            Finding(
                "error",
                None,
                "alusage.toml",
                _config_line(head.config_text, name),
                _(
                    "{name!r} was added to the plugin allow-list; a plugin is code run on "
                    "every load (this review still refused it)."
                ).format(name=name),
            )
        )

    if head.usable and head.check_ran:
        findings.extend(
            Finding("error", p.entity, p.file, p.line, p.message)
            for p in head.check
            if p.severity == "error"
        )

    if base.usable and head.usable:
        names = list(head.entities) + [n for n in base.entities if n not in head.entities]
        for name in names:
            old, new = base.entities.get(name), head.entities.get(name)
            review.entities.append(_entity_review(name, old, new, amount_warning, findings))
            if old is not None and any(p.severity == "error" for p in old.problems):
                findings.append(
                    Finding(
                        "warning",
                        name,
                        None,
                        None,
                        _(
                            "the ledger of {entity} at {side} has errors; its comparison may "
                            "be incomplete."
                        ).format(entity=name, side=base.label),
                    )
                )

    rank = {severity: index for index, severity in enumerate(SEVERITIES)}
    findings.sort(
        key=lambda f: (
            rank.get(f.severity, 9),
            f.entity or "",
            f.file or "",
            f.line or 0,
            f.message,
        )
    )
    return review


def _entity_review(
    name: str,
    old: EntitySide | None,
    new: EntitySide | None,
    threshold: Decimal,
    findings: list[Finding],
) -> EntityReview:
    added, removed, pairs = match_entries(old.entries if old else [], new.entries if new else [])

    def order(entry: Entry) -> tuple[str, str, int]:
        return (entry.date, entry.file, entry.line or 0)

    review = EntityReview(
        name,
        added=sorted(added, key=order),
        removed=sorted(removed, key=order),
        modified=sorted((modified_entry(a, b) for a, b in pairs), key=lambda m: order(m.new)),
        balances=_balance_changes(old, new),
    )
    rules = _EntityFindings(name, old, new, threshold)
    rules.entries(review)
    rules.close_files_kept()
    rules.directives()
    findings.extend(rules.out)
    return review
