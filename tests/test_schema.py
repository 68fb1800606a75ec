"""`xlcredits schema`: a JSON Schema that accepts every bundled example and every way of writing a field
that the README documents, describes every field, and enumerates Form 7207's lines and components."""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import jsonschema
import pytest

from conftest import EXAMPLES
from xlcredits.forms import by_slug, compute
from xlcredits.forms.f7207 import catalog
from xlcredits.schema import json_schema

SCHEMAS = {slug: json_schema(by_slug(slug)) for slug in ("7207", "nj306")}
EXAMPLE_FILES = sorted(p for p in EXAMPLES.glob("*.json") if not p.name.endswith(".expected.json"))


def form_of(path) -> str:
    return "7207" if path.name.startswith("form7207") else "nj306"


@pytest.mark.parametrize("slug", SCHEMAS)
def test_schema_is_a_valid_draft_2020_12_schema(slug):
    jsonschema.Draft202012Validator.check_schema(SCHEMAS[slug])


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.name)
def test_every_bundled_example_validates(path):
    jsonschema.validate(json.loads(path.read_text()), SCHEMAS[form_of(path)])


def every_property(schema):
    stack = [("", schema)]
    while stack:
        where, node = stack.pop()
        if isinstance(node, dict):
            for name, prop in (node.get("properties") or {}).items():
                yield f"{where}.{name}", prop
            stack.extend((where + "/" + k, v) for k, v in node.items() if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            stack.extend((where, v) for v in node)


@pytest.mark.parametrize("slug", SCHEMAS)
def test_every_field_has_a_description(slug):
    missing = [where for where, prop in every_property(SCHEMAS[slug]) if not prop.get("description")]
    assert missing == []


def test_component_names_and_lines_are_enumerated_with_their_meaning():
    component = SCHEMAS["7207"]["$defs"]["Component"]["properties"]
    names = component["component"]["anyOf"][0]["enum"]
    lines = component["line"]["anyOf"][0]["enum"]
    assert "solar_module" in names and "battery_cell" in names and len(names) == len(catalog.PRODUCT_LINES) == 22
    assert lines[:3] == ["1a", "1b", "1c"] and "2a" not in lines  # line 2a comes from Part III
    assert "1e = solar_module (Solar module" in component["line"]["description"]


# The ways of writing a value that the README documents: each validates, and computes.
DOCUMENTED = [
    ("7207", "tax_year", {"begins": "2025-07-01", "ends": "2026-06-30"}),
    ("7207", "tax_year", "2025"),
    ("7207", "facility.placed_in_service", "03/15/2023"),
    ("7207", "components.0.units", "1,000"),
    ("7207", "components.0.macr", "70%"),
    ("7207", "entity_type", "corporation"),
    ("nj306", "fixed_base_percentage", "3%"),
    ("nj306", "fixed_base_percentage", 0.03),
]


@pytest.mark.parametrize("slug,path,value", DOCUMENTED)
def test_documented_forms_of_a_value_validate_and_compute(slug, path, value):
    source = EXAMPLES / ("form7207_acme_2025.json" if slug == "7207" else "nj306_regular_2025.json")
    data = copy.deepcopy(json.loads(source.read_text()))
    *parents, last = path.split(".")
    target = data
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    target[last] = value
    jsonschema.validate(data, SCHEMAS[slug])
    assert compute(json.loads(json.dumps(data))).computed


def test_schema_rejects_what_the_program_rejects():
    data = json.loads((EXAMPLES / "form7207_acme_2025.json").read_text())
    data["components"][0]["capacity_per_unt"] = 5
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, SCHEMAS["7207"])


def test_schema_command_prints_the_same_schema():
    run = subprocess.run([sys.executable, "-m", "xlcredits", "schema", "7207"], capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 0 and json.loads(run.stdout) == json.loads(json.dumps(SCHEMAS["7207"]))
