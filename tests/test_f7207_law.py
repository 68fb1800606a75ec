"""Form 7207 by the letter of the law: the revised rules, each at its boundary, with its source.

Every expected number is worked out by hand from the source named beside it. Decision IDs refer to
xlcredits/rules/decisions_f7207.toml.
"""

from decimal import Decimal as Dec

import pytest

from xlcredits import rules
from xlcredits.forms.f7207 import catalog
from xlcredits.forms.f7207.compute import compute

NOT_FOREIGN = {"prohibited_foreign_entity": False}


def form(components=(), tax_year=2025, **extra):
    return {"form": "7207", "tax_year": tax_year, "components": list(components), **extra}


def run(*args, **kwargs):
    result = compute(form(*args, **kwargs))
    assert result.computed, [f.message for f in result.findings]
    return result


def errors(result):
    return [(f.where, f.message) for f in result.findings if f.severity == "error"]


def warnings(result):
    return [(f.where, f.message) for f in result.findings if f.severity == "warning"]


# --- F7207-D1: sold during the tax year [26 U.S.C. 45X(a)(1)(B)] ---------------------------------

def test_sold_in_the_year_before_the_tax_year_earns_nothing():
    row = {"line": "1e", "description": "Module 400 W", "units": 100, "capacity_per_unit": 400, "produced_year": 2023}
    before = run([{**row, "sold_year": 2023}], tax_year=2024)
    assert before.lines["1e.d"] == 0 and before.lines["1e.e"] == 0
    assert errors(before)[0][0] == "components[0].sold_year"
    assert "belongs on that year's return" in errors(before)[0][1]
    assert before.excluded == [{"row": "components[0]", "line": "1e", "description": "Module 400 W",
                                "amount": Dec(40_000), "reason": "Sold in 2023, outside the tax year 2024: a component "
                                "earns credit in the tax year it is sold, so it belongs on that year's return.",
                                "citation": "26 U.S.C. 45X(a)(1)(B)"}]
    during = run([{**row, "sold_year": 2024}], tax_year=2024)
    assert during.lines["1e.d"] == Dec(40_000) and during.lines["1e.e"] == Dec("2800.00")  # 40,000 W × $0.07


# --- F7207-D2: blank years ---------------------------------------------------------------------

STRADDLES = [
    # (why, tax year, row, the field named) — each straddle's two calendar years give different credit
    ("2029/2030 phase-out [45X(b)(3)(A)]", {"begins": "2029-10-01", "ends": "2030-09-30"},
     {"components": [{"line": "1e", "units": 10, "capacity_per_unit": 400, "macr": "0.9"}]}, "components[0].sold_year"),
    ("2027/2028 wind [45X(b)(3)(D)]", {"begins": "2027-04-01", "ends": "2028-03-31"},
     {"components": [{"line": "2c", "units": 3, "capacity_per_unit": 6_000_000, "macr": "0.95"}]},
     "components[0].produced_year"),
    ("2029/2030 coal [45X(b)(1)(M), (c)(6)]", {"begins": "2029-10-01", "ends": "2030-09-30"},
     {"metallurgical_coal": [{"costs": "1000.00", "sold_year": 2030, "macr": "0.9"}]},
     "metallurgical_coal[0].produced_year"),
    ("2030/2031 minerals [45X(b)(3)(C)]", {"begins": "2030-10-01", "ends": "2031-09-30"},
     {"critical_minerals": [{"line": 38, "costs": "1000.00", "sold_year": 2031, "macr": "0.9"}]},
     "critical_minerals[0].produced_year"),
    ("2026/2027 MACR [7701(a)(52)]: 55% passes 2026 (50%) but not 2027 (60%)",
     {"begins": "2026-07-01", "ends": "2027-06-30"},
     {"components": [{"line": "1e", "units": 10, "capacity_per_unit": 400, "macr": "0.55"}]},
     "components[0].sold_year"),
]


@pytest.mark.parametrize("why,tax_year,rows,field", STRADDLES, ids=[s[0] for s in STRADDLES])
def test_blank_year_straddles_are_refused(why, tax_year, rows, field):
    result = compute({"form": "7207", "tax_year": tax_year, "attestations": NOT_FOREIGN, **rows})
    assert not result.computed  # `xlcredits compute` exits 1
    assert result.lines == {}
    assert [f.where for f in result.findings] == [field]
    message = result.findings[0].message
    assert "blank" in message and "Enter the year" in message


def test_blank_year_message_says_which_years_differ_and_never_assumes_one():
    result = compute(form([{"line": "1e", "units": 10, "capacity_per_unit": 400, "macr": "0.9"}],
                          tax_year={"begins": "2029-10-01", "ends": "2030-09-30"}, attestations=NOT_FOREIGN))
    message = result.findings[0].message
    assert "sold in 2029 and produced in 2029: 100%" in message
    assert "sold in 2030 and produced in 2030: 75%" in message
    assert message.endswith("Enter the year sold. [26 U.S.C. 45X(b)(3)(A), (B)(i)]")


def test_fiscal_year_vessel_and_nacelles_with_years_given_compute():
    # the case: FY 2027-04-01 – 2028-03-31, delivered in 2027: 10% of $300M [45X(b)(1)(F)(i)] and
    # 3 nacelles × 6 MW × $0.05 [45X(b)(2)(A)(ii)] = $900,000
    result = run([{"line": "2c", "units": 3, "capacity_per_unit": 6_000_000, "sold_year": 2027, "produced_year": 2027,
                   "macr": "0.95"}], tax_year={"begins": "2027-04-01", "ends": "2028-03-31"}, attestations=NOT_FOREIGN,
                 vessels=[{"name": "Big", "sales_price": "300000000", "sold_year": 2027, "produced_year": 2027,
                           "macr": "0.95"}])
    assert result.lines["2a.e"] == Dec("30000000.00") and result.lines["2c.e"] == Dec("900000.00")


# --- F7207-D3: size classes are law [26 U.S.C. 45X(c)(2), (c)(5)(B), (c)(3)(B)] -------------------

SIZES = [
    # (line, size per unit, earns?) — boundary pairs
    ("3a", 1_000_000, False), ("3a", 1_000_001, True),                 # central: > 1,000 kW [(c)(2)(B)]
    ("3b", 125_000, False), ("3b", 125_001, True),                     # utility: > 125 kW ... [(c)(2)(G)]
    ("3b", 1_000_000, True), ("3b", 1_000_001, False),                 # ... ≤ 1,000 kW
    ("3c", 19_999, False), ("3c", 20_000, True),                       # commercial: ≥ 20 kW ... [(c)(2)(C)]
    ("3c", 125_000, True), ("3c", 125_001, False),                     # ... ≤ 125 kW
    ("3d", 20_000, True), ("3d", 20_001, False),                       # residential: ≤ 20 kW [(c)(2)(F)]
    ("3e", 650, True), ("3e", 651, False),                             # microinverter: ≤ 650 W [(c)(2)(E)]
    ("3f", 150_000, True), ("3f", 150_001, False),                     # distributed wind: ≤ 150 kW [(c)(2)(D)]
    ("5a", "0.012", True), ("5a", "0.011999", False),                  # cell: ≥ 12 Wh [(c)(5)(B)(ii)]
    ("5b", 7, True), ("5b", "6.999", False),                           # module: ≥ 7 kWh [(c)(5)(B)(iii)]
    ("5c", 7, True), ("5c", "6.999", False),
]


@pytest.mark.parametrize("line,size,earns", SIZES, ids=[f"{s[0]}-{s[1]}" for s in SIZES])
def test_size_class_boundaries(line, size, earns):
    result = run([{"line": line, "units": 1, "capacity_per_unit": size}])
    assert (result.lines[f"{line}.e"] > 0) == earns
    assert (result.lines[f"{line}.d"] == Dec(str(size))) == earns  # (d) holds only what earns (F7207-D5)
    if not earns:
        (where, message), = errors(result)
        assert where == "components[0].capacity_per_unit" and "under the statute" in message
        assert result.excluded[0]["citation"].startswith("26 U.S.C. 45X(c)(")


def test_fuel_cell_vehicle_module_minimum_is_1_kwh():
    # 26 U.S.C. 45X(c)(5)(B)(iii): 1 kWh for a module of a hydrogen fuel cell vehicle
    fcv = {"line": "5b", "units": 1, "fuel_cell_vehicle": True}
    assert run([{**fcv, "capacity_per_unit": 1}]).lines["5b.e"] == Dec("10.00")  # 1 kWh × $10
    assert run([{**fcv, "capacity_per_unit": "0.999"}]).lines["5b.e"] == 0


def test_size_error_names_the_line_the_size_fits():
    # a 700 W "microinverter" is a residential (or distributed wind) inverter by size; a 1,000 kW "central"
    # inverter is a utility inverter [45X(c)(2)(E), (G)]
    micro = run([{"line": "3e", "units": 1, "capacity_per_unit": 700}])
    assert "fits line 3d or 3f" in errors(micro)[0][1]
    central = run([{"line": "3a", "units": 1, "capacity_per_unit": 1_000_000}])
    assert "fits line 3b" in errors(central)[0][1]


@pytest.mark.parametrize("line,field,value,earns", [
    ("1b", "wafer_area_cm2", "240", True), ("1b", "wafer_area_cm2", "239.99", False),       # [45X(c)(3)(B)]
    ("1c", "purity", "0.99999999", True), ("1c", "purity", "0.99999998", False),            # [45X(c)(3)(B)]
])
def test_optional_figures_below_the_definition_earn_nothing(line, field, value, earns):
    result = run([{"line": line, "quantity": "10", field: value}])
    assert (result.lines[f"{line}.e"] > 0) == earns
    assert (errors(result)[0][0] == f"components[0].{field}") if not earns else not errors(result)


@pytest.mark.parametrize("density,earns", [("100", True), ("99.9", False)])
def test_cell_energy_density(density, earns):
    # 26 U.S.C. 45X(c)(5)(B)(ii): at least 100 Wh/L
    result = run([{"line": "5a", "units": 10, "capacity_per_unit": 1, "energy_density_wh_per_l": density}])
    assert result.lines["5a.e"] == (Dec("350.00") if earns else 0)


# --- F7207-D4: unit slips warn ----------------------------------------------------------------

@pytest.mark.parametrize("line,size,hint", [
    ("1e", "0.4", "kW"),        # a 400 W module typed in kW
    ("3d", "7.6", "kW"),        # a 7.6 kW residential inverter typed in kW
    ("5a", "50", "Wh"),         # a 50 Wh cell typed as 50 kWh
    ("5b", "7000", "Wh"),       # a 7 kWh module typed in Wh
])
def test_unit_slips_warn(line, size, hint):
    result = run([{"line": line, "units": 1, "capacity_per_unit": size}])
    assert any(f"was it typed in {hint}" in m for _, m in warnings(result)), warnings(result)


def test_plausible_sizes_do_not_warn():
    result = run([{"line": "1e", "units": 1, "capacity_per_unit": 400}, {"line": "3d", "units": 1,
                  "capacity_per_unit": 7600}, {"line": "5a", "units": 1, "capacity_per_unit": "0.3"}])
    assert warnings(result) == []


# --- F7207-D6: MACR required where a threshold applies [45X(c)(1)(C), 7701(a)(52)] ---------------

def test_macr_required_where_a_threshold_applies():
    base = {"line": "1e", "units": 10, "capacity_per_unit": 400, "sold_year": 2026, "produced_year": 2026}
    missing = run([base], tax_year=2026, attestations=NOT_FOREIGN)
    assert missing.lines["1e.e"] == 0 and errors(missing)[0][0] == "components[0].macr"
    present = run([{**base, "macr": "0.50"}], tax_year=2026, attestations=NOT_FOREIGN)
    assert present.lines["1e.e"] == Dec("280.00")  # 4,000 W × $0.07
    # critical minerals: 0% threshold to 2029, so no MACR is needed; 25% from 2030
    minerals = {"line": 38, "costs": "1000.00"}
    assert run(critical_minerals=[{**minerals, "sold_year": 2029, "produced_year": 2029}], tax_year=2029,
               attestations=NOT_FOREIGN).lines["6a.e"] == Dec("100.00")
    assert run(critical_minerals=[{**minerals, "sold_year": 2030, "produced_year": 2030}], tax_year=2030,
               attestations=NOT_FOREIGN).lines["6a.e"] == 0


# --- F7207-D7: the foreign-entity question [45X(d)(4)] ------------------------------------------

def test_foreign_entity_question_must_be_answered():
    row = [{"line": "1e", "units": 1, "capacity_per_unit": 400, "macr": "0.9"}]
    unanswered = compute(form(row, tax_year={"begins": "2025-07-05", "ends": "2026-07-04"}))
    assert not unanswered.computed
    assert "45X(d)(4)" in unanswered.findings[0].message
    # a tax year beginning on 4 July 2025 is not "after" it: the question is not asked
    assert compute(form(row, tax_year={"begins": "2025-07-04", "ends": "2026-07-03"})).computed
    assert run(row, tax_year={"begins": "2025-07-05", "ends": "2026-07-04"}, attestations=NOT_FOREIGN).lines["8a"] \
        == Dec("28.00")


# --- F7207-D8: Part I line 6 -----------------------------------------------------------------

def test_line_6_yes_warns():
    result = run([{"line": "1e", "units": 1, "capacity_per_unit": 400}], facility={"section_48c_property": True})
    (where, message), = warnings(result)
    assert where == "facility.section_48c_property" and "26 U.S.C. 45X(c)(1)(B)" in message
    assert result.lines["1e.e"] == Dec("28.00")  # the preparer removes such components; the engine cannot tell


# --- F7207-D9 / D10 / D11: citations, labels and revisions are data -------------------------------

def test_citations_follow_the_statute():
    cites = {line: entry.reference for line, entry in catalog.PART_II.items()}
    assert cites["1a"] == "26 U.S.C. 45X(b)(1)(A)" and cites["1e"] == "26 U.S.C. 45X(b)(1)(E)"
    assert cites["1f"] == "26 U.S.C. 45X(b)(1)(G)" and cites["1g"] == "26 U.S.C. 45X(b)(1)(H)"
    assert cites["2a"] == "26 U.S.C. 45X(b)(1)(F)(i)" and cites["2c"].endswith("(b)(2)(A)(ii)")
    assert cites["3a"].startswith("26 U.S.C. 45X(b)(1)(I)") and cites["4a"] == "26 U.S.C. 45X(b)(1)(J)"
    assert cites["5a"] == "26 U.S.C. 45X(b)(1)(K)" and cites["5b"].startswith("26 U.S.C. 45X(b)(1)(L)")
    assert cites["6a"] == "26 U.S.C. 45X(b)(1)(M)"
    assert catalog.WIND_TERMINATION.steps[-1].cites[0].startswith("26 U.S.C. 45X(b)(3)(D)")
    assert catalog.cite("foreign_entity").startswith("26 U.S.C. 45X(d)(4)")
    assert catalog.cite("section_48c").startswith("26 U.S.C. 45X(c)(1)(B)")


def test_every_rule_value_has_a_date_a_citation_and_a_checked_date():
    data = rules.load("f7207")

    def walk(node, path):
        if isinstance(node, dict):
            if "value" in node and "from_year" in node:
                assert node.get("cites") and node.get("checked"), path
            for key, child in node.items():
                walk(child, f"{path}.{key}")
        elif isinstance(node, list):
            for i, child in enumerate(node):
                walk(child, f"{path}[{i}]")

    walk(data, "f7207")
    for line, spec in data["lines"].items():
        assert spec["rate"][0]["from_year"] and spec["cites"], line
        for bound in spec.get("size", ()):
            assert bound["cites"] and bound["checked"], line


def test_decisions_name_existing_tests():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    for key, decision in rules.decisions("f7207").items():
        path, _, name = decision["tested_by"].partition("::")
        assert f"def {name}(" in (root / path).read_text(encoding="utf-8"), key


def test_part_iv_labels():
    # Form 7207 Part IV: 73 lines; niobium's converted form is ferroniobium [45X(c)(6)]
    minerals = catalog.minerals()
    assert sorted(minerals) == list(range(1, 74))
    assert minerals[49].description == "Niobium converted to ferroniobium"
    assert minerals[64].mineral == minerals[65].mineral == "Tin"


def test_revisions_are_data():
    assert catalog.part_i_lines("01-2024") == ("1", "2", "3", "4", "5", "6")
    assert "3b" in catalog.part_i_lines("01-2025")
    assert [e.line for e in catalog.lines_of_revision("12-2025")][-1] == "6b"
    assert "6b" not in [e.line for e in catalog.lines_of_revision("01-2025")]


# --- F7207-D12: lines 7, 8b, 8c ------------------------------------------------------------------

def test_lines_8b_8c_only_for_estates_and_trusts():
    row = [{"line": "1e", "units": 100, "capacity_per_unit": 100}]  # 10,000 W × $0.07 = $700
    corp = run(row, entity_type="corporation", passthrough_credit="50.00")
    assert corp.lines["8a"] == Dec("750.00") and corp.lines["8b"] is None and corp.lines["8c"] is None
    trust = run(row, entity_type="estate_or_trust", allocated_to_beneficiaries="200.00")
    assert trust.lines["8b"] == Dec("200.00") and trust.lines["8c"] == Dec("500.00")


# --- F7207-D5: statements ---------------------------------------------------------------------

def test_phase_out_statement_per_line_and_year():
    # 26 U.S.C. 45X(b)(3): 2030 75%. Tax year FY 2029-10 – 2030-09 with both years given.
    result = run([{"line": "1e", "units": 1000, "capacity_per_unit": 100, "sold_year": 2029, "produced_year": 2029,
                   "macr": "0.9"},
                  {"line": "1e", "units": 1000, "capacity_per_unit": 100, "sold_year": 2030, "produced_year": 2030,
                   "macr": "0.9"}],
                 tax_year={"begins": "2029-10-01", "ends": "2030-09-30"}, attestations=NOT_FOREIGN)
    assert result.lines["1e.d"] == Dec(200_000)
    assert result.lines["1e.e"] == Dec("12250.00")  # 7,000 + 7,000 × 75%
    assert result.phase_out == [{"line": "1e", "year": 2030, "year_basis": "sold", "percentage": Dec("0.75"),
                                 "measure": Dec(100_000), "rate": Dec("0.07"), "amount": Dec("5250.00")}]
    assert result.excluded == []
