"""Worked cases from public material, the bundled examples, and the decisions NJ306-A1..A8."""

from decimal import Decimal

import pytest

from conftest import EXAMPLES, load_json
from test_nj306_support import asc, blocked, combined, regular, run, where
from xlcredits.forms.nj306.model import NJ306Input

D = Decimal


# --- §6 worked cases ------------------------------------------------------------------------

REGULAR_CASES = [
    # (qre, fbp, average gross receipts, expected lines)
    # source: Form 306 worked case (public material, tests/cases_nj306.json) 1 (FBP 25% capped at 16%)
    ("125000", "0.25", "700000", {"10": "0.16", "12": "112000", "13": "13000", "14": "62500", "15": "13000",
                                  "28": "1300"}),
    # source: Form 306 worked case (public material, tests/cases_nj306.json) 2 (the 50% floor binds)
    ("100000", "0.03", "200000", {"10": "0.03", "12": "6000", "13": "94000", "14": "50000", "15": "50000",
                                  "28": "5000"}),
    # source: Form 306 worked case (public material, tests/cases_nj306.json) 3
    ("250000", "0.05", "2000000", {"10": "0.05", "12": "100000", "13": "150000", "14": "125000", "15": "125000",
                                   "28": "12500"}),
]


@pytest.mark.parametrize("qre, fbp, receipts, expected", REGULAR_CASES, ids=["cap16", "floor50", "plain"])
def test_regular_worked_cases(qre, fbp, receipts, expected):
    result = run(regular(qre={"wages": qre}, fixed_base_percentage=fbp, average_gross_receipts=receipts))
    assert result.lines["9"] == D(qre)
    for key, value in expected.items():
        assert result.lines[key] == D(value), key
    assert result.lines["25c"] == 0 and result.lines["26"] == result.lines["15"]


def test_asc_worked_case():
    # source: Form 306 worked case (public material, tests/cases_nj306.json) 4 (ASC, prior three years total 140,382)
    result = run(asc(qre={"wages": 53704}, prior_year_qres=[45000, 47382, 48000]))
    assert result.lines["20"] == D(53704) and result.lines["21"] == D(140382)
    assert result.lines["22"] == D(23397) and result.lines["23"] == D(30307) and result.lines["24"] == D(30307)
    assert result.lines["28"] == D("3030.70")


def test_asc_worked_case_with_a_prior_year_without_qres():
    # source: Form 306 worked case (public material, tests/cases_nj306.json) 5 (one prior year at zero: line 24 = line 20)
    result = run(asc(qre={"wages": 53704}, prior_year_qres=[0, 47382, 48000]))
    assert result.lines["22"] is None and result.lines["23"] is None
    assert result.lines["24"] == D(53704)
    assert result.lines["28"] == D("5370.40")
    assert "prior_year_qres[0]" in where(result, "note")


@pytest.mark.parametrize("name", ["nj306_regular_2025", "nj306_asc_combined_2025"])
def test_examples_and_only_their_lines(name):
    # source: examples/*.expected.json (the public contract)
    expected = load_json(EXAMPLES / f"{name}.expected.json")["lines"]
    result = run(load_json(EXAMPLES / f"{name}.json"))
    assert {k: v for k, v in result.lines.items() if v is not None} == expected
    assert result.findings == []


# --- §5 decisions ---------------------------------------------------------------------------

def test_a1_line_13_floored_at_zero_with_a_note():
    # source: NJ306-A1 — a negative line 13 must not eat into lines 25a/25b
    result = run(regular(qre={"wages": 10000}, fixed_base_percentage="0.16", average_gross_receipts=1000000,
                         basic_research_payments=40000))
    assert result.lines["12"] == D(160000)
    assert result.lines["13"] == 0 and result.lines["15"] == 0
    assert result.lines["28"] == D(4000)  # 10% of line 25b alone
    assert "13" in where(result, "note")
    assert "floored at zero" in result.explanations["13"]


def test_a2_base_period_amount_limited_to_line_2():
    # source: NJ306-A2
    result = run(regular(basic_research_payments=40000, base_period_amount=50000))
    assert result.lines["3"] == D(40000) and result.lines["4"] == 0
    assert "base_period_amount" in where(result, "note")
    ok = run(regular(basic_research_payments=40000, base_period_amount=15000))
    assert ok.lines["3"] == D(15000) and ok.lines["4"] == D(25000)
    assert "base_period_amount" not in where(ok)


@pytest.mark.parametrize("fbp, expected", [
    ("0.079349", "0.0793"), ("0.07935", "0.0794"), ("0.16004", "0.16"), ("0.1599", "0.1599"),
    ("0.25", "0.16"), ("0", "0"),
])
def test_a3_line_10_rounded_to_four_decimals_then_capped(fbp, expected):
    # source: NJ306-A3; 26 U.S.C. 41(c)(3)(C), (E)
    assert run(regular(fixed_base_percentage=fbp)).lines["10"] == D(expected)


@pytest.mark.parametrize("prior, skipped", [
    ([0, 300000, 300000], True),  # average far from zero, yet one year had none
    ([300000, 0, 300000], True),
    ([300000, 300000, 0], True),
    ([1, 1, 1], False),  # tiny but not zero
])
def test_a4_each_prior_year_tested_separately(prior, skipped):
    # source: NJ306-A4 — never test the average
    result = run(asc(qre={"wages": 100000}, prior_year_qres=prior))
    if skipped:
        assert result.lines["24"] == result.lines["20"] == D(100000)
        assert result.lines["22"] is None and result.lines["23"] is None
    else:
        assert result.lines["22"] == D("0.50") and result.lines["24"] == D("99999.50")


def test_a5_line_41_is_other_credits_already_applied_to_the_group():
    # source: NJ306-A5
    data = combined(True, combined={"group_other_credits": [{"name": "A", "amount": 30000},
                                                            {"name": "B", "amount": 4000}]})
    result = run(data)
    assert result.lines["41"] == D(34000)
    assert result.lines["42"] == D(10000)  # 50,000 − 6,000 − 34,000


@pytest.mark.parametrize("factor", ["0", "-0.5"])
def test_a6_group_allocation_factor_must_be_positive(factor):
    # source: NJ306-A6 — a validation error naming the field, not a division by zero
    errors = blocked(combined(False, combined={"group_allocation_factor": factor}))
    assert [f.where for f in errors] == ["combined.group_allocation_factor"]
    assert factor in errors[0].message


def test_a6_missing_factor_for_a_member_not_sharing():
    data = combined(False)
    del data["combined"]["group_allocation_factor"]
    assert [f.where for f in blocked(data)] == ["combined.group_allocation_factor"]


@pytest.mark.parametrize("receipts, amount, printed", [("150000", "562.50", "562"), ("750000", "1125", "1,000")])
def test_a7_s_corporation_brackets_follow_the_regulation_with_a_note(receipts, amount, printed):
    # source: NJ306-A7; [SMIN] P.L. 2011, c.84; [NJAC] 18:7-3.4
    result = run(regular(return_type="CBT-100S", nj_gross_receipts=receipts))
    assert result.lines["32"] == D(amount)
    notes = [f for f in result.findings if f.where == "nj_gross_receipts"]
    assert len(notes) == 1 and notes[0].severity == "note" and f"${printed}" in notes[0].message


def test_a7_preparer_may_override_line_32():
    # source: N.J.A.C. 18:7-3.4 (line 32) — "let the preparer override line 32"
    result = run(regular(return_type="CBT-100S", nj_gross_receipts=150000, minimum_tax=562))
    assert result.lines["32"] == D(562)
    assert "minimum_tax" in where(result, "note")


def test_a8_liability_help_text_says_surtax_and_transit_fee_are_excluded():
    # source: NJ306-A8
    fields = NJ306Input.model_json_schema()
    for text in (fields["properties"]["tax_liability"]["description"],
                 fields["$defs"]["Combined"]["properties"]["group_tax_liability"]["description"]):
        assert "surtax" in text and "Transit Fee" in text
