"""Form 7207 line by line: worked cases from the instructions, phase-outs, OBBBA rules, findings.

Every expected number is worked out by hand from the source named beside it, not read off the code.
"""

from decimal import Decimal as Dec

import pytest

from xlcredits.forms.f7207.compute import compute


def form(components=(), tax_year=2025, **extra):
    data = {"form": "7207", "tax_year": tax_year, "components": list(components)}
    data.update(extra)
    return data


def run(*args, **kwargs):
    result = compute(form(*args, **kwargs))
    assert result.computed, [f.message for f in result.findings]
    return result


def messages(result, severity=None):
    return [f"{f.where}: {f.message}" for f in result.findings if severity in (None, f.severity)]


def only_finding(result, severity, needle):
    hits = [m for m in messages(result, severity) if needle in m]
    assert hits, f"no {severity} mentioning {needle!r} in {messages(result)}"
    return hits


# --- The five worked examples of the instructions ----------------------------------------

# source: Instructions for Form 7207 (Rev. January 2024), "aggregate capacity" examples, as quoted in
# shared/reference/form7207.md §1. Credit = capacity × statutory rate [26 U.S.C. 45X(b)(1)].
WORKED = [
    ("1a", [(500, 100), (1500, 200)], Dec("350000"), Dec("14000.00")),        # × $0.04/W
    ("1e", [(300, 100), (400, 200)], Dec("110000"), Dec("7700.00")),          # × $0.07/W
    ("2b", [(3, 6_000_000), (3, 10_000_000)], Dec("48000000"), Dec("960000.00")),  # × $0.02/W
    ("3a", [(50, 1000), (100, 2500)], Dec("300000"), Dec("750.00")),          # × $0.0025/W
    ("5a", [(50, 12), (100, 15)], Dec("2100"), Dec("73500.00")),              # × $35/kWh
]


@pytest.mark.parametrize("line,rows,capacity,credit", WORKED, ids=[w[0] for w in WORKED])
def test_instruction_worked_examples(line, rows, capacity, credit):
    result = run([{"line": line, "units": u, "capacity_per_unit": c} for u, c in rows])
    assert result.lines[f"{line}.d"] == capacity
    assert result.lines[f"{line}.e"] == credit
    assert result.lines["8a"] == credit


def test_explanation_shows_the_arithmetic():
    # source: DESIGN.md "1e(d) = 300 × 100 W + 400 × 200 W = 110,000 W"
    result = run([{"line": "1e", "units": 300, "capacity_per_unit": 100},
                  {"line": "1e", "units": 400, "capacity_per_unit": 200}])
    assert "300 × 100 + 400 × 200" in result.explanations["1e.d"]
    assert result.explanations["1e.d"].endswith("= 110,000")
    assert "7,700.00" in result.explanations["1e.e"]


def test_central_inverter_example_sizes_only_warn():
    # source: form7207.md §1: the 3a example's 1,000 W and 2,500 W units could not be central
    # inverters (> 1,000 kW); a validator should warn, not reject.
    result = run([{"line": "3a", "units": 50, "capacity_per_unit": 1000},
                  {"line": "3a", "units": 100, "capacity_per_unit": 2500}])
    assert len(only_finding(result, "warning", "more than 1,000,000 W")) == 2
    assert result.lines["3a.e"] == Dec("750.00")


def test_component_names_and_lines_are_interchangeable():
    by_name = run([{"component": "Solar Module", "units": 10, "capacity_per_unit": 400}])
    by_line = run([{"line": "1E", "units": 10, "capacity_per_unit": 400}])
    assert by_name.lines == by_line.lines
    assert by_name.lines["1e.e"] == Dec("280.00")  # 4,000 W × $0.07


@pytest.mark.parametrize("line,field,amount,rate", [
    ("1b", "quantity", "10", "12"), ("1c", "quantity", "10", "3"), ("1d", "quantity", "10", "0.40"),
    ("1f", "quantity", "10", "0.87"), ("1g", "quantity", "10", "2.28"), ("4a", "costs", "1000.00", "0.10"),
])
def test_measured_and_cost_lines_use_their_statutory_rates(line, field, amount, rate):
    # source: form7207.md §1 rate table [26 U.S.C. 45X(b)(1)]
    result = run([{"line": line, field: amount}])
    assert result.lines[f"{line}.d"] == Dec(amount)
    assert result.lines[f"{line}.e"] == (Dec(amount) * Dec(rate)).quantize(Dec("0.01"))


@pytest.mark.parametrize("line,rate", [
    ("1a", "0.04"), ("1e", "0.07"), ("2b", "0.02"), ("2c", "0.05"), ("2d", "0.03"), ("2e", "0.02"),
    ("2f", "0.04"), ("3a", "0.0025"), ("3b", "0.015"), ("3c", "0.02"), ("3d", "0.065"), ("3e", "0.11"),
    ("3f", "0.11"), ("5a", "35"), ("5b", "10"), ("5c", "45"),
])
def test_capacity_line_rates(line, rate):
    # source: form7207.md §1 rate table; 1,000 units × 1,000,000 W (or kWh) keeps every rate's cents exact
    result = run([{"line": line, "units": 2, "capacity_per_unit": 1_000_000}])
    assert result.lines[f"{line}.e"] == Dec(2_000_000) * Dec(rate)


# --- Rounding ------------------------------------------------------------------------------

def test_rounding_half_up_at_cents():
    # source: issue #2 — 0.125 kg × $2.28 = $0.285 → $0.29 (half up, not banker's $0.28)
    result = run([{"line": "1g", "quantity": "0.125"}])
    assert result.lines["1g.d"] == Dec("0.125")
    assert result.lines["1g.e"] == Dec("0.29")


def test_rounding_applies_to_the_line_not_each_row():
    # form7207.md §8: column (e) per line rounded to cents. Two rows of 0.125 kg × $2.28 = 0.285 each:
    # per line 0.57 exactly (rounding each row first would give 0.58).
    result = run([{"line": "1g", "quantity": "0.125"}, {"line": "1g", "quantity": "0.125"}])
    assert result.lines["1g.e"] == Dec("0.57")


def test_column_d_is_exact():
    # form7207.md §8: column (d) exact — the example's 125,000.5 kg torque tubes stay 125,000.5
    result = run([{"line": "1f", "quantity": "125000.5"}])
    assert result.lines["1f.d"] == Dec("125000.5")
    assert result.lines["1f.e"] == Dec("108750.44")  # 108,750.435 half up


# --- Phase-out by sale year [26 U.S.C. 45X(b)(3)] --------------------------------------------

@pytest.mark.parametrize("year,factor", [(2029, "1"), (2030, "0.75"), (2031, "0.50"), (2032, "0.25"), (2033, "0")])
def test_general_phase_out_by_year_sold(year, factor):
    # source: form7207.md §4: ≤ 2029 100%; 2030 75%; 2031 50%; 2032 25%; 2033 and later 0%
    result = run([{"line": "1e", "units": 1000, "capacity_per_unit": 100, "sold_year": year, "produced_year": year,
                   "macr": "0.9"}], tax_year=year, attestations={"prohibited_foreign_entity": False})
    assert result.lines["1e.d"] == Dec(100_000)  # (d) is not phased
    assert result.lines["1e.e"] == Dec(7000) * Dec(factor)


def test_phase_out_note_when_factor_below_100():
    result = run([{"line": "1e", "units": 1000, "capacity_per_unit": 100, "sold_year": 2030, "macr": "0.9"}],
                 tax_year=2030, attestations={"prohibited_foreign_entity": False})
    row = result.rows["products"][0]
    assert row["phase_out"] == Dec("0.75")
    assert "75" in row["#notes"]["phase_out"] and "sold in 2030" in row["#notes"]["phase_out"]
    assert "75%" in result.explanations["1e.e"]


def test_sold_year_defaults_to_the_year_the_tax_year_ends():
    # form7207.md §4 decision: default is the calendar year in which the tax year ends
    fiscal = {"begins": "2029-07-01", "ends": "2030-06-30"}
    result = run([{"line": "1e", "units": 1000, "capacity_per_unit": 100, "macr": "0.9"}], tax_year=fiscal,
                 attestations={"prohibited_foreign_entity": False})
    assert result.lines["1e.e"] == Dec("5250.00")  # 7,000 × 75% (2030)
    assert result.tax_year == {"begins": "2029-07-01", "ends": "2030-06-30"}


def test_components_sold_before_2023_earn_nothing():
    # source: form7207.md §7: production and sale after 31 Dec 2022
    result = run([{"line": "1e", "units": 10, "capacity_per_unit": 100, "sold_year": 2022, "produced_year": 2022}],
                 tax_year={"begins": "2022-07-01", "ends": "2023-06-30"})
    assert result.lines["1e.e"] == 0
    only_finding(result, "error", "only components produced and sold after 31 Dec 2022")


def test_tax_year_ending_before_2023_cannot_be_computed():
    result = compute(form([{"line": "1e", "units": 1, "capacity_per_unit": 1}], tax_year=2022))
    assert not result.computed
    assert "tax_year" in messages(result, "error")[0]


# --- Critical minerals [OBBBA] -----------------------------------------------------------------

def minerals_form(produced, sold=None, begins="2026-01-01", ends="2026-12-31", macr=None):
    row = {"line": 38, "costs": "1000000.00", "produced_year": produced}
    if sold:
        row["sold_year"] = sold
    if macr is not None:
        row["macr"] = macr
    return run(critical_minerals=[row], tax_year={"begins": begins, "ends": ends},
               attestations={"prohibited_foreign_entity": False})


@pytest.mark.parametrize("produced,factor", [(2030, "1"), (2031, "0.75"), (2032, "0.50"), (2033, "0.25"), (2034, "0")])
def test_critical_minerals_phase_out_by_production_year(produced, factor):
    # source: form7207.md §4 [OBBBA]: ≤ 2030 100%; 2031 75%; 2032 50%; 2033 25%; 2034+ 0%
    result = minerals_form(produced, sold=produced, macr="0.9")
    assert result.lines["IV.38"] == Dec("1000000.00")
    assert result.lines["IV.74"] == Dec("1000000.00")
    assert result.lines["6a.d"] == Dec("1000000.00")
    assert result.lines["6a.e"] == Dec(100_000) * Dec(factor)


def test_minerals_not_phased_out_in_tax_years_beginning_before_5_july_2025():
    # source: form7207.md §4: before tax years beginning after 4 July 2025, no phase-out applied to minerals
    result = minerals_form(2031, begins="2025-07-01", ends="2026-06-30")
    assert result.lines["6a.e"] == Dec("100000.00")


def test_minerals_sold_after_2029_warn_about_the_literal_reading():
    # source: form7207.md §4 decision: apply only the production-year rule; warn
    result = minerals_form(2029, sold=2031, macr="0.9")
    assert result.lines["6a.e"] == Dec("100000.00")
    only_finding(result, "warning", "literal reading")


def test_tin_on_both_lines_warns():
    # source: form7207.md §3: tin's two criteria on lines 64 and 65 must not both hold the same costs
    result = run(critical_minerals=[{"line": 64, "costs": "10.00"}, {"line": 65, "costs": "10.00"}])
    only_finding(result, "warning", "64 and 65")
    assert result.lines["IV.74"] == Dec("20.00")


# --- Metallurgical coal [OBBBA] ----------------------------------------------------------------

def test_metallurgical_coal_2_5_percent_after_4_july_2025():
    # source: form7207.md §1 line 6b (Rev. 12-2025 only) and §4: 2.5% of costs
    result = run(metallurgical_coal=[{"costs": "1000000.00", "produced_year": 2026}],
                 tax_year={"begins": "2025-08-01", "ends": "2026-07-31"},
                 attestations={"prohibited_foreign_entity": False})
    assert result.revision == "12-2025"
    assert result.lines["6b.d"] == Dec("1000000.00")
    assert result.lines["6b.e"] == Dec("25000.00")


def test_metallurgical_coal_in_a_tax_year_that_cannot_have_it():
    # calendar 2025 begins 1 Jan 2025, not after 4 July 2025: coal is not yet an applicable mineral
    result = run(metallurgical_coal=[{"costs": "1000000.00"}], tax_year=2025)
    assert result.lines["6b.e"] == 0
    only_finding(result, "error", "tax years beginning after 4 July 2025")


def test_metallurgical_coal_on_a_revision_without_line_6b():
    result = run(metallurgical_coal=[{"costs": "1000.00"}], tax_year=2024)
    assert result.revision == "01-2025"
    assert "6b.e" not in result.lines
    only_finding(result, "error", "has no line 6b")


def test_metallurgical_coal_produced_after_2029_earns_nothing():
    result = run(metallurgical_coal=[{"costs": "1000.00", "produced_year": 2030, "sold_year": 2030}],
                 tax_year=2030, attestations={"prohibited_foreign_entity": False})
    assert result.lines["6b.e"] == 0
    only_finding(result, "warning", "produced after 31 Dec 2029")


# --- Wind [OBBBA] ------------------------------------------------------------------------------

def test_wind_component_produced_and_sold_after_2027_earns_nothing():
    # source: form7207.md §4: no credit for a wind component produced and sold after 31 Dec 2027
    result = run([{"line": "2c", "units": 1, "capacity_per_unit": 1_000_000, "sold_year": 2028,
                   "produced_year": 2028}], tax_year=2028, attestations={"prohibited_foreign_entity": False})
    assert result.lines["2c.d"] == Dec(1_000_000)
    assert result.lines["2c.e"] == 0


def test_wind_sold_after_2027_but_produced_earlier_warns_and_is_credited():
    # source: form7207.md §4 decision: a warning that the reading is unsettled
    result = run([{"line": "2c", "units": 1, "capacity_per_unit": 1_000_000, "sold_year": 2028,
                   "produced_year": 2027}], tax_year=2028, attestations={"prohibited_foreign_entity": False})
    assert result.lines["2c.e"] == Dec("50000.00")  # 1 MW × $0.05, 100% phase-out factor in 2028
    only_finding(result, "warning", "unsettled")


def test_offshore_wind_vessels_part_iii_to_line_2a():
    # source: form7207.md §3: Part III total of sales prices → line 2a column (d); 10% rate
    result = run(vessels=[{"name": "Sea Lift", "sales_price": "2000000.00", "status": "new"},
                          {"name": "Ocean Crane", "sales_price": "500000.00", "status": "retrofitted"}])
    assert result.lines["III.total"] == Dec("2500000.00")
    assert result.lines["2a.d"] == Dec("2500000.00")
    assert result.lines["2a.e"] == Dec("250000.00")


def test_vessel_produced_and_sold_after_2027_earns_nothing():
    result = run(vessels=[{"name": "Late", "sales_price": "1000.00", "sold_year": 2028, "produced_year": 2028}],
                 tax_year=2028, attestations={"prohibited_foreign_entity": False})
    assert result.lines["2a.d"] == Dec("1000.00") and result.lines["2a.e"] == 0


# --- Material assistance from prohibited foreign entities [OBBBA] ------------------------------

@pytest.mark.parametrize("line,year,threshold", [
    ("1e", 2026, "0.50"), ("1e", 2027, "0.60"), ("1e", 2028, "0.70"), ("1e", 2029, "0.80"), ("1e", 2030, "0.85"),
    ("1e", 2031, "0.85"), ("2c", 2026, "0.85"), ("2c", 2027, "0.90"), ("3d", 2026, "0.50"), ("3d", 2030, "0.70"),
    ("5b", 2026, "0.60"), ("5b", 2029, "0.80"), ("5b", 2032, "0.85"),
])
def test_macr_thresholds(line, year, threshold):
    # source: form7207.md §5 MACR table [26 U.S.C. 7701(a)(52)(C)]: at the threshold the row qualifies,
    # one point below it earns $0 with an error naming the row
    capacity = 10 if line == "5b" else 1000
    base = {"line": line, "units": 10, "capacity_per_unit": capacity, "sold_year": year, "produced_year": year}
    kwargs = dict(tax_year=year, attestations={"prohibited_foreign_entity": False})
    at = run([{**base, "macr": threshold}], **kwargs)
    assert at.lines[f"{line}.e"] > 0
    below = run([{**base, "macr": str(Dec(threshold) - Dec("0.01"))}], **kwargs)
    assert below.lines[f"{line}.e"] == 0
    hit = only_finding(below, "error", "below the")
    assert hit[0].startswith("components[0]")


def test_critical_mineral_macr_from_2030():
    result = minerals_form(2030, sold=2030, macr="0.24")
    assert result.lines["6a.e"] == 0
    only_finding(result, "error", "25%")
    assert minerals_form(2029, sold=2029, macr="0").lines["6a.e"] == Dec("100000.00")  # 0% threshold to 2029


def test_missing_macr_warns_when_a_threshold_applies():
    result = run([{"line": "1e", "units": 10, "capacity_per_unit": 100, "sold_year": 2026}], tax_year=2026,
                 attestations={"prohibited_foreign_entity": False})
    assert result.lines["1e.e"] == Dec("70.00")
    only_finding(result, "warning", "no MACR given")


def test_macr_not_required_before_obbba_tax_years():
    result = run([{"line": "1e", "units": 10, "capacity_per_unit": 100, "macr": "0.1"}], tax_year=2025)
    assert result.lines["1e.e"] == Dec("70.00")
    assert not messages(result)


def test_prohibited_foreign_entity_gets_no_credit():
    # source: form7207.md §5: if the filer says it is one, the credit is $0 with an error finding
    result = run([{"line": "1e", "units": 10, "capacity_per_unit": 100, "macr": "0.9"}], tax_year=2026,
                 passthrough_credit="500.00", attestations={"prohibited_foreign_entity": True})
    assert result.lines["1e.d"] == Dec(1000)
    assert result.lines["1e.e"] == 0 and result.lines["7"] == 0 and result.lines["8a"] == 0
    only_finding(result, "error", "foreign")


def test_foreign_entity_attestation_missing_warns_in_obbba_years():
    result = run([{"line": "1e", "units": 10, "capacity_per_unit": 100, "macr": "0.9"}], tax_year=2026)
    only_finding(result, "warning", "Confirm the filer is not")


def test_integrated_components_need_the_test_from_2027():
    # source: form7207.md §5: integrated components in tax years beginning after 31 Dec 2026
    row = {"line": "5a", "units": 10, "capacity_per_unit": 1, "macr": "0.9", "integrated": True}
    kwargs = dict(tax_year=2027, attestations={"prohibited_foreign_entity": False})
    assert run([row], **kwargs).lines["5a.e"] == 0
    assert run([{**row, "integration_test_met": True}], **kwargs).lines["5a.e"] == Dec("350.00")
    assert run([row], tax_year=2026, attestations={"prohibited_foreign_entity": False}).lines["5a.e"] == Dec("350.00")


# --- Battery capacity-to-power ratio [26 U.S.C. 45X(b)(4)] ----------------------------------

def test_battery_capacity_capped_at_100_to_1():
    # source: form7207.md §6: 10 modules of 20 kWh with 0.1 kW discharge: ratio 200:1 → counted at
    # 100 × 0.1 = 10 kWh per module: (d) 100 kWh, (e) 100 × $10 = $1,000
    result = run([{"line": "5b", "units": 10, "capacity_per_unit": 20, "max_discharge_kw_per_unit": "0.1"}])
    assert result.lines["5b.d"] == Dec(100)
    assert result.lines["5b.e"] == Dec("1000.00")
    only_finding(result, "warning", "exceeds 100:1")


def test_battery_within_ratio_is_not_capped():
    result = run([{"line": "5b", "units": 10, "capacity_per_unit": 20, "max_discharge_kw_per_unit": "0.2"}])
    assert result.lines["5b.d"] == Dec(200)
    assert not messages(result)


def test_battery_module_under_7_kwh_warns():
    # source: form7207.md §1: battery module ≥ 7 kWh (1 kWh for hydrogen fuel cell vehicles)
    result = run([{"line": "5b", "units": 10, "capacity_per_unit": 5}])
    only_finding(result, "warning", "at least 7 kWh")
    fcv = run([{"line": "5b", "units": 10, "capacity_per_unit": 5, "fuel_cell_vehicle": True}])
    assert not messages(fcv)


def test_battery_cell_under_12_wh_warns():
    result = run([{"line": "5a", "units": 10, "capacity_per_unit": "0.01"}])
    only_finding(result, "warning", "0.012 kWh")


@pytest.mark.parametrize("line,watts,ok", [
    ("3b", 125_000, False), ("3b", 125_001, True), ("3b", 1_000_000, True), ("3b", 1_000_001, False),
    ("3c", 19_999, False), ("3c", 20_000, True), ("3c", 125_000, True), ("3d", 20_000, True), ("3d", 20_001, False),
    ("3e", 650, True), ("3e", 651, False), ("3f", 150_000, True), ("3f", 150_001, False),
    ("3a", 1_000_000, False), ("3a", 1_000_001, True),
])
def test_inverter_class_by_rated_output(line, watts, ok):
    # source: form7207.md §1 inverter classes [26 U.S.C. 45X(d)]
    result = run([{"line": line, "units": 1, "capacity_per_unit": watts}])
    assert (not messages(result, "warning")) == ok, messages(result)


# --- Input shape ------------------------------------------------------------------------------

@pytest.mark.parametrize("row,where", [
    ({"line": "1e", "units": 10}, "components[0].capacity_per_unit"),
    ({"line": "1e", "quantity": 10}, "components[0].capacity_per_unit"),
    ({"line": "1c", "units": 10, "capacity_per_unit": 2}, "components[0].quantity"),
    ({"line": "4a", "quantity": 10}, "components[0].costs"),
    ({"line": "9z", "units": 1, "capacity_per_unit": 1}, "components[0].line"),
    ({"line": "2a", "costs": "1.00"}, "components[0].line"),
    ({"units": 1, "capacity_per_unit": 1}, "components[0]"),
    ({"line": "1e", "component": "solar_module", "units": 1, "capacity_per_unit": 1}, "components[0]"),
    ({"line": "1e", "units": -1, "capacity_per_unit": 1}, "components[0].units"),
    ({"line": "1e", "units": "many", "capacity_per_unit": 1}, "components[0].units"),
    ({"line": "1e", "units": 1, "capacity_per_unit": 1, "capacity_per_unt": 5}, "components[0].capacity_per_unt"),
    ({"line": "4a", "costs": "10.001"}, "components[0].costs"),
])
def test_wrong_row_shape_is_a_blocking_error_naming_the_field(row, where):
    result = compute(form([row]))
    assert not result.computed
    assert result.lines == {}
    assert any(f.where == where for f in result.findings), messages(result)


def test_unknown_form_field_and_bad_tax_year():
    result = compute({"form": "7207", "tax_year": {"begins": "2025-01-01", "ends": "2026-12-31"}})
    assert not result.computed and "371" in messages(result)[0]
    result = compute({"form": "7207"})
    # issue 16: what is expected is part of the message, and an input without rows says so too
    assert messages(result)[0] == ('tax_year: tax_year is required: expected a year such as 2025 (a calendar '
                                   'year), or for a fiscal year {"begins": "2025-07-01", "ends": "2026-06-30"}.')


def test_sold_outside_the_tax_year_and_before_produced_warn():
    result = run([{"line": "1e", "units": 1, "capacity_per_unit": 100, "sold_year": 2024, "produced_year": 2025}])
    only_finding(result, "warning", "outside the tax year")
    only_finding(result, "warning", "check the years")


def test_line_8b_8c_for_estates_and_trusts():
    # source: form7207.md §1: 8c = 8a − 8b
    result = run([{"line": "1e", "units": 100, "capacity_per_unit": 100}], entity_type="estate_or_trust",
                 allocated_to_beneficiaries="200.00", passthrough_credit="50.00")
    assert result.lines["7"] == Dec("50.00")
    assert result.lines["8a"] == Dec("750.00")
    assert result.lines["8b"] == Dec("200.00")
    assert result.lines["8c"] == Dec("550.00")
    over = run([{"line": "1e", "units": 1, "capacity_per_unit": 100}], allocated_to_beneficiaries="200.00")
    only_finding(over, "error", "exceeds line 8a")


@pytest.mark.parametrize("year,revision,has_6b", [(2023, "01-2024", False), (2024, "01-2025", False),
                                                   (2025, "12-2025", True), (2027, "12-2025", True)])
def test_revision_by_tax_year(year, revision, has_6b):
    # source: form7207.md §7
    result = run(tax_year=year, attestations={"prohibited_foreign_entity": False})
    assert result.revision == revision
    assert ("6b.e" in result.lines) == has_6b
