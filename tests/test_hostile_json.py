"""Hostile and broken JSON input: thousands of cases through `compute`, hundreds through `fill`; every
one either computes or returns blocking findings that name a field, and none raises or hangs.
`fill` writes a complete workbook or nothing: never a partial file, never a leftover temporary one.

Two sources of cases: random mutations of the bundled examples (wrong types, negative numbers,
NaN/Infinity, huge and tiny numbers, missing fields, unknown lines, text in numeric fields,
unicode, very long strings), and hypothesis-generated values in every field.
"""

import copy
import random
import time
import zipfile
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import EXAMPLES, load_json
from xlcredits.cli import main
from xlcredits.forms import compute
from xlcredits.jsonio import dumps
from xlcredits.workbook.files import fill_data
from xlcredits.workbook.writer import WorkbookError

EXAMPLE_INPUTS = [load_json(p) for p in sorted(EXAMPLES.glob("*.json")) if not p.name.endswith(".expected.json")]

NASTY = [
    None, True, False, -1, -0.01, 0, Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity"), float("nan"),
    float("inf"), 10**30, Decimal("1e-999999"), Decimal("1E+999999"), "", "abc", "1,000", "12e3", " 42 ",
    "=HYPERLINK(\"http://x\")", "+1+1", "@SUM(A1)", "-2+3", "\u202eevil\u0000", "😀" * 50, "x" * 100_000,
    [], [1, 2], {}, {"a": 1}, 2.5, 2025.0, "2025", "9z", "NJ-306", "7207", 10**6, -10**6,
]


def paths(value, prefix=()):
    """Every (path) to a dict value or list item inside value."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield prefix + (k,)
            yield from paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield prefix + (i,)
            yield from paths(v, prefix + (i,))


def mutate(data, rng):
    data = copy.deepcopy(data)
    for _ in range(rng.randint(1, 4)):
        all_paths = list(paths(data))
        if not all_paths:
            break
        path = rng.choice(all_paths)
        parent = data
        for p in path[:-1]:
            parent = parent[p]
        key = path[-1]
        action = rng.random()
        if action < 0.7:
            parent[key] = copy.deepcopy(rng.choice(NASTY))
        elif action < 0.85:
            del parent[key]
        elif isinstance(parent, dict):
            parent[rng.choice(["unknown", "line", "units", "costs", "form"])] = copy.deepcopy(rng.choice(NASTY))
    return data


def check(data):
    start = time.perf_counter()
    result = compute(data)
    elapsed = time.perf_counter() - start
    assert elapsed < 5, f"compute took {elapsed:.1f} s"
    if not result.computed:
        blocking = [f for f in result.findings if f.blocking]
        assert blocking and all(f.where and f.message for f in blocking)
        assert result.lines == {}
    else:
        assert result.lines
    dumps(result.to_json())  # the output always serialises


def test_mutated_examples_never_crash():
    rng = random.Random(7207306)
    count = 0
    for _ in range(1500):
        for example in EXAMPLE_INPUTS:
            check(mutate(example, rng))
            count += 1
    assert count == 1500 * len(EXAMPLE_INPUTS)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30) | st.sampled_from(NASTY[:25])
    | st.decimals(allow_nan=True, allow_infinity=True),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
FIELDS_7207 = ["tax_year", "filer", "facility", "components", "vessels", "critical_minerals", "metallurgical_coal",
               "passthrough_credit", "allocated_to_beneficiaries", "attestations", "entity_type"]
FIELDS_NJ = ["tax_year", "taxpayer", "return_type", "federal_method", "qre", "prior_year_qres", "carryforward",
             "fixed_base_percentage", "startup", "average_gross_receipts", "tax_liability", "nj_gross_receipts",
             "other_credits", "combined", "minimum_tax", "group_payroll", "period_months", "base_period_amount"]


@settings(max_examples=700, deadline=None)
@given(st.sampled_from(["7207", "NJ-306"]), st.data())
def test_generated_values_in_every_field_never_crash(form, data):
    fields = FIELDS_7207 if form == "7207" else FIELDS_NJ
    chosen = data.draw(st.lists(st.sampled_from(fields), max_size=5, unique=True))
    case = {"form": form, "tax_year": 2025}
    for field in chosen:
        case[field] = data.draw(json_values)
    check(case)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.fixed_dictionaries({}, optional={
    "line": st.sampled_from(["1a", "1e", "2a", "3d", "4a", "5b", "6a", "zz", "", " 1E "]) | st.text(max_size=5),
    "component": st.text(max_size=12) | st.sampled_from(["solar_module", "Blade", "nacelle"]),
    "units": json_values, "capacity_per_unit": json_values, "quantity": json_values, "costs": json_values,
    "sold_year": json_values, "produced_year": json_values, "macr": json_values,
    "max_discharge_kw_per_unit": json_values,
}), max_size=4))
def test_generated_component_rows_never_crash(rows):
    check({"form": "7207", "tax_year": 2026, "components": rows})


# --- the same through `fill`: a complete workbook or a sentence, never a partial file -------------

def check_fill(data, folder, name):
    out = folder / f"{name}.xlsx"
    start = time.perf_counter()
    try:
        _, result = fill_data(data, out)
    except WorkbookError as exc:  # cannot be laid out at all (no form, too many rows): a sentence, no file
        assert str(exc) and "\n" not in str(exc) and "Traceback" not in str(exc)
        assert not out.exists()
    else:
        if not result.computed:
            blocking = [f for f in result.findings if f.blocking]
            assert blocking and all(f.where and f.message for f in blocking)
        with zipfile.ZipFile(out) as z:  # complete: every part's CRC checks
            assert z.testzip() is None and "xl/workbook.xml" in z.namelist()
        out.unlink()
    assert time.perf_counter() - start < 10
    assert not list(folder.iterdir()), "a temporary or partial file was left behind"


def test_fill_mutated_examples_never_crash(tmp_path):
    rng = random.Random(45306)
    for i in range(60):
        for j, example in enumerate(EXAMPLE_INPUTS):
            check_fill(mutate(example, rng), tmp_path, f"m{i}-{j}")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(["7207", "NJ-306"]), st.data())
def test_fill_generated_values_never_crash(tmp_path_factory, form, data):
    fields = FIELDS_7207 if form == "7207" else FIELDS_NJ
    chosen = data.draw(st.lists(st.sampled_from(fields), max_size=5, unique=True))
    case = {"form": form, "tax_year": data.draw(st.sampled_from([2025, 2030, "2026", None, -1, 10**9]))}
    for field in chosen:
        case[field] = data.draw(json_values)
    check_fill(case, tmp_path_factory.mktemp("fill"), "generated")


@pytest.mark.parametrize("seed", range(30))
def test_fill_command_on_mutated_json_files(tmp_path, capsys, seed):
    """The CLI end to end: exit 0/1 with a workbook, or 2 with one sentence and no file; no traceback."""
    rng = random.Random(seed)
    example = EXAMPLE_INPUTS[seed % len(EXAMPLE_INPUTS)]
    src, out = tmp_path / "in.json", tmp_path / "out.xlsx"
    src.write_text(dumps(mutate(example, rng)), encoding="utf-8")
    code = main(["fill", str(src), "-o", str(out)])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    if code == 2:
        assert not out.exists() and captured.err.startswith("xlcredits: ") and captured.err.count("\n") == 1
    else:
        assert code in (0, 1) and out.exists() and captured.out.startswith(f"wrote {out}")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["in.json"] + (["out.xlsx"] if code != 2 else []))
