"""Property tests: for random valid Form 7207 inputs, the printed form ties (decision F7207-D5).

On every computed form: a line whose rows all earn 100% has (e) = round((c) × (d), 2); column (d)
never includes an excluded row (it is the sum of the earning rows' measures); line 8a = Σ(e) +
line 7; and every excluded row appears on the statement of excluded amounts.
"""

from decimal import Decimal

from hypothesis import given, settings, strategies as st

from xlcredits.forms.f7207 import catalog
from xlcredits.forms.f7207.compute import compute
from xlcredits.numbers import cents

years = st.integers(2023, 2036)
amounts = st.decimals(min_value=0, max_value=10**7, places=3, allow_nan=False, allow_infinity=False)
money = st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False, allow_infinity=False)
SCHEDULE_LINE = {"vessels": "2a", "minerals": "6a", "coal": "6b"}


@st.composite
def component(draw, year):
    entry = draw(st.sampled_from([catalog.PART_II[k] for k in catalog.PRODUCT_LINES]))
    row = {"line": entry.line, "sold_year": draw(st.sampled_from([year, year, year - 1])),
           "produced_year": draw(st.integers(2022, year))}
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
    return {
        "form": "7207",
        "tax_year": year,
        "components": draw(st.lists(component(year), max_size=8)),
        "vessels": [{"sales_price": str(draw(money)), "sold_year": year, "produced_year": draw(st.integers(2023, year)),
                     "macr": "0.95"} for _ in range(draw(st.integers(0, 2)))],
        "critical_minerals": [{"line": draw(st.integers(1, 73)), "costs": str(draw(money)),
                               "produced_year": draw(st.integers(2023, year)), "sold_year": year,
                               **({"macr": "0.6"} if draw(st.booleans()) else {})}
                              for _ in range(draw(st.integers(0, 3)))],
        "passthrough_credit": str(draw(money)),
        "entity_type": draw(st.sampled_from(["corporation", "estate_or_trust"])),
        "attestations": {"prohibited_foreign_entity": draw(st.sampled_from([False, True]))},
    }


@settings(max_examples=300, deadline=None)
@given(form_input())
def test_column_e_ties_to_c_times_d_and_8a_adds_up(data):
    result = compute(data)
    assert result.computed, result.findings
    lines = result.lines
    e_keys = [k for k in lines if k.endswith(".e")]
    assert lines["8a"] == sum((lines[k] for k in e_keys), Decimal(0)) + lines["7"]
    earning: dict[str, Decimal] = {}
    phased: set[str] = set()
    excluded_rows = {e["row"] for e in result.excluded}
    for schedule, rows in result.rows.items():
        for row in rows:
            line = SCHEDULE_LINE.get(schedule) or row["line"]
            factor = row["phase_out"] * row["eligible"]
            if factor > 0:
                earning[line] = earning.get(line, Decimal(0)) + row["measure"]
                if row["phase_out"] < 1:
                    phased.add(line)
            else:
                assert row["#where"] in excluded_rows  # every excluded row is on the statement
    for key in e_keys:
        line = key[:-2]
        assert lines[f"{line}.d"] == earning.get(line, Decimal(0))  # (d) never includes an excluded row
        if line not in phased:
            assert lines[key] == cents(catalog.PART_II[line].rate * lines[f"{line}.d"]), key
        else:
            assert 0 <= lines[key] <= cents(catalog.PART_II[line].rate * lines[f"{line}.d"])
    if data["entity_type"] != "estate_or_trust":
        assert lines["8b"] is None and lines["8c"] is None
