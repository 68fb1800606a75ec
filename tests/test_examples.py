"""The bundled examples give exactly their *.expected.json (the public contract)."""

import subprocess
import sys

import pytest

from conftest import EXAMPLES, load_json
from xlcredits.forms import compute
from xlcredits.jsonio import loads

CASES = sorted(p for p in EXAMPLES.glob("*.json") if not p.name.endswith(".expected.json"))


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_example_matches_expected(path):
    expected = load_json(path.with_name(path.stem + ".expected.json"))
    result = compute(load_json(path))
    assert result.computed, result.findings
    assert result.form == expected["form"]
    for key, value in expected["lines"].items():
        assert result.lines.get(key) == value, f"line {key}: got {result.lines.get(key)}, expected {value}"
    extra = {k for k, v in result.lines.items() if v is not None} - set(expected["lines"])
    assert not extra, f"lines not in the expected file: {sorted(extra)}"


def test_compute_command_prints_the_expected_json():
    path = EXAMPLES / "form7207_acme_2025.json"
    run = subprocess.run([sys.executable, "-m", "xlcredits", "compute", str(path)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    out = loads(run.stdout)
    assert out["form"] == "7207" and out["revision"] == "12-2025" and out["tax_year"] == 2025
    assert out["lines"] == load_json(path.with_name(path.stem + ".expected.json"))["lines"]
    assert out["findings"] == []
