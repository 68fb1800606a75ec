"""Property tests: for random valid Form 7207 inputs, the form's arithmetic holds.

Line 8a equals the sum of column (e) plus line 7, and each column (e) lies between 0 and
(c) × (d) (the phase-out and eligibility can only reduce it; rounding to cents moves it by at most
half a cent).
"""

from decimal import Decimal

from hypothesis import given, settings, strategies as st

from xlcredits.forms.f7207 import catalog
from xlcredits.forms.f7207.compute import compute

years = st.integers(2023, 2036)
amounts = st.decimals(min_value=0, max_value=10**7, places=3, allow_nan=False, allow_infinity=False)
money = st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False, allow_infinity=False)


@st.composite
def component(draw):
    entry = draw(st.sampled_from([catalog.PART_II[k] for k in catalog.PRODUCT_LINES]))
    row = {"line": entry.line, "sold_year": draw(years), "produced_year": draw(years)}
    if draw(st.booleans()):
        row["macr"] = str(draw(st.decimals(min_value=0, max_value=1, places=2)))
    if entry.measure == "capacity":
        row["units"] = str(draw(st.integers(0, 10**5)))
        row["capacity_per_unit"] = str(draw(amounts))
        if entry.is_battery_capacity and draw(st.booleans()):
            row["max_discharge_kw_per_unit"] = str(draw(st.decimals(min_value="0.01", max_value=1000, places=2)))
    elif entry.measure == "quantity":
        row["quantity"] = str(draw(amounts))
    else:
        row["costs"] = str(draw(money))
    return row


@st.composite
def form_input(draw):
    year = draw(years)
    data = {
        "form": "7207",
        "tax_year": year,
        "components": draw(st.lists(component(), max_size=8)),
        "vessels": [{"sales_price": str(draw(money)), "sold_year": draw(years), "produced_year": draw(years)}
                    for _ in range(draw(st.integers(0, 2)))],
        "critical_minerals": [{"line": draw(st.integers(1, 73)), "costs": str(draw(money)),
                               "produced_year": draw(years), "sold_year": draw(years)}
                              for _ in range(draw(st.integers(0, 3)))],
        "passthrough_credit": str(draw(money)),
        "attestations": {"prohibited_foreign_entity": draw(st.sampled_from([None, False, True]))},
    }
    return data


@settings(max_examples=300, deadline=None)
@given(form_input())
def test_line_8a_is_the_sum_of_column_e_plus_line_7(data):
    result = compute(data)
    assert result.computed, result.findings
    lines = result.lines
    e_keys = [k for k in lines if k.endswith(".e")]
    assert lines["8a"] == sum((lines[k] for k in e_keys), Decimal(0)) + lines["7"]
    assert lines["8c"] == lines["8a"] - lines["8b"]
    for key in e_keys:
        line = key[:-2]
        ceiling = catalog.PART_II[line].rate * lines[f"{line}.d"]
        assert 0 <= lines[key] <= ceiling + Decimal("0.005"), (key, lines[key], ceiling)
        assert lines[key] == lines[key].quantize(Decimal("0.01"))
