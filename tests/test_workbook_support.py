"""Cases and checks shared by the workbook tests (no tests here).

Each case is an input with its source; every one is filled into a workbook and, in the
LibreOffice test, recalculated by an independent spreadsheet engine."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from conftest import EXAMPLES, load_json
from xlcredits.forms import compute
from xlcredits.workbook.filler import line_values
from xlcredits.workbook.files import fill_book
from xlcredits.workbook.reader import OpenpyxlAdapter, open_workbook
from xlcredits.workbook.verify import same
from xlcredits.workbook.writer import save


def _7207(components=(), **more) -> dict:
    data = {"form": "7207", "tax_year": 2025, "filer": {"name": "Case Co", "tin": "12-0000000"},
            "components": list(components)}
    data.update(more)
    return data


def _cap(line, units, cap, **kw):
    return {"line": line, "units": units, "capacity_per_unit": cap, **kw}


CASES_7207 = {
    # source: examples/form7207_acme_2025.json (includes the half-cent 125,000.5 kg × $0.87)
    "acme": load_json(EXAMPLES / "form7207_acme_2025.json"),
    # source: Form 7207 instructions (Rev. January 2024), line 1a example: 350,000 W
    "i24_1a": _7207([_cap("1a", 500, 100), _cap("1a", 1500, 200)]),
    # source: instructions, line 1e example: 110,000 W
    "i24_1e": _7207([_cap("1e", 300, 100), _cap("1e", 400, 200)]),
    # source: instructions, line 2b example: blades for a 6 MW and a 10 MW turbine, 48,000,000 W
    "i24_2b": _7207([_cap("2b", 3, 6000000), _cap("2b", 3, 10000000)]),
    # source: instructions, line 3a example (sizes too small for central inverters: warnings)
    "i24_3a": _7207([_cap("3a", 50, 1000), _cap("3a", 100, 2500)]),
    # source: instructions, line 5a example: 2,100 kWh
    "i24_5a": _7207([_cap("5a", 50, 12), _cap("5a", 100, 15)]),
    # source: 26 U.S.C. 45X(b)(2)(B)(i) ($0.0025/W); cents half up per line (F7207-D17); a half cent at a four-decimal rate: 1,000,002 W × $0.0025 = 2,500.005
    "half_cent_3a": _7207([_cap("3a", 1, 1000002, description="Central inverter")]),
    # source: 26 U.S.C. 45X(b)(3)-(4), (c)(1)(C) as amended by P.L. 119-21 sec. 70514: phase-out, MACR, battery 100:1 cap, wind, minerals, coal, vessels (F7207-D6, F7207-D15, F7207-D16)
    "obbba_2030": {
        "form": "7207", "tax_year": {"begins": "2029-07-01", "ends": "2030-06-30"},
        "filer": {"name": "Fiscal & Sons <Trust>", "tin": "98-7654321"}, "entity_type": "estate_or_trust",
        "attestations": {"prohibited_foreign_entity": False},
        "facility": {"registration_number": "=HYPERLINK(\"http://x\")", "address": "+1 Main St",
                     "description": "-dash @at", "placed_in_service": "2024-02-29",
                     "related_person_election": True, "section_48c_property": False},
        "components": [
            _cap("1e", 1000, 400, sold_year=2030, produced_year=2029, macr="0.9", description="Module"),
            _cap("5b", 10, 50, max_discharge_kw_per_unit="0.25", sold_year=2030, produced_year=2030, macr="0.9",
                 description="Module, capped at 100:1"),
            {"line": "1f", "quantity": "3333.33", "sold_year": 2030, "produced_year": 2030, "macr": "0.86"},
            _cap("2c", 2, 3000000, sold_year=2030, produced_year=2027, description="Nacelle"),
            _cap("3d", 10, 7600, sold_year=2030, produced_year=2030, macr="0.5", description="below MACR"),
            {"line": "4a", "costs": "1234.57", "sold_year": 2030, "produced_year": 2030, "macr": "0.99"},
            _cap("5c", 3, 8, fuel_cell_vehicle=True, integrated=True, integration_test_met=True,
                 sold_year=2030, produced_year=2030, macr="0.95"),
        ],
        "vessels": [
            {"name": "Sea Lift", "purpose": "Installation", "official_number": "123", "status": "new",
             "sales_price": "1000000.01", "sold_year": 2027, "produced_year": 2027, "macr": "0.95"},
            {"name": "Wave Rider", "purpose": "Service", "official_number": "456", "status": "retrofitted",
             "sales_price": "250000", "sold_year": 2026, "produced_year": 2026, "macr": "0.9"},
        ],
        "critical_minerals": [
            {"line": 38, "costs": "1000000", "produced_year": 2031, "sold_year": 2031, "description": "LiOH"},
            # years given: in this fiscal year 2029 and 2030 differ in MACR threshold (decision F7207-D2)
            {"line": 64, "costs": "100.05", "produced_year": 2030, "sold_year": 2030, "macr": "0.3"},
            {"line": 65, "costs": "100.05", "produced_year": 2030, "sold_year": 2030, "macr": "0.3"},
            {"line": 1, "costs": "0.05", "produced_year": 2029, "sold_year": 2029},
        ],
        "metallurgical_coal": [{"description": "Met coal", "costs": "40000.2", "produced_year": 2029, "sold_year": 2029},
                               {"description": "Late coal", "costs": "5000", "produced_year": 2030, "sold_year": 2030,
                                "macr": "0.3"}],
        "passthrough_credit": "1234.56", "allocated_to_beneficiaries": "1000",
    },
    # source: F7207-D11 (Form 7207 Rev. 01-2024): tax years beginning in 2023 use Rev. 01-2024 (no 3a/3b, no 6b)
    "rev_01_2024": _7207([_cap("1a", 10, 300)], tax_year=2023,
                         facility={"owner_name": "Owner LLC", "placed_in_service": "2023-01-02"}),
    # source: F7207-D11 (Form 7207 Rev. 01-2025): tax years beginning in 2024 use Rev. 01-2025
    "rev_01_2025": _7207([{"line": "1b", "quantity": "12.5"}], tax_year=2024, passthrough_credit="10.10"),
}


def _nj(kind: str, **changes) -> dict:
    from test_nj306_support import asc, combined, regular

    if kind == "regular":
        return regular(**changes)
    if kind == "asc":
        return asc(**changes)
    return combined(kind == "sharing", **changes)


CASES_NJ = {
    # source: examples/nj306_*.json
    "nj_regular": load_json(EXAMPLES / "nj306_regular_2025.json"),
    "nj_asc_combined": load_json(EXAMPLES / "nj306_asc_combined_2025.json"),
    # source: Form 306 worked case (public material, tests/cases_nj306.json) 1–3 (regular)
    "nj_cap16": _nj("regular", qre={"wages": 125000}, fixed_base_percentage="0.25", average_gross_receipts=700000),
    "nj_floor50": _nj("regular", qre={"wages": 100000}, fixed_base_percentage="0.03", average_gross_receipts=200000),
    "nj_plain": _nj("regular", qre={"wages": 250000}, fixed_base_percentage="0.05", average_gross_receipts=2000000),
    # source: Form 306 worked case (public material, tests/cases_nj306.json) 4–5 (ASC)
    "nj_asc": _nj("asc", qre={"wages": 53704}, prior_year_qres=[45000, 47382, 48000]),
    "nj_asc_zero_year": _nj("asc", qre={"wages": 53704}, prior_year_qres=[0, 47382, 48000]),
    # source: Form 306 lines 10, 8, 32, 29: start-up FBP, contract research percentages, S-corp minimum tax, vintages
    "nj_startup_scorp": _nj("regular", return_type="CBT-100S", qre={"wages": 81234.57, "supplies": 1000},
                            contract_research_paid={"general": 10001, "qualified_consortium": 333.33,
                                                    "energy_research": 50},
                            fixed_base_percentage=None,
                            startup={"credit_year": 7, "history": [
                                {"year": 5, "qre": 40000, "gross_receipts": 900000},
                                {"year": 6, "qre": 45000, "gross_receipts": 1000000}]},
                            average_gross_receipts="333333.33", tax_liability="4000", nj_gross_receipts=150000,
                            basic_research_payments=1000, base_period_amount=5000, energy_consortia="12.34",
                            carryforward=[{"year_earned": 2017, "amount": 500, "period_years": 7},
                                          {"year_earned": 2019, "amount": "600.50", "period_years": 7},
                                          {"year_earned": 2015, "amount": 700, "period_years": 15}],
                            other_credits=[{"name": "A", "amount": 10}, {"name": "B", "amount": "20.5"}]),
    # source: 26 U.S.C. 41(c)(3), 41(b)(3): existing company 1984–1988 base period, fiscal year
    "nj_existing_fiscal": _nj("regular", fixed_base_percentage=None,
                              base_period_1984_1988={"qre": 123457, "gross_receipts": 3000000},
                              tax_year={"begins": "2025-07-01", "ends": "2026-06-30"}),
    # source: Treas. Reg. 1.41-3(b)(1), T.D. 9528: short credit years prorate lines 12 and 22 (NJ306-D3, -D4)
    "nj_short_regular": load_json(EXAMPLES / "nj306_short_year_2025.json"),  # with an Angel Investor row (NJ306-D7)
    "nj_short_asc": _nj("asc", tax_year={"begins": "2025-01-01", "ends": "2025-04-30"}),
    # source: Form 306 Part VII, sharing member
    "nj_sharing": _nj("sharing", combined={"group_other_credits": [{"name": "X", "amount": 100}]}),
}

ALL_CASES = {**CASES_7207, **CASES_NJ}


def fill_case(data: dict, path: Path):
    """Fill `data` into a workbook at `path`; return (layout, result)."""
    book, layout, result = fill_book(copy.deepcopy(data))
    save(book, path, force=True)
    return layout, result


def mismatches(path: Path, layout, result) -> list[str]:
    """Every line cell (and schedule output cell) whose value in the file differs from the engine."""
    adapter = OpenpyxlAdapter(open_workbook(path, data_only=True))
    values = line_values(result)
    out = []
    for line in layout.lines:
        place = layout.line_places.get(line.key)
        if place is None:
            continue
        got = adapter.read(layout.line_name(line.key))
        want = values.get(line.key)
        if line.kind == "input":
            if line.key in layout.fields:  # a drop-down shows words for the engine's code
                from xlcredits.workbook.choices import code_of

                got = code_of(got, layout.fields[line.key].field.choices)
            if not same(got if got is not None else 0, want if want is not None else 0, line.unit):
                out.append(f"{line.key}: {got!r} != {want!r}")
        elif not same(got, want, line.unit):
            out.append(f"{line.key}: {got!r} != {want!r}")
    for key, sp in layout.schedules.items():
        for row in result.rows.get(key, []):
            for column in sp.outputs():
                target = sp.address(row["#index"], column.key)
                got, want = adapter.value_at(target), row.get(column.key)
                if not same(got, want, str(column.unit)):
                    out.append(f"{target}: {got!r} != {want!r}")
    return out


def computed(data):
    result = compute(copy.deepcopy(data))
    assert result.computed, [f.message for f in result.findings if f.blocking]
    return result


@pytest.fixture(scope="session")
def filled_cases(tmp_path_factory):
    """Every case filled once per test session: name -> (path, layout, result)."""
    folder = tmp_path_factory.mktemp("filled")
    out = {}
    for name, data in ALL_CASES.items():
        path = folder / f"{name}.xlsx"
        out[name] = (path, *fill_case(data, path))
    return out
