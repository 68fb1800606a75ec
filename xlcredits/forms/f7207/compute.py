"""Form 7207: validate the input, judge each row by the rules in `eligibility.py`, then evaluate
the form's lines (definition.py) exactly and attach the statements of excluded amounts and
phase-outs (statements.py)."""

from __future__ import annotations

from decimal import Decimal, localcontext
from functools import cache
from typing import Any, Callable

from ... import rules
from ...expr import Expr, Ref, as_first_factor, compiled, known_factors
from ...lines import FormEnv, Findings, Result, evaluate_lines
from ...numbers import ENGINE_CONTEXT, ONE, ZERO, grouped
from ..common import no_collector_pauses, validated
from ..quick import quick_rows
from . import catalog, statements
from .catalog import PART_II, find_line
from .definition import FORM, ROW_CREDIT, lines, name_of, product_measure
from .eligibility import RowFacts, TaxPeriod, pct
from .model import Component, Form7207Input
from .verdicts import Verdict, Verdicts, report


# A row's credit, compiled once from the one expression that also explains it.
_ROW_CREDIT = compiled(ROW_CREDIT)


@cache
def _measure(kind: str, capped: bool) -> tuple[Callable[[dict], Decimal], dict[str, Expr]]:
    """Column (d) of a product row compiled, and the expressions the row keeps for its formulas
    and explanations."""
    expr = product_measure(kind, capped)
    return compiled(expr), {"measure": expr, "credit": ROW_CREDIT}


def _judged_row(row: dict, verdict: Verdict, what: Callable[[], str],
                measure: tuple[Callable[[dict], Decimal], dict[str, Expr]], findings: Findings) -> dict | None:
    """Apply the verdict on the row's facts, and compute its measure and credit. `what` names the
    row in a finding ("line 1e row Module 400 W"); most rows have none, so it is written on demand."""
    judgement = verdict.judgement
    if judgement is None or verdict.years_backwards or verdict.reports:
        where, said = row["#where"], what()
        if judgement is None:
            report(findings, where, said, verdict.reports, blocking=True)
            return None
        if verdict.years_backwards:
            findings.warning(where, f"{said}: sold in {verdict.years.sold} but produced in {verdict.years.produced}; "
                                    f"check the years.")
        report(findings, where, said, verdict.reports)
    years = verdict.years
    row["#sold"], row["#produced"], row["#judgement"] = years.sold, years.produced, judgement
    row["phase_out"], row["eligible"], row["#notes"] = judgement.phase_out, judgement.eligible, verdict.notes
    row["measure"] = measure[0](row)
    row["credit"] = _ROW_CREDIT(row)
    row["#exprs"] = measure[1]
    return row


SHAPE = {
    "capacity": ({"units", "capacity_per_unit"}, {"quantity", "costs"}),
    "quantity": ({"quantity"}, {"units", "capacity_per_unit", "costs"}),
    "costs": ({"costs"}, {"units", "capacity_per_unit", "quantity"}),
}
SCHEDULE_FIELD = {"vessels": "vessels (Part III)", "critical_minerals": "critical_minerals (Part IV)",
                  "metallurgical_coal": "metallurgical_coal"}
FIGURES = ("wafer_area_cm2", "purity", "energy_density_wh_per_l")


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
    if entry.fed_by:
        findings.error(f"{where}.{field}", f"{where}.{field}: line {entry.line} amounts go in "
                                           f"{SCHEDULE_FIELD[entry.fed_by]}, not in components.", blocking=True)
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
    for name in FIGURES:
        if getattr(c, name) is not None and not any(m.field == name for m in entry.minimums):
            findings.warning(f"{where}.{name}", f"{where}.{name} applies only to line "
                                                f"{_line_with_minimum(name)}; ignored on line {entry.line}.")
    return ok


def _line_with_minimum(field: str) -> str:
    return next((e.line for e in PART_II.values() for m in e.minimums if m.field == field), "?")


def _unit_slip(c: Component, entry: catalog.PartIILine, where: str, what: str, findings: Findings) -> None:
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


def _battery_cap(c: Component, entry: catalog.PartIILine, where: str, findings: Findings) -> bool:
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


# A product row's columns in order, blank until set. The input's own fields fill it first; these
# four are read from the input but are not columns of the row.
ROW = dict.fromkeys(("#index", "#where", "line", "description", "units", "capacity_per_unit", "quantity", "costs",
                     "sold_year", "produced_year", "macr", "max_discharge_kw_per_unit", "rate", "#capped",
                     *FIGURES, "#sold", "#produced", "#judgement", "phase_out", "eligible", "#notes",
                     "measure", "credit", "#exprs"))
ROW["description"] = ""
NOT_COLUMNS = (("component", None), ("fuel_cell_vehicle", False), ("integrated", False),
               ("integration_test_met", None))
_NO_EXTRA: dict = {}


class _Fields:
    """A row's input fields by attribute, for the checks that read a component (_resolve, ...)."""

    def __init__(self, row: dict, extra: dict):
        self._values = {**row, **extra}

    def __getattr__(self, name):
        return self._values.get(name)


def _product_rows(rows_in: list[dict], verdicts: Verdicts, findings: Findings) -> list[dict]:
    """Each product row judged and computed, in place: `rows_in` holds the input rows as `ROW`
    dicts (held by no one else), and each is let go from it once judged."""
    rows = []
    # A row named and shaped as an earlier one (the same line or component, the same amounts given)
    # is on the same line and well shaped: most rows are checked with one look-up.
    well_shaped: dict[tuple, catalog.PartIILine] = {}
    measures: dict[tuple, tuple] = {}
    # The usual row (no figures, no battery discharge, none of NOT_COLUMNS) with the same line, amounts
    # given, years, MACR and size as an earlier quiet one (well shaped, a size within bounds, a verdict
    # with nothing to report): the columns it shares with that row, and its measure.
    quiet: dict[tuple, tuple] = {}
    columns = len(ROW)
    append = rows.append
    for i, row in enumerate(rows_in):
        rows_in[i] = None
        if len(row) == columns and row["wafer_area_cm2"] is None and row["purity"] is None \
                and row["energy_density_wh_per_l"] is None and row["max_discharge_kw_per_unit"] is None:
            size, macr = row["capacity_per_unit"], row["macr"]
            fast_key = (row["line"], row["units"] is None, size is None, row["quantity"] is None,
                        row["costs"] is None, row["sold_year"], row["produced_year"],
                        None if macr is None else str(macr), None if size is None else str(size))
            plan = quiet.get(fast_key)
            if plan is not None:
                shared, measure_of, factors = plan
                row["#index"], row["#where"] = i, f"components[{i}]"
                row.update(shared)
                row["measure"] = measure = measure_of(row)
                credit = measure if measure.__class__ is Decimal else as_first_factor(measure)
                for factor in factors:  # the rate, and the phase-out and eligibility unless exactly 1
                    credit *= factor
                row["credit"] = credit
                append(row)
                continue
        else:
            fast_key = None
        judged = _product_row(i, row, well_shaped, measures, verdicts, findings)
        if judged is not None:
            append(judged)
            said, measure_of = judged.pop("#quiet")
            if fast_key is not None and not said:
                shared = {name: judged[name] for name in _SHARED}
                known = known_factors(ROW_CREDIT, shared)
                if known is not None and known[0] == "measure":
                    shared["#exprs"] = judged["#exprs"]
                    quiet[fast_key] = (shared, measure_of, known[1])
    return rows


_SHARED = ("line", "rate", "#capped", "#sold", "#produced", "#judgement", "phase_out", "eligible", "#notes")


def _product_row(i: int, row: dict, well_shaped: dict, measures: dict, verdicts: Verdicts,
                 findings: Findings) -> dict | None:
    """One product row judged and computed (see `_product_rows`)."""
    before_row = len(findings)
    if len(row) == len(ROW):  # none of NOT_COLUMNS given
        extra, component, fuel_cell_vehicle, integrated, integration_test_met = _NO_EXTRA, None, False, False, None
    else:
        extra = {name: row.pop(name) for name, _ in NOT_COLUMNS if name in row}
        component, fuel_cell_vehicle, integrated, integration_test_met = [
            extra.get(name, default) for name, default in NOT_COLUMNS]
    where = f"components[{i}]"
    units, size, quantity, costs = row["units"], row["capacity_per_unit"], row["quantity"], row["costs"]
    wafer, purity, density = row["wafer_area_cm2"], row["purity"], row["energy_density_wh_per_l"]
    shape = (row["line"], component, units is None, size is None, quantity is None, costs is None,
             wafer is None, purity is None, density is None)
    entry = well_shaped.get(shape)
    if entry is None:
        before = len(findings)
        entry = _resolve(_Fields(row, extra), where, findings)
        if entry is None or not _check_shape(_Fields(row, extra), entry, where, findings):
            return None
        if len(findings) == before:
            well_shaped[shape] = entry
    description = row["description"]

    def what(entry=entry, description=description, i=i) -> str:
        return f"line {entry.line} row {description or i + 1}"
    bounds = entry.plausible
    slipped = bounds is not None and size and ((bounds.low is not None and size < bounds.low)
                                               or (bounds.high is not None and size > bounds.high))
    if slipped:
        _unit_slip(_Fields(row, extra), entry, where, what(), findings)
    capped = row["max_discharge_kw_per_unit"] is not None and _battery_cap(_Fields(row, extra), entry, where,
                                                                            findings)
    row["#index"], row["#where"], row["line"], row["rate"], row["#capped"] = i, where, entry.line, entry.rate, capped
    if entry.measure != "capacity":
        size = None
    macr, sold, produced = row["macr"], row["sold_year"], row["produced_year"]
    # the facts the rules read (str: None is "None", and a Decimal as written, 400.0 or 400)
    if wafer is None and purity is None and density is None and not fuel_cell_vehicle and not integrated \
            and integration_test_met is None:  # the usual row: a shorter key says the same
        key = (entry.line, sold, produced, str(macr), str(size))
    else:
        key = (entry.line, sold, produced, str(macr), str(size), fuel_cell_vehicle, str(wafer), str(purity),
               str(density), integrated, integration_test_met)
    verdict = verdicts.get(key)
    if verdict is None:
        given = {name: row[name] for name in FIGURES if row[name] is not None}
        facts = RowFacts(entry, 0, 0, macr=macr, size=size, fuel_cell_vehicle=fuel_cell_vehicle,
                         figures=given, integrated=integrated, integration_test_met=integration_test_met)
        verdict = verdicts.add(key, facts, sold, produced)
    measure = measures.get((entry.measure, capped)) or measures.setdefault(
        (entry.measure, capped), _measure(entry.measure, capped))
    judged = _judged_row(row, verdict, what, measure, findings)
    if judged is not None:  # whether judging it said anything (taken out of the row by `_product_rows`)
        said = len(findings) != before_row or slipped or capped or verdict.reports or verdict.years_backwards
        judged["#quiet"] = (bool(said) or extra is not _NO_EXTRA, measure[0])
    return judged


def _as_rows(components: list[Component]) -> list[dict]:
    """Components read by pydantic, as the `ROW` dicts `_product_rows` reads."""
    return [{**ROW, **c.__dict__} for c in components]


def _schedule_rows(items, field: str, line: str, verdicts: Verdicts, findings: Findings,
                   columns: tuple[str, ...], amount: str) -> list[dict]:
    entry = PART_II[line]
    rows = []
    measure = (compiled(Ref(amount)), {"measure": Ref(amount), "credit": ROW_CREDIT})
    for i, item in enumerate(items):
        where = f"{field}[{i}]"
        row = {"#index": i, "#where": where, **{c: getattr(item, c) for c in columns}, "rate": entry.rate}
        label = getattr(item, "name", "") or getattr(item, "description", "") or i + 1
        what = f"{field.replace('_', ' ')} row {label}"
        key = (entry.line, item.sold_year, item.produced_year, str(item.macr))
        verdict = verdicts.get(key) or verdicts.add(key, RowFacts(entry, 0, 0, macr=item.macr), item.sold_year,
                                                    item.produced_year)
        judged = _judged_row(row, verdict, lambda: what, measure, findings)
        if judged is None:
            continue
        step = catalog.GENERAL_PHASE_OUT.at(judged["#sold"])
        if entry.fed_by == "critical_minerals" and step is not None and step.value < ONE:
            findings.warning(where, f"{what}: sold in {judged['#sold']}. Following the IRS instructions, critical "
                                    f"minerals are not phased out by the year sold; a literal reading of the "
                                    f"sold-year phase-out would apply {pct(step.value)} (decision F7207-D15) "
                                    f"[{rules.cite_text(step.cites)}].")
        rows.append(judged)
    return rows


def _period(model: Form7207Input, findings: Findings) -> TaxPeriod:
    """The tax period, and the answer to the foreign-entity question the form asks (F7207-D7)."""
    begins, ends = model.tax_year.begins, model.tax_year.ends
    in_force = catalog.in_force("foreign_entity", begins)
    attested = model.attestations.prohibited_foreign_entity
    where, cited = "attestations.prohibited_foreign_entity", catalog.cite("foreign_entity")
    after = f"{catalog.RULES['foreign_entity']['in_force']['tax_years_beginning_after']:%-d %B %Y}"
    if in_force and attested:
        findings.error(where, f"The filer attests it is a specified foreign entity or foreign-influenced entity: no "
                              f"§45X credit is allowed for tax years beginning after {after}, so every line is $0 "
                              f"[{cited}].")
    elif in_force and attested is None:
        findings.error(where, f"Answer the foreign-entity question: is the filer a specified foreign entity or "
                              f"foreign-influenced entity? Form 7207 asks it for tax years beginning after {after}. "
                              f"Set attestations.prohibited_foreign_entity to false (or true) [{cited}].",
                       blocking=True)
    elif attested and not in_force:
        findings.note(where, f"The prohibited-foreign-entity rule applies to tax years beginning after {after}; "
                             f"this tax year begins {begins}, so it does not limit this credit.")
    return TaxPeriod(begins, ends, filer_barred=bool(in_force and attested))


def _facility_checks(model: Form7207Input, findings: Findings) -> None:
    if model.facility.section_48c_property:
        findings.warning("facility.section_48c_property",
                         "Line 6 is Yes: components produced at a facility whose property was taken into account for "
                         "a section 48C credit are not eligible components, and the records must show compliance with "
                         f"both sections. Remove such components from this form [{catalog.cite('section_48c')}].")


def compute(data: Any) -> Result:
    """Compute every line of Form 7207 from a JSON-like dict (or a parsed `Form7207Input`)."""
    with no_collector_pauses():
        return _compute(data)


def _compute(data: Any) -> Result:
    findings = Findings()
    model, components, texts_checked = _validated(data, findings)
    if model is None:  # the raw tax_year is not echoed: it may be anything
        return Result(FORM, "", None, findings=findings)
    revision = catalog.revision_for(model.tax_year.begins)
    result = Result(FORM, revision, model.tax_year.as_json(), findings=findings, texts_checked=texts_checked)
    if model.tax_year.ends.year < catalog.FIRST_CREDIT_YEAR:
        findings.error("tax_year", f"tax_year ends {model.tax_year.ends}: the §45X credit applies only to components "
                                   f"produced and sold after 31 Dec {catalog.FIRST_CREDIT_YEAR - 1} "
                                   f"[{rules.cite_text(catalog.CREDIT_PERIOD.steps[0].cites)}].", blocking=True)
        return result

    with localcontext(ENGINE_CONTEXT):
        period = _period(model, findings)
        _facility_checks(model, findings)
        verdicts = Verdicts(period)
        schedules = {
            "products": _product_rows(components, verdicts, findings),
            "vessels": _schedule_rows(model.vessels, "vessels", "2a", verdicts, findings,
                                      ("name", "purpose", "official_number", "status", "sales_price", "sold_year",
                                       "produced_year", "macr"), "sales_price"),
            "minerals": _schedule_rows(model.critical_minerals, "critical_minerals", "6a", verdicts, findings,
                                       ("line", "description", "costs", "sold_year", "produced_year", "macr"), "costs"),
            "coal": _schedule_rows(model.metallurgical_coal, "metallurgical_coal", "6b", verdicts, findings,
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
                       "entity_eligible": ZERO if period.filer_barred else ONE,
                       "8b": model.allocated_to_beneficiaries}, schedules)
        all_lines = lines(revision)
        for line in all_lines:
            if line.kind == "rule" and line.key.endswith(".c"):
                env.values[line.key] = PART_II[line.key[:-2]].rate
        result.explanations = evaluate_lines(all_lines, env, name_of, lazy=True)
        result.lines = {line.key: env.values[line.key] for line in all_lines if line.report}
        if not _is_estate_or_trust(model):  # lines 8b and 8c are for estates and trusts only (F7207-D12)
            result.lines["8b"] = result.lines["8c"] = None
        result.rows = schedules
        stated = statements.worth_stating(schedules)
        result.excluded = statements.excluded(stated)
        result.phase_out = statements.phase_out(stated)
        result.extras["values"] = env.values  # every value incl. helper lines, for adapters
        _totals_checks(model, env, findings)
    return result


def _validated(data: Any, findings: Findings) -> tuple[Form7207Input | None, list[dict], tuple[str, ...]]:
    """The input as the model, its product rows as `ROW` dicts, and the fields whose texts are known to hold no
    Excel error value. Rows that are already exactly what the model accepts (no error value among them) are read
    by the fast path (forms/quick.py) and the rest of the input by pydantic; otherwise pydantic reads everything
    and names every problem."""
    if isinstance(data, dict) and "components" in data:
        rows = quick_rows(Component, data["components"], _MOST_COMPONENTS, ROW)
        if rows is not None:
            model = validated(Form7207Input, {**data, "components": []}, findings)
            return model, rows, ("components",)
    model = validated(Form7207Input, data, findings)
    return model, (_as_rows(model.components) if model is not None else []), ()


_MOST_COMPONENTS = next(m.max_length for m in Form7207Input.model_fields["components"].metadata
                        if hasattr(m, "max_length"))


def _is_estate_or_trust(model: Form7207Input) -> bool:
    if model.entity_type is None:  # not said: an amount on 8b says it
        return bool(model.allocated_to_beneficiaries)
    return model.entity_type == "estate_or_trust"


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
                                                       f"{model.entity_type.replace('_', ' ')}, so lines 8b and 8c "
                                                       f"stay blank.")
