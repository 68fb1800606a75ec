"""The checks a Form 7207 product row gets before it is judged: which line it is on, whether it
gives the amounts that line is measured in, and the warnings about sizes typed in the wrong unit
and batteries whose capacity the capacity-to-power rule caps."""

from __future__ import annotations

from ... import rules
from ...lines import Findings
from ...numbers import grouped
from . import catalog
from .catalog import PART_II, find_line
from .model import Component


SHAPE = {
    "capacity": ({"units", "capacity_per_unit"}, {"quantity", "costs"}),
    "quantity": ({"quantity"}, {"units", "capacity_per_unit", "costs"}),
    "costs": ({"costs"}, {"units", "capacity_per_unit", "quantity"}),
}
SCHEDULE_FIELD = {"vessels": "vessels (Part III)", "critical_minerals": "critical_minerals (Part IV)",
                  "metallurgical_coal": "metallurgical_coal"}
FIGURES = ("wafer_area_cm2", "purity", "energy_density_wh_per_l")


def resolve(c: Component, where: str, findings: Findings) -> catalog.PartIILine | None:
    if (c.line is None) == (c.component is None):
        findings.error(where, f"{where}: give either \"line\" (e.g. \"1e\") or \"component\" (e.g. \"solar_module\"), "
                              f"not {'both' if c.line else 'neither'}.", blocking=True)
        return None
    entry = find_line(c.line or c.component)
    field = "line" if c.line is not None else "component"
    if entry is None:
        from ...messages import unknown_product_line

        findings.error(f"{where}.{field}", unknown_product_line(field, getattr(c, field)), blocking=True)
        return None
    if entry.fed_by:
        findings.error(f"{where}.{field}", f"{where}.{field}: line {entry.line} amounts go in "
                                           f"{SCHEDULE_FIELD[entry.fed_by]}, not in components.", blocking=True)
        return None
    return entry


def check_shape(c: Component, entry: catalog.PartIILine, where: str, findings: Findings) -> bool:
    required, forbidden = SHAPE[entry.measure]
    ok = True
    for name in sorted(required):
        if getattr(c, name) is None:
            findings.error(f"{where}.{name}", f"{where}.{name} is required for line {entry.line} "
                                              f"({entry.label}, measured in {entry.unit_text}).", blocking=True)
            ok = False
    for name in sorted(forbidden):
        if getattr(c, name) is not None:
            findings.error(f"{where}.{name}", f"{where}.{name} does not belong on line {entry.line} "
                                              f"({entry.label}, measured in {entry.unit_text}); use "
                                              f"{' and '.join(sorted(required))}.", blocking=True)
            ok = False
    for name in FIGURES:
        if getattr(c, name) is not None and not any(m.field == name for m in entry.minimums):
            findings.warning(f"{where}.{name}", f"{where}.{name} applies only to line "
                                                f"{_line_with_minimum(name)}; ignored on line {entry.line}.")
    return ok


def _line_with_minimum(field: str) -> str:
    return next((e.line for e in PART_II.values() for m in e.minimums if m.field == field), "?")


def unit_slip(c: Component, entry: catalog.PartIILine, where: str, what: str, findings: Findings) -> None:
    """Warn when a size per unit is implausible for the line in a way that suggests the wrong unit
    (F7207-D4); the bounds and their reasons are in the rules file."""
    bounds, size = entry.plausible, c.capacity_per_unit
    if bounds is None or size is None or size == 0:
        return
    unit = "kWh" if entry.is_battery_capacity else "W"
    if bounds.low is not None and size < bounds.low:
        findings.warning(f"{where}.capacity_per_unit",
                         f"{what}: {grouped(size)} {unit} per unit is implausibly small for a {entry.label.lower()} "
                         f"— was it typed in {'MWh' if unit == 'kWh' else 'kW'}? Capacity per unit is in {unit} "
                         f"({bounds.why}).")
    if bounds.high is not None and size > bounds.high:
        findings.warning(f"{where}.capacity_per_unit",
                         f"{what}: {grouped(size)} {unit} per unit is implausibly large for a {entry.label.lower()} "
                         f"— was it typed in {'Wh' if unit == 'kWh' else 'mW'}? Capacity per unit is in {unit} "
                         f"({bounds.why}).")


def battery_cap(c: Component, entry: catalog.PartIILine, where: str, findings: Findings) -> bool:
    """True when the capacity-to-power rule caps the row's capacity (F7207-D16)."""
    if c.max_discharge_kw_per_unit is None:
        return False
    if not entry.is_battery_capacity:
        findings.warning(f"{where}.max_discharge_kw_per_unit",
                         f"{where}: max_discharge_kw_per_unit applies only to battery cells and modules; ignored on "
                         f"line {entry.line}.")
        return False
    ratio = c.capacity_per_unit / c.max_discharge_kw_per_unit
    if ratio > catalog.BATTERY_MAX_RATIO:
        counted = catalog.BATTERY_MAX_RATIO * c.max_discharge_kw_per_unit
        findings.warning(f"{where}.capacity_per_unit",
                         f"{where}: capacity-to-power ratio {grouped(ratio, 2)}:1 exceeds "
                         f"{grouped(catalog.BATTERY_MAX_RATIO)}:1, so capacity is counted at {grouped(counted)} kWh "
                         f"per unit, not {grouped(c.capacity_per_unit)} "
                         f"[{rules.cite_text(catalog.BATTERY_RATIO.steps[-1].cites)}].")
    return True


class Fields:
    """A row's input fields by attribute, for the checks above, which read a component."""

    def __init__(self, row: dict, extra: dict):
        self._values = {**row, **extra}

    def __getattr__(self, name):
        return self._values.get(name)
