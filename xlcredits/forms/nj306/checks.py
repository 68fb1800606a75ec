"""NJ Form 306: the input checks that come before any line is computed — which periods and
revision the form serves (NJ306-D1, NJ306-D2), and the inputs each part and federal method needs."""

from __future__ import annotations

from decimal import Decimal

from ...lines import Findings
from ...numbers import ZERO, grouped
from ...rules.text import day
from . import catalog
from .ledger import check_vintage
from .model import NJ306Input

FBP_SOURCES = ("fixed_base_percentage", "startup", "base_period_1984_1988")
PART_VI_INPUTS = ("tax_liability", "nj_gross_receipts", "group_payroll", "period_months", "minimum_tax", "other_credits")


def money(value: Decimal | None) -> str:
    return "$" + grouped(value or ZERO, 2)


def _given(model: NJ306Input, name: str) -> bool:
    value = getattr(model, name)
    return value not in (None, [], ())


# --- Structure: what must be there before a line can be computed ------------------------------

def _check_periods(m: NJ306Input, revision: str, findings: Findings) -> None:
    """Which privilege periods this form serves (NJ306-D1) and the revision's own questions (NJ306-D2)."""
    first = catalog.PERIODS_FROM
    if m.tax_year.begins < first:
        findings.error("tax_year", f"tax_year begins {m.tax_year.begins}: Form 306 as modelled serves privilege "
                                   f"periods beginning on or after {day(first)}; an earlier period is filed on "
                                   f"the Form 306 of its year (NJ306-D1) {catalog.cite_text(catalog.cites('periods'))}.",
                       blocking=True)
    if m.cannabis_licensee is not None and "cannabis_licensee" not in catalog.revision_questions(revision):
        findings.warning("cannabis_licensee", f"cannabis_licensee answers question 3 of the 2023 revision; this "
                                              f"period uses the {revision} revision, which has no such question. "
                                              f"Ignored.")
    if m.return_kind != "standard" and m.return_type != "CBT-100":
        findings.error("return_kind", f"return_kind {m.return_kind} files a CBT-100; this return is a "
                                      f"{m.return_type}. Change return_type or return_kind.", blocking=True)


def _check_structure(m: NJ306Input, findings: Findings) -> None:
    """What must be there before a line can be computed, step by step (the findings in this order)."""
    _check_return(m, findings)
    _check_method(m, findings)
    if m.return_type != "CBT-100U":
        _check_part_vi(m, findings)
    else:
        _check_part_vii(m, findings)
    for i, v in enumerate(m.carryforward):
        check_vintage(m, i, v, findings)


def _check_return(m: NJ306Input, findings: Findings) -> None:
    """A federal method, Part VII exactly for CBT-100U filers, contract research given once."""
    if m.federal_method in (None, "none"):
        findings.error("federal_method", "federal_method must be \"regular\" or \"asc\", the method used on the federal "
                                         "Form 6765. A taxpayer that used neither federal method cannot complete "
                                         "Form 306.", blocking=True)
    separate = m.return_type != "CBT-100U"
    if separate and m.combined is not None:
        findings.error("combined", f"combined (Part VII) is for CBT-100U filers only; this return is a {m.return_type}. "
                                   f"Remove it or change return_type.", blocking=True)
    if not separate and m.combined is None:
        findings.error("combined", "A CBT-100U filer completes Part VII: give combined.sharing, "
                                   "combined.group_tax_liability and combined.taxable_members.", blocking=True)
    if m.contract_research_paid is not None and m.qre.contract_research:
        findings.error("contract_research_paid", f"Give either qre.contract_research ({money(m.qre.contract_research)}, "
                                                 f"already at the applicable percentage) or contract_research_paid, "
                                                 f"not both: the same research would count twice.", blocking=True)


def _check_method(m: NJ306Input, findings: Findings) -> None:
    """The inputs of the federal method chosen (Part III regular, Part IV ASC), and the other's unused."""
    if m.federal_method == "regular":
        sources = [name for name in FBP_SOURCES if _given(m, name)]
        if not sources:
            findings.error("fixed_base_percentage", "The regular method needs line 10: give fixed_base_percentage, or "
                                                    "startup (start-up company history), or base_period_1984_1988 "
                                                    "(existing company totals).", blocking=True)
        elif len(sources) > 1:
            findings.error(sources[1], f"Line 10 has one source: {' and '.join(sources)} were both given. Keep one.",
                           blocking=True)
        if m.average_gross_receipts is None:
            findings.error("average_gross_receipts", "The regular method needs line 11: average_gross_receipts (average "
                                                     "annual gross receipts of the 4 preceding tax years).", blocking=True)
        if m.prior_year_qres is not None:
            findings.warning("prior_year_qres", "federal_method is \"regular\", so Part IV (ASC) stays blank and "
                                                "prior_year_qres is not used. Both methods' lines were filled: confirm "
                                                "the method used on the federal Form 6765.")
    elif m.federal_method == "asc":
        if m.prior_year_qres is None:
            findings.error("prior_year_qres", "The ASC needs line 21: prior_year_qres, the QREs of each of the 3 prior "
                                              "tax years (enter 0 for a year without QREs).", blocking=True)
        other = [name for name in (*FBP_SOURCES, "average_gross_receipts") if _given(m, name)]
        if other:
            findings.warning(other[0], f"federal_method is \"asc\", so Part III (regular method) stays blank and "
                                       f"{', '.join(other)} {'is' if len(other) == 1 else 'are'} not used. Both methods' "
                                       f"lines were filled: confirm the method used on the federal Form 6765.")


def _check_part_vi(m: NJ306Input, findings: Findings) -> None:
    """A separate return (CBT-100, BFC-1) completes Part VI: lines 31 and 32."""
    if m.tax_liability is None:
        findings.error("tax_liability", f"A {m.return_type} filer completes Part VI: line 31 needs tax_liability "
                                        f"(page 1, line 2 of the return).", blocking=True)
    if m.nj_gross_receipts is None and m.minimum_tax is None and m.return_kind == "standard":
        findings.error("nj_gross_receipts", "Line 32 needs nj_gross_receipts (to find the minimum tax), or "
                                            "minimum_tax to enter it directly.", blocking=True)


def _check_part_vii(m: NJ306Input, findings: Findings) -> None:
    """A CBT-100U member completes Part VII; Part VI is ignored."""
    ignored = [name for name in PART_VI_INPUTS if _given(m, name)]
    if ignored:
        findings.warning(ignored[0], f"{', '.join(ignored)}: Part VI is not used on a CBT-100U; the combined "
                                     f"group's lines are in combined (Part VII). Ignored.")
    if m.combined is not None and not m.combined.sharing:
        factor = m.combined.group_allocation_factor
        if factor is None or factor <= 0:
            got = "is missing" if factor is None else f"is {factor}"
            findings.error("combined.group_allocation_factor", f"combined.group_allocation_factor {got}: line 45b "
                                                               f"divides by it, so it must be more than zero "
                                                               f"(Schedule J, line 9).", blocking=True)
        if m.combined.member_allocation_factor is None:
            findings.error("combined.member_allocation_factor", "A member not sharing its credit needs "
                                                                "combined.member_allocation_factor for line 45c.",
                           blocking=True)
    elif m.combined is not None:
        factor = m.combined.group_allocation_factor
        if factor is not None and factor <= 0:
            findings.warning("combined.group_allocation_factor", f"combined.group_allocation_factor is {factor}; "
                                                                 f"it must be more than zero. Not used by a sharing "
                                                                 f"member, but check Schedule J.")
        if m.combined.member_other_credits:
            findings.warning("combined.member_other_credits", "member_other_credits (line 48) is for members not "
                                                              "sharing their credit; this member shares. Ignored.")
