"""The mistakes preparers make, as data: each names the input, the change a preparer made, where the
message must point and what it must say is expected. Every message is checked against the deny-list
of library vocabulary, and must name its place once (no "x: x:" repetition).

Then the inputs written the way preparers write them ("7%", "1,000", 03/15/2023, "Corporation"):
accepted, and computed to the same numbers as the canonical form.
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys

import pytest

from conftest import EXAMPLES, load_json
from xlcredits.forms import compute
from xlcredits.messages import DENY_LIST, render

F7207 = load_json(EXAMPLES / "form7207_acme_2025.json")
NJ306 = load_json(EXAMPLES / "nj306_regular_2025.json")
BASES = {"7207": F7207, "nj306": NJ306}
DELETE = object()
ROW1 = "(components row 1 — Thin-film PV cell, 100 W)"  # how row 1 of the example is named


def changed(base: str, path: str, value):
    """A copy of the example with `path` ("components.0.units") set to `value` (or removed)."""
    data = copy.deepcopy(BASES[base])
    *parents, last = path.split(".")
    target = data
    for part in parents:
        target = target[int(part)] if part.isdigit() else target.setdefault(part, {})
    if value is DELETE:
        del target[int(last) if last.isdigit() else last]
    elif isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    return data


# (id, form, path, value typed, where the message must point, what it must say) — each from the issue's
# first-hour report or a mistake seen on real returns.
MISTAKES = [
    ("fiscal-year-label", "7207", "tax_year", "FY2025", "tax_year", 'a year such as 2025'),
    ("two-digit-tax-year", "7207", "tax_year", 25, "tax_year", "Write all four digits, e.g. 2025"),
    ("tax-year-bool", "7207", "tax_year", True, "tax_year", "a year such as 2025"),
    ("fiscal-year-backwards", "7207", "tax_year", {"begins": "2025-07-01", "ends": "2024-06-30"}, "tax_year",
     "expected the first and the last day"),
    ("fiscal-year-missing-end", "7207", "tax_year", {"begins": "2025-07-01"}, "tax_year.ends",
     "ends is required"),
    ("day-first-date", "7207", "facility.placed_in_service", "15/03/2023", "facility.placed_in_service",
     "MM/DD/YYYY"),
    ("date-words", "7207", "facility.placed_in_service", "March 2023", "facility.placed_in_service",
     "YYYY-MM-DD"),
    ("true-for-units", "7207", "components.0.units", True, f"components[0].units {ROW1}",
     "expected a number, 0 or more"),
    ("text-for-units", "7207", "components.0.units", "abc", f"components[0].units {ROW1}",
     "not a number; expected a number"),
    ("european-decimal", "7207", "components.0.units", "1.000,5", f"components[0].units {ROW1}",
     "commas only between thousands"),
    ("negative-units", "7207", "components.0.units", -5, f"components[0].units {ROW1}", "0 or more"),
    ("excel-error", "7207", "components.0.units", "#DIV/0!", f"components[0].units {ROW1}",
     "correct the formula"),
    ("unknown-line", "7207", "components.0.line", "1z", f"components[0].line {ROW1}",
     "Expected a line number or component name: 1a pv_cell"),
    ("misspelt-component", "7207", "components.2.component", "solar_modul", "components[2].component",
     'Did you mean line 1e, "solar_module"'),
    ("missing-capacity", "7207", "components.0.capacity_per_unit", DELETE,
     f"components[0].capacity_per_unit {ROW1}", "required for line 1a"),
    ("misspelt-field", "7207", "components.0.capacity_per_unt", 100, f"components[0].capacity_per_unt {ROW1}",
     'Did you mean "capacity_per_unit"'),
    ("line-and-component", "7207", "components.0.component", "pv_cell", f"components[0] {ROW1}",
     'either "line"'),
    ("year-out-of-range", "7207", "components.0.sold_year", 2200, f"components[0].sold_year {ROW1}",
     "a four-digit year from 1,980 to 2,100"),
    ("latitude-out-of-range", "7207", "facility.latitude", 134, "facility.latitude", "from -90 to 90"),
    ("macr-as-percent-number", "7207", "components.0.macr", 65, f"components[0].macr {ROW1}",
     'If you mean 65%, write 0.65 or "65%"'),
    ("components-not-a-list", "7207", "components", "solar modules", "components", "a list of rows"),
    ("filer-as-text", "7207", "filer", "Acme", "filer", "an object { ... } with the fields name, tin"),
    ("dollar-sign", "7207", "passthrough_credit", "$1,000", "passthrough_credit", "Leave out the $ sign"),
    ("entity-type-unknown", "7207", "entity_type", "corp", "entity_type", 'one of "corporation"'),
    ("yes-no-word", "7207", "facility.related_person_election", "maybe", "facility.related_person_election",
     "true or false"),
    ("description-too-long", "7207", "components.0.description", "x" * 600, "components[0].description",
     "longer than 500 characters"),
    ("mineral-line-out-of-range", "7207", "critical_minerals.0.line", 80, "critical_minerals[0].line",
     "from 1 to 73"),
    ("mineral-missing-costs", "7207", "critical_minerals.0.costs", DELETE,
     "critical_minerals[0].costs (critical_minerals row 1 — Lithium hydroxide)", "costs is required"),
    ("vessel-missing-price", "7207", "vessels", [{"name": "Sea Lift 1"}],
     "vessels[0].sales_price (vessels row 1 — Sea Lift 1)", "sales_price is required: expected an amount"),
    ("unknown-form", "7207", "form", "7027", "form", 'xlcredits prepares "7207", "NJ-306"'),
    ("fixed-base-as-percent-number", "nj306", "fixed_base_percentage", 7, "fixed_base_percentage",
     'If you mean 7%, write 0.07 or "7%"'),
    ("return-type-typo", "nj306", "return_type", "CBT-101", "return_type", 'Did you mean "CBT-100"'),
    ("too-many-cents", "nj306", "qre.wages", "12.345", "qre.wages", "more than 2 decimal places"),
    ("thirteen-months", "nj306", "period_months", 13, "period_months", "a whole number from 1 to 12"),
    ("carryover-period", "nj306", "carryforward", [{"year_earned": 2020, "amount": 100, "period_years": 10}],
     "carryforward[0].period_years", 'one of 7, 15'),
    ("prior-qres-two-years", "nj306", "prior_year_qres", [100, 200], "prior_year_qres", "at least 3"),
]


def findings_of(data):
    result = compute(json.loads(json.dumps(data, default=str), parse_float=__import__("decimal").Decimal))
    return result, [render(f, data) for f in result.findings if f.severity == "error"]


def assert_plain_words(text: str) -> None:
    for word in DENY_LIST:
        assert word.lower() not in text.lower(), f"library word {word!r} in: {text}"


@pytest.mark.parametrize("case", MISTAKES, ids=[m[0] for m in MISTAKES])
def test_mistake_names_the_place_and_what_is_expected(case):
    _, form, path, value, place, expected = case
    result, errors = findings_of(changed(form, path, value))
    assert errors, f"{case[0]}: no error for {value!r} at {path}"
    # the place comes first, right after the severity: "ERROR    components[0].units (components row 1 — ...): ..."
    matching = [e for e in errors if re.match(rf"ERROR +{re.escape(place)}[: (]", e)]
    assert matching, f"no error at {place!r}: {errors}"
    text = matching[0]
    assert expected in text, text
    assert_plain_words(text)
    where = place.split(" (")[0]
    assert text.count(f"{where}:") <= 1 and f"{where}: {where}" not in text, text


def test_there_are_at_least_thirty_mistakes():
    assert len(MISTAKES) >= 30


# --- written the way preparers write them: accepted, same numbers ----------------------------------

ACCEPTED = [
    ("7207", "facility.placed_in_service", "03/15/2023", "2023-03-15"),
    ("7207", "entity_type", "Corporation", "corporation"),
    ("7207", "entity_type", "S Corporation", "s_corporation"),
    ("7207", "components.0.units", "1,000", 1000),
    ("7207", "components.8.units", " 50 ", 50),
    ("7207", "components.0.macr", "70%", "0.70"),
    ("7207", "critical_minerals.0.costs", "1,000,000.00", "1000000.00"),
    ("7207", "tax_year", "2025", 2025),
    ("7207", "tax_year", {"begins": "01/01/2025", "ends": "12/31/2025"}, 2025),
    ("nj306", "fixed_base_percentage", "3%", "0.03"),
    ("nj306", "return_type", "cbt100", "CBT-100"),
    ("nj306", "federal_method", "Regular", "regular"),
    ("nj306", "qre.wages", "2,000,000", 2000000),
]


@pytest.mark.parametrize("case", ACCEPTED, ids=[f"{c[1]}={c[2]}" for c in ACCEPTED])
def test_written_as_preparers_write_it(case):
    form, path, typed, canonical = case
    as_typed, errors = findings_of(changed(form, path, typed))
    assert not errors, errors
    as_canonical, _ = findings_of(changed(form, path, canonical))
    assert as_typed.lines == as_canonical.lines


def test_a_blank_form_says_what_is_missing():
    for data, needle in (({"form": "7207", "tax_year": 2025}, "no product rows"),
                         ({"form": "NJ-306", "tax_year": 2025, "return_type": "CBT-100"}, "no qualified research")):
        result, errors = findings_of(data)
        assert any(e.startswith("ERROR") and "Nothing to compute" in e and needle in e for e in errors), errors


# --- the command line: the place once, the file once -----------------------------------------------

def xlcredits(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "xlcredits", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=120)


def test_missing_file_is_named_once(tmp_path):
    run = xlcredits("compute", "nonexistent.json", "--format", "text", cwd=tmp_path)
    assert run.returncode == 1
    assert run.stdout.count("nonexistent.json") == 1 and "nonexistent.json: no such file" in run.stdout
    assert_plain_words(run.stdout + run.stderr)


def test_text_output_names_row_and_expected(tmp_path):
    data = changed("7207", "components.0.units", "abc")
    (tmp_path / "in.json").write_text(json.dumps(data, default=str))
    run = xlcredits("compute", "in.json", "--format", "text", cwd=tmp_path)
    assert run.returncode == 1
    flat = re.sub(r"\s+", " ", run.stdout)
    assert f'components[0].units {ROW1}: units is "abc", not a number; expected a number, 0 or more' in flat
    assert_plain_words(run.stdout + run.stderr)


@pytest.mark.parametrize("path,value,cell,expected", [
    ("components.1.units", "abc", "Products!", 'units is "abc", not a number'),
    ("components.1.macr", 65, "Products!", 'If you mean 65%, write 0.65 or "65%"'),
    ("facility.placed_in_service", "15/03/2023", "", "MM/DD/YYYY"),
])
def test_workbook_problems_name_the_cell(tmp_path, path, value, cell, expected):
    """A typed-in workbook: the terminal names the cell in A1 terms and the sheet row with its description."""
    from xlcredits.workbook.files import fill_book
    from xlcredits.workbook.writer import save

    data = changed("7207", path, value)
    book, _, _ = fill_book(data)  # the workbook as a preparer would have typed it, mistake included
    save(book, tmp_path / "typed.xlsx")
    run = xlcredits("fill", "typed.xlsx", "-o", "done.xlsx", cwd=tmp_path)
    assert run.returncode == 1, run.stdout + run.stderr
    errors = [line for line in run.stdout.splitlines() if line.strip().startswith("ERROR")]
    assert errors, run.stdout
    text = next(e for e in errors if expected in e)
    if cell:
        assert re.search(r"Products!\w+\d+ \(Products row \d+ — Crystalline PV cell, 200 W\): ", text), text
        assert "components[" not in text
    else:
        # a cell address and the form's words for it
        assert re.search(r"'?[\w ]+'?!\$?[A-Z]+\$?\d+ \(line 2: Date facility placed in service\): ", text), text
    assert_plain_words(run.stdout + run.stderr)


def test_json_output_findings_carry_the_place_with_row_and_description(tmp_path):
    data = changed("7207", "components.0.units", "abc")
    (tmp_path / "in.json").write_text(json.dumps(data, default=str))
    run = xlcredits("compute", "in.json", cwd=tmp_path)
    finding = json.loads(run.stdout)["findings"][0]
    assert finding["where"] == "components[0].units"  # the JSON path, for programs
    assert finding["place"] == f"components[0].units {ROW1}"  # for people: row from 1, its description


def every_path(data, prefix=""):
    if isinstance(data, dict):
        for key, value in data.items():
            yield from every_path(value, f"{prefix}{key}.")
    elif isinstance(data, list):
        for index, value in enumerate(data[:2]):
            yield from every_path(value, f"{prefix}{index}.")
    if prefix:
        yield prefix.rstrip(".")


BAD_VALUES = [True, "abc", -1, "1e999", None, [], {"x": 1}, "NaN", "12/31", 10**20]


@pytest.mark.parametrize("form", ["7207", "nj306"])
def test_any_bad_value_anywhere_is_said_in_plain_words_with_what_is_expected(form):
    """Every field of the example, every kind of wrong value: no library words, and the message says what
    is expected (or what to do)."""
    said = ("expected", "Expected", "required", "Write", "write", "Did you mean", "either", "Enter", "give ",
            "belong", "use ", "Use ", "only", "needs")
    checked = 0
    for path in sorted(set(every_path(BASES[form]))):
        if path == "form":
            continue
        for value in BAD_VALUES:
            result, errors = findings_of(changed(form, path, value))
            for text in errors:
                assert_plain_words(text)
                assert any(word in text for word in said), text
                checked += 1
    assert checked > 200
