"""The fast path for long product schedules (forms/f7207/fastrows.py: rows read without pydantic,
judged once per set of facts, and a quiet row's judged columns shared with later rows of the same
facts) gives exactly what the full path gives: every row's every column, as written (repr), every
line and finding.

The full path is forced by turning the fast row reader off (`fast_rows_apply`), so pydantic reads
every row and each row is judged on its own (issue 17)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from xlcredits.forms import compute
from xlcredits.forms.f7207 import compute as f7207_compute
from xlcredits.jsonio import loads

# Rows that repeat with the same facts (the fast paths' case) and rows that differ: years that
# phase the credit out (2030 and later sold), MACR, sizes as typed (400 and 400.0), a size that is
# implausible (a unit slip warning on every such row), blank years, a row sold before it was
# produced, an ineligible one, a battery capped by its discharge power, a component by name.
ROWS = [
    {"line": "1e", "description": "Module 400 W", "units": 10, "capacity_per_unit": 400},
    {"line": "1e", "description": "Module 400 W", "units": 11, "capacity_per_unit": 400},
    {"line": "1e", "description": "Module 400.0 W", "units": 12, "capacity_per_unit": 400.0},
    {"line": "1E", "description": "Module upper-case line", "units": 13, "capacity_per_unit": 400},
    {"line": "1e", "description": "", "units": 14, "capacity_per_unit": 400},
    {"line": "1e", "description": "Module kW slip", "units": 3, "capacity_per_unit": 0.4},
    {"line": "1e", "description": "Module kW slip", "units": 4, "capacity_per_unit": 0.4},
    {"line": "1c", "description": "Polysilicon", "quantity": 1234.567},
    {"line": "1c", "description": "Polysilicon", "quantity": 7},
    {"line": "1c", "description": "Polysilicon macr", "quantity": 100, "macr": 0.25},
    {"line": "1c", "description": "Polysilicon macr", "quantity": 200, "macr": 0.25},
    {"line": "3d", "description": "Inverter", "units": 5, "capacity_per_unit": 7600, "sold_year": "{year}",
     "produced_year": "{year}"},
    {"line": "3d", "description": "Inverter", "units": 6, "capacity_per_unit": 7600, "sold_year": "{year}",
     "produced_year": "{year}"},
    {"line": "3d", "description": "Inverter backwards", "units": 6, "capacity_per_unit": 7600, "sold_year": "{year}",
     "produced_year": "{next}"},
    {"line": "3d", "description": "Inverter backwards", "units": 7, "capacity_per_unit": 7600, "sold_year": "{year}",
     "produced_year": "{next}"},
    {"line": "5a", "description": "Cell", "units": 100, "capacity_per_unit": 0.3},
    {"line": "5a", "description": "Cell", "units": 101, "capacity_per_unit": 0.3},
    {"line": "5b", "description": "Battery module capped", "units": 2, "capacity_per_unit": 50,
     "max_discharge_kw_per_unit": 0.25},
    {"line": "5b", "description": "Battery module capped", "units": 3, "capacity_per_unit": 50,
     "max_discharge_kw_per_unit": 0.25},
    {"component": "solar_module", "description": "By name", "units": 2, "capacity_per_unit": 435},
    {"line": "1f", "description": "Torque tube", "quantity": 50},
    {"line": "1f", "description": "Torque tube", "quantity": 60},
]


def _rows(year: int, macr: float | None) -> list[dict]:
    """ROWS with the years given filled in (`year` and the year after), and `macr` where none is given."""
    filled = {"{year}": year, "{next}": year + 1}
    rows = [{key: filled.get(value, value) if isinstance(value, str) else value for key, value in row.items()}
            for row in ROWS]
    return [row if macr is None or "macr" in row else {**row, "macr": macr} for row in rows]


def _return(rows: list[dict], tax_year) -> dict:
    return {"form": "7207", "tax_year": tax_year, "entity_type": "corporation",
            "filer": {"name": "Fast Rows Inc.", "tin": "12-3456789"},
            "facility": {"registration_number": "AMP-2025-000001", "address": "1 Way"},
            "attestations": {"prohibited_foreign_entity": False},
            "components": rows}


def _everything(result) -> str:
    rows = {schedule: [{key: repr(value) for key, value in row.items()} for row in rows]
            for schedule, rows in result.rows.items()}
    return repr((result.to_json(), rows, list(result.explanations.items()) if result.lines else None))


# 2031 and 2033: the sold-year phase-out at 50% and 0%, and the MACR rules (missing, then met)
@pytest.mark.parametrize("tax_year, macr", [(2025, None), (2031, None), (2031, 0.9), (2033, 0.9)])
def test_fast_and_full_paths_give_the_same_result_to_the_character(tax_year, macr, monkeypatch):
    text = json.dumps(_return(_rows(tax_year, macr) * 3, tax_year))
    fast = compute(loads(text))
    assert fast.texts_checked == ("components",)  # the fast reader took these rows
    monkeypatch.setattr(f7207_compute, "fast_rows_apply", lambda rows: False)
    full = compute(loads(text))
    assert full.texts_checked == ()
    assert _everything(fast) == _everything(full)


def test_an_excel_error_text_in_a_row_is_named_whichever_path_reads_it():
    rows = [dict(ROWS[0]), dict(ROWS[1], description=" #ref! ")]  # no years in these two
    result = compute(loads(json.dumps(_return(rows, 2025))))
    assert [(f.where, f.message) for f in result.findings if f.where == "components[1].description"] == [
        ("components[1].description", "components[1].description holds the Excel error text #REF!: type the real "
                                      "value (a formula or a pasted cell gave the error)")]
    assert result.lines["1e.d"] == Decimal(21 * 400)


# Rows that repeat the facts of an earlier quiet row (the fast pass's plan) but differ in a way the
# plan must not hide: a blank amount, a field the plan does not read, the same size typed another
# way, text where a number belongs, an Excel error value, a year typed as a decimal or as true.
# Each is appended after the usual rows; `fast` says whether the fast reader still takes the rows.
LATE_ROWS = [
    ({"line": "1e", "description": "Module 400 W", "units": None, "capacity_per_unit": 400}, True),
    ({"line": "1e", "description": "Module 400 W", "units": 5, "capacity_per_unit": 400,
      "wafer_area_cm2": None}, True),
    ({"line": "1e", "units": 5, "capacity_per_unit": 400}, True),
    ({"line": "1e", "description": "Module 400 W", "units": 5, "capacity_per_unit": 400.00}, True),
    ({"line": "1e", "description": "Module 400 W", "units": 5, "capacity_per_unit": True}, False),
    ({"line": "1e", "description": "Module 400 W", "units": "5", "capacity_per_unit": 400}, False),
    ({"line": "1e", "description": "#N/A", "units": 5, "capacity_per_unit": 400}, False),
    ({"line": "1c", "description": "Polysilicon", "quantity": 7.1234567}, False),
    ({"line": "3d", "description": "Inverter", "units": 6, "capacity_per_unit": 7600, "sold_year": 2025.0,
      "produced_year": 2025}, False),
    ({"line": "3d", "description": "Inverter", "units": 6, "capacity_per_unit": 7600, "sold_year": True,
      "produced_year": 2025}, False),
    ({"line": "1e", "description": "Module 400 W", "units": 5, "capacity_per_unit": 400, "colour": "blue"}, False),
    (5, False),
    (["1e", 5, 400], False),
    ({"line": "1e", "description": "Module 400 W", "units": 5, "capacity_per_unit": {"W": 400}}, False),
    ({"line": ["1e"], "description": "Module 400 W", "units": 5, "capacity_per_unit": 400}, False),
]


@pytest.mark.parametrize("late, fast_reader", LATE_ROWS)
def test_a_row_repeating_a_planned_rows_facts_is_read_as_the_full_path_reads_it(late, fast_reader, monkeypatch):
    rows = _rows(2025, None) * 2 + [late] + _rows(2025, None)[:3]
    text = json.dumps(_return(rows, 2025))
    fast = compute(loads(text))
    assert fast.texts_checked == (("components",) if fast_reader else ())
    monkeypatch.setattr(f7207_compute, "fast_rows_apply", lambda rows: False)
    full = compute(loads(text))
    assert _everything(fast) == _everything(full)


def test_a_blank_amount_on_a_row_with_planned_facts_is_named_at_that_row():
    """Line 1e is measured in units × capacity (26 U.S.C. 45X(b)(1)(B)): a later row with the same
    facts as a quiet one but no units is refused at its own place, not computed from the plan."""
    rows = [{"line": "1e", "description": "Module 400 W", "units": 10, "capacity_per_unit": 400},
            {"line": "1e", "description": "Module 400 W", "units": None, "capacity_per_unit": 400}]
    result = compute(loads(json.dumps(_return(rows, 2025))))
    assert [(f.where, f.blocking) for f in result.findings if f.severity == "error"] == [
        ("components[1].units", True)]


def test_computing_leaves_the_collector_as_it_found_it():
    """compute turns Python's cycle collector off while it works and, for a large return, moves what
    it built among the old objects: afterwards the collector is on again, nothing is left frozen,
    and objects a caller froze itself stay frozen."""
    import gc

    from xlcredits.bench import generated_return

    large = json.dumps(generated_return(6000))
    assert gc.isenabled()
    assert compute(loads(large)).computed
    assert gc.isenabled() and gc.get_freeze_count() == 0
    marker = [object()]  # frozen by the caller: outside every generation the collector walks
    gc.freeze()
    try:
        assert not any(o is marker for o in gc.get_objects())
        assert compute(loads(large)).computed
        assert gc.isenabled() and gc.get_freeze_count() > 0
        assert not any(o is marker for o in gc.get_objects())  # still frozen
    finally:
        gc.unfreeze()
    assert any(o is marker for o in gc.get_objects())
