"""Form 7207, line by line: the one definition from which the engine, the workbook formulas, the
audit trail, the JSON keys and the defined names all come."""

from __future__ import annotations

from functools import cache

from ...expr import Add, Expr, Min, Mul, Ref, Round, Sub, SumRows, const
from ...lines import InputField, Line
from ...numbers import ONE
from ...schedules import Column, Schedule
from . import catalog
from .catalog import BATTERY_MAX_RATIO, PART_II
from .eligibility import pct

FORM = "7207"
TITLE = "Form 7207 — Advanced Manufacturing Production Credit"

# --- Schedules ---------------------------------------------------------------------------

_YEARS_AND_RULES = (
    Column("sold_year", "Year sold", "input", "year", 9,
           help="Calendar year sold. May be left blank only when every calendar year of the tax period gives the "
                "row the same credit (then: the year the tax year ends)"),
    Column("produced_year", "Year produced", "input", "year", 9,
           help="Calendar year produced. May be left blank only when every calendar year of the tax period gives "
                "the row the same credit"),
    Column("macr", "MACR", "input", "fraction", 9, help="Material assistance cost ratio (0–100%)"),
)
_RULE_COLUMNS = (
    Column("rate", "Rate (c)", "rule", "rate", 10, help="Statutory rate of the line (see the note on each cell)"),
    Column("phase_out", "Phase-out %", "rule", "fraction", 10, help="Phase-out percentage for the year (see the note)"),
    Column("eligible", "Eligible", "rule", "count", 8, help="1 = earns credit; 0 = excluded (see the note)"),
)
_ROW_RESULT = (
    Column("credit", "Credit", "computed", "money", 14, help="(d) × rate × phase-out × eligible, before rounding"),
)

PRODUCTS = Schedule(
    key="products", title="Part II products", json_field="components", max_rows=2000, line_column="line",
    help="One row per product sold. Capacity lines: units and capacity per unit. Measured lines: quantity. Line 4a: costs.",
    columns=(
        Column("line", "Line", "input", "text", 7, choices=tuple(catalog.PRODUCT_LINES)),
        Column("description", "Description", "input", "text", 34),
        Column("units", "Units sold", "input", "quantity", 12),
        Column("capacity_per_unit", "Capacity per unit (W or kWh)", "input", "quantity", 14),
        Column("quantity", "Quantity (kg or m²)", "input", "quantity", 14),
        Column("costs", "Costs ($)", "input", "money", 14),
        *_YEARS_AND_RULES,
        Column("max_discharge_kw_per_unit", "Max discharge kW per unit", "input", "quantity", 12),
        # optional figures of the statutory definitions: below the minimum, the row earns nothing
        Column("wafer_area_cm2", "Wafer area cm² (1b, optional)", "input", "quantity", 11),
        Column("purity", "Purity (1c, optional)", "input", "quantity", 12),
        Column("energy_density_wh_per_l", "Cell Wh/L (5a, optional)", "input", "quantity", 11),
        Column("measure", "Column (d) amount", "computed", "quantity", 14,
               help="units × capacity (batteries capped at 100 × max discharge), or quantity, or costs"),
        *_RULE_COLUMNS, *_ROW_RESULT,
    ),
)

VESSELS = Schedule(
    key="vessels", title="Part III related offshore wind vessels", json_field="vessels", max_rows=49,
    columns=(
        Column("name", "(a) Name of vessel", "input", "text", 26),
        Column("purpose", "(b) Purpose", "input", "text", 22),
        Column("official_number", "(c) Official number", "input", "text", 14),
        Column("status", "(d) New or retrofitted", "input", "text", 12, choices=("new", "retrofitted")),
        Column("sales_price", "(e) Sales price", "input", "money", 16),
        *_YEARS_AND_RULES, *_RULE_COLUMNS, *_ROW_RESULT,
    ),
)

MINERALS = Schedule(
    key="minerals", title="Part IV applicable critical minerals", json_field="critical_minerals", max_rows=500,
    line_column="line",
    columns=(
        Column("line", "Part IV line (1–73)", "input", "count", 9, choices=tuple(str(n) for n in range(1, 74))),
        Column("description", "Description", "input", "text", 34),
        Column("costs", "Costs incurred ($)", "input", "money", 16),
        *_YEARS_AND_RULES, *_RULE_COLUMNS, *_ROW_RESULT,
    ),
)

COAL = Schedule(
    key="coal", title="Line 6b metallurgical coal", json_field="metallurgical_coal", max_rows=100,
    columns=(
        Column("description", "Description", "input", "text", 34),
        Column("costs", "Costs incurred ($)", "input", "money", 16),
        *_YEARS_AND_RULES, *_RULE_COLUMNS, *_ROW_RESULT,
    ),
)

SCHEDULES = (PRODUCTS, VESSELS, MINERALS, COAL)

# --- Row arithmetic ------------------------------------------------------------------------

def _not_eligible(_value) -> str:
    return "0 (not eligible)"


# One expression computes a row's credit and, through `substitute`, explains it: the phase-out
# and eligibility factors show only when they change the amount ("50,000 × 0.04 × 75%").
ROW_CREDIT: Expr = Mul(Ref("measure"), Ref("rate"), Ref("phase_out", hide_if=ONE, shown_as=pct),
                       Ref("eligible", hide_if=ONE, shown_as=_not_eligible))
EARNING = ("phase_out", "eligible")  # a row counts in column (d) only when both are above zero (F7207-D5)


def product_measure(measure: str, capped_battery: bool) -> Expr:
    """Column (d) of one product row, by the kind of line it is on."""
    if measure == "capacity":
        capacity: Expr = Ref("capacity_per_unit")
        if capped_battery:  # §45X(b)(4): capacity counted at most 100 × maximum discharge power
            capacity = Min(capacity, Mul(const(BATTERY_MAX_RATIO), Ref("max_discharge_kw_per_unit")))
        return Mul(Ref("units"), capacity)
    return Ref(measure)  # "quantity" or "costs"


# --- Scalar inputs (Part I and amounts) ----------------------------------------------------

FIELDS = (
    InputField("filer.name", "Name(s) shown on return", "text"),
    InputField("filer.tin", "Identifying number", "text"),
    InputField("tax_year", "Tax year", "tax_year"),
    InputField("entity_type", "Kind of filer", "choice", choices=(
        "corporation", "partnership", "s_corporation", "estate_or_trust", "individual", "other")),
    InputField("facility.registration_number", "Registration number", "text", "1"),
    InputField("facility.placed_in_service", "Date facility placed in service", "date", "2"),
    InputField("facility.address", "Address of facility", "text", "3a"),
    InputField("facility.description", "Description of facility", "text", "3a"),
    InputField("facility.owner_name", "Owner's name, if different from filer", "text", "3b"),
    InputField("facility.owner_tin", "Owner's TIN, if different from filer", "text", "3b"),
    InputField("facility.latitude", "Latitude", "number", "4"),
    InputField("facility.longitude", "Longitude", "number", "4"),
    InputField("facility.related_person_election", "Election under §45X(a)(3)(B) (related-person sales)", "bool", "5"),
    InputField("facility.section_48c_property", "Includes property of a facility claiming §48C", "bool", "6"),
    InputField("attestations.prohibited_foreign_entity",
               "Filer is a specified foreign entity or foreign-influenced entity", "bool"),
    InputField("passthrough_credit", "Credit from partnerships, S corporations, estates and trusts", "money", "7"),
    InputField("allocated_to_beneficiaries", "Estates and trusts: amount allocated to beneficiaries", "money", "8b"),
)

# --- Lines ---------------------------------------------------------------------------------


def _part_ii_line(entry: catalog.PartIILine) -> list[Line]:
    key = entry.line
    rate = Line(f"{key}.c", f"{entry.label}: rate", "rule", "rate", part="Part II", report=False,
                note=f"{entry.rate} per {entry.unit_text}", cites=entry.cites)
    if entry.fed_by == "vessels":
        d: Expr = Ref("III.total")
        e_rows = SumRows("vessels", "credit", label="Part III row credits", positive=EARNING)
    elif entry.fed_by == "critical_minerals":
        d = Ref("IV.74")
        e_rows = SumRows("minerals", "credit", label="Part IV row credits", positive=EARNING)
    elif entry.fed_by == "metallurgical_coal":
        d = SumRows("coal", "costs", label="metallurgical coal costs earning credit", positive=EARNING)
        e_rows = SumRows("coal", "credit", label="metallurgical coal row credits", positive=EARNING)
    else:
        d = SumRows("products", "measure", "line", key, label=f"sum of line {key} products earning credit",
                    positive=EARNING)
        e_rows = SumRows("products", "credit", "line", key, label=f"sum of line {key} product credits",
                         positive=EARNING)
    unit = {"capacity": entry.unit}.get(entry.measure, "money" if entry.measure in ("costs", "sales_price") else entry.unit)
    return [
        rate,
        Line(f"{key}.d", f"{entry.label} ({entry.unit_text})", "computed", unit, d, "Part II"),
        Line(f"{key}.e", f"{entry.label}: credit", "computed", "money", Round(e_rows, 2), "Part II",
             note="(c) × (d) for each product, times its phase-out percentage and eligibility; rounded to cents"),
    ]


@cache
def lines(revision: str) -> tuple[Line, ...]:
    """Every line of the given revision, in an order where each line's inputs come first."""
    out: list[Line] = [
        Line("III.total", "Part III total of sales prices (to line 2a, column (d))", "computed", "money",
             SumRows("vessels", "sales_price", label="Part III sales prices earning credit", positive=EARNING),
             "Part III"),
    ]
    for n, mineral in catalog.minerals().items():
        out.append(Line(f"IV.{n}", mineral.description, "computed", "money",
                        SumRows("minerals", "costs", "line", str(n), label=f"costs of line {n} rows earning credit",
                                positive=EARNING), "Part IV"))
    out.append(Line("IV.74", "Total (add lines 1 through 73) (to line 6a, column (d))", "computed", "money",
                    Add(*(Ref(f"IV.{n}") for n in catalog.minerals()), summary="Part IV lines 1 through 73"),
                    "Part IV"))
    part_ii = catalog.lines_of_revision(revision)
    for entry in part_ii:
        out.extend(_part_ii_line(entry))
    out += [
        Line("passthrough_credit", "Credit from pass-through entities (Schedule K-1)", "input", report=False),
        Line("entity_eligible", "Filer may claim the credit (not a prohibited foreign entity)", "rule", "count",
             report=False, note="1 unless the filer attests it is a specified foreign or foreign-influenced entity",
             cites=catalog.cites("foreign_entity")),
        Line("7", "Credit from partnerships, S corporations, estates, and trusts", "computed", "money",
             Mul(Ref("passthrough_credit"), Ref("entity_eligible")), "Part II"),
        Line("8a", "Add column (e), lines 1a through 6b, and line 7 (Form 3800, Part III, line 1b)", "computed",
             "money", Add(*(Ref(f"{e.line}.e") for e in part_ii), Ref("7"),
                       summary=f"column (e) of lines 1a through {part_ii[-1].line}, plus line 7"), "Part II"),
        Line("8b", "Estates and trusts: amount allocated to beneficiaries", "input", "money", part="Part II"),
        Line("8c", "Estates and trusts: subtract line 8b from line 8a (Form 3800, Part III, line 1b)", "computed",
             "money", Sub(Ref("8a"), Ref("8b")), "Part II"),
    ]
    return tuple(out)


def name_of(key: str) -> str:
    """How an explanation names a value: 'line 1a(e)', 'Part IV line 38', 'units'."""
    if key.startswith("IV."):
        return f"Part IV line {key[3:]}"
    if key == "III.total":
        return "Part III total"
    if "." in key and key.split(".")[0] in PART_II:
        line, column = key.split(".")
        return f"line {line}({column})"
    if key[:1].isdigit():
        return f"line {key}"
    return key.replace("_", " ")
