"""Part VII: CBT-100U filers, members sharing (Section A, line 44) and not sharing (Section B)."""

from decimal import Decimal

from conftest import EXAMPLES, load_json
from test_nj306_support import combined, run, where

D = Decimal


def test_sharing_member_uses_section_a_and_line_44():
    # source: Form 306 lines 38–44 (line 44 for sharing members only)
    result = run(combined(True, combined={"group_tax_liability": 8000, "taxable_members": 2}))
    lines = result.lines
    assert (lines["38"], lines["39"], lines["40"], lines["42"]) == (D(8000), D(4000), D(4000), D(4000))
    assert lines["43"] == D("3030.70") and lines["44"] == 0
    assert all(lines[k] is None for k in ("45a", "45b", "45c", "46", "47", "48", "49", "50", "51"))
    assert all(lines[str(k)] is None for k in range(31, 38))


def test_sharing_member_limited_by_the_group_liability():
    result = run(combined(True, combined={"group_tax_liability": 7000, "taxable_members": 3,
                                          "group_other_credits": [{"name": "x", "amount": 500}]}))
    assert result.lines["42"] == D(500) and result.lines["43"] == D(500)
    assert result.lines["44"] == D("2530.70")


def test_group_liability_below_the_aggregate_minimum():
    result = run(combined(True, combined={"group_tax_liability": 5000, "taxable_members": 3}))
    assert result.lines["40"] == D(-1000)  # no floor on line 40
    assert result.lines["42"] == 0 and result.lines["43"] == 0


def test_member_not_sharing_is_the_example():
    # source: examples/nj306_asc_combined_2025
    result = run(load_json(EXAMPLES / "nj306_asc_combined_2025.json"))
    assert result.lines["44"] is None
    assert result.lines["45b"] == D(50000) and result.lines["45c"] == D(10000) and result.lines["46"] == D(2000)
    assert result.lines["50"] == D("3030.70") and result.lines["51"] == 0


def test_member_not_sharing_limited_by_its_own_share():
    data = combined(False, combined={"group_tax_liability": 123456.78, "group_allocation_factor": "0.7",
                                     "member_allocation_factor": "0.03",
                                     "member_other_credits": [{"name": "y", "amount": 1000}]})
    result = run(data)
    lines = result.lines
    assert lines["45b"] == D("176366.83")  # 123,456.78 ÷ 0.7 = 176,366.828… to cents
    assert lines["45c"] == D("5291.00")  # 176,366.83 × 0.03 = 5,291.0049 to cents
    assert lines["47"] == D("3291.00") and lines["48"] == D(1000) and lines["49"] == D("2291.00")
    assert lines["50"] == D("2291.00")  # lesser of line 43 (3,030.70) and line 49
    assert lines["51"] == D("739.70")


def test_line_50_never_exceeds_line_43():
    # line 43 is limited by the group; a member's own share cannot restore what the group lacks
    data = combined(False, combined={"group_tax_liability": 6500, "group_allocation_factor": "0.1",
                                     "member_allocation_factor": "0.1"})
    result = run(data)
    assert result.lines["43"] == D(500) and result.lines["49"] == D(4500) and result.lines["50"] == D(500)


def test_member_share_above_the_group_liability_is_a_warning():
    result = run(combined(False, combined={"group_allocation_factor": "0.2", "member_allocation_factor": "0.5"}))
    assert "combined.member_allocation_factor" in where(result, "warning")


def test_sharing_member_with_a_zero_group_factor_is_only_a_warning():
    # NJ306-A6 applies to line 45b, which a sharing member does not complete
    result = run(combined(True, combined={"group_allocation_factor": 0}))
    assert "combined.group_allocation_factor" in where(result, "warning")


def test_member_credits_of_a_sharing_member_are_ignored():
    result = run(combined(True, combined={"member_other_credits": [{"name": "z", "amount": 9}]}))
    assert "combined.member_other_credits" in where(result, "warning")
    assert result.rows["member_other_credits"] == []
