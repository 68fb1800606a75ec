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

# source: Instructions for Form 7207 (Rev. January 2024), "aggregate capacity" examples. Credit =
# capacity × statutory rate [26 U.S.C. 45X(b)(1)]. The 3a and 5a examples' sizes cannot be what
# the line is (a 1,000 W "central" inverter, a 12 kWh "cell"), so their arithmetic is reproduced
# with sizes that fit the class [26 U.S.C. 45X(c)(2)(B), (c)(5)(B)(ii)] (decision F7207-D3).
WORKED = [
    ("1a", [(500, 100), (1500, 200)], Dec("350000"), Dec("14000.00")),        # × $0.04/W
    ("1e", [(300, 100), (400, 200)], Dec("110000"), Dec("7700.00")),          # × $0.07/W
    ("2b", [(3, 6_000_000), (3, 10_000_000)], Dec("48000000"), Dec("960000.00")),  # × $0.02/W
    # 50 × 2,000 kW + 100 × 2,500 kW = 350,000,000 W × $0.0025
    ("3a", [(50, 2_000_000), (100, 2_500_000)], Dec("350000000"), Dec("875000.00")),
    # 50 × 12 Wh + 100 × 15 Wh = 2.1 kWh × $35 (the example's 12 and 15, as watt-hours)
    ("5a", [(50, "0.012"), (100, "0.015")], Dec("2.1"), Dec("73.50")),
]


@pytest.mark.parametrize("line,rows,capacity,credit", WORKED, ids=[w[0] for w in WORKED])
def test_instruction_worked_examples(line, rows, capacity, credit):
    result = run([{"line": line, "units": u, "capacity_per_unit": c} for u, c in rows])
    assert result.lines[f"{line}.d"] == capacity
    assert result.lines[f"{line}.e"] == credit
    assert result.lines["8a"] == credit


def test_explanation_shows_the_arithmetic():
    # source: Instructions for Form 7207, line 1e example: 300 × 100 W + 400 × 200 W = 110,000 W
    result = run([{"line": "1e", "units": 300, "capacity_per_unit": 100},
                  {"line": "1e", "units": 400, "capacity_per_unit": 200}])
    assert "300 × 100 + 400 × 200" in result.explanations["1e.d"]
    assert result.explanations["1e.d"].endswith("= 110,000")
    assert "7,700.00" in result.explanations["1e.e"]


def test_literal_central_inverter_example_is_flagged():
    # source: the instructions' 3a example (50 × 1,000 W + 100 × 2,500 W). A central inverter has a
    # capacity greater than 1,000 kW [26 U.S.C. 45X(c)(2)(B)]: these are not central inverters, so
    # the rows earn $0 and are listed as excluded (F7207-D3, F7207-D5).
    result = run([{"line": "3a", "units": 50, "capacity_per_unit": 1000},
                  {"line": "3a", "units": 100, "capacity_per_unit": 2500}])
    assert len(only_finding(result, "error", "greater than 1,000 kW")) == 2
    assert result.lines["3a.d"] == 0 and result.lines["3a.e"] == 0
    assert [(e["row"], e["amount"], e["citation"]) for e in result.excluded] == [
        ("components[0]", Dec(50_000), "26 U.S.C. 45X(c)(2)(B)"),
        ("components[1]", Dec(250_000), "26 U.S.C. 45X(c)(2)(B)")]


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
    # source: 26 U.S.C. 45X(b)(1)(B), (C), (D), (G), (H), (J); form order 1c/1d (F7207-D14)
    result = run([{"line": line, field: amount}])
    assert result.lines[f"{line}.d"] == Dec(amount)
    assert result.lines[f"{line}.e"] == (Dec(amount) * Dec(rate)).quantize(Dec("0.01"))


@pytest.mark.parametrize("line,capacity,credit", [
    # 2 units × capacity × rate, worked by hand; each size fits its line's definition
    ("1a", 1_000_000, "80000.00"),     # × $0.04 [45X(b)(1)(A)]
    ("1e", 1_000_000, "140000.00"),    # × $0.07 [45X(b)(1)(E)]
    ("2b", 1_000_000, "40000.00"),     # × $0.02 [45X(b)(2)(A)(i)]
    ("2c", 1_000_000, "100000.00"),    # × $0.05 [45X(b)(2)(A)(ii)]
    ("2d", 1_000_000, "60000.00"),     # × $0.03 [45X(b)(2)(A)(iii)]
    ("2e", 1_000_000, "40000.00"),     # × $0.02 [45X(b)(2)(A)(iv)]
    ("2f", 1_000_000, "80000.00"),     # × $0.04 [45X(b)(2)(A)(v)]
    ("3a", 2_000_000, "10000.00"),     # × $0.0025 [45X(b)(2)(B)(i)]
    ("3b", 1_000_000, "30000.00"),     # × $0.015 [45X(b)(2)(B)(ii)]
    ("3c", 100_000, "4000.00"),        # × $0.02 [45X(b)(2)(B)(iii)]
    ("3d", 10_000, "1300.00"),         # × $0.065 [45X(b)(2)(B)(iv)]
    ("3e", 500, "110.00"),             # × $0.11 [45X(b)(2)(B)(v)]
    ("3f", 100_000, "22000.00"),       # × $0.11 [45X(b)(2)(B)(v)]
    ("5a", 1, "70.00"),                # × $35/kWh [45X(b)(1)(K)]
    ("5b", 10, "200.00"),              # × $10/kWh [45X(b)(1)(L)]
    ("5c", 10, "900.00"),              # × $45/kWh [45X(b)(1)(L)]
])
def test_capacity_line_rates(line, capacity, credit):
    result = run([{"line": line, "units": 2, "capacity_per_unit": capacity}])
    assert result.lines[f"{line}.e"] == Dec(credit)


# --- Rounding ------------------------------------------------------------------------------

def test_rounding_half_up_at_cents():
    # source: rounding half up (F7207-D17) — 0.125 kg × $2.28 = $0.285 → $0.29 (half up, not banker's $0.28)
    result = run([{"line": "1g", "quantity": "0.125"}])
    assert result.lines["1g.d"] == Dec("0.125")
    assert result.lines["1g.e"] == Dec("0.29")


def test_rounding_applies_to_the_line_not_each_row():
    # F7207-D17: column (e) per line rounded to cents. Two rows of 0.125 kg × $2.28 = 0.285 each:
    # per line 0.57 exactly (rounding each row first would give 0.58).
    result = run([{"line": "1g", "quantity": "0.125"}, {"line": "1g", "quantity": "0.125"}])
    assert result.lines["1g.e"] == Dec("0.57")


def test_column_d_is_exact():
    # F7207-D17: column (d) exact — the example's 125,000.5 kg torque tubes stay 125,000.5
    result = run([{"line": "1f", "quantity": "125000.5"}])
    assert result.lines["1f.d"] == Dec("125000.5")
    assert result.lines["1f.e"] == Dec("108750.44")  # 108,750.435 half up


# --- Phase-out by sale year [26 U.S.C. 45X(b)(3)] --------------------------------------------

@pytest.mark.parametrize("year,d,e", [(2029, 100_000, "7000.00"), (2030, 100_000, "5250.00"),
                                     (2031, 100_000, "3500.00"), (2032, 100_000, "1750.00"), (2033, 0, "0")])
def test_general_phase_out_by_year_sold(year, d, e):
    # source: 26 U.S.C. 45X(b)(3)(A), (B): ≤ 2029 100%; 2030 75%; 2031 50%; 2032 25%; 2033 and later 0%.
    # (d) is not phased; a 0% row earns nothing and leaves (d) (F7207-D5). 100,000 W × $0.07 = $7,000.
    result = run([{"line": "1e", "units": 1000, "capacity_per_unit": 100, "sold_year": year, "produced_year": year,
                   "macr": "0.9"}], tax_year=year, attestations={"prohibited_foreign_entity": False})
    assert result.lines["1e.d"] == Dec(d)
    assert result.lines["1e.e"] == Dec(e)


def test_phase_out_note_when_factor_below_100():
    result = run([{"line": "1e", "units": 1000, "capacity_per_unit": 100, "sold_year": 2030, "macr": "0.9"}],
                 tax_year=2030, attestations={"prohibited_foreign_entity": False})
    row = result.rows["products"][0]
    assert row["phase_out"] == Dec("0.75")
    assert "75" in row["#notes"]["phase_out"] and "sold in 2030" in row["#notes"]["phase_out"]
    assert "75%" in result.explanations["1e.e"]


def test_blank_year_defaults_only_when_it_cannot_change_the_credit():
    # F7207-D2: FY 2026-07 – 2027-06, MACR 90% passes both the 2026 (50%) and 2027 (60%) solar
    # thresholds [26 U.S.C. 7701(a)(52)] and no phase-out applies: the blank year defaults.
    fiscal = {"begins": "2026-07-01", "ends": "2027-06-30"}
    result = run([{"line": "1e", "units": 1000, "capacity_per_unit": 100, "macr": "0.9"}], tax_year=fiscal,
                 attestations={"prohibited_foreign_entity": False})
    assert result.lines["1e.e"] == Dec("7000.00")
    assert result.tax_year == {"begins": "2026-07-01", "ends": "2027-06-30"}
    # FY 2029-07 – 2030-06: sold in 2029 earns 100%, in 2030 75% [45X(b)(3)]: refused at the year field
    refused = compute(form([{"line": "1e", "units": 1000, "capacity_per_unit": 100, "macr": "0.9"}],
                           tax_year={"begins": "2029-07-01", "ends": "2030-06-30"},
                           attestations={"prohibited_foreign_entity": False}))
    assert not refused.computed
    assert [f.where for f in refused.findings] == ["components[0].sold_year"]
    assert "sold in 2029 and produced in 2029: 100%" in refused.findings[0].message
    assert "Enter the year sold." in refused.findings[0].message


def test_components_sold_before_2023_earn_nothing():
    # source: P.L. 117-169 sec. 13502(e): components produced and sold after 31 Dec 2022
    result = run([{"line": "1e", "units": 10, "capacity_per_unit": 100, "sold_year": 2022, "produced_year": 2022}],
                 tax_year={"begins": "2022-07-01", "ends": "2023-06-30"})
    assert result.lines["1e.e"] == 0
    only_finding(result, "error", "only components produced and sold after 31 Dec 2022")


def test_tax_year_ending_before_2023_cannot_be_computed():
    result = compute(form([{"line": "1e", "units": 1, "capacity_per_unit": 1}], tax_year=2022))
    assert not result.computed
    assert "tax_year" in messages(result, "error")[0]


# --- Critical minerals [OBBBA] -----------------------------------------------------------------

def minerals_form(produced, sold=None, begins=None, ends=None, macr=None):
    year = sold or produced  # the return for the year sold (F7207-D1)
    begins, ends = begins or f"{year}-01-01", ends or f"{year}-12-31"
    row = {"line": 38, "costs": "1000000.00", "produced_year": produced}
    if sold:
        row["sold_year"] = sold
    if macr is not None:
        row["macr"] = macr
    return run(critical_minerals=[row], tax_year={"begins": begins, "ends": ends},
               attestations={"prohibited_foreign_entity": False})


@pytest.mark.parametrize("produced,d,e", [(2030, "1000000.00", "100000.00"), (2031, "1000000.00", "75000.00"),
                                         (2032, "1000000.00", "50000.00"), (2033, "1000000.00", "25000.00"),
                                         (2034, "0", "0")])
def test_critical_minerals_phase_out_by_production_year(produced, d, e):
    # source: 26 U.S.C. 45X(b)(3)(C) as amended by P.L. 119-21: ≤ 2030 100%; 2031 75%; 2032 50%;
    # 2033 25%; 2034+ 0% (a 0% row leaves Part IV, F7207-D5). $1,000,000 × 10% = $100,000.
    result = minerals_form(produced, sold=produced, macr="0.9")
    assert result.lines["IV.38"] == Dec(d)
    assert result.lines["IV.74"] == Dec(d)
    assert result.lines["6a.d"] == Dec(d)
    assert result.lines["6a.e"] == Dec(e)


def test_minerals_not_phased_out_in_tax_years_beginning_before_5_july_2025():
    # source: 26 U.S.C. 45X(b)(3)(C) as enacted: no phase-out for minerals before the P.L. 119-21 amendment
    # (tax years beginning after 4 July 2025). Produced 2031 on a 2025-26 return is odd but shows the rule.
    result = minerals_form(2031, sold=2026, begins="2025-07-01", ends="2026-06-30")
    assert result.lines["6a.e"] == Dec("100000.00")


def test_minerals_sold_after_2029_warn_about_the_literal_reading():
    # F7207-D15: apply only the production-year rule; warn
    result = minerals_form(2029, sold=2031, macr="0.9")
    assert result.lines["6a.e"] == Dec("100000.00")
    only_finding(result, "warning", "literal reading")


def test_tin_on_both_lines_warns():
    # F7207-D10: tin's two criteria on lines 64 and 65 must not both hold the same costs
    result = run(critical_minerals=[{"line": 64, "costs": "10.00"}, {"line": 65, "costs": "10.00"}])
    only_finding(result, "warning", "64 and 65")
    assert result.lines["IV.74"] == Dec("20.00")


# --- Metallurgical coal [OBBBA] ----------------------------------------------------------------

def test_metallurgical_coal_2_5_percent_after_4_july_2025():
    # source: 26 U.S.C. 45X(b)(1)(M) as amended by P.L. 119-21; Form 7207 Rev. 12-2025 line 6b: 2.5% of costs
    result = run(metallurgical_coal=[{"costs": "1000000.00", "produced_year": 2026, "sold_year": 2026}],
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
    # source: 26 U.S.C. 45X(b)(3)(D): no credit for a wind component produced and sold after 31 Dec 2027
    result = run([{"line": "2c", "units": 1, "capacity_per_unit": 1_000_000, "sold_year": 2028,
                   "produced_year": 2028}], tax_year=2028, attestations={"prohibited_foreign_entity": False})
    assert result.lines["2c.d"] == 0 and result.lines["2c.e"] == 0  # excluded, not in (d) (F7207-D5)
    assert result.excluded[0]["amount"] == Dec(1_000_000)
    assert result.excluded[0]["citation"] == "26 U.S.C. 45X(b)(3)(D) as added by P.L. 119-21 sec. 70514"


def test_wind_sold_after_2027_but_produced_earlier_warns_and_is_credited():
    # 26 U.S.C. 45X(b)(3)(D) cuts off components "produced and sold" after 2027: produced in 2027, credited, with a warning
    result = run([{"line": "2c", "units": 1, "capacity_per_unit": 1_000_000, "sold_year": 2028,
                   "produced_year": 2027}], tax_year=2028, attestations={"prohibited_foreign_entity": False})
    assert result.lines["2c.e"] == Dec("50000.00")  # 1 MW × $0.05, 100% phase-out factor in 2028
    only_finding(result, "warning", "cut off only when both produced and sold")


def test_offshore_wind_vessels_part_iii_to_line_2a():
    # source: Form 7207 Part III; 26 U.S.C. 45X(b)(1)(F)(i): Part III total of sales prices → line 2a column (d); 10% rate
    result = run(vessels=[{"name": "Sea Lift", "sales_price": "2000000.00", "status": "new"},
                          {"name": "Ocean Crane", "sales_price": "500000.00", "status": "retrofitted"}])
    assert result.lines["III.total"] == Dec("2500000.00")
    assert result.lines["2a.d"] == Dec("2500000.00")
    assert result.lines["2a.e"] == Dec("250000.00")


def test_vessel_produced_and_sold_after_2027_earns_nothing():
    result = run(vessels=[{"name": "Late", "sales_price": "1000.00", "sold_year": 2028, "produced_year": 2028}],
                 tax_year=2028, attestations={"prohibited_foreign_entity": False})
    assert result.lines["2a.d"] == 0 and result.lines["2a.e"] == 0 and result.lines["III.total"] == 0


# --- Material assistance from prohibited foreign entities [OBBBA] ------------------------------

@pytest.mark.parametrize("line,year,threshold", [
    ("1e", 2026, "0.50"), ("1e", 2027, "0.60"), ("1e", 2028, "0.70"), ("1e", 2029, "0.80"), ("1e", 2030, "0.85"),
    ("1e", 2031, "0.85"), ("2c", 2026, "0.85"), ("2c", 2027, "0.90"), ("3d", 2026, "0.50"), ("3d", 2030, "0.70"),
    ("5b", 2026, "0.60"), ("5b", 2029, "0.80"), ("5b", 2032, "0.85"),
])
def test_macr_thresholds(line, year, threshold):
    # source: 26 U.S.C. 45X(c)(1)(C), 7701(a)(52) threshold table: at the threshold the row qualifies,
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


def test_missing_macr_excludes_the_row_when_a_threshold_applies():
    # F7207-D6 [26 U.S.C. 45X(c)(1)(C)]: solar components sold in 2026 need a MACR of at least 50%
    result = run([{"line": "1e", "units": 10, "capacity_per_unit": 100, "sold_year": 2026}], tax_year=2026,
                 attestations={"prohibited_foreign_entity": False})
    assert result.lines["1e.e"] == 0
    assert [f.where for f in result.findings if f.severity == "error"] == ["components[0].macr"]


def test_macr_not_required_before_obbba_tax_years():
    result = run([{"line": "1e", "units": 10, "capacity_per_unit": 100, "macr": "0.1"}], tax_year=2025)
    assert result.lines["1e.e"] == Dec("70.00")
    assert not messages(result)


def test_prohibited_foreign_entity_gets_no_credit():
    # source: 26 U.S.C. 45X(d)(4) (prohibited foreign entities): if the filer is one, the credit is $0
    result = run([{"line": "1e", "units": 10, "capacity_per_unit": 100, "macr": "0.9"}], tax_year=2026,
                 passthrough_credit="500.00", attestations={"prohibited_foreign_entity": True})
    assert result.lines["1e.d"] == 0
    assert result.lines["1e.e"] == 0 and result.lines["7"] == 0 and result.lines["8a"] == 0
    only_finding(result, "error", "foreign")


def test_foreign_entity_attestation_missing_is_an_input_error_in_obbba_years():
    # F7207-D7: the form asks the question in tax years beginning after 4 July 2025
    result = compute(form([{"line": "1e", "units": 10, "capacity_per_unit": 100, "macr": "0.9"}], tax_year=2026))
    assert not result.computed
    assert [f.where for f in result.findings] == ["attestations.prohibited_foreign_entity"]


def test_integrated_components_need_the_test_from_2027():
    # source: 26 U.S.C. 45X(d)(4) as amended by P.L. 119-21: integrated components, tax years beginning after 31 Dec 2026
    row = {"line": "5a", "units": 10, "capacity_per_unit": 1, "macr": "0.9", "integrated": True}
    kwargs = dict(tax_year=2027, attestations={"prohibited_foreign_entity": False})
    assert run([row], **kwargs).lines["5a.e"] == 0
    assert run([{**row, "integration_test_met": True}], **kwargs).lines["5a.e"] == Dec("350.00")
    assert run([row], tax_year=2026, attestations={"prohibited_foreign_entity": False}).lines["5a.e"] == Dec("350.00")


# --- Battery capacity-to-power ratio [26 U.S.C. 45X(b)(4)] ----------------------------------

def test_battery_capacity_capped_at_100_to_1():
    # source: 26 U.S.C. 45X(b)(4) (F7207-D16): 10 modules of 20 kWh with 0.1 kW discharge: ratio 200:1 → counted at
    # 100 × 0.1 = 10 kWh per module: (d) 100 kWh, (e) 100 × $10 = $1,000
    result = run([{"line": "5b", "units": 10, "capacity_per_unit": 20, "max_discharge_kw_per_unit": "0.1"}])
    assert result.lines["5b.d"] == Dec(100)
    assert result.lines["5b.e"] == Dec("1000.00")
    only_finding(result, "warning", "exceeds 100:1")
    assert [(e["amount"], e["citation"]) for e in result.excluded] == [(Dec(100), "26 U.S.C. 45X(b)(4)")]


def test_battery_within_ratio_is_not_capped():
    result = run([{"line": "5b", "units": 10, "capacity_per_unit": 20, "max_discharge_kw_per_unit": "0.2"}])
    assert result.lines["5b.d"] == Dec(200)
    assert not messages(result)


def test_battery_module_under_7_kwh_earns_nothing():
    # source: 26 U.S.C. 45X(c)(5)(B)(iii): battery module ≥ 7 kWh (1 kWh for hydrogen fuel cell vehicles)
    result = run([{"line": "5b", "units": 10, "capacity_per_unit": 5}])
    only_finding(result, "error", "at least 7 kWh")
    assert result.lines["5b.e"] == 0
    fcv = run([{"line": "5b", "units": 10, "capacity_per_unit": 5, "fuel_cell_vehicle": True}])
    assert not messages(fcv) and fcv.lines["5b.e"] == Dec("500.00")  # 50 kWh × $10


def test_battery_cell_under_12_wh_earns_nothing():
    # source: 26 U.S.C. 45X(c)(5)(B)(ii): a battery cell stores at least 12 Wh
    result = run([{"line": "5a", "units": 10, "capacity_per_unit": "0.01"}])
    only_finding(result, "error", "0.012 kWh")
    assert result.lines["5a.e"] == 0


@pytest.mark.parametrize("line,watts,ok", [
    ("3b", 125_000, False), ("3b", 125_001, True), ("3b", 1_000_000, True), ("3b", 1_000_001, False),
    ("3c", 19_999, False), ("3c", 20_000, True), ("3c", 125_000, True), ("3d", 20_000, True), ("3d", 20_001, False),
    ("3e", 650, True), ("3e", 651, False), ("3f", 150_000, True), ("3f", 150_001, False),
    ("3a", 1_000_000, False), ("3a", 1_000_001, True),
])
def test_inverter_class_by_rated_output(line, watts, ok):
    # source: 26 U.S.C. 45X(c)(2)(B)-(G) inverter definitions (F7207-D3)
    result = run([{"line": line, "units": 1, "capacity_per_unit": watts}])
    assert (not messages(result, "error")) == ok, messages(result)
    assert (result.lines[f"{line}.e"] > 0) == ok


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


def test_sold_outside_the_tax_year_earns_nothing_and_before_produced_warns():
    # F7207-D1 [26 U.S.C. 45X(a)(1)(B)]
    result = run([{"line": "1e", "units": 1, "capacity_per_unit": 100, "sold_year": 2024, "produced_year": 2025}])
    only_finding(result, "error", "outside the tax year")
    only_finding(result, "warning", "check the years")
    assert result.lines["1e.e"] == 0


def test_line_8b_8c_for_estates_and_trusts():
    # source: Form 7207 lines 8a-8c: 8c = 8a − 8b (F7207-D12)
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
    # source: the `revisions` table (Form 7207 Rev. 01-2024, 01-2025, 12-2025), F7207-D11
    result = run(tax_year=year, attestations={"prohibited_foreign_entity": False})
    assert result.revision == revision
    assert ("6b.e" in result.lines) == has_6b
