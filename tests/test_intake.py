"""The batch intake workbook for both forms and every schedule: a bundled example typed into the
intake's rows reads back as the same input (so computes to the same lines), headers are in the
form's words with the JSON path in their note, and intake mistakes name their sheet and rows."""

from __future__ import annotations

import json
from decimal import Decimal

import openpyxl
import pytest

from conftest import EXAMPLES, load_json
from xlcredits.batch.intake import FACILITIES, NJ_RETURNS, RETURN_SHEETS, ROW_SHEETS, read_intake, write_blank_intake
from xlcredits.forms import compute
from xlcredits.messages import DENY_LIST


@pytest.fixture
def blank(tmp_path):
    path = tmp_path / "intake.xlsx"
    write_blank_intake(path)
    return openpyxl.load_workbook(path)


def put(book, sheet_name: str, values: dict) -> None:
    """Append a row to a sheet, `values` keyed by JSON path ("#id" for the ID column)."""
    sheets = {s.name: (s.key, *s.columns) for s in RETURN_SHEETS}
    sheets.update({r.name: (r.owner.key, *r.columns) for r in ROW_SHEETS})
    by_header = {c.header: c.path for c in sheets[sheet_name]}
    sheet = book[sheet_name]
    sheet.append([values.get(by_header[c.value]) for c in sheet[1]])


def flatten(data: dict, prefix: str = "") -> dict:
    out = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, path + "."))
        elif isinstance(value, list) and value and not isinstance(value[0], dict):
            out.update({f"{path}[{i}]": v for i, v in enumerate(value)})
        elif not isinstance(value, list):
            out[path] = value
    return out


def type_in(book, example: dict, name: str) -> None:
    """Type a JSON example into the intake as a preparer would: one return row, then its schedules."""
    sheet = FACILITIES if example["form"] == "7207" else NJ_RETURNS
    scalars = {k: v for k, v in flatten(example).items() if k not in ("form", "tax_year")}
    put(book, sheet.name, {"#id": name, "tax_year.begins": example["tax_year"], **scalars})
    for rows in ROW_SHEETS:
        if rows.owner is not sheet:
            continue
        target = example
        for part in rows.json_field.split("."):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        for row in target or []:
            row = dict(row)
            if "component" in row:  # the Line column takes a component name too ("solar_module")
                row["line"] = row.pop("component")
            put(book, rows.name, {"#id": name, **row})


@pytest.mark.parametrize("example", ["form7207_acme_2025", "nj306_regular_2025", "nj306_asc_combined_2025"])
def test_an_example_typed_into_the_intake_computes_the_same(blank, tmp_path, example):
    data = load_json(EXAMPLES / f"{example}.json")
    type_in(blank, json.loads(json.dumps(data, default=str)), "Case A")
    blank.save(tmp_path / "typed.xlsx")
    cases, problems = read_intake(openpyxl.load_workbook(tmp_path / "typed.xlsx"))
    assert problems == [] and [c.name for c in cases] == ["Case A"]
    expected = load_json(EXAMPLES / f"{example}.expected.json")
    result = compute(cases[0].data)
    assert result.computed, [f.message for f in result.findings]
    for key, value in expected["lines"].items():
        assert result.lines[key] == (Decimal(str(value)) if value is not None else None), key


def test_every_schedule_has_a_sheet_and_headers_carry_their_json_path(tmp_path):
    path = tmp_path / "intake.xlsx"
    write_blank_intake(path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Facilities", "Products", "Vessels", "Minerals", "Coal", "NJ-306 returns",
                               "NJ-306 carryforward", "NJ-306 start-up history", "NJ-306 other credits",
                               "NJ-306 group credits", "NJ-306 member credits"]
    products = {c.value: c.comment.text for c in book["Products"][1]}
    assert products["Units sold"].startswith("JSON: components[].units")
    nj = {c.value: c.comment.text for c in book["NJ-306 returns"][1]}
    assert "Line 31: Tax liability (page 1, line 2 of the return)" in nj
    assert nj["Line 31: Tax liability (page 1, line 2 of the return)"].startswith("JSON: tax_liability.")
    facilities = [c.value for c in book["Facilities"][1]]
    assert "Line 6: Includes property of a facility claiming §48C" in facilities
    assert not any("." in str(h) and h.split(".")[0] in ("facility", "filer") for h in facilities)  # no JSON paths


def test_duplicate_facility_id_names_both_rows(blank):
    put(blank, "Facilities", {"#id": "Dalton", "tax_year.begins": 2025})
    put(blank, "Facilities", {"#id": "Austin", "tax_year.begins": 2025})
    put(blank, "Facilities", {"#id": "dalton ", "tax_year.begins": 2025})
    put(blank, "Products", {"#id": "DALTON", "line": "1e", "units": 1, "capacity_per_unit": 1000})
    cases, problems = read_intake(blank)
    # issue 15 problem 5: a duplicate ID is an error, never a merge — neither row makes a return
    assert [c.name for c in cases] == ["Dalton", "Austin"] and problems == []
    dalton, austin = cases
    assert dalton.data is None and austin.data is not None
    assert dalton.problems == ['Facilities rows 2 and 4 both have Facility ID "Dalton"; each needs its own (it '
                               'names the output file and ties the other sheets\' rows to it). Neither row was '
                               'read: two rows with one ID are never merged into one return.']
    for p in dalton.problems:
        assert not any(word.lower() in p.lower() for word in DENY_LIST)


def test_rows_for_unknown_returns_and_unknown_columns_name_the_place(blank):
    put(blank, "Facilities", {"#id": "Dalton", "tax_year.begins": 2025})
    put(blank, "Products", {"#id": "Dalon", "line": "1e", "units": 1, "capacity_per_unit": 1})
    blank["Minerals"].cell(1, 12, "Costs incured")
    cases, problems = read_intake(blank)
    assert 'Products row 2: Facility ID "Dalon" is not on the Facilities sheet, so the row belongs to no return. ' \
           'Did you mean "Dalton"?' in problems
    assert any(p.startswith('Minerals!L1: the column "Costs incured" is not one this sheet knows') for p in problems)
    for p in problems:
        assert not any(word.lower() in p.lower() for word in DENY_LIST)


def test_blank_intake_says_nothing_to_compute(blank):
    cases, problems = read_intake(blank)
    assert cases == [] and problems[0].startswith("Nothing to compute: the intake has no rows")


def test_old_intakes_with_json_path_headers_still_read(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Facilities"
    book["Facilities"].append(["facility_id", "tax_year_begins", "filer.name"])
    book["Facilities"].append(["Dalton", 2025, "Acme"])
    products = book.create_sheet("Products")
    products.append(["facility_id", "line", "units", "capacity_per_unit"])
    products.append(["Dalton", "1e", 300, 100])
    cases, problems = read_intake(book)
    assert problems == []
    assert compute(cases[0].data).lines["1e.e"] == Decimal("2100.00")  # 300 × 100 W × $0.07/W [§45X(b)(1)(J)]


def test_summary_findings_name_the_intake_sheet_and_row(blank, tmp_path):
    from xlcredits.batch.run import _summary_of, cases_from

    put(blank, "Facilities", {"#id": "Dalton", "tax_year.begins": 2025})
    put(blank, "Products", {"#id": "Dalton", "line": "1e", "description": "Module 400 W", "units": 10,
                            "capacity_per_unit": 400})
    put(blank, "Products", {"#id": "Dalton", "line": "1e", "description": "Module 410 W", "units": 5})
    blank.save(tmp_path / "intake.xlsx")
    cases, problems = cases_from(tmp_path / "intake.xlsx")
    assert problems == [] and cases[0].source == "intake.xlsx: facility Dalton"
    record = _summary_of(cases[0], compute(cases[0].data), None)
    places = [f["place"] for f in record["findings"]]
    assert "components[1].capacity_per_unit (Products row 3 — Module 410 W)" in places
