"""`xlcredits compute` and `xlcredits schema` for NJ Form 306."""

import json
import subprocess
import sys

from conftest import EXAMPLES, load_json
from xlcredits.jsonio import loads


def xlcredits(*args):
    return subprocess.run([sys.executable, "-m", "xlcredits", *args], capture_output=True, text=True)


def test_compute_prints_the_expected_json():
    # source: examples/nj306_regular_2025.expected.json
    path = EXAMPLES / "nj306_regular_2025.json"
    run = xlcredits("compute", str(path))
    assert run.returncode == 0, run.stderr
    out = loads(run.stdout)
    assert out["form"] == "NJ-306" and out["revision"] == "2023" and out["tax_year"] == 2025
    expected = load_json(path.with_name("nj306_regular_2025.expected.json"))["lines"]
    assert {k: v for k, v in out["lines"].items() if v is not None} == expected
    assert '"10": 0.16,' in run.stdout and '"28": 3800.00,' in run.stdout  # fraction and cents as printed
    assert out["carryforward_next"] == [] and out["findings"] == [] and "values" not in out


def test_compute_prints_next_years_ledger(tmp_path):
    data = load_json(EXAMPLES / "nj306_regular_2025.json")
    data["tax_liability"] = 2500
    path = tmp_path / "in.json"
    path.write_text(json.dumps(data, default=str))
    out = loads(xlcredits("compute", str(path)).stdout)
    assert out["lines"]["36"] == 0
    # NJ306-D5: the 2020 vintage had 3 periods left counting 2025, so 2 next year
    assert out["carryforward_next"] == [{"year_earned": 2020, "amount": 800, "period_years": 7, "periods_remaining": 2},
                                        {"year_earned": 2025, "period_ends": "2025-12-31", "amount": 3800,
                                         "period_years": 7, "periods_remaining": 7}]


def test_compute_text_format():
    run = xlcredits("compute", str(EXAMPLES / "nj306_asc_combined_2025.json"), "--format", "text")
    assert run.returncode == 0, run.stderr
    assert "Form NJ-306" in run.stdout and "3,030.70" in run.stdout
    assert "Allowable credit (lesser of line 43 or line 49)" in run.stdout


def test_blocking_input_exits_1_with_findings(tmp_path):
    path = tmp_path / "neither.json"
    path.write_text(json.dumps({"form": "NJ-306", "tax_year": 2025, "return_type": "CBT-100"}))
    run = xlcredits("compute", str(path))
    assert run.returncode == 1
    out = loads(run.stdout)
    assert out["lines"] == {} and [f["where"] for f in out["findings"]][0] == "federal_method"


def test_schema_command():
    run = xlcredits("schema", "nj306")
    assert run.returncode == 0, run.stderr
    schema = json.loads(run.stdout)
    for field in ("return_type", "federal_method", "qre", "startup", "carryforward", "combined", "minimum_tax"):
        assert field in schema["properties"], field
    assert xlcredits("schema", "NJ-306").returncode == 0


def test_short_year_text_shows_its_proration(tmp_path):
    # source: Treas. Reg. 1.41-3(b)(1) (NJ306-D3): a 6-month year's base amount × 6 ÷ 12
    data = load_json(EXAMPLES / "nj306_regular_2025.json")
    data["tax_year"] = {"begins": "2025-01-01", "ends": "2025-06-30"}
    path = tmp_path / "short.json"
    path.write_text(json.dumps(data, default=str))
    run = xlcredits("compute", str(path), "--format", "text")
    assert run.returncode == 0, run.stderr
    assert "revision 2023" in run.stdout
    text = " ".join(run.stdout.split())  # the explanation wraps with the terminal width
    assert "line 11 × line 10 × credit year months ÷ 12 (to cents) = 700,000 × 0.16 × 6 ÷ 12 = 56,000.00" in text
    assert "Short credit year: base amount × months ÷ 12 (NJ306-D3)" in text


def test_period_before_2020_exits_1_naming_tax_year(tmp_path):
    data = load_json(EXAMPLES / "nj306_regular_2025.json")
    data["tax_year"] = 2016
    path = tmp_path / "old.json"
    path.write_text(json.dumps(data, default=str))
    run = xlcredits("compute", str(path))
    assert run.returncode == 1 and "tax_year" in run.stdout + run.stderr


def test_schema_describes_every_new_field():
    schema = json.loads(xlcredits("schema", "nj306").stdout)
    defs = schema["$defs"]
    for model, field in (("Vintage", "period_ends"), ("Vintage", "periods_remaining"), ("OtherCredit", "credit"),
                         ("Taxpayer", "unitary_id")):
        assert defs[model]["properties"][field]["description"], (model, field)
    for field in ("return_kind", "cannabis_licensee", "fixed_base_percentage"):
        assert schema["properties"][field]["description"], field
