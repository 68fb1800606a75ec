"""Form 7207 (§45X) worksheet functions: thin wrappers over the engine in xlcredits.forms.f7207.

Every rate, phase-out and eligibility rule comes from the engine: `CREDIT_45X` asks the engine's
own `compute()` for the credit of one unit of a row (rate × phase-out × eligibility, with the
same defaults and findings as a full return) once per distinct line and years, caches it, and
multiplies. The engine is imported on first use, not when Excel loads `udfs`.
"""

from datetime import date, timedelta
from decimal import Decimal, localcontext
from typing import Any

import xlwings as xw

from xlcredits.numbers import CENT, ENGINE_CONTEXT

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
_FACTORS: dict = {}  # (line, sold, produced, tax year begins) -> Decimal, or the ExcelInputError


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


# A unit row per kind of line: the input that makes the engine's row credit equal
# rate × phase-out × eligibility (column (d) = 1).
def _unit_row(entry) -> tuple[str, str, dict]:
    if entry.line == "2a":
        return "vessels", "vessels", {"sales_price": 1}
    if entry.line == "6a":
        return "critical_minerals", "minerals", {"line": 1, "costs": 1}
    if entry.line == "6b":
        return "metallurgical_coal", "coal", {"costs": 1}
    field = {"capacity": None, "quantity": "quantity", "costs": "costs"}[entry.measure]
    row = {"line": entry.line, **({"units": 1, "capacity_per_unit": 1} if field is None else {field: 1})}
    return "components", "products", row


def _tax_year(sold: int | None, produced: int | None, begins: date | None):
    """The tax year to ask the engine about, and its first day.

    Given `tax_year_begins`: twelve months from that day. Otherwise the calendar year of the
    sale (or production). With no year at all: the first credit year, so no phase-out applies.
    """
    if begins is not None:
        try:
            ends = begins.replace(year=begins.year + 1) - timedelta(days=1)
        except ValueError:  # 29 February
            ends = begins.replace(year=begins.year + 1, day=28)
        return {"begins": begins.isoformat(), "ends": ends.isoformat()}
    year = sold or produced or _catalog().FIRST_CREDIT_YEAR
    return year


def _short(message: str, line: str) -> str:
    """'line 1e row 1: produced in ...' -> 'line 1e: produced in ...'."""
    head, sep, rest = message.partition(": ")
    if sep and head.endswith(" row 1"):
        return f"line {line}: {rest}"
    return message


def unit_credit(entry, sold: int | None, produced: int | None, begins: date | None) -> Decimal:
    """The engine's credit for one unit of column (d) on `entry`'s line, for these years (cached)."""
    key = (entry.line, sold, produced, begins)
    cached = _FACTORS.get(key)
    if cached is None:
        cached = _FACTORS[key] = _ask_engine(entry, sold, produced, begins)
    if isinstance(cached, ExcelInputError):
        raise cached
    return cached


def _ask_engine(entry, sold, produced, begins) -> Decimal | ExcelInputError:
    if entry.line == "6b" and sold is None and produced is None and begins is None:
        return ExcelInputError("tax_year_begins (or year_sold) is required for line 6b (metallurgical coal)")
    from xlcredits.forms.f7207.compute import compute

    field, schedule, row = _unit_row(entry)
    if sold is not None:
        row["sold_year"] = sold
    if produced is not None:
        row["produced_year"] = produced
    result = compute({"form": "7207", "tax_year": _tax_year(sold, produced, begins), field: [row]})
    errors = [f for f in result.findings if f.severity == "error"]
    if errors:
        # a schema problem is the input's; anything else (incl. a tax year before the credit) a rule's
        kind = "INPUT" if errors[0].blocking and errors[0].where != "tax_year" else "RULE"
        return ExcelInputError(_short(errors[0].message, entry.line), kind)
    return result.rows[schedule][0]["credit"]


# --- CREDIT_45X ----------------------------------------------------------------------------

ARGS = ("component", "quantity", "capacity_per_unit", "year_sold", "year_produced", "tax_year_begins")


def _measure(entry, quantity: Decimal, capacity: Any, convert) -> Decimal:
    """Column (d) of one row: units × capacity on capacity lines, else the quantity itself."""
    if entry.measure == "capacity":
        if is_empty(capacity):
            raise ExcelInputError(f"capacity_per_unit is required for line {entry.line} ({entry.unit_text} per unit)")
        return ENGINE_CONTEXT.multiply(quantity, convert(capacity, "capacity_per_unit"))
    if not is_empty(capacity):
        raise ExcelInputError(f"capacity_per_unit does not apply to line {entry.line} "
                              f"(quantity is in {entry.unit_text}); leave it empty")
    return quantity


def _plain_decimal(value: Any, name: str) -> Decimal:
    return to_decimal(value, name)


def credit_row(component, quantity, capacity_per_unit=None, year_sold=None, year_produced=None,
               tax_year_begins=None) -> float:
    """One row's credit in dollars (raises ExcelInputError)."""
    entry = line_of(component)
    q = to_decimal(quantity, "quantity")
    measure = _measure(entry, q, capacity_per_unit, _plain_decimal)
    factor = unit_credit(entry, to_year(year_sold, "year_sold"), to_year(year_produced, "year_produced"),
                         to_date(tax_year_begins, "tax_year_begins"))
    return money(ENGINE_CONTEXT.multiply(measure, factor))


_POW10 = [10 ** k for k in range(40)]


def _scaled(x: float) -> tuple[int, int] | None:
    """A non-integral float as Excel shows it, exactly: 2.5 -> (25, 1), i.e. 25 / 10**1; None for exponent forms
    (those take the Decimal path). repr() is the shortest text that reads back as the same float,
    the same digits `Decimal(str(x))` sees at the boundary."""
    text = repr(x)
    if "e" in text:
        return None
    whole, _, frac = text.partition(".")
    return int(whole + frac), len(frac)


def credit_column(values: tuple, columns: list) -> list[list]:
    """One [result] per row: the vectorised path (one call for a whole range).

    The engine's answer per line and years is cached, keyed by the ranged ones of component and
    years only (usually the component alone). Rows whose quantity and capacity are whole numbers
    are computed in floats where every step is exact (integers below 2**53); rows with plain
    decimals (125000.5 kg) with Python integers; any other row (text numbers, exponent forms) takes
    the Decimal path of a single call. All give the credit in cents = round half up (quantity ×
    capacity × rate × phase-out × 100) exactly, the same float (tests check it). A row with a
    problem gets its own "#INPUT: ..." and the other rows still compute; a row blank in every
    range stays blank.
    """
    lengths = {ARGS[i]: len(col) for i, col in enumerate(columns) if col is not None}
    if len(set(lengths.values())) > 1:
        sizes = ", ".join(f"{name} {n}" for name, n in lengths.items())
        raise ExcelInputError(f"ranges differ in length ({sizes} rows); give ranges of the same height")
    n = next(iter(lengths.values()))
    cols = [col if col is not None else [value] * n for col, value in zip(columns, values)]
    ranged = [i for i, col in enumerate(columns) if col is not None]
    key_args = [i for i in (0, 3, 4, 5) if columns[i] is not None] or [0]
    keys = cols[0] if key_args == [0] else list(zip(*(cols[i] for i in key_args)))

    factors: dict = {}  # key -> _Factor, successes only
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
                # fastest: whole numbers, every product below 2**53, so float arithmetic is exact
                if f.per_unit:
                    if capacity.__class__ is float and 0.0 <= capacity and quantity.is_integer() \
                            and capacity.is_integer():
                        x = quantity * capacity
                        if x <= f.float_limit:
                            append([((x * f.num200 + f.half) // f.den2) / 100])
                            continue
                elif capacity is None and quantity <= f.float_limit and quantity.is_integer():
                    append([((quantity * f.num200 + f.half) // f.den2) / 100])
                    continue
                exact = _exact_cents(f, quantity, capacity, limit)
                if exact is not None:
                    append([exact])
                    continue
            row = (cols[0][i], quantity, capacity, cols[3][i], cols[4][i], cols[5][i])
            try:
                if f is None:
                    if all(is_empty(row[j]) for j in ranged):
                        append([None])  # blank in every range: stays blank
                        continue
                    entry = line_of(row[0])
                    unit = unit_credit(entry, to_year(row[3], "year_sold"), to_year(row[4], "year_produced"),
                                       to_date(row[5], "tax_year_begins"))
                    f = factors[key] = _Factor(unit, entry)
                    exact = _exact_cents(f, quantity, capacity, limit)
                    if exact is not None:
                        append([exact])
                        continue
                measure = _measure(f.entry, to_decimal(quantity, "quantity"), capacity, _plain_decimal)
                append([float((measure * f.unit).quantize(CENT))])
            except ExcelInputError as exc:
                append([exc.text])
    return out


class _Factor:
    """The engine's credit for one unit of column (d), as exact integer parts: unit = num / den."""

    __slots__ = ("unit", "entry", "per_unit", "num", "den2", "num200", "half", "float_limit")

    def __init__(self, unit: Decimal, entry):
        self.unit, self.entry = unit, entry
        self.per_unit = entry.measure == "capacity"
        self.num, den = unit.as_integer_ratio()
        self.den2 = 2 * den  # cents = (200 × d × num + den) // (2 × den): half up
        self.num200, self.half = 200 * self.num, den
        # the largest column (d) for which d × num × 200 + den stays an exact float
        self.float_limit = float((2 ** 53 - den) // max(self.num200, 1)) if self.num else float(2 ** 53)


def _exact_cents(f: _Factor, quantity, capacity, limit: float) -> float | None:
    """Credit in dollars for float inputs with plain decimals, by exact integer arithmetic; None
    when the row needs the Decimal path (text numbers, exponent forms, a capacity out of place)."""
    if quantity.__class__ is not float or not 0.0 <= quantity <= limit:
        return None
    q = (int(quantity), 0) if quantity.is_integer() else _scaled(quantity)
    if q is None:
        return None
    qm, scale = q
    if f.per_unit:
        if capacity.__class__ is not float or not 0.0 <= capacity <= limit:
            return None
        c = (int(capacity), 0) if capacity.is_integer() else _scaled(capacity)
        if c is None:
            return None
        qm, scale = qm * c[0], scale + c[1]
    elif capacity is not None:
        return None  # the Decimal path says what is wrong
    d2 = f.den2 * _POW10[scale]
    return ((qm * f.num200 + d2 // 2) // d2) / 100


@xw.func(category=CATEGORY)
@xw.arg("component", doc='Form 7207 Part II line ("1e") or component name ("solar_module"); case-insensitive. '
                         'A range gives one result per row.')
@xw.arg("quantity", doc="Capacity lines: units sold. Lines 1b-1d, 1f, 1g: kg or m². Lines 2a, 4a, 6a, 6b: "
                        "sales price or costs in dollars.")
@xw.arg("capacity_per_unit", doc="Capacity lines only: W per unit (turbine rating for 2b-2f, AC for inverters) "
                                 "or kWh per unit for batteries (5a-5c). Leave empty on other lines.")
@xw.arg("year_sold", doc="Calendar year sold (drives the phase-out: 2030 75%, 2031 50%, 2032 25%, then 0). "
                         "Default: year produced, else the tax year.")
@xw.arg("year_produced", doc="Calendar year produced (critical minerals phase-out, wind and coal cut-offs). "
                             "Default: year sold.")
@xw.arg("tax_year_begins", doc="First day of the tax year (date, or a year for 1 January). Default: 1 January "
                               "of the year sold. Matters for 6a/6b (after 4 July 2025).")
@guarded
def CREDIT_45X(component: Any, quantity: Any, capacity_per_unit: Any = None, year_sold: Any = None,
               year_produced: Any = None, tax_year_begins: Any = None) -> Any:
    """Form 7207 (§45X) credit in dollars for one product row, after the phase-out: quantity × capacity × rate × phase-out %. Give ranges to get one result per row (a spilling column)."""
    values = (component, quantity, capacity_per_unit, year_sold, year_produced, tax_year_begins)
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
@xw.arg("tax_year_begins", doc="Critical minerals only: first day of the tax year (the phase-out applies to tax "
                               "years beginning after 4 July 2025). Default: 1 January of year.")
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
    """Minimum material assistance cost ratio (MACR) for a component category and year sold (OBBBA, tax years beginning after 4 July 2025): 0.5 = 50%."""
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
