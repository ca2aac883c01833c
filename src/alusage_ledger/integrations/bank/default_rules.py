"""The rules shipped with each bank profile: bank fees, card commissions, URSSAF.

Every statement carries a few lines that are the same every month at every bank: the
account's fees, the commissions on card receipts, the URSSAF direct debit. Left to the
suspense account, they are the first chore of every import; these rules book them. They
are tried **after** the workspace's own rules (``[bank] rules``, ``--rules``), so a rule
of the workspace always wins, and ``import bank --no-default-rules`` leaves them out.

Each rule names a PCG number: the line goes to the ledger's open account with that
number (its first, by name), or to the account the rule names, opened on first use:

==================  =====================================  ======  ==========================
what                label starts with (accents, case free)  PCG     account when none is open
==================  =====================================  ======  ==========================
URSSAF              ``PRLV SEPA URSSAF``, ``URSSAF``         431     Passif:Organismes:Urssaf
card commissions    ``COMMISSION CB``, ``COM CARTE``,        627     Charges:Banque:Frais
                    ``FRAIS TPE``
bank fees           ``FRAIS``, ``COMMISSION``, ``COTIS``,    627     Charges:Banque:Frais
                    ``AGIOS``, ``INTERETS DEBITEURS``
==================  =====================================  ======  ==========================

All are money out only, and the fee rules only up to 500.00 (a larger "FRAIS" line is
worth a look). The URSSAF line is booked as the payment of what 431 owes (an SAS's or a
SCIC's social charges, recorded with the payroll); a micro-entrepreneur's personal
contributions are not a charge of the business: such a workspace overrides the rule with
its own (PCG 108, *compte de l'exploitant*, or wherever its accountant books them). The
French chart places bank services and card commissions in 627, *Services bancaires et
assimilés* (PCG art. 946-62/63), social contributions due in 431, *Sécurité sociale*.
Each profile adds the wording its bank uses (Crédit Mutuel writes ``F COTIS``...).
"""

from __future__ import annotations

from alusage_ledger.books.accounts import Opener, account_info
from alusage_ledger.books.loader import LoadedLedger
from alusage_ledger.core.chart import BY_KIND
from alusage_ledger.integrations.bank.rules import Rule, RuleSet, parse_rules

_COMMON = """
[[rule]]
pattern = "^((prlv|prelevement)( sepa)? )?urssaf\\\\b"
sign = "debit"
account = "Passif:Organismes:Urssaf"
pcg = "431"
payee = "URSSAF"
narration = "Cotisations URSSAF"
tags = ["urssaf"]

[[rule]]
pattern = "^(com(m(ission)?s?)?\\\\.?|frais) +(sur +)?(cb|carte|tpe|encaissements? (cb|carte))\\\\b"
sign = "debit"
max = "500.00"
account = "Charges:Banque:Frais"
pcg = "627"
narration = "Commissions sur encaissements par carte"
tags = ["banque"]

[[rule]]
pattern = "^(frais|commissions?|cotis(ation)?s?|agios|interets debiteurs|tenue de compte)\\\\b"
sign = "debit"
max = "500.00"
account = "Charges:Banque:Frais"
pcg = "627"
narration = "Frais bancaires"
tags = ["banque"]
"""

#: What each bank adds to the common rules (its own wording of fees).
_BY_PROFILE = {
    "credit-mutuel": """
[[rule]]
pattern = "^f +(cotis|frais|commission)"
sign = "debit"
max = "500.00"
account = "Charges:Banque:Frais"
pcg = "627"
narration = "Frais bancaires"
tags = ["banque"]
""",
    "bpce": """
[[rule]]
pattern = "^(cotis(ation)?|abonnement) +(cyberplus|pack|offre|formule)\\\\b"
sign = "debit"
max = "500.00"
account = "Charges:Banque:Frais"
pcg = "627"
narration = "Frais bancaires"
tags = ["banque"]
""",
    "banque-postale": """
[[rule]]
pattern = "^(cotisation|abonnement) +(formule|offre|pack)\\\\b"
sign = "debit"
max = "500.00"
account = "Charges:Banque:Frais"
pcg = "627"
narration = "Frais bancaires"
tags = ["banque"]
""",
}


def default_rules(profile: str) -> RuleSet:
    """The rules shipped with ``profile`` (a built-in profile or ``generic``)."""
    text = _COMMON + _BY_PROFILE.get(profile, "")
    return parse_rules(text, f"default rules of {profile}")


def shipped_account(rule: Rule, ledger: LoadedLedger, opener: Opener) -> str | None:
    """Where a shipped rule books: the rule's account if open, else the first open account
    numbered like the rule, else the rule's account opened in the batch; None when the
    ledger's roots are not the rule's (another chart: the line stays for review)."""
    opened = ledger.open_accounts()
    if rule.account in opened:
        return rule.account
    info = account_info(ledger.entries)
    numbered = sorted(a for a in opened if info.get(a, ("", ""))[0] == rule.pcg)
    if numbered:
        return numbered[0]
    if rule.account.split(":")[0] not in ledger.roots() or rule.pcg is None:
        return None
    return opener.need(rule.account, rule.pcg, rule.label or shipped_label(rule.pcg))


def shipped_label(pcg: str) -> str:
    """The official label of a PCG number of the chart (the number itself if unknown)."""
    for accounts in BY_KIND.values():
        for known in accounts:
            if known.pcg == pcg:
                return known.label
    return pcg
