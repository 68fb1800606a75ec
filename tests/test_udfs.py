"""The worksheet functions, called the way xlwings calls them: floats for whole numbers (ints in
xlwings Lite), None for empty cells, text numbers, 1-D lists for one-column ranges and lists of
rows for blocks. Every expected number names its source."""

import datetime as dt
import math
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import udfs
from udfs import f7207 as f7207_udfs

ROOT = Path(__file__).resolve().parents[1]


def is_message(value, kind="INPUT"):
    return isinstance(value, str) and value.startswith(f"#{kind}: ")


# --- CREDIT_45X: worked examples of the Form 7207 instructions ------------------------------

@pytest.mark.parametrize("line, rows, expected", [
    # source: Instructions for Form 7207, line 1a example 500 × 100 W + 1,500 × 200 W = 350,000 W; × $0.04/W
    ("1a", [(500, 100), (1500, 200)], 14_000),
    # source: Instructions for Form 7207, line 1e example 300 × 100 W + 400 × 200 W = 110,000 W; × $0.07/W
    ("1e", [(300, 100), (400, 200)], 7_700),
    # source: Instructions for Form 7207, line 2b example 3 blades for a 6 MW turbine + 3 for a 10 MW turbine = 48,000,000 W; × $0.02/W
    ("2b", [(3, 6_000_000), (3, 10_000_000)], 960_000),
    # source: the instructions' line 3a example (50 × 1,000 W + 100 × 2,500 W) with sizes a central inverter
    # can have (> 1,000 kW, 26 U.S.C. 45X(c)(2)(B)): 50 × 2,000,000 W + 100 × 2,500,000 W = 350,000,000 W; × $0.0025/W
    ("3a", [(50, 2_000_000), (100, 2_500_000)], 875_000),
    # source: Instructions for Form 7207, line 5a example 50 × 12 kWh + 100 × 15 kWh = 2,100 kWh; × $35/kWh
    ("5a", [(50, 12), (100, 15)], 73_500),
])
def test_worked_examples_as_excel_gives_them(line, rows, expected):
    units = [float(u) for u, _ in rows]
    capacity = [float(c) for _, c in rows]
    column = udfs.CREDIT_45X(line, units, capacity, 2025.0)
    assert sum(r[0] for r in column) == expected
    singles = [udfs.CREDIT_45X(line, u, c, 2025.0) for u, c in zip(units, capacity)]
    assert singles == [r[0] for r in column]
    # xlwings Lite hands ints
    assert sum(udfs.CREDIT_45X(line, u, c, 2025) for u, c in rows) == expected


def test_design_example_and_names():
    # source: =CREDIT_45X("1e", 300, 100) (F7207-D13): 300 × 100 W × $0.07/W [26 U.S.C. 45X(b)(1)(E)]
    assert udfs.CREDIT_45X("1e", 300.0, 100.0) == 2100.0
    for name in ("solar_module", "Solar module", "SOLAR-MODULE", " 1E ", "1e"):
        assert udfs.CREDIT_45X(name, 300.0, 100.0) == 2100.0


@pytest.mark.parametrize("line, quantity, expected", [
    ("1b", 10.0, 120.0),        # source: 26 U.S.C. 45X(b)(1)(B), $12.00/m²
    ("1c", 20000.0, 60000.0),   # source: 26 U.S.C. 45X(b)(1)(C), $3.00/kg (examples/form7207_acme_2025.json row)
    ("1d", 2.5, 1.0),           # source: 26 U.S.C. 45X(b)(1)(D), $0.40/m²
    ("1f", 125000.5, 108750.44),  # source: 26 U.S.C. 45X(b)(1)(G), $0.87/kg; 108,750.435 rounded half up (F7207-D17)
    ("1g", 100.0, 228.0),       # source: 26 U.S.C. 45X(b)(1)(H), $2.28/kg
    ("4a", 250000.0, 25000.0),  # source: 26 U.S.C. 45X(b)(1)(J), 4a 10% of costs
    ("2a", 1_000_000.0, 100_000.0),  # source: 26 U.S.C. 45X(b)(1)(F)(i), 2a 10% of the sales price
])
def test_measured_and_cost_lines(line, quantity, expected):
    assert udfs.CREDIT_45X(line, quantity, None, 2025.0) == expected


@pytest.mark.parametrize("sold, expected", [
    # source: 26 U.S.C. 45X(b)(3)(A)-(B), general phase-out by year sold: ≤2029 100%, 2030 75%, 2031 50%, 2032 25%, 2033+ 0%
    (2029, 2100.0), (2030, 1575.0), (2031, 1050.0), (2032, 525.0), (2033, 0.0), (2040, 0.0),
])
def test_general_phase_out(sold, expected):
    assert udfs.CREDIT_45X("1e", 300.0, 100.0, float(sold)) == expected


def test_critical_minerals_and_coal():
    # source: 26 U.S.C. 45X(b)(3)(C) as amended by P.L. 119-21 sec. 70514 (F7207-D15), minerals: production-year phase-out (2031 75%) for tax years beginning after 4 July 2025
    assert udfs.CREDIT_45X("6a", 1_000_000.0, None, 2031.0, 2031.0, dt.datetime(2026, 1, 1)) == 75_000.0
    # ... and none for tax years beginning before: 10% of costs
    assert udfs.CREDIT_45X("6a", 1_000_000.0, None, 2025.0, 2025.0, dt.datetime(2025, 1, 1)) == 100_000.0
    # source: 26 U.S.C. 45X(b)(1)(M), (c)(6) as amended by P.L. 119-21 sec. 70514: metallurgical coal 2.5% of costs, tax years beginning after 4 July 2025
    assert udfs.CREDIT_45X("6b", 1_000_000.0, None, 2026.0) == 25_000.0
    # ... none for coal produced after 2029: an ineligible row says why (decision F7207-D13)
    assert is_message(udfs.CREDIT_45X("6b", 1_000_000.0, None, 2030.0, 2030.0), "RULE")
    assert is_message(udfs.CREDIT_45X("6b", 1_000_000.0, None, 2025.0, 2025.0, dt.date(2025, 1, 1)), "RULE")
    assert udfs.CREDIT_45X("6b", 1_000_000.0) == "#INPUT: tax_year_begins (or year_sold) is required for line 6b (metallurgical coal)"


def test_wind_termination_and_first_year():
    # source: 26 U.S.C. 45X(b)(3)(D), wind: no credit when produced and sold after 2027
    assert is_message(udfs.CREDIT_45X("2c", 1.0, 10_000_000.0, 2028.0, 2028.0), "RULE")  # F7207-D13
    # produced 2027, sold 2028: credited (with a warning in the engine), $0.05/W [26 U.S.C. 45X(b)(2)(A)(ii)]
    assert udfs.CREDIT_45X("2c", 1.0, 10_000_000.0, 2028.0, 2027.0) == 500_000.0
    # source: P.L. 117-169 sec. 13502(e) (F7207-D1): components sold before 2023 earn no §45X credit
    assert is_message(udfs.CREDIT_45X("1e", 300.0, 100.0, 2022.0), "RULE")
    assert is_message(udfs.CREDIT_45X("1e", 300.0, 100.0, 2024.0, 2022.0), "RULE")


def test_tax_year_begins_accepts_what_excel_gives():
    # source: 26 U.S.C. 45X(b)(1)(M) (6a 10% of costs) and 45X(b)(3)(C) as amended (F7207-D15), 2032 production 50% (tax year beginning 2026)
    expected = 5_000.0
    for begins in (dt.datetime(2026, 1, 1), dt.date(2026, 1, 1), 46023.0, "2026-01-01", 2026.0, 2026, "2026"):
        assert udfs.CREDIT_45X("6a", 100_000.0, None, 2032.0, 2032.0, begins) == expected, begins
    assert is_message(udfs.CREDIT_45X("6a", 100_000.0, None, 2032.0, 2032.0, True))
    assert is_message(udfs.CREDIT_45X("6a", 100_000.0, None, 2032.0, 2032.0, "next year"))


# --- CREDIT_45X: what Excel may hand over -------------------------------------------------

@pytest.mark.parametrize("args, expected", [
    (("1e", 300.0), "#INPUT: capacity_per_unit is required for line 1e (W (DC) per unit)"),
    (("1c", 10.0, 5.0), "#INPUT: capacity_per_unit does not apply to line 1c (quantity is in kg); leave it empty"),
    (("1e", None, 100.0), "#INPUT: quantity is required"),
    ((None, 1.0), '#INPUT: component is required, e.g. "1e" or "solar_module"'),
    (("1e", -5.0, 100.0), "#INPUT: quantity must not be negative (got -5)"),
    (("1e", True, 100.0), "#INPUT: quantity is TRUE; give a number"),
    (("1e", 300.0, False), "#INPUT: capacity_per_unit is FALSE; give a number"),
    (("1e", dt.datetime(2025, 5, 1), 100.0), "#INPUT: quantity is a date; give a number"),
    # with err_to_str=True (every argument, udfs/__init__.py) xlwings passes an error cell as its text;
    # the CVErr int code is what it passed without it (the route through xlwings: test_addin_udfs.py)
    (("1e", "#DIV/0!", 100.0), "#INPUT: quantity holds #DIV/0!"),
    (("1e", "#N/A", 100.0), "#INPUT: quantity holds #N/A"),
    (("1e", "three hundred", 100.0), "#INPUT: quantity must be a number (got 'three hundred')"),
    (("1e", math.nan, 100.0), "#INPUT: quantity is not a finite number"),
    (("1e", math.inf, 100.0), "#INPUT: quantity is not a finite number"),
    (("1e", 1e16, 100.0), "#INPUT: quantity is too large (got 10000000000000000)"),
    (("1e", 300.0, 100.0, 2025.5), "#INPUT: year_sold must be a year from 1980 to 2100 (got 2025.5)"),
    (("1e", 300.0, 100.0, dt.datetime(2025, 1, 1)), "#INPUT: year_sold is a date; give the year, e.g. 2025"),
    ((7.0, 300.0, 100.0), '#INPUT: component must be text such as "1e" or "solar_module" (got 7)'),
    (("9z", 300.0, 100.0), None),
])
def test_bad_input_is_a_short_message(args, expected):
    result = udfs.CREDIT_45X(*args)
    assert is_message(result)
    if expected:
        assert result == expected
    assert len(result) < 200


def test_text_numbers_and_ints():
    assert udfs.CREDIT_45X("1e", "300", "100") == 2100.0
    assert udfs.CREDIT_45X("1e", " 1,000 ", "100") == 7000.0
    assert udfs.CREDIT_45X("4a", "$250,000.00") == 25000.0
    assert udfs.CREDIT_45X("1e", 300, 100, 2025, 2025, 2025) == 2100.0


# --- CREDIT_45X: ranges ---------------------------------------------------------------------

def test_ranges_give_a_column_one_result_per_row():
    column = udfs.CREDIT_45X(["1a", "1a", "solar_module", "1c", None, "4a"],
                             [500.0, 1500.0, 300.0, 20000.0, None, 250000.0],
                             [100.0, 200.0, 100.0, None, None, None], 2025.0)
    # source: Instructions for Form 7207 worked examples (1a 14,000 in two rows; 1e 300 × 100 W) and rates of 1c, 4a
    assert column == [[2000.0], [12000.0], [2100.0], [60000.0], [None], [25000.0]]


def test_two_dimensional_ranges_and_broadcast():
    column = udfs.CREDIT_45X([["1e"], ["1e"]], [[300.0], [400.0]], [[100.0], [200.0]], [[2025.0], [2031.0]])
    # source: Instructions for Form 7207, line 1e example; 26 U.S.C. 45X(b)(3)(B)(ii): 2031 phase-out 50%
    assert column == [[2100.0], [2800.0]]
    # one row of a range (1 × n) counts as rows too; scalars broadcast
    assert udfs.CREDIT_45X("1e", [[300.0, 400.0]], 100.0) == [[2100.0], [2800.0]]
    assert udfs.CREDIT_45X("1e", [300.0], 100.0) == [[2100.0]]
    assert udfs.CREDIT_45X("1e", [], 100.0) == []


def test_range_problems():
    assert udfs.CREDIT_45X(["1e", "1e"], [1.0, 2.0, 3.0], 100.0) == (
        "#INPUT: ranges differ in length (component 2, quantity 3 rows); give ranges of the same height")
    assert udfs.CREDIT_45X("1e", [[1.0, 2.0], [3.0, 4.0]], 100.0) == (
        "#INPUT: quantity must be a single column (got 2 rows × 2 columns)")
    # a bad row spoils only itself
    column = udfs.CREDIT_45X("1e", [300.0, -1.0, "x", True, None, 400.0], [100.0] * 6, 2025.0)
    assert column[0] == [2100.0] and column[-1] == [2800.0]
    assert all(is_message(r[0]) for r in column[1:4])
    assert column[4] == ["#INPUT: quantity is required"]  # the capacity cell of that row is not blank


def test_ten_thousand_rows_ask_the_engine_once_per_line_and_year(monkeypatch):
    from xlcredits.forms.f7207 import unit as engine  # CREDIT_45X asks the engine's unit_credit (F7207-D13)

    calls = []
    real = engine.unit_credit
    monkeypatch.setattr(engine, "unit_credit", lambda *args: calls.append(args) or real(*args))
    monkeypatch.setattr(f7207_udfs, "_FACTORS", {})
    n = 10_000
    lines = ["1e", "1a", "3d", "5a", "1c"]
    component = [lines[i % 5] for i in range(n)]
    units = [float(1 + i % 997) for i in range(n)]
    capacity = [None if c == "1c" else float(100 + i % 7) for i, c in enumerate(component)]
    sold = [float(2025 + i % 3) for i in range(n)]
    start = time.perf_counter()
    column = udfs.CREDIT_45X(component, units, capacity, sold)
    elapsed = time.perf_counter() - start
    assert len(column) == n and all(isinstance(r[0], float) for r in column)
    assert len(calls) == len(lines) * 3
    assert elapsed < 2.0  # about 0.01 s here; generous for slow CI machines
    # the per-row answers are those of single calls
    sample = range(0, n, 379)
    assert [column[i][0] for i in sample] == [udfs.CREDIT_45X(component[i], units[i], capacity[i], sold[i])
                                              for i in sample]


numbers = st.one_of(st.integers(0, 10**9).map(float), st.floats(0, 1e9, allow_nan=False).map(lambda x: round(x, 3)),
                    st.decimals(0, 10**7, places=4, allow_nan=False, allow_infinity=False).map(float))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.tuples(st.sampled_from(["1a", "1c", "1e", "2b", "3e", "4a", "5c", "6a", "1d"]),
                               numbers, numbers, st.sampled_from([None, 2025.0, 2030.0, 2032.0, 2033.0])),
                     min_size=1, max_size=40))
def test_vectorised_equals_single_calls(rows):
    """The integer fast path and the Decimal path agree to the cent (property)."""
    component = [r[0] for r in rows]
    quantity = [r[1] for r in rows]
    capacity = [r[2] if f7207_udfs.line_of(r[0]).measure == "capacity" else None for r in rows]
    sold = [r[3] for r in rows]
    column = udfs.CREDIT_45X(component, quantity, capacity, sold)
    assert [r[0] for r in column] == [udfs.CREDIT_45X(*args) for args in zip(component, quantity, capacity, sold)]


excel_values = st.one_of(
    st.none(), st.booleans(), st.integers(-2**40, 2**40), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12), st.sampled_from(["#DIV/0!", "#N/A", "1e", "solar_module", "2025", "-1", "1,000", "16%"]),
    st.sampled_from([-2146826281, -2146826246]), st.datetimes(min_value=dt.datetime(1900, 1, 1)),
    st.lists(st.one_of(st.none(), st.floats(0, 1e6), st.text(max_size=3)), max_size=4),
    st.lists(st.lists(st.floats(0, 1e6), min_size=1, max_size=2), max_size=3),
)


TEXT_RESULTS = {"UNIT_45X", "LINE_45X"}  # the functions whose answer is a text ("W (DC)", "1e")


def a_cell_answer(name, result, allow_error=False) -> bool:
    """A number, a blank, a readable "#KIND: reason" (never "#ERROR", a bug), or a column of those."""
    if isinstance(result, list):
        return all(isinstance(row, list) and len(row) == 1 and a_cell_answer(name, row[0], allow_error)
                   for row in result)
    if isinstance(result, str):
        return name in TEXT_RESULTS or (result.startswith("#") and "Traceback" not in result and len(result) < 300
                                        and (allow_error or not result.startswith("#ERROR")))
    return result is None or (type(result) is float and math.isfinite(result))


@settings(max_examples=400, deadline=None)
@given(args=st.lists(excel_values, min_size=7, max_size=7))
def test_never_a_traceback(args):
    for name in udfs.__all__:
        function = getattr(udfs, name)
        n = len(__import__("inspect").signature(function).parameters)
        result = function(*args[:n])
        assert a_cell_answer(name, result), (name, args[:n], result)


VALID_ARGS = {  # one good call of every function; the matrix below spoils one argument at a time
    "CREDIT_45X": ("1e", 300.0, 100.0, 2025.0, 2025.0, dt.datetime(2025, 1, 1)),
    "RATE_45X": ("1e",), "UNIT_45X": ("1e",), "LINE_45X": ("solar_module",),
    "PHASEOUT_45X": (2030.0, "general", dt.datetime(2025, 1, 1)),
    "MACR_THRESHOLD_45X": ("solar", 2026.0),
    "NJ_RD_CREDIT": ("regular", 125000.0, 0.25, 700000.0, 0.0, 0.0, 0.0),
    "NJ_MINIMUM_TAX": (250000.0, "CBT-100", 1e6, 12.0),
    "NJ_FIXED_BASE_STARTUP": (6.0, [["Year", "QREs", "Gross receipts"], [4.0, 100.0, 1000.0], [5.0, 200.0, 2000.0]],
                              None),
    "NJ_FIXED_BASE_EXISTING": (100.0, 3000.0),
    "NJ_ALLOWABLE_CREDIT": (4600.0, 9000.0, 2000.0, 1000.0),
}
HOSTILE = [  # what Excel (classic xlwings and Lite) can hand a function, and some it cannot
    None, "", "   ", "abc", "=1+1", "#DIV/0!", "#N/A", "#SPILL!", -2146826281, -2146826246, True, False,
    dt.datetime(2025, 7, 1), dt.date(2025, 7, 1), dt.time(12, 0), dt.datetime(1900, 1, 1), 1e308, -1e308, 10**30,
    -1.0, 0.0, 0.5, 1e-79, 5e-324, math.nan, math.inf, -math.inf, float(2**63), 2**70, "1e999", "NaN", "-0",
    "Infinity",
    "\u202e\u0000", "x" * 100_000, "😀", [], [[]], [None], [[None, None]], [1.0, 2.0, 3.0], [[1.0], [2.0, 3.0]],
    [[1.0, 2.0], [3.0, 4.0]], [["a"]] * 3, [math.nan, "x", True, None], [[dt.datetime(2025, 1, 1)]], ("1e",),
    [1.0] * 5000,
]
NOT_FROM_EXCEL = [[[[1.0]]], {"a": 1}, object(), b"bytes", complex(1, 1)]  # may say "#ERROR", must not raise


def test_every_function_against_every_hostile_value():
    """Every function in `udfs.__all__` x every argument x text, blanks, error values, booleans,
    dates, ranges of mismatched sizes, huge and non-finite numbers: an answer or "#...", never raises."""
    assert sorted(VALID_ARGS) == sorted(udfs.__all__)
    for name in udfs.__all__:
        function, valid = getattr(udfs, name), VALID_ARGS[name]
        assert a_cell_answer(name, function(*valid)) and not isinstance(function(*valid), str) or \
            name in TEXT_RESULTS
        for i in range(len(valid)):
            for value, allow_error in [(v, False) for v in HOSTILE] + [(v, True) for v in NOT_FROM_EXCEL]:
                args = list(valid)
                args[i] = value
                result = function(*args)  # raising here fails the test
                assert a_cell_answer(name, result, allow_error), (name, i, repr(value)[:40], result)


# --- Form 7207 helpers -------------------------------------------------------------------------

def test_rate_unit_and_line():
    # source: 26 U.S.C. 45X(b)(1)-(2) (rates by line, F7207-D9)
    assert udfs.RATE_45X("1e") == 0.07
    assert udfs.RATE_45X("battery_module_without_cells") == 45.0
    assert udfs.RATE_45X("4a") == 0.1
    assert udfs.UNIT_45X("1e") == "W (DC)"
    assert udfs.UNIT_45X("3b") == "W (AC)"
    assert udfs.UNIT_45X("1b") == "m²"
    assert udfs.LINE_45X("Solar module") == "1e"
    assert udfs.LINE_45X("battery_cell") == "5a"
    assert udfs.LINE_45X("microinverter") == "3e"
    assert is_message(udfs.LINE_45X("flux capacitor"))
    assert is_message(udfs.RATE_45X(None))


def test_phase_out():
    # source: 26 U.S.C. 45X(b)(3)(A)-(C) general and critical-minerals schedules (F7207-D15)
    assert [udfs.PHASEOUT_45X(float(y)) for y in range(2029, 2035)] == [1.0, 0.75, 0.5, 0.25, 0.0, 0.0]
    assert [udfs.PHASEOUT_45X(y, "critical_minerals") for y in range(2030, 2035)] == [1.0, 0.75, 0.5, 0.25, 0.0]
    # minerals: no phase-out for tax years beginning before 5 July 2025
    assert udfs.PHASEOUT_45X(2031, "minerals", dt.datetime(2025, 1, 1)) == 1.0
    assert is_message(udfs.PHASEOUT_45X(2031, "wind"))
    assert is_message(udfs.PHASEOUT_45X(None))


def test_macr_threshold():
    # source: 26 U.S.C. 7701(a)(52) MACR table (F7207-D6)
    assert udfs.MACR_THRESHOLD_45X("solar", 2026.0) == 0.5
    assert udfs.MACR_THRESHOLD_45X("wind", 2027) == 0.9
    assert udfs.MACR_THRESHOLD_45X("3d", 2029) == 0.65        # inverters
    assert udfs.MACR_THRESHOLD_45X("battery_cell", 2030) == 0.85
    assert udfs.MACR_THRESHOLD_45X("critical_minerals", 2033) == 0.5
    assert udfs.MACR_THRESHOLD_45X("Critical minerals", 2040) == 0.5
    assert udfs.MACR_THRESHOLD_45X("wind", 2028) == "#N/A: no MACR threshold applies to wind sold in 2028"
    assert is_message(udfs.MACR_THRESHOLD_45X("lumber", 2027))


# --- NJ-306 ------------------------------------------------------------------------------------

def _has_nj_engine() -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec("xlcredits.forms.nj306.compute") is not None
    except ImportError:
        return False


pytestmark_nj = pytest.mark.skipif(not _has_nj_engine(), reason="NJ-306 engine not built yet")


@pytestmark_nj
@pytest.mark.parametrize("args, expected", [
    # source: Form 306 worked case (public material, tests/cases_nj306.json) regular: QREs 125,000; FBP 25% → 16%; avg GR 700,000 → L28 1,300
    (("regular", 125000.0, 0.25, 700000.0), 1300.0),
    # source: Form 306 worked case (public material, tests/cases_nj306.json) regular, 50% floor binds: 100,000; 3%; 200,000 → 5,000
    (("regular", 100000.0, 0.03, 200000.0), 5000.0),
    # source: Form 306 worked case (public material, tests/cases_nj306.json) regular: 250,000; 5%; 2,000,000 → 12,500 (text as typed: "5%")
    (("Regular", 250000, "5%", 2000000), 12500.0),
    # source: Form 306 worked case (public material, tests/cases_nj306.json) ASC: QREs 53,704; prior years total 140,382 (examples/nj306_asc_combined_2025.json) → 3,030.70
    (("asc", 53704.0, [45000.0, 47382.0, 48000.0]), 3030.7),
    (("ASC", 53704.0, [[45000.0], [47382.0], [48000.0]]), 3030.7),
    # source: Form 306 worked case (public material, tests/cases_nj306.json) ASC with one prior year at zero → L24 = L20 → 5,370.40 (a blank year counts as none)
    (("asc", 53704.0, [45000.0, 0.0, 48000.0]), 5370.4),
    (("asc", 53704.0, [45000.0, None, 48000.0]), 5370.4),
    # source: examples/nj306_regular_2025.expected.json line 28 = 3,800 (QRE parts, basic research 40,000, base 15,000)
    (("regular", [90000.0, 20000.0, 5000.0, 10000.0], 0.25, 700000.0, 0.0, 40000.0, 15000.0), 3800.0),
])
def test_nj_rd_credit_worked_cases(args, expected):
    assert udfs.NJ_RD_CREDIT(*args) == expected


@pytestmark_nj
@pytest.mark.parametrize("args, expected", [
    (("regular", 125000.0, 0.25), "#INPUT: avg_gross_receipts is required for the regular method"),
    (("asc", 125000.0, 0.25), "#INPUT: base must be a range of the three prior years' QREs for the ASC method (got 1 cell)"),
    (("asc", 1.0, [1.0, 2.0]), None),
    (("asc", 1.0, [1.0, 2.0, 3.0], 5.0), "#INPUT: avg_gross_receipts belongs to the regular method; leave it empty for ASC"),
    (("none", 1.0, 0.1, 1.0), "#INPUT: method must be \"regular\" or \"asc\" (got 'none')"),
    (("regular", 1.0, 1.5, 1.0), None),
    (("regular", -1.0, 0.1, 1.0), "#INPUT: qre must not be negative (got -1)"),
    (("regular", [1.0, 2.0, 3.0, 4.0, 5.0], 0.1, 1.0), None),
    ((True, 1.0, 0.1, 1.0), None),
])
def test_nj_rd_credit_bad_input(args, expected):
    result = udfs.NJ_RD_CREDIT(*args)
    assert is_message(result), result
    if expected:
        assert result == expected


@pytestmark_nj
@pytest.mark.parametrize("args, expected", [
    # source: N.J.A.C. 18:7-3.4 (line 32) minimum tax table, CBT-100 column
    ((99999.99,), 500.0), ((100000.0,), 750.0), ((250000.0, "CBT-100"), 1000.0), ((500000.0,), 1500.0),
    ((1000000.0,), 2000.0), ((5e6, "BFC-1"), 2000.0),
    # CBT-100S column (NJ306-A7: $562.50 and $1,125)
    ((150000.0, "CBT-100S"), 562.5), ((600000.0, "cbt-100s"), 1125.0), ((2e6, "CBT-100S"), 1500.0),
    # group payroll ≥ $5,000,000 → $2,000; short period: prorated $416,667 a month
    ((50000.0, "CBT-100", 5e6), 2000.0), ((50000.0, "CBT-100", 2_500_003.0, 6.0), 2000.0),
    ((50000.0, "CBT-100", 2_500_003.0, 12.0), 500.0),
])
def test_nj_minimum_tax(args, expected):
    assert udfs.NJ_MINIMUM_TAX(*args) == expected


@pytestmark_nj
def test_nj_minimum_tax_problems():
    assert is_message(udfs.NJ_MINIMUM_TAX(1e6, "CBT-100U"))
    assert is_message(udfs.NJ_MINIMUM_TAX(1e6, "1120"))
    assert is_message(udfs.NJ_MINIMUM_TAX(-1.0))
    assert is_message(udfs.NJ_MINIMUM_TAX(1e6, "CBT-100", None, 13.0))


@pytestmark_nj
def test_nj_fixed_base():
    # source: 26 U.S.C. 41(c)(3), 41(b)(3) start-up: years 1-5 3%; year 6 = (QREs ÷ gross receipts of years 4-5) ÷ 6, 4 decimals
    assert udfs.NJ_FIXED_BASE_STARTUP(3.0, None) == 0.03
    history = [["Year", "QREs", "Gross receipts"], [4.0, 100.0, 1000.0], [5.0, 200.0, 2000.0], [None, None, None]]
    assert udfs.NJ_FIXED_BASE_STARTUP(6.0, history) == 0.0167  # 300 / 3,000 / 6 = 0.01667
    assert is_message(udfs.NJ_FIXED_BASE_STARTUP(6.0, [[4.0, 100.0, 1000.0]]))  # year 5 missing
    assert is_message(udfs.NJ_FIXED_BASE_STARTUP(6.5, None))
    # source: 26 U.S.C. 41(c)(3), 41(b)(3) existing company: QREs ÷ gross receipts, 4 decimals, capped at 0.16
    assert udfs.NJ_FIXED_BASE_EXISTING(100.0, 3000.0) == 0.0333
    assert udfs.NJ_FIXED_BASE_EXISTING(250.0, 1000.0) == 0.16
    assert is_message(udfs.NJ_FIXED_BASE_EXISTING(100.0, 0.0))


@pytestmark_nj
def test_nj_allowable_credit():
    # source: examples/nj306_regular_2025.expected.json lines 30-36: 4,600; 9,000; 2,000; 1,000 → 4,600
    assert udfs.NJ_ALLOWABLE_CREDIT(4600.0, 9000.0, 2000.0, 1000.0) == 4600.0
    # source: Form 306 lines 33-36: min(10,000, max0(9,000 − 2,000 − 1,000)) = 6,000; other credits as a range
    assert udfs.NJ_ALLOWABLE_CREDIT(10000.0, 9000.0, 2000.0, [[500.0], [500.0], [None]]) == 6000.0
    assert udfs.NJ_ALLOWABLE_CREDIT(10000.0, 1000.0, 2000.0) == 0.0
    assert is_message(udfs.NJ_ALLOWABLE_CREDIT(None, 1.0, 1.0))


# --- loading ---------------------------------------------------------------------------------

def test_import_is_cheap_and_lazy():
    """Excel loads `udfs` at every UDF server start: no pydantic, no engine yet. The help texts are
    built from the NJ rules data, so that one file is read (not the Form 7207 rules, not the
    engine's step tables); `xlcredits.bench` measures the cost against `import xlwings`."""
    code = ("import sys, udfs, xlcredits.rules as r; print([m for m in ('pydantic', 'xlcredits.forms', "
            "'xlcredits.rules._steps', 'dataclasses', 'csv') if m in sys.modules], r.load.cache_info().currsize)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[] 1"  # nj306.toml only


def test_every_function_is_exported_and_documented():
    names = [n for n in dir(udfs) if n.isupper()]
    assert sorted(names) == sorted(udfs.__all__)
    for name in names:
        function = getattr(udfs, name)
        assert function.__doc__ and len(function.__doc__) <= 255
        assert function.__wrapped__.__annotations__["return"] is __import__("typing").Any
