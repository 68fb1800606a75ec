"""Form 7207 (§45X) worksheet functions: thin wrappers over the engine in xlcredits.forms.f7207.

Every rate, phase-out and eligibility rule comes from the engine: `CREDIT_45X` asks the engine's
`unit_credit` (forms/f7207/unit.py) for the credit of one unit of a row (rate × phase-out ×
eligibility, by the same rule functions as a full return) once per distinct line, years and MACR,
caches it, and multiplies; the engine says whether a problem is the law's (#RULE) or the
input's (#INPUT). The engine is imported on first use, not when Excel loads `udfs`.
"""

from datetime import date
from decimal import Decimal, localcontext
from typing import Any

import xlwings as xw

from xlcredits.numbers import CENT, ENGINE_CONTEXT

from ._cents import Factor, exact_cents
from ._excel import (
    CATEGORY,
    LIMIT,
    ExcelInputError,
    guarded,
    is_empty,
    money,
    number,
    rows_of,
    shown,
    to_date,
    to_decimal,
    to_text,
    to_year,
)

LINE_EXAMPLE = '"1e" or "solar_module"'

# --- engine look-ups, cached -------------------------------------------------------------

_LINES: dict = {}  # what the preparer typed -> the engine's PartIILine
_FACTORS: dict = {}  # (line, sold, produced, tax year begins, macr) -> Decimal, or the ExcelInputError


def _catalog():
    from xlcredits.forms.f7207 import catalog

    return catalog


def line_of(value: Any, name: str = "component"):
    """The engine's Part II line for "1e", "1E", "solar_module" or "Solar module"."""
    try:
        return _LINES[value]
    except (KeyError, TypeError):
        pass
    text = to_text(value, name, LINE_EXAMPLE)
    catalog = _catalog()
    entry = catalog.find_line(text)
    if entry is None:
        raise ExcelInputError(f"{name} {shown(text)} is not a Form 7207 Part II line or component "
                              f"(lines {', '.join(catalog.PART_II)})")
    if isinstance(value, str):
        _LINES[value] = entry
    return entry


def _engine_unit():
    from xlcredits.forms.f7207 import unit

    return unit


def _error(problem, line: str) -> ExcelInputError:
    """The engine's reason as a cell message: the law's ("#RULE") or the input's ("#INPUT")."""
    reason = problem.reason
    return ExcelInputError(f"line {line}: {reason}" if problem.kind == "excluded" else reason,
                           "RULE" if problem.kind == "excluded" else "INPUT")


def unit_credit(entry, sold: int | None, produced: int | None, begins: date | None,
                macr: Decimal | None = None) -> Decimal:
    """The engine's credit for one unit of column (d) on `entry`'s line, for these years (cached)."""
    key = (entry.line, sold, produced, begins, macr)
    cached = _FACTORS.get(key)
    if cached is None:
        answer = _engine_unit().unit_credit(entry, sold, produced, begins, macr)
        cached = _FACTORS[key] = _error(answer.problem, entry.line) if answer.problem else answer.credit
    if isinstance(cached, ExcelInputError):
        raise cached
    return cached


def check_size(entry, capacity: Decimal) -> None:
    """Raise "#RULE: ..." when a size per unit is not the component of the line (45X(c)(2), (c)(5))."""
    if entry.size:
        problem = _engine_unit().size_problem(entry, capacity)
        if problem is not None:
            raise _error(problem, entry.line)


def _factor(entry, unit: Decimal) -> Factor:
    bounds = tuple((b.kind, float(b.value)) for b in entry.size)
    return Factor(unit, entry, bounds)


# --- CREDIT_45X ----------------------------------------------------------------------------

ARGS = ("component", "quantity", "capacity_per_unit", "year_sold", "year_produced", "tax_year_begins", "macr")
KEY_ARGS = (0, 3, 4, 5, 6)  # the arguments that choose the per-unit credit


def _measure(entry, quantity: Decimal, capacity: Any, convert) -> Decimal:
    """Column (d) of one row: units × capacity on capacity lines, else the quantity itself."""
    if entry.measure == "capacity":
        if is_empty(capacity):
            raise ExcelInputError(f"capacity_per_unit is required for line {entry.line} ({entry.unit_text} per unit)")
        per_unit = convert(capacity, "capacity_per_unit")
        check_size(entry, per_unit)
        return ENGINE_CONTEXT.multiply(quantity, per_unit)
    if not is_empty(capacity):
        raise ExcelInputError(f"capacity_per_unit does not apply to line {entry.line} "
                              f"(quantity is in {entry.unit_text}); leave it empty")
    return quantity


def _plain_decimal(value: Any, name: str) -> Decimal:
    return to_decimal(value, name)


def _macr(value: Any) -> Decimal | None:
    if is_empty(value):
        return None
    ratio = to_decimal(value, "macr")
    if ratio > 1:
        raise ExcelInputError(f"macr must be a fraction from 0 to 1, e.g. 0.65 (got {shown(value)})")
    return ratio


def _unit_of(row: tuple):
    entry = line_of(row[0])
    return entry, unit_credit(entry, to_year(row[3], "year_sold"), to_year(row[4], "year_produced"),
                              to_date(row[5], "tax_year_begins"), _macr(row[6]))


def credit_row(component, quantity, capacity_per_unit=None, year_sold=None, year_produced=None,
               tax_year_begins=None, macr=None) -> float:
    """One row's credit in dollars (raises ExcelInputError)."""
    entry = line_of(component)
    q = to_decimal(quantity, "quantity")
    measure = _measure(entry, q, capacity_per_unit, _plain_decimal)
    _, factor = _unit_of((component, quantity, capacity_per_unit, year_sold, year_produced, tax_year_begins, macr))
    return money(ENGINE_CONTEXT.multiply(measure, factor))


def _aligned(values: tuple, columns: list) -> tuple[list, list[int], list]:
    """Every argument as a column of the ranges' height (a single value repeated), the indexes of the
    ranged arguments, and each row's cache key (the ranged ones of component, years and MACR)."""
    lengths = {ARGS[i]: len(col) for i, col in enumerate(columns) if col is not None}
    if len(set(lengths.values())) > 1:
        sizes = ", ".join(f"{name} {n}" for name, n in lengths.items())
        raise ExcelInputError(f"ranges differ in length ({sizes} rows); give ranges of the same height")
    n = next(iter(lengths.values()))
    cols = [col if col is not None else [value] * n for col, value in zip(columns, values)]
    ranged = [i for i, col in enumerate(columns) if col is not None]
    key_args = [i for i in KEY_ARGS if columns[i] is not None] or [0]
    keys = cols[0] if key_args == [0] else list(zip(*(cols[i] for i in key_args)))
    return cols, ranged, keys


def credit_column(values: tuple, columns: list) -> list[list]:
    """One [result] per row: the vectorised path (one call for a whole range).

    The engine's answer per line, years and MACR is cached, keyed by the ranged ones of those
    arguments (usually the component alone). Rows whose quantity and capacity are plain floats
    are computed in exact integers (`udfs._cents`); any other row (text numbers, exponent forms)
    takes the Decimal path of a single call. Both give the credit in cents = round half up
    (quantity × capacity × rate × phase-out × 100) exactly, the same float (tests check it). A
    row with a problem gets its own "#INPUT: ..." or "#RULE: ..." and the other rows still compute;
    a row blank in every range stays blank.
    """
    cols, ranged, keys = _aligned(values, columns)

    factors: dict = {}  # key -> Factor, successes only
    factors_get = factors.get
    limit = float(LIMIT)
    out: list = []
    append = out.append
    with localcontext(ENGINE_CONTEXT):
        i = -1
        for key, quantity, capacity in zip(keys, cols[1], cols[2]):
            i += 1
            f = factors_get(key)
            if f is not None and quantity.__class__ is float and 0.0 <= quantity <= limit:
                # the hot loop: whole numbers, every product below 2**53, so float arithmetic is exact
                if f.per_unit:
                    if capacity.__class__ is float and 0.0 <= capacity and quantity.is_integer() \
                            and capacity.is_integer() and f.size_ok(capacity):
                        x = quantity * capacity
                        if x <= f.float_limit:
                            append([((x * f.num200 + f.half) // f.den2) / 100])
                            continue
                elif capacity is None and quantity <= f.float_limit and quantity.is_integer():
                    append([((quantity * f.num200 + f.half) // f.den2) / 100])
                    continue
                if not f.per_unit or (capacity.__class__ is float and f.size_ok(capacity)):
                    exact = exact_cents(f, quantity, capacity, limit)
                    if exact is not None:
                        append([exact])
                        continue
            append([_row_credit(tuple(col[i] for col in cols), key, f, factors, ranged, limit)])
    return out


def _row_credit(row: tuple, key, f: Factor | None, factors: dict, ranged: list[int], limit: float):
    """A row the hot loop of `credit_column` did not finish: its key seen for the first time (the
    engine is asked and its answer cached in `factors`), or numbers that are not plain floats (the
    Decimal path of a single call). The credit, None for a blank row, or the row's "#INPUT: ..."."""
    quantity, capacity = row[1], row[2]
    try:
        if f is None:
            if all(is_empty(row[j]) for j in ranged):
                return None  # blank in every range: stays blank
            entry, unit = _unit_of(row)
            f = factors[key] = _factor(entry, unit)
            if not f.per_unit or (capacity.__class__ is float and f.size_ok(capacity)):
                exact = exact_cents(f, quantity, capacity, limit)
                if exact is not None:
                    return exact
        measure = _measure(f.entry, to_decimal(quantity, "quantity"), capacity, _plain_decimal)
        return float((measure * f.unit).quantize(CENT))
    except ExcelInputError as exc:
        return exc.text


@xw.func(category=CATEGORY)
@xw.arg("component", doc='Form 7207 Part II line ("1e") or component name ("solar_module"); case-insensitive. '
                         'A range gives one result per row.')
@xw.arg("quantity", doc="Capacity lines: units sold. Lines 1b-1d, 1f, 1g: kg or m². Lines 2a, 4a, 6a, 6b: "
                        "sales price or costs in dollars.")
@xw.arg("capacity_per_unit", doc="Capacity lines only: W per unit (turbine rating for 2b-2f, AC for inverters) "
                                 "or kWh per unit for batteries (5a-5c); it must fit the line's size class. "
                                 "Leave empty on other lines.")
@xw.arg("year_sold", doc="Calendar year sold; sets the phase-out (see =PHASEOUT_45X(year)). "
                         "Default: year produced, else the tax year.")
@xw.arg("year_produced", doc="Calendar year produced (critical minerals phase-out, wind and coal cut-offs). "
                             "Default: year sold.")
@xw.arg("tax_year_begins", doc="First day of the tax year (date, or a year for 1 January). Default: 1 January "
                               "of the year sold. Decides which rules are in force (e.g. 6a/6b, MACR).")
@xw.arg("macr", doc="Optional material assistance cost ratio, 0 to 1. When given, a row below its category's "
                    "threshold (see =MACR_THRESHOLD_45X) returns #RULE.")
@guarded
def CREDIT_45X(component: Any, quantity: Any, capacity_per_unit: Any = None, year_sold: Any = None,
               year_produced: Any = None, tax_year_begins: Any = None, macr: Any = None) -> Any:
    """Form 7207 (§45X) credit in dollars for one product row after the phase-out and the form's eligibility rules ("#RULE: reason" if ineligible). Rounds each row to cents; the form rounds each line. Ranges give one result per row."""
    values = (component, quantity, capacity_per_unit, year_sold, year_produced, tax_year_begins, macr)
    columns = [rows_of(value, name) for value, name in zip(values, ARGS)]
    if all(column is None for column in columns):
        return credit_row(*values)
    return credit_column(values, columns)


# --- helpers an accountant reaches for -----------------------------------------------------


@xw.func(category=CATEGORY)
@xw.arg("component", doc='Form 7207 Part II line ("1e") or component name ("solar_module").')
@guarded
def RATE_45X(component: Any) -> Any:
    """Statutory rate (column (c)) of a Form 7207 Part II line: dollars per W, kWh, kg or m², or a fraction of costs / sales price for lines 2a, 4a, 6a, 6b."""
    return number(line_of(component).rate)


@xw.func(category=CATEGORY)
@xw.arg("component", doc='Form 7207 Part II line ("1e") or component name ("solar_module").')
@guarded
def UNIT_45X(component: Any) -> Any:
    """What column (d) of a Form 7207 Part II line measures: "W (DC)", "W (AC)", "kWh", "kg", "m²", "$ costs incurred"..."""
    return line_of(component).unit_text


@xw.func(category=CATEGORY)
@xw.arg("component", doc='Component name ("solar_module", "Battery cell") or line ("1E").')
@guarded
def LINE_45X(component: Any) -> Any:
    """Form 7207 Part II line number of a component name, e.g. "solar_module" -> "1e"."""
    return line_of(component).line


@xw.func(category=CATEGORY)
@xw.arg("year", doc="Calendar year: the year sold (general), or the year produced (critical minerals).")
@xw.arg("schedule", doc='"general" (default: every line but critical minerals, by year sold) or '
                        '"critical_minerals" (line 6a, by year produced).')
@xw.arg("tax_year_begins", doc="Critical minerals only: first day of the tax year (the phase-out applies only to "
                               "tax years covered by the P.L. 119-21 amendment). Default: 1 January of year.")
@guarded
def PHASEOUT_45X(year: Any, schedule: Any = "general", tax_year_begins: Any = None) -> Any:
    """§45X phase-out percentage for a year (1 = 100%, 0.75 = 75%): the general schedule by year sold, or the critical minerals schedule by year produced."""
    catalog = _catalog()
    when = to_year(year, "year", required=True)
    kind = "general" if is_empty(schedule) else to_text(schedule, "schedule", '"general"')
    kind = catalog.normalise_name(kind)
    if kind in ("general", "sold"):
        return number(catalog.general_phase_out(when))
    if kind in ("critical_minerals", "minerals", "critical_mineral", "6a", "produced"):
        begins = to_date(tax_year_begins, "tax_year_begins") or date(when, 1, 1)
        return number(catalog.mineral_phase_out(when, begins))
    raise ExcelInputError(f'schedule must be "general" or "critical_minerals" (got {shown(schedule)})')


@xw.func(category=CATEGORY)
@xw.arg("category", doc='"solar", "wind", "inverter", "battery" or "critical_minerals", or a Part II line or '
                        'component ("3d", "battery_cell") to use its category.')
@xw.arg("year_sold", doc="Calendar year the component is sold.")
@guarded
def MACR_THRESHOLD_45X(category: Any, year_sold: Any) -> Any:
    """Minimum material assistance cost ratio (MACR) for a component category and year sold (P.L. 119-21; applies in the tax years that law covers): 0.5 = 50%."""
    catalog = _catalog()
    text = to_text(category, "category", '"solar"')
    name = catalog.normalise_name(text)
    if name not in catalog.MACR_CATEGORIES:
        entry = catalog.find_line(name)
        if entry is None:
            raise ExcelInputError(f"category {shown(text)} is not one of {', '.join(catalog.MACR_CATEGORIES)} "
                                  f"nor a Form 7207 line")
        name = entry.category
    year = to_year(year_sold, "year_sold", required=True)
    threshold = catalog.macr_threshold(name, year)
    if threshold is None:
        raise ExcelInputError(f"no MACR threshold applies to {name.replace('_', ' ')} sold in {year}", "N/A")
    return number(threshold)
