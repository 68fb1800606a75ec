"""NJ Form 306 laid out like the form: the method questions and the combined-filer oval at the
top, Parts I–VII with their line numbers and texts, other-credit rows (a)–(d) where the form has
them; and a Worksheets sheet for the fixed-base percentage (start-up history), the minimum tax and
the carryforward vintages. Positions only: labels, kinds and formulas come from
`forms.nj306.definition`."""

from __future__ import annotations

from decimal import Decimal
from functools import cache

from ..forms.nj306 import catalog
from ..forms.nj306 import definition as d
from ..rules.text import percent
from . import layout
from .layout import Builder, Layout, SheetBuilder

FORM, SLUG, PREFIX = "NJ-306", "nj306", "NJ306"
FORM_SHEET = "NJ-306"
BOTTOM_LINE = "30"
TAXPAYER = "taxpayer.name"
HEADER_FIELDS = (("FEIN", "taxpayer.fein"),)  # printed in every page header
REVIEW_TOTALS = (("28", "Current-period credit (10% of line 27)"), ("30", "Total credit available"),
                 ("36", "Allowable credit"), ("37", "Carryover to next year"),
                 ("43", "Allowable credit (combined group, sharing: Part VII, Section A)"),
                 ("44", "Carryover to next year (Part VII, Section A)"),
                 ("50", "Allowable credit (combined group, not sharing: Part VII, Section B)"),
                 ("51", "Carryover to next year (Part VII, Section B)"))
# A separate filer's limit is Part VI (lines 31-37); a combined group filer's is Part VII, Section A
# (38-44) when it shares its credit, Section B (45-51) when not: Form NJ-306 Part VI "Tax Credit
# Limitations: CBT-100, CBT-100S and BFC-1 filers (combined filers skip)". The Review sheet prints
# the rows of the part that applies (the engine leaves the other parts' lines blank).
REVIEW_TOTALS_WHEN_USED = ("36", "37", "43", "44", "50", "51")
CARRYOVER_LINES = {"37": "36", "44": "43", "51": "50"}  # carryover line: the allowable-credit line of its part


def review_remark(key: str, data: dict, result) -> str | None:
    """The carryover line of the part that applies (37; 44 or 51 for a combined group filer) against
    what really carries forward: vintages past their carryover period expire."""
    if key not in CARRYOVER_LINES or result.lines.get(CARRYOVER_LINES[key]) is None:
        return None
    following = result.extras.get("carryforward_next") or []
    carried = sum((Decimal(str(v.get("amount") or 0)) for v in following), Decimal(0))
    line = result.lines.get(key) or Decimal(0)
    by_year = ", ".join(f"{v.get('year_earned')}: {Decimal(str(v.get('amount'))):,.2f}" for v in following)
    text = f"Carried forward: {carried:,.2f}" + (f" ({by_year})" if by_year else "")
    if line > carried:
        text += f". {line - carried:,.2f} of line {key} expires after this period and is not carried forward."
    return text + "."
LIST_FIELDS = {"startup.selected_years": int}  # typed as "5, 6, 7, 9, 10"

A, B, C, D_, E = range(5)


def revisions() -> tuple[str, ...]:
    return layout.revisions_of(catalog)


def revision_for_year(year: int | None) -> str:
    return layout.revision_for_year(catalog, year)


@cache
def build(revision: str) -> Layout:
    import sys

    b = Builder(form=FORM, slug=SLUG, revision=revision, prefix=PREFIX, title=d.TITLE,
                lines=d.lines(revision), fields=d.FIELDS, schedules=d.SCHEDULES, hooks=sys.modules[__name__])
    s = b.sheet(FORM_SHEET, {A: 6, B: 48, C: 13, D_: 15, E: 16}, (A, E), gridlines=False)
    _header(b, s, revision)
    _parts_i_to_v(s)
    _part_vi(s)
    _part_vii(s)
    s.spec.freeze = (2, 0)
    _worksheets(b)
    return b.finish()


def _header(b: Builder, s: SheetBuilder, revision: str) -> None:
    s.title("", "NJ Form 306   Research and Development Tax Credit",
            f"State of New Jersey · Corporation Business Tax · Form 306 ({revision}) · Attach to your return")
    s.field_row("", "taxpayer.name", "Name of corporation as shown on the return", col=C, last_col=E)
    s.field_row("", "taxpayer.fein", "Federal employer identification number", col=C, last_col=D_)
    s.field_row("", "taxpayer.unitary_id", "Unitary ID number, if applicable", col=C, last_col=D_)
    b.tax_year_rows(s)
    s.field_row("", "return_type", "Return the credit is claimed on (CBT-100, CBT-100S, BFC-1 or CBT-100U)", col=C)
    s.field_row("", "combined.sharing",
                "Combined filers (CBT-100U): does this member share its credit with the combined group? "
                "No = the oval is filled for a member not sharing its credit (Part VII, Section B)", col=C)
    s.spec.heights[s.row - 1] = 30
    s.field_row("", "carryover_period_years",
                "Carryover period of this year's credit: 7 years, or 15 for NJ research in advanced computing, "
                "advanced materials, biotechnology, electronic device, environmental or medical device technology",
                col=C)
    s.spec.heights[s.row - 1] = 36
    s.row += 1


def _parts_i_to_v(s: SheetBuilder) -> None:
    L = d.line
    s.section("Part I   Energy Research Consortia")
    s.line_row("1", L("1").label, {E: "1"})
    s.row += 1
    s.section("Part II   Basic Research Payments")
    s.line_row("2", L("2").label, {E: "2"})
    s.line_row("3", "Qualified organization base period amount: as entered (column D), and not more than line 2",
               {D_: "base_period_amount", E: "3"})
    s.line_row("4", L("4").label, {E: "4"})
    s.row += 1
    _questions(s)

    s.section("Qualified research expenses of this tax year (enter once; they flow to Part III or Part IV "
              "by the method)")
    for kind, text in (("wages", "Wages for qualified services (excluding wages used for the federal jobs credit)"),
                       ("supplies", "Cost of supplies"), ("computer_rental", "Rental or lease costs of computers"),
                       ("contract_research", "Applicable percentage of contract research expenses, if computed "
                                             "already (or enter the amounts paid below)")):
        s.field_row("", f"qre.{kind}", text, col=E)
    for kind in catalog.CONTRACT_RESEARCH:
        s.field_row("", f"contract_research_paid.{kind}", col=E)
    s.line_row("", d.line("contract_research_applicable").label, {E: "contract_research_applicable"})
    s.row += 1

    s.section("Part III   Regular Credit Method (question 1)")
    for n in range(5, 10):
        s.line_row(str(n), L(str(n)).label, {E: str(n)})
    s.line_row("10", "Fixed-base percentage: before rounding (column D, from the Worksheets sheet or as entered), "
                     "and rounded to 1/100 of 1%, not more than 16%", {D_: "fixed_base_ratio", E: "10"}, height=30)
    for n in range(11, 16):
        s.line_row(str(n), L(str(n)).label, {E: str(n)})
    s.row += 1

    # Decision P13-NJ-PAGES: printed pages break before Part IV and before Part VII, each Part whole
    # (the official page breaks of Form 306 could not be confirmed from a source; at 8-point type
    # Parts I-IV with the QRE inputs do not fit one page): page 1 header, Parts I-III; page 2 Parts
    # IV-VI (the separate filer's credit through its limit); page 3 Part VII (combined groups).
    s.spec.page_breaks.append(s.row)
    s.section("Part IV   Alternative Simplified Credit Method (question 2)")
    for n in range(16, 21):
        s.line_row(str(n), L(str(n)).label, {E: str(n)})
    for i, which in enumerate(("first", "second", "third")):
        s.field_row("", f"prior_year_qres[{i}]",
                    f"Qualified research expenses of the {which} of the 3 prior tax years", col=D_)
    s.line_row("21", L("21").label, {E: "21"})  # the form numbers the total 21
    s.line_row("", "If any one of the 3 prior tax years had no qualified research expenses, skip lines 22 and 23 "
                   "(1 = skipped)", {D_: "asc_no_prior_qres"}, height=24)
    for n in range(22, 25):
        s.line_row(str(n), L(str(n)).label, {E: str(n)})
    s.row += 1

    s.section("Part V   Total Credit")
    for key in ("25a", "25b", "25c", "26", "27", "28", "29", "30"):
        s.line_row(key, L(key).label, {E: key})
    s.row += 1


def _questions(s: SheetBuilder) -> None:
    """Questions 1 and 2 where the printed Form 306 has them: between Parts II and III."""
    s.text_row({A: "1.", B: "Did the taxpayer use the regular credit method on its federal Form 6765? If yes, "
                            "complete Part III (not Part IV)."}, wrap=True, height=24)
    s.text_row({A: "2.", B: "Did the taxpayer use the alternative simplified credit (ASC) method on its federal "
                            "Form 6765? If yes, complete Part IV (no entries in Part III)."}, wrap=True, height=24)
    s.field_row("", "federal_method", "Method used on federal Form 6765: regular (question 1) or asc (question 2)",
                col=C)
    s.spec.heights[s.row - 1] = 24  # two lines: the cell holds the code the form's formulas read
    s.row += 1


def _credits_rows(s: SheetBuilder, schedule: str, line: str) -> None:
    """Other credits (a)–(d): credit name in B, its catalogue key in C, amount in D, the amount that
    counts on the line in E (0 for a credit applied after the R&D credit); the line total below."""
    first = s.row
    sp = s.schedule(schedule, {"name": B, "credit": C, "amount": D_, "counted": E}, first_row=first)
    for i in range(sp.max_rows):
        s.put(first + i, A, f"{line}{'abcd'[i] if i < 4 else i + 1}", "line_no")
    s.row = first + sp.max_rows


def _part_vi(s: SheetBuilder) -> None:
    L = d.line
    s.section("Part VI   Tax Credit Limitations: CBT-100, CBT-100S and BFC-1 filers (combined filers skip)")
    s.line_row("31", L("31").label, {E: "31"})
    r = s.line_row("32", L("32").label, {E: "32"})
    s.spec.cells[(r, B)].note = "xlcredits: computed on the Worksheets sheet, line 32 section."
    s.line_row("33", L("33").label, {E: "33"})
    s.text_row({A: "", B: "Other tax credits used on this year's return: name (column B) and amount (column D)"})
    _credits_rows(s, "other_credits", "34")
    s.line_row("34", "Total other tax credits (add lines 34(a) through 34(d))", {E: "34"})
    for n in (35, 36, 37):
        s.line_row(str(n), L(str(n)).label, {E: str(n)})
    s.row += 1


def _part_vii(s: SheetBuilder) -> None:
    L = d.line
    s.spec.page_breaks.append(s.row)  # decision P13-NJ-PAGES (see Part IV)
    s.section("Part VII   Combined Group Filers (CBT-100U) only")
    s.put(s.row, A, "Section A: all combined group filers", "label_bold")
    s.row += 1
    s.line_row("38", L("38").label, {E: "38"})
    s.line_row("39", L("39").label + "; number of taxable members in column D", {E: "39"})
    s.field("combined.taxable_members", D_, row=s.row - 1)
    s.line_row("40", L("40").label, {E: "40"})
    s.text_row({A: "", B: "Other tax credits already applied to the group liability: name (B) and amount (D)"})
    _credits_rows(s, "group_other_credits", "41")
    s.line_row("41", "Total (add lines 41(a) through 41(d))", {E: "41"})
    for n in (42, 43, 44):
        s.line_row(str(n), L(str(n)).label, {E: str(n)})
    s.put(s.row, A, "Section B: members not sharing their credit (oval filled at the top of the form)", "label_bold")
    s.row += 1
    s.line_row("45a", L("45a").label, {E: "45a"})
    s.line_row("45b", L("45b").label + " (group allocation factor in column D)",
               {D_: "combined.group_allocation_factor", E: "45b"})
    s.line_row("45c", L("45c").label + " (member's allocation factor in column D)",
               {D_: "combined.member_allocation_factor", E: "45c"})
    s.line_row("46", L("46").label, {E: "46"})
    s.line_row("47", L("47").label, {E: "47"})
    s.text_row({A: "", B: "Other tax credits used by the taxpayer: name (B) and amount (D)"})
    _credits_rows(s, "member_other_credits", "48")
    s.line_row("48", "Total (add lines 48(a) through 48(d))", {E: "48"})
    for n in (49, 50, 51):
        s.line_row(str(n), L(str(n)).label, {E: str(n)})


def _worksheets(b: Builder) -> None:
    # Nine carryforward columns B..J, the vintage's number in A: one landscape page wide at full size
    s = b.sheet("Worksheets", {A: 4, B: 36, C: 12, D_: 13, E: 13, 5: 11.3, 6: 11.3, 7: 11.3, 8: 11.3, 9: 11.3},
                (A, 9), landscape=True)
    s.title("", "NJ Form 306 · Worksheets for lines 10, 29 and 32")

    s.section("Line 10: fixed-base percentage (fill one of the three ways)")
    s.field_row("", "fixed_base_percentage", "1. The fixed-base percentage as a fraction (e.g. 0.0793), before "
                                             f"rounding and the {percent(catalog.FBP_CAP)} cap", col=D_)
    s.spec.heights[s.row - 1] = 24
    s.field_row("", "base_period_1984_1988.qre", f"2. Existing company: total QREs of tax years beginning {catalog.BASE_YEARS}",
                col=D_)
    s.field_row("", "base_period_1984_1988.gross_receipts",
                "    and total gross receipts of the same years", col=D_)
    s.field_row("", "startup.credit_year", "3. Start-up company: which start-up year this tax year is (1, 2, ...)",
                col=D_)
    s.field_row("", "startup.selected_years", f"    Year {catalog.LATER['from_year']} and later: the five of years "
                                              f"{catalog.LATER_AMONG} chosen (e.g. 5, 6, 7, "
                                              "9, 10); blank = the lowest percentage", col=D_, last_col=E)
    s.spec.heights[s.row - 1] = 24
    s.help("    Start-up history: one row per earlier start-up year (years counted among tax years beginning after "
           f"{catalog.STARTUP_AFTER} with QREs) {catalog.cite_text(catalog.STARTUP['cites'])}", first=A, last=9)
    s.headings({B: "", C: "Start-up year", D_: "QREs", E: "Gross receipts"}, height=18)
    first = s.row
    s.schedule("startup_history", {"year": C, "qre": D_, "gross_receipts": E}, first_row=first)
    s.row = first + d.STARTUP_HISTORY.max_rows + 1
    s.spec.hide_unused.append((first, s.row - 2, C, E, False))  # a completed workbook prints rows in use

    s.section("Line 32: minimum tax (CBT-100, CBT-100S, BFC-1)")
    s.field_row("", "nj_gross_receipts", "New Jersey gross receipts", col=D_)
    s.field_row("", "group_payroll", "Total payroll of the affiliated or controlled group (if a member)", col=D_)
    s.field_row("", "period_months", "Months in the return period (blank: from the tax year)", col=D_)
    s.field_row("", "minimum_tax", "Minimum tax override (the preparer's figure, if different)", col=D_)
    mt = catalog.RULES["minimum_tax"]
    s.headings({B: "NJ gross receipts from", C: "CBT-100 / BFC-1", D_: "CBT-100S"}, height=18)
    for bracket in mt["brackets"]:
        s.put(s.row, B, f"${Decimal(bracket['from']):,.0f}", "label", align="right")
        s.put(s.row, C, f"${Decimal(bracket['c_corporation']):,.2f}", "label", align="right")
        s.put(s.row, D_, f"${Decimal(bracket['s_corporation']):,.2f}", "label", align="right")
        s.row += 1
    gp = mt["group_payroll"]
    s.help(f"A member of an affiliated or controlled group with total payroll of ${Decimal(gp['threshold']):,.0f} "
           f"or more pays ${Decimal(gp['minimum_tax']):,.0f}. {catalog.cite_text(gp['cites'])}", first=A, last=9, height=24)
    s.row += 1

    s.section("Line 29: credit carried forward, by year earned (oldest first)")
    cols = [c for c in d.CARRYFORWARD.columns]
    s.headings({A: "No.", **{B + i: c.label for i, c in enumerate(cols)}}, height=30,
               notes={B + i: c.help for i, c in enumerate(cols) if c.help})
    first = s.row
    s.schedule("carryforward", {c.key: B + i for i, c in enumerate(cols)}, first_row=first)
    for i in range(d.CARRYFORWARD.max_rows):
        s.put(first + i, A, str(i + 1), "line_no")
    s.row = first + d.CARRYFORWARD.max_rows
    s.spec.hide_unused.append((first, s.row - 1, B, 9, False))  # vintages in use only, when completed
    s.help(d.CARRYFORWARD.help, first=A, last=9)
