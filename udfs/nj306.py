"""NJ Form 306 (R&D credit) worksheet functions: thin wrappers over xlcredits.forms.nj306.

`NJ_RD_CREDIT` builds the engine's JSON input from its arguments and returns the engine's line
28; the helpers call the engine's catalog functions. Nothing here knows a rate, a bracket or a
cap: the help texts that mention one are built from the rules data (nj306.toml) at import, and the
engine is imported on first use.
"""

from decimal import Decimal
from typing import Any

import xlwings as xw

from xlcredits import rules
from xlcredits.rules.text import percent

from ._excel import (
    CATEGORY,
    ExcelInputError,
    cells_of,
    described,
    guarded,
    is_empty,
    money,
    number,
    shown,
    table_of,
    to_decimal,
    to_text,
)

# The help texts Excel shows (Function Wizard, the add-in's descriptions) restate rules: they are
# built here from the rules data, so a change of the law changes them too. Only the parsed TOML is
# read at import (a few milliseconds); the engine still loads on first use.
NJ = rules.load("nj306")
FIXED_BASE, STARTUP, EXISTING = NJ["fixed_base"], NJ["fixed_base"]["startup"], NJ["fixed_base"]["existing"]
LATER = STARTUP["later"]
CAP = percent(FIXED_BASE["cap"])
FIRST_PERCENTAGE = STARTUP["first_years_percentage"]
BASE_YEARS = f"{EXISTING['first_year']}-{EXISTING['last_year']}"  # ASCII: the add-in's VBA text

QRE_PARTS = ("wages", "supplies", "computer_rental", "contract_research")  # lines 5-8 / 16-19
# JSON fields of the engine's input -> the argument of NJ_RD_CREDIT that fed them
ARGUMENT_OF = {"qre": "qre", "fixed_base_percentage": "base", "prior_year_qres": "base",
               "average_gross_receipts": "avg_gross_receipts", "energy_consortia": "energy_consortia",
               "basic_research_payments": "basic_research_payments", "base_period_amount": "base_period_amount"}


def _catalog():
    try:
        from xlcredits.forms.nj306 import catalog
    except ImportError:
        raise ExcelInputError("the NJ-306 engine is not installed with this xlcredits", "ERROR") from None
    return catalog


def _engine(function, *args):
    """Call an engine function; its ValueError (an input it cannot use) becomes "#INPUT: ..."."""
    try:
        return function(*args)
    except ValueError as exc:
        raise ExcelInputError(str(exc)) from None


def _amount(value: Any, name: str, default: Decimal | None = None) -> Decimal:
    if is_empty(value) and default is not None:
        return default
    return to_decimal(value, name)


def _qre(value: Any) -> dict:
    """QREs: one total, or a range of up to four parts in the form's order (wages, supplies,
    computer rental, contract research at its applicable percentage)."""
    if not isinstance(value, (list, tuple)):
        return {"wages": to_decimal(value, "qre")}
    cells = cells_of(value)
    if not 1 <= len(cells) <= len(QRE_PARTS):
        raise ExcelInputError(f"qre must be one amount or a range of up to 4 (wages, supplies, computer rental, "
                              f"contract research); got {len(cells)} cells")
    return {part: _amount(cell, f"qre ({part.replace('_', ' ')})", Decimal(0)) for part, cell in zip(QRE_PARTS, cells)}


@xw.func(category=CATEGORY)
@xw.arg("method", doc='"regular" (Part III) or "asc" (alternative simplified credit, Part IV): the method used '
                      'on the federal Form 6765.')
@xw.arg("qre", doc="Qualified research expenses performed in NJ this year: the total, or a range of the four "
                   "parts (wages, supplies, computer rental, contract research at its %).")
@xw.arg("base", doc=f'Regular: the fixed-base percentage ({FIRST_PERCENTAGE} or "{percent(FIRST_PERCENTAGE)}"; capped at '
                    f'{CAP} by the engine). ASC: a range of the three prior years\' QREs (a blank or 0 year means '
                    'it had none).')
@xw.arg("avg_gross_receipts", doc="Regular method only (required): average annual gross receipts of the 4 "
                                  "preceding tax years (line 11).")
@xw.arg("energy_consortia", doc="Line 1: amounts paid to energy research consortia (default 0).")
@xw.arg("basic_research_payments", doc="Line 2: basic research payments to qualified organizations (default 0).")
@xw.arg("base_period_amount", doc="Line 3: base period amount under §41(e) (default 0).")
@guarded
@described(f"NJ Form 306 line 28: the NJ research and development credit for the year ({percent(NJ['credit']['rate'])} of "
           "line 27), by the regular or the alternative simplified (ASC) method.")
def NJ_RD_CREDIT(method: Any, qre: Any, base: Any, avg_gross_receipts: Any = None, energy_consortia: Any = 0,
                 basic_research_payments: Any = 0, base_period_amount: Any = 0) -> Any:
    name = to_text(method, "method", '"regular" or "asc"').lower()
    if name not in ("regular", "asc"):
        raise ExcelInputError(f'method must be "regular" or "asc" (got {shown(method)})')
    data: dict = {
        "form": "NJ-306", "tax_year": _tax_year(), "return_type": "CBT-100", "federal_method": name,
        "energy_consortia": _amount(energy_consortia, "energy_consortia", Decimal(0)),
        "basic_research_payments": _amount(basic_research_payments, "basic_research_payments", Decimal(0)),
        "base_period_amount": _amount(base_period_amount, "base_period_amount", Decimal(0)),
        "qre": _qre(qre),
        # Part VI (lines 31-37) is not asked for: zero liability and minimum tax keep it quiet
        "tax_liability": Decimal(0), "minimum_tax": Decimal(0),
    }
    if name == "regular":
        if isinstance(base, (list, tuple)):
            raise ExcelInputError("base must be one cell, the fixed-base percentage, for the regular method")
        data["fixed_base_percentage"] = to_decimal(base, "base (the fixed-base percentage)")
        if is_empty(avg_gross_receipts):
            raise ExcelInputError("avg_gross_receipts is required for the regular method")
        data["average_gross_receipts"] = to_decimal(avg_gross_receipts, "avg_gross_receipts")
    else:
        cells = cells_of(base)
        if len(cells) != 3:
            raise ExcelInputError(f"base must be a range of the three prior years' QREs for the ASC method "
                                  f"(got {len(cells)} cell{'s' if len(cells) != 1 else ''})")
        data["prior_year_qres"] = [_amount(cell, f"base (prior year {i + 1} QREs)", Decimal(0))
                                   for i, cell in enumerate(cells)]
        if not is_empty(avg_gross_receipts):
            raise ExcelInputError("avg_gross_receipts belongs to the regular method; leave it empty for ASC")
    return money(_line_28(data))


def _tax_year() -> int:
    """Line 28 does not depend on the tax year, but the engine's input needs one: the first year of
    the engine's latest form revision."""
    return max(int(year) for year in _catalog().RULES["revisions"])


def _line_28(data: dict) -> Decimal:
    from xlcredits.forms.nj306.compute import compute

    result = compute(data)
    errors = [f for f in result.findings if f.severity == "error"]
    if errors:
        first = errors[0]
        message = first.message
        field = first.where.split(".")[0].split("[")[0]
        if field in ARGUMENT_OF and ARGUMENT_OF[field] != field:
            message = f"{ARGUMENT_OF[field]}: {message}"
        raise ExcelInputError(message, "INPUT" if first.blocking else "RULE")
    value = result.lines.get("28")
    if value is None:
        raise ExcelInputError("the engine gave no line 28 for these inputs", "RULE")
    return value


# --- helpers -------------------------------------------------------------------------------


@xw.func(category=CATEGORY)
@xw.arg("nj_gross_receipts", doc="New Jersey gross receipts for the period.")
@xw.arg("return_type", doc='"CBT-100" (default), "CBT-100S" or "BFC-1".')
@xw.arg("group_payroll", doc="Separate filers in an affiliated or controlled group: the group's total payroll "
                             "for the period (optional).")
@xw.arg("period_months", doc="Months in the period (default 12).")
@guarded
def NJ_MINIMUM_TAX(nj_gross_receipts: Any, return_type: Any = "CBT-100", group_payroll: Any = None,
                   period_months: Any = 12) -> Any:
    """NJ Corporation Business Tax minimum tax (Form 306 line 32) for New Jersey gross receipts and return type."""
    catalog = _catalog()
    kind = "CBT-100" if is_empty(return_type) else to_text(return_type, "return_type", '"CBT-100"').upper()
    receipts = to_decimal(nj_gross_receipts, "nj_gross_receipts")
    payroll = to_decimal(group_payroll, "group_payroll", required=False)
    months = None if is_empty(period_months) else to_decimal(period_months, "period_months")
    return money(_engine(catalog.minimum_tax, kind, receipts, payroll, months))


def _whole(value: Any, name: str) -> int:
    """A whole number such as a start-up year (1, 2, ...); the engine checks its range."""
    count = to_decimal(value, name)
    if count != count.to_integral_value():
        raise ExcelInputError(f"{name} must be a whole number (got {shown(value)})")
    return int(count)


@xw.func(category=CATEGORY)
@xw.arg("credit_year", doc="Which start-up year the credit year is: 1, 2, ... counting tax years beginning "
                           f"after {STARTUP['from'].year - 1} with QREs.")
@xw.arg("history", doc="Range with one row per earlier start-up year: year number (1, 2, ...), QREs, gross "
                       "receipts. A header row is skipped; blank rows are ignored.")
@xw.arg("selected_years", doc=f"Start-up year {LATER['from_year']} and later: the {LATER['choose']} of years "
                              f"{LATER['among'][0]}-{LATER['among'][-1]} chosen by the taxpayer (optional range; "
                              "empty: the engine picks the lowest and says so).")
@guarded
@described("Start-up company fixed-base percentage (Form 306 line 10) for a credit year from the history of QREs and "
           f"gross receipts ({percent(FIRST_PERCENTAGE)} for years 1-{STARTUP['first_years']}, then the §41(c)(3)(B) "
           "ratios).")
def NJ_FIXED_BASE_STARTUP(credit_year: Any, history: Any, selected_years: Any = None) -> Any:
    catalog = _catalog()
    year = _whole(credit_year, "credit_year")
    rows = []
    for r, row in enumerate(table_of(history)):
        if all(is_empty(cell) for cell in row):
            continue
        if r == 0 and isinstance(row[0], str) and not row[0].strip().isdigit():
            continue  # a header row such as "Year | QREs | Gross receipts"
        if len(row) < 3:
            raise ExcelInputError(f"history must have three columns (year, QREs, gross receipts); row {r + 1} "
                                  f"has {len(row)}")
        rows.append({"year": _whole(row[0], f"history row {r + 1} year"),
                     "qre": to_decimal(row[1], f"history row {r + 1} QREs"),
                     "gross_receipts": to_decimal(row[2], f"history row {r + 1} gross receipts")})
    chosen = None
    if not is_empty(selected_years) and not (isinstance(selected_years, (list, tuple))
                                             and all(is_empty(c) for c in cells_of(selected_years))):
        chosen = [_whole(cell, "selected_years") for cell in cells_of(selected_years) if not is_empty(cell)]
    return number(_engine(catalog.startup_fixed_base_percentage, year, rows, chosen))


@xw.func(category=CATEGORY)
@xw.arg("qre_total", doc=f"Aggregate QREs of the tax years beginning after {EXISTING['first_year'] - 1} and before "
                         f"{EXISTING['last_year'] + 1}.")
@xw.arg("gross_receipts_total", doc="Aggregate gross receipts of the same years.")
@guarded
@described(f"Existing company fixed-base percentage (Form 306 line 10): {BASE_YEARS} QREs over gross receipts, rounded "
           f"to {FIXED_BASE['places']} decimals and capped at {CAP} by the engine.")
def NJ_FIXED_BASE_EXISTING(qre_total: Any, gross_receipts_total: Any) -> Any:
    catalog = _catalog()
    qres = to_decimal(qre_total, "qre_total")
    receipts = to_decimal(gross_receipts_total, "gross_receipts_total")
    return number(_engine(catalog.fixed_base_percentage_existing, qres, receipts))


@xw.func(category=CATEGORY)
@xw.arg("credit_available", doc="Line 30: total credit available (this year's credit plus carryforward).")
@xw.arg("liability", doc="Line 31: tax liability (page 1, line 2 of the return; excluding surtax and transit fee).")
@xw.arg("minimum_tax", doc="Line 32: required minimum tax (see NJ_MINIMUM_TAX).")
@xw.arg("other_credits", doc="Line 34: other tax credits used on this year's return: an amount or a range of "
                             "amounts, lines 34(a)-(d). Default 0.")
@guarded
def NJ_ALLOWABLE_CREDIT(credit_available: Any, liability: Any, minimum_tax: Any, other_credits: Any = 0) -> Any:
    """NJ Form 306 line 36: the allowable credit, the lesser of the credit available and the liability above the minimum tax after other credits."""
    catalog = _catalog()
    available = to_decimal(credit_available, "credit_available")
    owed = to_decimal(liability, "liability")
    minimum = to_decimal(minimum_tax, "minimum_tax")
    others = [to_decimal(cell, "other_credits") for cell in cells_of(other_credits) if not is_empty(cell)]
    return money(_engine(catalog.allowable_credit, available, owed, minimum, others))
