"""`xlcredits batch`: a folder of JSON inputs or an intake workbook → one completed workbook per
return, summary.xlsx and summary.json; a bad input never stops the batch."""

import json
import shutil
import subprocess
import sys
from decimal import Decimal

import openpyxl
import pytest

from conftest import EXAMPLES, load_json
from xlcredits.forms import compute


def xlcredits(*args):
    return subprocess.run([sys.executable, "-m", "xlcredits", *args], capture_output=True, text=True, timeout=300)


@pytest.fixture
def inputs(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for path in EXAMPLES.glob("*.json"):
        if not path.name.endswith(".expected.json"):
            shutil.copy(path, folder / path.name)
    (folder / "broken.json").write_text("{ not json", encoding="utf-8")
    bad = load_json(EXAMPLES / "form7207_acme_2025.json")
    bad["components"][0].pop("capacity_per_unit")
    (folder / "missing_capacity.json").write_text(json.dumps(bad, default=str), encoding="utf-8")
    return folder


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_folder_batch_with_a_bad_input(inputs, tmp_path, jobs):
    out = tmp_path / "out"
    run = xlcredits("batch", str(inputs), "-o", str(out), "--jobs", jobs)
    assert run.returncode == 1, run.stdout + run.stderr  # the bad inputs are reported in the exit status
    assert "Traceback" not in run.stderr
    assert "not computed: " in run.stdout
    summary = json.loads((out / "summary.json").read_text(), parse_float=Decimal)
    by_file = {r["file"]: r for r in summary["returns"]}
    assert by_file["broken"]["status"] == "failed" and "not valid JSON" in by_file["broken"]["findings"][0]["message"]
    assert by_file["missing_capacity"]["status"] == "not computed"
    assert any("capacity_per_unit" in f["where"] for f in by_file["missing_capacity"]["findings"])
    acme = by_file["form7207_acme_2025"]
    # source: examples/form7207_acme_2025.expected.json — the Form 3800 Part III line 1b row
    assert acme["line_8a"] == Decimal("981750.44") and acme["registration_number"] == "AMP-2025-000123"
    assert by_file["nj306_regular_2025"]["allowed"] == Decimal("4600.00")  # line 36 of the expected file
    assert by_file["nj306_regular_2025"]["allowed_line"] == "36"
    assert by_file["nj306_asc_combined_2025"]["allowed"] == Decimal("3030.70")  # line 50
    assert summary["totals"]["7207"]["line_8c"] == Decimal("981750.44")
    assert by_file["nj306_short_year_2025"]["allowed"] == Decimal("14500.00")  # line 36 of the expected file
    assert summary["totals"]["NJ-306"]["allowed"] == Decimal("22130.70")  # 4,600.00 + 3,030.70 + 14,500.00
    for name in ("form7207_acme_2025", "nj306_regular_2025", "nj306_asc_combined_2025"):
        assert (out / f"{name}.xlsx").exists()
    assert not (out / "broken.xlsx").exists()
    book = openpyxl.load_workbook(out / "summary.xlsx", data_only=True)
    assert book.sheetnames == ["Form 7207", "NJ-306", "Findings"]
    rows = {r[0]: r for r in book["Form 7207"].iter_rows(min_row=2, values_only=True)}
    assert rows["form7207_acme_2025"][7] == pytest.approx(981750.44, abs=0.001)
    assert rows["missing_capacity"][8] == "not computed" and rows["missing_capacity"][7] is None
    assert rows["Total"][7] == pytest.approx(981750.44, abs=0.001)  # the SUM formula's cached value
    findings = [row for row in book["Findings"].iter_rows(min_row=2, values_only=True)]
    assert any(r[0] == "broken" and r[1] == "error" for r in findings)


def test_existing_outputs_are_not_replaced_without_force(inputs, tmp_path):
    out = tmp_path / "out"
    assert xlcredits("batch", str(inputs), "-o", str(out), "--jobs", "1").returncode == 1
    before = (out / "summary.json").read_bytes()
    run = xlcredits("batch", str(inputs), "-o", str(out))
    assert run.returncode == 1 and "--force" in run.stderr
    assert (out / "summary.json").read_bytes() == before
    assert xlcredits("batch", str(inputs), "-o", str(out), "--force").returncode == 1  # bad inputs remain


def test_intake_workbook_batch(tmp_path):
    intake = tmp_path / "intake.xlsx"
    assert xlcredits("new", "batch", "-o", str(intake)).returncode == 0
    book = openpyxl.load_workbook(intake)
    facilities, products, minerals = book["Facilities"], book["Products"], book["Minerals"]
    # issue 16: headers are in the form's words; the JSON path each fills is in the module (and the header note)
    from xlcredits.batch.intake import FACILITIES, ROW_SHEETS
    paths = {FACILITIES.name: {c.header: c.path for c in (FACILITIES.key, *FACILITIES.columns)}}
    paths.update({r.name: {c.header: c.path for c in (r.owner.key, *r.columns)} for r in ROW_SHEETS})

    def append(sheet, values):
        sheet.append([values.get(paths[sheet.title].get(c.value)) for c in sheet[1]])

    def facility(**values):
        append(facilities, values)
    facility(**{"#id": "Dalton", "tax_year.begins": 2025, "filer.name": "Acme", "facility.registration_number": "R-1",
                "facility.address": "100 Sunlight Way"})
    facility(**{"#id": "Austin", "tax_year.begins": 2025, "filer.name": "Acme", "facility.registration_number": "R-2"})
    facility(**{"#id": "Broken", "tax_year.begins": 2025})

    def product(**values):
        append(products, {"#id": values.pop("facility_id"), **values})
    # source: Instructions for Form 7207, aggregate capacity examples; 26 U.S.C. 45X(b)(1)(E), (K) (1e: 110,000 W → $7,700; 5a: 2,100 kWh → $73,500)
    product(facility_id="Dalton", line="1e", units=300, capacity_per_unit=100)
    product(facility_id="Dalton", line="1e", units=400, capacity_per_unit=200)
    product(facility_id="Austin", line="5a", units=50, capacity_per_unit=12)
    product(facility_id="Austin", line="5a", units=100, capacity_per_unit=15)
    product(facility_id="Broken", line="1e", units=5)  # no capacity: cannot be computed
    product(facility_id="Nowhere", line="1e", units=5, capacity_per_unit=1)
    append(minerals, {"#id": "Austin", "line": 38, "costs": 1000})
    book.save(intake)

    out = tmp_path / "out"
    run = xlcredits("batch", str(intake), "-o", str(out), "--jobs", "2")
    assert run.returncode == 1
    assert "Nowhere" in run.stderr
    summary = json.loads((out / "summary.json").read_text(), parse_float=Decimal)
    by_file = {r["file"]: r for r in summary["returns"]}
    assert by_file["Dalton"]["line_8a"] == Decimal("7700.00")
    assert by_file["Austin"]["line_8a"] == Decimal("73600.00")  # 73,500 + 10% of $1,000 lithium costs
    assert by_file["Broken"]["status"] == "not computed"
    assert summary["problems"] and "Nowhere" in summary["problems"][0]
    # the completed workbook of a facility holds the same numbers as the engine
    filled = openpyxl.load_workbook(out / "Dalton.xlsx", data_only=True)
    dest = filled.defined_names["F7207_8a"].destinations
    sheet, ref = next(iter(dest))
    assert Decimal(str(filled[sheet][ref.replace("$", "")].value)) == Decimal("7700.00")


def test_batch_of_mixed_forms_equals_single_computes(tmp_path):
    out = tmp_path / "out"
    run = xlcredits("batch", str(EXAMPLES), "-o", str(out))
    assert run.returncode == 0, run.stdout + run.stderr
    summary = json.loads((out / "summary.json").read_text(), parse_float=Decimal)
    for record in summary["returns"]:
        result = compute(load_json(EXAMPLES / f"{record['file']}.json"))
        key = "line_8a" if result.form == "7207" else "line_28"
        assert record[key] == result.lines[key.split("_")[1]]


def test_batch_usage_errors(tmp_path):
    assert xlcredits("batch", str(tmp_path / "nothing"), "-o", str(tmp_path / "o")).returncode == 2
    (tmp_path / "file").write_text("x")
    run = xlcredits("batch", str(EXAMPLES), "-o", str(tmp_path / "file"))
    assert run.returncode == 2 and "not a folder" in run.stderr
