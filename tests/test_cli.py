"""The `xlcredits` command as a user runs it: exit codes, JSON on stdout, never a traceback."""

import json
import subprocess
import sys

import pytest

from conftest import EXAMPLES
from xlcredits.jsonio import loads


def xlcredits(*args, input_text=None):
    return subprocess.run([sys.executable, "-m", "xlcredits", *args], capture_output=True, text=True,
                          input=input_text, timeout=120)


@pytest.mark.parametrize("content,needle", [
    ("{not json", "not valid JSON"),
    ('{"form": "7207", "tax_year": NaN}', "NaN is not a number"),
    ('[1, 2]', "JSON object"),
    ('{"form": "1040", "tax_year": 2025}', "prepares"),
    ('{"form": "7207", "tax_year": 2025, "components": [{"line": "1e", "units": 5}]}', "capacity_per_unit"),
])
def test_bad_input_exits_1_with_findings_and_no_traceback(tmp_path, content, needle):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    run = xlcredits("compute", str(path))
    assert run.returncode == 1
    assert "Traceback" not in run.stderr + run.stdout
    out = loads(run.stdout)
    assert out["findings"] and out["findings"][0]["severity"] == "error"
    assert any(needle in f["message"] for f in out["findings"]), out["findings"]


def test_missing_file_and_binary_file(tmp_path):
    run = xlcredits("compute", str(tmp_path / "nope.json"))
    assert run.returncode == 1 and "no such file" in run.stdout
    binary = tmp_path / "x.json"
    binary.write_bytes(b"\x00\xff\xfe\x81binary")
    run = xlcredits("compute", str(binary))
    assert run.returncode == 1 and "not UTF-8" in run.stdout
    binary.write_bytes(b"PK\x03\x04\xff\xfe\x00")  # a workbook given as the JSON input
    run = xlcredits("compute", str(binary))
    assert run.returncode == 1 and "x.json is a zip package such as an .xlsx workbook, not a JSON input" in run.stdout


def test_text_format_shows_lines_explanations_and_findings(tmp_path):
    run = xlcredits("compute", str(EXAMPLES / "form7207_acme_2025.json"), "--format", "text")
    assert run.returncode == 0, run.stderr
    assert "981,750.44" in run.stdout
    assert "300 × 100 + 400 × 200" in run.stdout
    data = json.loads((EXAMPLES / "form7207_acme_2025.json").read_text())
    data["components"][0]["sold_year"] = 2024
    path = tmp_path / "warn.json"
    path.write_text(json.dumps(data))
    run = xlcredits("compute", str(path), "--format", "text")
    # sold in the year before the tax year: the row earns nothing, an error on a computed form
    # [26 U.S.C. 45X(a)(1)(B)] (decision F7207-D1)
    assert run.returncode == 0 and "ERROR" in run.stdout and "components[0].sold_year" in run.stdout


def test_warnings_and_credit_zeroing_errors_still_exit_0(tmp_path):
    data = {"form": "7207", "tax_year": 2026, "attestations": {"prohibited_foreign_entity": True},
            "components": [{"line": "1e", "units": 1, "capacity_per_unit": 100}]}
    path = tmp_path / "pfe.json"
    path.write_text(json.dumps(data))
    run = xlcredits("compute", str(path))
    assert run.returncode == 0
    out = loads(run.stdout)
    assert out["lines"]["8a"] == 0
    assert any(f["severity"] == "error" for f in out["findings"])


def test_schema_command():
    run = xlcredits("schema", "7207")
    assert run.returncode == 0
    schema = json.loads(run.stdout)
    assert {"components", "critical_minerals", "tax_year", "attestations"} <= set(schema["properties"])
    assert xlcredits("schema", "1040").returncode == 2
