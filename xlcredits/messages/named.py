"""Messages the engine asks for by name, and the command line's refusals and fill findings."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from .places import render, workbook_places
from .problems import closest, shown


# --- messages the engine asks for by name -----------------------------------------------------------

def unknown_product_line(field: str, value: Any) -> str:
    """An unknown Form 7207 Part II line or component name, with the closest one and the full list."""
    from ..forms.f7207 import catalog

    entries = [catalog.PART_II[k] for k in catalog.PRODUCT_LINES]
    names = {e.line: e for e in entries} | {e.component: e for e in entries}
    near = closest(catalog.normalise_name(value), names)
    hint = ""
    if near:
        e = names[near]
        hint = f' Did you mean line {e.line}, "{e.component}" ({e.label})?'
    listing = "; ".join(f"{e.line} {e.component}" for e in entries)
    return (f"{field} is {shown(value)}, not a Form 7207 Part II line or component.{hint} Expected a line "
            f"number or component name: {listing}.")


NOTHING = "Nothing to compute"


def nothing_to_compute(data: Any) -> str | None:
    """A sentence naming what is missing when a parsed input has nothing the form can compute
    (an untouched blank form, an intake row without amounts), else None."""
    if not isinstance(data, dict):
        return None
    form = str(data.get("form", "")).strip().upper()
    if form == "7207":
        rows = [data.get(k) for k in ("components", "vessels", "critical_minerals", "metallurgical_coal")]
        if any(isinstance(r, list) and r for r in rows) or _nonzero(data.get("passthrough_credit")):
            return None
        return (f"{NOTHING}: the input has no product rows (components: Part II lines 1-5), no vessels "
                f"(Part III), no critical minerals (Part IV), no metallurgical coal and no passthrough "
                f"credit (line 7). Enter what the facility sold in the tax year.")
    if form == "NJ-306":
        qre = data.get("qre") if isinstance(data.get("qre"), dict) else {}
        amounts = [*qre.values(), data.get("energy_consortia"), data.get("basic_research_payments")]
        paid = data.get("contract_research_paid")
        if isinstance(paid, dict):
            amounts += list(paid.values())
        if any(_nonzero(a) for a in amounts) or data.get("carryforward"):
            return None
        return (f"{NOTHING}: the input has no qualified research expenses (qre: lines 5-8 or 16-19), no "
                f"energy consortia or basic research payments (lines 1-2) and no carryforward (line 29). "
                f"Enter this year's New Jersey research expenses.")
    return None


def _nonzero(value: Any) -> bool:
    if value is None or isinstance(value, bool):
        return False
    try:
        return Decimal(str(value).replace(",", "")) != 0
    except (InvalidOperation, ValueError):
        return True  # not a number: validation names it


# --- the command line's workbook outputs -------------------------------------------------------------

def refuse_output(path) -> str | None:
    """`fill -o out.csv` would write a workbook under a CSV name: refuse with a sentence."""
    from pathlib import Path

    from ..safefile import not_a_file

    if not_a_file(path):  # a pipe or a device: say that, whatever its name
        return not_a_file(path)
    suffix = Path(str(path)).suffix.lower()
    if suffix in (".xlsx", ".xlsm") or Path(str(path)).is_dir():
        return None  # a folder: the writer says it is one
    named = f"a {suffix} name" if suffix else "a name without .xlsx"
    return (f"{path}: fill writes an Excel workbook (.xlsx), not under {named}; "
            f"name the output like {Path(str(path)).stem or 'return'}.xlsx")


def fill_problem_lines(source, result) -> list[str]:
    """The findings of a fill, each with its place: the cell for a typed-in workbook, the JSON path
    with the row for a JSON input."""
    from pathlib import Path

    data = None
    places: dict[str, str] = {}
    if Path(str(source)).suffix.lower() in (".xlsx", ".xlsm"):
        if any(f.severity != "note" for f in result.findings):
            places = workbook_places(source, result.findings)
    else:
        from ..jsonio import InputError, load_path

        try:
            data = load_path(source)
        except (InputError, OSError):
            data = None
    return [render(f, data, places.get(f.where)) for f in result.findings]
