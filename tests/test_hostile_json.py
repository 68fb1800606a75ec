"""Hostile and broken JSON input: thousands of cases through `compute`; every one either computes or
returns blocking findings that name a field, and none raises or hangs.

Two sources of cases: random mutations of the bundled examples (wrong types, negative numbers,
NaN/Infinity, huge and tiny numbers, missing fields, unknown lines, text in numeric fields,
unicode, very long strings), and hypothesis-generated values in every field.
"""

import copy
import random
import time
from decimal import Decimal

from hypothesis import given, settings, strategies as st

from conftest import EXAMPLES, load_json
from xlcredits.forms import compute
from xlcredits.jsonio import dumps

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
