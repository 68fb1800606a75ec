"""Engine-level inputs: line 10 sources, contract research by kind, line 32 on the form, and the
findings for inputs that cannot be computed (blocking) or are not used (warnings)."""

from decimal import Decimal

import pytest

from test_nj306_support import asc, blocked, combined, regular, run, where
from xlcredits.forms.nj306.compute import compute

D = Decimal


# --- Line 10 from its three sources -----------------------------------------------------------

def test_line_10_from_start_up_history():
    # source: 26 U.S.C. 41(c)(3), 41(b)(3) start-up year 7 = (QREs ÷ gross receipts of years 5–6) ÷ 3; [§41] 41(c)(3)(B)(ii)(III)
    data = regular(fixed_base_percentage=None, startup={"credit_year": 7, "history": [
        {"year": 5, "qre": 90, "gross_receipts": 1000}, {"year": 6, "qre": 100, "gross_receipts": 1000}]})
    result = run(data)
    assert result.lines["10"] == D("0.0317")
    assert str(result.extras["values"]["fixed_base_ratio"]).startswith("0.03166666666")  # exact until line 10
    assert "years 5, 6" in result.explanations["fixed_base_ratio"]
    assert [r["#where"] for r in result.rows["startup_history"]] == ["startup.history[0]", "startup.history[1]"]


def test_line_10_start_up_year_11_without_election_is_noted():
    history = [{"year": k, "qre": k, "gross_receipts": 100} for k in range(5, 11)]
    result = run(regular(fixed_base_percentage=None, startup={"credit_year": 11, "history": history}))
    assert result.lines["10"] == D("0.07")  # years 5–9: 35 / 500
    assert "startup.selected_years" in where(result, "note")


def test_line_10_start_up_error_names_the_field():
    errors = blocked(regular(fixed_base_percentage=None, startup={"credit_year": 6, "history": []}))
    assert errors[0].where == "startup" and "years 4, 5" in errors[0].message


def test_line_10_from_1984_1988_totals():
    # source: 26 U.S.C. 41(c)(3), 41(b)(3) existing company; [§41] 41(c)(3)(A)
    result = run(regular(fixed_base_percentage=None, base_period_1984_1988={"qre": 793, "gross_receipts": 10000}))
    assert result.lines["10"] == D("0.0793")
    errors = blocked(regular(fixed_base_percentage=None, base_period_1984_1988={"qre": 1, "gross_receipts": 0}))
    assert errors[0].where == "base_period_1984_1988"


def test_line_10_needs_exactly_one_source():
    assert [f.where for f in blocked(regular(fixed_base_percentage=None))] == ["fixed_base_percentage"]
    two = regular(startup={"credit_year": 1})
    assert [f.where for f in blocked(two)] == ["startup"]


# --- Contract research (lines 8 and 19) ---------------------------------------------------------

def test_contract_research_by_kind():
    # source: 26 U.S.C. 41(c)(3), 41(b)(3) — 65% general, 75% consortium, 100% energy [§41] 41(b)(3)
    paid = {"general": "1000.01", "qualified_consortium": 2000, "energy_research": 300}
    result = run(regular(contract_research_paid=paid))
    assert result.lines["8"] == D("2450.01")  # 650.0065 + 1,500 + 300, rounded to cents
    assert result.lines["9"] == D("102450.01")
    ascs = run(asc(contract_research_paid=paid))
    assert ascs.lines["19"] == D("2450.01") and ascs.lines["8"] is None


def test_contract_research_given_twice_is_an_error():
    data = regular(qre={"wages": 1, "contract_research": 500}, contract_research_paid={"general": 1000})
    assert [f.where for f in blocked(data)] == ["contract_research_paid"]


# --- Method ----------------------------------------------------------------------------------

@pytest.mark.parametrize("method", [None, "none", "NONE"])
def test_neither_federal_method_is_a_blocking_error(method):
    # source: Form 306 "a validation error, not a zero"
    data = regular(federal_method=method) if method else regular(federal_method=None)
    errors = blocked(data)
    assert [f.where for f in errors] == ["federal_method"] and "neither" in errors[0].message


def test_method_names_are_case_insensitive():
    assert run(regular(federal_method=" Regular ")).lines["9"] == D(100000)


def test_both_methods_lines_filled_is_a_warning():
    result = run(regular(prior_year_qres=[1, 2, 3]))
    assert "prior_year_qres" in where(result, "warning")
    assert result.lines["21"] is None
    result = run(asc(fixed_base_percentage="0.03", average_gross_receipts=100))
    assert "fixed_base_percentage" in where(result, "warning")
    assert result.lines["10"] is None and result.lines["11"] is None


def test_asc_without_prior_year_qres_is_an_error():
    assert [f.where for f in blocked(asc(prior_year_qres=None))] == ["prior_year_qres"]


def test_prior_year_qres_must_be_three():
    assert [f.where for f in blocked(asc(prior_year_qres=[1, 2]))] == ["prior_year_qres"]


def test_regular_without_average_gross_receipts_is_an_error():
    assert [f.where for f in blocked(regular(average_gross_receipts=None))] == ["average_gross_receipts"]


# --- Part VI inputs and line 32 ------------------------------------------------------------------

def test_part_vi_needs_liability_and_receipts():
    assert [f.where for f in blocked(regular(tax_liability=None))] == ["tax_liability"]
    assert [f.where for f in blocked(regular(nj_gross_receipts=None))] == ["nj_gross_receipts"]
    assert run(regular(nj_gross_receipts=None, minimum_tax=750)).lines["32"] == D(750)


@pytest.mark.parametrize("kind, receipts, expected", [
    ("CBT-100", 99999, "500"), ("CBT-100S", 99999, "375"), ("BFC-1", 600000, "1500"), ("CBT-100S", 2000000, "1500"),
])
def test_line_32_from_the_table(kind, receipts, expected):
    # source: N.J.A.C. 18:7-3.4 (line 32)
    result = run(regular(return_type=kind, nj_gross_receipts=receipts))
    assert result.lines["32"] == D(expected)
    assert "gross receipts" in result.explanations["32"]


def test_short_period_months_come_from_the_tax_year():
    # source: N.J.A.C. 18:7-3.4 (line 32) short-period rule: more than $416,667 a month
    short = {"begins": "2025-01-01", "ends": "2025-06-30"}  # 6 months
    low = run(regular(tax_year=short, nj_gross_receipts=50000, group_payroll=2500002))
    high = run(regular(tax_year=short, nj_gross_receipts=50000, group_payroll="2500002.01"))
    assert (low.lines["32"], high.lines["32"]) == (D(500), D(2000))
    full = run(regular(nj_gross_receipts=50000, group_payroll=4999999))
    assert full.lines["32"] == D(500)
    # a part of a month counts as a month: 15 Jan – 20 Jun is 6 months
    partial = run(regular(tax_year={"begins": "2025-01-15", "ends": "2025-06-20"}, nj_gross_receipts=50000,
                          group_payroll=2500002))
    assert partial.lines["32"] == D(500)


def test_period_months_given_by_the_preparer():
    result = run(regular(nj_gross_receipts=50000, group_payroll=2500003, period_months=6))
    assert result.lines["32"] == D(2000)
    assert "period_months" in where(result, "warning")  # a calendar year is 12 months


def test_52_53_week_year_is_twelve_months():
    result = run(regular(tax_year={"begins": "2025-01-05", "ends": "2026-01-03"}, nj_gross_receipts=50000,
                         group_payroll=4999999))
    assert result.lines["32"] == D(500)


def test_other_credit_rows_beyond_the_printed_four_are_noted():
    credits = [{"name": f"c{i}", "amount": 1} for i in range(5)]
    result = run(regular(other_credits=credits))
    assert result.lines["34"] == D(5) and "other_credits" in where(result, "note")


def test_schema_errors_name_the_json_path():
    result = compute(regular(qre={"wages": -5, "wagez": 1}, return_type="CBT-200"))
    paths = {f.where for f in result.findings}
    assert {"qre.wages", "qre.wagez", "return_type"} <= paths
    assert all(f.blocking for f in result.findings) and result.lines == {}


def test_input_that_is_not_an_object():
    result = compute([1, 2])
    assert not result.computed and result.findings[0].where == "(input)"


def test_combined_block_on_a_separate_return_is_an_error():
    data = regular(combined={"sharing": True, "group_tax_liability": 1, "taxable_members": 1})
    assert [f.where for f in blocked(data)] == ["combined"]


def test_cbt_100u_without_combined_is_an_error():
    assert [f.where for f in blocked(regular(return_type="CBT-100U"))] == ["combined"]


def test_part_vi_inputs_on_a_combined_return_are_ignored_with_a_warning():
    result = run(combined(True, tax_liability=9000, other_credits=[{"name": "x", "amount": 5}]))
    assert "tax_liability" in where(result, "warning")
    assert result.lines["31"] is None and result.lines["34"] is None
