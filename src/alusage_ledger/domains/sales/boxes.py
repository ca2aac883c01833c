"""The boxes of the paper return: the 3310-CA3 (real regime) and the 3517-S CA12 (rsi).

A return computed to the cent (:mod:`returns`) is printed as the form asks: each base and
each tax rounded to the nearest euro (half up, as the notice 3310-NOT-SD asks: "les
montants sont arrondis à l'euro le plus proche"), totals made of the rounded boxes. What
the rounding leaves between the ledger (to the cent) and the form (to the euro) is booked
in the settlement entry, to 658 (a charge) or 758 (an income), so that the VAT accounts
are emptied to the cent and 44551 / 44567 hold the euros of the form.

- collected VAT by rate: lines 08 (20 %), 9B (10 %), 09 (5.5 %), 10 (8.5 %), 11 (2.1 %)
  and, for the other rates, line T1 (1.05 %) / T2 (0.9 %) (mapping: docs/sales-and-vat.md);
- a rate whose credit notes exceed the period's sales goes to line 21 ("autre TVA à
  déduire"), never a negative base (BOI-TVA-DECLA-20-20-20 § 120; CA3 notice, line 21);
- deductible VAT: line 19 (fixed assets), line 20 (other goods and services); a negative
  deduction (VAT deducted before and given back) goes to line 15 ("TVA antérieurement
  déduite à reverser");
- line 22: the credit of the previous return (its line 27, in 44567);
- 16 = 08..15, 23 = 19..22, 25/27 the credit (23 − 16), 28/32 the VAT due (16 − 23).

The CA12 uses its own numbers (16 total, 24 previous credit, 25 regularisations, 28 due,
29 credit, acomptes); see docs/sales-and-vat.md for the lines checked and the ones to check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from alusage_ledger.core.i18n import N_
from alusage_ledger.core.money import ZERO

if TYPE_CHECKING:
    from alusage_ledger.domains.sales.returns import VatReturn

EURO = Decimal(1)

#: Collected VAT: the CA3 line of each rate (3310-CA3-SD, cadre B "TVA brute").
CA3_RATE_BOX = {"20": "08", "5.5": "09", "10": "9B", "8.5": "10", "2.1": "11", "1.05": "T1"}
CA3_RATE_BOX["0.9"] = "T2"

#: The CA12's lines for the same rates (3517-S-SD, "TVA brute").
CA12_RATE_BOX = dict(CA3_RATE_BOX)

#: Official labels, as the form prints them (translated for an English reader).
LABELS = {
    "A1": N_("Sales, services"),
    "E2": N_("Other non-taxable operations"),
    "08": N_("Standard rate 20 %"),
    "09": N_("Reduced rate 5.5 %"),
    "9B": N_("Reduced rate 10 %"),
    "10": N_("Standard rate 8.5 % (DOM)"),
    "11": N_("Reduced rate 2.1 %"),
    "T1": N_("Rate 1.05 %"),
    "T2": N_("Rate 0.9 %"),
    "15": N_("VAT previously deducted to be repaid"),
    "16": N_("Total gross VAT due"),
    "19": N_("Deductible VAT: fixed assets"),
    "20": N_("Deductible VAT: other goods and services"),
    "21": N_("Other VAT to deduct (credit notes, regularisations)"),
    "22": N_("Credit carried from the previous return (its line 27)"),
    "23": N_("Total deductible VAT"),
    "25": N_("VAT credit"),
    "26": N_("Refund requested"),
    "27": N_("Credit to carry forward"),
    "28": N_("Net VAT due"),
    "29": N_("Assimilated taxes"),
    "32": N_("Total to pay"),
    # CA12
    "01": N_("Sales, services"),
    "05": N_("Other non-taxable operations"),
    "CA12-23": N_("Deductible VAT: fixed assets"),
    "24": N_("Credit carried from the previous year"),
    "CA12-25": N_("Other VAT to deduct (credit notes, regularisations)"),
    "CA12-20": N_("Deductible VAT: other goods and services"),
    "CA12-15": N_("VAT previously deducted to be repaid"),
    "CA12-27": N_("Total deductible VAT"),
    "CA12-28": N_("Net VAT due"),
    "CA12-29": N_("VAT credit"),
    "CA12-30": N_("Instalments paid during the year"),
    "CA12-33": N_("Balance to pay"),
    "CA12-34": N_("Instalments paid in excess"),
}


def to_euro(value: Decimal) -> Decimal:
    """Rounded to the nearest euro, half up (0.50 → 1), as the forms ask."""
    return value.quantize(EURO, rounding=ROUND_HALF_UP)


@dataclass
class Box:
    code: str  # the form's number: "08", "9B", "A1"... (a CA12 box drops its "CA12-")
    base: Decimal | None = None  # whole euros
    tax: Decimal | None = None  # whole euros

    @property
    def number(self) -> str:
        return self.code.removeprefix("CA12-")

    @property
    def label(self) -> str:
        return LABELS[self.code]


@dataclass
class FormBoxes:
    form: str  # 3310-CA3 | 3517-S
    boxes: dict[str, Box] = field(default_factory=dict)
    due: Decimal = ZERO  # what is paid (line 28 / 32; CA12 line 33)
    credit: Decimal = ZERO  # what is carried (line 27; CA12 line 29 + 34)
    #: rate → the box its VAT went to (the rate's line, or the regularisation line)
    rate_box: dict[str, str] = field(default_factory=dict)
    #: deductible kind → box (19, 20, or 15 when negative)
    kind_box: dict[str, str] = field(default_factory=dict)

    def add(self, code: str, *, base: Decimal | None = None, tax: Decimal | None = None) -> None:
        box = self.boxes.setdefault(code, Box(code))
        if base is not None:
            box.base = (box.base or ZERO) + base
        if tax is not None:
            box.tax = (box.tax or ZERO) + tax

    def tax(self, code: str) -> Decimal:
        box = self.boxes.get(code)
        return box.tax if box is not None and box.tax is not None else ZERO


def form_boxes(vat_return: VatReturn) -> FormBoxes:
    """The boxes of a CA3 or CA12 (rounded to the euro), its due and its credit."""
    ca12 = vat_return.form == "CA12"
    prefix = "CA12-" if ca12 else ""
    out = FormBoxes("3517-S" if ca12 else "3310-CA3")
    rate_boxes = CA12_RATE_BOX if ca12 else CA3_RATE_BOX
    regularisation = prefix + ("25" if ca12 else "21")
    given_back = prefix + "15"
    taxable = ZERO
    regularised = ZERO
    for line in vat_return.collected:
        if line.vat < 0 or line.base < 0:
            # credit notes beyond the period's sales at this rate: VAT to give back
            regularised += -line.vat
            out.rate_box[line.rate] = regularisation
            continue
        code = rate_boxes.get(line.rate, "T2")  # an unknown rate: docs/sales-and-vat.md
        out.rate_box[line.rate] = code
        taxable += line.base
        out.add(code, base=to_euro(line.base), tax=to_euro(line.vat))
    out.add("01" if ca12 else "A1", base=to_euro(taxable))
    out.add("05" if ca12 else "E2", base=to_euro(max(vat_return.exempt_base, ZERO)))
    goods_services = vat_return.deductible.get("goods", ZERO) + vat_return.deductible.get(
        "services", ZERO
    )
    fixed = vat_return.deductible.get("fixed-assets", ZERO)
    repaid = ZERO
    other_box = prefix + "20"
    fixed_box = prefix + "23" if ca12 else "19"
    if goods_services < 0:
        repaid += -goods_services
        out.kind_box["goods"] = out.kind_box["services"] = given_back
    else:
        out.kind_box["goods"] = out.kind_box["services"] = other_box
        out.add(other_box, tax=to_euro(goods_services))
    if fixed < 0:
        repaid += -fixed
        out.kind_box["fixed-assets"] = given_back
    else:
        out.kind_box["fixed-assets"] = fixed_box
        out.add(fixed_box, tax=to_euro(fixed))
    # VAT deducted in an earlier return and given back (a correction), or a deduction
    # completed later (e.g. a final coefficient above the provisional one)
    reversal = vat_return.deductible.get("reversal", ZERO)
    completed = vat_return.deductible.get("regularisation", ZERO)
    repaid += max(-reversal, ZERO) + max(-completed, ZERO)
    regularised += max(reversal, ZERO) + max(completed, ZERO)
    out.kind_box["reversal"] = given_back if reversal <= 0 else regularisation
    out.kind_box["regularisation"] = regularisation if completed >= 0 else given_back
    if repaid:
        out.add(given_back, tax=to_euro(repaid))
    out.add(regularisation, tax=to_euro(regularised))
    gross = sum(
        (out.tax(code) for code in (*rate_boxes.values(), given_back)),
        ZERO,
    )
    out.add(prefix + "16" if ca12 else "16", tax=gross)
    previous = to_euro(vat_return.previous_credit)
    if ca12:
        out.add("24", tax=previous)
        deductible = out.tax(other_box) + out.tax(fixed_box) + out.tax(regularisation) + previous
        out.add("CA12-27", tax=deductible)
        net = gross - deductible
        out.add("CA12-28", tax=max(net, ZERO))
        out.add("CA12-29", tax=max(-net, ZERO))
        instalments = to_euro(vat_return.instalments)
        out.add("CA12-30", tax=instalments)
        balance = max(net, ZERO) - instalments
        out.add("CA12-33", tax=max(balance, ZERO))
        out.add("CA12-34", tax=max(-balance, ZERO))
        out.due = max(balance, ZERO)
        out.credit = max(-net, ZERO) + max(-balance, ZERO)
    else:
        out.add("22", tax=previous)
        deductible = out.tax("19") + out.tax("20") + out.tax("21") + previous
        out.add("23", tax=deductible)
        credit = max(deductible - gross, ZERO)
        due = max(gross - deductible, ZERO)
        out.add("25", tax=credit)
        out.add("26", tax=ZERO)
        out.add("27", tax=credit)
        out.add("28", tax=due)
        out.add("29", tax=ZERO)
        out.add("32", tax=due)
        out.due, out.credit = due, credit
    return out


#: The order boxes are printed in (the form's order).
CA3_ORDER = (
    "A1", "E2", "08", "9B", "09", "10", "11", "T1", "T2", "15", "16",
    "19", "20", "21", "22", "23", "25", "26", "27", "28", "29", "32",
)  # fmt: skip
CA12_ORDER = (
    "01", "05", "08", "9B", "09", "10", "11", "T1", "T2", "CA12-15", "CA12-16",
    "CA12-20", "CA12-23", "CA12-25", "24", "CA12-27", "CA12-28", "CA12-29", "CA12-30",
    "CA12-33", "CA12-34",
)  # fmt: skip
LABELS["CA12-16"] = LABELS["16"]


def ordered(boxes: FormBoxes) -> list[Box]:
    order = CA12_ORDER if boxes.form == "3517-S" else CA3_ORDER
    return [boxes.boxes[code] for code in order if code in boxes.boxes]
