"""The worksheet functions as Excel on Windows calls them: through xlwings' own `call_udf`, with each
function's real decorator options (xlwings' Windows decorators), each cell reference passed as the
Range object the VBA wrapper passes, each cell holding what Excel holds — floats, None for empty,
pywintypes dates, TRUE/FALSE, the integer codes of error values (see tests/xlfake)."""

from __future__ import annotations

import datetime as dt

import pytest

from xlfake import ERRORS, MISSING, harness


@pytest.fixture(scope="module")
def xl():
    h = harness()
    book = h.new_book("Client.xlsx", sheets=("Inputs",))
    h.sheet = book.sheet("Inputs")
    h.next_row = 1
    return h


def cell(xl, value):
    """A fresh cell on the Inputs sheet holding `value` (an Excel error given as "#N/A")."""
    xl.next_row += 1
    target = xl.sheet.cell(xl.next_row, 1)
    target.value = ERRORS.get(value, value) if isinstance(value, str) else value
    if isinstance(value, dt.datetime):
        target.number_format = "yyyy-mm-dd"
    return xl.sheet.Cells(xl.next_row, 1)


def column(xl, values):
    """A fresh one-column range holding `values`."""
    first = xl.next_row + 1
    for value in values:
        cell(xl, value)
    return xl.sheet.Range(f"B{first}").Worksheet.Range(f"A{first}:A{xl.next_row}")


def call(xl, name, *args):
    """The function's answer as the cell shows it (xlwings returns a 1×1 result as [[x]])."""
    result = xl.call_udf(name, *args)
    if isinstance(result, list) and len(result) == 1 and isinstance(result[0], list) and len(result[0]) == 1:
        return result[0][0]
    return result


# --- the bug this fixes: an error cell read as empty ------------------------------------------

@pytest.mark.parametrize("error", sorted(ERRORS))
def test_an_error_cell_is_named_never_read_as_empty(xl, error):
    # Without err_to_str xlwings passes None: year_sold would default to the tax year and the row
    # would get 2,100 (300 × 100 W × $0.07/W, §45X(b)(1)(A) solar modules) as if nothing were wrong.
    assert call(xl, "CREDIT_45X", "1e", 300.0, 100.0, cell(xl, error)) == f"#INPUT: year_sold holds {error}"
    assert call(xl, "CREDIT_45X", "1e", cell(xl, error), 100.0) == f"#INPUT: quantity holds {error}"


def test_an_error_inside_a_range_is_named(xl):
    prior = column(xl, [800000.0, "#N/A", 700000.0])
    assert call(xl, "NJ_RD_CREDIT", "asc", 1000000.0, prior) == "#INPUT: base (prior year 2 QREs) holds #N/A"
    # the same as an array constant typed into the formula: {800000;#N/A;700000}
    constant = ((800000.0,), (ERRORS["#N/A"],), (700000.0,))
    assert call(xl, "NJ_RD_CREDIT", "asc", 1000000.0, constant) == "#INPUT: base (prior year 2 QREs) holds #N/A"


def test_every_argument_of_every_function_asks_for_errors_as_text(xl):
    module = xl.udfs
    functions = [getattr(module, name) for name in module.__all__]
    assert len(functions) == 11
    for function in functions:
        for arg in function.__xlfunc__["args"]:
            assert arg["options"].get("err_to_str") is True, (function.__name__, arg["name"])


# --- every function, every argument, every kind of cell ---------------------------------------

# A valid call of each function, with its answer worked out by hand:
VALID = {
    # 300 × 100 W × $0.07/W (§45X(b)(1)(A)(ii), Form 7207 line 1e); a MACR of 0.6 changes nothing in a tax
    # year beginning on or before 4 July 2025 (decision F7207-D6; 26 U.S.C. 45X(c)(1)(C))
    "CREDIT_45X": (("1e", 300.0, 100.0, 2025.0, 2025.0, dt.datetime(2025, 1, 1), 0.6), 2100.0),
    "RATE_45X": (("1e",), 0.07),
    "UNIT_45X": (("1e",), "W (DC)"),  # solar modules are rated in direct-current watts (Form 7207 line 1e)
    "LINE_45X": (("solar_module",), "1e"),
    # §45X(b)(3)(B): components sold in 2031 get 50%
    "PHASEOUT_45X": ((2031.0, "general", dt.datetime(2031, 1, 1)), 0.5),
    # §45X(b)(... ) MACR threshold, solar components sold in 2026: 50% (Notice 2026 table, rules/f7207.toml)
    "MACR_THRESHOLD_45X": (("solar", 2026.0), 0.5),
    # N.J.S.A. 54:10A-5.24 via Form 306 Part III: (250,000 − 5% × 2,000,000) × 10% ... worked: 12,500
    "NJ_RD_CREDIT": (("regular", 250000.0, "5%", 2000000.0, 0.0, 0.0, 0.0), 12500.0),
    # minimum tax table, CBT-100, gross receipts $1,000,000 or more but under $5,000,000: $2,000 (12 months)
    "NJ_MINIMUM_TAX": ((1000000.0, "CBT-100", 0.0, 12.0), 2000.0),
    # start-up company, credit year 3: 3%
    "NJ_FIXED_BASE_STARTUP": ((3.0, None, None), 0.03),
    # 100 ÷ 3,000 = 0.0333 (4 decimals)
    "NJ_FIXED_BASE_EXISTING": ((100.0, 3000.0), 0.0333),
    # min(4,600, 9,000 − 2,000 − 1,000) = 4,600
    "NJ_ALLOWABLE_CREDIT": ((4600.0, 9000.0, 2000.0, 1000.0), 4600.0),
}

KINDS = {"error": "#DIV/0!", "empty": None, "date": dt.datetime(2025, 7, 1), "true": True, "text": "abc"}


def _arguments():
    for name, (args, _) in VALID.items():
        for position in range(len(args)):
            yield name, position


def test_valid_calls_through_cells(xl):
    for name, (args, expected) in VALID.items():
        as_cells = [cell(xl, a) for a in args]
        assert call(xl, name, *as_cells) == expected, name
        assert call(xl, name, *args) == expected, name


@pytest.mark.parametrize("name, position", list(_arguments()))
def test_each_argument_with_each_kind_of_cell(xl, name, position):
    args, expected = VALID[name]
    names = [a["name"] for a in xl.udfs.__dict__[name].__xlfunc__["args"]]
    for kind, value in KINDS.items():
        given = list(args)
        given[position] = cell(xl, value)
        got = call(xl, name, *given)
        where = f"{name} argument {names[position]} = {kind}"
        assert not (isinstance(got, str) and got.startswith("#ERROR")), (where, got)
        if kind == "error":
            assert isinstance(got, str) and got.startswith("#INPUT: " + names[position]) and \
                got.endswith("holds #DIV/0!"), (where, got)
        elif isinstance(got, str) and got.startswith("#"):
            assert got.startswith("#INPUT: ") and names[position].split("_")[0] in got, (where, got)
        else:
            assert isinstance(got, (float, str)), (where, got)


@pytest.mark.parametrize("name, position, kind, expected", [
    # an empty year_sold defaults to the year produced, then the tax year (Form 7207 instructions)
    ("CREDIT_45X", 3, "empty", 2100.0),
    ("CREDIT_45X", 1, "true", "#INPUT: quantity is TRUE; give a number"),
    ("CREDIT_45X", 1, "date", "#INPUT: quantity is a date; give a number"),
    ("CREDIT_45X", 1, "text", "#INPUT: quantity must be a number (got 'abc')"),
    ("CREDIT_45X", 1, "empty", "#INPUT: quantity is required"),
    # a date cell is the tax year's first day: 2025-07-01 starts a tax year with no phase-out yet
    ("CREDIT_45X", 5, "date", 2100.0),
    ("NJ_RD_CREDIT", 0, "true", '#INPUT: method is TRUE; give text such as "regular" or "asc"'),
    ("NJ_MINIMUM_TAX", 0, "empty", "#INPUT: nj_gross_receipts is required"),
])
def test_typed_answers_for_cells(xl, name, position, kind, expected):
    args = list(VALID[name][0])
    args[position] = cell(xl, KINDS[kind])
    assert call(xl, name, *args) == expected


def test_omitted_optional_arguments_take_the_python_default(xl):
    # the VBA wrapper passes a missing Optional as DISP_E_PARAMNOTFOUND; xlwings substitutes the default
    assert call(xl, "CREDIT_45X", "1e", 300.0, 100.0, MISSING, MISSING, MISSING) == 2100.0
    assert call(xl, "NJ_MINIMUM_TAX", 1000000.0, MISSING, MISSING, MISSING) == 2000.0


def test_a_column_range_arrives_as_a_list(xl):
    # CREDIT_45X over a column: one answer per row (Excel 365/2021 spill; 2016/2019 need an array formula)
    units = column(xl, [500.0, 1500.0])
    capacity = column(xl, [100.0, 200.0])
    # Form 7207 instructions, line 1a example: 500 × 100 W + 1,500 × 200 W = 350,000 W × $0.04/W
    assert xl.call_udf("CREDIT_45X", "1a", units, capacity, 2025.0) == [[2000.0], [12000.0]]
    broken = column(xl, [500.0, "#N/A"])
    answer = xl.call_udf("CREDIT_45X", "1a", broken, capacity, 2025.0)
    assert answer[0] == [2000.0]
    assert isinstance(answer[1][0], str) and "#N/A" in answer[1][0]
