"""``alusage.toml`` of a new workspace: every section present, every value explained.

The file is written in the user's language (its comments; keys and values are the
tool's), from a :class:`~alusage_ledger.books.workspace_spec.WorkspaceSpec`, and says
everything the tool will use: the VAT regime, the series, each activity with its account,
PCG number and VAT rate (no activity is implied by the kind of an entity), the places
with their members and charge groups, the redistribution policies. The same spec always
gives the same bytes, whether it came from the questionnaire or from the flags.

:func:`planned_accounts` lists the accounts the file names, per entity, so that ``init``
opens them (with their PCG number and label) in the ledgers it creates.
"""

from __future__ import annotations

from alusage_ledger.books.workspace_spec import (
    ActivitySpec,
    EntitySpec,
    PlaceSpec,
    PolicySpec,
    WorkspaceSpec,
)
from alusage_ledger.core.chart import ChartAccount, account_component
from alusage_ledger.core.i18n import _
from alusage_ledger.core.pcg import official

_BASES = {"services": ("706", "Produits:Prestations"), "goods": ("707", "Produits:Ventes")}


def _q(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def activity_account(entity: EntitySpec, activity: ActivitySpec) -> ChartAccount:
    """The income account of an activity: ``706``/``707`` extended by its rank."""
    base, parent = _BASES[activity.nature]
    same = [a for a in entity.activities if a.nature == activity.nature]
    rank = same.index(activity) + 1
    label = official(base)
    return ChartAccount(
        f"{parent}:{account_component(activity.id)}",
        f"{base}{rank}" if rank < 10 else f"{base}{rank:02d}",
        label.label if label else "",
    )


def charge_accounts(place: PlaceSpec, numbers: tuple[str, ...]) -> list[ChartAccount]:
    """The host's charge accounts of a group: ``Charges:<Place>:<chart's last name>``."""
    accounts = []
    for number in numbers:
        chart = official(number)
        assert chart is not None  # checked by parse_pcgs
        last = chart.name.rsplit(":", 1)[1]
        accounts.append(
            ChartAccount(f"Charges:{account_component(place.id)}:{last}", chart.pcg, chart.label)
        )
    return accounts


def place_accounts(spec: WorkspaceSpec, place: PlaceSpec) -> dict[str, str]:
    component = account_component(place.id)
    host = next(e for e in spec.entities if e.id == place.host)
    return {
        "receivable": f"Actif:Usagers:{component}",
        "income": f"Produits:{component}:Refacturation",
        "mirror_expense": f"Charges:Locations:{component}",
        "mirror_payable": f"Passif:Fournisseurs:{account_component(host.id)}",
    }


def planned_accounts(spec: WorkspaceSpec) -> dict[str, list[ChartAccount]]:
    """The accounts the configuration names, by the entity whose ledger opens them."""
    planned: dict[str, list[ChartAccount]] = {e.id: [] for e in spec.entities}
    for entity in spec.entities:
        for activity in entity.activities:
            planned[entity.id].append(activity_account(entity, activity))
    for place in spec.places:
        names = place_accounts(spec, place)
        planned[place.host].append(
            ChartAccount(names["income"], "708", "Produits des activités annexes")
        )
        for group in place.charges:
            planned[place.host].extend(charge_accounts(place, group.pcgs))
        for member in place.members:
            if member.entity is not None and member.entity != place.host:
                planned[member.entity] += [
                    ChartAccount(names["mirror_expense"], "6132", "Locations immobilières"),
                    ChartAccount(names["mirror_payable"], "401", "Fournisseurs"),
                ]
    return planned


def _header() -> list[str]:
    return [
        _("# alusage-ledger workspace, written by 'alusage-ledger init'."),
        _("# Every section is described in docs/configuration.md. Change a value before the"),
        _("# first entry that uses it: afterwards, changes are new dated items."),
        "",
        "[workspace]",
        _('# Locale of amounts and dates for people ("fr_FR": 1 234,56 €).'),
        'locale = "fr_FR"',
        'currency = "EUR"',
        _("# Beancount plugins a ledger may name besides Beancount's own checking plugins."),
        _("# A plugin is Python code: list only what you trust."),
        "allowed_plugins = []",
        "",
    ]


def _entity(entity: EntitySpec, books_start: str) -> list[str]:
    lines = [
        f"[entities.{entity.id}]",
        f"name = {_q(entity.name)}",
        f'kind = "{entity.kind}"' + "  " + _("# sas | scic | micro"),
        f'ledger = "ledgers/{entity.id}/main.beancount"',
    ]
    if entity.siren:
        lines.append(f'siren = "{entity.siren}"' + "  " + _("# checked with its Luhn key"))
    else:
        lines.append(
            _('# siren = "..."  (9 digits; the FEC\'s file name and the invoices need it)')
        )
    lines += [
        'exercice_start = "01-01"' + "  " + _("# first day of the fiscal year, MM-DD"),
        f'books_start = "{books_start}"' + "  " + _("# first month kept in these books"),
        "",
        _("# VAT regime, dated: add an item with a later 'since' when it changes."),
        f"[[entities.{entity.id}.vat]]",
        f"since = {books_start}-01",
        f'regime = "{entity.vat_regime}"'
        + "  "
        + _("# franchise | rsi | reel-mensuel | reel-trimestriel"),
    ]
    if entity.vat_regime != "franchise":
        lines += [
            f'exigibility = "{entity.exigibility}"'
            + "  "
            + _('# VAT on services due on receipt, or "debits" (on invoicing)'),
            "settlement_day = 20" + "  " + _("# the VAT return is settled on this day of M+1"),
        ]
    else:
        lines.append(
            _("# Under the franchise (CGI art. 293 B): invoices carry the mention, no VAT.")
        )
    lines += [
        "",
        _("# Numbering of invoices and credit notes: continuous, restarting each year."),
        f"[entities.{entity.id}.series]",
        f"invoice = {_q(entity.invoice_series)}",
        f"credit_note = {_q(entity.credit_series)}",
        "payment_days = 30" + "  " + _("# due date when an invoice gives none"),
        "",
    ]
    for activity in entity.activities:
        account = activity_account(entity, activity)
        lines += [
            _("# Activity {id}: its income account and PCG number.").format(id=activity.id),
            f"[entities.{entity.id}.activities.{activity.id}]",
            f'account = "{account.name}"',
            f'pcg = "{account.pcg}"',
        ]
        if activity.urssaf is not None:
            lines.append(
                f'urssaf = "{activity.urssaf}"' + "  " + _("# bnc | bic-services | bic-sales")
            )
        else:
            lines += [
                f'rate = "{activity.rate}"' + "  " + _("# VAT: 20 | 10 | 5.5 | 2.1 | exempt"),
                f'kind = "{activity.nature}"'
                + "  "
                + _("# services (VAT on receipt) | goods (on delivery)"),
            ]
            if activity.exemption:
                lines.append(f"exemption = {_q(activity.exemption)}")
        lines.append("")
    return lines


def _place(spec: WorkspaceSpec, place: PlaceSpec) -> list[str]:
    host = next(e for e in spec.entities if e.id == place.host)
    names = place_accounts(spec, place)
    vat = "none" if host.vat_regime == "franchise" else "20"
    lines = [
        _("# Place {id}: its host pays the rent and charges and calls each member's share").format(
            id=place.id
        ),
        _("# at the end of every month (alusage-ledger shares {id} --post).").format(id=place.id),
        f"[places.{place.id}]",
        f"name = {_q(place.name)}",
        f'host = "{place.host}"',
        f'receivable = "{names["receivable"]}"',
        f'income = "{names["income"]}"',
        f'vat = "{vat}"' + "  " + _('# "none" under the franchise, else the rate of the calls'),
        'series = "L{year}-{seq:04}"' + "  " + _("# numbers of the calls"),
        f'mirror_expense = "{names["mirror_expense"]}"',
        f'mirror_payable = "{names["mirror_payable"]}"',
        "",
    ]
    for group in place.charges:
        accounts = ", ".join(_q(a.name) for a in charge_accounts(place, group.pcgs))
        lines += [
            f"[[places.{place.id}.charges]]",
            f'name = "{group.name}"',
            f"accounts = [{accounts}]",
            f'key = "{group.key}"' + "  " + _("# equal | surface | desks | days, or a mix"),
            "",
        ]
    for member in place.members:
        lines += [
            f"[[places.{place.id}.members]]",
            f'id = "{member.id}"',
            f"name = {_q(member.name)}",
        ]
        if member.entity:
            lines.append(
                f'entity = "{member.entity}"' + "  " + _("# an entity: its mirror entries too")
            )
        lines += [
            f"since = {spec.books_start}-01",
            f'surface_m2 = "{member.surface}"',
            f"desks = {member.desks}",
            "",
        ]
    return lines


def _policy(policy: PolicySpec, books_start: str) -> list[str]:
    value = (
        f'amount = "{policy.value}"'
        if policy.base == "fixed"
        else f'rate = "{policy.value}"' + "  " + _("# 0.05 is 5 %")
    )
    return [
        "[[redistribution]]",
        f'id = "{policy.id}"',
        f'from = "{policy.giver}"',
        f'to = "{policy.receiver}"',
        f'kind = "{policy.kind}"' + "  " + _("# don | retribution"),
        f'base = "{policy.base}"' + "  " + _("# revenue | margin | project | fixed | surplus"),
        value,
        f"since = {books_start}-01",
        "",
    ]


def config_document(spec: WorkspaceSpec) -> str:
    """The whole ``alusage.toml`` of ``spec``."""
    lines = _header()
    lines += [_("# The entities, one ledger each."), ""]
    for entity in spec.entities:
        lines += _entity(entity, spec.books_start)
    lines.append(_("# Shared places (docs/shares.md)."))
    if not spec.places:
        lines += [_("# None yet: see docs/configuration.md, section [places]."), "[places]", ""]
    for place in spec.places:
        lines += _place(spec, place)
    lines.append(_("# Redistribution to the commons (docs/redistribution.md), in this order."))
    if not spec.policies:
        lines += [_("# None yet: add [[redistribution]] items (docs/configuration.md)."), ""]
    for policy in spec.policies:
        lines += _policy(policy, spec.books_start)
    lines += [
        _("# Recurring bills (docs/purchases-and-lettering.md): add [[recurring]] items."),
        "",
        _("# Bank import (docs/bank-import.md): rules that book recurring lines."),
        "[bank]",
        "",
        _("# Git review (docs/review.md): a posting above this amount is flagged."),
        "[review]",
        'amount_warning = "5000.00"',
        "timeout_seconds = 300",
        "",
        _("# The year's bookends (docs/year.md): the law's allocation rules by default."),
        "[year]",
        "",
    ]
    return "\n".join(lines)
