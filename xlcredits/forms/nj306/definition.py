"""NJ Form 306, line by line: the one definition from which the engine, the workbook formulas, the
audit trail, the JSON keys and the defined names all come.

Keys: form lines are their printed numbers ("10", "25a", "45c"); inputs that feed a line are their
JSON paths ("qre.wages", "prior_year_qres[0]"); values Python sets from the rule book are `rule`
lines ("fixed_base_ratio", "asc_no_prior_qres", "29", "32", "39", "46").
"""

from __future__ import annotations

from functools import cache

from ...expr import Add, Compare, Div, Expr, If, Min, Mul, Ref, Round, Sub, SumRows, const, max0
from ...lines import InputField, Line
from ...schedules import Column, Schedule
from ...rules.text import percent
from . import catalog

# Labels that restate a rule (the contract-research percentages, the base period) are built from
# the rules data, so they follow the law; the form's printed line texts are the form's own words.
_CONTRACT = {kind: percent(rate) for kind, rate in catalog.CONTRACT_RESEARCH.items()}

FORM = "NJ-306"
TITLE = "NJ Form 306 — Research and Development Tax Credit (Corporation Business Tax)"

# --- Scalar inputs -----------------------------------------------------------------------------

FIELDS = (
    InputField("tax_year", "Tax year", "tax_year"),
    InputField("taxpayer.name", "Name of corporation", "text"),
    InputField("taxpayer.fein", "Federal employer identification number", "text"),
    InputField("taxpayer.unitary_id", "Unitary ID number, if applicable", "text"),
    InputField("return_type", "Return the credit is claimed on", "choice", choices=catalog.RETURN_TYPES),
    InputField("return_kind", "Kind of CBT-100 filer (investment company, RIC, REIT)", "choice",
               choices=catalog.RETURN_KINDS, help="Sets line 32 for investment companies, regulated investment "
                                                   "companies and REITs (NJ306-D10)"),
    InputField("cannabis_licensee", "Question 3 (2023 revision): cannabis licensee", "bool"),
    InputField("federal_method", "Method used on federal Form 6765", "choice", choices=("regular", "asc"),
               help="Question 1 (regular → Part III) or question 2 (ASC → Part IV)"),
    InputField("energy_consortia", "Amounts paid or incurred to energy consortia", "money", "1"),
    InputField("basic_research_payments", "Basic research payments to qualified organizations", "money", "2"),
    InputField("base_period_amount", "Qualified organization base period amount", "money", "3",
               help="Limited to line 2 (NJ306-A2)"),
    InputField("qre.wages", "Wages for qualified services", "money", "5/16"),
    InputField("qre.supplies", "Cost of supplies", "money", "6/17"),
    InputField("qre.computer_rental", "Rental or lease costs of computers", "money", "7/18"),
    InputField("qre.contract_research", "Applicable percentage of contract research", "money", "8/19",
               help="Or fill the three contract-research-paid amounts below"),
    InputField("contract_research_paid.general", f"Contract research paid to others ({_CONTRACT['general']})", "money", "8/19"),
    InputField("contract_research_paid.qualified_consortium",
               f"Contract research paid to a qualified research consortium ({_CONTRACT['qualified_consortium']})",
               "money", "8/19"),
    InputField("contract_research_paid.energy_research",
               "Energy research paid to a small business, university or federal laboratory "
               f"({_CONTRACT['energy_research']})", "money", "8/19"),
    InputField("fixed_base_percentage", "Fixed-base percentage (before rounding and cap)", "fraction", "10",
               help=f"Or fill the start-up schedule, or the {catalog.BASE_YEARS} totals"),
    InputField("base_period_1984_1988.qre", f"Existing company: QREs of tax years beginning {catalog.BASE_YEARS}", "money",
               "10"),
    InputField("base_period_1984_1988.gross_receipts",
               f"Existing company: gross receipts of tax years beginning {catalog.BASE_YEARS}", "money", "10"),
    InputField("startup.credit_year", "Start-up company: which start-up year this is", "number", "10"),
    InputField("startup.selected_years", f"Start-up year {catalog.LATER['from_year']}+: five of years {catalog.LATER_AMONG} chosen", "text", "10",
               help="Comma-separated, e.g. 5, 6, 7, 9, 10; blank = the lowest percentage"),
    InputField("average_gross_receipts", "Average annual gross receipts of the 4 preceding tax years", "money", "11",
               help="Annualise a short preceding year: its receipts × 12 ÷ its months "
                    + catalog.cite_text(catalog.SHORT_YEAR["preceding_year_cites"])),
    InputField("prior_year_qres[0]", "QREs, first of the 3 prior tax years", "money", "21"),
    InputField("prior_year_qres[1]", "QREs, second of the 3 prior tax years", "money", "21"),
    InputField("prior_year_qres[2]", "QREs, third of the 3 prior tax years", "money", "21"),
    InputField("carryover_period_years", "Carryover period of this year's credit (years)", "choice", choices=("7", "15")),
    InputField("tax_liability", "Tax liability (page 1, line 2 of the return)", "money", "31",
               help="Exclude the surtax and the Corporate Transit Fee: no credit offsets them (NJ306-A8)"),
    InputField("nj_gross_receipts", "New Jersey gross receipts", "money", "32"),
    InputField("group_payroll", "Total payroll of the affiliated or controlled group (if a member)", "money", "32"),
    InputField("period_months", "Months in the return period", "number", "32",
               help="A part of a month counts as a month " + catalog.cite_text(catalog.SHORT_YEAR["month_cites"])),
    InputField("minimum_tax", "Minimum tax override", "money", "32"),
    InputField("combined.sharing", "Member shares its credit with the combined group", "bool"),
    InputField("combined.group_tax_liability", "Group tax liability (CBT-100U Sch. A, Part III, line 5(a))", "money", "38",
               help="Exclude the surtax and the Corporate Transit Fee (NJ306-A8)"),
    InputField("combined.taxable_members", "Number of taxable members", "number", "39"),
    InputField("combined.group_allocation_factor", "Group allocation factor (Schedule J, line 9)", "fraction", "45b"),
    InputField("combined.member_allocation_factor", "Member's allocation factor", "fraction", "45c"),
)

# Input lines keyed by their printed number, and the JSON field that fills each.
LINE_INPUTS = {f.line: f.path for f in FIELDS if f.line in ("1", "2", "11", "31", "38")}

# --- Schedules ---------------------------------------------------------------------------------

def _credits(key: str, json_field: str, line: str) -> Schedule:
    return Schedule(key=key, title=f"Line {line}: other tax credits", json_field=json_field, max_rows=4,
                    help=f"Line {line}(a)–(d): each credit applied before the R&D credit, by its catalogue key "
                         f"(NJ306-D7)",
                    columns=(Column("name", "Credit", "input", "text", 34),
                             Column("credit", "Catalogue key", "input", "text", 14, choices=catalog.CREDIT_KEYS,
                                    help="Key in rules/nj_cbt_credits.toml, e.g. new_jobs_investment"),
                             Column("amount", "Amount", "input", "money", 16),
                             Column("counted", f"On line {line}", "rule", "money", 16,
                                    help="The amount, or 0 for a credit the law applies after the R&D credit "
                                         "(NJ306-D7)")))


OTHER_CREDITS = _credits("other_credits", "other_credits", "34")
GROUP_OTHER_CREDITS = _credits("group_other_credits", "combined.group_other_credits", "41")
MEMBER_OTHER_CREDITS = _credits("member_other_credits", "combined.member_other_credits", "48")

CARRYFORWARD = Schedule(
    key="carryforward", title="Line 29: credit carried forward, by accounting period earned", json_field="carryforward",
    max_rows=30, help=f"Allowed credit is used on the vintages {catalog.VINTAGE_ORDER} "
                      f"{catalog.cite_text(catalog.VINTAGE_ORDER_CITES)} (NJ306-D6)",
    columns=(
        Column("year_earned", "Year earned", "input", "year", 9),
        Column("period_ends", "Period ended", "input", "date", 11),
        Column("amount", "Unused amount", "input", "money", 14),
        Column("period_years", "Carryover periods", "input", "count", 9, choices=("7", "15")),
        Column("periods_remaining", "Periods left (incl. this)", "input", "count", 9,
               help="Blank: derived assuming 12-month periods (NJ306-D5)"),
        Column("periods_left", "Periods left used", "rule", "count", 9, help="As entered or derived"),
        Column("usable", "On line 29", "rule", "money", 14, help="The amount, or 0 once expired"),
        Column("applied", "Used this year", "rule", "money", 14),
        Column("remaining", "Carried to next year", "rule", "money", 14),
    ),
)

STARTUP_HISTORY = Schedule(
    key="startup_history", title="Line 10: start-up company history", json_field="startup.history", max_rows=10,
    help=f"Start-up years counted among tax years beginning after {catalog.STARTUP_AFTER} with QREs "
         + catalog.cite_text(catalog.STARTUP["cites"]),
    columns=(
        Column("year", "Start-up year", "input", "count", 9),
        Column("qre", "QREs", "input", "money", 14),
        Column("gross_receipts", "Gross receipts", "input", "money", 14),
    ),
)

SCHEDULES = (OTHER_CREDITS, GROUP_OTHER_CREDITS, MEMBER_OTHER_CREDITS, CARRYFORWARD, STARTUP_HISTORY)

# --- Lines -------------------------------------------------------------------------------------

REGULAR: Compare = Compare("=", Ref("federal_method"), const("regular"))
ASC: Compare = Compare("=", Ref("federal_method"), const("asc"))
ZERO_EXPR = const(0)
QRE_KINDS = ("wages", "supplies", "computer_rental", "contract_research")


def _qre_line(key: str, label: str, method: Compare, kind: str, part: str) -> Line:
    source: Expr = Ref(f"qre.{kind}")
    if kind == "contract_research":  # given directly, or computed from amounts paid (never both)
        source = Add(source, Ref("contract_research_applicable"))
    return Line(key, label, "computed", "money", If(method, source, ZERO_EXPR), part)


def _input(key: str, label: str, unit: str = "money", part: str = "") -> Line:
    return Line(key, label, "input", unit, part=part, report=False)


def _base_amount() -> Expr:
    """Line 12; in a short credit year the base amount × months ÷ 12 (NJ306-D3). The test keeps
    a full year's formula (and its explanation) the printed one."""
    full = catalog.SHORT_YEAR["months_in_year"]
    return If(Compare("<", Ref("credit_year_months"), const(full)),
              Round(Div(Mul(Ref("11"), Ref("10"), Ref("credit_year_months")), const(full)), 2),
              Round(Mul(Ref("11"), Ref("10")), 2))


def _asc_base() -> Expr:
    """Line 22; in a short credit year line 21 ÷ 6 × days ÷ 365 (NJ306-D4)."""
    divisor = catalog.SHORT_YEAR["days_divisor"]
    half_average = Div(Ref("21"), const(catalog.ASC_DIVISOR))
    return If(Compare("<", Ref("credit_year_days"), const(divisor)),
              Round(Div(Mul(half_average, Ref("credit_year_days")), const(divisor)), 2),
              Round(half_average, 2))


PART_HEADINGS = {  # as printed on the 2023 revision
    "Part I": "Credit Calculation for Amounts Paid or Incurred to Energy Consortia",
    "Part II": "Credit Calculation for Basic Research Payments",
}


@cache
def lines(revision: str = "10-21") -> tuple[Line, ...]:
    """Every line of Form 306, in an order where each line's inputs come first."""
    short = catalog.SHORT_YEAR
    cr = catalog.CONTRACT_RESEARCH
    paid = [Mul(Ref(f"contract_research_paid.{kind}"), const(rate)) for kind, rate in cr.items()]
    pct = {kind: f"{rate * 100:.0f}%" for kind, rate in cr.items()}
    p1, p2, p3, p5, p6, p7 = "Part I", "Part II", "Part III", "Part V", "Part VI", "Part VII"
    p4 = "Part IV"
    return (
        Line("1", "Enter certain amounts paid or incurred to energy consortia", "input", part=p1),
        Line("2", "Enter the basic research payments paid or incurred to qualified organizations", "input", part=p2),
        _input("base_period_amount", "Qualified organization base period amount (as entered)", part=p2),
        Line("3", "Enter the base period amount", "computed", "money",
             Min(Ref("base_period_amount"), Ref("2")), p2, note="Limited to line 2", decision="NJ306-A2",
             cites=("26 U.S.C. 41(e)(1)",)),
        Line("4", "Subtract line 3 from line 2. If zero or less, enter zero", "computed", "money",
             max0(Sub(Ref("2"), Ref("3"))), p2),
        # Part III / IV inputs
        _input("federal_method", "Federal method (regular or asc)", "text"),
        *(_input(f"qre.{k}", f"QREs: {k.replace('_', ' ')}") for k in QRE_KINDS),
        *(_input(f"contract_research_paid.{k}", f"Contract research paid ({pct[k]})") for k in cr),
        Line("contract_research_applicable", "Applicable percentage of contract research paid", "computed", "money",
             Round(Add(*paid), 2), p3, report=False,
             note=f"{pct['general']} general, {pct['qualified_consortium']} qualified research consortium, "
                  f"{pct['energy_research']} energy research", cites=catalog.cites("contract_research")),
        _qre_line("5", "Wages for qualified services (excluding wages used for the federal jobs credit)", REGULAR, "wages", p3),
        _qre_line("6", "Cost of supplies", REGULAR, "supplies", p3),
        _qre_line("7", "Rental or lease costs of computers", REGULAR, "computer_rental", p3),
        _qre_line("8", "Applicable percentage of contract research expenses", REGULAR, "contract_research", p3),
        Line("9", "Total qualified research expenses (add lines 5 through 8)", "computed", "money",
             Add(Ref("5"), Ref("6"), Ref("7"), Ref("8")), p3),
        Line("fixed_base_ratio", "Fixed-base percentage before rounding", "rule", "fraction", part=p3, report=False,
             note=f"As entered, or from the start-up or {catalog.BASE_YEARS} history",
             cites=(*catalog.cites("fixed_base", "existing"), *catalog.STARTUP["cites"])),
        Line("10", "Fixed-base percentage (rounded to 1/100 of 1%, not more than 16%)", "computed", "fraction",
             Min(Round(Ref("fixed_base_ratio"), catalog.FBP_PLACES), const(catalog.FBP_CAP)), p3,
             note="Rounded to four decimals, then capped", decision="NJ306-A3", cites=catalog.cites("fixed_base")),
        Line("11", "Average annual gross receipts for the 4 preceding tax years", "input", part=p3,
             note="A short preceding year's receipts are annualised",
             cites=tuple(catalog.SHORT_YEAR["preceding_year_cites"])),
        Line("credit_year_months", "Months in the credit year (a part of a month counts; 12 for a full year)",
             "rule", "count", part=p3, report=False, note="Short credit year: line 12 is prorated by months ÷ 12",
             decision="NJ306-D3", cites=tuple(short["month_cites"])),
        Line("12", "Base amount (multiply line 11 by line 10)", "computed", "money", _base_amount(), p3,
             note=f"Short credit year: base amount × months ÷ {short['months_in_year']}", decision="NJ306-D3",
             cites=(short["cites"][1], *short["month_cites"])),
        Line("13", "Subtract line 12 from line 9", "computed", "money",
             max0(Sub(Ref("9"), Ref("12"))), p3,
             note="Floored at zero: the statute credits only the excess", decision="NJ306-A1",
             cites=("N.J.S.A. 54:10A-5.24(a)(1)", "26 U.S.C. 41(a)(1)")),
        Line("14", "Multiply line 9 by 50%", "computed", "money",
             Round(Mul(Ref("9"), const(catalog.MINIMUM_BASE_FRACTION)), 2), p3),
        Line("15", "Enter the lesser of line 13 or line 14", "computed", "money", Min(Ref("13"), Ref("14")), p3),
        _qre_line("16", "Wages for qualified services (excluding wages used for the federal jobs credit)", ASC, "wages", p4),
        _qre_line("17", "Cost of supplies", ASC, "supplies", p4),
        _qre_line("18", "Rental or lease costs of computers", ASC, "computer_rental", p4),
        _qre_line("19", "Applicable percentage of contract research expenses", ASC, "contract_research", p4),
        Line("20", "Total qualified research expenses (add lines 16 through 19)", "computed", "money",
             Add(Ref("16"), Ref("17"), Ref("18"), Ref("19")), p4),
        *(_input(f"prior_year_qres[{i}]", f"QREs of prior tax year {i + 1}", part=p4) for i in range(3)),
        Line("21", "Total qualified research expenses for the 3 prior tax years", "computed", "money",
             Add(*(Ref(f"prior_year_qres[{i}]") for i in range(3))), p4),
        Line("asc_no_prior_qres", "Any of the 3 prior tax years without QREs (1 = yes: skip lines 22 and 23)", "rule",
             "count", part=p4, report=False,
             note="Each prior year is tested separately, never the average", decision="NJ306-A4",
             cites=("26 U.S.C. 41(c)(4)(B)",)),
        Line("credit_year_days", f"Days in the credit year ({short['days_divisor']} for a full year)", "rule", "count",
             part=p4, report=False, note="Short credit year: line 22 is prorated by days ÷ 365", decision="NJ306-D4",
             cites=(short["cites"][2],)),
        Line("22", "Divide line 21 by 6.0", "computed", "money", _asc_base(), p4,
             note=f"Short credit year: line 21 ÷ 6.0 × days ÷ {short['days_divisor']}", decision="NJ306-D4",
             cites=(short["cites"][2],)),
        Line("23", "Subtract line 22 from line 20 (not less than zero)", "computed", "money",
             max0(Sub(Ref("20"), Ref("22"))), p4),
        Line("24", "Line 23, or line 20 if lines 22 and 23 were skipped", "computed", "money",
             If(Compare("=", Ref("asc_no_prior_qres"), const(1)), Ref("20"), Ref("23")), p4),
        Line("25a", "Amount from line 1", "computed", "money", Ref("1"), p5),
        Line("25b", "Amount from line 4", "computed", "money", Ref("4"), p5),
        Line("25c", "Add lines 25a and 25b", "computed", "money", Add(Ref("25a"), Ref("25b")), p5),
        Line("26", "Line 15 (regular method) or line 24 (ASC)", "computed", "money",
             If(REGULAR, Ref("15"), Ref("24")), p5),
        Line("27", "Add lines 25c and 26", "computed", "money", Add(Ref("25c"), Ref("26")), p5),
        Line("28", f"Multiply line 27 by {catalog.CREDIT_RATE * 100:.0f}%", "computed", "money",
             Round(Mul(Ref("27"), const(catalog.CREDIT_RATE)), 2), p5, cites=catalog.cites("credit")),
        Line("29", "Credit carried forward from prior years", "rule", part=p5,
             note="Sum of unexpired vintages of the carryforward ledger, counted in accounting periods",
             decision="NJ306-D5", cites=catalog.cites("carryover")),
        Line("30", "Total credit available (add lines 28 and 29)", "computed", "money", Add(Ref("28"), Ref("29")), p5),
        # Part VI: CBT-100, CBT-100S, BFC-1
        Line("31", "Tax liability (page 1, line 2 of the return)", "input", part=p6),
        Line("32", "Required minimum tax", "rule", part=p6, note="Not prorated in a short period",
             decision="NJ306-D9", cites=catalog.cites("minimum_tax")),
        Line("33", "Subtract line 32 from line 31", "computed", "money", Sub(Ref("31"), Ref("32")), p6),
        Line("34", "Other tax credits used on this year's return (total of (a)–(d))", "computed", "money",
             SumRows("other_credits", "counted", label="other credits (a)–(d)"), p6,
             note="Only credits applied before the R&D credit", decision="NJ306-D7",
             cites=tuple(catalog.CREDITS_CATALOGUE["meta"]["cites"])),
        Line("35", "Subtract line 34 from line 33 (not less than zero)", "computed", "money",
             max0(Sub(Ref("33"), Ref("34"))), p6),
        Line("36", "Allowable credit (lesser of line 30 or line 35)", "computed", "money", Min(Ref("30"), Ref("35")), p6),
        Line("37", "Carryover to next year (subtract line 36 from line 30)", "computed", "money",
             Sub(Ref("30"), Ref("36")), p6),
        # Part VII Section A: all CBT-100U filers
        Line("38", "Group tax liability (CBT-100U Schedule A, Part III, line 5, column (a))", "input", part=p7),
        Line("39", "Aggregate minimum tax of the group", "rule", part=p7,
             note=f"Taxable members × ${catalog.COMBINED_MEMBER_MINIMUM:,.0f}",
             cites=catalog.cites("minimum_tax", "combined")),
        Line("40", "Subtract line 39 from line 38", "computed", "money", Sub(Ref("38"), Ref("39")), p7),
        Line("41", "Other tax credits already applied to the group liability (total of (a)–(d))", "computed", "money",
             SumRows("group_other_credits", "counted", label="group other credits (a)–(d)"), p7,
             note="Read as credits already applied to the group liability, before the R&D credit",
             decision="NJ306-A5", cites=tuple(catalog.CREDITS_CATALOGUE["meta"]["cites"])),
        Line("42", "Subtract line 41 from line 40 (not less than zero)", "computed", "money",
             max0(Sub(Ref("40"), Ref("41"))), p7),
        Line("43", "Allowable credit (lesser of line 30 or line 42)", "computed", "money", Min(Ref("30"), Ref("42")), p7),
        Line("44", "Carryover to next year (subtract line 43 from line 30)", "computed", "money",
             Sub(Ref("30"), Ref("43")), p7, note="Members sharing their credit only"),
        # Part VII Section B: members not sharing
        Line("45a", "Amount from line 38", "computed", "money", Ref("38"), p7),
        _input("combined.group_allocation_factor", "Group allocation factor (Schedule J, line 9)", "fraction", p7),
        Line("45b", "Divide line 45a by the group allocation factor", "computed", "money",
             If(Compare(">", Ref("combined.group_allocation_factor"), ZERO_EXPR),
                Round(Div(Ref("45a"), Ref("combined.group_allocation_factor")), 2), ZERO_EXPR), p7,
             note="The factor must be more than zero", decision="NJ306-A6"),
        _input("combined.member_allocation_factor", "Member's allocation factor", "fraction", p7),
        Line("45c", "Member's share of the liability (line 45b × member's allocation factor)", "computed", "money",
             Round(Mul(Ref("45b"), Ref("combined.member_allocation_factor")), 2), p7),
        Line("46", "Required minimum tax", "rule", part=p7,
             note=f"${catalog.COMBINED_MEMBER_MINIMUM:,.0f} as printed on the form",
             cites=catalog.cites("minimum_tax", "combined")),
        Line("47", "Subtract line 46 from line 45c", "computed", "money", Sub(Ref("45c"), Ref("46")), p7),
        Line("48", "Other tax credits used by the taxpayer (total of (a)–(d))", "computed", "money",
             SumRows("member_other_credits", "counted", label="member other credits (a)–(d)"), p7,
             note="Only credits applied before the R&D credit", decision="NJ306-D7"),
        Line("49", "Subtract line 48 from line 47 (not less than zero)", "computed", "money",
             max0(Sub(Ref("47"), Ref("48"))), p7),
        Line("50", "Allowable credit (lesser of line 43 or line 49)", "computed", "money", Min(Ref("43"), Ref("49")), p7),
        Line("51", "Carryover to next year (subtract line 50 from line 30)", "computed", "money",
             Sub(Ref("30"), Ref("50")), p7),
    )


def line(key: str, revision: str = "10-21") -> Line:
    for entry in lines(revision):
        if entry.key == key:
            return entry
    raise KeyError(f"Form 306 has no line {key!r}")


# Which lines each part of the form holds, for deciding what applies to a return.
PART_III = tuple(str(n) for n in range(5, 16))
PART_IV = tuple(str(n) for n in range(16, 25))
PART_VI = tuple(str(n) for n in range(31, 38))
SECTION_A = tuple(str(n) for n in range(38, 44))
SECTION_B = ("45a", "45b", "45c", *(str(n) for n in range(46, 52)))

_NAMES = {
    "base_period_amount": "base period amount entered",
    "federal_method": "federal method",
    "contract_research_applicable": "contract research paid at applicable percentages",
    "fixed_base_ratio": "fixed-base percentage",
    "asc_no_prior_qres": "no-prior-QRE test",
    "combined.group_allocation_factor": "group allocation factor",
    "combined.member_allocation_factor": "member's allocation factor",
}


def name_of(key: str) -> str:
    """How an explanation names a value: 'line 25a', 'wages', 'prior-year QREs (1)'."""
    if key[:1].isdigit():
        return f"line {key}"
    if key in _NAMES:
        return _NAMES[key]
    if key.startswith("prior_year_qres["):
        return f"prior-year QREs ({int(key[16:-1]) + 1})"
    if key.startswith("qre."):
        return key[4:].replace("_", " ")
    if key.startswith("contract_research_paid."):
        return "contract research paid (" + key.split(".", 1)[1].replace("_", " ") + ")"
    return key.replace("_", " ")
