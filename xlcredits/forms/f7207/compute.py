"""Form 7207: validate the input, judge each row by the rules in `eligibility.py`, then evaluate
the form's lines (definition.py) exactly and attach the statements of excluded amounts and
phase-outs (statements.py)."""

from __future__ import annotations

import gc
from contextlib import contextmanager
from decimal import localcontext
from typing import Any

from ... import rules
from ...rules.text import day
from ...expr import Ref, compiled
from ...lines import FormEnv, Findings, Result, evaluate_lines
from ...numbers import ENGINE_CONTEXT, ONE, ZERO, grouped
from ...gcpause import collector_paused
from ..common import validated
from ..quick import field_checks, quick_rows
from . import catalog, statements
from .catalog import PART_II
from .definition import EARNING, FORM, ROW_CREDIT, lines, name_of
from .eligibility import RowFacts, TaxPeriod, pct
from .fastrows import FastRows, NeedsFullReading, fast_product_rows
from .model import Component, Form7207Input
from .rows import as_rows, judged_row, product_rows
from .verdicts import Verdicts


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
        judged = judged_row(row, verdict, lambda: what, measure, findings)
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
    after = day(catalog.RULES['foreign_entity']['in_force']['tax_years_beginning_after'])
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
    with collector_paused(), _rows_kept_old():
        try:
            return _compute(data, fast=True)
        except NeedsFullReading:  # a row the fast reader leaves to pydantic: everything is read again by it
            return _compute(data, fast=False)


# Young objects (built since the collector's last pass) from which a return counts as large: a few
# thousand product rows, each a dict the collector tracks.
_MANY_YOUNG = 5_000


@contextmanager
def _rows_kept_old():
    """The objects a large return built counted among the old, long-lived ones, as its rows are.

    The collector is off while a return is computed (`collector_paused`); turned back on, its next
    pass over the young objects would walk every row built (each row holds its judgement and
    expressions, so the collector tracks it): a fifth of the time at 100,000 rows, for rows that
    hold no reference cycle. `gc.freeze` then `gc.unfreeze` moves the objects built since the last
    pass, these and any of the caller's, to the oldest generation without walking them; a later full
    pass still walks whatever is alive then. Only for a large return, so that a process computing
    many small ones (a batch) keeps its young garbage collected as usual; and never when the caller
    keeps objects frozen itself."""
    try:
        yield
    finally:
        if gc.get_count()[0] >= _MANY_YOUNG and gc.get_freeze_count() == 0:
            gc.freeze()
            gc.unfreeze()


def _compute(data: Any, fast: bool) -> Result:
    findings = Findings()
    model, components, texts_checked = _validated(data, findings, fast)
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
        schedules, fast = _schedules(model, components, bool(texts_checked), Verdicts(period), findings)
        if model.metallurgical_coal and not catalog.revision_has_6b(revision):
            findings.error("metallurgical_coal", f"Form 7207 Rev. {revision} (tax years beginning in "
                                                 f"{model.tax_year.begins.year}) has no line 6b; metallurgical coal "
                                                 f"earns no credit this year.")
        if findings.blocking:
            return result
        _tin_check(schedules["minerals"], findings)
        _lines(result, model, period, schedules, revision, fast)
    return result


def _schedules(model: Form7207Input, components: list, raw: bool, verdicts: Verdicts,
               findings: Findings) -> tuple[dict[str, list[dict]], FastRows | None]:
    """Every schedule's rows judged and computed; `raw` product rows are as the JSON parser gave them
    (then also what the fast pass found beside them)."""
    fast = fast_product_rows(components, verdicts, findings) if raw else None
    return {
        "products": fast.rows if fast is not None else product_rows(components, verdicts, findings),
        "vessels": _schedule_rows(model.vessels, "vessels", "2a", verdicts, findings,
                                  ("name", "purpose", "official_number", "status", "sales_price", "sold_year",
                                   "produced_year", "macr"), "sales_price"),
        "minerals": _schedule_rows(model.critical_minerals, "critical_minerals", "6a", verdicts, findings,
                                   ("line", "description", "costs", "sold_year", "produced_year", "macr"), "costs"),
        "coal": _schedule_rows(model.metallurgical_coal, "metallurgical_coal", "6b", verdicts, findings,
                               ("description", "costs", "sold_year", "produced_year", "macr"), "costs"),
    }, fast


def _lines(result: Result, model: Form7207Input, period: TaxPeriod, schedules: dict, revision: str,
           fast: FastRows | None) -> None:
    """The form's lines evaluated into `result`, with the statements beside them."""
    env = FormEnv({"passthrough_credit": model.passthrough_credit,
                   "entity_eligible": ZERO if period.filer_barred else ONE,
                   "8b": model.allocated_to_beneficiaries}, schedules)
    if fast is not None:
        env.grouped_already("products", "line", EARNING, fast.earning, ("credit", "measure"), fast.totals)
    all_lines = lines(revision)
    for line in all_lines:
        if line.kind == "rule" and line.key.endswith(".c"):
            env.values[line.key] = PART_II[line.key[:-2]].rate
    result.explanations = evaluate_lines(all_lines, env, name_of, lazy=True)
    result.lines = {line.key: env.values[line.key] for line in all_lines if line.report}
    if not _is_estate_or_trust(model):  # lines 8b and 8c are for estates and trusts only (F7207-D12)
        result.lines["8b"] = result.lines["8c"] = None
    result.rows = schedules
    stated = statements.worth_stating({name: () if fast is not None and name == "products" else rows
                                       for name, rows in schedules.items()})
    if fast is not None:
        stated["products"] = fast.stated
    result.excluded = statements.excluded(stated)
    result.phase_out = statements.phase_out(stated)
    result.extras["values"] = env.values  # every value incl. helper lines, for adapters
    _totals_checks(model, env, result.findings)


def fast_rows_apply(rows: Any) -> bool:
    """Whether the fast reader may take these product rows (fastrows.py): a list no longer than the
    model allows, of a model whose checks it reproduces. A row it then finds it cannot read sends
    the whole input to pydantic (`NeedsFullReading`)."""
    return rows.__class__ is list and len(rows) <= _MOST_COMPONENTS and field_checks(Component) is not None


def _validated(data: Any, findings: Findings, fast: bool) -> tuple[Form7207Input | None, list, tuple[str, ...]]:
    """The input as the model, its product rows, and the fields whose texts are known to hold no Excel error
    value. With `fast`, rows the fast reader may take are left as parsed (the caller reads them with
    fastrows.py, which checks every text) and the rest of the input is read by pydantic; otherwise pydantic
    reads everything and names every problem, and the rows are `ROW` dicts."""
    if fast and isinstance(data, dict) and "components" in data and fast_rows_apply(data["components"]):
        model = validated(Form7207Input, {**data, "components": []}, findings)
        if model is not None or quick_rows(Component, data["components"], _MOST_COMPONENTS) is not None:
            return model, data["components"], ("components",)
        raise NeedsFullReading  # the rows too have problems pydantic names
    model = validated(Form7207Input, data, findings)
    return model, (as_rows(model.components) if model is not None else []), ()


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
