"""Form 7207: validate the input, decide each row's rate, phase-out and eligibility from the rule
book, then evaluate the form's lines (definition.py) exactly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, localcontext
from typing import Any

from ...expr import Ref
from ...lines import FormEnv, Findings, Result, evaluate_lines
from ...numbers import ENGINE_CONTEXT, ONE, ZERO, grouped
from ..common import validated
from . import catalog
from .catalog import PART_II, find_line
from .definition import FORM, ROW_CREDIT, lines, name_of, product_measure
from .model import Component, Form7207Input


def pct(value: Decimal) -> str:
    """0.75 -> '75%', 0.065 -> '6.5%'."""
    return f"{grouped((value * 100).normalize())}%"


@dataclass
class Context:
    """What every row's decision needs to know about the return."""

    begins: date
    ends: date
    obbba: bool  # tax year begins after 4 July 2025: foreign-entity rules in force
    integrated_rule: bool  # tax year begins after 2026: integrated-component test in force
    coal_allowed: bool
    filer_eligible: bool

    @property
    def default_year(self) -> int:
        return self.ends.year


def _years(row: Any, ctx: Context) -> tuple[int, int, str]:
    sold = row.sold_year or ctx.default_year
    produced = row.produced_year or ctx.default_year
    defaulted = [name for name, value in (("sold", row.sold_year), ("produced", row.produced_year)) if value is None]
    note = f" ({' and '.join(defaulted)} year defaulted to {ctx.default_year}, the year the tax year ends)" if defaulted else ""
    return sold, produced, note


def _judge(where: str, what: str, kind: str, category: str, row: Any, ctx: Context,
           findings: Findings) -> dict:
    """Phase-out percentage and eligibility (1/0) of one row, with the notes that explain them.

    kind: "general" (sold-year phase-out), "wind" (also terminated after 2027), "mineral"
    (production-year phase-out), "coal" (2.5%, ends after 2029 production).
    """
    sold, produced, defaulted = _years(row, ctx)
    eligible, reasons = ONE, []

    def exclude(severity: str, message: str) -> None:
        nonlocal eligible
        eligible = ZERO
        reasons.append(message)
        getattr(findings, severity)(where, f"{what}: {message}")

    if sold < produced:
        findings.warning(where, f"{what}: sold in {sold} but produced in {produced}; check the years.")
    if not ctx.begins.year <= sold <= ctx.ends.year:
        findings.warning(where, f"{what}: sold in {sold}, outside the tax year {ctx.begins} to {ctx.ends}; "
                                f"a component is credited in the tax year it is sold.")
    first = catalog.FIRST_CREDIT_YEAR
    if sold < first or produced < first:
        exclude("error", f"produced in {produced} and sold in {sold}: only components produced and sold after "
                         f"31 Dec {first - 1} earn the §45X credit, so this row earns $0.")

    if kind == "mineral":
        phase = catalog.mineral_phase_out(produced, ctx.begins)
        phase_note = f"{pct(phase)}: produced in {produced}{defaulted}"
        phase_note += (f" [{catalog.MINERAL_PHASE_OUT.reference}]" if catalog.obbba_applies("foreign_entity", ctx.begins)
                       else " (no phase-out for minerals in tax years beginning before 5 July 2025)")
        if sold >= 2030:
            findings.warning(where, f"{what}: sold in {sold}. Following the IRS instructions, critical minerals are not "
                                    f"phased out by the year sold; a literal reading of amended §45X(b)(3)(A) would apply "
                                    f"{pct(catalog.general_phase_out(sold))}.")
    elif kind == "coal":
        phase = ONE
        phase_note = f"100%: no phase-out before the end of coal production credit{defaulted}"
        if not ctx.coal_allowed:
            exclude("error", f"metallurgical coal earns credit only in tax years beginning after 4 July 2025 "
                             f"(Form 7207 Rev. 12-2025, line 6b); this tax year begins {ctx.begins}.")
        elif produced > catalog.COAL_LAST_PRODUCTION_YEAR:
            exclude("warning", f"produced in {produced}: no credit for metallurgical coal produced after "
                               f"31 Dec {catalog.COAL_LAST_PRODUCTION_YEAR}.")
    else:
        phase = catalog.general_phase_out(sold)
        phase_note = f"{pct(phase)}: sold in {sold}{defaulted} [{catalog.GENERAL_PHASE_OUT.reference}]"

    if kind == "wind" and sold > catalog.WIND_LAST_YEAR:
        if produced > catalog.WIND_LAST_YEAR:
            exclude("warning", f"produced in {produced} and sold in {sold}: wind energy components produced and sold "
                               f"after {catalog.WIND_LAST_YEAR} earn no credit [{catalog.RULES['wind_termination']['reference']}].")
        else:
            findings.warning(where, f"{what}: sold in {sold} but produced in {produced}. Wind components are cut off only "
                                    f"when both produced and sold after {catalog.WIND_LAST_YEAR}; this reading is unsettled, "
                                    f"so the row is credited with a {pct(phase)} phase-out. Review before filing.")

    if ctx.obbba:
        threshold = catalog.macr_threshold(category, sold)
        if threshold is not None and threshold > 0:
            if row.macr is None:
                findings.warning(where, f"{what}: no MACR given. Components of this kind sold in {sold} need a material "
                                        f"assistance cost ratio of at least {pct(threshold)}.")
            elif row.macr < threshold:
                exclude("error", f"MACR {pct(row.macr)} is below the {pct(threshold)} required for "
                                 f"{catalog.CATEGORY_NAMES[category]} sold in {sold}, so this row earns $0 "
                                 f"[{catalog.MACR[category].reference}].")
    if ctx.integrated_rule and getattr(row, "integrated", False) and row.integration_test_met is not True:
        exclude("error", f"sold through integration, but the integrated-component test (same facility, at least "
                         f"{pct(catalog.INTEGRATED_MIN_SHARE)} of the secondary component's direct material costs from "
                         f"US-made primary components) is not confirmed, so this row earns $0 "
                         f"[{catalog.RULES['integrated_components']['reference']}].")
    if not ctx.filer_eligible:
        eligible, reasons = ZERO, reasons + ["the filer attests it is a prohibited foreign entity"]
    return {
        "#sold": sold, "#produced": produced, "phase_out": phase, "eligible": eligible,
        "#notes": {"phase_out": phase_note,
                   "eligible": "Not eligible: " + "; ".join(reasons) if reasons else "Eligible"},
    }


def _finish(row: dict, measure_expr) -> dict:
    env = FormEnv(row)
    row["measure"] = measure_expr.evaluate(env)
    row["measure#explain"] = measure_expr.substitute(env)
    row["credit"] = ROW_CREDIT.evaluate(env)
    # "50,000 × 0.04", with the phase-out and eligibility shown only when they change the amount
    explain = f"{grouped(row['measure'])} × {grouped(row['rate'])}"
    if row["phase_out"] != ONE:
        explain += f" × {pct(row['phase_out'])}"
    if row["eligible"] != ONE:
        explain += " × 0 (not eligible)"
    row["credit#explain"] = explain
    row["#exprs"] = {"measure": measure_expr, "credit": ROW_CREDIT}
    return row


SHAPE = {
    "capacity": ({"units", "capacity_per_unit"}, {"quantity", "costs"}),
    "quantity": ({"quantity"}, {"units", "capacity_per_unit", "costs"}),
    "costs": ({"costs"}, {"units", "capacity_per_unit", "quantity"}),
}
SCHEDULE_FIELD = {"2a": "vessels (Part III)", "6a": "critical_minerals (Part IV)", "6b": "metallurgical_coal"}


def _resolve(c: Component, where: str, findings: Findings) -> catalog.PartIILine | None:
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
    if entry.line in SCHEDULE_FIELD:
        findings.error(f"{where}.{field}", f"{where}.{field}: line {entry.line} amounts go in "
                                           f"{SCHEDULE_FIELD[entry.line]}, not in components.", blocking=True)
        return None
    return entry


def _check_shape(c: Component, entry: catalog.PartIILine, where: str, findings: Findings) -> bool:
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
    return ok


def _capacity_warnings(c: Component, entry: catalog.PartIILine, where: str, findings: Findings) -> bool:
    """Warn when a stated capacity contradicts the line's definition; return True if 100:1 caps it."""
    cap = c.capacity_per_unit
    what = f"line {entry.line} ({entry.label})"
    if cap is not None and entry.unit == "watts" and entry.category == "inverter":
        too_small = (entry.min_watts is not None and cap < entry.min_watts) or \
                    (entry.min_watts_exclusive is not None and cap <= entry.min_watts_exclusive)
        too_big = entry.max_watts is not None and cap > entry.max_watts
        if too_small or too_big:
            bounds = []
            if entry.min_watts_exclusive is not None:
                bounds.append(f"more than {grouped(entry.min_watts_exclusive)} W")
            if entry.min_watts is not None:
                bounds.append(f"at least {grouped(entry.min_watts)} W")
            if entry.max_watts is not None:
                bounds.append(f"at most {grouped(entry.max_watts)} W")
            findings.warning(f"{where}.capacity_per_unit",
                             f"{where}: a {entry.label.lower()} must be rated {' and '.join(bounds)}; this row says "
                             f"{grouped(cap)} W. Check the line.")
    if cap is not None and entry.min_kwh is not None:
        minimum = Decimal(1) if (entry.line in ("5b", "5c") and c.fuel_cell_vehicle) else entry.min_kwh
        if cap < minimum:
            findings.warning(f"{where}.capacity_per_unit",
                             f"{where}: a {entry.label.lower()} must have a capacity of at least {grouped(minimum)} kWh; "
                             f"this row says {grouped(cap)} kWh per unit.")
    if c.max_discharge_kw_per_unit is not None:
        if not entry.is_battery_capacity:
            findings.warning(f"{where}.max_discharge_kw_per_unit",
                             f"{where}: max_discharge_kw_per_unit applies only to battery cells and modules; ignored on {what}.")
            return False
        ratio = cap / c.max_discharge_kw_per_unit
        if ratio > catalog.BATTERY_MAX_RATIO:
            counted = catalog.BATTERY_MAX_RATIO * c.max_discharge_kw_per_unit
            findings.warning(f"{where}.capacity_per_unit",
                             f"{where}: capacity-to-power ratio {grouped(ratio, 2)}:1 exceeds 100:1, so capacity is "
                             f"counted at {grouped(counted)} kWh per unit, not {grouped(cap)} [26 U.S.C. 45X(b)(4)].")
        return True
    return False


def _product_rows(model: Form7207Input, ctx: Context, findings: Findings) -> list[dict]:
    rows = []
    for i, c in enumerate(model.components):
        where = f"components[{i}]"
        entry = _resolve(c, where, findings)
        if entry is None or not _check_shape(c, entry, where, findings):
            continue
        capped = _capacity_warnings(c, entry, where, findings)
        row = {"#index": i, "#where": where, "line": entry.line, "description": c.description,
               "units": c.units, "capacity_per_unit": c.capacity_per_unit, "quantity": c.quantity,
               "costs": c.costs, "sold_year": c.sold_year, "produced_year": c.produced_year, "macr": c.macr,
               "max_discharge_kw_per_unit": c.max_discharge_kw_per_unit, "rate": entry.rate}
        what = f"line {entry.line} row {c.description or i + 1}"
        row.update(_judge(where, what, "wind" if entry.is_wind else "general", entry.category, c, ctx, findings))
        rows.append(_finish(row, product_measure(entry.measure, capped)))
    return rows


def _schedule_rows(items, field: str, line: str, kind: str, ctx: Context, findings: Findings,
                   columns: tuple[str, ...], amount: str) -> list[dict]:
    entry = PART_II[line]
    rows = []
    for i, item in enumerate(items):
        where = f"{field}[{i}]"
        row = {"#index": i, "#where": where, **{c: getattr(item, c) for c in columns}, "rate": entry.rate}
        what = f"{field.replace('_', ' ')} row {getattr(item, 'name', '') or getattr(item, 'description', '') or i + 1}"
        row.update(_judge(where, what, kind, entry.category, item, ctx, findings))
        rows.append(_finish(row, Ref(amount)))
    return rows


def _context(model: Form7207Input, revision: str, findings: Findings) -> Context:
    begins, ends = model.tax_year.begins, model.tax_year.ends
    obbba = catalog.obbba_applies("foreign_entity", begins)
    attested = model.attestations.prohibited_foreign_entity
    filer_eligible = True
    where = "attestations.prohibited_foreign_entity"
    if obbba and attested:
        filer_eligible = False
        findings.error(where, "The filer attests it is a specified foreign entity or foreign-influenced entity: no "
                              "§45X credit is allowed for tax years beginning after 4 July 2025, so every line is $0 "
                              "[26 U.S.C. 45X(c)(1)(C) as added by P.L. 119-21].")
    elif obbba and attested is None:
        findings.warning(where, "Confirm the filer is not a specified foreign entity or foreign-influenced entity "
                                "(required for tax years beginning after 4 July 2025): set "
                                "attestations.prohibited_foreign_entity to false.")
    elif attested and not obbba:
        findings.note(where, f"The prohibited-foreign-entity rule applies to tax years beginning after 4 July 2025; "
                             f"this tax year begins {begins}, so it does not limit this credit.")
    return Context(begins=begins, ends=ends, obbba=obbba,
                   integrated_rule=catalog.obbba_applies("integrated_components", begins),
                   coal_allowed=catalog.revision_has_6b(revision) and catalog.obbba_applies("metallurgical_coal", begins),
                   filer_eligible=filer_eligible)


def compute(data: Any) -> Result:
    """Compute every line of Form 7207 from a JSON-like dict (or a parsed `Form7207Input`)."""
    findings = Findings()
    model = validated(Form7207Input, data, findings)
    if model is None:  # the raw tax_year is not echoed: it may be anything
        return Result(FORM, "", None, findings=findings)
    revision = catalog.revision_for(model.tax_year.begins)
    result = Result(FORM, revision, model.tax_year.as_json(), findings=findings)
    if model.tax_year.ends.year < catalog.FIRST_CREDIT_YEAR:
        findings.error("tax_year", f"tax_year ends {model.tax_year.ends}: the §45X credit applies only to components "
                                   f"produced and sold after 31 Dec {catalog.FIRST_CREDIT_YEAR - 1}.", blocking=True)
        return result

    with localcontext(ENGINE_CONTEXT):
        ctx = _context(model, revision, findings)
        schedules = {
            "products": _product_rows(model, ctx, findings),
            "vessels": _schedule_rows(model.vessels, "vessels", "2a", "wind", ctx, findings,
                                      ("name", "purpose", "official_number", "status", "sales_price", "sold_year",
                                       "produced_year", "macr"), "sales_price"),
            "minerals": _schedule_rows(model.critical_minerals, "critical_minerals", "6a", "mineral", ctx, findings,
                                       ("line", "description", "costs", "sold_year", "produced_year", "macr"), "costs"),
            "coal": _schedule_rows(model.metallurgical_coal, "metallurgical_coal", "6b", "coal", ctx, findings,
                                   ("description", "costs", "sold_year", "produced_year", "macr"), "costs"),
        }
        if model.metallurgical_coal and not catalog.revision_has_6b(revision):
            findings.error("metallurgical_coal", f"Form 7207 Rev. {revision} (tax years beginning in "
                                                 f"{model.tax_year.begins.year}) has no line 6b; metallurgical coal "
                                                 f"earns no credit this year.")
        if findings.blocking:
            return result
        _tin_check(schedules["minerals"], findings)

        env = FormEnv({"passthrough_credit": model.passthrough_credit,
                       "entity_eligible": ONE if ctx.filer_eligible else ZERO,
                       "8b": model.allocated_to_beneficiaries}, schedules)
        all_lines = lines(revision)
        for line in all_lines:
            if line.kind == "rule" and line.key.endswith(".c"):
                env.values[line.key] = PART_II[line.key[:-2]].rate
        result.explanations = evaluate_lines(all_lines, env, name_of)
        result.lines = {line.key: env.values[line.key] for line in all_lines if line.report}
        result.rows = schedules
        result.extras["values"] = env.values  # every value incl. helper lines, for adapters
        _totals_checks(model, env, findings)
    return result


def _tin_check(rows: list[dict], findings: Findings) -> None:
    with_costs = {r["line"] for r in rows if r["line"] in catalog.TIN_LINES and r["costs"]}
    if set(catalog.TIN_LINES) <= with_costs:
        findings.warning("critical_minerals", "Part IV lines 64 and 65 both hold costs: they are two criteria for the "
                                              "same low-alpha tin, so the same costs must not be entered on both.")


def _totals_checks(model: Form7207Input, env: FormEnv, findings: Findings) -> None:
    if env.values["8b"] > env.values["8a"]:
        findings.error("allocated_to_beneficiaries", f"Line 8b ({grouped(env.values['8b'], 2)}) exceeds line 8a "
                                                     f"({grouped(env.values['8a'], 2)}): an estate or trust cannot "
                                                     f"allocate more credit than it has.")
    if model.allocated_to_beneficiaries and model.entity_type not in (None, "estate_or_trust"):
        findings.warning("allocated_to_beneficiaries", "Line 8b is for estates and trusts only; this filer is a "
                                                       f"{model.entity_type.replace('_', ' ')}.")
