"""Property tests (hypothesis) over random Form 306 returns: the allowed credit never exceeds line 30
nor the liability above the minimum tax; the carryover is line 30 minus the allowed credit; next
year's ledger holds exactly what carries; the rendered formulas agree with the engine."""

from decimal import Decimal

from hypothesis import HealthCheck, given, settings, strategies as st

from test_nj306_support import run, spreadsheet_value
from xlcredits.forms.nj306.catalog import allowable_credit
from xlcredits.forms.nj306.definition import lines

ZERO = Decimal(0)
money = st.integers(0, 2 * 10**9).map(lambda cents: Decimal(cents) / 100)
small_money = st.integers(0, 10**7).map(lambda cents: Decimal(cents) / 100)
fraction = st.integers(0, 10**6).map(lambda n: Decimal(n) / 10**6)
credits = st.lists(st.builds(lambda a: {"name": "c", "amount": a}, small_money), max_size=5)
vintages = st.lists(st.fixed_dictionaries({"year_earned": st.integers(2005, 2024), "amount": small_money,
                                           "period_years": st.sampled_from([7, 15])}), max_size=4)


@st.composite
def returns(draw):
    method = draw(st.sampled_from(["regular", "asc"]))
    kind = draw(st.sampled_from(["CBT-100", "CBT-100S", "BFC-1", "CBT-100U"]))
    data = {"form": "NJ-306", "tax_year": 2025, "return_type": kind, "federal_method": method,
            "energy_consortia": draw(small_money), "basic_research_payments": draw(small_money),
            "base_period_amount": draw(small_money),
            "qre": {"wages": draw(money), "supplies": draw(small_money), "computer_rental": draw(small_money)},
            "carryforward": draw(vintages), "carryover_period_years": draw(st.sampled_from([7, 15]))}
    if draw(st.booleans()):
        data["qre"]["contract_research"] = draw(small_money)
    else:
        data["contract_research_paid"] = {"general": draw(small_money), "energy_research": draw(small_money),
                                          "qualified_consortium": draw(small_money)}
    if method == "regular":
        data["fixed_base_percentage"] = draw(fraction)
        data["average_gross_receipts"] = draw(money)
    else:
        data["prior_year_qres"] = draw(st.lists(st.one_of(st.just(ZERO), money), min_size=3, max_size=3))
    if kind == "CBT-100U":
        sharing = draw(st.booleans())
        data["combined"] = {"sharing": sharing, "group_tax_liability": draw(money),
                            "taxable_members": draw(st.integers(1, 40)), "group_other_credits": draw(credits)}
        if not sharing:
            data["combined"].update(group_allocation_factor=draw(fraction.filter(bool)),
                                    member_allocation_factor=draw(fraction), member_other_credits=draw(credits))
    else:
        data.update(tax_liability=draw(money), nj_gross_receipts=draw(money), other_credits=draw(credits))
        if draw(st.booleans()):
            data["group_payroll"] = draw(money)
        if draw(st.integers(0, 4)) == 0:
            data["minimum_tax"] = draw(small_money)
    return data


SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(returns())
def test_allowed_credit_limits_and_carryover(data):
    result = run(data)
    L = result.lines
    assert L["30"] == L["28"] + L["29"] >= 0
    if data["return_type"] != "CBT-100U":
        allowed, carry, room = L["36"], L["37"], max(ZERO, L["31"] - L["32"])
        assert allowed == allowable_credit(L["30"], L["31"], L["32"], [c["amount"] for c in data["other_credits"]])
    elif data["combined"]["sharing"]:
        allowed, carry, room = L["43"], L["44"], max(ZERO, L["38"] - L["39"])
    else:
        assert L["43"] <= L["30"] and L["43"] <= max(ZERO, L["38"] - L["39"])
        allowed, carry, room = L["50"], L["51"], max(ZERO, L["45c"] - L["46"])
    assert ZERO <= allowed <= L["30"]
    assert allowed <= room  # never more than the liability above the minimum tax
    assert carry == L["30"] - allowed

    # next year's ledger: what carries, less vintages in their last period (NJ306-D5)
    expiring = sum((r["remaining"] for r in result.rows["carryforward"] if r["periods_left"] <= 1), ZERO)
    assert sum((v["amount"] for v in result.extras["carryforward_next"]), ZERO) == carry - expiring
    assert all(v["amount"] > 0 for v in result.extras["carryforward_next"])


@SETTINGS
@given(returns())
def test_lines_are_cents_and_line_10_is_capped(data):
    result = run(data)
    for line in lines():
        value = result.lines.get(line.key)
        if line.report and value is not None and line.unit == "money":
            assert value == value.quantize(Decimal("0.01")), line.key
    if data["federal_method"] == "regular":
        assert ZERO <= result.lines["10"] <= Decimal("0.16")
        assert result.lines["13"] >= 0 and result.lines["15"] <= result.lines["14"]
    else:
        assert result.lines["24"] <= result.lines["20"]
    assert result.lines["3"] <= result.lines["2"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(returns())
def test_rendered_formulas_agree_with_the_engine(data):
    result = run(data)
    values = result.extras["values"]
    for line in lines():
        if line.kind == "computed":
            expected = values[line.key] if values[line.key] is not None else ZERO
            assert spreadsheet_value(line.expr, values, result.rows) == expected, line.key
