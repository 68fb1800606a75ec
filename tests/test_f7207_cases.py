"""Runs the reviewer-readable Form 7207 cases in tests/cases_f7207.json: the input, the non-zero
lines (every other line must be 0 or blank), the findings and the statements, all typed by hand."""

import json
from decimal import Decimal
from pathlib import Path

import pytest

from xlcredits.forms.f7207.compute import compute

CASES = json.loads((Path(__file__).parent / "cases_f7207.json").read_text(encoding="utf-8"))["cases"]


def _dec(mapping: dict) -> dict:
    return {k: (Decimal(v) if isinstance(v, str) and k not in ("row", "line", "year_basis", "citation") else v)
            for k, v in mapping.items()}


@pytest.mark.parametrize("case", CASES, ids=[c["name"][:60] for c in CASES])
def test_case(case):
    assert case.get("cites"), "every case names its source"
    result = compute(case["input"])
    assert result.computed == case.get("computed", True), [f.message for f in result.findings]
    found = sorted((f.severity, f.where) for f in result.findings)
    assert found == sorted(tuple(f) for f in case["findings"]), [f.message for f in result.findings]
    if not result.computed:
        return
    expected = {k: Decimal(v) for k, v in case["lines"].items()}
    for key, value in result.lines.items():
        assert value == expected.get(key, value if not value else Decimal(0)), (key, value)
    for key, value in expected.items():
        assert result.lines[key] == value, (key, result.lines[key], value)
    if "excluded" in case:
        got = [{k: e[k] for k in want} for e, want in zip(result.excluded, case["excluded"])]
        assert got == [_dec(w) for w in case["excluded"]] and len(result.excluded) == len(case["excluded"])
    if "phase_out" in case:
        assert result.phase_out == [_dec(p) for p in case["phase_out"]]
