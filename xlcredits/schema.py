"""`xlcredits schema`: the JSON Schema of a form's input, as the program reads it.

Built from the input model, then completed for the people and tools that use it: a tax year may
be written 2025 or {"begins", "ends"}; every field has a description; Form 7207's Part II lines
and component names are enumerated with their meaning.
"""

from __future__ import annotations

from typing import Any

from .limits import FIRST_YEAR, LAST_YEAR
from .messages import DATE_FORMATS

# Fields whose meaning is the same wherever they appear (the models describe the rest).
COMMON = {
    "form": "Which form this input is for",
    "tax_year": 'The tax year: 2025 for a calendar year, or {"begins": "2025-07-01", "ends": "2026-06-30"} '
                "for a fiscal year (52-53-week years up to 371 days)",
    "begins": f"First day of the tax year: {DATE_FORMATS}",
    "ends": f"Last day of the tax year: {DATE_FORMATS}",
    "filer": "Name and identifying number shown on the return",
    "facility": "Part I: the facility this Form 7207 is for (one form per facility)",
    "components": "Part II: one row per product sold (eligible component), by line or component name",
    "vessels": "Part III rows 1-49: related offshore wind vessels",
    "critical_minerals": "Part IV: costs incurred producing applicable critical minerals, by line 1-73",
    "metallurgical_coal": "Line 6b (Rev. 12-2025 and later): costs incurred producing metallurgical coal",
    "attestations": "Statements the filer makes about itself",
    "taxpayer": "Name and FEIN of the corporation",
    "qre": "This year's New Jersey qualified research expenses",
    "description": "Your description of the row (shown beside it in messages and on the workbook)",
    "name": "Name",
    "purpose": "Purpose of the vessel",
    "official_number": "Official number of the vessel",
    "costs": "Costs incurred (dollars)",
    "sales_price": "Sales price (dollars)",
    "produced_year": "Calendar year produced (default: the year the tax year ends)",
    "sold_year": "Calendar year sold (default: the year the tax year ends)",
    "macr": 'Material assistance cost ratio, a fraction 0 to 1 (0.65, or "65%")',
    "period_years": "Carryover period in years",
}


def _walk(node: Any, visit) -> None:
    if isinstance(node, dict):
        visit(node)
        for value in node.values():
            _walk(value, visit)
    elif isinstance(node, list):
        for value in node:
            _walk(value, visit)


def _describe_properties(schema: dict) -> None:
    def visit(node: dict) -> None:
        for name, prop in (node.get("properties") or {}).items():
            if isinstance(prop, dict) and not prop.get("description"):
                prop["description"] = COMMON.get(name) or prop.get("title") or name.replace("_", " ")
    _walk(schema, visit)


def _tax_year(schema: dict) -> None:
    """The model turns 2025 into {begins, ends} before checking: the schema accepts both."""
    def visit(node: dict) -> None:
        for name, prop in (node.get("properties") or {}).items():
            if prop.get("$ref", "").endswith("/TaxYear"):
                node["properties"][name] = {
                    "description": prop.get("description") or COMMON["tax_year"],
                    "anyOf": [{"type": "integer", "minimum": FIRST_YEAR, "maximum": LAST_YEAR},
                              {"type": "string", "pattern": r"^\s*\d{4}\s*$"},
                              {"$ref": prop["$ref"]}]}
    _walk(schema, visit)


def _dates(schema: dict) -> None:
    """Dates may be written MM/DD/YYYY as well as ISO (messages.read_date)."""
    def visit(node: dict) -> None:
        if node.get("format") == "date" and node.get("type") == "string":
            node.pop("format")
            node["pattern"] = r"^\s*(\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{4})\s*$"
    _walk(schema, visit)


def _product_lines(schema: dict) -> None:
    from .forms.f7207 import catalog

    entries = [catalog.PART_II[k] for k in catalog.PRODUCT_LINES]
    meaning = "; ".join(f"{e.line} = {e.component} ({e.label}, measured in {e.unit_text})" for e in entries)
    component = schema.get("$defs", {}).get("Component", {}).get("properties", {})
    if not component:
        return
    for name, values in (("line", [e.line for e in entries]), ("component", [e.component for e in entries])):
        prop = component.get(name)
        if prop is None:
            continue
        base = prop.get("description", "")
        component[name] = {"description": f"{base}. Lines and components: {meaning}",
                           "anyOf": [{"type": "string", "enum": values}, {"type": "null"}],
                           "default": None}


def json_schema(info) -> dict:
    schema = info.model.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["description"] = f"The input of {info.title} for xlcredits (`xlcredits compute`, `xlcredits fill`)."
    _tax_year(schema)
    _dates(schema)
    _product_lines(schema)
    _describe_properties(schema)
    return schema
