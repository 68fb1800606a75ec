"""Runs the reviewer-readable NJ-306 cases in tests/cases_nj306.json: each lists its input, every
non-zero line (all others must be 0 or blank), its findings and its citations."""

import json
from decimal import Decimal
from pathlib import Path

import pytest

from xlcredits.forms.nj306 import catalog
from xlcredits.forms.nj306.compute import compute

FILE = Path(__file__).with_name("cases_nj306.json")
DATA = json.loads(FILE.read_text(encoding="utf-8"))


def _input(case: dict) -> dict:
    data = {**DATA["defaults"], **case["input"]}
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.parametrize("case", DATA["cases"], ids=[c["name"] for c in DATA["cases"]])
def test_case(case):
    result = compute(_input(case))
    assert result.computed, [f.message for f in result.findings]
    non_zero = {k: v for k, v in result.lines.items() if v}
    assert non_zero == {k: Decimal(v) for k, v in case["lines"].items()}
    assert [{"severity": f.severity, "where": f.where} for f in result.findings] == case["findings"]


def test_every_case_cites_its_source_and_decisions_exist():
    for case in DATA["cases"]:
        assert case["cites"], case["name"]
        for cite in case["cites"]:
            if cite.startswith("NJ306-"):
                assert catalog.decision(cite)["rule"], cite
