"""The pure helpers the Excel functions call: minimum tax, fixed-base percentages, allowable credit."""

from decimal import Decimal

import pytest

from xlcredits.forms.nj306 import catalog
from xlcredits.forms.nj306.catalog import (allowable_credit, credit_rate, fixed_base_percentage_existing,
                                           minimum_tax, startup_fixed_base_percentage)

D = Decimal

# --- Minimum tax: every bracket, both columns, at both edges ---------------------------------
# source: N.J.A.C. 18:7-3.4 (line 32) table; [NJAC] 18:7-3.4(b); [SMIN] Division notice on P.L. 2011, c.84
BRACKETS = [
    # NJ gross receipts, CBT-100 / BFC-1, CBT-100S
    ("0", "500", "375"),
    ("99999.99", "500", "375"),
    ("100000", "750", "562.50"),
    ("249999.99", "750", "562.50"),
    ("250000", "1000", "750"),
    ("499999.99", "1000", "750"),
    ("500000", "1500", "1125"),
    ("999999.99", "1500", "1125"),
    ("1000000", "2000", "1500"),
    ("1000000000", "2000", "1500"),
]


@pytest.mark.parametrize("receipts, c_corp, s_corp", BRACKETS)
def test_minimum_tax_brackets_both_columns(receipts, c_corp, s_corp):
    assert minimum_tax("CBT-100", receipts) == D(c_corp)
    assert minimum_tax("BFC-1", D(receipts)) == D(c_corp)
    assert minimum_tax("CBT-100S", receipts) == D(s_corp)


def test_minimum_tax_accepts_what_excel_hands_over():
    assert minimum_tax(" cbt-100s ", 150000.0, None, 12.0) == D("562.50")
    assert minimum_tax("CBT-100", "1,000,000") == D(2000)


# source: N.J.A.C. 18:7-3.4 (line 32) group-payroll rule; [NJAC] 18:7-3.4(b)1
@pytest.mark.parametrize("kind, payroll, months, expected", [
    ("CBT-100", "4999999.99", 12, "500"),
    ("CBT-100", "5000000", 12, "2000"),  # "$5,000,000 or more"
    ("CBT-100S", "5000000", 12, "2000"),  # S corporations in such a group pay $2,000 too
    ("BFC-1", "9000000", 12, "2000"),
    # short periods: more than $416,667 a month of the period
    ("CBT-100", "2500002", 6, "500"),  # exactly 416,667 × 6: not more than
    ("CBT-100", "2500002.01", 6, "2000"),
    ("CBT-100S", "416667.01", 1, "2000"),
    ("CBT-100", "4583337", 11, "500"),  # 416,667 × 11
    ("CBT-100", "4583338", 11, "2000"),
    ("CBT-100", "4999999", 11, "2000"),  # a 12-month group would not qualify; an 11-month one does
])
def test_group_payroll_minimum(kind, payroll, months, expected):
    assert minimum_tax(kind, 50000, payroll, months) == D(expected)


def test_no_group_means_the_receipts_table():
    assert minimum_tax("CBT-100", 50000, None) == D(500)
    assert minimum_tax("CBT-100", 50000, "") == D(500)


@pytest.mark.parametrize("args, words", [
    (("CBT-100U", 1000), "line 39"),
    (("1120", 1000), "return type"),
    (("CBT-100", None), "required"),
    (("CBT-100", -1), "negative"),
    (("CBT-100", "abc"), "number"),
    (("CBT-100", 1000, -5), "negative"),
    (("CBT-100", 1000, None, 13), "from 1 to 12"),
    (("CBT-100", 1000, None, 6.5), "whole number"),
    (("CBT-100", float("nan")), "number"),
])
def test_minimum_tax_bad_input(args, words):
    with pytest.raises(ValueError, match=words):
        minimum_tax(*args)


# --- Start-up fixed-base percentage: each year class ------------------------------------------
# source: 26 U.S.C. 41(c)(3), 41(b)(3); [§41] 26 U.S.C. 41(c)(3)(B)(ii)(I)-(VII)

HISTORY = [{"year": k, "qre": q, "gross_receipts": g} for k, q, g in [
    (1, 5, 1000), (2, 5, 1000), (3, 5, 1000),
    (4, 60, 1000), (5, 90, 1000), (6, 100, 1000), (7, 120, 1000), (8, 80, 1000), (9, 200, 1000), (10, 50, 1000)]]


@pytest.mark.parametrize("year", [1, 2, 3, 4, 5])
def test_startup_years_1_to_5_are_three_percent(year):
    assert startup_fixed_base_percentage(year, []) == D("0.03")


@pytest.mark.parametrize("year, expected", [
    (6, "0.0125"),  # (150 / 2000) / 6 = 0.0125
    (7, "0.0317"),  # (190 / 2000) / 3 = 0.031666…
    (8, "0.0517"),  # (310 / 3000) / 2 = 0.051666…
    (9, "0.0650"),  # (390 / 4000) × 2/3 = 0.065
    (10, "0.0983"),  # (590 / 5000) × 5/6 = 0.098333…
])
def test_startup_years_6_to_10(year, expected):
    assert startup_fixed_base_percentage(year, HISTORY[:year - 1]) == D(expected)


def test_startup_year_9_is_exactly_two_thirds():
    # (390 / 4000) ÷ 1.5 = 0.065 exactly: no rounding drift from dividing by 1.5
    assert catalog.startup_ratio(9, HISTORY[:8]).ratio == D("0.065")


def test_startup_year_11_and_later_uses_the_selected_years():
    # years 5, 6, 7, 9, 10: 560 / 5000 = 0.112
    assert startup_fixed_base_percentage(11, HISTORY, [5, 6, 7, 9, 10]) == D("0.112")
    assert startup_fixed_base_percentage(25, HISTORY, [10, 9, 8, 7, 6]) == D("0.11")


def test_startup_year_11_without_selection_takes_the_lowest_percentage():
    # leaving out year 9 (the highest ratio): 440 / 5000 = 0.088
    found = catalog.startup_ratio(11, HISTORY)
    assert found.years_used == (5, 6, 7, 8, 10)
    assert startup_fixed_base_percentage(11, HISTORY) == D("0.088")


def test_startup_result_is_capped_at_16_percent():
    history = [{"year": 4, "qre": 900, "gross_receipts": 1000}, {"year": 5, "qre": 1000, "gross_receipts": 1000}]
    assert startup_fixed_base_percentage(6, history) == D("0.1583")  # (1900/2000)/6 = 0.158333…
    history[1]["qre"] = 1100
    assert startup_fixed_base_percentage(6, history) == D("0.16")  # (2000/2000)/6 = 0.1667 caps at 0.16


def test_startup_without_gross_receipts():
    # project decision: QREs but no gross receipts is an unbounded percentage → the 16% cap
    none = [{"year": 4, "qre": 10, "gross_receipts": 0}, {"year": 5, "qre": 10, "gross_receipts": 0}]
    assert startup_fixed_base_percentage(6, none) == D("0.16")
    nothing = [{"year": 4, "qre": 0, "gross_receipts": 0}, {"year": 5, "qre": 0, "gross_receipts": 0}]
    assert startup_fixed_base_percentage(6, nothing) == 0


@pytest.mark.parametrize("args, words", [
    ((6, HISTORY[:4]), "missing: 5"),
    ((0, []), "from 1 to 100"),
    ((11, HISTORY, [5, 6, 7, 8]), "exactly 5"),
    ((11, HISTORY, [4, 5, 6, 7, 8]), "exactly 5"),
    ((11, HISTORY, [5, 5, 6, 7, 8]), "exactly 5"),
    ((8, HISTORY[:7], [5, 6, 7, 8, 9]), "from start-up year 11"),
    ((5, [{"year": 5, "qre": 1, "gross_receipts": 1}]), "not before"),
    ((6, HISTORY + [{"year": 4, "qre": 1, "gross_receipts": 1}]), "twice"),
    ((6, [{"year": 4, "qre": -1, "gross_receipts": 1}]), "negative"),
])
def test_startup_bad_input(args, words):
    with pytest.raises(ValueError, match=words):
        startup_fixed_base_percentage(*args)


# --- Existing company -----------------------------------------------------------------------

@pytest.mark.parametrize("qre, receipts, expected", [
    ("793", "10000", "0.0793"),  # source: the "0.0793" example
    ("1", "30", "0.0333"),
    ("7935", "100000", "0.0794"),  # half up at the fifth decimal
    ("3000", "10000", "0.16"),  # capped
])
def test_existing_company_fixed_base_percentage(qre, receipts, expected):
    # source: 26 U.S.C. 41(c)(3), 41(b)(3); 26 U.S.C. 41(c)(3)(A)
    assert fixed_base_percentage_existing(qre, receipts) == D(expected)


def test_existing_company_needs_gross_receipts():
    with pytest.raises(ValueError, match="start-up"):
        fixed_base_percentage_existing(100, 0)


# --- Allowable credit (line 36) and the rate --------------------------------------------------

@pytest.mark.parametrize("available, liability, minimum, others, expected", [
    ("4600", "9000", "2000", "1000", "4600"),  # source: examples/nj306_regular_2025 line 36
    ("10000", "9000", "2000", ["1000", "500"], "5500"),
    ("10000", "1500", "2000", None, "0"),  # liability below the minimum tax
    ("10000", "9000", "2000", "8000", "0"),
    ("0", "9000", "2000", [], "0"),
])
def test_allowable_credit(available, liability, minimum, others, expected):
    assert allowable_credit(available, liability, minimum, others) == D(expected)


def test_allowable_credit_bad_input():
    with pytest.raises(ValueError, match="tax liability"):
        allowable_credit(100, -1, 500, 0)


def test_credit_rate():
    # source: Form 306 line 28; N.J.S.A. 54:10A-5.24(a)
    assert credit_rate() == D("0.10")


def test_rules_file_carries_citations():
    rules = catalog.RULES
    for section in ("credit", "regular", "fixed_base", "contract_research", "asc", "carryover", "minimum_tax"):
        assert rules[section]["cites"], section  # citations as fields (the reference strings repeated them)
    assert catalog.CARRYOVER_YEARS == (7, 15)
    assert catalog.CONTRACT_RESEARCH == {"general": D("0.65"), "qualified_consortium": D("0.75"),
                                         "energy_research": D("1.00")}
    assert catalog.ASC_DIVISOR == 6 and catalog.FBP_CAP == D("0.16")
    assert catalog.RULES["minimum_tax"]["group_payroll"]["threshold"] == "5000000"
    assert catalog.RULES["minimum_tax"]["group_payroll"]["monthly_threshold"] == "416667"
