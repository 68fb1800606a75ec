"""CREDIT_45X applies the form's eligibility rules (decision F7207-D13): the same size classes,
years and MACR test as a full return, through the engine's `unit_credit`; an ineligible row gives
"#RULE: reason" and a row the engine cannot place gives "#INPUT: reason"."""

import datetime as dt

import pytest

import udfs


def is_rule(value, needle=""):
    return isinstance(value, str) and value.startswith("#RULE: ") and needle in value


@pytest.mark.parametrize("line,size,credit", [
    # boundary pairs of 26 U.S.C. 45X(c)(2) and (c)(5)(B); credit = 1 unit × size × rate
    ("3a", 1_000_000.0, None), ("3a", 1_000_001.0, 2500.0),     # central > 1,000 kW; × $0.0025 = 2,500.0025 → 2,500.00
    ("3e", 650.0, 71.5), ("3e", 651.0, None),                    # microinverter ≤ 650 W; 650 × $0.11 = 71.50
    ("3d", 20_000.0, 1300.0), ("3d", 20_001.0, None),            # residential ≤ 20 kW; × $0.065 = 1,300
    ("5a", 0.012, 0.42), ("5a", 0.011999, None),                 # cell ≥ 12 Wh; 0.012 × $35 = 0.42
    ("5b", 7.0, 70.0), ("5b", 6.999, None),                      # module ≥ 7 kWh; 7 × $10 = 70
])
def test_credit_45x_applies_the_size_classes(line, size, credit):
    got = udfs.CREDIT_45X(line, 1.0, size, 2025.0)
    if credit is None:
        assert is_rule(got, f"line {line}: "), got
        assert "under the statute" in got
    else:
        assert got == credit


def test_the_same_rule_in_a_range_and_in_a_single_call():
    column = udfs.CREDIT_45X(["3e", "3e", "3a"], [1.0, 1.0, 50.0], [650.0, 700.0, 1000.0], 2025.0)
    assert column[0] == [71.5]
    assert is_rule(column[1][0], "fits line 3d or 3f") and is_rule(column[2][0], "greater than 1,000 kW")
    assert [r[0] for r in column] == [udfs.CREDIT_45X(c, q, s, 2025.0)
                                     for c, q, s in zip(["3e", "3e", "3a"], [1.0, 1.0, 50.0], [650.0, 700.0, 1000.0])]


def test_macr_when_given():
    # 26 U.S.C. 45X(c)(1)(C), 7701(a)(52): solar components sold in 2026 need 50%; tax year beginning 2026
    assert udfs.CREDIT_45X("1e", 10.0, 400.0, 2026.0, 2026.0, dt.date(2026, 1, 1), 0.5) == 280.0  # 4,000 W × $0.07
    assert is_rule(udfs.CREDIT_45X("1e", 10.0, 400.0, 2026.0, 2026.0, dt.date(2026, 1, 1), 0.49), "below the 50%")
    # not given: the form requires it, the cell function cannot ask; it computes (rule book point 13)
    assert udfs.CREDIT_45X("1e", 10.0, 400.0, 2026.0, 2026.0, dt.date(2026, 1, 1)) == 280.0
    assert udfs.CREDIT_45X("1e", 10.0, 400.0, 2026.0, None, None, 1.5).startswith("#INPUT: macr must be a fraction")
    # a range of MACRs: one answer per row
    column = udfs.CREDIT_45X("1e", 10.0, 400.0, 2026.0, 2026.0, 2026.0, [0.5, 0.1])
    assert column[0] == [280.0] and is_rule(column[1][0])


def test_before_2023_and_terminations_are_rule_messages():
    assert is_rule(udfs.CREDIT_45X("1e", 1.0, 400.0, 2022.0), "after 31 Dec 2022")           # P.L. 117-169 sec. 13502
    assert is_rule(udfs.CREDIT_45X("2b", 1.0, 6e6, 2028.0, 2028.0), "after 2027")           # 45X(b)(3)(D)
    assert is_rule(udfs.CREDIT_45X("6b", 1000.0, None, 2030.0, 2030.0), "after 31 Dec 2029")  # 45X(c)(6) as amended


def test_a_blank_year_in_a_straddling_tax_year_is_an_input_problem():
    # FY beginning 1 Oct 2029: sold in 2029 earns 100%, in 2030 75% [45X(b)(3)] (decision F7207-D2)
    got = udfs.CREDIT_45X("1e", 10.0, 400.0, None, None, dt.date(2029, 10, 1))
    assert got.startswith("#INPUT: the year sold and year produced are blank")


def test_help_says_rows_round_while_the_form_rounds_lines():
    assert "rounds each row" in udfs.CREDIT_45X.__doc__.lower() and "each line" in udfs.CREDIT_45X.__doc__
